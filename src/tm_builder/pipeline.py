"""The main job: documents in, translation memories out.

``translate_files`` segments every input first (so a bad file stops the run
before anything is written), turns segments into translation units, fills
targets with the chosen engine, and writes one TMX, PO and CSV per document.
The CLI's ``translate`` command is a thin wrapper around it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .engines.base import DraftOptions, Engine
from .errors import InputError, OutputError
from .formats import WRITERS, MemoryHeader
from .segment import segment_file
from .translate import ENGINES, draft_units, load_engine
from .units import Document, Origin, TranslationUnit

__all__ = ["DocumentReport", "RunSummary", "translate_document", "translate_files"]

FORMATS = ("tmx", "po", "csv")

#: makes a progress callback for *total* segments (the CLI passes a terminal bar)
ProgressFactory = Callable[[int], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class DocumentReport:
    """What happened to one input document."""

    path: str
    lang: str
    paragraphs: int
    repaired: int
    kinds: dict[str, int]
    units: int
    outputs: tuple[str, ...]
    drafted: int = 0
    flagged: int = 0


@dataclass
class RunSummary:
    """What a ``translate`` run did, for the summary line and for callers."""

    engine: str
    documents: list[DocumentReport] = field(default_factory=list)
    model: str | None = None
    #: seconds spent drafting (model loading excluded)
    seconds: float = 0.0
    load_seconds: float = 0.0

    @property
    def paragraphs(self) -> int:
        return sum(d.paragraphs for d in self.documents)

    @property
    def repaired(self) -> int:
        return sum(d.repaired for d in self.documents)

    @property
    def kinds(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for d in self.documents:
            total.update(d.kinds)
        return dict(sorted(total.items()))

    @property
    def units(self) -> int:
        return sum(d.units for d in self.documents)

    @property
    def drafted(self) -> int:
        return sum(d.drafted for d in self.documents)

    @property
    def flagged(self) -> int:
        return sum(d.flagged for d in self.documents)


def translate_document(
    document: Document, engine: Engine | None = None, progress: Callable[[int], None] | None = None
) -> list[TranslationUnit]:
    """Translation units for every segment of *document*, targets drafted by *engine*.

    Speaker labels, headings and bylines are drafted too.  With no engine the
    targets stay empty: the memory is a template that records the
    segmentation for translators and later runs.
    """
    units = [TranslationUnit.from_segment(s) for s in document.segments]
    if engine is None:
        return units
    if document.lang != "zh":
        raise InputError(f"{document.name}: looks like English; the zh->en engine needs Chinese (use --engine none to segment it)")
    return draft_units(units, engine, progress)


def _prepare_outdir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir}: exists and is not a directory")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot create output directory ({exc.strerror or exc})") from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise OutputError(f"{outdir}: output directory is not writable")


def translate_files(
    paths: list[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    engine: str = "auto",
    model: str | None = None,
    options: DraftOptions | None = None,
    lang: str = "auto",
    formats: tuple[str, ...] = FORMATS,
    progress: ProgressFactory | None = None,
) -> RunSummary:
    """Segment and translate *paths*, writing ``OUTDIR/<stem>.{tmx,po,csv}`` for each.

    Every input is read and segmented, and the model resolved and verified,
    before any output is written; each output is written atomically.  A run
    that fails leaves no partial files.  *progress*, if given, is called with
    the number of segments to draft and returns a context manager yielding
    a callback (see :func:`tm_builder.progress.progress_bar`).
    """
    if not paths:
        raise InputError("no input files given")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise InputError(f"unknown output format(s) {', '.join(unknown)}; available: {', '.join(WRITERS)}")
    stems: dict[str, str] = {}
    for p in paths:
        stem = Path(p).stem
        if stem in stems:
            raise InputError(f"{p} and {stems[stem]} would write the same outputs ({stem}.*); rename one")
        stems[stem] = os.fspath(p)
    documents = [segment_file(p, lang=lang) for p in paths]
    if engine != "none":
        english = [d.name for d in documents if d.lang != "zh"]
        if english:
            raise InputError(f"{english[0]}: looks like English; the zh->en engine needs Chinese (use --engine none to segment it)")
    out = Path(outdir)
    inputs = {Path(p).resolve() for p in paths}
    for p in paths:
        for fmt in formats:
            target = out / f"{Path(p).stem}.{fmt}"
            if target.resolve() in inputs:
                raise InputError(f"{p}: writing {target} would overwrite this input; choose another output directory")
            if target.is_dir():
                raise OutputError(f"{target}: is a directory; cannot write the output there")
    started = time.perf_counter()
    drafter = load_engine(engine, model, options)  # resolves and verifies the model before anything is written
    _prepare_outdir(out)
    summary = RunSummary(engine=drafter.kind if drafter else "none", model=drafter.label if drafter else None)
    summary.load_seconds = time.perf_counter() - started
    signature = drafter.signature() if drafter else {"engine": "none"}

    total = sum(len(d.segments) for d in documents) if drafter else 0
    bar = progress(total) if progress and drafter else nullcontext(None)
    results: list[list[TranslationUnit]] = []
    started = time.perf_counter()
    with bar as advance:
        for document in documents:
            results.append(translate_document(document, drafter, advance))
    summary.seconds = time.perf_counter() - started

    for path, document, units in zip(paths, documents, results):
        header = MemoryHeader(srclang="zh-CN" if document.lang == "zh" else "en", tgtlang="en" if document.lang == "zh" else "zh-CN")
        header = header.with_properties(document=document.name, **signature)
        written = []
        for fmt in formats:
            target = out / f"{Path(path).stem}.{fmt}"
            WRITERS[fmt](units, target, header)
            written.append(os.fspath(target))
        kinds = Counter(s.kind.value for s in document.segments)
        summary.documents.append(
            DocumentReport(
                path=os.fspath(path), lang=document.lang, paragraphs=len(document.paragraphs),
                repaired=document.repaired, kinds=dict(sorted(kinds.items())), units=len(units), outputs=tuple(written),
                drafted=sum(u.origin is Origin.MT for u in units),
                flagged=sum(any(n.startswith("needs review") for n in u.notes) for u in units),
            )
        )
    return summary

"""The main job: documents in, translation memories out.

``translate_files`` segments every input first (so a bad file stops the run
before anything is written), turns segments into translation units, fills
targets with the chosen engine, and writes one TMX, PO and CSV per document.
The CLI's ``translate`` command is a thin wrapper around it.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, OutputError
from .formats import WRITERS, MemoryHeader
from .segment import segment_file
from .units import Document, TranslationUnit

__all__ = ["ENGINES", "DocumentReport", "RunSummary", "translate_document", "translate_files"]

#: engines the ``translate`` command accepts; ``none`` writes untranslated memories (templates)
ENGINES = ("none",)
FORMATS = ("tmx", "po", "csv")


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


@dataclass
class RunSummary:
    """What a ``translate`` run did, for the summary line and for callers."""

    engine: str
    documents: list[DocumentReport] = field(default_factory=list)

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


def translate_document(document: Document, engine: str = "none") -> list[TranslationUnit]:
    """Translation units for every segment of *document*, targets filled by *engine*.

    With ``engine="none"`` the targets stay empty: the memory is a template
    that records the segmentation for translators and later runs.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
    return [TranslationUnit.from_segment(s) for s in document.segments]


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
    engine: str = "none",
    lang: str = "auto",
    formats: tuple[str, ...] = FORMATS,
) -> RunSummary:
    """Segment and translate *paths*, writing ``OUTDIR/<stem>.{tmx,po,csv}`` for each.

    Every input is read and segmented before any output is written, and each
    output is written atomically, so a failing run leaves no partial files.
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
    out = Path(outdir)
    _prepare_outdir(out)

    summary = RunSummary(engine=engine)
    for path, document in zip(paths, documents):
        units = translate_document(document, engine=engine)
        header = MemoryHeader(srclang="zh-CN" if document.lang == "zh" else "en", tgtlang="en" if document.lang == "zh" else "zh-CN")
        header = header.with_properties(engine=engine, document=document.name)
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
            )
        )
    return summary

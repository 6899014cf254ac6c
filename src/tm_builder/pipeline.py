"""The main job: documents in, translation memories out.

``translate_files`` segments every input first (so a bad file stops the run
before anything is written), turns segments into translation units, fills
targets with the chosen engine, and writes one TMX, PO and CSV per document.
The CLI's ``translate`` command is a thin wrapper around it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .align import DocumentAlignment, align_documents, check_pair
from .engines.base import DraftOptions, Engine
from .errors import InputError, OutputError
from .formats import WRITERS, MemoryHeader
from .formats.base import sheet_safe
from .formats.termbase import read_glossary, write_glossary_csv
from .glossary import Glossary, Status, Term, check_terms, load_curated, merge, propose
from .omegat import check_project_dir, write_omegat_project
from .segment import lines_document, segment_file
from .store import DraftCache
from .translate import draft_units, load_engine
from .vocab import ENGINES
from .units import Document, Origin, TranslationUnit

if TYPE_CHECKING:
    from .terms import Candidate

__all__ = [
    "AlignSummary", "DocumentReport", "GlossarySummary", "RunSummary", "align_files", "glossary_files", "glossary_terms",
    "load_glossary", "qa_aligned", "translate_document", "translate_files",
]

FORMATS = ("tmx", "po", "csv")
#: candidates below this extractor score stay out of review files: about 60% of those above it are
#: oracle terms on the seed and on the held-out WMT18 block, against under 40% of the next hundred
MIN_TERM_SCORE = 3.5

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
    #: the alignment with the reference translation, when one was given
    alignment: "DocumentAlignment | None" = None
    #: drafts added to the draft cache by this run (the rest came from the cache or repeats)
    new_drafts: int = 0
    #: drafts served from the draft cache
    reused_drafts: int = 0
    #: the OmegaT project written, and its files
    omegat: tuple[str, tuple[str, ...]] | None = None
    #: with a reference: the model's drafts of the aligned sentences scored against it, and how many
    scores: list = field(default_factory=list)
    scored: int = 0
    cache_path: str | None = None
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


def _refuse_overwrite(targets: list[Path], inputs) -> None:
    """Outputs must never replace an input, nor collide with a directory."""
    resolved = {Path(p).resolve() for p in inputs}
    for target in targets:
        if target.resolve() in resolved:
            raise InputError(f"writing {target} would overwrite an input; choose another output directory")
        if target.is_dir():
            raise OutputError(f"{target}: is a directory; cannot write the output there")


def _align_checked(zh_doc: Document, en_doc: Document, zh_path, en_path, scorers) -> DocumentAlignment:
    """Refuse pairs that cannot be a translation, align the rest, keep the pair's warnings."""
    warnings = check_pair(
        "".join(s.text for s in zh_doc.segments), "".join(s.text for s in en_doc.segments),
        zh_doc.lang, en_doc.lang, os.fspath(zh_path), os.fspath(en_path),
    )
    result = align_documents(zh_doc, en_doc, scorers)
    result.warnings[:0] = warnings
    return result


def translate_document(
    document: Document, engine: Engine | None = None, progress: Callable[[int], None] | None = None,
    cache: DraftCache | None = None,
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
    return draft_units(units, engine, progress, cache)


def _prepare_outdir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir}: exists and is not a directory")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot create output directory ({exc.strerror or exc})") from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise OutputError(f"{outdir}: output directory is not writable")


def load_glossary(reviewed: Sequence[str | os.PathLike[str]] = (), *, curated: bool = True) -> Glossary:
    """The terms in force: the curated glossary, then each reviewed file on top.

    A reviewed row replaces the curated one for the same source, so a
    reviewer can change an official rendering or reject it for a project.
    """
    known = load_curated() if curated else Glossary()
    for path in reviewed:
        if not Path(path).is_file():
            raise InputError(f"{path}: no such glossary file")
        for term in read_glossary(path):
            known.add(term)
    return known


def qa_aligned(units: Sequence[TranslationUnit], glossary: Glossary) -> list[TranslationUnit]:
    """Record glossary terms on human (aligned) pairs; a missing rendering is a QA warning, never a rewrite."""
    out = []
    for u in units:
        if u.origin is not Origin.ALIGNED or not glossary:
            out.append(u)
            continue
        checks = check_terms(u.source, u.target, glossary)
        missing = [c for c in checks if not c.honoured]
        notes = u.notes + tuple(f"QA: the approved rendering of {c.source} ({c.target}) is not used" for c in missing)
        out.append(replace(u, terms=checks, notes=notes))
    return out


def glossary_terms(
    documents: Sequence[Document],
    known: Glossary,
    *,
    units: Sequence[TranslationUnit] = (),
    engine: Engine | None = None,
    cache: DraftCache | None = None,
    min_score: float = MIN_TERM_SCORE,
) -> list[Term]:
    """Glossary rows for the terms found in *documents* (see :func:`tm_builder.glossary.propose`).

    Candidates scoring below *min_score* are left out unless the glossary
    already knows them: a review file is read by people, and the long tail
    of the ranking is mostly noise (``bench/terms_eval.py``).

    *units* are this run's translation units: aligned ones give rendering
    evidence, any translated one gives example targets.  With an *engine*,
    terms without a known or aligned rendering get a machine draft (cached).
    """
    from .terms import aligned_renderings, extract_terms

    candidates = [c for c in _candidates(documents, known, cache) if c.score >= min_score or c.source in known]
    pairs = [(u.source, u.target) for u in units if u.origin is Origin.ALIGNED and u.target]
    open_terms = [c.source for c in candidates if c.source not in known]
    aligned = aligned_renderings(open_terms, pairs) if pairs and open_terms else {}
    drafts: dict[str, str] = {}
    need = [s for s in open_terms if s not in aligned]
    if engine is not None and need:
        drafted = draft_units([TranslationUnit(source=s) for s in need], engine, cache=cache)
        drafts = {u.source: u.target for u in drafted if u.target}
    examples = {u.source: u.target for u in units if u.target}
    return propose(candidates, known, aligned=aligned, drafts=drafts, example_targets=examples)


def _score_against_reference(units, engine: Engine, cache: DraftCache | None):
    """How good the model is on this document: drafts of the aligned sentences against the human reference.

    The drafts are only scored (and cached), never written: the memory keeps the human translations.
    """
    from .score import corpus_scores

    pairs = [u for u in units if u.origin is Origin.ALIGNED and u.target]
    if not pairs:
        return [], 0
    blank = [replace(u, target="", origin=Origin.NONE, score=None, notes=(), terms=()) for u in pairs]
    drafts = draft_units(blank, engine, cache=cache)
    return corpus_scores([d.target for d in drafts], [u.target for u in pairs], ("bleu", "chrf", "ter")), len(pairs)


def _candidates(documents: Sequence[Document], known: Glossary, cache: DraftCache | None) -> list["Candidate"]:
    """Extracted candidates, remembered in the cache by input and extractor version: a warm re-run skips extraction."""
    from dataclasses import asdict

    from .terms import EXTRACTOR_VERSION, Candidate, extract_terms

    curated = sorted(t.source for t in known if t.status is Status.APPROVED)
    key = None
    if cache is not None:
        digest = hashlib.sha256(json.dumps(
            [EXTRACTOR_VERSION, curated, [[d.name, [s.text for s in d.segments]] for d in documents]], ensure_ascii=False
        ).encode()).hexdigest()
        key = f"terms:{digest}"
        stored = cache.recall(key)
        if isinstance(stored, list):
            return [Candidate(**{k: tuple(v) if isinstance(v, list) else v for k, v in c.items()}) for c in stored]
    candidates = extract_terms(documents, curated=curated)
    if cache is not None and key is not None:
        cache.remember(key, [asdict(c) for c in candidates])
    return candidates


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
    reference: str | os.PathLike[str] | None = None,
    scorers: tuple[str, ...] | None = None,
    cache: bool = True,
    quantization: str = "int8",
    glossaries: Sequence[str | os.PathLike[str]] = (),
    curated: bool = True,
    terms: bool = True,
    omegat: str | os.PathLike[str] | None = None,
    omegat_mt: str = "mt",
) -> RunSummary:
    """Segment and translate *paths*, writing ``OUTDIR/<stem>.{tmx,po,csv}`` for each.

    Every input is read and segmented, and the model resolved and verified,
    before any output is written; each output is written atomically.  A run
    that fails leaves no partial files.  *progress*, if given, is called with
    the number of segments to draft and returns a context manager yielding
    a callback (see :func:`tm_builder.progress.progress_bar`).

    With *reference* (the English translation of the single input), the
    sentences it covers are aligned and only the rest is drafted.  Drafts
    are kept in the draft cache (:mod:`tm_builder.store`) unless *cache* is
    false.

    The approved glossary (the curated one unless *curated* is false, plus
    the reviewed *glossaries*) is enforced in every draft and checked in
    aligned pairs.  With *terms*, the terms found in each document are
    written for review to ``OUTDIR/<stem>.glossary.csv``.

    With *omegat*, a ready OmegaT project is written there too (see
    :mod:`tm_builder.omegat`); *omegat_mt* says where machine drafts go
    (``mt``: offered as machine matches; ``auto``: inserted).
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
    if reference is not None and len(paths) != 1:
        raise InputError("--reference aligns one document with its translation: give exactly one input file")
    documents = [segment_file(p, lang=lang) for p in paths]
    aligned: DocumentAlignment | None = None
    if reference is not None:
        aligned = _align_checked(documents[0], segment_file(reference, lang="auto"), paths[0], reference, scorers)
    if engine != "none":
        english = [d.name for d in documents if d.lang != "zh"]
        if english:
            raise InputError(f"{english[0]}: looks like English; the zh->en engine needs Chinese (use --engine none to segment it)")
    if omegat is not None:
        check_project_dir(omegat, omegat_mt)
    known = load_glossary(glossaries, curated=curated)
    options = replace(options or DraftOptions(), terms=tuple((t.source, t.target) for t in known.enforced()))
    out = Path(outdir)
    suffixes = [*formats, *(["glossary.csv"] if terms else [])]
    _refuse_overwrite([out / f"{Path(p).stem}.{fmt}" for p in paths for fmt in suffixes], [*paths, *glossaries])
    started = time.perf_counter()
    drafter = load_engine(engine, model, options, quantization=quantization)  # resolves and verifies the model first
    _prepare_outdir(out)
    summary = RunSummary(engine=drafter.kind if drafter else "none", model=drafter.label if drafter else None)
    summary.load_seconds = time.perf_counter() - started
    signature = drafter.signature() if drafter else {"engine": "none"}

    if aligned is not None:
        summary.alignment = aligned
        signature = {**signature, "reference": aligned.alignment.signature.get("scorers", ""), "reference-document": os.path.basename(os.fspath(reference))}
    total = sum(len(d.segments) for d in documents) if drafter else 0
    if aligned is not None and drafter:
        total = sum(not u.target for u in aligned.units)
    bar = progress(total) if progress and drafter else nullcontext(None)
    store = DraftCache() if drafter is not None and cache else None
    before = len(store) if store is not None else 0
    results: list[list[TranslationUnit]] = []
    started = time.perf_counter()
    try:
        with bar as advance:
            for document in documents:
                if aligned is not None:
                    units = qa_aligned(aligned.units, known.enforced())
                    results.append(units if drafter is None else draft_units(units, drafter, advance, store))
                else:
                    results.append(translate_document(document, drafter, advance, store))
        if aligned is not None and drafter is not None:
            summary.scores, summary.scored = _score_against_reference(results[0], drafter, store)
        proposals = [
            glossary_terms([document], known, units=units, engine=drafter, cache=store) if terms else []
            for document, units in zip(documents, results)
        ]
    finally:
        if store is not None:
            summary.new_drafts = len(store) - before
            summary.reused_drafts = store.hits
            summary.cache_path = os.fspath(store.path)
            store.close()
    summary.seconds = time.perf_counter() - started

    for path, document, units, proposed in zip(paths, documents, results, proposals):
        header = MemoryHeader(srclang="zh-CN" if document.lang == "zh" else "en", tgtlang="en" if document.lang == "zh" else "zh-CN")
        header = header.with_properties(document=document.name, **signature)
        written = []
        for fmt in formats:
            target = out / f"{Path(path).stem}.{fmt}"
            WRITERS[fmt](units, target, header)
            written.append(os.fspath(target))
        if terms:
            write_glossary_csv(proposed, out / f"{Path(path).stem}.glossary.csv")
            written.append(os.fspath(out / f"{Path(path).stem}.glossary.csv"))
        if aligned is not None and (aligned.alignment.unaligned_src or aligned.alignment.unaligned_tgt):
            _write_unaligned(aligned, out / f"{Path(path).stem}.unaligned.csv")
            written.append(os.fspath(out / f"{Path(path).stem}.unaligned.csv"))
        kinds = Counter(s.kind.value for s in document.segments)
        summary.documents.append(
            DocumentReport(
                path=os.fspath(path), lang=document.lang, paragraphs=len(document.paragraphs),
                repaired=document.repaired, kinds=dict(sorted(kinds.items())), units=len(units), outputs=tuple(written),
                drafted=sum(u.origin is Origin.MT for u in units),
                flagged=sum(any(n.startswith("needs review") for n in u.notes) for u in units),
            )
        )
    if omegat is not None:
        header = MemoryHeader().with_properties(**signature)
        files = write_omegat_project(
            omegat, [(Path(p).stem, units) for p, units in zip(paths, results)], known, header=header, mt=omegat_mt
        )
        summary.omegat = (os.fspath(omegat), tuple(files))
    return summary


@dataclass
class AlignSummary:
    """What an ``align`` run did."""

    result: DocumentAlignment
    outputs: tuple[str, ...]
    seconds: float

    @property
    def pairs(self) -> int:
        return len(self.result.alignment.pairs)


def _write_links(alignment, path: Path) -> None:
    from .textio import atomic_write

    with atomic_write(path, newline="\n") as out:
        for bead in alignment.beads:
            out.write(bead.link() + "\n")


def _write_unaligned(result: DocumentAlignment, path: Path) -> None:
    from .textio import atomic_write

    with atomic_write(path, encoding="utf-8-sig", newline="") as out:
        import csv

        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["side", "paragraph", "index", "line", "text"])
        for i in result.alignment.unaligned_src:
            s = result.zh_segments[i]
            writer.writerow(["zh", s.paragraph, s.index, s.line, sheet_safe(s.text)])
        for j in result.alignment.unaligned_tgt:
            s = result.en_segments[j]
            writer.writerow(["en", s.paragraph, s.index, s.line, sheet_safe(s.text)])


def align_files(
    zh_path: str | os.PathLike[str],
    en_path: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    *,
    presegmented: bool = False,
    scorers: tuple[str, ...] | None = None,
    links: str | os.PathLike[str] | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> AlignSummary:
    """Align a Chinese document with its English translation and write the sentence pairs.

    Writes ``OUTDIR/<stem>.{tmx,po,csv}`` with the aligned pairs (origin
    ``aligned``, confidence as score) and, when any sentence found no
    counterpart, ``OUTDIR/<stem>.unaligned.csv`` listing them by side.
    *links* receives the beads in Vecalign's format (0-based segment indices).
    """
    read = lines_document if presegmented else segment_file
    zh_doc = read(zh_path, lang="auto")
    en_doc = read(en_path, lang="auto")
    started = time.perf_counter()
    result = _align_checked(zh_doc, en_doc, zh_path, en_path, scorers)
    seconds = time.perf_counter() - started
    out = Path(outdir)
    stem = Path(zh_path).stem
    _refuse_overwrite([out / f"{stem}.{fmt}" for fmt in formats] + ([Path(links)] if links else []), [zh_path, en_path])
    _prepare_outdir(out)
    header = MemoryHeader().with_properties(
        document=zh_doc.name, reference=en_doc.name, engine="align", **{f"align-{k}": v for k, v in result.alignment.signature.items()}
    )
    pairs = result.aligned_units
    written = []
    for fmt in formats:
        WRITERS[fmt](pairs, out / f"{stem}.{fmt}", header)
        written.append(os.fspath(out / f"{stem}.{fmt}"))
    unaligned = out / f"{stem}.unaligned.csv"
    if result.alignment.unaligned_src or result.alignment.unaligned_tgt:
        _write_unaligned(result, unaligned)
        written.append(os.fspath(unaligned))
    elif unaligned.exists():
        unaligned.unlink()  # stale from an earlier run
    if links:
        _write_links(result.alignment, Path(links))
        written.append(os.fspath(links))
    return AlignSummary(result, tuple(written), seconds)


@dataclass
class GlossarySummary:
    """What a ``glossary`` run did."""

    terms: list[Term]
    outputs: tuple[str, ...]
    drafted_with: str | None = None

    def count(self, status: Status) -> int:
        return sum(t.status is status for t in self.terms)


def glossary_files(
    paths: list[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None = None,
    merge_with: str | os.PathLike[str] | None = None,
    glossaries: Sequence[str | os.PathLike[str]] = (),
    curated: bool = True,
    engine: str = "auto",
    model: str | None = None,
    quantization: str = "int8",
    exports: Sequence[str | os.PathLike[str]] = (),
    lang: str = "auto",
) -> GlossarySummary:
    """Find the terms of *paths* and write a review glossary to *output* (and *exports*).

    With *reference* (the English translation of the single input), aligned
    pairs give renderings.  With *merge_with* (a reviewed file), every human
    decision in it is kept and new candidates are appended.  Terms without a
    rendering get a machine draft when a model is available: with
    ``engine="auto"`` and no model installed, they stay empty instead of
    failing the run.
    """
    from .formats.termbase import GLOSSARY_SUFFIXES, write_glossary
    from .models import ModelError

    if not paths:
        raise InputError("no input files given")
    if reference is not None and len(paths) != 1:
        raise InputError("--reference aligns one document with its translation: give exactly one input file")
    documents = [segment_file(p, lang=lang) for p in paths]
    english = [d.name for d in documents if d.lang != "zh"]
    if english:
        raise InputError(f"{english[0]}: looks like English; terms are extracted from Chinese documents")
    reviewed = read_glossary(merge_with) if merge_with is not None else Glossary()
    known = load_glossary(glossaries, curated=curated)
    for term in reviewed:
        known.add(term)
    units: list[TranslationUnit] = []
    if reference is not None:
        units = _align_checked(documents[0], segment_file(reference, lang="auto"), paths[0], reference, None).units
    targets = [Path(output), *map(Path, exports)]
    _refuse_overwrite(targets, [*paths, *glossaries, *([reference] if reference else [])])
    for target in targets:  # fail before the work, not after it
        if target.suffix.lower() not in GLOSSARY_SUFFIXES:
            raise OutputError(f"{target}: unknown glossary format; use {', '.join(GLOSSARY_SUFFIXES)}")
        if not target.resolve().parent.is_dir():
            raise OutputError(f"{target.parent}: no such directory")
    options = DraftOptions(terms=tuple((t.source, t.target) for t in known.enforced()))
    drafter: Engine | None = None
    if engine != "none":
        try:
            drafter = load_engine(engine, model, options, quantization=quantization)
        except ModelError:
            if engine != "auto" or model is not None:
                raise
    store = DraftCache() if drafter is not None else None
    try:
        proposed = glossary_terms(documents, known, units=units, engine=drafter, cache=store)
    finally:
        if store is not None:
            store.close()
    result = merge(reviewed, proposed)
    for target in targets:
        write_glossary(result, target)
    return GlossarySummary(list(result), tuple(os.fspath(t) for t in targets), drafter.label if drafter else None)

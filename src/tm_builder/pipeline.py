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
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .engines.base import Draft, DraftOptions, Engine
from .errors import InputError, OutputError
from .formats import WRITERS, MemoryHeader, needs_review
from .formats.base import check_language_tag
from .formats.alignment import write_links, write_unaligned
from .formats.source import write_source_text
from .formats.termbase import write_glossary_csv
from .glossary import Glossary, Term
from .inputs import Input, collect_inputs, pair_folders
from .memory import DEFAULT_THRESHOLD, Leverage, Matcher, Memory, leverage, remember
from .memory.store import AddCounts
from .progress import ProgressFactory
from .review import (
    TermRequest, approved_sources, candidates_key, glossary_terms, keep_decisions, load_glossary, qa_aligned, recall_candidates,
    remember_candidates, term_request,
)
from .formats.omegat import check_project_dir, write_omegat_project
from .report import write_html
from .score import ScoreReport, score
from .segment import lines_document, segment_file
from .store import DraftCache
from .terms import Candidate, extract_terms_of
from .textio import output_directory, output_set, refuse_overwrite, remove_output, writable_parent
from .translate import (
    DEVICES, Dispatch, LocalDispatch, document_units, draft_units, drafting_sources, load_engine, plan_drafts, reference_blanks,
    require_chinese, run_plan, score_on_reference,
)
from .units import Document, Origin, TranslationUnit
from .vocab import ENGINES

if TYPE_CHECKING:  # the aligner (and numpy) load only for runs that align
    from .align import DocumentAlignment

__all__ = [
    "AlignRun", "AlignSummary", "DocumentReport", "RunSummary", "TranslateOptions", "align_files", "align_folders", "score_files",
    "translate_files",
    "write_document_outputs",
]

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
    drafted: int = 0
    flagged: int = 0

    @classmethod
    def of(cls, path: str | os.PathLike[str], document: Document, units: Sequence[TranslationUnit],
           outputs: Sequence[str]) -> "DocumentReport":
        kinds = Counter(s.kind.value for s in document.segments)
        return cls(
            path=os.fspath(path), lang=document.lang, paragraphs=len(document.paragraphs), repaired=document.repaired,
            kinds=dict(sorted(kinds.items())), units=len(units), outputs=tuple(outputs),
            drafted=sum(u.origin is Origin.MT for u in units),
            flagged=sum(u.problem is not None for u in units),
        )


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
    #: with a memory: where it is, what its matches filled or showed, and what the run stored in it
    memory_path: str | None = None
    leverage: Leverage | None = None
    remembered: AddCounts | None = None
    #: engines that drafted at once, where (``one machine`` or the Ray cluster's address), and seconds per stage
    workers: int = 1
    where: str = "one machine"
    #: with Ray: the cluster nodes whose workers drafted, and the most memory one worker held (MiB)
    nodes: int = 0
    worker_peak_mib: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    def _total(self, name: str) -> int:
        return sum(getattr(d, name) for d in self.documents)

    #: totals over the documents
    paragraphs = property(lambda self: self._total("paragraphs"))
    repaired = property(lambda self: self._total("repaired"))
    units = property(lambda self: self._total("units"))
    drafted = property(lambda self: self._total("drafted"))
    flagged = property(lambda self: self._total("flagged"))

    @property
    def kinds(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for d in self.documents:
            total.update(d.kinds)
        return dict(sorted(total.items()))


@dataclass(frozen=True)
class TranslateOptions:
    """Everything a ``translate`` run can be asked, built once (the CLI builds it from its flags).

    ``engine``/``model``/``quantization``/``draft``: what drafts and how
    (:func:`tm_builder.translate.load_engine`); ``lang``: of the inputs;
    ``formats``: memories written per document; ``reference``: the English
    translation of the single input, whose aligned sentences are kept and
    only the rest drafted (``scorers``: the alignment evidence); ``cache``:
    use the draft cache; ``glossaries``/``curated``: the approved terms
    enforced in drafts and checked in aligned pairs; ``terms``: write the
    terms found to ``<stem>.glossary.csv``; ``omegat``/``omegat_mt``: also
    write an OmegaT project, machine drafts offered (``mt``) or inserted
    (``auto``); ``target_lang``: the BCP 47 tag the memories give the
    targets (``en-US``, ``en-GB``: Trados and memoQ match tags exactly);
    ``presegmented``: the inputs have one segment per line, used as they are
    (no layout repair, no sentence splitting, no ``.source.txt``);
    ``memory``: a project memory (:mod:`tm_builder.memory`) every segment is
    looked up in before drafting, fuzzy matches from ``fuzzy_threshold`` up
    shown, and the run's aligned pairs stored in afterwards;
    ``files_from``: a file listing more inputs, one path per line
    (:func:`tm_builder.inputs.collect_inputs`); ``ray``: draft on a Ray
    cluster (``"local"`` starts one here; else its address, ``auto`` or
    ``ray://host:port``) with ``workers`` engines (default: one per CPU of
    the cluster); ``device``: ``cpu``, ``cuda`` or ``auto`` for the engines.
    """

    engine: str = "auto"
    model: str | None = None
    quantization: str = "int8"
    draft: DraftOptions = DraftOptions()
    lang: str = "auto"
    formats: tuple[str, ...] = FORMATS
    reference: str | os.PathLike[str] | None = None
    scorers: tuple[str, ...] | None = None
    cache: bool = True
    glossaries: tuple[str | os.PathLike[str], ...] = ()
    curated: bool = True
    terms: bool = True
    omegat: str | os.PathLike[str] | None = None
    omegat_mt: str = "mt"
    target_lang: str = "en"
    presegmented: bool = False
    memory: str | os.PathLike[str] | None = None
    fuzzy_threshold: int = DEFAULT_THRESHOLD
    files_from: str | os.PathLike[str] | None = None
    ray: str | None = None
    workers: int | None = None
    device: str = "cpu"

    def suffixes(self) -> list[str]:
        """What is written per document."""
        return [*memory_suffixes(self.formats), *(["glossary.csv"] if self.terms else [])]


def memory_suffixes(formats: Sequence[str]) -> list[str]:
    """The files a document's memories take: machine drafts apart in ``mt.tmx``, repaired memory matches in
    ``fuzzy.tmx``, and the document for CAT tools."""
    return [s for fmt in formats for s in ([fmt, "mt.tmx", "fuzzy.tmx"] if fmt == "tmx" else [fmt])] + ["source.txt"]


def _unconfirmed_tm(unit: TranslationUnit) -> bool:
    """A project-memory match that fills a unit unconfirmed (a repaired fuzzy match)."""
    return unit.origin is Origin.TM and needs_review(unit)


def write_memories(stem: Path, document: Document | None, units: Sequence[TranslationUnit], formats: Sequence[str],
                   header: MemoryHeader) -> list[str]:
    """``<stem>.<format>`` for each format, drafts in ``<stem>.mt.tmx``, and ``<stem>.source.txt``.

    A CAT tool shows every unit of a TMX in ``tm/`` as a translation
    memory match, so machine drafts go to a file of their own that users
    load as machine translation (a penalty folder, a separate TM), and so
    do memory matches repaired unconfirmed (``fuzzy.tmx``); PO and CSV keep
    every unit, marked, since their reviewers see the origin.
    """
    written = []
    for suffix in memory_suffixes(formats):
        path = stem.with_name(f"{stem.name}.{suffix}")
        if suffix == "source.txt":
            if document is None:
                if path.exists():
                    remove_output(path)  # stale from an earlier run
                continue
            write_source_text(document, path)
        elif suffix in ("mt.tmx", "fuzzy.tmx"):
            apart = [u for u in units if (u.origin is Origin.MT if suffix == "mt.tmx" else _unconfirmed_tm(u))]
            if not apart:
                if path.exists():
                    remove_output(path)  # stale from an earlier run
                continue
            WRITERS["tmx"](apart, path, header)
        elif suffix == "tmx":
            WRITERS["tmx"]([u for u in units if u.origin is not Origin.MT and not _unconfirmed_tm(u)], path, header)
        else:
            WRITERS[suffix](list(units), path, header)
        written.append(os.fspath(path))
    return written


def translate_files(
    paths: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    options: TranslateOptions | None = None,
    *,
    progress: ProgressFactory | None = None,
    term_progress: ProgressFactory | None = None,
) -> RunSummary:
    """Segment and translate *paths*, writing ``OUTDIR/<name>.{tmx,po,csv}`` for each (see :class:`TranslateOptions`).

    *paths* are files or folders (an archive: see :mod:`tm_builder.inputs`).
    Every input is read and segmented, and the model resolved and verified,
    before any output is written.  The archive's distinct segments are
    drafted once each, in the same chunks on one machine and on a cluster
    (:func:`tm_builder.translate.plan_drafts`), and each document's files
    are written together, atomically, as soon as its drafts are done: an
    interrupted run keeps the finished documents, and a re-run takes the
    drafts made so far from the cache.  *progress*, if given, is called
    with the number of segments to draft and returns a context manager
    yielding a callback (see :func:`tm_builder.progress.progress_bar`).
    """
    o = options or TranslateOptions()
    clock = time.perf_counter()
    inputs = collect_inputs(paths, o.files_from)
    out = Path(outdir)
    documents, known, aligned = _read_and_check(inputs, o, out)
    stages = {"segment": time.perf_counter() - clock}
    started = time.perf_counter()
    draft = replace(o.draft, terms=known.pairs())
    # With Ray the engines run on the workers; this one verifies the model first and signs the drafts.
    drafter = load_engine(o.engine, o.model, draft, quantization=o.quantization, device="cpu" if o.ray else o.device)
    memory = Memory(o.memory) if o.memory is not None else None  # a foreign or damaged file is refused here
    try:
        with output_directory(out), _dispatch(o, drafter) as dispatch:
            summary = RunSummary(engine=drafter.kind if drafter else "none", model=drafter.label if drafter else None,
                                 alignment=aligned, load_seconds=time.perf_counter() - started, workers=dispatch.workers,
                                 where=o.ray and getattr(dispatch, "address", o.ray) or "one machine", stages=stages)
            run = _Run(inputs, documents, aligned, known, drafter, dispatch, o, out, summary)
            results = run.go(progress, term_progress, memory)
            summary.nodes = len(getattr(dispatch, "nodes", ()))
            summary.worker_peak_mib = getattr(dispatch, "peak_kib", 0) / 1024
            if o.omegat is not None:
                files = write_omegat_project(o.omegat, [(i.name, u) for i, u in zip(inputs, results)], known,
                                             header=MemoryHeader(tgtlang=o.target_lang).with_properties(**run.signature),
                                             mt=o.omegat_mt, target_lang=o.target_lang)
                summary.omegat = (os.fspath(o.omegat), tuple(files))
        if memory is not None and aligned is not None:
            summary.remembered = remember(memory, results[0], os.fspath(o.reference))
        return summary
    finally:
        if memory is not None:
            memory.close()


def _read_and_check(inputs: Sequence[Input], o: TranslateOptions,
                    out: Path) -> tuple[list[Document], Glossary, DocumentAlignment | None]:
    """Every input segmented, the glossary loaded, the reference aligned, and every output checked, before any work."""
    _check_request(inputs, o)
    read = lines_document if o.presegmented else segment_file
    documents = [read(i.path, lang=o.lang) for i in inputs]
    known = load_glossary(o.glossaries, curated=o.curated)
    aligned = None
    if o.reference is not None:
        names = (os.fspath(inputs[0].path), os.fspath(o.reference))
        from .align import align_translation

        aligned = align_translation(documents[0], segment_file(o.reference, lang="auto"), o.scorers, names=names,
                                    terms=known.pairs())
    if o.engine != "none":
        require_chinese(documents)
    if o.omegat is not None:
        check_project_dir(o.omegat, o.omegat_mt)
    refuse_overwrite([out / f"{i.name}.{fmt}" for i in inputs for fmt in o.suffixes()], [*(i.path for i in inputs), *o.glossaries])
    if o.terms:
        keep_decisions([out / f"{i.name}.glossary.csv" for i in inputs],
                       hint="pass it with --glossary to apply them and move it out of the output directory, or add --no-terms")
    return documents, known, aligned


def _dispatch(o: TranslateOptions, drafter: Engine | None) -> AbstractContextManager[Dispatch]:
    """Where the drafting runs: this process, or a Ray cluster (imported only when asked for)."""
    if o.ray is None:
        return nullcontext(LocalDispatch(drafter))
    try:
        from .cluster import RayDispatch
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("ray"):
            raise
        raise InputError("--ray needs Ray: pip install 'tm-builder[cluster]'") from None
    return RayDispatch(None if o.ray == "local" else o.ray, drafter, workers=o.workers, device=o.device)


class _Run:
    """One ``translate`` run after its checks: prepare every document, plan the drafting, finish documents as their drafts arrive."""

    def __init__(self, inputs: Sequence[Input], documents: Sequence[Document], aligned: DocumentAlignment | None,
                 known: Glossary, drafter: Engine | None, dispatch: Dispatch, o: TranslateOptions, out: Path,
                 summary: RunSummary) -> None:
        self.inputs, self.documents, self.aligned, self.known = inputs, documents, aligned, known
        self.drafter, self.dispatch, self.o, self.out, self.summary = drafter, dispatch, o, out, summary
        self.signature = drafter.signature() if drafter else {"engine": "none"}
        if aligned is not None:
            self.signature |= {"reference": aligned.alignment.signature.get("scorers", ""),
                               "reference-document": os.path.basename(os.fspath(o.reference))}
        self.reports: dict[int, DocumentReport] = {}
        self.results: dict[int, list[TranslationUnit]] = {}
        self.drafts: dict[str, Draft] = {}
        self.users: Counter[str] = Counter()

    def go(self, progress: ProgressFactory | None, term_progress: ProgressFactory | None,
           memory: Memory | None) -> list[list[TranslationUnit]]:
        """Every document finished and written; the units of each (kept for an OmegaT project or a memory)."""
        o, summary = self.o, self.summary
        self.prepared = self._prepare(memory)
        store = self._cache()
        before = len(store) if store is not None else 0
        try:
            clock = time.perf_counter()
            self.terms = self._term_requests(store, term_progress) if o.terms else [None] * len(self.documents)
            summary.stages["terms"] = time.perf_counter() - clock
            self._draft(store, progress)
        finally:
            if store is not None:
                if self.drafter is not None:
                    summary.new_drafts, summary.reused_drafts = len(store) - before, store.hits
                    summary.cache_path = os.fspath(store.path)
                store.close()
        summary.documents = [self.reports[d] for d in range(len(self.documents))]
        return [self.results.get(d, []) for d in range(len(self.documents))]

    def _cache(self) -> DraftCache | None:
        """The draft cache; without a model it only spares a re-run the term extraction, so one that
        cannot be opened (``TM_BUILDER_CACHE=/dev/null``, a read-only disk) is done without."""
        if not self.o.cache or (self.drafter is None and not self.o.terms):
            return None
        if self.drafter is not None:
            return DraftCache()
        try:
            return DraftCache()
        except OutputError:
            return None  # an optional speed-up: the run is the same without it

    def _prepare(self, memory: Memory | None) -> list[list[TranslationUnit]]:
        """Every document's units before drafting: aligned pairs checked, memory matches filled."""
        prepared = [qa_aligned(self.aligned.units, self.known.enforced())] if self.aligned else [
            document_units(d) for d in self.documents]
        if memory is not None:
            matcher = Matcher(memory, self.o.fuzzy_threshold)
            self.summary.leverage, self.summary.memory_path = Leverage(), os.fspath(memory.path)
            prepared = [leverage(units, matcher, self.known.enforced(), self.summary.leverage) for units in prepared]
        return prepared

    def _term_requests(self, store: DraftCache | None, term_progress: ProgressFactory | None) -> list[TermRequest]:
        """Each document's term candidates: from the cache, else extracted (on the workers, with Ray)."""
        approved = tuple(approved_sources(self.known))  # sorted once, not once per document
        keys = [candidates_key([d], approved) for d in self.documents]
        found: dict[int, list[Candidate]] = {}
        if store is not None:
            found = {i: c for i, k in enumerate(keys) for c in [recall_candidates(store, k)] if c is not None}
        todo = [i for i in range(len(self.documents)) if i not in found]
        steps = 2 * sum(len(self.documents[i].segments) for i in todo)
        bar = term_progress(steps) if term_progress and todo else nullcontext(None)
        with bar as advance:
            done = (lambda i: advance(2 * len(self.documents[todo[i]].segments))) if advance else None
            fresh = self.dispatch.map(partial(extract_terms_of, curated=approved),
                                      [self.documents[i] for i in todo], done)
        for i, candidates in zip(todo, fresh):
            found[i] = candidates
            if store is not None:
                remember_candidates(store, keys[i], candidates)
        return [term_request([d], self.known, found[i], units=u) for i, (d, u) in enumerate(zip(self.documents, self.prepared))]

    def _requests(self) -> list[list[str]]:
        """The sources each document needs drafted: its segments, its open terms, and with a reference the aligned sentences."""
        glossary = self.drafter.glossary if self.drafter else None
        requests = []
        for d, units in enumerate(self.prepared):
            sources = drafting_sources(units, glossary)
            if self.terms[d] is not None:
                sources += drafting_sources([TranslationUnit(source=s) for s in self.terms[d].need], glossary)
            if self.aligned is not None:
                sources += drafting_sources(reference_blanks(units), glossary)
            requests.append(list(dict.fromkeys(sources)))
        return requests

    def _draft(self, store: DraftCache | None, progress: ProgressFactory | None) -> None:
        """Draft the plan on the dispatch and finish each document once the chunks it waits for are in."""
        if self.drafter is None:
            for d in range(len(self.documents)):
                self._finish(d)
            self.summary.stages["draft"] = 0.0
            return
        clock, writing = time.perf_counter(), self.summary.stages.setdefault("write", 0.0)
        requests = self._requests()
        plan = plan_drafts(requests, self.drafter, store)
        self.drafts = dict(plan.known)
        self.users = Counter(s for r in requests for s in r)
        self.requests = requests
        waiting: dict[int, list[int]] = {}
        for d, chunks in enumerate(plan.waits):
            for c in chunks:
                waiting.setdefault(c, []).append(d)
        left = [len(w) for w in plan.waits]
        bar = progress(plan.size) if progress and plan.size else nullcontext(None)
        with bar as advance:
            note = getattr(advance, "note", None)
            for d in range(len(self.documents)):
                if not left[d]:
                    self._finish(d, note)
            for index, fresh in run_plan(plan, self.dispatch, store):
                self.drafts.update(fresh)
                if advance:
                    advance(len(fresh))
                for d in waiting.get(index, ()):
                    left[d] -= 1
                    if not left[d]:
                        self._finish(d, note)
        self.summary.stages["draft"] = time.perf_counter() - clock - (self.summary.stages["write"] - writing)
        self.summary.seconds = self.summary.stages["draft"]

    def _finish(self, d: int, note: Callable[[str], None] | None = None) -> None:
        """Document *d*'s units from the drafts, its proposed terms, and its files, written together."""
        clock = time.perf_counter()
        o, drafter, document = self.o, self.drafter, self.documents[d]
        units = draft_units(self.prepared[d], drafter, known=self.drafts) if drafter else self.prepared[d]
        if self.aligned is not None and drafter is not None:
            self.summary.scores, self.summary.scored = score_on_reference(units, drafter, known=self.drafts)
        proposed = glossary_terms([document], self.known, units=units, engine=drafter, request=self.terms[d],
                                  drafts=self.drafts) if o.terms else None
        stem = self.out / self.inputs[d].name
        stem.parent.mkdir(parents=True, exist_ok=True)
        with output_set():  # the document's files appear together, or none of them
            written = write_document_outputs(stem, document, units, o.formats, self.signature, proposed, self.aligned,
                                             target_lang=o.target_lang, source_text=not o.presegmented)
        self.reports[d] = DocumentReport.of(self.inputs[d].path, document, units, written)
        if o.omegat is not None or self.aligned is not None:
            self.results[d] = units
        for source in self.requests[d] if drafter else ():
            self.users[source] -= 1
            if not self.users[source]:
                self.drafts.pop(source, None)  # no document left needs it: an archive's drafts are not all held at once
        if note:
            note(f"{len(self.reports)}/{len(self.documents)} documents")
        self.summary.stages["write"] = self.summary.stages.get("write", 0.0) + time.perf_counter() - clock


def _check_request(inputs: Sequence[Input], o: TranslateOptions) -> None:
    """What can be refused before reading anything: unknown names, impossible combinations."""
    if o.engine not in ENGINES:
        raise InputError(f"unknown engine {o.engine!r}; available: {', '.join(ENGINES)}")
    unknown = [f for f in o.formats if f not in WRITERS]
    if unknown:
        raise InputError(f"unknown output format(s) {', '.join(unknown)}; available: {', '.join(WRITERS)}")
    if o.reference is not None and len(inputs) != 1:
        raise InputError("a reference translation aligns with one document: give exactly one input file")
    check_language_tag(o.target_lang)
    if not 0 < o.fuzzy_threshold <= 100:
        raise InputError(f"fuzzy threshold {o.fuzzy_threshold}: give a percentage from 1 to 100")
    if o.device not in DEVICES:
        raise InputError(f"unknown device {o.device!r}; use one of {', '.join(DEVICES)}")
    if o.workers is not None and (o.workers < 1 or o.ray is None):
        raise InputError("--workers counts the Ray workers that draft: add --ray" if o.workers >= 1
                         else f"--workers {o.workers}: give at least 1")


def write_document_outputs(
    stem: Path, document: Document, units: list[TranslationUnit], formats: Sequence[str], signature: dict[str, str],
    proposed: list[Term] | None = None, aligned: DocumentAlignment | None = None, *, target_lang: str = "en",
    source_text: bool = True,
) -> list[str]:
    """One document's memories (:func:`write_memories`), its proposed glossary and what found no counterpart.

    *source_text*: also the document as CAT tools should read it (not for presegmented input, whose lines are the file).
    """
    zh = document.lang == "zh"
    header = MemoryHeader(srclang="zh-CN" if zh else target_lang, tgtlang=target_lang if zh else "zh-CN")
    header = header.with_properties(document=document.name, **signature)
    written = write_memories(stem, document if source_text else None, units, formats, header)
    if proposed is not None:
        write_glossary_csv(proposed, stem.with_name(f"{stem.name}.glossary.csv"))
        written.append(os.fspath(stem.with_name(f"{stem.name}.glossary.csv")))
    if aligned is not None and (aligned.alignment.unaligned_src or aligned.alignment.unaligned_tgt):
        write_unaligned(aligned, stem.with_name(f"{stem.name}.unaligned.csv"))
        written.append(os.fspath(stem.with_name(f"{stem.name}.unaligned.csv")))
    return written


@dataclass
class AlignSummary:
    """What an ``align`` run did."""

    result: DocumentAlignment
    outputs: tuple[str, ...]
    seconds: float
    #: with a memory: what the aligned pairs added to it
    remembered: AddCounts | None = None

    @property
    def pairs(self) -> int:
        return len(self.result.alignment.pairs)


def align_files(
    zh_path: str | os.PathLike[str],
    en_path: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    *,
    presegmented: bool = False,
    scorers: tuple[str, ...] | None = None,
    links: str | os.PathLike[str] | None = None,
    formats: tuple[str, ...] = FORMATS,
    target_lang: str = "en",
    glossaries: Sequence[str | os.PathLike[str]] = (),
    curated: bool = True,
    memory: str | os.PathLike[str] | None = None,
) -> AlignSummary:
    """Align a Chinese document with its English translation and write the sentence pairs.

    Writes ``OUTDIR/<stem>.{tmx,po,csv}`` with the aligned pairs (origin
    ``aligned``, confidence as score) and, when any sentence found no
    counterpart, ``OUTDIR/<stem>.unaligned.csv`` listing them by side.
    *links* receives the beads in Vecalign's format (0-based segment indices);
    *target_lang* is the English side's BCP 47 tag in the memories; the
    approved terms (the curated glossary unless *curated* is false, and
    *glossaries*) are dictionary evidence for the aligner.  Also
    writes ``OUTDIR/<stem>.source.txt``, the Chinese laid out for CAT tools.
    With *memory*, the aligned pairs are also stored in that project memory.
    """
    check_language_tag(target_lang)
    store = Memory(memory) if memory is not None else None  # refused before the work if unusable
    try:
        terms = load_glossary(glossaries, curated=curated).pairs()
        summary = _align(zh_path, en_path, outdir, Path(zh_path).stem, presegmented, scorers, links, formats, target_lang, terms)
        if store is not None:
            summary.remembered = remember(store, summary.result.aligned_units, os.fspath(en_path))
        return summary
    finally:
        if store is not None:
            store.close()


@dataclass
class AlignRun:
    """What an ``align`` run over two folders did: one summary per document pair."""

    summaries: list[AlignSummary]
    seconds: float
    #: the (Chinese, English) files of each summary
    documents: list[tuple[Path, Path]] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return sum(s.pairs for s in self.summaries)

    @property
    def sentences(self) -> int:
        """Sentences read on both sides."""
        return sum(len(s.result.zh_segments) + len(s.result.en_segments) for s in self.summaries)


def align_folders(
    zh_folder: str | os.PathLike[str],
    en_folder: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    *,
    presegmented: bool = False,
    scorers: tuple[str, ...] | None = None,
    formats: tuple[str, ...] = FORMATS,
    target_lang: str = "en",
    glossaries: Sequence[str | os.PathLike[str]] = (),
    curated: bool = True,
    memory: str | os.PathLike[str] | None = None,
    progress: ProgressFactory | None = None,
) -> AlignRun:
    """Align every document of *zh_folder* with its translation in *en_folder* (same relative path).

    Outputs keep the folders' layout (``zh/2019/0101.txt`` writes
    ``OUTDIR/2019/0101.*``), each pair's files written together as soon as
    it is aligned, so an interrupted run keeps the pairs it finished.  The
    glossary and the dictionary are loaded once for the whole run: aligning
    many short documents costs what aligning one long one does.
    """
    check_language_tag(target_lang)
    pairs = pair_folders(zh_folder, en_folder)
    store = Memory(memory) if memory is not None else None
    started = time.perf_counter()
    summaries = []
    try:
        terms = load_glossary(glossaries, curated=curated).pairs()
        read = lines_document if presegmented else segment_file
        documents = [(read(item.path, lang="auto"), read(en_path, lang="auto")) for item, en_path in pairs]  # bad input: before any work
        with progress(len(pairs)) if progress else nullcontext(lambda n: None) as advance:
            for (item, en_path), docs in zip(pairs, documents):
                summary = _align(item.path, en_path, outdir, item.name, presegmented, scorers, None, formats, target_lang, terms,
                                 docs)
                if store is not None:
                    summary.remembered = remember(store, summary.result.aligned_units, os.fspath(en_path))
                summaries.append(summary)
                advance(1)
    finally:
        if store is not None:
            store.close()
    return AlignRun(summaries, time.perf_counter() - started, [(item.path, en) for item, en in pairs])


def _align(zh_path: str | os.PathLike[str], en_path: str | os.PathLike[str], outdir: str | os.PathLike[str], stem: str,
           presegmented: bool, scorers: tuple[str, ...] | None, links: str | os.PathLike[str] | None, formats: tuple[str, ...],
           target_lang: str, terms: Sequence[tuple[str, str]], documents: tuple[Document, Document] | None = None) -> AlignSummary:
    """One pair aligned and written to ``OUTDIR/<stem>.*`` (*stem* may hold folders), without the memory.

    *documents*: the pair already read, else it is read here.
    """
    read = lines_document if presegmented else segment_file
    zh_doc, en_doc = documents or (read(zh_path, lang="auto"), read(en_path, lang="auto"))
    started = time.perf_counter()
    from .align import align_translation

    result = align_translation(zh_doc, en_doc, scorers, names=(os.fspath(zh_path), os.fspath(en_path)), terms=terms)
    seconds = time.perf_counter() - started
    out = Path(outdir)
    suffixes = memory_suffixes(formats)
    refuse_overwrite([out / f"{stem}.{s}" for s in suffixes] + ([Path(links)] if links else []), [zh_path, en_path])
    if links:
        writable_parent(links)
    with output_directory(out), output_set():
        (out / stem).parent.mkdir(parents=True, exist_ok=True)
        header = MemoryHeader(tgtlang=target_lang).with_properties(
            document=zh_doc.name, reference=en_doc.name, engine="align", **{f"align-{k}": v for k, v in result.alignment.signature.items()}
        )
        written = write_memories(out / stem, None if presegmented else zh_doc, result.aligned_units, formats, header)
        unaligned = out / f"{stem}.unaligned.csv"
        if result.alignment.unaligned_src or result.alignment.unaligned_tgt:
            write_unaligned(result, unaligned)
            written.append(os.fspath(unaligned))
        elif unaligned.exists():
            remove_output(unaligned)  # stale from an earlier run
        if links:
            write_links(result.alignment, Path(links))
            written.append(os.fspath(links))
        return AlignSummary(result, tuple(written), seconds)


def score_files(
    hypothesis: str | os.PathLike[str],
    reference: str | os.PathLike[str],
    *,
    metrics: Sequence[str] = ("bleu", "chrf"),
    glossaries: Sequence[str | os.PathLike[str]] = (),
    curated: bool = True,
    source: str | os.PathLike[str] | None = None,
    compare: str | os.PathLike[str] | None = None,
    target_lang: str = "en",
    bootstrap: int = 0,
    html: str | os.PathLike[str] | None = None,
) -> ScoreReport:
    """Score drafts against a reference and check the approved terms: the ``tm-builder score`` command.

    The terms checked are the curated glossary (unless *curated* is false)
    with the reviewed *glossaries* on top; *html* also writes the
    self-contained review page.  See :func:`tm_builder.score.score`.
    """
    known = load_glossary(glossaries, curated=curated).enforced()
    report = score(hypothesis, reference, metrics=metrics, glossary=known, source=source, compare=compare,
                   target_lang=target_lang, bootstrap=bootstrap)
    if html is not None:
        write_html(report, html)
    return report

"""Drafting: choose and load an engine, and turn drafts into translation units.

The engine itself (batching, long-segment splitting, degenerate-output
handling) lives in :mod:`tm_builder.engines`; model resolution and
verification in :mod:`tm_builder.models`.  This module joins them to the
data model: every translatable segment becomes a unit with origin ``mt``,
the model's name and revision, its confidence and any reviewer notes.
"""

from __future__ import annotations

import json
from collections import Counter
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from .engines.base import Draft, DraftOptions, Engine
from .errors import InputError
from .glossary import Glossary, check_terms, exact_rendering
from .models import resolve_model
from .store import DraftCache, signature_key
from .units import Document, Origin, TranslationUnit
from .vocab import DEVICES, ENGINES

if TYPE_CHECKING:
    from .score import MetricScore

T = TypeVar("T")
R = TypeVar("R")

__all__ = [
    "CHUNK", "DEVICES", "ENGINES", "Dispatch", "DraftOptions", "DraftPlan", "LocalDispatch", "document_units", "draft_units",
    "drafting_sources", "load_engine", "plan_drafts", "require_chinese", "run_plan", "score_on_reference", "translate_document",
]


#: distinct sources one engine call drafts: what a worker takes at a time, and what an interrupted run keeps
CHUNK = 256
#: distinct new sources planned together, sorted by length so that batches pad little; documents finish wave by wave
WAVE = 16 * CHUNK


def ct2_available() -> bool:
    """Is CTranslate2 installed (the fast engine)?"""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def load_engine(
    engine: str = "auto", model: str | None = None, options: DraftOptions | None = None, *, quantization: str = "int8",
    threads: int | None = None, device: str = "cpu",
) -> Engine | None:
    """Resolve the model and load *engine* (``None`` for ``engine="none"``).

    ``auto`` is CTranslate2 when it is installed, else transformers.
    Resolution and verification happen before anything heavy is imported, so
    a missing or corrupted model fails fast with a one-line error.
    *threads*: CPU threads (default: the cores this process may use);
    *device*: ``cpu``, ``cuda`` or ``auto`` (a GPU when the engine sees one).
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
    if engine == "none":
        return None
    if engine == "ct2" and not ct2_available():
        raise InputError("the ct2 engine needs CTranslate2: pip install ctranslate2, or use the marian engine")
    if device not in DEVICES:
        raise InputError(f"unknown device {device!r}; use one of {', '.join(DEVICES)}")
    resolved = resolve_model(model)
    if engine == "ct2" or (engine == "auto" and ct2_available()):
        from .engines.ct2 import Ct2Engine

        return Ct2Engine(resolved.path, options, label=resolved.label, quantization=quantization, threads=threads,
                         device=_device(device, "ct2"))
    from .engines.marian import MarianEngine

    return MarianEngine(resolved.path, options, label=resolved.label, threads=threads, device=_device(device, "marian"))


def _device(device: str, kind: str) -> str:
    """``cpu`` or ``cuda``: *device* with ``auto`` decided, and ``cuda`` refused where the engine sees no GPU."""
    if device == "cpu":
        return device
    if kind == "ct2":
        import ctranslate2

        gpus = ctranslate2.get_cuda_device_count()
    else:
        import torch

        gpus = torch.cuda.device_count()
    if gpus == 0 and device == "cuda":
        raise InputError(f"--device cuda: the {kind} engine sees no CUDA GPU here; use --device cpu or auto")
    return "cuda" if gpus else "cpu"


def drafting_sources(units: Sequence[TranslationUnit], glossary: Glossary | None) -> list[str]:
    """The sources among *units* that need the model: no target yet, and not wholly an approved term."""
    return [u.source for u in units if not u.target and (not glossary or exact_rendering(u.source, glossary) is None)]


def draft_units(
    units: Sequence[TranslationUnit],
    engine: Engine,
    progress: Callable[[int], None] | None = None,
    cache: DraftCache | None = None,
    chunk: int = CHUNK,
    known: Mapping[str, Draft] | None = None,
) -> list[TranslationUnit]:
    """Fill the targets of *units* with machine drafts, keeping their order.

    Units that already have a target (aligned, from a memory) are left alone.
    Identical sources are drafted once; with a *cache*, drafts already known
    for this engine signature are reused, and new ones are stored every
    *chunk* segments, so an interrupted run resumes where it stopped.
    *known* holds drafts this run already made (:func:`plan_drafts`).
    *progress* is advanced by units done.
    """
    glossary = engine.glossary
    out = list(units)
    todo: list[int] = []
    for i, u in enumerate(units):
        if u.target:
            continue
        # A segment that is an approved term (a speaker label, a heading) is the glossary's, not the model's.
        exact = exact_rendering(u.source, glossary) if glossary else None
        if exact is None:
            todo.append(i)
        else:
            out[i] = replace(u, target=exact, origin=Origin.GLOSSARY, score=None, model=None,
                             terms=check_terms(u.source, exact, glossary))
    per_source = Counter(units[i].source for i in todo)
    advance = progress or (lambda n: None)
    advance(sum(not u.target for u in units) - len(todo))  # the glossary's
    drafts = {s: known[s] for s in per_source if s in known} if known else {}
    missing = [s for s in per_source if s not in drafts]
    if missing:  # a planned run has them all already: no signature, no lookups
        plan = plan_drafts([missing], engine, cache, chunk=chunk)
        drafts.update(plan.known)
        advance(sum(per_source[s] for s in plan.known))
        for _, fresh in run_plan(plan, LocalDispatch(engine), cache):
            drafts.update(fresh)
            advance(sum(per_source[s] for s in fresh))
    advance(sum(per_source[s] for s in per_source if known and s in known))
    for i in todo:
        draft = drafts[units[i].source]
        notes = units[i].notes + draft.notes
        checks = check_terms(units[i].source, draft.text, glossary) if glossary else ()
        if not draft.text:
            out[i] = replace(units[i], notes=notes + ("the model produced no output",), terms=checks, problem=draft.problem)
            continue
        out[i] = replace(
            units[i], target=draft.text, origin=Origin.MT, score=draft.score, model=engine.label, notes=notes, terms=checks,
            problem=draft.problem,
        )
    return out


class Dispatch(ABC):
    """Where the planned drafting runs: in this process (:class:`LocalDispatch`) or on Ray workers (:mod:`tm_builder.cluster`).

    Every dispatcher drafts the same chunks with the same engine settings, so
    the drafts, and every file made from them, do not depend on where they ran.
    """

    #: engines drafting at once
    workers: int = 1

    @abstractmethod
    def drafts(self, chunks: Sequence[Sequence[str]]) -> Iterator[tuple[int, list[Draft]]]:
        """Draft every chunk in one engine call each; yield ``(index, drafts in order)`` as chunks finish, in any order."""

    def map(self, fn: Callable[[T], R], items: Sequence[T], done: Callable[[int], None] | None = None) -> list[R]:
        """``fn`` over *items* (per-document work), results in order; *done* is called with each finished item's index."""
        out = []
        for i, item in enumerate(items):
            out.append(fn(item))
            if done:
                done(i)
        return out


class LocalDispatch(Dispatch):
    """Draft in this process, chunk after chunk, with one loaded engine."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine

    def drafts(self, chunks: Sequence[Sequence[str]]) -> Iterator[tuple[int, list[Draft]]]:
        if chunks and self.engine is None:
            raise ValueError("no engine to draft with")
        for i, part in enumerate(chunks):
            yield i, self.engine.translate(list(part))  # type: ignore[union-attr]


@dataclass
class DraftPlan:
    """A run's drafting, decided before any engine call: the same on one machine and on a cluster.

    Drafts already in the cache are *known*.  Every other source is drafted
    once, however many documents repeat it, in *chunks* of one engine call
    each, made wave by wave: the sources new in a wave of documents, sorted
    by length (batches pad little), cut into chunks.  *waits* holds, per
    request (a document), the chunks it needs; *keys* the cache key of each
    source (a draft depends on the approved terms in its own source).
    """

    known: dict[str, Draft]
    chunks: list[list[str]]
    waits: list[set[int]]
    keys: dict[str, str]

    @property
    def size(self) -> int:
        """Sources to draft."""
        return sum(len(c) for c in self.chunks)


def plan_drafts(requests: Sequence[Sequence[str]], engine: Engine, cache: DraftCache | None = None, *,
                chunk: int = CHUNK, wave: int = WAVE) -> DraftPlan:
    """Plan the drafting of every request's sources (see :class:`DraftPlan`)."""
    base = signature(engine)
    keys = {source: _draft_key(base, source, engine.glossary) for request in requests for source in request}
    known: dict[str, Draft] = {}
    if cache is not None:
        by_key: dict[str, list[str]] = {}
        for source, key in keys.items():
            by_key.setdefault(key, []).append(source)
        for key, sources in by_key.items():
            known.update(cache.get(key, sources))
    plan = DraftPlan(known, [], [set() for _ in requests], keys)
    where: dict[str, int] = {}  # source -> its chunk
    pending: list[str] = []
    members: list[int] = []

    def close_wave() -> None:
        ordered = sorted(pending, key=len)  # stable: equal lengths keep their first appearance
        for start in range(0, len(ordered), chunk):
            for source in ordered[start:start + chunk]:
                where[source] = len(plan.chunks)
            plan.chunks.append(ordered[start:start + chunk])
        for r in members:
            plan.waits[r] = {where[s] for s in requests[r] if s in where}
        pending.clear()
        members.clear()

    seen: set[str] = set()
    for r, request in enumerate(requests):
        for source in request:
            if source not in known and source not in seen:
                seen.add(source)
                pending.append(source)
        members.append(r)
        if len(pending) >= wave:
            close_wave()
    close_wave()
    return plan


def run_plan(plan: DraftPlan, dispatch: Dispatch, cache: DraftCache | None = None) -> Iterator[tuple[int, dict[str, Draft]]]:
    """Draft the plan's chunks on *dispatch*, storing each in the cache as it finishes; yield ``(chunk, drafts)``."""
    for index, drafts in dispatch.drafts(plan.chunks):
        fresh = dict(zip(plan.chunks[index], drafts))
        if cache is not None:
            by_key: dict[str, dict[str, Draft]] = {}
            for source, draft in fresh.items():
                by_key.setdefault(plan.keys[source], {})[source] = draft
            for key, part in by_key.items():
                cache.put(key, part)
        yield index, fresh


def document_units(document: Document) -> list[TranslationUnit]:
    """One unit per segment of *document*, in order, targets empty (speaker labels, headings and bylines included)."""
    return [TranslationUnit.from_segment(s) for s in document.segments]


def require_chinese(documents: Sequence[Document]) -> None:
    """The zh->en engine drafts Chinese: refuse an English input before any model is loaded."""
    english = [d.name for d in documents if d.lang != "zh"]
    if english:
        raise InputError(f"{english[0]}: looks like English; the zh->en engine needs Chinese (engine 'none' segments it without drafting)")


def translate_document(
    document: Document, engine: Engine | None = None, progress: Callable[[int], None] | None = None,
    cache: DraftCache | None = None,
) -> list[TranslationUnit]:
    """Translation units for every segment of *document*, targets drafted by *engine*.

    With no engine the targets stay empty: the memory is a template that
    records the segmentation for translators and later runs.
    """
    units = document_units(document)
    if engine is None:
        return units
    require_chinese([document])
    return draft_units(units, engine, progress, cache)


def reference_blanks(units: Sequence[TranslationUnit]) -> list[TranslationUnit]:
    """The aligned sentences of *units* with their targets taken away: what :func:`score_on_reference` drafts."""
    pairs = [u for u in units if u.origin is Origin.ALIGNED and u.target]
    return [replace(u, target="", origin=Origin.NONE, score=None, notes=(), terms=(), problem=None) for u in pairs]


def score_on_reference(
    units: Sequence[TranslationUnit], engine: Engine, cache: DraftCache | None = None, known: Mapping[str, Draft] | None = None
) -> tuple[list[MetricScore], int]:
    """How good the model is on this document: its drafts of the aligned sentences against the human targets.

    Returns the corpus scores (BLEU, chrF, TER) and how many sentences they
    cover.  The drafts are only scored (and cached), never written: the
    memory keeps the human translations.
    """
    from .score import corpus_scores

    pairs = [u for u in units if u.origin is Origin.ALIGNED and u.target]
    if not pairs:
        return [], 0
    drafts = draft_units(reference_blanks(units), engine, cache=cache, known=known)
    return corpus_scores([d.target for d in drafts], [u.target for u in pairs], ("bleu", "chrf", "ter")), len(pairs)


def signature(engine: Engine) -> str:
    """The cache key of an engine's drafts, apart from the glossary (see :func:`_draft_key`)."""
    return signature_key({k: v for k, v in engine.signature().items() if k != "glossary"})


def _draft_key(base: str, source: str, glossary: Glossary) -> str:
    terms = sorted({(m.term.source, m.term.target) for m in glossary.find(source)}) if glossary else []
    return signature_key({"engine": base, "terms": json.dumps(terms, ensure_ascii=False)}) if terms else base

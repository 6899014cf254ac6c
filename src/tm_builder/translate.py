"""Drafting: choose and load an engine, and turn drafts into translation units.

The engine itself (batching, long-segment splitting, degenerate-output
handling) lives in :mod:`tm_builder.engines`; model resolution and
verification in :mod:`tm_builder.models`.  This module joins them to the
data model: every translatable segment becomes a unit with origin ``mt``,
the model's name and revision, its confidence and any reviewer notes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .engines.base import Draft, DraftOptions, Engine
from .errors import InputError
from .glossary import Glossary, check_terms, exact_rendering
from .models import resolve_model
from .store import DraftCache, signature_key
from .units import Document, Origin, TranslationUnit
from .vocab import ENGINES

if TYPE_CHECKING:
    from .score import MetricScore

__all__ = [
    "ENGINES", "DraftOptions", "document_units", "draft_units", "load_engine", "require_chinese", "score_on_reference",
    "translate_document",
]


def ct2_available() -> bool:
    """Is CTranslate2 installed (the fast engine)?"""
    import importlib.util

    return importlib.util.find_spec("ctranslate2") is not None


def load_engine(
    engine: str = "auto", model: str | None = None, options: DraftOptions | None = None, *, quantization: str = "int8"
) -> Engine | None:
    """Resolve the model and load *engine* (``None`` for ``engine="none"``).

    ``auto`` is CTranslate2 when it is installed, else transformers.
    Resolution and verification happen before anything heavy is imported, so
    a missing or corrupted model fails fast with a one-line error.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
    if engine == "none":
        return None
    if engine == "ct2" and not ct2_available():
        raise InputError("the ct2 engine needs CTranslate2: pip install ctranslate2, or use the marian engine")
    resolved = resolve_model(model)
    if engine == "ct2" or (engine == "auto" and ct2_available()):
        from .engines.ct2 import Ct2Engine

        return Ct2Engine(resolved.path, options, label=resolved.label, quantization=quantization)
    from .engines.marian import MarianEngine

    return MarianEngine(resolved.path, options, label=resolved.label)


def draft_units(
    units: Sequence[TranslationUnit],
    engine: Engine,
    progress: Callable[[int], None] | None = None,
    cache: DraftCache | None = None,
    chunk: int = 256,
) -> list[TranslationUnit]:
    """Fill the targets of *units* with machine drafts, keeping their order.

    Units that already have a target (aligned, from a memory) are left alone.
    Identical sources are drafted once; with a *cache*, drafts already known
    for this engine signature are reused, and new ones are stored every
    *chunk* segments, so an interrupted run resumes where it stopped.
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
    per_source: dict[str, int] = {}
    for i in todo:
        per_source[units[i].source] = per_source.get(units[i].source, 0) + 1
    exact = sum(1 for i, u in enumerate(units) if not u.target) - len(todo)
    if progress and exact:
        progress(exact)
    known = _drafts(per_source, engine, progress, cache, chunk)
    for i in todo:
        draft = known[units[i].source]
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


def _drafts(
    per_source: dict[str, int], engine: Engine, progress: Callable[[int], None] | None, cache: DraftCache | None,
    chunk: int,
) -> dict[str, Draft]:
    """A draft of every distinct source (*per_source* counts its units): from the cache, else drafted and stored."""
    # A draft depends on the glossary only through the terms in its own source: key it by those,
    # so approving a new term re-drafts the segments that contain it and nothing else.
    base = signature(engine)
    keys = {source: _draft_key(base, source, engine.glossary) for source in per_source}
    known: dict[str, Draft] = {}
    if cache is not None:
        by_key: dict[str, list[str]] = {}
        for source, key in keys.items():
            by_key.setdefault(key, []).append(source)
        for key, sources in by_key.items():
            known.update(cache.get(key, sources))
    if progress and known:
        progress(sum(per_source[s] for s in known))
    missing = [s for s in per_source if s not in known]
    for start in range(0, len(missing), chunk):
        part = missing[start:start + chunk]
        fresh = dict(zip(part, engine.translate(part)))
        if cache is not None:
            for key in dict.fromkeys(keys[s] for s in part):
                cache.put(key, {s: d for s, d in fresh.items() if keys[s] == key})
        known.update(fresh)
        if progress:
            progress(sum(per_source[s] for s in part))
    return known


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


def score_on_reference(
    units: Sequence[TranslationUnit], engine: Engine, cache: DraftCache | None = None
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
    blank = [replace(u, target="", origin=Origin.NONE, score=None, notes=(), terms=(), problem=None) for u in pairs]
    drafts = draft_units(blank, engine, cache=cache)
    return corpus_scores([d.target for d in drafts], [u.target for u in pairs], ("bleu", "chrf", "ter")), len(pairs)


def signature(engine: Engine) -> str:
    """The cache key of an engine's drafts, apart from the glossary (see :func:`_draft_key`)."""
    return signature_key({k: v for k, v in engine.signature().items() if k != "glossary"})


def _draft_key(base: str, source: str, glossary: Glossary) -> str:
    terms = sorted({(m.term.source, m.term.target) for m in glossary.find(source)}) if glossary else []
    return signature_key({"engine": base, "terms": json.dumps(terms, ensure_ascii=False)}) if terms else base

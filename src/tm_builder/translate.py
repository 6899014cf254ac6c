"""Drafting: choose and load an engine, and turn drafts into translation units.

The engine itself (batching, long-segment splitting, degenerate-output
handling) lives in :mod:`tm_builder.engines`; model resolution and
verification in :mod:`tm_builder.models`.  This module joins them to the
data model: every translatable segment becomes a unit with origin ``mt``,
the model's name and revision, its confidence and any reviewer notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from .engines.base import Draft, DraftOptions, Engine
from .errors import InputError
from .models import resolve_model
from .store import DraftCache, signature_key
from .units import Origin, TranslationUnit

__all__ = ["ENGINES", "DraftOptions", "draft_units", "load_engine"]

#: ``auto`` picks the best installed engine; ``none`` drafts nothing
ENGINES = ("auto", "ct2", "marian", "none")


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
        raise InputError("the ct2 engine needs CTranslate2: pip install ctranslate2 (or use --engine marian)")
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
    todo = [i for i, u in enumerate(units) if not u.target]
    per_source: dict[str, int] = {}
    for i in todo:
        per_source[units[i].source] = per_source.get(units[i].source, 0) + 1
    key = signature_key(engine.signature())
    known: dict[str, Draft] = cache.get(key, per_source) if cache is not None else {}
    if progress and known:
        progress(sum(per_source[s] for s in known))
    missing = [s for s in per_source if s not in known]
    for start in range(0, len(missing), chunk):
        part = missing[start:start + chunk]
        drafts = engine.translate(part)
        fresh = dict(zip(part, drafts))
        if cache is not None:
            cache.put(key, fresh)
        known.update(fresh)
        if progress:
            progress(sum(per_source[s] for s in part))
    out = list(units)
    for i in todo:
        draft = known[units[i].source]
        notes = units[i].notes + draft.notes
        if not draft.text:
            out[i] = replace(units[i], notes=notes + ("the model produced no output",))
            continue
        out[i] = replace(units[i], target=draft.text, origin=Origin.MT, score=draft.score, model=engine.label, notes=notes)
    return out

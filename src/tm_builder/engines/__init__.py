"""Drafting engines: :class:`Engine` does the shared work, backends generate.

``ct2``: CTranslate2 (:class:`~tm_builder.engines.ct2.Ct2Engine`), the
default: int8 weights converted once from the Marian model, no torch at run
time. ``marian``: transformers + sentencepiece (:class:`MarianEngine`), the
reference implementation the other is checked against.
"""

from __future__ import annotations

from .base import Draft, DraftOptions, Engine, Generation

__all__ = ["Ct2Engine", "Draft", "DraftOptions", "Engine", "Generation", "MarianEngine"]


def __getattr__(name: str):
    # Import a backend only when asked for: transformers pulls in torch, CTranslate2 its runtime.
    if name == "MarianEngine":
        from .marian import MarianEngine

        return MarianEngine
    if name == "Ct2Engine":
        from .ct2 import Ct2Engine

        return Ct2Engine
    raise AttributeError(name)

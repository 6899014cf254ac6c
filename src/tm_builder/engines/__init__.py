"""Drafting engines: :class:`Engine` does the shared work, backends generate.

``marian``: transformers + sentencepiece (:class:`MarianEngine`), the
reference implementation.
"""

from __future__ import annotations

from .base import Draft, DraftOptions, Engine, Generation

__all__ = ["Draft", "DraftOptions", "Engine", "Generation", "MarianEngine"]


def __getattr__(name: str):
    # Import the transformers backend only when asked for: it pulls in torch.
    if name == "MarianEngine":
        from .marian import MarianEngine

        return MarianEngine
    raise AttributeError(name)

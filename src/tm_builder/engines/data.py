"""What passes between the drafting stages: settings, a backend's generation, a finished draft."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Draft", "DraftOptions", "Generation", "draft_score"]


@dataclass(frozen=True)
class DraftOptions:
    """Settings that change drafts; all of them go into the output signature.

    ``beam``: beam size (``None``: what the model's generation config says).
    ``batch_tokens``: most source tokens in one batch, counted over the
    padding and over every beam hypothesis (memory grows with both: at beam 6
    a batch holds a sixth of the segments it holds greedily).
    ``max_length``: most target tokens for one segment (``None``: the model's limit).
    ``length_ratio``: target tokens allowed per source token before a draft
    is cut off and treated as runaway.
    ``terms``: the glossary to enforce (see :meth:`Engine._enforce`).
    """

    beam: int | None = None
    batch_tokens: int = 4096
    max_length: int | None = None
    length_ratio: float = 3.0
    #: approved glossary terms as (source, target) pairs: every draft whose
    #: source contains one contains its target
    terms: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.beam is not None and self.beam < 1:
            raise ValueError("beam must be at least 1")
        if self.batch_tokens < 1:
            raise ValueError("batch_tokens must be at least 1")
        if self.max_length is not None and self.max_length < 1:
            raise ValueError("max_length must be at least 1")


@dataclass(frozen=True)
class Generation:
    """What a backend returns for one input: text and mean token log-probability."""

    text: str
    logprob: float | None = None


@dataclass(frozen=True)
class Draft:
    """A machine draft of one segment.

    ``score`` is the model's confidence, exp(mean token log-probability), in
    (0, 1]; ``notes`` tell a reviewer what happened (split, retried, glossary
    enforced).  ``problem`` says why the draft is known to be bad (still
    degenerate after the retry, a term not rendered); it becomes the unit's.
    """

    text: str
    score: float | None = None
    notes: tuple[str, ...] = ()
    problem: str | None = None


def draft_score(logprob: float | None) -> float | None:
    return None if logprob is None else round(math.exp(logprob), 6)

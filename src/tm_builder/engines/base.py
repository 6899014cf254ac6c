"""The drafting engine: one interface, with backends that only generate.

Everything a translator relies on lives here, once, for every backend:

* batches sorted by length under a token budget, drafts returned in the
  caller's order;
* segments longer than the model's limit split at clause boundaries
  (；，： and their half-width forms) and the drafts rejoined, never truncated;
* degenerate output (loops, runaway length) detected, retried with
  ``no_repeat_ngram_size`` and a tighter length limit, and reported on the
  draft when the retry does not help.

A backend (transformers in :mod:`.marian`, later CTranslate2) implements
:meth:`Engine._count_tokens` and :meth:`Engine._generate`.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..degenerate import check_draft

__all__ = ["Draft", "DraftOptions", "Engine", "Generation"]

#: clause boundaries a long segment may be split after, strongest first
_CLAUSE_MARKS = ("。！？!?", "；;", "：:", "，,、")
#: extra target tokens allowed beyond the length ratio, for short segments
_LENGTH_SLACK = 10


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
    """

    beam: int | None = None
    batch_tokens: int = 4096
    max_length: int | None = None
    length_ratio: float = 3.0

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
    (0, 1]; ``notes`` tell a reviewer what happened (split, retried, still
    degenerate).  ``problem`` is set when the draft is known to be bad.
    """

    text: str
    score: float | None = None
    notes: tuple[str, ...] = ()
    problem: str | None = None


def _split_long(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Split *text* into pieces that each satisfy *fits*, at the strongest clause boundary possible."""
    if fits(text) or len(text) <= 1:
        return [text]
    for marks in _CLAUSE_MARKS:
        cuts = [m.end() for m in re.finditer(f"[{re.escape(marks)}][”’」』）)]*", text) if m.end() < len(text)]
        if not cuts:
            continue
        # Cut at the boundary closest to the middle, then recurse on both halves.
        middle = len(text) / 2
        cut = min(cuts, key=lambda c: abs(c - middle))
        return _split_long(text[:cut], fits) + _split_long(text[cut:], fits)
    # No punctuation at all: cut in the middle rather than lose text.
    half = len(text) // 2
    return _split_long(text[:half], fits) + _split_long(text[half:], fits)


class Engine(ABC):
    """A zh->en drafting engine.  Subclasses generate; this class does the rest."""

    #: how drafts name their model, e.g. ``opus-mt-zh-en@<revision>``
    label: str = "unknown"
    #: the engine's kind, for the signature (``marian``, ``ct2``)
    kind: str = "base"
    #: most source tokens the model accepts (position embeddings)
    max_source_tokens: int = 512
    #: beam size the model's configuration asks for
    default_beam: int = 1

    def __init__(self, options: DraftOptions | None = None) -> None:
        self.options = options or DraftOptions()

    # -- backend interface ---------------------------------------------

    @abstractmethod
    def _count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source tokens of each text, including the end-of-sentence token."""

    @abstractmethod
    def _generate(
        self, texts: Sequence[str], *, beam: int, max_new_tokens: Sequence[int], no_repeat_ngram_size: int = 0
    ) -> list[Generation]:
        """Translate one batch; deterministic for the same batch and settings.

        ``max_new_tokens`` holds one limit per text: a draft's length must not
        depend on which other segments share its batch.
        """

    # -- the shared logic ---------------------------------------------------

    @property
    def beam(self) -> int:
        return self.options.beam or self.default_beam

    @property
    def max_length(self) -> int:
        return self.options.max_length or self.max_source_tokens

    def signature(self) -> dict[str, str]:
        """Every setting that changes the drafts, for output headers."""
        o = self.options
        return {
            "engine": self.kind, "model": self.label, "beam": str(self.beam), "batch-tokens": str(o.batch_tokens),
            "max-length": str(self.max_length), "length-ratio": str(o.length_ratio),
        }

    def _limit(self, source_tokens: int, ratio: float) -> int:
        return max(1, min(self.max_length, math.ceil(source_tokens * ratio) + _LENGTH_SLACK))

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Indices grouped into batches: longest first, padded size times beam under the token budget."""
        order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            width = max(lengths[current[0]], lengths[i]) if current else lengths[i]
            if current and width * (len(current) + 1) * self.beam > self.options.batch_tokens:
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def _translate_pieces(
        self, pieces: list[str], lengths: list[int], progress: Callable[[int], None] | None
    ) -> list[Draft]:
        """Draft pieces that all fit the model: batch, generate, check, retry the bad ones in one batch."""
        results: list[Draft | None] = [None] * len(pieces)
        retry_ratio = max(1.0, self.options.length_ratio / 2)
        for batch in self._batches(lengths):
            limits = [self._limit(lengths[i], self.options.length_ratio) for i in batch]
            generations = self._generate([pieces[i] for i in batch], beam=self.beam, max_new_tokens=limits)
            bad: list[tuple[int, str]] = []
            for i, gen in zip(batch, generations):
                problem = check_draft(pieces[i], gen.text)
                if problem is None:
                    results[i] = Draft(gen.text, _score(gen.logprob))
                else:
                    bad.append((i, problem))
            if bad:
                # One retry, blocking repeated trigrams and with a tighter length limit.
                retries = self._generate(
                    [pieces[i] for i, _ in bad], beam=self.beam, no_repeat_ngram_size=3,
                    max_new_tokens=[self._limit(lengths[i], retry_ratio) for i, _ in bad],
                )
                for (i, first), gen in zip(bad, retries):
                    second = check_draft(pieces[i], gen.text)
                    if second is None:
                        results[i] = Draft(gen.text, _score(gen.logprob), notes=(f"retried: first draft had {first}",))
                    else:
                        results[i] = Draft(
                            gen.text, _score(gen.logprob), notes=(f"needs review: degenerate draft ({second})",), problem=second
                        )
            if progress:
                progress(len(batch))
        return [r for r in results if r is not None]

    def translate(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> list[Draft]:
        """Draft every text, in order.  *progress* is called with the number of segments finished."""
        if not texts:
            return []
        # Split what the model cannot take whole; remember how to put it back.
        room = self.max_source_tokens - 1  # keep a token for </s>
        plan: list[list[int]] = []
        pieces: list[str] = []
        lengths: list[int] = []
        for text, n in zip(texts, self._count_tokens(list(texts))):  # tokenise once
            if n <= room:
                parts, counts = [text], [n]
            else:
                parts = _split_long(text, lambda t: self._count_tokens([t])[0] <= room)
                counts = self._count_tokens(parts)
            plan.append(list(range(len(pieces), len(pieces) + len(parts))))
            pieces.extend(parts)
            lengths.extend(counts)

        # Progress counts segments; with split segments, report once at the end.
        split = len(pieces) != len(texts)
        drafts = self._translate_pieces(pieces, lengths, None if split else progress)
        out: list[Draft] = []
        for indices in plan:
            if len(indices) == 1:
                out.append(drafts[indices[0]])
                continue
            parts = [drafts[i] for i in indices]
            scores = [p.score for p in parts if p.score is not None]
            notes = [f"split into {len(parts)} parts at clause boundaries (longer than {room} tokens)"]
            notes += [n for p in parts for n in p.notes]
            problems = [p.problem for p in parts if p.problem]
            out.append(
                Draft(
                    " ".join(p.text.strip() for p in parts if p.text.strip()),
                    min(scores) if scores else None,
                    tuple(notes),
                    "; ".join(problems) or None,
                )
            )
        if progress and split:
            progress(len(texts))
        return out


def _score(logprob: float | None) -> float | None:
    return None if logprob is None else round(math.exp(logprob), 6)

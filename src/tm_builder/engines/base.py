"""The drafting engine: one interface, with backends that only generate.

Everything a translator relies on lives here, once, for every backend:

* batches sorted by length under a token budget, drafts returned in the
  caller's order;
* segments longer than the model's limit split at clause boundaries
  (；，： and their half-width forms) and the drafts rejoined, never truncated;
* degenerate output (loops, runaway length) detected, retried with
  ``no_repeat_ngram_size`` and a tighter length limit, and reported on the
  draft when the retry does not help;
* approved glossary terms enforced (:mod:`.enforce`).

A backend (transformers in :mod:`.marian`, CTranslate2 in :mod:`.ct2`)
implements :meth:`Engine._count_tokens`, :meth:`Engine._generate` and
:meth:`Engine._force` (a forced target prefix, for glossary enforcement).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from abc import ABC, abstractmethod
from pathlib import Path
from collections.abc import Callable, Sequence
from ..degenerate import check_draft
from ..glossary import Glossary, Status, Term
from .data import Draft, DraftOptions, Generation, draft_score
from .enforce import enforce_terms

__all__ = ["Draft", "DraftOptions", "Engine", "Generation", "usable_cores"]

#: clause boundaries a long segment may be split after, strongest first
_CLAUSE_MARKS = ("。！？!?", "；;", "：:", "，,、")
#: extra target tokens allowed beyond the length ratio, for short segments
_LENGTH_SLACK = 10


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity: ``taskset -c 0`` means one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _split_long(text: str, fits: Callable[[str], bool], keep: Sequence[tuple[int, int]] = ()) -> list[str]:
    """Split *text* into pieces that each satisfy *fits*, at the strongest clause boundary possible.

    *keep* holds spans (glossary terms such as 分阶段、同步走) that no cut may fall inside.
    """
    if fits(text) or len(text) <= 1:
        return [text]

    def allowed(cut: int) -> bool:
        return 0 < cut < len(text) and not any(a < cut < b for a, b in keep)

    def shifted(spans: Sequence[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
        return [(a - offset, b - offset) for a, b in spans]

    for marks in _CLAUSE_MARKS:
        cuts = [m.end() for m in re.finditer(f"[{re.escape(marks)}][”’」』）)]*", text) if allowed(m.end())]
        if not cuts:
            continue
        # Cut at the boundary closest to the middle, then recurse on both halves.
        middle = len(text) / 2
        cut = min(cuts, key=lambda c: abs(c - middle))
        return _split_long(text[:cut], fits, keep) + _split_long(text[cut:], fits, shifted(keep, cut))
    # No punctuation at all: cut near the middle rather than lose text.
    half = len(text) // 2
    half = min((c for c in range(1, len(text)) if allowed(c)), key=lambda c: abs(c - half), default=half)
    return _split_long(text[:half], fits, keep) + _split_long(text[half:], fits, shifted(keep, half))


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
    #: where the model runs: ``cpu`` or ``cuda``
    device: str = "cpu"
    #: the verified model directory it was loaded from (what a worker elsewhere loads again)
    model_dir: "Path | None" = None

    def __init__(self, options: DraftOptions | None = None) -> None:
        self.options = options or DraftOptions()
        self.glossary = Glossary.of(Term(src, tgt, status=Status.APPROVED) for src, tgt in self.options.terms)

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

    @abstractmethod
    def _force(
        self, texts: Sequence[str], prefixes: Sequence[str], *, beam: int, max_new_tokens: Sequence[int]
    ) -> list[Generation]:
        """Translate each text with its target forced to begin with its prefix.

        Returns the continuation after the prefix (decoded, without the
        prefix) and the mean log-probability of the *whole* target, prefix
        included, so that completions of different prefixes compare.  The
        whole target stays within :attr:`max_target_tokens`; a prefix that
        alone fills it gets an empty continuation and no score.
        """

    # -- the shared logic ---------------------------------------------------

    @property
    def beam(self) -> int:
        return self.options.beam or self.default_beam

    @property
    def max_length(self) -> int:
        return min(self.options.max_length or self.max_source_tokens, self.max_target_tokens)

    @property
    def max_target_tokens(self) -> int:
        """Most target tokens a draft can have, forced prefix included: the decoder start takes a position."""
        return self.max_source_tokens - 1

    def signature(self) -> dict[str, str]:
        """Every setting that changes the drafts, for output headers."""
        o = self.options
        signature = {
            "engine": self.kind, "model": self.label, "beam": str(self.beam), "batch-tokens": str(o.batch_tokens),
            "max-length": str(self.max_length), "length-ratio": str(o.length_ratio),
        }
        if o.terms:
            digest = hashlib.sha256(json.dumps(sorted(o.terms), ensure_ascii=False).encode()).hexdigest()[:12]
            signature["glossary"] = f"{len(o.terms)} terms, sha256 {digest}"
        if self.device != "cpu":
            signature["device"] = self.device  # a GPU's drafts can differ from the CPU's in the last digits
        return signature

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
                    results[i] = Draft(gen.text, draft_score(gen.logprob))
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
                        results[i] = Draft(gen.text, draft_score(gen.logprob), notes=(f"retried: first draft had {first}",))
                    else:
                        results[i] = Draft(gen.text, draft_score(gen.logprob), problem=f"degenerate draft ({second})")
            if progress:
                progress(len(batch))
        drafts = [r for r in results if r is not None]
        if self.glossary:
            drafts = enforce_terms(self, pieces, lengths, drafts)
        return drafts

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
                keep = [(m.start, m.end) for m in self.glossary.find(text)]
                parts = _split_long(text, lambda t: self._count_tokens([t])[0] <= room, keep)
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



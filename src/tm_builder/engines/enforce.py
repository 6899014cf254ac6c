"""Glossary enforcement: every draft whose source contains an approved term contains its rendering.

Constrained decoding is gone from transformers and was never in
CTranslate2, so this works with any backend that can continue a forced
prefix (:meth:`Engine._force`).  The one place drafts are made to obey the
glossary; :func:`tm_builder.glossary.check_terms` only reports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from ..degenerate import check_draft
from ..glossary import Glossary, TermMatch, honoured
from .data import Draft, DraftOptions, Generation, draft_score


class Forcing(Protocol):
    """What enforcement needs of an engine (:class:`~tm_builder.engines.base.Engine` has it all)."""

    glossary: Glossary
    options: DraftOptions

    @property
    def beam(self) -> int: ...

    def _limit(self, source_tokens: int, ratio: float) -> int: ...

    def _force(
        self, texts: Sequence[str], prefixes: Sequence[str], *, beam: int, max_new_tokens: Sequence[int]
    ) -> list[Generation]: ...

__all__ = ["Forcing", "enforce_terms"]


def enforce_terms(engine: Forcing, pieces: list[str], lengths: list[int], drafts: list[Draft]) -> list[Draft]:
    """Make every draft contain the approved rendering of every glossary term in its source.

    Constrained decoding is gone from transformers and was never in
    CTranslate2, so this works with any backend that can continue a
    forced prefix.  For a draft that misses a term, the decoder is forced
    through a prefix: the draft's words up to an insertion point, then
    the rendering; the model continues from there, and the completion
    the model itself scores best among a few insertion points (those
    nearest the term's relative place in the source) wins.  The chosen
    prefix is locked and the next missing term is inserted after it, so
    each round locks one more term: after as many rounds as terms, all
    are there, whatever the weights.  The guarantee does not rest on the
    model: prefixes are kept verbatim.
    """
    matches = {i: _unique_terms(engine.glossary.find(p)) for i, p in enumerate(pieces)}
    state = {i: (drafts[i].text, "") for i, found in matches.items() if found}
    forced: dict[int, list[str]] = {i: [] for i in state}
    scores: dict[int, float | None] = {}
    for _ in range(max((len(matches[i]) for i in state), default=0)):
        jobs: list[tuple[int, str, str]] = []  # (piece, prefix, term source)
        for i, (text, locked) in state.items():
            missing = [m for m in matches[i] if not honoured(text, m.term.target)]
            if missing:
                for prefix in _prefixes(text, locked, missing[0], len(pieces[i])):
                    jobs.append((i, prefix, missing[0].term.source))
        if not jobs:
            break
        best: dict[int, tuple[float, str, str, str]] = {}
        for chunk in _force_chunks(engine, jobs, lengths):
            gens = engine._force(
                [pieces[i] for i, _, _ in chunk], [prefix for _, prefix, _ in chunk], beam=engine.beam,
                max_new_tokens=[engine._limit(lengths[i], engine.options.length_ratio) for i, _, _ in chunk],
            )
            for (i, prefix, source), gen in zip(chunk, gens):
                logprob = gen.logprob if gen.logprob is not None else -math.inf
                if i not in best or logprob > best[i][0]:
                    best[i] = (logprob, prefix, _join(prefix, gen.text), source)
        for i, (logprob, prefix, text, source) in best.items():
            state[i] = (text, prefix)
            forced[i].append(source)
            scores[i] = logprob if math.isfinite(logprob) else None  # no prefix fitted: the term stands alone
    out = list(drafts)
    for i, (text, _) in state.items():
        if not forced[i]:
            continue
        # The first draft's problem described a text that is gone.
        notes = [*drafts[i].notes, f"glossary enforced: {', '.join(forced[i])}"]
        problem = check_draft(pieces[i], text)
        missing = [m.term.source for m in matches[i] if not honoured(text, m.term.target)]
        if missing:  # cannot happen while prefixes are kept verbatim; say so rather than hide it
            problem = f"glossary terms not rendered: {', '.join(missing)}"
        out[i] = Draft(text, draft_score(scores[i]), tuple(notes), problem)
    return out

def _force_chunks(engine: Forcing, jobs: list[tuple[int, str, str]], lengths: list[int]) -> list[list[tuple[int, str, str]]]:
    """Forced decodes in runs of at most ``_FORCE_CHUNK`` under the same token budget as drafting.

    The budget bounds memory, and a budget of one segment per batch makes
    every forced decode independent of which other segments run beside it.
    """
    chunks: list[list[tuple[int, str, str]]] = []
    current: list[tuple[int, str, str]] = []
    width = 0
    for job in jobs:
        wider = max(width, lengths[job[0]])
        if current and (len(current) == _FORCE_CHUNK or wider * (len(current) + 1) * engine.beam > engine.options.batch_tokens):
            chunks.append(current)
            current, wider = [], lengths[job[0]]
        current.append(job)
        width = wider
    if current:
        chunks.append(current)
    return chunks


#: insertion points tried per missing term, and forced completions per backend call
_INSERTION_POINTS = 6
_FORCE_CHUNK = 32


def _unique_terms(found: list[TermMatch]) -> list[TermMatch]:
    """First occurrence of each term, in source order."""
    seen: set[str] = set()
    out = []
    for m in found:
        if m.term.source not in seen:
            seen.add(m.term.source)
            out.append(m)
    return out


def _prefixes(text: str, locked: str, match: TermMatch, source_length: int) -> list[str]:
    """Forced prefixes for one missing term: locked part, some draft words, the rendering.

    Insertion points are word boundaries after the locked part, those
    nearest the term's relative position in the source first.
    """
    words = text[len(locked):].split() if text.startswith(locked) else []
    estimate = round(len(words) * match.start / max(1, source_length))
    points = sorted(sorted(range(len(words) + 1), key=lambda p: (abs(p - estimate), p))[:_INSERTION_POINTS])
    rendering = match.term.target
    out = []
    for p in points:
        head = locked
        for word in words[:p]:
            head = _join(head, word) if head else word
        out.append(f"{head} {rendering}" if head else rendering[:1].upper() + rendering[1:])
    return out


def _join(prefix: str, continuation: str) -> str:
    """Prefix and continuation; a word that continues is a new word, so the forced term stays whole."""
    continuation = continuation.strip()
    if not continuation:
        return prefix
    attaches = not continuation[0].isalnum() and continuation[0] not in "([{“‘\"'"
    return prefix + continuation if attaches else f"{prefix} {continuation}"

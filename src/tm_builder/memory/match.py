"""Looking a segment up in the memory: in-context exact (101), exact (100), fuzzy (below).

Exact compares sources as :func:`~.store.exact_key` writes them (width
and spacing do not count).  Fuzzy compares them without punctuation
(:func:`~.store.fuzzy_key`) by rapidfuzz's ``fuzz.ratio``: the share of
characters the two have in common, in order, which for Chinese (no
spaces, a character a morpheme) is the measure CAT tools use.  A fuzzy
score never reaches 100: only an exact match is 100.

Candidates come from the memory's trigram index, never from reading the
memory: of sixteen trigrams spread over the query, the eight rarest (by
the index's own counts) are looked up, the units holding most of them
are the candidates, and only those hundred are scored.  On a million
units the best match found equals a full scan's (``bench/memory_scale.py``).  A segment shorter than three characters has no trigram and
is matched exactly or not at all.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..glossary import Glossary, Term
from .store import Memory, StoredUnit, exact_key, fuzzy_key

__all__ = ["DEFAULT_THRESHOLD", "Match", "Matcher", "number_repair", "term_repair"]

#: the lowest fuzzy score offered (CAT tools' usual default)
DEFAULT_THRESHOLD = 75
#: trigrams of a query whose counts are looked up, of those the rarest whose units are collected, units scored at most
_LOOKED_UP = 16
_GRAMS = 8
_CANDIDATES = 100


@dataclass(frozen=True)
class Match:
    """A memory unit found for a segment: *score* 101 in context, 100 exact, below 100 fuzzy."""

    score: int
    unit: StoredUnit

    @property
    def kind(self) -> str:
        return "in-context" if self.score > 100 else "exact" if self.score == 100 else "fuzzy"


class Matcher:
    """Lookups against one memory, remembering the index's trigram counts across the segments of a run."""

    def __init__(self, memory: Memory, threshold: int = DEFAULT_THRESHOLD) -> None:
        self.memory = memory
        self.threshold = threshold
        self._counts: dict[str, int] = {}

    def best(self, source: str, prev: str = "", next: str = "") -> Match | None:
        """The best match for *source* (with its neighbours' sources, for in-context), or None below the threshold.

        Among equals a confirmed unit wins, then the newest.
        """
        key = exact_key(source)
        exact = self.memory.by_key(key)
        if exact:
            context = (exact_key(prev), exact_key(next))
            for unit in exact:
                if unit.confirmed and (unit.prev, unit.next) == context and (prev or next):
                    return Match(101, unit)
            return Match(100, exact[0])
        return self._fuzzy(fuzzy_key(source))

    def _fuzzy(self, query: str) -> Match | None:
        grams = list(dict.fromkeys(query[i:i + 3] for i in range(len(query) - 2)))
        if len(grams) > _LOOKED_UP:  # evenly spread over the segment, so that every part of it can find its match
            grams = [grams[i * len(grams) // _LOOKED_UP] for i in range(_LOOKED_UP)]
        grams = list(dict.fromkeys(g.lower() for g in grams))  # the index folds case: so must its questions
        unknown = [g for g in grams if g not in self._counts]
        if unknown:
            self._counts.update(self.memory.gram_counts(unknown))
        present = sorted((g for g in grams if self._counts[g]), key=lambda g: (self._counts[g], g))
        if not present:
            return None
        # the units holding most of the rarest trigrams are the candidates; only they are scored
        shared: Counter[int] = Counter()
        for gram in present[:_GRAMS]:
            shared.update(self.memory.with_gram(gram))
        rows = {i: (fuzzy, confirmed, changed) for i, fuzzy, confirmed, changed in
                self.memory.by_ids([i for i, _ in shared.most_common(_CANDIDATES)])}
        found = process.extract(query, {i: r[0] for i, r in rows.items()}, scorer=fuzz.ratio, score_cutoff=self.threshold,
                                limit=None)
        if not found:
            return None
        # among equal scores a confirmed unit wins, then the newest (as for exact matches)
        score, unit_id = max((min(int(s), 99), rows[i][1], rows[i][2], i) for _, s, i in found)[0::3]
        return Match(score, self.memory.unit(unit_id))


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _swap(target: str, changes: list[tuple[str, str, str]]) -> str | None:
    """*target* with each (pattern, old, new) replaced in one pass: every old text found exactly once, none overlapping.

    Substituting one at a time would let a later change hit a text an
    earlier one put in (1 -> 2, then 2 -> 3 turns "1 and 2" into "3 and 2").
    """
    spans = []
    for pattern, _, new in changes:
        hits = list(re.finditer(pattern, target))
        if len(hits) != 1:
            return None
        spans.append((hits[0].start(), hits[0].end(), new))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
        return None
    out, last = [], 0
    for start, end, new in spans:
        out += [target[last:start], new]
        last = end
    return "".join(out) + target[last:]


def number_repair(source: str, match: StoredUnit) -> tuple[str, list[str]] | None:
    """The match's target with its numbers replaced by the segment's, when numbers are all that differ.

    Each number that changed must occur once in the match's source and
    exactly once in its target (as the same digits, not an ordinal such as
    3rd), or the target is not repaired: a number written as a word in
    English, or twice, or a day that shares its digits with the month,
    cannot be replaced with confidence.  Returns the repaired target and
    what was changed, or None.
    """
    mine, theirs = _NUMBER.findall(exact_key(source)), _NUMBER.findall(exact_key(match.source))
    if len(mine) != len(theirs) or mine == theirs:
        return None
    if _NUMBER.sub("#", exact_key(source)) != _NUMBER.sub("#", exact_key(match.source)):
        return None
    changed = [(old, new) for new, old in zip(mine, theirs) if new != old]
    if any(theirs.count(old) != 1 for old, _ in changed):
        return None
    target = _swap(match.target, [(rf"(?<![\d.,]){re.escape(old)}(?!\d|[.,]\d|st|nd|rd|th)", old, new) for old, new in changed])
    return (target, [f"{old} -> {new}" for old, new in changed]) if target is not None else None


def term_repair(source: str, match: StoredUnit, glossary: Glossary) -> tuple[str, list[str]] | None:
    """The match's target with approved renderings swapped, when approved terms are all that differ.

    As :func:`number_repair`: each old term must occur once in the match's
    source and its approved rendering exactly once in the target.
    """
    def shape(text: str) -> tuple[str, list[Term]]:
        found = glossary.find(text)
        out, last = [], 0
        for m in found:
            out += [text[last:m.start], "\u0000"]
            last = m.end
        return "".join(out) + text[last:], [m.term for m in found]

    mine, theirs = shape(exact_key(source)), shape(exact_key(match.source))
    if mine[0] != theirs[0] or len(mine[1]) != len(theirs[1]) or mine[1] == theirs[1]:
        return None
    changed = [(old, new) for new, old in zip(mine[1], theirs[1]) if new.source != old.source]
    if any(not (old.enforced and new.enforced) or sum(t.source == old.source for t in theirs[1]) != 1 for old, new in changed):
        return None
    target = _swap(match.target, [(rf"(?<!\w){re.escape(old.target)}(?!\w)", old.target, new.target) for old, new in changed])
    return (target, [f"{old.source} -> {new.source} ({new.target})" for old, new in changed]) if target is not None else None

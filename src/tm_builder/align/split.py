"""Cutting one English sentence across the Chinese segments it translates (a 2-1 bead).

A CAT tool segments the Chinese document sentence by sentence and looks up
each sentence on its own, so a unit holding two Chinese sentences and one
English sentence matches neither.  Translators often merge two short
sentences (一是确保有益。人工智能的发展应…… → "the first is to ensure AI is
beneficial: its development should…"), and the English then almost always
has a clause boundary where the Chinese sentence ended.  Cutting there gives
each Chinese segment its own part of the human translation, and the parts
joined in order give the translation back exactly.

The cut is chosen among clause boundaries (after ``; : , —``, before
``and``/``but``/``which``) so that each part's share of the English matches
its segment's share of the Chinese; when no boundary is close enough the
bead stays whole.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

__all__ = ["split_translation"]

#: a boundary and what it costs: strong punctuation is the likeliest place of a merged sentence end
_BOUNDARIES = (
    (re.compile(r"[.!?;:][\"'”’)]*\s+"), 0.0),
    (re.compile(r"\s[—–-]{1,2}\s+"), 0.0),
    (re.compile(r",[\"'”’)]*\s+"), 0.03),
    (re.compile(r"\s+(?=(?:and|but|while|which|whereas)\b)"), 0.06),
)
#: the largest distance between a part's share of the English and its segment's share of the Chinese
MAX_DEVIATION = 0.15
_MIN_WORDS = 2


def _cuts(target: str) -> dict[int, tuple[int, float]]:
    """Candidate cuts: start of the next part -> (end of this part, cost)."""
    found: dict[int, tuple[int, float]] = {}
    for pattern, cost in _BOUNDARIES:
        for m in pattern.finditer(target):
            end = m.start() + len(m.group(0).rstrip())
            start = m.end()
            if 0 < end and start < len(target) and (start not in found or found[start][1] > cost):
                found[start] = (end, cost)
    return found


def split_translation(sources: Sequence[str], target: str) -> list[str] | None:
    """*target* cut into one part per source segment, or ``None`` when no clean cut exists.

    Shares are measured in characters (Chinese characters on one side,
    letters on the other).  At most four segments are split; a larger
    bead is left whole.
    """
    k = len(sources)
    if k < 2 or k > 4 or not target.strip():
        return None
    weights = [max(len(s.strip()), 1) for s in sources]
    total = sum(weights)
    expected = list(itertools.accumulate(w / total for w in weights))[:-1]
    cuts = _cuts(target)
    best: tuple[float, tuple[int, ...]] | None = None
    for chosen in itertools.combinations(sorted(cuts), k - 1):
        cost = 0.0
        for start, share in zip(chosen, expected):
            deviation = abs(cuts[start][0] / len(target) - share)
            if deviation > MAX_DEVIATION:
                break
            cost += deviation + cuts[start][1]
        else:
            if best is None or cost < best[0]:
                best = (cost, chosen)
    if best is None:
        return None
    parts, begin = [], 0
    for start in best[1]:
        parts.append(target[begin:cuts[start][0]])
        begin = start
    parts.append(target[begin:])
    if any(len(p.split()) < _MIN_WORDS for p in parts):
        return None
    return parts

"""Monotonic dynamic programming over beads, inside a band.

Cell (i, j) holds the cheapest alignment of the first i Chinese and the first
j English sentences.  A bead of a Chinese and b English sentences moves from
(i - a, j - b) to (i, j) at the cost its scorers give, plus a prior for its
shape.  Only cells within ``width`` of a centre line are visited: the centre
is where English sentence j falls if both texts advance at the same rate of
characters (the length diagonal), so time and memory grow linearly with the
number of sentences.

Each row is computed with numpy over its whole band; insertions (0-1 beads),
which chain along a row, are resolved with a running minimum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .scorers.base import Scorer

#: bead shapes the aligner considers (1-0 and 0-1 are deletions and insertions)
BEADS: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (1, 3), (3, 1))


@dataclass(frozen=True)
class Priors:
    """Cost added for each bead shape, and for leaving a sentence unaligned.

    1-1 is the norm; merges and splits cost a little, 2-2 and 1-3 more; a
    deletion costs ``skip`` per sentence, which is also what makes a weak
    pair worth keeping or not.
    """

    # Tuned by grid search on WMT17 + FLORES-dev document pairs (bench/align_eval.py),
    # checked on WMT18 and FLORES-devtest; the optimum is flat around these values.
    one_two: float = 1.5
    two_two: float = 4.5
    one_three: float = 4.5
    skip: float = 2.5

    def of(self, a: int, b: int) -> float:
        if a == 0 or b == 0:
            return 0.0
        if (a, b) == (1, 1):
            return 0.0
        if a + b == 3:
            return self.one_two
        if (a, b) == (2, 2):
            return self.two_two
        return self.one_three


def centre_line(zh_lengths: Sequence[int], en_lengths: Sequence[int]) -> np.ndarray:
    """For each row i (0..n), the English position with the same share of characters."""
    cz = np.concatenate([[0.0], np.cumsum(np.maximum(zh_lengths, 1))])
    ce = np.concatenate([[0.0], np.cumsum(np.maximum(en_lengths, 1))])
    share = cz / cz[-1] if cz[-1] else np.linspace(0, 1, len(cz))
    centres = np.searchsorted(ce / ce[-1] if ce[-1] else np.linspace(0, 1, len(ce)), share)
    centres = np.clip(centres, 0, len(en_lengths))
    centres[0], centres[-1] = 0, len(en_lengths)
    return np.maximum.accumulate(centres)


def band_width(n: int, m: int) -> int:
    """Half-width of the band: room for drift from omissions, merges and splits."""
    return int(min(400, 20 + 2 * math.sqrt(max(n, m)) + abs(n - m) // 4))


@dataclass(frozen=True)
class Path:
    """The DP's answer: beads as (zh start, zh end, en start, en end), and each bead's cost."""

    beads: list[tuple[int, int, int, int]]
    costs: list[float]


def align_band(
    n: int, m: int, scorers: Sequence[Scorer], priors: Priors, centres: np.ndarray, width: int,
    beads: Sequence[tuple[int, int]] = BEADS,
) -> Path:
    """Run the banded DP and trace back the best path."""
    lo, hi = _band(n, m, centres, width)
    span = int((hi - lo).max()) + 1
    for scorer in scorers:
        scorer.set_band(lo, span)

    inf = np.inf
    D: list[np.ndarray] = []
    back: list[np.ndarray] = []
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        best = np.full(js.shape, inf)
        arg = np.full(js.shape, -1, dtype=np.int8)
        if i == 0:
            best[js == 0] = 0.0
        for k, (a, b) in enumerate(beads):
            if a == 0 or i - a < 0:
                continue
            prev_lo, prev = lo[i - a], D[i - a]
            src = js - b - prev_lo
            ok = (src >= 0) & (src < prev.size) & (js - b >= 0)
            if not ok.any():
                continue
            cand = np.full(js.shape, inf)
            base = prev[src[ok]]
            finite = np.isfinite(base)
            if not finite.any():
                continue
            sel = np.flatnonzero(ok)[finite]
            jsel = js[sel]
            if b == 0:
                cost = np.full(jsel.shape, priors.skip)
            else:
                # Evidence cost scales with the bead's size, as in Vecalign: otherwise one
                # 2-2 bead always undercuts the two 1-1 beads it replaces.
                evidence = np.zeros(jsel.shape)
                for scorer in scorers:
                    evidence = evidence + scorer.weight * scorer.cost(i, a, b, jsel)
                cost = priors.of(a, b) + evidence * (a + b) / 2
            cand[sel] = base[finite] + cost
            better = cand < best
            best[better] = cand[better]
            arg[better] = k
        # Insertions (0-1) chain along the row: best[j] = min_k<=j best[k] + skip * (j - k).
        k01 = beads.index((0, 1)) if (0, 1) in beads else -1
        if k01 >= 0 and js.size:
            ramp = priors.skip * np.arange(js.size)
            chained = np.minimum.accumulate(best - ramp) + ramp
            improved = chained < best - 1e-12
            best = np.where(improved, chained, best)
            arg[improved] = k01
        D.append(best)
        back.append(arg)
    return _trace_back(D, back, lo, n, m, beads)


def _band(n: int, m: int, centres: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's window of target positions around the centre line, connected from (0, 0) to (n, m)."""
    lo = np.clip(centres - width, 0, m)
    hi = np.clip(centres + width, 0, m)
    lo[0], hi[-1] = 0, m  # the path must start at (0, 0) and end at (n, m)
    # Keep the band connected: each row's window reaches the previous one.
    for i in range(1, n + 1):
        lo[i] = min(lo[i], hi[i - 1])
        hi[i] = max(hi[i], lo[i])
    for i in range(n - 1, -1, -1):
        hi[i] = max(hi[i], lo[i + 1])
    return lo, hi


def _trace_back(D: list[np.ndarray], back: list[np.ndarray], lo: np.ndarray, n: int, m: int,
                beads: Sequence[tuple[int, int]]) -> Path:
    """The best path, from (n, m) back to (0, 0), with each bead's cost."""
    out: list[tuple[int, int, int, int]] = []
    costs: list[float] = []
    i, j = n, m
    if not np.isfinite(D[n][m - lo[n]]):
        raise RuntimeError("no alignment path inside the band")
    while i > 0 or j > 0:
        k = int(back[i][j - lo[i]])
        a, b = beads[k]
        here = D[i][j - lo[i]]
        there = D[i - a][j - b - lo[i - a]]
        out.append((i - a, i, j - b, j))
        costs.append(float(here - there))
        i, j = i - a, j - b
    out.reverse()
    costs.reverse()
    return Path(out, costs)

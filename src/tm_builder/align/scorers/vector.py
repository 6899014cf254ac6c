"""Cosine similarity of sentence vectors, with merged beads summed.

Shared by the lexical scorer (bags of English lemmas) and the embedding
scorer (sentence embeddings): a bead of several sentences is represented by
the sum of their vectors, so its dot product with the other side is a sum of
pairwise dot products, and the DP never builds a vector per bead.  Only the
dot products inside the DP's band are computed, block by block, so time
and memory grow linearly with document length.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from .base import Scorer, Sentence

#: most sentences one bead may hold on a side (the DP's largest bead is 3)
MAX_SPAN = 3


class VectorScorer(Scorer):
    """A scorer whose evidence is cos(sum of zh vectors, sum of en vectors)."""

    @abstractmethod
    def vectors(self, zh: list[Sentence], en: list[Sentence]) -> tuple[np.ndarray, np.ndarray]:
        """The per-sentence matrices X (n x d) and Y (m x d)."""

    def prepare(self, zh: list[Sentence], en: list[Sentence]) -> None:
        self.X, self.Y = self.vectors(zh, en)
        self.x_self = _self_dots(self.X)
        self.y_self = _self_dots(self.Y)

    def set_band(self, starts: np.ndarray, width: int) -> None:
        """Dot products X[r] . Y[starts[r+1] - MAX_SPAN + k]: enough for every bead ending in row r+1's band."""
        n = self.X.shape[0]
        self.width = width + MAX_SPAN
        self.offset = np.asarray(starts[1 : n + 1], dtype=np.int64) - MAX_SPAN  # English index of column 0, per zh sentence
        m = self.Y.shape[0]
        self.S = np.zeros((n, self.width), dtype=np.float32)
        block = 256
        for r0 in range(0, n, block):
            r1 = min(n, r0 + block)
            lo = max(0, int(self.offset[r0:r1].min()))
            hi = min(m, int(self.offset[r0:r1].max()) + self.width)
            if hi <= lo:
                continue
            dots = self.X[r0:r1] @ self.Y[lo:hi].T
            for r in range(r0, r1):
                c0 = int(self.offset[r])
                a, z = max(c0, lo), min(c0 + self.width, hi)
                if z > a:
                    self.S[r, a - c0 : z - c0] = dots[r - r0, a - lo : z - lo]
        self._calibrate()

    def _calibrate(self) -> None:
        """Where cosines of good and of random pairs lie in this document pair.

        Raw cosines depend on the text (bags of dictionary glosses give 0.3-0.4
        for a right pair, embeddings 0.7-0.9), so the cost is rescaled per
        document, as Vecalign normalises by random pairs: the median of each
        row's best cosine stands for a good pair, the band's median cosine for
        a random one.
        """
        n = self.S.shape[0]
        cols = self.offset[:, None] + np.arange(self.width)[None, :]
        valid = (cols >= 0) & (cols < self.Y.shape[0])
        ny = np.zeros(cols.shape)
        ny[valid] = self.y_self[cols[valid], 0]
        denom = np.sqrt(self.x_self[:n, 0][:, None] * ny)
        ok = valid & (denom > 0)
        cos = np.where(ok, self.S / np.where(ok, denom, 1.0), np.nan)
        best = np.nanmax(np.where(ok, cos, -np.inf), axis=1) if n else np.array([])
        best = best[np.isfinite(best)]
        self.good = float(np.median(best)) if best.size else 1.0
        self.random = float(np.nanmedian(cos)) if ok.any() else 0.0
        if not self.good - self.random > 0.05:
            self.good, self.random = 1.0, 0.0  # no usable signal: plain cosine

    def _dot(self, r: int, js: np.ndarray) -> np.ndarray:
        cols = js - self.offset[r]
        ok = (cols >= 0) & (cols < self.width)
        out = np.zeros(js.shape, dtype=np.float64)
        out[ok] = self.S[r, cols[ok]]
        return out

    def cosine(self, i: int, a: int, b: int, js: np.ndarray) -> np.ndarray:
        dot = np.zeros(js.shape, dtype=np.float64)
        for r in range(i - a, i):
            for c in range(1, b + 1):
                dot += self._dot(r, js - c)
        nx = _span_norm(self.x_self, i - a, i)
        ny = _span_norms(self.y_self, js - b, js)
        denom = np.sqrt(nx * ny)
        return np.where(denom > 0, dot / np.where(denom > 0, denom, 1.0), 0.0)

    #: in a merged bead, each member sentence must reach this much of a good pair's similarity
    MEMBER_FLOOR = 0.25

    def _z(self, cos: np.ndarray) -> np.ndarray:
        return (cos - self.random) / (self.good - self.random)

    def cost(self, i: int, a: int, b: int, js: np.ndarray) -> np.ndarray:
        """0 for a pair as similar as this document's good pairs, 1 for a random one.

        A merged bead also pays for any member with no evidence of its own, so
        an untranslated sentence is not swallowed by its neighbour's pair.
        """
        out = 1.0 - np.clip(self._z(self.cosine(i, a, b, js)), 0.0, 1.0)
        weakest = np.full(js.shape, np.inf)
        if a > 1:
            for r in range(i - a + 1, i + 1):
                weakest = np.minimum(weakest, self._z(self.cosine(r, 1, b, js)))
        if b > 1:
            for c in range(b):
                weakest = np.minimum(weakest, self._z(self.cosine(i, a, 1, js - c)))
        if a > 1 or b > 1:
            out = out + 2 * np.clip(self.MEMBER_FLOOR - weakest, 0.0, None)
        return out


def _self_dots(M: np.ndarray) -> np.ndarray:
    """Row k: [|M_k|^2, M_k.M_{k+1}, M_k.M_{k+2}] (0 past the end)."""
    out = np.zeros((M.shape[0], MAX_SPAN), dtype=np.float64)
    out[:, 0] = np.einsum("ij,ij->i", M, M)
    for d in range(1, MAX_SPAN):
        if M.shape[0] > d:
            out[:-d, d] = np.einsum("ij,ij->i", M[:-d], M[d:])
    return out


def _span_norm(self_dots: np.ndarray, start: int, end: int) -> float:
    """|sum of rows start..end-1|^2 from self and neighbour dot products."""
    total = 0.0
    for k in range(start, end):
        total += self_dots[k, 0]
        for d in range(1, MAX_SPAN):
            if k + d < end:
                total += 2 * self_dots[k, d]
    return total


def _span_norms(self_dots: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    width = int((ends - starts).max()) if ends.size else 0
    total = np.zeros(starts.shape, dtype=np.float64)
    for off in range(width):
        k = starts + off
        valid = k < ends
        total[valid] += self_dots[k[valid], 0]
        for d in range(1, MAX_SPAN):
            both = valid & (k + d < ends)
            total[both] += 2 * self_dots[k[both], d]
    return total

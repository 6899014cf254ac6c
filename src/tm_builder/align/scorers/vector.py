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
from dataclasses import dataclass

import numpy as np

from .base import Scorer, Sentence

#: most sentences one bead may hold on a side (the DP's largest bead is 3)
MAX_SPAN = 3

#: rows made dense at a time: memory stays a few MiB whatever the document's length
BLOCK = 256


@dataclass(frozen=True)
class SparseRows:
    """Sentence vectors stored as compressed rows (CSR).

    A bag of about 20 hashed lemmas in 4,096 dimensions is 99.5% zeros:
    dense, a 20,000-sentence pair held 650 MiB of them; here it is a few
    MiB, and only :data:`BLOCK` rows at a time are ever made dense.
    """

    indptr: np.ndarray  # row r's entries are indices/data[indptr[r]:indptr[r + 1]]
    indices: np.ndarray
    data: np.ndarray
    width: int

    @classmethod
    def of(cls, rows: list[dict[int, float]], width: int) -> SparseRows:
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r) for r in rows])
        indices = np.fromiter((k for r in rows for k in sorted(r)), dtype=np.int32, count=int(indptr[-1]))
        data = np.fromiter((r[k] for r in rows for k in sorted(r)), dtype=np.float32, count=int(indptr[-1]))
        return cls(indptr, indices, data, width)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.indptr) - 1, self.width)

    def dense(self, r0: int, r1: int) -> np.ndarray:
        """Rows r0..r1-1 as a dense float32 matrix."""
        out = np.zeros((r1 - r0, self.width), dtype=np.float32)
        a, z = int(self.indptr[r0]), int(self.indptr[r1])
        rows = np.repeat(np.arange(r1 - r0), np.diff(self.indptr[r0 : r1 + 1]))
        out[rows, self.indices[a:z]] = self.data[a:z]
        return out


Vectors = np.ndarray | SparseRows


def _rows(M: Vectors, r0: int, r1: int) -> np.ndarray:
    return M.dense(r0, r1) if isinstance(M, SparseRows) else M[r0:r1]


class VectorScorer(Scorer):
    """A scorer whose evidence is cos(sum of zh vectors, sum of en vectors)."""

    @abstractmethod
    def vectors(self, zh: list[Sentence], en: list[Sentence]) -> tuple[Vectors, Vectors]:
        """The per-sentence matrices X (n x d) and Y (m x d), dense or :class:`SparseRows`."""

    def prepare(self, zh: list[Sentence], en: list[Sentence]) -> None:
        X, Y = self.vectors(zh, en)
        self.n, self.m = X.shape[0], Y.shape[0]
        self._X, self._Y = X, Y  # kept until set_band has taken the dot products it needs
        # |sum of the span of 1..3 sentences ending before k|^2, for every end k: the norms of every bead's side
        self.x_norms = _span_norms(_self_dots(X))
        self.y_norms = _span_norms(_self_dots(Y))
        self.x_lengths = [np.sqrt(v) for v in self.x_norms]
        self.y_lengths = [np.sqrt(v) for v in self.y_norms]

    def set_band(self, starts: np.ndarray, width: int) -> None:
        """Dot products X[r] . Y[starts[r+1] - MAX_SPAN + k]: enough for every bead ending in row r+1's band.

        They are kept summed over the English spans a bead can take: ``dots[b - 1][r, k]``
        is X[r] . (Y[c - b + 1] + ... + Y[c]) for column k (English sentence c).
        """
        n, m = self.n, self.m
        self.width = width + MAX_SPAN
        self.offset = np.asarray(starts[1 : n + 1], dtype=np.int64) - MAX_SPAN  # English index of column 0, per zh sentence
        S = np.zeros((n, self.width), dtype=np.float32)
        for r0 in range(0, n, BLOCK):
            r1 = min(n, r0 + BLOCK)
            lo = max(0, int(self.offset[r0:r1].min()))
            hi = min(m, int(self.offset[r0:r1].max()) + self.width)
            if hi <= lo:
                continue
            dots = _rows(self._X, r0, r1) @ _rows(self._Y, lo, hi).T
            for r in range(r0, r1):
                c0 = int(self.offset[r])
                a, z = max(c0, lo), min(c0 + self.width, hi)
                if z > a:
                    S[r, a - c0 : z - c0] = dots[r - r0, a - lo : z - lo]
        self._X = self._Y = None
        # One zero column past the band: a lookup beyond it (an earlier row's band ends sooner) reads 0.
        S = np.concatenate([S, np.zeros((n, 1), dtype=np.float32)], axis=1)
        self.dots = [S]
        for b in range(2, MAX_SPAN + 1):
            wider = self.dots[-1].copy()
            wider[:, b - 1 : self.width] += S[:, : self.width - b + 1]
            self.dots.append(wider)
        self._calibrate()

    def _calibrate(self) -> None:
        """Where cosines of good and of random pairs lie in this document pair.

        Raw cosines depend on the text (bags of dictionary glosses give 0.3-0.4
        for a right pair, embeddings 0.7-0.9), so the cost is rescaled per
        document, as Vecalign normalises by random pairs: the median of each
        row's best cosine stands for a good pair, the band's median cosine for
        a random one.
        """
        S, n = self.dots[0][:, : self.width], self.n
        cols = self.offset[:, None] + np.arange(self.width)[None, :]
        valid = (cols >= 0) & (cols < self.m)
        ny = np.zeros(cols.shape, dtype=np.float32)
        ny[valid] = self.y_norms[0][cols[valid] + 1]
        denom = np.sqrt(self.x_norms[0][1 : n + 1, None] * ny).astype(np.float32)
        ok = valid & (denom > 0)
        cos = np.full(cols.shape, np.nan, dtype=np.float32)
        cos[ok] = S[ok] / denom[ok]
        best = np.nanmax(np.where(ok, cos, -np.inf), axis=1) if n else np.array([])
        best = best[np.isfinite(best)]
        self.good = float(np.median(best)) if best.size else 1.0
        self.random = float(np.nanmedian(cos)) if ok.any() else 0.0
        if not self.good - self.random > 0.05:
            self.good, self.random = 1.0, 0.0  # no usable signal: plain cosine

    def cosine(self, i: int, a: int, b: int, js: np.ndarray) -> np.ndarray:
        """cos(zh[i-a:i] summed, en[j-b:j] summed) for every j in *js*."""
        # Every bead's English span lies at or right of each of its rows' band start (the band only moves
        # right), so a column is never negative; past the band it reads the zero column.
        table = self.dots[b - 1]
        dot = table[i - 1, np.minimum(js - 1 - self.offset[i - 1], self.width)].astype(np.float64)
        for r in range(i - a, i - 1):
            dot += table[r, np.minimum(js - 1 - self.offset[r], self.width)]
        # A side with no evidence has a zero vector, so its dot products are 0 too: cosine 0.
        return dot / np.maximum(self.x_lengths[a - 1][i] * self.y_lengths[b - 1][js], 1e-30)

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


def _self_dots(M: Vectors) -> np.ndarray:
    """Row k: [|M_k|^2, M_k.M_{k+1}, M_k.M_{k+2}] (0 past the end), a block of rows at a time."""
    n = M.shape[0]
    out = np.zeros((n, MAX_SPAN), dtype=np.float64)
    for r0 in range(0, n, BLOCK):
        r1 = min(n, r0 + BLOCK)
        rows = _rows(M, r0, min(n, r1 + MAX_SPAN - 1))  # and the next rows, for the neighbour products
        k = r1 - r0
        out[r0:r1, 0] = np.einsum("ij,ij->i", rows[:k], rows[:k])
        for d in range(1, MAX_SPAN):
            have = min(k, rows.shape[0] - d)
            if have > 0:
                out[r0 : r0 + have, d] = np.einsum("ij,ij->i", rows[:have], rows[d : d + have])
    return out


def _span_norms(self_dots: np.ndarray) -> list[np.ndarray]:
    """``out[w - 1][k]``: |rows k-w .. k-1 summed|^2 for spans of w = 1..MAX_SPAN rows (0 where the span starts before row 0)."""
    n = self_dots.shape[0]
    out = []
    for w in range(1, MAX_SPAN + 1):
        total = np.zeros(n + 1, dtype=np.float64)
        ends = np.arange(w, n + 1)
        acc = np.zeros(ends.shape, dtype=np.float64)
        for off in range(w):
            rows = ends - w + off
            acc += self_dots[rows, 0]
            for d in range(1, MAX_SPAN):
                if off + d < w:
                    acc += 2 * self_dots[rows, d]
        total[w:] = acc
        out.append(total)
    return out

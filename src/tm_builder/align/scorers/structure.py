"""Structural evidence: speaker labels, headings, questions and paragraphs.

Official texts carry structure a translation keeps: a speaker label
translates a speaker label, a heading a heading, a question a question, and
translators rarely move a sentence across a paragraph boundary.  Each
mismatch adds a fixed cost.  On presegmented input (one sentence per line)
only the question marks remain.
"""

from __future__ import annotations

import numpy as np

from .base import Scorer, Sentence

_QUESTION = ("?", "？", "?”", "?\"", "？”", "?'", "？’")


class StructureScorer(Scorer):
    name = "structure"

    def __init__(self, weight: float = 1.0, kind_mismatch: float = 4.0, question_mismatch: float = 0.6,
                 paragraph_crossing: float = 1.0) -> None:
        super().__init__(weight)
        self.kind_mismatch = kind_mismatch
        self.question_mismatch = question_mismatch
        self.paragraph_crossing = paragraph_crossing

    def prepare(self, zh: list[Sentence], en: list[Sentence]) -> None:
        def features(sentences: list[Sentence]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            special = np.array([s.kind in ("speaker", "heading") for s in sentences] + [False], dtype=bool)
            question = np.array([s.text.rstrip().endswith(_QUESTION) for s in sentences] + [False], dtype=bool)
            par = np.array([s.paragraph for s in sentences] + [-1], dtype=np.int64)
            return special, question, par

        self.zs, self.zq, self.zp = features(zh)
        self.es, self.eq, self.ep = features(en)
        self.zkind = [s.kind for s in zh]
        self.ekind = np.array([s.kind for s in en] + [""], dtype=object)
        self.has_paragraphs = len(set(self.zp[:-1].tolist())) > 1 or len(set(self.ep[:-1].tolist())) > 1

    def cost(self, i: int, a: int, b: int, js: np.ndarray) -> np.ndarray:
        out = np.zeros(js.shape, dtype=np.float64)
        # Speaker labels and headings go 1-1 with their own kind.
        zh_special = bool(self.zs[i - a : i].any())
        en_special = np.zeros(js.shape, dtype=bool)
        for c in range(1, b + 1):
            en_special |= self.es[js - c]
        if zh_special or en_special.any():
            ok = (a == 1) & (b == 1) & (self.ekind[js - 1] == self.zkind[i - 1]) if a == 1 and b == 1 else np.zeros(js.shape, dtype=bool)
            out += np.where((zh_special | en_special) & ~ok, self.kind_mismatch, 0.0)
        out += np.where(self.zq[i - 1] != self.eq[js - 1], self.question_mismatch, 0.0)
        if self.has_paragraphs:
            if a > 1 and self.zp[i - a] != self.zp[i - 1]:
                out += self.paragraph_crossing
            if b > 1:
                out += np.where(self.ep[js - b] != self.ep[js - 1], self.paragraph_crossing, 0.0)
            # A bead that closes a paragraph on one side should close it on the other.
            zh_closes = self.zp[i - 1] != self.zp[i]
            en_closes = self.ep[js - 1] != self.ep[js]
            out += np.where(zh_closes != en_closes, self.paragraph_crossing / 2, 0.0)
        return out

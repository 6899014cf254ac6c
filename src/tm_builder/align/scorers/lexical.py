"""Lexical evidence: CC-CEDICT glosses of the Chinese against English lemmas.

Both sides become bags of English lemmas (see :mod:`tm_builder.align.lexicon`),
weighted by inverse document frequency over the English document so that
names, numbers and rare words count more than "country" or "development",
hashed into a fixed number of dimensions and compared by cosine.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter


from ..lexicon import Lexicon, default_lexicon, en_tokens
from .base import Sentence
from .vector import SparseRows, VectorScorer

DIMENSIONS = 4096


def _bucket(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % DIMENSIONS


class LexicalScorer(VectorScorer):
    name = "lexical"

    def __init__(self, weight: float = 1.0, lexicon: Lexicon | None = None) -> None:
        super().__init__(weight)
        self._lexicon = lexicon

    def vectors(self, zh: list[Sentence], en: list[Sentence]) -> tuple[SparseRows, SparseRows]:
        lexicon = self._lexicon or default_lexicon()
        zh_bags = [set(lexicon.zh_tokens(s.text)) for s in zh]
        en_bags = [set(en_tokens(s.text)) for s in en]
        df: Counter[str] = Counter()
        for bag in en_bags:
            df.update(bag)
        m = max(len(en_bags), 1)

        def idf(token: str) -> float:
            # Tokens absent from the English cannot match; weight them low so they do not swamp the norm.
            count = df.get(token)
            return math.log(1 + m / count) if count else 0.3

        weights: dict[str, tuple[int, float]] = {}

        def matrix(bags: list[set[str]]) -> SparseRows:
            rows = []
            for bag in bags:
                row: dict[int, float] = {}
                for token in sorted(bag):  # a fixed order: colliding buckets sum the same way every run
                    if token not in weights:
                        weights[token] = (_bucket(token), idf(token))
                    bucket, weight = weights[token]
                    row[bucket] = row.get(bucket, 0.0) + weight
                rows.append(row)
            return SparseRows.of(rows, DIMENSIONS)

        return matrix(zh_bags), matrix(en_bags)

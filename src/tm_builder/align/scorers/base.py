"""One interface for every kind of alignment evidence.

The dynamic programme asks, for a bead of ``a`` Chinese and ``b`` English
sentences ending at Chinese sentence ``i`` (exclusive end), the cost for
every English end position ``j`` in the row's band at once.  A scorer turns
its evidence into such a cost vector (0 is perfect evidence; larger is
worse); the aligner adds the weighted costs of its scorers and the bead-type
prior.  Scorers see only :class:`Sentence` records, never another stage.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sentence:
    """What a scorer may know about a sentence."""

    text: str
    kind: str = "sentence"  # sentence, heading, speaker, byline
    paragraph: int = 0


class Scorer(ABC):
    """Evidence that a group of Chinese sentences translates a group of English ones."""

    #: name used in scorer sets and reports
    name: str = "base"

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    @abstractmethod
    def prepare(self, zh: list[Sentence], en: list[Sentence]) -> None:
        """Compute per-sentence features for one document pair."""

    def set_band(self, starts: np.ndarray, width: int) -> None:
        """The DP's band: row ``i`` covers English positions ``starts[i] .. starts[i] + width - 1``."""

    @abstractmethod
    def cost(self, i: int, a: int, b: int, js: np.ndarray) -> np.ndarray:
        """Cost of the bead zh[i-a:i] ~ en[j-b:j] for every j in *js* (all with j >= b)."""

"""The closed lists of names a user can pass, each defined once.

The CLI builds its choices from these tuples, and the library checks its
arguments against the same ones, so a new engine or quantization is added
in one place.  A leaf module: it imports nothing of the package.
"""

from __future__ import annotations

__all__ = ["DEVICES", "ENGINES", "LANGS", "MT_PLACES", "QUANTIZATIONS"]

#: drafting engines; ``auto`` picks the best installed one, ``none`` drafts nothing
ENGINES = ("auto", "ct2", "marian", "none")
#: CTranslate2 weight types of the converted model
QUANTIZATIONS = ("int8", "int8_float32", "int16", "float32")
#: document languages; ``auto`` detects
LANGS = ("auto", "zh", "en")
#: where machine drafts go in an OmegaT project: offered as machine matches, or inserted for post-editing
MT_PLACES = ("mt", "auto")
#: where drafting runs; ``auto`` is a GPU when the engine (or the Ray cluster) has one, else the CPU
DEVICES = ("cpu", "cuda", "auto")

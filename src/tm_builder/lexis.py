"""Word segmentation: jieba, loaded once, quietly, with its cache in a temp dir.

The extractor takes a :class:`Lexis` (a segmenter and its dictionary's
parts of speech and counts) as a parameter; :func:`jieba_lexis` is the
default, and ``bench/terms_eval.py`` passes pkuseg's segmentation instead.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Lexis", "jieba_lexis"]

_LOCK = threading.Lock()


@dataclass
class Lexis:
    """The segmenter and jieba's dictionary: part of speech and general-language counts."""

    cut: Callable[[str], list[str]]
    tags: dict[str, str]
    freq: dict[str, int]
    total: int


@lru_cache(maxsize=1)
def jieba_lexis() -> Lexis:
    with _LOCK:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jieba 0.42 has invalid escapes (SyntaxWarning on 3.12+)
            import jieba
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = tempfile.gettempdir()  # its 9 MB cache goes to the temp dir, nowhere else
        tokenizer.initialize()
        tags: dict[str, str] = {}
        with tokenizer.get_dict_file() as handle:
            for raw in handle:
                parts = raw.decode("utf-8").split()
                if len(parts) == 3:
                    tags[parts[0]] = parts[2]
        freq = {w: n for w, n in tokenizer.FREQ.items() if n}
        return Lexis(cut=lambda text: tokenizer.lcut(text, HMM=True), tags=tags, freq=freq, total=tokenizer.total)

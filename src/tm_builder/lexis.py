"""Chinese words: jieba, loaded once, quietly, with its cache in a temp dir, and the word-boundary test.

Two stages need to know where Chinese words are.  The term extractor takes
a :class:`Lexis` (a segmenter and its dictionary's parts of speech and
counts) as a parameter; :func:`jieba_lexis` is the default, and
``bench/terms_eval.py`` passes pkuseg's segmentation instead.  Glossary
matching asks :func:`whole_word` whether an occurrence of a term is a word
of its own there (外交部 is not one in 外交部门).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Lexis", "jieba_lexis", "whole_word"]

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


def whole_word(text: str, i: int, j: int, lex: Lexis | None = None) -> bool:
    """Is ``text[i:j]`` a word of its own there, not part of another one?

    Chinese has no spaces, so the segmenter decides, on a window around the
    occurrence: a known word that crosses an edge breaks the term when it
    holds the whole term and leaves a fragment (党组|织, 外交部|门), or when
    it takes part of a short term (公明党|组成, 越南|海).  A longer word made
    of the term and another word (党委书记, 东盟国家) does not, and neither
    does a crossing that only a long term has (民主生活会|上).
    """
    lex = lex or jieba_lexis()
    lo, hi = max(0, i - 6), min(len(text), j + 6)
    pos = lo
    for tok in lex.cut(text[lo:hi]):
        a, b = pos, pos + len(tok)
        pos = b
        if not (a < i < b or a < j < b) or lex.freq.get(tok, 0) < 5:
            continue
        if a <= i and j <= b:
            if all(not r or (len(r) >= 2 and r in lex.freq) for r in (text[a:i], text[j:b])):
                continue
            return False
        if j - i <= 3:
            return False
    return True

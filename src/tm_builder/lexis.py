"""Chinese words: jieba, loaded once, quietly, with its cache in a temp dir, and the word-boundary test.

Two stages need to know where Chinese words are.  The term extractor takes
a :class:`Lexis` (a segmenter and its dictionary's parts of speech and
counts) as a parameter; :func:`jieba_lexis` is the default, and
``bench/terms_eval.py`` passes pkuseg's segmentation instead.  Glossary
matching asks :func:`whole_word` whether an occurrence of a term is a word
of its own there (外交部 is not one in 外交部门).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Lexis", "jieba_lexis", "whole_word"]

_LOCK = threading.Lock()


@dataclass
class Lexis:
    """The segmenter and jieba's dictionary: part of speech and general-language counts."""

    cut: Callable[[str], list[str]]
    tags: Mapping[str, str]
    freq: Mapping[str, int]
    total: int


@lru_cache(maxsize=1)
def jieba_lexis() -> Lexis:
    """jieba with its dictionary read a word at a time from an indexed copy on disk.

    jieba's own start-up reads all 584,000 entries (words and their
    prefixes) and its part-of-speech file: 1.25 s of CPU before the first
    word, more than the rest of a short article's run.  The copy (SQLite,
    built once in tm-builder's cache folder) answers the lookups a text
    needs, so a text is cut exactly as jieba cuts it with the whole
    dictionary.  Without a usable cache folder, jieba loads as it always has.
    """
    with _LOCK:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jieba 0.42 has invalid escapes (SyntaxWarning on 3.12+)
            import jieba
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = tempfile.gettempdir()  # its 9 MB cache goes to the temp dir, nowhere else
        words = _Dictionary.open(tokenizer)
        if words is None:
            return _whole_jieba(tokenizer)
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = words.freq, words.total, True

        def cut(text: str) -> list[str]:
            words.cover(text)
            return tokenizer.lcut(text, HMM=True)

        return Lexis(cut=cut, tags=_Looked(words, words.tags), freq=_Looked(words, words.freq, counted=True), total=words.total)


def _whole_jieba(tokenizer) -> Lexis:
    tokenizer.initialize()
    tags = _tags(tokenizer)
    freq = {w: n for w, n in tokenizer.FREQ.items() if n}
    return Lexis(cut=lambda text: tokenizer.lcut(text, HMM=True), tags=tags, freq=freq, total=tokenizer.total)


def _tags(tokenizer) -> dict[str, str]:
    """Part of speech of each word of jieba's dictionary file (``word count tag`` lines)."""
    tags: dict[str, str] = {}
    with tokenizer.get_dict_file() as handle:
        for raw in handle:
            parts = raw.decode("utf-8").split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


#: bump when the copy's layout changes
_DICTIONARY_REVISION = 1
#: past this many strings looked up, the whole dictionary is read (an archive touches most of it anyway)
_LOOKUPS_BEFORE_WHOLE = 400_000


class _Dictionary:
    """jieba's dictionary on disk, and the part of it looked up so far.

    ``freq`` is what jieba's own ``FREQ`` holds for every string looked up
    (a prefix of a word with count 0, as jieba keeps them), ``tags`` the
    part of speech of those that have one, ``absent`` the strings that are
    neither word nor prefix.  :meth:`cover` looks up every string jieba's
    DAG can ask for in a text: at each position, longer and longer strings
    while they are still a word or a prefix.
    """

    def __init__(self, db: sqlite3.Connection, total: int) -> None:
        self.db, self.total = db, total
        self.freq: dict[str, int] = {}
        self.tags: dict[str, str] = {}
        self.absent: set[str] = set()
        self.whole = False
        self.lock = threading.Lock()

    @classmethod
    def open(cls, tokenizer) -> _Dictionary | None:
        from importlib.metadata import version

        from .textio import cache_dir

        path = cache_dir() / f"jieba{version('jieba')}-dictionary-r{_DICTIONARY_REVISION}.sqlite3"
        for attempt in range(2):
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
                total = int(db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()[0])
                return cls(db, total)
            except (sqlite3.Error, TypeError, ValueError):
                if attempt or not _build(tokenizer, path):
                    return None
        return None

    def cover(self, text: str) -> None:
        if self.whole:
            return
        with self.lock:
            starts = range(len(text))
            length = 1
            while starts:
                self._look_up({text[k : k + length] for k in starts})
                starts = [k for k in starts if k + length < len(text) and text[k : k + length] in self.freq]
                length += 1
            if len(self.freq) + len(self.absent) > _LOOKUPS_BEFORE_WHOLE:
                self._read_whole()

    def look_up(self, word: str) -> None:
        if not self.whole and word not in self.freq and word not in self.absent:
            with self.lock:
                self._look_up({word})

    def _look_up(self, strings: set[str]) -> None:
        todo = [s for s in strings if s not in self.freq and s not in self.absent]
        for at in range(0, len(todo), 20_000):
            chunk = todo[at : at + 20_000]
            query = "SELECT w, f, t FROM words WHERE w IN (SELECT value FROM json_each(?))"
            for w, f, t in self.db.execute(query, (json.dumps(chunk, ensure_ascii=False),)):
                self.freq[w] = f
                if t:
                    self.tags[w] = t
            self.absent.update(s for s in chunk if s not in self.freq)

    def _read_whole(self) -> None:
        for w, f, t in self.db.execute("SELECT w, f, t FROM words"):
            self.freq[w] = f
            if t:
                self.tags[w] = t
        self.absent.clear()
        self.whole = True


class _Looked(Mapping[str, Any]):
    """A read-only view of ``tags`` or ``freq`` that looks a word up on first use (a count of 0 is no word)."""

    def __init__(self, words: _Dictionary, table: dict[str, Any], counted: bool = False) -> None:
        self.words, self.table, self.counted = words, table, counted

    def __getitem__(self, key: str) -> Any:
        self.words.look_up(key)
        value = self.table[key]
        if self.counted and not value:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        self.words.look_up(key)
        value = self.table.get(key)
        return default if value is None or (self.counted and not value) else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        with self.words.lock:
            if not self.words.whole:
                self.words._read_whole()
        return iter([k for k, v in self.table.items() if v or not self.counted])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _build(tokenizer, path) -> bool:
    """Write the dictionary's copy (about 2 s, once); False where the cache folder cannot be written."""
    from pathlib import Path

    with tokenizer.get_dict_file() as handle:
        freq, total = tokenizer.gen_pfdict(handle)
    tags = _tags(tokenizer)
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
        db = sqlite3.connect(tmp)
        with db:
            db.execute("CREATE TABLE words (w TEXT PRIMARY KEY, f INTEGER NOT NULL, t TEXT) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            db.executemany("INSERT INTO words VALUES (?, ?, ?)", ((w, f, tags.get(w)) for w, f in sorted(freq.items())))
            db.execute("INSERT INTO meta VALUES ('total', ?)", (str(total),))
        db.close()
        os.replace(tmp, path)
        return True
    except (OSError, sqlite3.Error):
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


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

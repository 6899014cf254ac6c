"""The glossary model: fixed renderings that every draft must obey.

A translation team's glossary is a set of decisions, not statistics: a
reviewer approves 小院高墙 → "small yard, high fence" once and every later
draft uses it; a rejected candidate never comes back.  This module holds the
data (:class:`Term`, :class:`Glossary`, statuses), term matching in source
text and the checks of a target against the approved renderings: the ground
floor that engines and formats use.  What a run does with a glossary
(curated loading, proposals, merging, QA) is :mod:`.workflow`; files are
:mod:`tm_builder.formats.termbase`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from ..chars import HAN_CHAR
from ..units import TermCheck

__all__ = [
    "KINDS", "Glossary", "Status", "Term", "TermMatch", "TermOrigin", "check_terms", "exact_rendering", "honoured",
    "split_variants",
]

KINDS = ("formulation", "concept", "initiative", "organization", "document", "event", "title", "name", "other")


class Status(str, Enum):
    """A reviewer's decision.  ``approved`` terms are enforced in drafts."""

    APPROVED = "approved"
    CANDIDATE = "candidate"
    REJECTED = "rejected"


class TermOrigin(str, Enum):
    """Where a term's target came from, best first (a unit's origin is :class:`tm_builder.units.Origin`).

    ``curated``: the shipped glossary; ``reviewed``: a person's decision in a
    merged CSV; ``aligned``: mined from aligned human translations; ``mt``: a
    machine draft of the term (needs review); ``none``: no rendering yet.
    """

    CURATED = "curated"
    REVIEWED = "reviewed"
    ALIGNED = "aligned"
    MT = "mt"
    NONE = "none"


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    ``variants`` are other accepted renderings (a reviewer's knowledge, shown
    in CAT tools); drafts are held to ``target`` alone, so the same term is
    rendered one way.  The statistics (``frequency``, ``documents``,
    examples) say where the term was seen, to help a reviewer decide.
    """

    source: str
    target: str = ""
    kind: str = ""
    status: Status = Status.CANDIDATE
    origin: TermOrigin = TermOrigin.NONE
    variants: tuple[str, ...] = ()
    frequency: int = 0
    documents: tuple[str, ...] = ()
    example_source: str = ""
    example_target: str = ""
    note: str = ""

    @property
    def enforced(self) -> bool:
        """Approved with a target: drafts must contain the target."""
        return self.status is Status.APPROVED and bool(self.target)


@dataclass(frozen=True)
class TermMatch:
    """An occurrence of a term in a source text (character offsets)."""

    term: Term
    start: int
    end: int


@dataclass
class Glossary:
    """Terms by source, in a stable order (the order they were added)."""

    terms: dict[str, Term] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._matcher: _Matcher | None = None

    @classmethod
    def of(cls, terms: Iterable[Term]) -> "Glossary":
        """A glossary of *terms*; a later entry for the same source replaces an earlier one."""
        glossary = cls()
        for term in terms:
            glossary.add(term)
        return glossary

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, source: object) -> bool:
        return source in self.terms

    def get(self, source: str) -> Term | None:
        return self.terms.get(source)

    def add(self, term: Term) -> None:
        self.terms[term.source] = term
        self._matcher = None

    def enforced(self) -> "Glossary":
        """The approved terms with a target: what drafts must obey."""
        return Glossary.of(t for t in self if t.enforced)

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The enforced terms as ``(source, target)``: what engines enforce and the aligner takes as evidence."""
        return tuple((t.source, t.target) for t in self if t.enforced)

    def find(self, text: str) -> list[TermMatch]:
        """Terms occurring in *text*, longest first, never overlapping, in text order, as whole words.

        Longest-first matters: in 一带一路倡议 the term is "Belt and Road
        Initiative", not 一带一路 "Belt and Road" plus a stray 倡议.  Whole
        words matter as much: 外交部 "Ministry of Foreign Affairs" must not be
        enforced in 外交部门 "foreign affairs departments"
        (:func:`tm_builder.lexis.whole_word`).
        """
        if self._matcher is None:
            self._matcher = _Matcher(self.terms)
        return self._matcher.find(text)


class _Matcher:
    """Longest-match scanning over a dictionary of sources, by first character."""

    def __init__(self, terms: dict[str, Term]) -> None:
        self.terms = terms
        self.by_first: dict[str, list[str]] = {}
        for source in terms:
            if source:
                self.by_first.setdefault(source[0], []).append(source)
        for sources in self.by_first.values():
            sources.sort(key=lambda s: (-len(s), s))

    def find(self, text: str) -> list[TermMatch]:
        found: list[TermMatch] = []
        i = 0
        while i < len(text):
            for source in self.by_first.get(text[i], ()):
                if text.startswith(source, i) and _whole(text, i, i + len(source)):
                    found.append(TermMatch(self.terms[source], i, i + len(source)))
                    i += len(source)
                    break
            else:
                i += 1
        return found


def _whole(text: str, start: int, end: int) -> bool:
    """An occurrence that is a word of its own: not inside a Latin word, not inside a longer Chinese one."""
    if _inside_latin_word(text, start, end):
        return False
    if not HAN_CHAR.search(text, start, end):
        return True
    from ..lexis import whole_word  # jieba loads on the first Chinese match, not at import

    return whole_word(text, start, end)


def _inside_latin_word(text: str, start: int, end: int) -> bool:
    """A term such as "5G" must not match inside "5GW"."""

    def latin(c: str) -> bool:
        return c.isascii() and c.isalnum()

    return (start > 0 and latin(text[start - 1]) and latin(text[start])) or (
        end < len(text) and latin(text[end]) and latin(text[end - 1])
    )


def split_variants(value: str) -> tuple[str, ...]:
    """``a | b`` → ``("a", "b")``: a pipe, since renderings contain commas."""
    return tuple(v.strip() for v in value.split("|") if v.strip())


# -- checking targets ------------------------------------------------------------------------


def honoured(target_text: str, rendering: str) -> bool:
    """Does *target_text* contain *rendering* as whole words?

    Whitespace may differ and the first letter may be capitalised (a term
    that opens a sentence), nothing else: "Global Southern" does not honour
    "Global South", and "One Belt, One Road" does not honour "Belt and Road".
    """
    words = rendering.split()
    if not words:
        return True
    first = words[0]
    head = f"[{re.escape(first[0].upper())}{re.escape(first[0].lower())}]{re.escape(first[1:])}"
    body = r"\s+".join([head, *(re.escape(w) for w in words[1:])])
    edge_l = r"(?<![A-Za-z0-9])" if first[0].isalnum() else ""
    edge_r = r"(?![A-Za-z0-9])" if words[-1][-1].isalnum() else ""
    return re.search(edge_l + body + edge_r, target_text) is not None


def check_terms(source: str, target: str, glossary: Glossary) -> tuple[TermCheck, ...]:
    """One check per enforced term found in *source* (first occurrence of each), in source order."""
    checks: dict[str, TermCheck] = {}
    for match in glossary.find(source):
        term = match.term
        if term.enforced and term.source not in checks:
            checks[term.source] = TermCheck(term.source, term.target, honoured(target, term.target))
    return tuple(checks.values())


#: what may surround a whole-segment term: speaker colons, quotes, brackets, spaces
_WRAPPING = " \t\u3000“”‘’\"'《》〈〉「」『』【】()（）"
_COLON = {"：": ":", ":": ":"}


def exact_rendering(text: str, glossary: Glossary) -> str | None:
    """The glossary's translation of a segment that *is* an enforced term (speaker labels, headings).

    ``王毅：`` with 王毅 → "Wang Yi" gives ``Wang Yi:``; anything else in the
    segment means it is not an exact match and the model drafts it.
    """
    core = text.strip()
    colon = ""
    if core and core[-1] in _COLON:
        colon, core = _COLON[core[-1]], core[:-1]
    core = core.strip(_WRAPPING)
    term = glossary.get(core)
    if term is None or not term.enforced:
        return None
    return term.target + colon



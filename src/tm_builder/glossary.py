"""The glossary: fixed renderings that every draft must obey.

A translation team's glossary is a set of decisions, not statistics: a
reviewer approves 小院高墙 → "small yard, high fence" once and every later
draft uses it; a rejected candidate never comes back.  This module holds the
data model (:class:`Term`, :class:`Glossary`), the curated glossary shipped
in ``glossary/*.csv`` (approved by construction), the merge that keeps human
decisions across re-runs, and term matching in source text.  Reading and
writing files is :mod:`tm_builder.formats.termbase`; finding candidates is
:mod:`tm_builder.terms`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .units import TermCheck

if TYPE_CHECKING:  # the extractor's data classes, at the seam between the two stages
    from .terms import Candidate, Rendering

__all__ = [
    "KINDS", "Glossary", "TermOrigin", "Status", "Term", "TermMatch", "check_terms", "curated_dir", "exact_rendering",
    "honoured", "load_curated", "merge", "propose",
]

#: what ``kind`` may say
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

    def find(self, text: str) -> list[TermMatch]:
        """Terms occurring in *text*, longest first, never overlapping, in text order.

        Longest-first matters: in 一带一路倡议 the term is "Belt and Road
        Initiative", not 一带一路 "Belt and Road" plus a stray 倡议.
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
                if text.startswith(source, i) and not _inside_latin_word(text, i, i + len(source)):
                    found.append(TermMatch(self.terms[source], i, i + len(source)))
                    i += len(source)
                    break
            else:
                i += 1
        return found


def _inside_latin_word(text: str, start: int, end: int) -> bool:
    """A term such as "5G" must not match inside "5GW"."""

    def latin(c: str) -> bool:
        return c.isascii() and c.isalnum()

    return (start > 0 and latin(text[start - 1]) and latin(text[start])) or (
        end < len(text) and latin(text[end]) and latin(text[end - 1])
    )


# -- the curated glossary -------------------------------------------------------


def curated_dir() -> Path:
    """The shipped glossary: ``$TM_BUILDER_GLOSSARY_DIR`` if set, else the package's copy of ``glossary/``."""
    explicit = os.environ.get("TM_BUILDER_GLOSSARY_DIR")
    return Path(explicit) if explicit else Path(__file__).with_name("curated")


CURATED_COLUMNS = ("source", "target", "variants", "kind", "note")


def load_curated(directory: str | os.PathLike[str] | None = None) -> Glossary:
    """Every ``*.csv`` of the curated glossary, as approved terms (files in name order).

    A malformed file is an error naming the file and line: a curated
    glossary that silently loses rows would silently stop enforcing them.
    """
    folder = Path(directory) if directory is not None else curated_dir()
    terms: list[Term] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) [: len(CURATED_COLUMNS)] != CURATED_COLUMNS:
                raise InputError(f"{path}: the header must start with {','.join(CURATED_COLUMNS)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                source, target = (row["source"] or "").strip(), (row["target"] or "").strip()
                if not source or not target:
                    raise InputError(f"{where}: source and target must not be empty")
                kind = (row["kind"] or "").strip()
                if kind not in KINDS:
                    raise InputError(f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
                if source in seen:
                    raise InputError(f"{where}: {source} is already defined in {seen[source]}")
                seen[source] = where
                terms.append(
                    Term(
                        source, target, kind, Status.APPROVED, TermOrigin.CURATED,
                        variants=split_variants(row["variants"] or ""), note=(row["note"] or "").strip(),
                    )
                )
    return Glossary.of(terms)


def split_variants(value: str) -> tuple[str, ...]:
    """``a | b`` → ``("a", "b")``: a pipe, since renderings contain commas."""
    return tuple(v.strip() for v in value.split("|") if v.strip())


# -- merging ------------------------------------------------------------------------


def merge(reviewed: Glossary, proposed: Sequence[Term]) -> Glossary:
    """Fold this run's *proposed* terms into a *reviewed* glossary.

    Human decisions win, always: a row of *reviewed* keeps its target, kind,
    status, variants and note whatever this run proposes (an approved
    target is never overwritten, a rejected term never re-proposed).  A
    candidate the reviewer left undecided also keeps its target, since it
    may have been edited.  Only the statistics grow: documents are united
    and occurrences in documents the row had not seen are added, so
    re-running on the same documents changes nothing.  New terms are
    appended in the order given.
    """
    out = Glossary.of(reviewed)
    for term in proposed:
        old = out.get(term.source)
        if old is None:
            out.add(term)
            continue
        seen, now = set(old.documents), set(term.documents)
        if now <= seen:
            frequency = old.frequency  # the same documents again: already counted
        elif not now & seen:
            frequency = old.frequency + term.frequency
        else:
            frequency = max(old.frequency, term.frequency)  # partly counted already: a lower bound
        out.add(
            replace(
                old,
                frequency=frequency,
                documents=tuple(sorted({*old.documents, *term.documents})),
                example_source=old.example_source or term.example_source,
                example_target=old.example_target or (term.example_target if term.target == old.target else ""),
            )
        )
    return out


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


# -- proposals from extracted candidates ---------------------------------------------------------------


def propose(
    candidates: Sequence["Candidate"],
    known: Glossary,
    *,
    aligned: Mapping[str, "Rendering"] | None = None,
    drafts: Mapping[str, str] | None = None,
    example_targets: Mapping[str, str] | None = None,
) -> list[Term]:
    """Glossary rows for extracted *candidates*, a rendering for each where there is one.

    Renderings in priority order, each recording its origin: a decision in
    *known* (the curated glossary and any reviewed files: approved targets
    and rejections stand as they are); the English n-gram *aligned* human
    translations give evidence for; the machine draft of the term in
    *drafts* (a candidate that needs review); else no target.
    *example_targets* maps an example source segment to its translation.
    """
    aligned, drafts, example_targets = aligned or {}, drafts or {}, example_targets or {}
    out = []
    for c in candidates:
        stats = dict(
            frequency=c.frequency, documents=c.documents, example_source=c.example,
            example_target=example_targets.get(c.example, ""),
        )
        decided = known.get(c.source)
        if decided is not None and decided.status is not Status.CANDIDATE:
            out.append(replace(decided, **stats))
        elif c.source in aligned:
            r = aligned[c.source]
            out.append(Term(c.source, r.target, c.kind or "", Status.CANDIDATE, TermOrigin.ALIGNED, **{
                **stats, "example_target": stats["example_target"] or r.example_target}))
        elif drafts.get(c.source):
            out.append(Term(c.source, drafts[c.source], c.kind or "", Status.CANDIDATE, TermOrigin.MT, **stats,
                            note="machine draft of the term: needs review"))
        else:
            out.append(Term(c.source, "", c.kind or "", Status.CANDIDATE, TermOrigin.NONE, **stats))
    return out

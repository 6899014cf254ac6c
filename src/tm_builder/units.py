"""The data model shared by every stage.

A :class:`Segment` is what the segmenter finds in a source document; a
:class:`TranslationUnit` pairs a source segment with a target and says where the
target came from.  Units are the one currency between stages: aligners and
engines produce them, writers in :mod:`tm_builder.formats` serialise them, and
readers give back exactly the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class SegmentKind(str, Enum):
    """What a segment is in the document's structure.

    Translators treat these differently (a speaker label is not a sentence),
    and later stages use them as alignment anchors.
    """

    SENTENCE = "sentence"
    HEADING = "heading"
    SPEAKER = "speaker"
    BYLINE = "byline"


class Origin(str, Enum):
    """Where a unit's target text came from.

    ``aligned``: an existing human translation matched by the aligner;
    ``mt``: a machine draft; ``tm``: reused from a translation memory;
    ``human``: written or confirmed by a person; ``glossary``: the whole
    segment is an approved glossary term (a speaker label, a heading);
    ``none``: no target yet.
    """

    ALIGNED = "aligned"
    MT = "mt"
    TM = "tm"
    HUMAN = "human"
    GLOSSARY = "glossary"
    NONE = "none"


@dataclass(frozen=True)
class Segment:
    """One translatable piece of a repaired paragraph.

    ``start``/``end`` are offsets into the repaired paragraph text, and
    ``space_after`` is the whitespace between this segment and the next, so
    ``"".join(s.text + s.space_after for s in paragraph.segments)`` gives the
    paragraph back exactly.
    """

    text: str
    kind: SegmentKind
    document: str
    paragraph: int
    index: int
    start: int
    end: int
    space_after: str = ""
    line: int = 0  # 1-based line of the source file where the paragraph starts


@dataclass(frozen=True)
class Paragraph:
    """A paragraph after layout repair, with its segments.

    ``pieces`` counts the raw paragraphs joined into this one; more than one
    means layout repair mended a break.
    """

    document: str
    index: int
    text: str
    segments: tuple[Segment, ...]
    line: int = 0
    pieces: int = 1


@dataclass(frozen=True)
class Document:
    """A segmented source document."""

    name: str
    lang: str
    paragraphs: tuple[Paragraph, ...]
    #: continuation markers such as "(上接第三版)" that were dropped
    dropped: tuple[str, ...] = ()

    @property
    def segments(self) -> list[Segment]:
        return [s for p in self.paragraphs for s in p.segments]

    @property
    def repaired(self) -> int:
        """How many layout breaks were mended (joins, not paragraphs)."""
        return sum(p.pieces - 1 for p in self.paragraphs)


@dataclass(frozen=True)
class TermCheck:
    """An approved glossary term found in a unit's source, and whether the target uses its rendering.

    For machine drafts ``honoured`` is always true (the engine enforces it);
    for aligned human translations a false one is a QA warning: the human
    text is never rewritten.
    """

    source: str
    target: str
    honoured: bool

    def __str__(self) -> str:
        return f"{self.source} => {self.target} ({'honoured' if self.honoured else 'missing'})"

    @classmethod
    def parse(cls, text: str) -> "TermCheck":
        """The inverse of ``str()``, for the format readers."""
        body, sep, state = text.strip().rpartition(" (")
        source, arrow, target = body.partition(" => ")
        if not (sep and arrow and state in ("honoured)", "missing)")):
            raise ValueError(f"not a term check: {text!r}")
        return cls(source, target, state == "honoured)")


#: how every format writes a review flag: a note of its own, after the others
REVIEW_NOTE = "needs review: "


def split_review(notes: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """Notes as a format reads them back: the notes for people, and the review flag (``None``: none)."""
    flags = [n[len(REVIEW_NOTE):] for n in notes if n.startswith(REVIEW_NOTE)]
    return tuple(n for n in notes if not n.startswith(REVIEW_NOTE)), "; ".join(flags) or None


@dataclass(frozen=True)
class TranslationUnit:
    """A source segment, its target (possibly empty) and the target's provenance.

    ``score`` is the confidence of whoever produced the target (alignment
    score, MT model score), or ``None`` when there is none.  ``document``,
    ``paragraph`` and ``index`` locate the source so repeated sentences stay
    apart and a reviewer can find them.  ``problem`` says why the target
    must be looked at before it is trusted (a degenerate draft, a glossary
    term the draft misses), ``None`` when nothing is known to be wrong;
    ``notes`` are what happened, for people.
    """

    source: str
    target: str = ""
    origin: Origin = Origin.NONE
    score: float | None = None
    model: str | None = None
    document: str = ""
    paragraph: int = 0
    index: int = 0
    kind: SegmentKind = SegmentKind.SENTENCE
    line: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: approved glossary terms in the source, and whether the target honours each
    terms: tuple[TermCheck, ...] = field(default_factory=tuple)
    problem: str | None = None
    #: whether a person confirmed the target, where a file says so against what the origin implies
    #: (a reviewer removed PO's ``fuzzy`` flag from a draft; a CAT tool's TMX); ``None``: the origin decides
    confirmed: bool | None = None
    #: what another tool recorded about the unit (a TMX's ``creationid``, ``changedate``, its own props), as read
    properties: tuple[tuple[str, str], ...] = ()

    def written_notes(self) -> tuple[str, ...]:
        """The notes as every format writes them: the review flag, if any, last (see :func:`split_review`)."""
        return self.notes + ((REVIEW_NOTE + self.problem,) if self.problem else ())

    @property
    def key(self) -> str:
        """A stable identifier: ``document:paragraph:index``."""
        return f"{self.document}:{self.paragraph}:{self.index}"

    @classmethod
    def from_segment(cls, segment: Segment) -> "TranslationUnit":
        """An untranslated unit for *segment*."""
        return cls(
            source=segment.text,
            document=segment.document,
            paragraph=segment.paragraph,
            index=segment.index,
            kind=segment.kind,
            line=segment.line,
        )

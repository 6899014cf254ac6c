"""The document a translator opens in a CAT tool: ``<stem>.source.txt``.

A CAT tool segments the file it is given with its own rules, and a memory
unit only gives an exact match for a segment with the same text.  Given the
raw article (page-layout breaks, ``(上接第三版)`` markers, ``**王毅:**``
labels glued to their sentence) no rules could give back our units.  So we
hand over the repaired text: one paragraph per line (and an empty line
after each), headings and speaker labels on lines of their own, markup and
markers gone, in document order.

Within a paragraph our sentence boundaries and a CAT tool's default rules
sometimes differ (OmegaT never breaks after ``。”`` followed by more text, nor
after a half-width ``?``).  Where a tool would *join* two of our segments, the
line is broken there, so a paragraph is sometimes two lines; a tool never
splits a line at a line end, so its segments are ours.  Which breaks are
needed is decided by applying the SRX rules of :mod:`tm_builder.srx`: the
default rules of OmegaT (the CAT tool we can run) and our own, which we ship
for projects that segment the next article as we do.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..srx import Rule, cat_default_rules, is_java_space, our_rules, split
from ..textio import atomic_write
from ..units import Document, Segment, SegmentKind
from .base import xml_safe

__all__ = ["cat_lines", "write_source_text"]


def _line(text: str) -> str:
    # Exactly the text the TMX carries: characters XML cannot hold are dropped there, so here too.
    return xml_safe(" ".join(text.splitlines()))


def _joined(group: Sequence[Segment]) -> str:
    # A no-break space between two sentences would stay on the next CAT segment: write a plain one.
    gaps = [s.space_after if is_java_space(s.space_after) else " " for s in group[:-1]]
    return "".join(_line(s.text) + gap for s, gap in zip(group, gaps)) + _line(group[-1].text)


def _holds(group: Sequence[Segment], rule_sets: Sequence[tuple[Rule, ...]]) -> bool:
    """Do all *rule_sets* segment the joined *group* into exactly its segments?"""
    text = _joined(group)
    wanted = [_line(s.text) for s in group]
    return all(split(text, rules) == wanted for rules in rule_sets)


def _rule_sets(lang: str) -> list[tuple[Rule, ...]]:
    tag = "zh-CN" if lang == "zh" else lang
    return [r for r in (cat_default_rules().for_language(tag), our_rules().for_language(tag)) if r]


def cat_lines(document: Document, rule_sets: Iterable[tuple[Rule, ...]] | None = None) -> list[list[str]]:
    """The lines of ``<stem>.source.txt``, paragraph by paragraph: one line each, broken only where a CAT tool would join.

    Headings, speaker labels and bylines always get a line of their own: a
    label is its own unit, and no CAT tool's rules know where it ends.
    """
    rules = list(rule_sets) if rule_sets is not None else _rule_sets(document.lang)
    return [_paragraph_lines(paragraph.segments, rules) for paragraph in document.paragraphs]


def _paragraph_lines(segments: Sequence[Segment], rules: Sequence[tuple[Rule, ...]]) -> list[str]:
    lines: list[str] = []
    group: list[Segment] = []
    for segment in segments:
        prose = segment.kind is SegmentKind.SENTENCE
        if group and prose and group[-1].kind is SegmentKind.SENTENCE and _holds([*group, segment], rules):
            group.append(segment)
            continue
        if group:
            lines.append(_joined(group))
        group = [segment]
    if group:
        lines.append(_joined(group))
    return lines


def write_source_text(document: Document, path: str | os.PathLike[str]) -> None:
    """Write *document*'s repaired text, laid out by :func:`cat_lines`, as UTF-8 (atomically).

    Every line is followed by an empty one: text filters (OmegaT's by
    default, Trados's and memoQ's plain-text filters) end a paragraph at an
    empty line and keep a single line break *inside* the segment, so a
    label and its answer on consecutive lines would be one segment.
    """
    lines = [line for paragraph in cat_lines(document) for line in paragraph]
    with atomic_write(path, newline="\n") as out:
        out.write("\n\n".join(lines) + "\n")

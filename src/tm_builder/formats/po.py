"""gettext PO through polib, for teams that review in Poedit, Weblate or Lokalize.

The layout follows gettext's, so ``msgmerge`` carries translations over when
an article changes:

* one entry per distinct source: a sentence that repeats with the same target
  and provenance is one entry with a ``#:`` reference per occurrence, as
  ``xgettext`` would write it;
* ``msgctxt`` only where the same source needs two entries (two translations,
  or the same translation with different provenance).  The context is
  ``variant N``, the order in which that source's variants first occur, so
  edits elsewhere in the document leave it alone.  Positional contexts
  (``document:paragraph:index``, as earlier versions wrote) made every entry
  after an inserted paragraph new to ``msgmerge``, and it kept none of them;
* ``#.`` comments carry provenance (origin, kind, score, model, notes, terms)
  and one ``position: document:paragraph:index (line N)`` per occurrence, so
  the reader gives back every unit, in the writer's order; ``#:`` points at the
  source line; ``#, fuzzy`` marks every target a human has not confirmed.

The reader sorts units into document order when an entry holds several
occurrences; the writer merges repeats only where that order is the one it was
given (otherwise every unit gets an entry of its own, repeats a context).
With no targets the file is a usable template.  Output passes ``msgfmt -c``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timezone
from typing import TypeVar

import polib

from ..errors import FormatError
from ..textio import atomic_write
from ..units import Origin, SegmentKind, TermCheck, TranslationUnit
from .base import MemoryHeader, format_score, needs_review, parse_score, read_notes

__all__ = ["read_po", "write_po"]

_DATE_FORMAT = "%Y-%m-%d %H:%M%z"

#: a ``#. position:`` comment: where one occurrence of the entry's source is
_POSITION = re.compile(r"(?P<document>.*):(?P<paragraph>\d+):(?P<index>\d+)(?: \(line (?P<line>\d+)\))?")

_T = TypeVar("_T")


def _po_lang(tag: str) -> str:
    """BCP-47 ``zh-CN`` to gettext's ``zh_CN``."""
    return tag.replace("-", "_")


def _match_newlines(msgid: str, msgstr: str) -> str:
    """Give *msgstr* the leading/trailing newline *msgid* has: ``msgfmt -c`` requires it."""
    if not msgstr:
        return msgstr
    core = msgstr.strip("\n")
    return ("\n" if msgid.startswith("\n") else "") + core + ("\n" if msgid.endswith("\n") else "")


def _reference(document: str) -> str:
    """A file name for a ``#:`` line: gettext 0.22 wraps names with spaces in U+2068/U+2069."""
    name = " ".join(document.split())
    return f"\u2068{name}\u2069" if " " in name else name


def _position(unit: TranslationUnit) -> str:
    """The ``position:`` comment of one occurrence (see :data:`_POSITION`)."""
    text = f"position: {unit.document}:{unit.paragraph}:{unit.index}"
    return text + (f" (line {unit.line})" if unit.line else "")


def _located(unit: TranslationUnit) -> bool:
    return bool(unit.document or unit.paragraph or unit.index or unit.line)


def _document_order(groups: Sequence[Sequence[_T]], where: Callable[[_T], tuple[str, int, int]]) -> list[_T]:
    """The items of *groups* (entries, each with its occurrences) in document order.

    Documents in the order they first appear, then paragraph and index; ties
    keep file order.  The reader orders units so, and the writer checks that
    this gives back what it was given before it merges repeats.
    """
    flat = [item for group in groups for item in group]
    rank: dict[str, int] = {}
    for item in flat:
        rank.setdefault(where(item)[0], len(rank))
    return sorted(flat, key=lambda item: (rank[where(item)[0]], *where(item)[1:]))


def _entries(units: Sequence[TranslationUnit]) -> list[tuple[str | None, list[TranslationUnit]]]:
    """The PO entries for *units*: a context (``None``: none) and the units each stands for.

    Units with the same source and the same everything but position are one
    entry; a source's other variants get ``variant 2``, ``variant 3``, ...
    in the order they first occur.
    """
    variants: dict[tuple[str, TranslationUnit], list[int]] = {}
    for i, unit in enumerate(units):
        variant = replace(unit, document="", paragraph=0, index=0, line=0)
        variants.setdefault((unit.source, variant), []).append(i)
    groups = list(variants.values())
    if _document_order(groups, lambda i: (units[i].document, units[i].paragraph, units[i].index)) != list(range(len(units))):
        groups = [[i] for i in range(len(units))]  # not in document order: merging would reorder them
    seen: dict[str, int] = {}
    entries: list[tuple[str | None, list[TranslationUnit]]] = []
    for group in groups:
        source = units[group[0]].source
        seen[source] = seen.get(source, 0) + 1
        entries.append((f"variant {seen[source]}" if seen[source] > 1 else None, [units[i] for i in group]))
    return entries


def write_po(units: list[TranslationUnit], path: str | os.PathLike[str], header: MemoryHeader | None = None) -> None:
    """Write *units* to *path* as a PO file (atomically)."""
    header = header or MemoryHeader()
    po = polib.POFile(wrapwidth=0)
    date = header.created.astimezone(timezone.utc).strftime(_DATE_FORMAT)
    documents = sorted({u.document for u in units if u.document})
    po.metadata = {
        "Project-Id-Version": ", ".join(documents) or "tm-builder",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": date,
        "PO-Revision-Date": date,
        "Last-Translator": f"{header.tool} {header.tool_version}",
        "Language-Team": "",
        "Language": _po_lang(header.tgtlang),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"{header.tool} {header.tool_version}",
        "X-Source-Language": _po_lang(header.srclang),
    }
    for key, value in header.properties:
        po.metadata[f"X-TM-Builder-{key}"] = value
    for context, occurrences in _entries(units):
        unit = occurrences[0]
        comments = [f"origin: {unit.origin.value}", f"kind: {unit.kind.value}"]
        if unit.score is not None:
            comments.append(f"score: {format_score(unit.score)}")
        if unit.model:
            comments.append(f"model: {unit.model}")
        comments.extend(f"note: {' '.join(note.splitlines())}" for note in unit.written_notes())
        comments.extend(f"term: {check}" for check in unit.terms)
        if len(occurrences) > 1 or _located(unit):
            comments.extend(_position(u) for u in occurrences)
        references = [(_reference(u.document), str(u.line) if u.line else "") for u in occurrences if u.document]
        entry = polib.POEntry(
            msgctxt=context,
            msgid=unit.source,
            msgstr=_match_newlines(unit.source, unit.target),
            comment="\n".join(comments),
            occurrences=list(dict.fromkeys(references)),
            flags=["fuzzy"] if needs_review(unit) else [],
        )
        po.append(entry)
    with atomic_write(path, newline="\n") as out:
        out.write(str(po))


def read_po(path: str | os.PathLike[str]) -> tuple[list[TranslationUnit], MemoryHeader]:
    """Read a PO file into units and its header.

    An entry gives one unit per ``#. position:`` comment (one unit when it
    has none), and when any entry gives several, units come back in document
    order (see :func:`_document_order`), else in file order.  Entries from
    other tools (no ``origin:`` comment), and translated entries whose
    comments say ``origin: none`` (a template's, after ``msgmerge``), count as
    ``human`` when translated and confirmed, ``tm`` when fuzzy, ``none`` when
    empty.  Files in the earlier layout (positions in ``msgctxt``) read too.
    """
    try:
        po = polib.pofile(os.fspath(path), wrapwidth=0)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: not a readable PO file ({exc})") from None
    meta = po.metadata
    header = MemoryHeader(
        srclang=meta.get("X-Source-Language", "zh_CN").replace("_", "-"),
        tgtlang=meta.get("Language", "en").replace("_", "-"),
        properties=tuple(sorted((k.removeprefix("X-TM-Builder-"), v) for k, v in meta.items() if k.startswith("X-TM-Builder-"))),
        tool_version=(meta.get("X-Generator", "").split(" ") + [""])[1],
    )
    groups: list[list[TranslationUnit]] = []
    for entry in po:
        if entry.obsolete:
            continue
        try:
            groups.append(_units(entry))
        except ValueError as exc:
            raise FormatError(f"{path}: entry {entry.msgctxt or entry.msgid[:20]!r}: {exc}") from None
    if any(len(group) > 1 for group in groups):
        return _document_order(groups, lambda u: (u.document, u.paragraph, u.index)), header
    return [unit for group in groups for unit in group], header


def _units(entry: polib.POEntry) -> list[TranslationUnit]:
    """The units of one entry: ``#.`` comments carry tm-builder's provenance and positions (absent in other tools' PO)."""
    info: dict[str, str] = {}
    notes: list[str] = []
    terms: list[str] = []
    positions: list[tuple[str, int, int, int]] = []
    for line in (entry.comment or "").splitlines():
        key, _, value = line.partition(": ")
        if key == "note":
            notes.append(value)
        elif key == "term":
            terms.append(value)
        elif key == "position":
            found = _POSITION.fullmatch(value)
            if found is None:
                raise ValueError(f"not a position: {value!r}")
            positions.append((found["document"], int(found["paragraph"]), int(found["index"]), int(found["line"] or 0)))
        elif key in ("origin", "kind", "score", "model", "line"):
            info[key] = value
    if not positions:
        # other tools' PO, or tm-builder's earlier layout: msgctxt "document:paragraph:index" and a "line:" comment
        document, paragraph, index = "", 0, 0
        parts = (entry.msgctxt or "").rsplit(":", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            document, paragraph, index = parts[0], int(parts[1]), int(parts[2])
        if entry.occurrences and not document:
            document = entry.occurrences[0][0].strip("\u2068\u2069")
        positions.append((document, paragraph, index, int(info["line"]) if info.get("line", "").isdigit() else 0))
    if "origin" in info and not (info["origin"] == Origin.NONE.value and entry.msgstr):
        origin = Origin(info["origin"])
    elif not entry.msgstr:
        origin = Origin.NONE
    else:
        origin = Origin.TM if "fuzzy" in entry.flags else Origin.HUMAN
    unit = TranslationUnit(
        source=entry.msgid,
        target=entry.msgstr,
        origin=origin,
        score=parse_score(info.get("score")),
        model=info.get("model") or None,
        kind=SegmentKind(info.get("kind", "sentence")),
        **read_notes(tuple(notes)),
        terms=tuple(TermCheck.parse(t) for t in terms),
    )
    if unit.target and ("fuzzy" in entry.flags) != needs_review(unit):
        # a reviewer confirmed a draft (removed the flag) or doubted a confirmed target (added it)
        unit = replace(unit, confirmed="fuzzy" not in entry.flags)
    return [replace(unit, document=d, paragraph=p, index=i, line=n) for d, p, i, n in positions]

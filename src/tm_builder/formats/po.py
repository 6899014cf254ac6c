"""gettext PO through polib, for teams that review in Poedit, Weblate or Lokalize.

Each unit is one entry: ``msgctxt`` is ``document:paragraph:index`` so repeated
sentences stay apart, ``#.`` comments carry provenance, ``#:`` points at the
source line, and ``#, fuzzy`` marks every target a human has not confirmed.
With no targets the file is a usable template.  Output passes ``msgfmt -c``.
"""

from __future__ import annotations

import os
from datetime import timezone

import polib

from ..errors import FormatError
from ..textio import atomic_write
from ..units import Origin, SegmentKind, TermCheck, TranslationUnit
from .base import MemoryHeader, format_score, needs_review, parse_score, read_notes

__all__ = ["read_po", "write_po"]

_DATE_FORMAT = "%Y-%m-%d %H:%M%z"


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
    for unit in units:
        comments = [f"origin: {unit.origin.value}", f"kind: {unit.kind.value}"]
        if unit.line:
            comments.append(f"line: {unit.line}")
        if unit.score is not None:
            comments.append(f"score: {format_score(unit.score)}")
        if unit.model:
            comments.append(f"model: {unit.model}")
        comments.extend(f"note: {' '.join(note.splitlines())}" for note in unit.written_notes())
        comments.extend(f"term: {check}" for check in unit.terms)
        entry = polib.POEntry(
            msgctxt=unit.key,
            msgid=unit.source,
            msgstr=_match_newlines(unit.source, unit.target),
            comment="\n".join(comments),
            occurrences=[(_reference(unit.document), str(unit.line) if unit.line else "")] if unit.document else [],
            flags=["fuzzy"] if needs_review(unit) else [],
        )
        po.append(entry)
    with atomic_write(path, newline="\n") as out:
        out.write(str(po))


def read_po(path: str | os.PathLike[str]) -> tuple[list[TranslationUnit], MemoryHeader]:
    """Read a PO file into units and its header.

    Entries from other tools (no ``origin:`` comment) count as ``human`` when
    translated and confirmed, ``tm`` when fuzzy, ``none`` when empty.
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
    units: list[TranslationUnit] = []
    for entry in po:
        if entry.obsolete:
            continue
        try:
            units.append(_unit(entry))
        except ValueError as exc:
            raise FormatError(f"{path}: entry {entry.msgctxt or entry.msgid[:20]!r}: {exc}") from None
    return units, header


def _unit(entry: polib.POEntry) -> TranslationUnit:
    """One entry: msgctxt locates it, ``#.`` comments carry tm-builder's provenance (absent in other tools' PO)."""
    info: dict[str, str] = {}
    notes: list[str] = []
    terms: list[str] = []
    for line in (entry.comment or "").splitlines():
        key, _, value = line.partition(": ")
        if key == "note":
            notes.append(value)
        elif key == "term":
            terms.append(value)
        elif key in ("origin", "kind", "score", "model", "line"):
            info[key] = value
    document, paragraph, index = "", 0, 0
    parts = (entry.msgctxt or "").rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        document, paragraph, index = parts[0], int(parts[1]), int(parts[2])
    if entry.occurrences and not document:
        document = entry.occurrences[0][0].strip("\u2068\u2069")
    if "origin" in info:
        origin = Origin(info["origin"])
    elif not entry.msgstr:
        origin = Origin.NONE
    else:
        origin = Origin.TM if "fuzzy" in entry.flags else Origin.HUMAN
    return TranslationUnit(
        source=entry.msgid,
        target=entry.msgstr,
        origin=origin,
        score=parse_score(info.get("score")),
        model=info.get("model") or None,
        document=document,
        paragraph=paragraph,
        index=index,
        kind=SegmentKind(info.get("kind", "sentence")),
        line=int(info["line"]) if info.get("line", "").isdigit() else 0,
        **read_notes(tuple(notes)),
        terms=tuple(TermCheck.parse(t) for t in terms),
    )

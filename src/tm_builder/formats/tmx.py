"""TMX 1.4b, the translation-memory format every CAT tool imports.

The writer produces files valid against the TMX 1.4b DTD (checked with
``xmllint --dtdvalid`` in the tests), with what Trados, memoQ and OmegaT read of a
unit: ``creationdate``/``changedate``/``creationid`` on every ``<tu>``, the
target language as given (``en-US``: Trados matches language codes exactly),
and a handful of props a reviewer filters on (``x-origin``, ``x-score``,
``x-model``, ``x-document``, ``x-position``, ``x-term``), enough for a round
trip through :func:`read_tmx` to give back the same units.  A machine draft
says so where each tool looks: ``creationid="MT!"``, a ``<note>`` (what
translate-toolkit and Trados show) and ``x-origin=mt``; the pipeline writes
drafts to a file of their own (``<stem>.mt.tmx``).  Units without a target are
written with their source only: a CAT tool then has nothing wrong to offer,
and the file still records every segment of the document.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timezone

from ..errors import FormatError
from ..textio import atomic_write
from ..units import Origin, SegmentKind, TermCheck, TranslationUnit
from .base import MemoryHeader, format_score, parse_score, read_notes, xml_safe

__all__ = ["MT_CREATOR", "read_tmx", "write_tmx"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

#: the ``creationid`` of a machine draft: what a CAT tool shows as the unit's author
MT_CREATOR = "MT!"
#: the author of every other target, by origin
_CREATORS = {Origin.ALIGNED: "tm-builder-align", Origin.GLOSSARY: "tm-builder-glossary", Origin.MT: MT_CREATOR}
#: the note a draft carries, for tools that show notes but no props
MT_NOTE = "machine translation, not reviewed"


def _prop(parent: ET.Element, kind: str, value: str) -> None:
    el = ET.SubElement(parent, "prop", {"type": kind})
    el.text = xml_safe(value)


def _tuv(parent: ET.Element, lang: str, text: str) -> None:
    tuv = ET.SubElement(parent, "tuv", {_XML_LANG: lang})
    seg = ET.SubElement(tuv, "seg")
    seg.text = xml_safe(text)


def _tu(body: ET.Element, unit: TranslationUnit, header: MemoryHeader, date: str) -> None:
    """One ``<tu>``: dates and author as CAT tools read them, notes, the reviewer's props, the variants."""
    attrs = {"tuid": xml_safe(unit.key)}
    if unit.target:
        creator = _CREATORS.get(unit.origin) or (unit.model or header.tool)
        attrs |= {"creationdate": date, "creationid": xml_safe(creator), "changedate": date}
    tu = ET.SubElement(body, "tu", attrs)
    notes = unit.written_notes()
    if unit.origin is Origin.MT:
        notes = (_mt_note(unit.model),) + notes
    for note in notes:
        ET.SubElement(tu, "note").text = xml_safe(note)
    _prop(tu, "x-origin", unit.origin.value)
    if unit.score is not None:
        _prop(tu, "x-score", format_score(unit.score))
    if unit.model:
        _prop(tu, "x-model", unit.model)
    _prop(tu, "x-document", unit.document)
    _prop(tu, "x-position", _position(unit))
    for check in unit.terms:
        _prop(tu, "x-term", str(check))
    _tuv(tu, header.srclang, unit.source)
    if unit.target:
        _tuv(tu, header.tgtlang, unit.target)


def _mt_note(model: str | None) -> str:
    """The note every draft gets first (and the reader takes off again)."""
    return MT_NOTE + (f" ({model})" if model else "")


def _position(unit: TranslationUnit) -> str:
    """Paragraph, index, kind and source line in one prop: ``3:2 sentence line 17``."""
    return f"{unit.paragraph}:{unit.index} {unit.kind.value}" + (f" line {unit.line}" if unit.line else "")


def _parse_position(text: str) -> dict[str, object]:
    parts = text.split()
    paragraph, _, index = parts[0].partition(":") if parts else ("0", "", "0")
    line = int(parts[3]) if len(parts) >= 4 and parts[2] == "line" else 0
    return {"paragraph": int(paragraph or 0), "index": int(index or 0),
            "kind": SegmentKind(parts[1] if len(parts) > 1 else "sentence"), "line": line}


def write_tmx(units: list[TranslationUnit], path: str | os.PathLike[str], header: MemoryHeader | None = None) -> None:
    """Write *units* to *path* as TMX 1.4b (atomically)."""
    header = header or MemoryHeader()
    root = ET.Element("tmx", {"version": "1.4"})
    head = ET.SubElement(
        root,
        "header",
        {
            "creationtool": header.tool,
            "creationtoolversion": header.tool_version,
            "segtype": "sentence",
            "o-tmf": header.tool,
            "adminlang": "en",
            "srclang": header.srclang,
            "datatype": "plaintext",
            "creationdate": header.created.astimezone(timezone.utc).strftime(_DATE_FORMAT),
        },
    )
    _prop(head, "x-target-language", header.tgtlang)
    for key, value in header.properties:
        _prop(head, f"x-{key}", value)
    body = ET.SubElement(root, "body")
    seen: set[str] = set()
    date = header.created.astimezone(timezone.utc).strftime(_DATE_FORMAT)
    for unit in units:
        tuid = unit.key
        if tuid in seen:
            raise FormatError(f"two units share the id {tuid}; document names must be unique")
        seen.add(tuid)
        _tu(body, unit, header, date)
    ET.indent(root, space=" ")
    with atomic_write(path, newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        # XML parsers turn a raw CR into LF; a character reference keeps it.
        out.write(ET.tostring(root, encoding="unicode").replace("\r", "&#13;"))
        out.write("\n")


def _seg_text(seg: ET.Element | None) -> str:
    """The text of a ``<seg>``, leaving out inline native codes (``<ph>``, ``<bpt>``...)."""
    if seg is None:
        return ""
    parts = [seg.text or ""]
    for child in seg:
        if child.tag in ("hi", "sub"):
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lang_matches(lang: str, wanted: str) -> bool:
    lang, wanted = lang.lower().replace("_", "-"), wanted.lower().replace("_", "-")
    return lang == wanted or lang.split("-")[0] == wanted.split("-")[0]


def read_tmx(path: str | os.PathLike[str]) -> tuple[list[TranslationUnit], MemoryHeader]:
    """Read a TMX file into units and its header.

    Reads TMX written by other tools too: a unit without tm-builder's
    provenance properties is taken as a memory match (origin ``tm``).  See
    :func:`stream_tmx` for a memory too large to hold as units.
    """
    header, units = stream_tmx(path)
    return list(units), header


def stream_tmx(path: str | os.PathLike[str]) -> tuple[MemoryHeader, Iterator[TranslationUnit]]:
    """The header of a TMX file, and its units one at a time as they are parsed.

    TMX puts the header before the body, so it is read at once; the units
    are parsed as the iterator is consumed, and the tree holds only the
    units the parser has read ahead of it: a memory of hundreds of megabytes costs what the
    caller keeps of it, not a document tree.  A file that turns out
    malformed further on raises :class:`FormatError` from the iterator.
    """
    events = _events(path)
    header: MemoryHeader | None = None
    body: ET.Element | None = None
    for event, el in events:
        if event == "start" and el.tag == "body":
            body = el
            break
        if event == "end" and el.tag == "header" and header is None:
            header = _header(el)
    if header is None or body is None:
        raise FormatError(f"{path}: not a TMX file (no <tmx>, <header> and <body>)")
    return header, _units(path, events, body, header)


def _events(path: str | os.PathLike[str]) -> Iterator[tuple[str, ET.Element]]:
    """iterparse's events with its errors as :class:`FormatError`, stopping at a root that is not ``<tmx>``."""
    try:
        first = True
        for event, el in ET.iterparse(path, events=("start", "end")):
            if first and el.tag != "tmx":
                return
            first = False
            yield event, el
    except ET.ParseError as exc:
        raise FormatError(f"{path}: not well-formed XML ({exc})") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _units(path: str | os.PathLike[str], events: Iterator[tuple[str, ET.Element]], body: ET.Element,
           header: MemoryHeader) -> Iterator[TranslationUnit]:
    open_: list[ET.Element] = [body]  # the elements being parsed, from the body down
    for event, el in events:
        if event == "start":
            open_.append(el)
            continue
        if not open_ or open_[-1] is not el:
            continue  # the end of the body, or of the document
        open_.pop()
        if not open_:
            continue
        if el.tag == "tu":
            try:
                yield _unit(el, header.srclang, header.tgtlang)
            except ValueError as exc:
                raise FormatError(f"{path}: unit {el.get('tuid', '?')}: bad property ({exc})") from None
        if el.tag == "tu" or open_[-1] is body:
            # Done with it: a unit, or anything else directly in the body (another tool's element).  The
            # parser reads ahead, so later units may hang below the parent already; this one is its first.
            parent = open_[-1]
            if len(parent) and parent[0] is el:
                del parent[0]
            else:
                parent.remove(el)


def _header(head: ET.Element) -> MemoryHeader:
    srclang = head.get("srclang", "zh-CN")
    props = {p.get("type", ""): p.text or "" for p in head.findall("prop")}
    tgtlang = props.pop("x-target-language", "en")
    try:
        created = datetime.strptime(head.get("creationdate", ""), _DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        created = datetime.fromtimestamp(0, tz=timezone.utc)
    return MemoryHeader(
        srclang=srclang,
        tgtlang=tgtlang,
        created=created,
        properties=tuple(sorted((k.removeprefix("x-"), v) for k, v in props.items())),
        tool=head.get("creationtool", ""),
        tool_version=head.get("creationtoolversion", ""),
    )


def _unit(tu: ET.Element, srclang: str, tgtlang: str) -> TranslationUnit:
    """One ``<tu>``: its source and target variants and tm-builder's properties (absent in other tools' TMX)."""
    p = {el.get("type", ""): el.text or "" for el in tu.findall("prop")}
    terms = [el.text or "" for el in tu.findall("prop") if el.get("type") == "x-term"]
    source = target = ""
    made: ET.Element | None = None
    for n, tuv in enumerate(tu.findall("tuv")):
        lang = tuv.get(_XML_LANG) or tuv.get("lang") or ""
        text = _seg_text(tuv.find("seg"))
        # srclang="*all*" (allowed by TMX 1.4) names no source: take the first variant.
        if (_lang_matches(lang, srclang) or (srclang == "*all*" and n == 0)) and not source:
            source = text
        elif _lang_matches(lang, tgtlang) or not target:
            target, made = text, tuv
    if "x-position" in p:
        where = _parse_position(p["x-position"])
    else:  # tm-builder's layout before 0.x had one prop per field
        where = {"paragraph": int(p.get("x-paragraph") or 0), "index": int(p.get("x-index") or 0),
                 "kind": SegmentKind(p.get("x-kind") or "sentence"), "line": int(p.get("x-line") or 0)}
    notes = tuple(n.text or "" for n in tu.findall("note"))
    origin = Origin(p["x-origin"]) if "x-origin" in p else (Origin.TM if target else Origin.NONE)
    foreign: dict[str, object] = {}
    if "x-origin" not in p:  # another tool's unit: what its user saved is confirmed work, unless it says otherwise
        properties = _foreign_properties(tu, made)
        found = dict(properties)
        if found.get("creationid") == MT_CREATOR and found.get("changeid", MT_CREATOR) in (MT_CREATOR, ""):
            # our draft as OmegaT saves it after inserting it from tm/auto: nobody has touched it
            origin, notes = Origin.MT, notes[1:] if notes[:1] and notes[0].startswith(MT_NOTE) else notes
            foreign = {"properties": properties}
        else:
            level = found.get("x-ConfirmationLevel", "")
            foreign = {"confirmed": (level not in _UNCONFIRMED) if target else None, "properties": properties}
    if origin is Origin.MT:
        generated = _mt_note(p.get("x-model") or None)
        notes = notes[1:] if notes[:1] == (generated,) else notes
    return TranslationUnit(
        source=source,
        target=target,
        origin=origin,
        score=parse_score(p.get("x-score")),
        model=p.get("x-model") or None,
        document=p.get("x-document", ""),
        **where,
        **read_notes(notes),
        terms=tuple(TermCheck.parse(t) for t in terms),
        **foreign,
    )


#: who and when, as CAT tools record it on a ``<tu>`` and on the target's ``<tuv>`` (the later wins)
_MADE = ("creationid", "creationdate", "changeid", "changedate", "usagecount", "lastusagedate")


#: Trados Studio's confirmation levels (``x-ConfirmationLevel``) that no person has signed off
_UNCONFIRMED = ("Unspecified", "Draft", "RejectedTranslation", "RejectedSignOff")


def _foreign_properties(tu: ET.Element, target: ET.Element | None) -> tuple[tuple[str, str], ...]:
    """Another tool's record of a unit: its ``<prop>``s (the unit's and each variant's) and who made or changed it when.

    The target variant's dates and ids win over the unit's.  A prop's value
    may sit in a ``<seg>`` of its own, as memoQ writes the neighbouring
    segments (``x-context-pre``, ``x-context-post``).
    """
    found: dict[str, str] = {}
    for holder in (tu, *tu.findall("tuv")):
        found.update((el.get("type", ""), el.text or _seg_text(el.find("seg"))) for el in holder.findall("prop") if el.get("type"))
    for holder in (tu, target):
        if holder is not None:
            found.update((name, holder.get(name, "")) for name in _MADE if holder.get(name))
    return tuple(sorted(found.items()))

"""Glossary files: the review CSV, OmegaT's tab-separated glossary, TBX-Basic.

The review CSV is the one file people edit: every column a reviewer needs
to decide (status, target, examples, where the rendering came from), UTF-8
with a BOM for spreadsheets.  It round-trips exactly through
:func:`read_glossary_csv`.  The CAT-tool exports carry approved terms only,
because a glossary pane full of unreviewed candidates is noise a translator
learns to ignore:

* OmegaT: ``source<TAB>target<TAB>comment`` in a ``.utf8`` file (OmegaT reads
  that suffix as UTF-8; ``.txt`` would be read in the system encoding);
  variants are extra rows for the same source, as OmegaT shows them all.
* TBX-Basic, the TBX dialect of ISO 30042:2019 (DCA style): one
  ``conceptEntry`` per term, the English target as ``preferredTerm`` and
  variants as ``admittedTerm``, examples as ``context``.
"""

from __future__ import annotations

import csv
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from ..errors import FormatError
from ..glossary import Glossary, Status, Term, TermOrigin, split_variants
from ..textio import atomic_write
from .base import sheet_value, write_sheet, xml_safe

__all__ = [
    "GLOSSARY_COLUMNS", "TBX_NS", "read_glossary_csv", "read_tbx", "write_glossary_csv", "write_omegat_glossary", "write_tbx",
]

GLOSSARY_COLUMNS = (
    "source", "target", "kind", "status", "origin", "frequency", "documents",
    "example_source", "example_target", "note", "variants",
)
_LIST_SEPARATOR = " | "
TBX_NS = "urn:iso:std:iso:30042:ed:3.0"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TBX_MODEL = (
    'href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/'
    'TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"'
)


# -- review CSV ----------------------------------------------------------------------


def write_glossary_csv(glossary: Iterable[Term], path: str | os.PathLike[str]) -> None:
    """The review file (atomically): UTF-8 with BOM, CRLF rows, one term per row."""
    write_sheet(path, GLOSSARY_COLUMNS, (
        [t.source, t.target, t.kind, t.status.value, t.origin.value, t.frequency, _LIST_SEPARATOR.join(t.documents),
         t.example_source, t.example_target, t.note, _LIST_SEPARATOR.join(t.variants)]
        for t in glossary
    ))


def read_glossary_csv(path: str | os.PathLike[str]) -> Glossary:
    """A review file, as written by :func:`write_glossary_csv` and edited by people.

    Forgiving where people are (status in any case, blank statistics, extra
    columns, rows without a source skipped), strict where a mistake would
    change what is enforced (an unknown status is an error naming the row).
    """
    csv.field_size_limit(2**31 - 1)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            rows = [(reader.line_num, {k: sheet_value(v) for k, v in row.items()}) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"{path}: not a readable UTF-8 CSV file ({exc})") from None
    missing = [c for c in ("source", "target") if c not in fields]
    if missing:
        raise FormatError(f"{path}: missing column(s) {', '.join(missing)}")
    terms: list[Term] = []
    for line, row in rows:
        source = (row.get("source") or "").strip()
        if not source:
            continue
        target = (row.get("target") or "").strip()
        try:
            status = Status((row.get("status") or "").strip().lower() or ("approved" if target else "candidate"))
            origin = TermOrigin((row.get("origin") or "").strip().lower() or ("reviewed" if target else "none"))
            frequency = int((row.get("frequency") or "0").strip() or 0)
        except ValueError as exc:
            raise FormatError(f"{path}: line {line}: {exc} (status: approved, candidate or rejected)") from None
        terms.append(
            Term(
                source, target, (row.get("kind") or "").strip(), status, origin,
                variants=split_variants(row.get("variants") or ""), frequency=frequency,
                documents=tuple(d for d in split_variants(row.get("documents") or "")),
                example_source=row.get("example_source") or "", example_target=row.get("example_target") or "",
                note=row.get("note") or "",
            )
        )
    return Glossary.of(terms)


# -- OmegaT ----------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write_omegat_glossary(glossary: Iterable[Term], path: str | os.PathLike[str]) -> None:
    """OmegaT's glossary format: ``source<TAB>target<TAB>comment``, UTF-8, approved terms only."""
    with atomic_write(path, encoding="utf-8", newline="\n") as out:
        for t in glossary:
            if not t.enforced:
                continue
            comment = _one_line("; ".join(x for x in (t.kind, t.note) if x))
            out.write(f"{_one_line(t.source)}\t{_one_line(t.target)}\t{comment}\n")
            for variant in t.variants:
                out.write(f"{_one_line(t.source)}\t{_one_line(variant)}\tvariant\n")


# -- TBX-Basic --------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = xml_safe(text)
    return element


def write_tbx(glossary: Iterable[Term], path: str | os.PathLike[str], *, source_lang: str = "zh-CN", target_lang: str = "en") -> None:
    """TBX-Basic (ISO 30042:2019, DCA style), approved terms only, atomically."""
    ET.register_namespace("", TBX_NS)
    q = f"{{{TBX_NS}}}"
    root = ET.Element(f"{q}tbx", {"type": "TBX-Basic", "style": "dca", _XML_LANG: source_lang})
    header = _sub(_sub(_sub(root, f"{q}tbxHeader"), f"{q}fileDesc"), f"{q}sourceDesc")
    _sub(header, f"{q}p", "Political glossary exported by tm-builder: approved terms with their English renderings.")
    body = _sub(_sub(root, f"{q}text"), f"{q}body")
    for n, t in enumerate((t for t in glossary if t.enforced), start=1):
        entry = _sub(body, f"{q}conceptEntry", id=f"c{n}")
        if t.kind:
            _sub(entry, f"{q}descrip", t.kind, type="subjectField")
        if t.note:
            _sub(entry, f"{q}note", t.note)
        zh_sec = _sub(entry, f"{q}langSec")
        zh_sec.set(_XML_LANG, source_lang)
        zh = _sub(zh_sec, f"{q}termSec")
        _sub(zh, f"{q}term", t.source)
        _sub(zh, f"{q}termNote", "preferredTerm-admn-sts", type="administrativeStatus")
        if t.example_source:
            _sub(_sub(zh, f"{q}descripGrp"), f"{q}descrip", t.example_source, type="context")
        en = _sub(entry, f"{q}langSec")
        en.set(_XML_LANG, target_lang)
        for k, rendering in enumerate((t.target, *t.variants)):
            sec = _sub(en, f"{q}termSec")
            _sub(sec, f"{q}term", rendering)
            status = "preferredTerm-admn-sts" if k == 0 else "admittedTerm-admn-sts"
            _sub(sec, f"{q}termNote", status, type="administrativeStatus")
            if k == 0 and t.example_target:
                _sub(_sub(sec, f"{q}descripGrp"), f"{q}descrip", t.example_target, type="context")
    ET.indent(root, space="  ")
    with atomic_write(path, encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f"<?xml-model {_TBX_MODEL}?>\n")
        out.write(ET.tostring(root, encoding="unicode"))
        out.write("\n")


def read_tbx(path: str | os.PathLike[str], *, source_lang: str = "zh", target_lang: str = "en") -> Glossary:
    """The approved terms of a TBX-Basic file: first source term, preferred target, admitted variants."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise FormatError(f"{path}: not a readable TBX file ({exc})") from None
    q = f"{{{TBX_NS}}}"
    terms: list[Term] = []
    for entry in root.iter(f"{q}conceptEntry"):
        kind = entry.findtext(f"{q}descrip[@type='subjectField']") or ""
        note = entry.findtext(f"{q}note") or ""
        source, example_source, target, example_target, variants = "", "", "", "", []
        for sec in entry.findall(f"{q}langSec"):
            lang = (sec.get(_XML_LANG) or "").lower()
            for term_sec in sec.findall(f"{q}termSec"):
                text = term_sec.findtext(f"{q}term") or ""
                status = term_sec.findtext(f"{q}termNote[@type='administrativeStatus']") or ""
                context = term_sec.findtext(f"{q}descripGrp/{q}descrip[@type='context']") or ""
                if lang.startswith(source_lang.lower()) and not source:
                    source, example_source = text, context
                elif lang.startswith(target_lang.lower()):
                    if status.startswith("preferred") and not target:
                        target, example_target = text, context
                    else:
                        variants.append(text)
        if source and target:
            terms.append(
                Term(source, target, kind, Status.APPROVED, TermOrigin.REVIEWED, tuple(variants),
                     example_source=example_source, example_target=example_target, note=note)
            )
    return Glossary.of(terms)

"""TBX termbases: TBX-Basic v3 (ISO 30042:2019) to write and read, TBX 2 (``martif``) for older tools.

Two dialects because the clients split: the current standard is TBX v3
(namespace ``urn:iso:std:iso:30042:ed-2``, DCA style), valid against the
official core RELAX NG and the TBX-Basic Schematron; OmegaT 3.6,
translate-toolkit and many termbase exports (MultiTerm, memoQ) read or write
TBX 2, ``<martif>`` without a namespace.  ``.tbx`` is v3; ``.martif.tbx``
(or ``.tbx2``) is TBX 2.  The reader takes both, and the older namespace
tm-builder once wrote.  Approved terms only: a termbase is what translators
are held to.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from ..errors import FormatError
from ..glossary import Glossary, Status, Term, TermOrigin
from ..textio import atomic_write
from .base import xml_safe

__all__ = ["TBX_NS", "read_tbx", "write_martif", "write_tbx"]

TBX_NS = "urn:iso:std:iso:30042:ed-2"
#: what tm-builder 0.1 wrote by mistake; still read
_OLD_NS = "urn:iso:std:iso:30042:ed:3.0"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MODELS = (
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX_Core_RNG/master/TBXcoreStructV03.rng" '
    'type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBX-Basic_DCA.sch" '
    'type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)
_PREFERRED, _ADMITTED = "preferredTerm-admn-sts", "admittedTerm-admn-sts"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _entries(glossary: Iterable[Term], body: ET.Element, q: str, entry_tag: str, sec_tag: str, term_tag: str,
             source_lang: str, target_lang: str) -> None:
    """The concept entries, shared by both dialects: they differ in element names only."""
    for n, t in enumerate((t for t in glossary if t.enforced), start=1):
        entry = _sub(body, f"{q}{entry_tag}", id=f"c{n}")
        if t.kind:
            _sub(entry, f"{q}descrip", t.kind, type="subjectField")
        if t.note:
            _sub(entry, f"{q}note", t.note)
        for lang, renderings, context in ((source_lang, (t.source,), t.example_source),
                                          (target_lang, (t.target, *t.variants), t.example_target)):
            sec = _sub(entry, f"{q}{sec_tag}")
            sec.set(_XML_LANG, lang)
            for k, rendering in enumerate(renderings):
                term_sec = _sub(sec, f"{q}{term_tag}")
                _sub(term_sec, f"{q}term", rendering)
                _sub(term_sec, f"{q}termNote", _PREFERRED if k == 0 else _ADMITTED, type="administrativeStatus")
                if k == 0 and context:
                    _sub(_sub(term_sec, f"{q}descripGrp"), f"{q}descrip", context, type="context")


def _write(root: ET.Element, path: str | os.PathLike[str], preamble: str) -> None:
    ET.indent(root, space="  ")
    with atomic_write(path, encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + preamble)
        out.write(ET.tostring(root, encoding="unicode"))
        out.write("\n")


def write_tbx(glossary: Iterable[Term], path: str | os.PathLike[str], *, source_lang: str = "zh-CN", target_lang: str = "en") -> None:
    """TBX-Basic v3 (DCA style), approved terms only, atomically."""
    ET.register_namespace("", TBX_NS)
    q = f"{{{TBX_NS}}}"
    root = ET.Element(f"{q}tbx", {"type": "TBX-Basic", "style": "dca", _XML_LANG: source_lang})
    header = _sub(_sub(_sub(root, f"{q}tbxHeader"), f"{q}fileDesc"), f"{q}sourceDesc")
    _sub(header, f"{q}p", "Political glossary exported by tm-builder: approved terms with their English renderings.")
    body = _sub(_sub(root, f"{q}text"), f"{q}body")
    _entries(glossary, body, q, "conceptEntry", "langSec", "termSec", source_lang, target_lang)
    _write(root, path, _MODELS)


def write_martif(glossary: Iterable[Term], path: str | os.PathLike[str], *, source_lang: str = "zh-CN", target_lang: str = "en") -> None:
    """TBX 2 (``martif``, ISO 30042:2008), the dialect OmegaT 3.6 and translate-toolkit read; approved terms only."""
    root = ET.Element("martif", {"type": "TBX", _XML_LANG: source_lang})
    head = _sub(root, "martifHeader")
    _sub(_sub(_sub(head, "fileDesc"), "sourceDesc"), "p", "Political glossary exported by tm-builder.")
    _sub(_sub(head, "encodingDesc"), "p", "TBXXCSV02.xcs", type="XCSURI")
    body = _sub(_sub(root, "text"), "body")
    _entries(glossary, body, "", "termEntry", "langSet", "tig", source_lang, target_lang)
    _write(root, path, "")


def read_tbx(path: str | os.PathLike[str], *, source_lang: str = "zh", target_lang: str = "en") -> Glossary:
    """The terms of a TBX v3 or TBX 2 file: first source term, preferred target, the other targets as variants."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise FormatError(f"{path}: not a readable TBX file ({exc})") from None
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    local = root.tag.rsplit("}", 1)[-1]
    if local == "tbx" and namespace in (TBX_NS, _OLD_NS):
        q, entry_tag, sec_tag, term_tags = f"{{{namespace}}}", "conceptEntry", "langSec", ("termSec",)
    elif local == "martif":
        q, entry_tag, sec_tag, term_tags = (f"{{{namespace}}}" if namespace else ""), "termEntry", "langSet", ("tig", "ntig")
    else:
        raise FormatError(f"{path}: not a TBX file this reader knows (root {root.tag}; TBX v3 {TBX_NS} or TBX 2 martif)")
    terms = [t for entry in root.iter(f"{q}{entry_tag}") if (t := _term(entry, q, sec_tag, term_tags, source_lang, target_lang))]
    return Glossary.of(terms)


def _term(entry: ET.Element, q: str, sec_tag: str, term_tags: tuple[str, ...], source_lang: str, target_lang: str) -> Term | None:
    kind = entry.findtext(f"{q}descrip[@type='subjectField']") or ""
    note = entry.findtext(f"{q}note") or ""
    source, example_source, target, example_target, variants = "", "", "", "", []
    for sec in entry.findall(f"{q}{sec_tag}"):
        lang = (sec.get(_XML_LANG) or sec.get("lang") or "").lower()
        for tag in term_tags:
            for term_sec in sec.findall(f"{q}{tag}"):
                text = (term_sec.findtext(f"{q}term") or term_sec.findtext(f"{q}termGrp/{q}term") or "").strip()
                status = (term_sec.findtext(f".//{q}termNote[@type='administrativeStatus']") or "").strip()
                context = term_sec.findtext(f".//{q}descrip[@type='context']") or ""
                if not text:
                    continue
                if lang.startswith(source_lang.lower()) and not source:
                    source, example_source = text, context
                elif lang.startswith(target_lang.lower()):
                    if not target and (status.startswith("preferred") or not status):
                        target, example_target = text, context
                    elif not status.startswith(("deprecated", "superseded")):
                        variants.append(text)
    if not (source and target):
        return None
    return Term(source, target, kind, Status.APPROVED, TermOrigin.REVIEWED, tuple(variants),
                example_source=example_source, example_target=example_target, note=note)

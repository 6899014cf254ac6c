"""A glossary as a translation memory: TMX (every CAT tool imports one) and PO (Poedit, Weblate).

Teams that cannot load a termbase ask for the glossary as a memory: each
term is a unit, so a CAT tool offers it as a match and a concordance search
finds it.  Approved terms are confirmed units (origin ``glossary``; not
fuzzy in PO); candidates with a proposed rendering are unconfirmed (origin
``tm``, ``#, fuzzy`` in PO, a ``candidate`` note in TMX); candidates without
one are PO template entries and are left out of TMX; rejected terms are left
out.  Kind, variants and the reviewer's note travel as notes, so reading the
file back gives the same terms.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..glossary import Glossary, Status, Term, TermOrigin, split_variants
from ..units import Origin, TranslationUnit
from .base import MemoryHeader
from .po import read_po, write_po
from .tmx import read_tmx, write_tmx

__all__ = ["read_glossary_po", "read_glossary_tmx", "write_glossary_po", "write_glossary_tmx"]

_DOCUMENT = "glossary"
_CANDIDATE = "candidate term, not reviewed"


def _units(glossary: Iterable[Term], *, empty: bool) -> list[TranslationUnit]:
    units = []
    for term in glossary:
        if term.status is Status.REJECTED or (not term.target and not empty):
            continue
        notes = [f"kind: {term.kind}"] if term.kind else []
        notes += [f"variants: {' | '.join(term.variants)}"] if term.variants else []
        notes += [f"note: {' '.join(term.note.split())}"] if term.note else []
        approved = term.enforced
        if not approved:
            notes.append(_CANDIDATE)
        origin = Origin.GLOSSARY if approved else (Origin.TM if term.target else Origin.NONE)
        units.append(TranslationUnit(term.source, term.target, origin, document=_DOCUMENT, paragraph=1,
                                     index=len(units) + 1, notes=tuple(notes)))
    return units


def _terms(units: Iterable[TranslationUnit]) -> Glossary:
    terms = []
    for unit in units:
        info = dict(n.split(": ", 1) for n in unit.notes if ": " in n and n.split(": ", 1)[0] in ("kind", "variants", "note"))
        approved = unit.origin in (Origin.GLOSSARY, Origin.HUMAN) and bool(unit.target) and _CANDIDATE not in unit.notes
        terms.append(Term(unit.source, unit.target, info.get("kind", ""), Status.APPROVED if approved else Status.CANDIDATE,
                          TermOrigin.REVIEWED if approved else TermOrigin.NONE, split_variants(info.get("variants", "")),
                          note=info.get("note", "")))
    return Glossary.of(terms)


def _header(source_lang: str, target_lang: str) -> MemoryHeader:
    return MemoryHeader(srclang=source_lang, tgtlang=target_lang).with_properties(content="glossary")


def write_glossary_tmx(glossary: Iterable[Term], path: str | os.PathLike[str], *, source_lang: str = "zh-CN",
                       target_lang: str = "en") -> None:
    """Terms with a rendering as TMX units: approved confirmed, candidates marked unreviewed."""
    write_tmx(_units(glossary, empty=False), path, _header(source_lang, target_lang))


def write_glossary_po(glossary: Iterable[Term], path: str | os.PathLike[str], *, source_lang: str = "zh-CN",
                      target_lang: str = "en") -> None:
    """Every term not rejected as a PO entry: approved confirmed, candidates fuzzy (or empty)."""
    write_po(_units(glossary, empty=True), path, _header(source_lang, target_lang))


def read_glossary_tmx(path: str | os.PathLike[str]) -> Glossary:
    """A glossary written by :func:`write_glossary_tmx` (other TMX: every unit with a target is a candidate)."""
    return _terms(read_tmx(path)[0])


def read_glossary_po(path: str | os.PathLike[str]) -> Glossary:
    """A glossary written by :func:`write_glossary_po` (other PO: confirmed entries are approved terms)."""
    return _terms(read_po(path)[0])

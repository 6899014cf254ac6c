"""CSV for reviewers who work in a spreadsheet.

UTF-8 with a byte-order mark, because Excel opens BOM-less UTF-8 as the
local code page and turns Chinese into mojibake; CRLF row ends as RFC 4180
asks.  The first seven columns are what a reviewer reads; the rest keep the
unit complete so that :func:`read_csv` round-trips.
"""

from __future__ import annotations

import csv
import os

from ..errors import FormatError
from ..units import Origin, SegmentKind, TermCheck, TranslationUnit
from .base import MemoryHeader, format_score, parse_score, read_notes, sheet_value, write_sheet

__all__ = ["COLUMNS", "read_csv", "write_csv"]

COLUMNS = ("source", "target", "origin", "score", "document", "paragraph", "index", "kind", "line", "model", "notes", "terms")
_REQUIRED = ("source", "target")


def write_csv(units: list[TranslationUnit], path: str | os.PathLike[str], header: MemoryHeader | None = None) -> None:
    """Write *units* to *path* as CSV (atomically).  *header* is accepted for symmetry and not stored."""
    write_sheet(path, COLUMNS, (
        [u.source, u.target, u.origin.value, format_score(u.score), u.document, u.paragraph,
         u.index, u.kind.value, u.line or "", u.model or "", "\n".join(u.written_notes()), "\n".join(map(str, u.terms))]
        for u in units
    ))


def read_csv(path: str | os.PathLike[str]) -> tuple[list[TranslationUnit], MemoryHeader]:
    """Read a CSV with at least ``source`` and ``target`` columns (with or without BOM)."""
    csv.field_size_limit(2**31 - 1)  # a segment may be longer than the 128 KiB default
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = [{k: sheet_value(v) for k, v in row.items()} for row in csv.DictReader(handle)]
            fields = rows[0].keys() if rows else ()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"{path}: not a readable UTF-8 CSV file ({exc})") from None
    missing = [c for c in _REQUIRED if rows and c not in fields]
    if missing:
        raise FormatError(f"{path}: missing column(s) {', '.join(missing)}")
    units: list[TranslationUnit] = []
    for n, row in enumerate(rows, start=2):
        try:
            target = row.get("target") or ""
            origin = row.get("origin") or ("tm" if target else "none")
            notes = row.get("notes") or ""
            units.append(
                TranslationUnit(
                    source=row["source"] or "",
                    target=target,
                    origin=Origin(origin),
                    score=parse_score(row.get("score")),
                    model=row.get("model") or None,
                    document=row.get("document") or "",
                    paragraph=int(row.get("paragraph") or 0),
                    index=int(row.get("index") or 0),
                    kind=SegmentKind(row.get("kind") or "sentence"),
                    line=int(row.get("line") or 0),
                    **read_notes(tuple(notes.split("\n")) if notes else ()),
                    terms=tuple(TermCheck.parse(t) for t in (row.get("terms") or "").split("\n") if t),
                )
            )
        except ValueError as exc:
            raise FormatError(f"{path}: row {n}: {exc}") from None
    return units, MemoryHeader()

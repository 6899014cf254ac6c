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
TBX lives in :mod:`.tbx`; glossaries as TMX and PO in :mod:`.glossary_memory`.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterable

from ..errors import FormatError, InputError
from ..glossary import Glossary, Status, Term, TermOrigin, split_variants
from ..textio import atomic_write, read_text
from .base import sheet_value, write_sheet

__all__ = ["GLOSSARY_COLUMNS", "glossary_from_rows", "glossary_rows", "read_glossary_csv", "write_glossary_csv",
           "write_omegat_glossary"]

GLOSSARY_COLUMNS = (
    "source", "target", "kind", "status", "origin", "frequency", "documents",
    "example_source", "example_target", "note", "variants",
)
_LIST_SEPARATOR = " | "


# -- review CSV ----------------------------------------------------------------------


def write_glossary_csv(glossary: Iterable[Term], path: str | os.PathLike[str]) -> None:
    """The review file (atomically): UTF-8 with BOM, CRLF rows, one term per row."""
    write_sheet(path, GLOSSARY_COLUMNS, glossary_rows(glossary))


def glossary_rows(glossary: Iterable[Term]) -> Iterable[list]:
    """The review sheet's rows, in :data:`GLOSSARY_COLUMNS` order (CSV and workbook alike)."""
    return (
        [t.source, t.target, t.kind, t.status.value, t.origin.value, t.frequency, _LIST_SEPARATOR.join(t.documents),
         t.example_source, t.example_target, t.note, _LIST_SEPARATOR.join(t.variants)]
        for t in glossary
    )


def read_glossary_csv(path: str | os.PathLike[str]) -> Glossary:
    """A review file, as written by :func:`write_glossary_csv` and edited by people.

    Forgiving where people are (status in any case, blank statistics, extra
    columns, rows without a source skipped), strict where a mistake would
    change what is enforced (an unknown status is an error naming the row).
    """
    csv.field_size_limit(2**31 - 1)
    try:
        text = read_text(path)  # UTF-8 with or without BOM, UTF-16 (Excel's "Unicode text"), GBK (Excel on Chinese Windows)
    except InputError as exc:
        raise FormatError(str(exc)) from None
    try:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
        fields = reader.fieldnames or []
        rows = []
        start = 2
        for row in reader:
            if None in row:
                raise FormatError(f"{path}: line {start}: more cells than the header has columns; a stray comma or quote?")
            if any("\n" in (row.get(k) or "") for k in ("source", "target", "status")):
                raise FormatError(f"{path}: line {start}: a quoted cell runs on to line {reader.line_num}; "
                                  "an unclosed quote would swallow the rows after it")
            rows.append((start, {k: sheet_value(v) for k, v in row.items()}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(f"{path}: not a readable CSV file ({exc})") from None
    return glossary_from_rows(path, fields, rows)


def glossary_from_rows(path: str | os.PathLike[str], fields: list[str], rows: Iterable[tuple[int, dict]]) -> Glossary:
    """Terms from a review sheet's rows (``(line, {column: text})``): shared by the CSV and the workbook."""
    missing = [c for c in ("source", "target") if c not in fields]
    if missing:
        raise FormatError(f"{path}: missing column(s) {', '.join(missing)}")
    terms: list[Term] = []
    seen: dict[str, tuple[int, str, str]] = {}
    for line, row in rows:
        source = (row.get("source") or "").strip()
        if not source:
            continue
        decision = ((row.get("status") or "").strip().lower(), (row.get("target") or "").strip())
        if source in seen:
            first, *before = seen[source]
            if tuple(before) == decision:
                continue  # the same decision twice: nothing is lost by keeping one
            raise FormatError(
                f"{path}: lines {first} and {line} both decide {source} "
                f"({'/'.join(filter(None, before)) or 'blank'} vs {'/'.join(filter(None, decision)) or 'blank'}); keep one row"
            )
        seen[source] = (line, *decision)
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


def omegat_matches_itself(source: str) -> bool:
    """Does OmegaT's glossary pane match *source* only where it occurs?

    OmegaT matches glossary entries by their word tokens and drops
    punctuation and symbols, so 人工智能+ ("AI Plus") would be offered on
    every segment that says 人工智能.  A term that begins or ends with such a
    character cannot be matched faithfully and is left out of the export.
    """
    edges = (source[:1], source[-1:])
    return all(ch and unicodedata.category(ch)[0] in "LN" for ch in edges)


def write_omegat_glossary(glossary: Iterable[Term], path: str | os.PathLike[str]) -> None:
    """OmegaT's glossary format: ``source<TAB>target<TAB>comment``, UTF-8, approved terms OmegaT can match faithfully."""
    with atomic_write(path, encoding="utf-8", newline="\n") as out:
        for t in glossary:
            if not t.enforced or not omegat_matches_itself(t.source):
                continue
            comment = _one_line("; ".join(x for x in (t.kind, t.note) if x))
            out.write(f"{_one_line(t.source)}\t{_one_line(t.target)}\t{comment}\n")
            for variant in t.variants:
                out.write(f"{_one_line(t.source)}\t{_one_line(variant)}\tvariant\n")

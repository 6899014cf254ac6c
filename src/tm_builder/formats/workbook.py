"""The review glossary as an Excel workbook (``.xlsx``), for reviewers who live in a spreadsheet.

The same columns as the review CSV, with what a CSV cannot carry: a frozen,
bold header with filters, a drop-down for ``status`` (approved, candidate,
rejected) so a typo cannot change what is enforced, column widths a person
can read, wrapped context sentences.  Every cell is text (a source that
starts with ``=`` stays text, never a formula).  ``--merge`` reads it back
exactly like the CSV.  openpyxl writes and reads it: well kept, pure Python.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable

from ..errors import FormatError
from ..glossary import Glossary, Status, Term
from ..textio import atomic_write
from .termbase import GLOSSARY_COLUMNS, glossary_from_rows, glossary_rows

__all__ = ["read_glossary_xlsx", "write_glossary_xlsx"]

_WIDTHS = {"source": 18, "target": 36, "kind": 12, "status": 12, "origin": 10, "frequency": 10, "documents": 20,
           "example_source": 50, "example_target": 50, "note": 40, "variants": 36}
_WRAPPED = ("example_source", "example_target", "note")


def write_glossary_xlsx(glossary: Iterable[Term], path: str | os.PathLike[str]) -> None:
    """The review workbook (atomically): one sheet, one term per row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "glossary"
    sheet.append(list(GLOSSARY_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in glossary_rows(glossary):
        sheet.append([str(v) for v in row])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
    for k, name in enumerate(GLOSSARY_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(k)].width = _WIDTHS.get(name, 14)
        if name in _WRAPPED:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=k, max_col=k):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    status = get_column_letter(GLOSSARY_COLUMNS.index("status") + 1)
    choice = DataValidation(type="list", formula1='"' + ",".join(s.value for s in Status) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="status", error="approved, candidate or rejected")
    sheet.add_data_validation(choice)
    choice.add(f"{status}2:{status}{max(sheet.max_row, 2) + 1000}")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    with atomic_write(path, encoding=None) as out:
        out.write(buffer.getvalue())


def read_glossary_xlsx(path: str | os.PathLike[str]) -> Glossary:
    """A review workbook, as written by :func:`write_glossary_xlsx` and edited in Excel or LibreOffice."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise FormatError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    sheet = book["glossary"] if "glossary" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    data = []
    for line, values in enumerate(rows, start=2):
        cells = {name: _text(v) for name, v in zip(header, values) if name}
        data.append((line, cells))
    book.close()
    return glossary_from_rows(path, header, data)


def _text(value: object) -> str:
    """A cell as the CSV reader would see it: numbers a reviewer typed come back without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

"""Memory formats: one module per format, one reader and one writer each.

``read_units(path)`` and ``write_units(units, path)`` pick the format from the
file suffix; the per-format functions are there for callers who know.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import FormatError
from ..units import TranslationUnit
from .base import MemoryHeader, needs_review, xml_safe
from .csv import read_csv, write_csv
from .po import read_po, write_po
from .tmx import read_tmx, write_tmx

Reader = Callable[[str | os.PathLike[str]], tuple[list[TranslationUnit], MemoryHeader]]
Writer = Callable[[list[TranslationUnit], str | os.PathLike[str], MemoryHeader | None], None]

READERS: dict[str, Reader] = {"tmx": read_tmx, "po": read_po, "csv": read_csv}
WRITERS: dict[str, Writer] = {"tmx": write_tmx, "po": write_po, "csv": write_csv}

__all__ = [
    "MemoryHeader", "READERS", "WRITERS", "needs_review", "read_csv", "read_po", "read_tmx",
    "read_units", "write_csv", "write_po", "write_tmx", "write_units", "xml_safe",
]


def _format_of(path: str | os.PathLike[str]) -> str:
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in READERS:
        raise FormatError(f"{path}: unknown memory format {fmt!r}; use .tmx, .po or .csv")
    return fmt


def read_units(path: str | os.PathLike[str]) -> tuple[list[TranslationUnit], MemoryHeader]:
    """Read a memory in the format its suffix names."""
    return READERS[_format_of(path)](path)


def write_units(units: list[TranslationUnit], path: str | os.PathLike[str], header: MemoryHeader | None = None) -> None:
    """Write a memory in the format its suffix names."""
    WRITERS[_format_of(path)](units, path, header)

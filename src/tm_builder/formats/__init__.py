"""File formats: one module per format, one reader and one writer each, and one registry of them.

:data:`REGISTRY` lists every format tm-builder reads or writes, memories
(TMX, PO, CSV) and glossaries (review CSV, TBX-Basic v3, TBX 2, TMX, PO,
OmegaT's tab-separated glossary), with their suffixes; :func:`read_units` / :func:`write_units` and
:func:`read_glossary` / :func:`write_glossary` pick from it by suffix, and
the per-format functions are there for callers who know.  Whole projects
(:mod:`.omegat`) and what an alignment leaves beside its memory
(:mod:`.alignment`) are written here too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError
from ..glossary import Glossary, Term
from ..units import TranslationUnit
from .base import MemoryHeader, needs_review, xml_safe
from .csv import read_csv, write_csv
from .po import read_po, write_po
from .glossary_memory import read_glossary_po, read_glossary_tmx, write_glossary_po, write_glossary_tmx
from .tbx import read_tbx, write_martif, write_tbx
from .termbase import read_glossary_csv, write_glossary_csv, write_omegat_glossary
from .tmx import read_tmx, stream_tmx, write_tmx
from .workbook import read_glossary_xlsx, write_glossary_xlsx

Reader = Callable[[str | os.PathLike[str]], tuple[list[TranslationUnit], MemoryHeader]]
Writer = Callable[[list[TranslationUnit], str | os.PathLike[str], MemoryHeader | None], None]


@dataclass(frozen=True)
class Format:
    """One format: what it holds (``memory`` or ``glossary``), its suffixes, its reader and writer (``None``: not read)."""

    name: str
    holds: str
    suffixes: tuple[str, ...]
    read: Callable | None
    write: Callable
    #: a reader that yields units as it parses them (``None``: the format is read whole)
    stream: Callable | None = None


REGISTRY: tuple[Format, ...] = (
    Format("tmx", "memory", (".tmx",), read_tmx, write_tmx, stream_tmx),
    Format("po", "memory", (".po",), read_po, write_po),
    Format("csv", "memory", (".csv",), read_csv, write_csv),
    Format("glossary-csv", "glossary", (".csv",), read_glossary_csv, write_glossary_csv),
    Format("glossary-xlsx", "glossary", (".xlsx",), read_glossary_xlsx, write_glossary_xlsx),
    Format("tbx2", "glossary", (".martif.tbx", ".tbx2"), read_tbx, write_martif),
    Format("tbx", "glossary", (".tbx",), read_tbx, write_tbx),
    Format("glossary-tmx", "glossary", (".tmx",), read_glossary_tmx, write_glossary_tmx),
    Format("glossary-po", "glossary", (".po",), read_glossary_po, write_glossary_po),
    Format("omegat-glossary", "glossary", (".utf8", ".txt", ".tab"), None, write_omegat_glossary),
)

#: memory formats by name (the names ``translate`` and ``align`` write)
READERS: dict[str, Reader] = {f.name: f.read for f in REGISTRY if f.holds == "memory" and f.read}
WRITERS: dict[str, Writer] = {f.name: f.write for f in REGISTRY if f.holds == "memory"}
#: every suffix a glossary can be written to
GLOSSARY_SUFFIXES = tuple(s for f in REGISTRY if f.holds == "glossary" for s in f.suffixes)

__all__ = [
    "GLOSSARY_SUFFIXES", "REGISTRY", "READERS", "WRITERS", "Format", "MemoryHeader", "format_for", "needs_review",
    "read_csv", "read_glossary", "read_po", "read_tmx", "read_units", "stream_tmx", "stream_units", "write_csv", "write_glossary", "write_po",
    "write_tmx", "write_units", "xml_safe",
]


def format_for(path: str | os.PathLike[str], holds: str, *, reading: bool = False) -> Format:
    """The registered format for *path*'s suffix that holds *holds* (and can be read, when *reading*)."""
    name, suffix = Path(path).name.lower(), Path(path).suffix.lower()
    usable = [f for f in REGISTRY if f.holds == holds and (f.read is not None or not reading)]
    for f in usable:  # a longer suffix first: .martif.tbx before .tbx
        if any(name.endswith(s) and len(name) > len(s) for s in f.suffixes):
            return f
    first = [f.suffixes[0] for f in usable]
    choices = f"{', '.join(first[:-1])} or {first[-1]}"
    if holds == "memory":
        raise FormatError(f"{path}: unknown memory format {suffix.lstrip('.')!r}; use {choices}")
    raise FormatError(f"{path}: unknown {holds} format {suffix or '(no suffix)'}; use {choices}")


def read_units(path: str | os.PathLike[str]) -> tuple[list[TranslationUnit], MemoryHeader]:
    """Read a memory in the format its suffix names."""
    return format_for(path, "memory", reading=True).read(path)


def stream_units(path: str | os.PathLike[str]) -> tuple[MemoryHeader, Iterator[TranslationUnit]]:
    """A memory's header and its units one at a time: parsed as they are consumed where the format allows (TMX)."""
    fmt = format_for(path, "memory", reading=True)
    if fmt.stream is not None:
        return fmt.stream(path)
    units, header = fmt.read(path)
    return header, iter(units)


def write_units(units: list[TranslationUnit], path: str | os.PathLike[str], header: MemoryHeader | None = None) -> None:
    """Write a memory in the format its suffix names."""
    format_for(path, "memory").write(units, path, header)


def read_glossary(path: str | os.PathLike[str]) -> Glossary:
    """A glossary from a review CSV or a TBX file, by suffix."""
    return format_for(path, "glossary", reading=True).read(path)


def write_glossary(glossary: Iterable[Term], path: str | os.PathLike[str]) -> None:
    """Write by suffix: ``.csv``/``.xlsx`` (review file), ``.tbx`` (TBX-Basic v3), ``.martif.tbx``/``.tbx2`` (TBX 2),
    ``.tmx``/``.po`` (the glossary as a memory), ``.utf8``/``.txt``/``.tab`` (OmegaT)."""
    format_for(path, "glossary").write(glossary, path)

"""What every memory format shares: the file-level header and text hygiene.

Each format module offers the same two functions, in the manner of polib's
``pofile``/``save``: ``read_<fmt>(path) -> (units, header)`` and
``write_<fmt>(units, path, header)``.  Writers go through
:func:`tm_builder.textio.atomic_write`, so a file is complete or absent.
"""

from __future__ import annotations

import csv
import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..version import __version__
from ..errors import InputError
from ..textio import atomic_write
from ..units import Origin, TranslationUnit, split_review

#: below this alignment score a pair is shown to translators as needing review
WEAK_ALIGNMENT = 0.5

# Characters XML 1.0 forbids (and the non-characters U+FFFE/U+FFFF).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """*text* without the characters XML 1.0 cannot carry.

    Dropping them is lossy only for control characters, which have no place
    in a translation memory anyway; everything printable survives.
    """
    return _XML_FORBIDDEN.sub("", text)


#: a BCP 47 tag as memories carry it: language, optional script, optional region or UN M.49 area, variants
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-[A-Za-z0-9]{5,8})*")


def check_language_tag(tag: str) -> str:
    """*tag* if it is a BCP 47 language tag (``en``, ``en-US``, ``zh-Hans-CN``); a one-line error if not."""
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise InputError(f"{tag!r} is not a BCP 47 language tag such as en, en-US or en-GB")
    return tag


def creation_time() -> datetime:
    """The time written into output headers.

    Honours ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), so a
    run with the same input, options and epoch writes byte-identical files.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.fromtimestamp(int(time.time()), tz=timezone.utc)
    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"SOURCE_DATE_EPOCH={epoch!r} is not a usable Unix time") from None


@dataclass(frozen=True)
class MemoryHeader:
    """File-level facts of a memory: languages, date and the run's signature.

    ``properties`` name every setting that could change the targets (tool
    version, engine, model and revision, glossary hash, ...), in the spirit of
    sacrebleu's signatures, and are written as TMX header ``<prop>``\\s, PO
    header fields and CSV is left without them (a spreadsheet has no header
    block).
    """

    srclang: str = "zh-CN"
    tgtlang: str = "en"
    created: datetime = field(default_factory=creation_time)
    properties: tuple[tuple[str, str], ...] = ()
    tool: str = "tm-builder"
    tool_version: str = __version__

    def with_properties(self, **props: str) -> "MemoryHeader":
        merged = dict(self.properties)
        merged.update(props)
        return MemoryHeader(self.srclang, self.tgtlang, self.created, tuple(sorted(merged.items())), self.tool, self.tool_version)


def read_notes(notes: tuple[str, ...]) -> dict[str, object]:
    """A unit's ``notes`` and ``problem`` from the notes a file holds (see :func:`tm_builder.units.split_review`)."""
    kept, problem = split_review(notes)
    return {"notes": kept, "problem": problem}


def needs_review(unit: TranslationUnit) -> bool:
    """Should a translator treat this target as unconfirmed (PO ``fuzzy``)?

    Machine drafts always; alignments below :data:`WEAK_ALIGNMENT`; memory
    matches that are not exact.  Human and confirmed targets never, and an
    empty target has nothing to review.  A unit whose file said otherwise
    (``confirmed``) keeps what the file said.
    """
    if not unit.target:
        return False
    if unit.confirmed is not None:
        return not unit.confirmed
    if unit.origin is Origin.MT:
        return True
    if unit.origin is Origin.ALIGNED:
        return unit.score is not None and unit.score < WEAK_ALIGNMENT
    if unit.origin is Origin.TM:
        return unit.score is None or unit.score < 1.0
    return False


def format_score(score: float | None) -> str:
    """A score as text that parses back to the same float."""
    return "" if score is None else repr(float(score))


def parse_score(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


#: first characters that make a spreadsheet read a CSV cell as a formula (CWE-1236)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_safe(cell: object) -> str:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading ``'``.

    A draft such as ``-Yes, he said`` or a note ``=see above`` would
    otherwise become ``#NAME?`` in Excel or LibreOffice, or worse, a formula
    someone planted in a source document.  Numbers are left alone, and a cell
    that already starts with ``'`` gets another, so :func:`sheet_value`
    gives back exactly what was written.
    """
    text = "" if cell is None else str(cell)
    if not text or not text.startswith((*_FORMULA_START, "'")):
        return text
    try:
        float(text)
        return text
    except ValueError:
        return "'" + text


def sheet_value(cell: str | None) -> str:
    """The inverse of :func:`sheet_safe`."""
    text = cell or ""
    if len(text) >= 2 and text[0] == "'" and text[1] in (*_FORMULA_START, "'"):
        return text[1:]
    return text


def write_sheet(path: str | os.PathLike[str], columns: Sequence[str], rows: Iterable[Iterable[object]]) -> None:
    """A CSV for a spreadsheet (atomically): UTF-8 with a BOM so Excel shows Chinese, CRLF rows, no cell run as a formula."""
    with atomic_write(path, encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(sheet_safe(cell) for cell in row)

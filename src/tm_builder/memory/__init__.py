"""The project memory: every article's finished work, reused on the next.

A press conference repeats the last one's sentences and a government
report last year's; a sentence a translator finished once should never be
drafted again.  The memory (:class:`Memory`, one SQLite file, by default
``./tm-builder-memory.sqlite3`` or ``$TM_BUILDER_MEMORY``) takes in what
translators did (:func:`import_files`: our TMX/PO/CSV, any CAT tool's
TMX, a whole OmegaT project), and ``translate --memory`` looks every
segment up before drafting (:func:`leverage`): confirmed in-context and
exact matches fill the unit, fuzzy ones are shown to the reviewer, and a
fuzzy match that differs only in a number or an approved term is
repaired.
"""

from __future__ import annotations

import os
from collections import Counter
from contextlib import nullcontext
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from ..errors import FormatError, InputError
from ..formats import needs_review, stream_units, write_units
from ..glossary import Glossary, check_terms
from ..progress import ProgressFactory
from ..textio import output_set, remove_output
from ..units import Origin, TranslationUnit
from .match import DEFAULT_THRESHOLD, Match, Matcher, number_repair, term_repair
from .store import AddCounts, Memory, NewUnit, StoredUnit, default_memory_path, exact_key, fuzzy_key

__all__ = [
    "DEFAULT_THRESHOLD", "FileImport", "check_sources", "Leverage", "Match", "Matcher", "Memory", "StoredUnit", "default_memory_path",
    "exact_key", "export_memory", "fuzzy_key", "import_files", "leverage", "remember", "stored_as_units",
]

#: where an OmegaT project keeps the translator's work
OMEGAT_SAVE = Path("omegat") / "project_save.tmx"


@dataclass
class FileImport:
    """What importing one file did; *refused* says why units (or the whole file) were not taken."""

    path: str
    counts: AddCounts = field(default_factory=AddCounts)
    refused: Counter[str] = field(default_factory=Counter)
    error: str | None = None


def _tmx_date(text: str) -> str:
    """A TMX date (``20261202T093606Z``) as ISO 8601, or empty when it is not one."""
    if len(text) != 16:
        return ""
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return ""


def _new_units(units: Iterable[TranslationUnit], file: str, refused: Counter[str],
               keep: Callable[[TranslationUnit], bool] = lambda u: True) -> Iterator[NewUnit]:
    """The units *keep* accepts, as the memory stores them, with their neighbours' sources where the file keeps document order."""
    previous: TranslationUnit | None = None
    pending: tuple[TranslationUnit, str] | None = None  # a unit waits for its successor's source
    for u in units:
        ordered = bool(u.document) and u.index > 0
        prev = previous.source if previous is not None and ordered and previous.document == u.document else ""
        if pending is not None:
            waiting, wprev = pending
            follows = ordered and waiting.document == u.document
            yield _new_unit(waiting, file, wprev, u.source if follows else "")
            pending = None
        previous = u
        if not keep(u):
            continue
        if not u.source.strip():
            refused["no source text"] += 1
        elif not u.target.strip():
            refused["no translation"] += 1
        else:
            pending = (u, prev)
    if pending is not None:
        yield _new_unit(pending[0], file, pending[1], "")


def _new_unit(u: TranslationUnit, file: str, prev: str, next: str) -> NewUnit:
    confirmed = not needs_review(u)
    origin = u.origin.value
    if u.origin in (Origin.MT, Origin.TM):
        # a person confirmed it (a CAT tool's saved work, a draft whose fuzzy flag a reviewer removed)
        origin = "human" if confirmed else origin
    props = dict(u.properties)
    creator = props.get("changeid") or props.get("creationid") or (u.model or "" if u.origin is Origin.MT else "")
    # a CAT tool's own record of the neighbours (memoQ's context props) beats the file's order
    prev, next = props.get("x-context-pre", prev), props.get("x-context-post", next)
    return NewUnit(
        source=u.source, target=u.target, origin=origin, confirmed=confirmed, document=u.document,
        position=u.index, prev=exact_key(prev), next=exact_key(next), creator=creator, file=file,
        created=_tmx_date(props.get("creationdate", "")), changed=_tmx_date(props.get("changedate", "")),
    )


def _readable(path: Path) -> Path:
    """The memory file to read for *path*: itself, or an OmegaT project's ``omegat/project_save.tmx``."""
    if path.is_dir():
        save = path / OMEGAT_SAVE
        if not save.is_file():
            raise InputError(f"{path}: a directory but not an OmegaT project with saved work (no {OMEGAT_SAVE})")
        return save
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return path


def check_sources(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files :func:`import_files` would read for *paths*, or an error for the first that cannot be one."""
    return [_readable(Path(p)) for p in paths]


def import_files(memory: Memory, paths: Sequence[str | os.PathLike[str]], *,
                 progress: ProgressFactory | None = None) -> list[FileImport]:
    """Import memories (TMX, PO, CSV, OmegaT project directories) into *memory*; one report per path.

    Every path is checked before anything is stored.  A file that turns out
    unreadable midway keeps the units read before the fault and says so.
    *progress* is given the number of ``<tu>`` elements in the TMX files
    (counted without parsing) and advanced as units are read.
    """
    readable = list(zip(map(os.fspath, paths), check_sources(paths)))
    total = sum(_tmx_units(path) for _, path in readable) if progress else 0
    reports = []
    with progress(total) if progress else nullcontext(None) as advance:
        for name, path in readable:
            report = FileImport(name)
            report.counts = memory.add(_new_units(_until_fault(path, report, advance), name, report.refused))
            reports.append(report)
    return reports


def _tmx_units(path: Path) -> int:
    """How many ``<tu>`` a TMX file holds, by counting bytes (a second's work for a gigabyte); 0 for other formats.

    Unreadable files count 0 here: the reader says what is wrong with them.
    """
    if path.suffix.lower() != ".tmx":
        return 0
    count, tail = 0, b""
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 22):
                data = tail + chunk
                count += data.count(b"<tu>") + data.count(b"<tu ") + data.count(b"<tu\n")
                tail = data[-3:]
    except OSError:
        return 0
    return count


def _until_fault(path: Path, report: FileImport, advance: Callable[[int], None] | None = None) -> Iterator[TranslationUnit]:
    """The units of *path* up to a fault in the file, which is recorded on *report* (the units before it are stored)."""
    read = 0
    try:
        _, units = stream_units(path)
        for unit in units:
            yield unit
            read += 1
            if advance is not None and read % 1000 == 0:
                advance(1000)
    except (FormatError, InputError) as exc:
        report.error = str(exc)
    if advance is not None:
        advance(read % 1000)


def stored_as_units(stored: Iterable[StoredUnit]) -> Iterator[TranslationUnit]:
    """Memory rows as translation units, for the writers: confirmation kept, each row its own position."""
    for s in stored:
        origin = Origin(s.origin) if s.origin in Origin._value2member_map_ else Origin.HUMAN
        unit = TranslationUnit(s.source, s.target, origin, document=s.document or "memory", index=s.id,
                               score=1.0 if origin is Origin.TM and s.confirmed else None, model=s.creator or None if origin is Origin.MT else None,
                               notes=(f"memory unit {s.id}, {s.status}, from {s.file or 'this memory'}, changed {s.changed}",))
        if needs_review(unit) == s.confirmed:
            unit = replace(unit, confirmed=s.confirmed)
        yield unit


def export_memory(memory: Memory, path: str | os.PathLike[str], *, origins: Sequence[str] = (),
                  confirmed_only: bool = False) -> list[tuple[str, int]]:
    """Write the memory's current units to *path* (TMX, PO or CSV by suffix); returns (file, units) written.

    A TMX is what a CAT tool takes as finished work, so only confirmed units
    go into it: machine drafts go to ``<stem>.mt.tmx`` beside it (as
    ``translate`` writes them) and other unconfirmed units to
    ``<stem>.fuzzy.tmx``, each to be loaded with a penalty.  PO and CSV
    keep every unit in the one file, the unconfirmed ones marked fuzzy.
    """
    units = list(stored_as_units(memory.units(origins=origins, confirmed_only=confirmed_only)))
    if not units:
        raise InputError(f"{memory.path}: no units to export" + (" with those filters" if origins or confirmed_only else ""))
    target = Path(path)
    files = [(target, units)]
    if target.suffix.lower() == ".tmx":
        files = [(target, [u for u in units if not needs_review(u)]),
                 (target.with_name(f"{target.stem}.mt.tmx"), [u for u in units if u.origin is Origin.MT]),
                 (target.with_name(f"{target.stem}.fuzzy.tmx"), [u for u in units if needs_review(u) and u.origin is not Origin.MT])]
    written = []
    with output_set():  # the file and its companions change together
        for place, chosen in files:
            if chosen:
                write_units(chosen, place)
                written.append((os.fspath(place), len(chosen)))
            elif place != target and place.exists():
                remove_output(place)  # an earlier export's, no longer true
    return written


@dataclass
class Leverage:
    """What :func:`leverage` did: units filled by kind of match, repaired, and only shown (fuzzy)."""

    in_context: int = 0
    exact: int = 0
    repaired: int = 0
    fuzzy: int = 0

    @property
    def filled(self) -> int:
        return self.in_context + self.exact + self.repaired


def _neighbours(units: Sequence[TranslationUnit]) -> list[tuple[str, str]]:
    out = []
    for i, u in enumerate(units):
        prev = units[i - 1].source if i and units[i - 1].document == u.document else ""
        nxt = units[i + 1].source if i + 1 < len(units) and units[i + 1].document == u.document else ""
        out.append((prev, nxt))
    return out


def leverage(units: Sequence[TranslationUnit], matcher: Matcher, glossary: Glossary | None = None,
             totals: Leverage | None = None) -> list[TranslationUnit]:
    """*units* with every untranslated one looked up in the memory (see the module docstring).

    Filled units get origin ``tm`` and the match score as their score
    (1.01 in context, 1.0 exact, below 1 for a repaired fuzzy match, which
    stays unconfirmed); a fuzzy match that cannot be repaired is recorded
    in the notes, and the unit is left for the drafter.
    """
    totals = totals if totals is not None else Leverage()
    out = list(units)
    for i, (u, (prev, nxt)) in enumerate(zip(units, _neighbours(units))):
        if u.target:
            continue
        match = matcher.best(u.source, prev, nxt)
        if match is None:
            continue
        filled = _filled(u, match, glossary)
        if filled is None:
            totals.fuzzy += 1
            out[i] = replace(u, notes=u.notes + (f"memory: {match.score}% match ({'confirmed' if match.unit.confirmed else 'unconfirmed'}): "
                                                 f"{match.unit.source} => {match.unit.target}",))
            continue
        out[i] = filled
        if match.score > 100:
            totals.in_context += 1
        elif match.score == 100:
            totals.exact += 1
        else:
            totals.repaired += 1
    return out


def _filled(u: TranslationUnit, match: Match, glossary: Glossary | None) -> TranslationUnit | None:
    """*u* filled from a confirmed exact match, or from a repaired fuzzy one; None when it is only to be shown."""
    if not match.unit.confirmed:
        return None
    where = match.unit.document or match.unit.file or "the memory"
    if match.score >= 100:
        target, note = match.unit.target, f"memory: {match.kind} match ({match.score}%) from {where}"
    else:
        repaired = number_repair(u.source, match.unit) or (term_repair(u.source, match.unit, glossary) if glossary else None)
        if repaired is None:
            return None
        target = repaired[0]
        note = (f"memory: {match.score}% match from {where}, repaired ({'; '.join(repaired[1])}); check it: "
                f"{match.unit.source} => {match.unit.target}")
    checks = check_terms(u.source, target, glossary) if glossary else ()
    return replace(u, target=target, origin=Origin.TM, score=match.score / 100, model=None, notes=u.notes + (note,),
                   terms=checks)


def remember(memory: Memory, units: Iterable[TranslationUnit], file: str) -> AddCounts:
    """Store a run's aligned pairs (human translations the aligner matched) in *memory*."""
    return memory.add(_new_units(units, file, Counter(), keep=lambda u: u.origin is Origin.ALIGNED))

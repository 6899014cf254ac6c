"""The project memory's file: every unit a project has made, in one SQLite database.

One table of units, each with its source, target, origin (human, aligned,
mt, glossary, tm), status (confirmed or not), where it was (document,
position, the neighbouring source segments, for in-context matches), when
and by whom it was made and changed, and the file it came from.  A
trigram full-text index (SQLite's FTS5) over the source finds fuzzy-match
candidates without reading the memory; :mod:`.match` scores them.

The same source may hold several translations, but never the same one
twice (a digest of source and target is unique).  A confirmed translation
supersedes the unconfirmed ones of its source (compared as exact matches
compare them), whichever arrived first: they stay, marked with the unit that
replaced them (``superseded_by``), as history, and are never offered.

Writes go in batches, each its own transaction, so two processes
importing at once both land in full (one waits for the other's batch),
and a process killed mid-import leaves whole batches behind, which a
re-run completes (what is there already is skipped as a duplicate).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import regex

from ..errors import InputError, OutputError

__all__ = ["Memory", "StoredUnit", "default_memory_path", "exact_key", "fuzzy_key"]

#: what the ``meta`` table says a tm-builder memory is
_KIND = "tm-builder memory"
_VERSION = "1"
#: units written per transaction
BATCH = 20000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    key TEXT NOT NULL,
    fuzzy TEXT NOT NULL,
    origin TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'unconfirmed')),
    document TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    prev TEXT NOT NULL DEFAULT '',
    next TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    changed TEXT NOT NULL,
    creator TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL DEFAULT '',
    superseded_by INTEGER,
    pair INTEGER NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS units_key ON units (key);
CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5 (fuzzy, content='units', content_rowid='id', tokenize='trigram', detail='none');
CREATE VIRTUAL TABLE IF NOT EXISTS grams_vocab USING fts5vocab (grams, 'row');
"""

_COLUMNS = ("id, source, target, origin, status, document, position, prev, next, created, changed, creator, file, "
            "superseded_by")


def default_memory_path() -> Path:
    """``$TM_BUILDER_MEMORY`` if set, else ``./tm-builder-memory.sqlite3``: a project's memory lives with the project."""
    return Path(os.environ.get("TM_BUILDER_MEMORY") or "tm-builder-memory.sqlite3")


def exact_key(text: str) -> str:
    """The source as exact matches compare it: full- and half-width forms alike (NFKC), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def fuzzy_key(text: str) -> str:
    """The source as fuzzy matches compare it: :func:`exact_key` without punctuation or symbols."""
    return _PUNCTUATION.sub("", exact_key(text))


_PUNCTUATION = regex.compile(r"[\p{P}\p{S}]+")


@dataclass(frozen=True)
class StoredUnit:
    """One row of the memory, as a caller sees it."""

    id: int
    source: str
    target: str
    origin: str
    status: str
    document: str = ""
    position: int = 0
    prev: str = ""
    next: str = ""
    created: str = ""
    changed: str = ""
    creator: str = ""
    file: str = ""
    superseded_by: int | None = None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


@dataclass(frozen=True)
class NewUnit:
    """What :meth:`Memory.add` stores: a translation with its provenance (dates as ISO 8601 UTC, empty: now)."""

    source: str
    target: str
    origin: str
    confirmed: bool
    document: str = ""
    position: int = 0
    prev: str = ""
    next: str = ""
    creator: str = ""
    file: str = ""
    created: str = ""
    changed: str = ""


@dataclass
class AddCounts:
    """What an import did: units added, units updated (confirmed now, or superseding), duplicates skipped."""

    added: int = 0
    updated: int = 0
    duplicates: int = 0

    def __iadd__(self, other: "AddCounts") -> "AddCounts":
        self.added += other.added
        self.updated += other.updated
        self.duplicates += other.duplicates
        return self


def _pair(key: str, target: str) -> int:
    """A 63-bit digest of a source's exact key and a target: one unit per pair, without indexing both texts whole."""
    digest = hashlib.blake2b(f"{key}\0{' '.join(target.split())}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Memory:
    """A project memory file (created on first use).  Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else default_memory_path()
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a directory, not a memory file")
        if not create and not self.path.is_file():
            raise InputError(f"{self.path}: no such memory (import into it first: tm-builder memory import FILE)")
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=120, isolation_level=None)
                self._check_or_create()
                self._db.execute("PRAGMA journal_mode=WAL")  # only once it is known to be ours
                self._db.execute("PRAGMA synchronous=NORMAL")
            else:  # export, stats, search only read: a memory on a read-only disk or shared copy serves them
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=120,
                                           isolation_level=None)
                self._check(self._db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"))
            self._db.execute("PRAGMA cache_size=-131072")  # 128 MiB: a million-unit index does not fit SQLite's 2 MiB default
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot open the memory ({exc.strerror or exc})") from None

    def _unusable(self, exc: Exception) -> InputError:
        return InputError(f"{self.path}: not a usable tm-builder memory ({exc}); give another --memory path")

    def _check_or_create(self) -> None:
        """Make the schema in a new file; refuse another program's database or another version's."""
        self._db.execute("BEGIN IMMEDIATE")  # two processes creating one memory: the second sees the first's tables
        try:
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
            if tables and "meta" not in tables:
                raise self._unusable(Exception("a database of another program"))
            if not tables:
                for statement in filter(str.strip, _SCHEMA.split(";\n")):
                    self._db.execute(statement)
                self._db.executemany("INSERT INTO meta VALUES (?, ?)", [("kind", _KIND), ("version", _VERSION)])
            self._check_meta()
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _check(self, tables: sqlite3.Cursor) -> None:
        names = {r[0] for r in tables}
        if "meta" not in names:
            raise self._unusable(Exception("a database of another program" if names else "an empty file"))
        self._check_meta()

    def _check_meta(self) -> None:
        kind = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if kind.get("kind") != _KIND:
            raise self._unusable(Exception("its meta table is another program's"))
        if kind.get("version") != _VERSION:
            raise self._unusable(Exception(f"memory version {kind.get('version')}, this tm-builder reads {_VERSION}"))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Memory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, tuple(args)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None

    # -- writing -----------------------------------------------------------------------------------------

    def add(self, units: Iterable[NewUnit]) -> AddCounts:
        """Store *units* (see the module docstring for what is kept), a batch per transaction."""
        total = AddCounts()
        batch: list[NewUnit] = []
        for unit in units:
            if unit.source.strip() and unit.target.strip():
                batch.append(unit)
            if len(batch) >= BATCH:
                total += self._add_batch(batch)
                batch = []
        if batch:
            total += self._add_batch(batch)
        return total

    def _add_batch(self, batch: list[NewUnit]) -> AddCounts:
        counts = AddCounts()
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            grams: list[tuple[int, str]] = []
            now = _now()  # one timestamp a batch: formatting the time was a tenth of an import's Python work
            for u in batch:
                created = u.created or now
                status = "confirmed" if u.confirmed else "unconfirmed"
                key = exact_key(u.source)
                fuzzy = _PUNCTUATION.sub("", key)
                pair = _pair(key, u.target)
                cur = db.execute(
                    "INSERT OR IGNORE INTO units (source, target, key, fuzzy, origin, status, document, position, prev, "
                    "next, created, changed, creator, file, pair) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (u.source, u.target, key, fuzzy, u.origin, status, u.document, u.position,
                     u.prev, u.next, created, u.changed or created, u.creator, u.file, pair),
                )
                if cur.rowcount == 1:
                    counts.added += 1
                    new = int(cur.lastrowid)
                    grams.append((new, fuzzy))
                    self._supersede(u, key, new)
                elif u.confirmed and db.execute(
                    "UPDATE units SET status = 'confirmed', origin = ?, changed = ?, creator = ?, file = ?, "
                    "superseded_by = NULL WHERE pair = ? AND status = 'unconfirmed'",
                    (u.origin, u.changed or created, u.creator, u.file, pair),
                ).rowcount:
                    counts.updated += 1
                    (new,) = db.execute("SELECT id FROM units WHERE pair = ?", (pair,)).fetchone()
                    self._supersede(u, key, int(new))
                else:
                    counts.duplicates += 1
            db.executemany("INSERT INTO grams (rowid, fuzzy) VALUES (?, ?)", grams)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise self._unusable(exc) from None
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return counts

    def _supersede(self, unit: NewUnit, key: str, new: int) -> None:
        """A confirmed unit retires its source's unconfirmed ones; an unconfirmed one is history at once if a confirmed exists."""
        if unit.confirmed:
            self._db.execute(
                "UPDATE units SET superseded_by = ? WHERE key = ? AND status = 'unconfirmed' AND superseded_by IS NULL "
                "AND id != ?", (new, key, new))
            return
        row = self._db.execute(
            "SELECT id FROM units WHERE key = ? AND status = 'confirmed' AND superseded_by IS NULL ORDER BY id DESC LIMIT 1",
            (key,)).fetchone()
        if row is not None:
            self._db.execute("UPDATE units SET superseded_by = ? WHERE id = ?", (row[0], new))

    # -- reading -----------------------------------------------------------------------------------------

    def by_key(self, key: str) -> list[StoredUnit]:
        """The current (not superseded) units whose source has exact key *key*: confirmed first, newest first."""
        rows = self._rows(f"SELECT {_COLUMNS} FROM units WHERE key = ? AND superseded_by IS NULL "
                          "ORDER BY status = 'confirmed' DESC, changed DESC, id DESC LIMIT 20", (key,))
        return [StoredUnit(*r) for r in rows]

    def by_ids(self, ids: Sequence[int]) -> list[tuple[int, str, bool, str]]:
        """(id, fuzzy key, confirmed, changed) of the current units among *ids*."""
        out: list[tuple[int, str, bool, str]] = []
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            out += [(i, f, status == "confirmed", changed) for i, f, status, changed in self._rows(
                f"SELECT id, fuzzy, status, changed FROM units WHERE superseded_by IS NULL AND id IN ({','.join('?' * len(part))})",
                part)]
        return out

    def unit(self, unit_id: int) -> StoredUnit:
        (row,) = self._rows(f"SELECT {_COLUMNS} FROM units WHERE id = ?", (unit_id,))
        return StoredUnit(*row)

    def gram_counts(self, grams: Iterable[str]) -> dict[str, int]:
        """How many units hold each trigram (the index's own vocabulary: no unit is read)."""
        out: dict[str, int] = {}
        for g in grams:
            rows = self._rows("SELECT doc FROM grams_vocab WHERE term = ?", (g,))
            out[g] = int(rows[0][0]) if rows else 0
        return out

    def with_gram(self, gram: str) -> list[int]:
        """Ids of the units whose fuzzy key holds the trigram *gram* (superseded ones included: :meth:`by_ids` drops them)."""
        return [r[0] for r in self._rows("SELECT rowid FROM grams WHERE grams MATCH ?", ('"' + gram.replace('"', '""') + '"',))]

    def units(self, *, origins: Sequence[str] = (), confirmed_only: bool = False, history: bool = False) -> Iterator[StoredUnit]:
        """Every unit in the order stored (current ones only unless *history*), filtered by origin and status."""
        where = ["1"]
        args: list[object] = []
        if not history:
            where.append("superseded_by IS NULL")
        if origins:
            where.append(f"origin IN ({','.join('?' * len(origins))})")
            args += list(origins)
        if confirmed_only:
            where.append("status = 'confirmed'")
        try:
            for row in self._db.execute(f"SELECT {_COLUMNS} FROM units WHERE {' AND '.join(where)} ORDER BY id", args):
                yield StoredUnit(*row)
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None

    def search(self, text: str, *, limit: int = 200) -> list[StoredUnit]:
        """Concordance: current units whose source or target contains *text* (case-insensitive for Latin letters)."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._rows(f"SELECT {_COLUMNS} FROM units WHERE superseded_by IS NULL AND (source LIKE ? ESCAPE '\\' "
                          "OR target LIKE ? ESCAPE '\\') ORDER BY id LIMIT ?", (pattern, pattern, limit))
        return [StoredUnit(*r) for r in rows]

    def stats(self) -> dict[str, object]:
        """Counts a user asks for: units current and in history, by origin and status, documents and files."""
        current = self._rows("SELECT origin, status, count(*) FROM units WHERE superseded_by IS NULL GROUP BY 1, 2 ORDER BY 1, 2")
        (history,) = self._rows("SELECT count(*) FROM units WHERE superseded_by IS NOT NULL")[0]
        (sources,) = self._rows("SELECT count(DISTINCT key) FROM units WHERE superseded_by IS NULL")[0]
        (documents,) = self._rows("SELECT count(DISTINCT document) FROM units WHERE document != ''")[0]
        (files,) = self._rows("SELECT count(DISTINCT file) FROM units WHERE file != ''")[0]
        return {
            "path": os.fspath(self.path), "units": sum(n for _, _, n in current), "sources": sources, "history": history,
            "by_origin": {o: sum(n for oo, _, n in current if oo == o) for o in sorted({o for o, _, _ in current})},
            "confirmed": sum(n for _, s, n in current if s == "confirmed"),
            "unconfirmed": sum(n for _, s, n in current if s == "unconfirmed"),
            "documents": documents, "files": files,
        }

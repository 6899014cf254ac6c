"""The draft cache: machine drafts remembered across runs (SQLite).

A newsroom re-runs the tool on overlapping material: the same speaker
labels, headings and stock sentences recur, and a run over an archive may
be interrupted.  Every draft is stored, keyed by the engine's signature
(model and revision, engine, beam, length limits: everything that changes
a draft) and the source text, so an identical segment is drafted once and
never again, and an interrupted run resumes where it stopped.

The file lives in ``$TM_BUILDER_CACHE`` if set, else
``$XDG_CACHE_HOME/tm-builder/drafts.sqlite3`` (``~/.cache/tm-builder/``).
It uses WAL mode, so a reader never blocks the writer.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from .engines.base import Draft
from .errors import OutputError
from .textio import cache_dir
from .units import split_review

__all__ = ["DraftCache", "default_cache_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    signature TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    score REAL,
    notes TEXT NOT NULL,
    problem TEXT,
    PRIMARY KEY (signature, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS memo (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""


#: the columns of each table, to tell our cache from another program's file
_COLUMNS = {"drafts": ["signature", "source", "target", "score", "notes", "problem"], "memo": ["key", "value"]}


def default_cache_path() -> Path:
    """Where the draft cache lives (see the module docstring)."""
    explicit = os.environ.get("TM_BUILDER_CACHE")
    if explicit:
        return Path(explicit)
    return cache_dir() / "drafts.sqlite3"


def signature_key(signature: Mapping[str, str]) -> str:
    """A short stable key for an engine signature."""
    text = json.dumps(dict(sorted(signature.items())), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class DraftCache:
    """Drafts by (engine signature, source text)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        #: drafts served from the file so far (a resumed run shows what it did not redo)
        self.hits = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = {t: [r[1] for r in self._db.execute(f"PRAGMA table_info({t})")] for t in _COLUMNS}
        except (OSError, sqlite3.Error) as exc:
            raise self._unusable(exc) from None
        if columns != _COLUMNS:
            raise OutputError(f"{self.path}: not a tm-builder draft cache (other tables of the same names); "
                              "move it away, set TM_BUILDER_CACHE elsewhere or use --no-cache")

    def _unusable(self, exc: Exception) -> OutputError:
        return OutputError(f"{self.path}: the draft cache is unusable ({exc}); delete it (it holds only machine "
                           "drafts, which are made again), set TM_BUILDER_CACHE elsewhere or use --no-cache")

    def _query(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        """Rows of a query; a file damaged past its header is a one-line error, not a traceback."""
        try:
            return self._db.execute(sql, tuple(args)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None

    def _write(self, sql: str, rows: list[tuple]) -> None:
        try:
            with self._db:
                self._db.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None

    def get(self, signature: str, sources: Iterable[str]) -> dict[str, Draft]:
        """The cached drafts among *sources*."""
        found: dict[str, Draft] = {}
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._query(
                f"SELECT source, target, score, notes, problem FROM drafts WHERE signature = ? AND source IN ({marks})",
                [signature, *chunk],
            )
            for source, target, score, notes, problem in rows:
                try:
                    kept, flagged = split_review(tuple(json.loads(notes)))
                    draft = Draft(str(target), None if score is None else float(score), kept, flagged or problem)
                except (TypeError, ValueError):
                    continue  # a damaged row is a miss: the segment is drafted again and the row replaced
                # Drafts stored before review flags were a field carry theirs as a note: that text is the flag.
                found[source] = draft
        self.hits += len(found)
        return found

    def put(self, signature: str, drafts: Mapping[str, Draft]) -> None:
        """Store drafts and commit, so they survive an interruption right after."""
        self._write(
            "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?, ?, ?)",
            [(signature, s, d.text, d.score, json.dumps(list(d.notes), ensure_ascii=False), d.problem) for s, d in drafts.items()],
        )

    def recall(self, key: str) -> object | None:
        """A JSON value stored by :meth:`remember` (other costly results of a run, such as term candidates)."""
        rows = self._query("SELECT value FROM memo WHERE key = ?", (key,))
        try:
            return json.loads(rows[0][0]) if rows else None
        except (TypeError, ValueError):
            return None  # damaged: recomputed and replaced

    def remember(self, key: str, value: object) -> None:
        self._write("INSERT OR REPLACE INTO memo VALUES (?, ?)", [(key, json.dumps(value, ensure_ascii=False))])

    def __len__(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM drafts")[0][0])

    def close(self) -> None:
        self._db.close()

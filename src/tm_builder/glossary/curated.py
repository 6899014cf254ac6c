"""The curated political glossary shipped in ``glossary/*.csv``: approved by construction."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ..errors import InputError
from .model import KINDS, Glossary, Status, Term, TermOrigin, split_variants

__all__ = ["CURATED_COLUMNS", "curated_dir", "load_curated"]


def curated_dir() -> Path:
    """The shipped glossary: ``$TM_BUILDER_GLOSSARY_DIR`` if set, else the package's copy of ``glossary/``."""
    explicit = os.environ.get("TM_BUILDER_GLOSSARY_DIR")
    return Path(explicit) if explicit else Path(__file__).parent.parent / "curated"


CURATED_COLUMNS = ("source", "target", "variants", "kind", "note")


def load_curated(directory: str | os.PathLike[str] | None = None) -> Glossary:
    """Every ``*.csv`` of the curated glossary, as approved terms (files in name order).

    A malformed file is an error naming the file and line: a curated
    glossary that silently loses rows would silently stop enforcing them.
    """
    folder = Path(directory) if directory is not None else curated_dir()
    files = sorted(folder.glob("*.csv"))
    stamp = (os.fspath(folder.resolve()), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files))
    if _READ.get("stamp") != stamp:  # a run reads the 4,700 rows once, however many stages ask (terms are frozen)
        _READ["terms"], _READ["stamp"] = _read(files), stamp
    return Glossary.of(_READ["terms"])


_READ: dict = {}


def _read(files: list[Path]) -> list[Term]:
    terms: list[Term] = []
    seen: dict[str, str] = {}
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) [: len(CURATED_COLUMNS)] != CURATED_COLUMNS:
                raise InputError(f"{path}: the header must start with {','.join(CURATED_COLUMNS)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                source, target = (row["source"] or "").strip(), (row["target"] or "").strip()
                if not source or not target:
                    raise InputError(f"{where}: source and target must not be empty")
                kind = (row["kind"] or "").strip()
                if kind not in KINDS:
                    raise InputError(f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
                if source in seen:
                    raise InputError(f"{where}: {source} is already defined in {seen[source]}")
                seen[source] = where
                terms.append(
                    Term(
                        source, target, kind, Status.APPROVED, TermOrigin.CURATED,
                        variants=split_variants(row["variants"] or ""), note=(row["note"] or "").strip(),
                    )
                )
    return terms



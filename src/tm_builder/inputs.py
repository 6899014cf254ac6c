"""The documents a run reads: files, the folders of an archive, or a list of paths (``--files-from``).

An archive keeps its layout: ``2019/01/0101.txt`` under a folder given on
the command line writes ``OUTDIR/2019/01/0101.{tmx,po,csv}``, so two days'
``0101.txt`` never collide.  A file named directly writes
``OUTDIR/<stem>.*``, as it always has.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import InputError

__all__ = ["ARCHIVE_SUFFIXES", "Input", "collect_inputs", "pair_folders"]

#: the files a folder contributes (anything else in it, such as notes or images, is not a document)
ARCHIVE_SUFFIXES = (".txt",)


@dataclass(frozen=True)
class Input:
    """One document to read, and where its outputs go."""

    path: Path
    #: the outputs' path under the output directory, without suffix (``/``-separated)
    name: str


def collect_inputs(paths: Sequence[str | os.PathLike[str]], files_from: str | os.PathLike[str] | None = None) -> list[Input]:
    """Every document named by *paths* (files and folders) and by the list *files_from*, in that order.

    A folder gives its ``.txt`` files at any depth, sorted, hidden ones left
    out.  A list names one path per line (blank lines and ``#`` comments
    ignored); a relative path is read from the current directory, as
    ``tar -T`` and ``rsync --files-from`` do, and keeps its folders in the
    output name.  Two inputs with one output name are refused.
    """
    found: list[Input] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found.extend(_folder(path))
        else:
            found.append(Input(path, path.stem))
    if files_from is not None:
        found.extend(_listed(Path(files_from)))
    if not found:
        raise InputError("no input files given")
    names: dict[str, Path] = {}
    for item in found:
        if item.name in names:
            raise InputError(f"{item.path} and {names[item.name]} would write the same outputs ({item.name}.*); rename one")
        names[item.name] = item.path
    return found


def _folder(folder: Path) -> list[Input]:
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if not name.startswith(".") and name.lower().endswith(ARCHIVE_SUFFIXES):
                files.append(Path(root) / name)
    if not files:
        raise InputError(f"{folder}: a folder with no {'/'.join(ARCHIVE_SUFFIXES)} files")
    files.sort(key=lambda f: f.relative_to(folder).parts)
    return [Input(f, PurePosixPath(*f.relative_to(folder).with_suffix("").parts).as_posix()) for f in files]


def _listed(listing: Path) -> list[Input]:
    try:
        text = listing.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{listing}: cannot read the list of files ({exc})") from None
    found = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        path = Path(entry)
        if not path.is_file():
            raise InputError(f"{listing}:{lineno}: {entry}: no such file")
        keeps_folders = not path.is_absolute() and ".." not in path.parts
        name = PurePosixPath(*path.with_suffix("").parts).as_posix() if keeps_folders else path.stem
        found.append(Input(path, name))
    if not found:
        raise InputError(f"{listing}: the list names no files")
    return found


def pair_folders(zh_folder: str | os.PathLike[str], en_folder: str | os.PathLike[str]) -> list[tuple[Input, Path]]:
    """Each Chinese document of *zh_folder* with the English file at the same relative path in *en_folder*.

    ``zh/2019/0101.txt`` pairs with ``en/2019/0101.txt`` and writes
    ``OUTDIR/2019/0101.*``.  A document on one side only is refused, with
    how many there are, before any work: a pair list that silently drops
    documents would look complete.
    """
    zh_root, en_root = Path(zh_folder), Path(en_folder)
    zh_items, en_items = _folder(zh_root), _folder(en_root)
    english = {item.name: item.path for item in en_items}
    alone = [item for item in zh_items if item.name not in english]
    if alone:
        raise InputError(f"{alone[0].path} has no translation at {en_root / alone[0].path.relative_to(zh_root)}"
                         + (f" ({len(alone)} Chinese files have none)" if len(alone) > 1 else ""))
    extra = sorted(set(english) - {item.name for item in zh_items})
    if extra:
        raise InputError(f"{english[extra[0]]} has no Chinese document in {zh_root}"
                         + (f" ({len(extra)} English files have none)" if len(extra) > 1 else ""))
    return [(item, english[item.name]) for item in zh_items]

"""What an alignment leaves beside the memory: its beads, and the sentences no counterpart was found for.

``<stem>.unaligned.csv`` is for the reviewer (a spreadsheet: side,
paragraph, index, line, text); the links file is Vecalign's
``[0]:[0]:0.93`` format, so that alignment evaluation tools read it.
"""

from __future__ import annotations

import csv
import os

from ..textio import atomic_write
from .base import sheet_safe

__all__ = ["write_links", "write_unaligned"]


def write_links(alignment, path: str | os.PathLike[str]) -> None:
    """The beads of *alignment* (an :class:`~tm_builder.align.Alignment`), one per line, 0-based."""
    with atomic_write(path, newline="\n") as out:
        for bead in alignment.beads:
            out.write(bead.link() + "\n")


def write_unaligned(result, path: str | os.PathLike[str]) -> None:
    """The segments of *result* (a :class:`~tm_builder.align.DocumentAlignment`) that found no counterpart."""
    with atomic_write(path, encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["side", "paragraph", "index", "line", "text"])
        for i in result.alignment.unaligned_src:
            s = result.zh_segments[i]
            writer.writerow(["zh", s.paragraph, s.index, s.line, sheet_safe(s.text)])
        for j in result.alignment.unaligned_tgt:
            s = result.en_segments[j]
            writer.writerow(["en", s.paragraph, s.index, s.line, sheet_safe(s.text)])

"""What an alignment leaves beside the memory: its beads, and the sentences no counterpart was found for.

``<stem>.unaligned.csv`` is for the reviewer (a spreadsheet: side,
paragraph, index, line, text); the links file is Vecalign's
``[0]:[0]:0.93`` format, so that alignment evaluation tools read it.
"""

from __future__ import annotations

import os

from ..textio import atomic_write
from .base import write_sheet

__all__ = ["write_links", "write_unaligned"]


def write_links(alignment, path: str | os.PathLike[str]) -> None:
    """The beads of *alignment* (an :class:`~tm_builder.align.Alignment`), one per line, 0-based."""
    with atomic_write(path, newline="\n") as out:
        for bead in alignment.beads:
            out.write(bead.link() + "\n")


def write_unaligned(result, path: str | os.PathLike[str]) -> None:
    """The segments of *result* (a :class:`~tm_builder.align.DocumentAlignment`) that found no counterpart."""
    zh = [result.zh_segments[i] for i in result.alignment.unaligned_src]
    en = [result.en_segments[j] for j in result.alignment.unaligned_tgt]
    rows = [[side, s.paragraph, s.index, s.line, s.text] for side, segments in (("zh", zh), ("en", en)) for s in segments]
    write_sheet(path, ["side", "paragraph", "index", "line", "text"], rows)

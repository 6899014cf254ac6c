"""Errors a user can act on.

Every failure the user can cause (a missing file, an undecodable input, an
unwritable directory) is raised as a :class:`TmBuilderError` with a message
that fits on one line.  The CLI prints that line and exits non-zero; anything
else escaping is a bug in tm-builder, not in the input.
"""

from __future__ import annotations


class TmBuilderError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    #: Exit status the CLI uses for this error.
    exit_code: int = 1


class InputError(TmBuilderError):
    """An input file cannot be used (missing, a directory, empty, binary, undecodable)."""


class OutputError(TmBuilderError):
    """An output cannot be written (unwritable directory, name clash)."""


class FormatError(TmBuilderError):
    """A TMX, PO or CSV file is not in the shape tm-builder writes or reads."""

"""Run ``tm-builder`` inside the test process.

The same typer application, parsing, commands, messages and exit codes as
the installed script, without starting a new interpreter and re-importing
jieba, CTranslate2 or transformers for every call (one to seven seconds each
on 2 cores).  Tests of what only a real process shows (exit status from a
signal, the locale, a closed stdout, the console script itself) start one;
see ``test_cli.py``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from tm_builder.cli import _optional_ray_address, app


@dataclass(frozen=True)
class Completed:
    """What a finished command left: the fields of ``subprocess.CompletedProcess`` that tests read."""

    returncode: int
    stdout: str
    stderr: str


def tm_builder(*args: str | os.PathLike[str], env: Mapping[str, str | None] | None = None,
               cwd: str | os.PathLike[str] | None = None) -> Completed:
    """``tm-builder ARGS...``; *env* adds to (``None``: removes from) the environment for the call.

    An exception that the CLI does not turn into a one-line error propagates
    and fails the test: a traceback is never an acceptable outcome.
    """
    here = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, _optional_ray_address([os.fspath(a) for a in args]), env=dict(env or {}), catch_exceptions=False)
    finally:
        os.chdir(here)
    return Completed(result.exit_code, result.stdout, result.stderr)

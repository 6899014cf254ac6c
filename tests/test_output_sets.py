"""A run's outputs change together: after any failure or signal the directory holds the old set or the new one.

Each case runs the CLI in a real process, because what is being tested is
what a process leaves behind when it is cut off.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, SEED

DOC = DATA / "align" / "seed_zh.txt"
OUTPUTS = ("tmx", "po", "csv", "source.txt", "glossary.csv")

#: runs the CLI with one writer replaced by one that writes half, then does what MODE says
_CUT_OFF = """
import os, signal, sys
from tm_builder import pipeline
from tm_builder.textio import atomic_write
mode, fmt = sys.argv.pop(1), sys.argv.pop(1)
real = pipeline.WRITERS[fmt]
def half_then_stop(units, path, header=None):
    with atomic_write(path) as out:
        out.write("half a file\\n")
        out.flush()
        if mode == "sigint":
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)
pipeline.WRITERS[fmt] = half_then_stop
from tm_builder.cli import main
sys.argv[0] = "tm-builder"
main()
"""


def _env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "TM_BUILDER_CACHE": os.devnull}


def _translate(out: Path, *extra: str, code: str | None = None, preexec=None) -> subprocess.CompletedProcess[str]:
    head = [sys.executable, "-c", code, *extra[:2]] if code else [sys.executable, "-m", "tm_builder"]
    rest = extra[2:] if code else extra
    return subprocess.run([*head, "translate", str(DOC), "-o", str(out), "--engine", "none", *rest],
                          capture_output=True, text=True, env=_env(), preexec_fn=preexec)


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture
def first_set(tmp_path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    done = _translate(out)
    assert done.returncode == 0, done.stderr
    before = _snapshot(out)
    assert {f"seed_zh.{s}" for s in OUTPUTS} <= set(before)
    return out, before


@pytest.mark.parametrize("mode,code", [("sigint", 130), ("sigterm", 143)])
@pytest.mark.parametrize("fmt", ["po", "csv"])
def test_an_interrupted_run_leaves_the_previous_set_and_no_temporary_files(first_set, mode, code, fmt):
    out, before = first_set
    done = _translate(out, mode, fmt, "--target-lang", "en-GB", code=_CUT_OFF)  # a run whose files would all differ
    assert done.returncode == code, done.stderr
    assert _snapshot(out) == before  # TMX and PO are not the new ones beside the old CSV
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]


def test_a_disk_that_fills_midway_leaves_the_previous_set(first_set):
    out, before = first_set
    sizes = sorted(len(v) for v in before.values())
    limit = sizes[-1] - 1  # the largest file cannot be written, the others can

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = _translate(out, "--target-lang", "en-GB", preexec=cap)
    assert done.returncode == 1 and done.stderr.startswith("tm-builder: error:"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _snapshot(out) == before
    done = _translate(out, "--target-lang", "en-GB")  # and with room, the new set replaces the old one whole
    after = _snapshot(out)
    assert done.returncode == 0 and set(after) == set(before) and after["seed_zh.tmx"] != before["seed_zh.tmx"]


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(first_set):
    out, before = first_set
    stale = out / ".seed_zh.tmx.999999999.abc123.part"  # no such process
    stale.write_text("left by a run killed with SIGKILL")
    assert _translate(out).returncode == 0
    assert not stale.exists() and _snapshot(out) == before


def test_an_unusable_destination_is_refused_before_anything_is_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    out = tmp_path / "out"
    done = _translate(out, "--omegat", str(blocker / "project"))
    assert done.returncode != 0 and "no such directory" in done.stderr and not out.exists()
    done = subprocess.run([sys.executable, "-m", "tm_builder", "glossary", str(SEED), "-o", str(tmp_path / "g.csv"),
                           "--export", str(blocker / "g.tbx"), "--engine", "none"], capture_output=True, text=True, env=_env())
    assert done.returncode != 0 and "no such directory" in done.stderr and not (tmp_path / "g.csv").exists()
    done = subprocess.run([sys.executable, "-m", "tm_builder", "align", str(DOC), str(DATA / "align" / "seed_en.txt"),
                           "-o", str(out), "--links", str(blocker / "links.tsv")], capture_output=True, text=True, env=_env())
    assert done.returncode != 0 and "no such directory" in done.stderr and not out.exists()

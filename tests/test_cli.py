"""The command line as a user meets it: real processes, exit codes, stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tm_builder import __version__
from tm_builder.formats import read_units

from .conftest import DATA, SEED, TMX_DTD

STEM = SEED.stem


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tm_builder", *args], capture_output=True, text=True, encoding="utf-8",
        cwd=cwd, env={**os.environ, **(env or {})}, timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "tm-builder"
    assert script.exists()
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.stdout.strip() == f"tm-builder {__version__}"


@pytest.mark.parametrize("command", [[], ["segment"], ["translate"]])
def test_help(command):
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_segment_prints_one_segment_per_line():
    result = run("segment", str(SEED))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "就中国外交政策和对外关系回答中外记者提问"
    assert "王毅:" in lines and "凤凰卫视记者:" in lines
    assert "中国外长每年首访选择非洲,这一传统至今已经坚持34年,在国际交往史上独一无二。" in lines
    assert not any("上接第三版" in line for line in lines)


def test_segment_jsonl_has_kind_paragraph_offsets():
    result = run("segment", str(SEED), "--jsonl", "--lang", "zh")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(run("segment", str(SEED)).stdout.splitlines())
    assert {r["kind"] for r in records} == {"sentence", "heading", "speaker", "byline"}
    first = records[0]
    assert set(first) >= {"text", "kind", "paragraph", "index", "start", "end", "document"}
    assert first["end"] - first["start"] == len(first["text"])


def test_segment_output_is_utf8_whatever_the_locale():
    result = subprocess.run(
        [sys.executable, "-m", "tm_builder", "segment", str(SEED)], capture_output=True,
        env={**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"},
    )
    assert result.returncode == 0
    assert result.stdout.decode("utf-8").startswith("就中国外交政策")


def test_translate_engine_none_writes_valid_memories(tmp_path, xmllint, msgfmt):
    out = tmp_path / "out"
    result = run("translate", str(SEED), "-o", str(out), "--engine", "none")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when not on a terminal
    assert "79 paragraphs" in result.stdout and "18 layout breaks repaired" in result.stdout
    assert "16 speaker" in result.stdout and "8 heading" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == [f"{STEM}.csv", f"{STEM}.glossary.csv", f"{STEM}.po", f"{STEM}.source.txt",
                                                     f"{STEM}.tmx"]  # no drafts, so no .mt.tmx
    check = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(out / f"{STEM}.tmx")], capture_output=True, text=True)
    assert check.returncode == 0 and check.stderr == "", check.stderr
    check = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(out / f"{STEM}.po")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    tmx, po, csv = (read_units(out / f"{STEM}.{fmt}")[0] for fmt in ("tmx", "po", "csv"))
    assert tmx == po == csv
    assert len(tmx) == 214 and all(u.target == "" for u in tmx)


def test_translate_is_deterministic(tmp_path):
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    for name in ("a", "b"):
        assert run("translate", str(SEED), "-o", str(tmp_path / name), "--engine", "none", env=env).returncode == 0
    for fmt in ("tmx", "po", "csv"):
        assert (tmp_path / "a" / f"{STEM}.{fmt}").read_bytes() == (tmp_path / "b" / f"{STEM}.{fmt}").read_bytes()


def test_bad_inputs_give_one_line_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert_one_line_error(run("segment", str(tmp_path / "missing.txt")), "missing.txt", "no such file")
    assert_one_line_error(run("segment", str(tmp_path)), "is a directory")
    assert_one_line_error(run("segment", str(empty)), "empty.txt", "empty")
    assert_one_line_error(run("translate", str(binary), "-o", str(tmp_path / "o"), "--engine", "none"), "image.png", "binary")
    assert not (tmp_path / "o").exists()


def test_unwritable_output_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert_one_line_error(run("translate", str(SEED), "-o", str(blocker), "--engine", "none"), "not a directory")
    assert_one_line_error(run("translate", str(SEED), "-o", str(blocker / "sub"), "--engine", "none"), "cannot create output directory")


def test_no_output_when_a_later_input_is_bad(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    out = tmp_path / "out"
    assert_one_line_error(run("translate", str(SEED), str(bad), "-o", str(out), "--engine", "none"), "bad.txt")
    assert not out.exists() or not any(out.iterdir())


def test_inputs_with_the_same_stem_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "doc.txt").write_text("文本。", encoding="utf-8")
    assert_one_line_error(
        run("translate", str(tmp_path / "a" / "doc.txt"), str(tmp_path / "b" / "doc.txt"), "-o", str(tmp_path / "o"), "--engine", "none"),
        "same outputs",
    )


def test_unknown_engine_is_a_usage_error(tmp_path):
    result = run("translate", str(SEED), "-o", str(tmp_path), "--engine", "nope")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_output_never_overwrites_an_input(tmp_path):
    doc = tmp_path / "doc.csv"
    doc.write_bytes(SEED.read_bytes())
    assert_one_line_error(run("translate", str(doc), "-o", str(tmp_path), "--engine", "none"), "overwrite")
    assert doc.read_bytes() == SEED.read_bytes()


def test_output_path_taken_by_a_directory(tmp_path):
    (tmp_path / f"{STEM}.po").mkdir()
    assert_one_line_error(run("translate", str(SEED), "-o", str(tmp_path), "--engine", "none"), "is a directory")
    assert not (tmp_path / f"{STEM}.tmx").exists()  # nothing written before the clash was found


def test_stdout_failure_is_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "tm_builder", "segment", str(SEED)], stdout=open("/dev/full", "w"), stderr=subprocess.PIPE, text=True
    )
    assert_one_line_error(result, "cannot write output")


@pytest.mark.parametrize("unbuffered", ["", "1"])
@pytest.mark.parametrize("command", ["segment", "score"])
def test_a_short_write_to_stdout_is_an_error_buffered_or_not(tmp_path, command, unbuffered):
    """A disk that fills mid-output (here: a file-size limit, which cuts a write short) must not end in exit 0.

    Under PYTHONUNBUFFERED, Python's stdout ignored the short write and the
    run exited 0 with 16,384 of 23,738 bytes written.
    """
    import resource
    import signal

    args = [str(SEED)] if command == "segment" else [str(DATA / "terms" / "heldout.en")] * 2
    limit = 4096 if command == "segment" else 64

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | ({"PYTHONUNBUFFERED": "1"} if unbuffered else {})
    with open(tmp_path / "out.txt", "wb") as out:
        result = subprocess.run([sys.executable, "-m", "tm_builder", command, *args], stdout=out, stderr=subprocess.PIPE,
                                text=True, preexec_fn=cap, env=env)
    assert (tmp_path / "out.txt").stat().st_size <= limit
    assert_one_line_error(result, "cannot write output")


def test_bad_source_date_epoch(tmp_path):
    result = run("translate", str(SEED), "-o", str(tmp_path), "--engine", "none", env={"SOURCE_DATE_EPOCH": "99999999999999"})
    assert_one_line_error(result, "SOURCE_DATE_EPOCH")


def test_usage_errors_are_plain_text(tmp_path):
    result = run("translate", str(SEED))
    assert result.returncode == 2
    assert "Missing option" in result.stderr and "╭" not in result.stderr


def test_presegmented_input_keeps_one_segment_per_line(tmp_path):
    """A sentence-per-line file (a test set, a CAT export) must not be re-joined or re-split by layout repair."""
    lines = (DATA / "terms" / "heldout.zh").read_text(encoding="utf-8").splitlines()[:60]
    doc = tmp_path / "lines.zh"
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plain = run("segment", str(doc))
    assert plain.returncode == 0 and plain.stdout.splitlines() != lines  # repair and splitting change such a file
    done = run("segment", str(doc), "--presegmented")
    assert done.returncode == 0 and done.stdout.splitlines() == lines
    out = tmp_path / "out"
    done = run("translate", str(doc), "--presegmented", "-o", str(out), "--engine", "none")
    assert done.returncode == 0, done.stderr
    units, _ = read_units(out / "lines.po")
    assert [u.source for u in units] == lines and not (out / "lines.source.txt").exists()

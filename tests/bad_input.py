"""The bad-input table: each case sets up a bad input, runs the CLI in a real process, and records what the user sees.

``tests/test_bad_input.py`` runs every case and checks it fails cleanly
(one line on stderr, a non-zero exit, no output written), and that
``docs/bad-input.md`` is exactly the table these cases produce.  After
adding a case, regenerate the page from the repository root:

    .venv/bin/python -m tests.bad_input > docs/bad-input.md
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_08c510cb1e756111.txt"
DATA = ROOT / "tests" / "data"


@dataclass(frozen=True)
class Case:
    """One bad input: what it is, how to make it in a temporary directory, and the command (with ``{d}`` for it)."""

    input: str
    setup: Callable[[Path], None]
    argv: tuple[str, ...]
    expect: str  # a part of the message the user must see
    limit_bytes: int | None = None  # a file-size limit on stdout (a disk that fills)
    env: tuple[tuple[str, str], ...] = ()


def _write(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda d: (d / name).write_bytes(text.encode(encoding))


def _reviewed(d: Path) -> None:
    (d / "g.csv").write_text("source,target,status,origin\n全球南方,the Global South,approved,reviewed\n", encoding="utf-8")


def _lines(d: Path) -> None:
    zh = (DATA / "terms" / "heldout.zh").read_text(encoding="utf-8").splitlines()
    en = (DATA / "terms" / "heldout.en").read_text(encoding="utf-8").splitlines()
    (d / "long.zh").write_text("\n".join(zh * 6) + "\n", encoding="utf-8")
    (d / "short.en").write_text("\n".join(en[:20]) + "\n", encoding="utf-8")


def _nothing(d: Path) -> None:
    pass


def _two_of_one_name(d: Path) -> None:
    for folder in ("a", "b"):
        (d / folder).mkdir()
        (d / folder / "x.txt").write_text("中国代表团出席会议。\n", encoding="utf-8")


def _half_archive(d: Path) -> None:
    for folder, text in (("zh", "中国代表团出席会议。\n"), ("en", "The Chinese delegation attended.\n")):
        (d / folder / "2019").mkdir(parents=True)
        (d / folder / "2019" / "0101.txt").write_text(text, encoding="utf-8")
    (d / "zh" / "2019" / "0102.txt").write_text("会议闭幕。\n", encoding="utf-8")


def _foreign_database(d: Path) -> None:
    import sqlite3

    with sqlite3.connect(d / "other.sqlite3") as db:
        db.execute("CREATE TABLE customers (name TEXT)")


CASES: tuple[Case, ...] = (
    Case("an input file that does not exist", _nothing, ("translate", "{d}/missing.txt", "-o", "{d}/out", "--engine", "none"),
         "no such file"),
    Case("an empty input file", _write("empty.txt", ""), ("translate", "{d}/empty.txt", "-o", "{d}/out", "--engine", "none"),
         "file is empty"),
    Case("a binary file as input", lambda d: (d / "x.bin").write_bytes(bytes(range(256)) * 8),
         ("segment", "{d}/x.bin"), "binary file"),
    Case("an output directory that is a file", _write("out", "a file"),
         ("translate", str(SEED), "-o", "{d}/out", "--engine", "none"), "not a directory"),
    Case("a reviewed glossary as the output, without --merge", _reviewed,
         ("glossary", str(SEED), "-o", "{d}/g.csv", "--engine", "none"), "holds 1 reviewed decision"),
    Case("a reviewed CSV with two different decisions for one term",
         _write("dup.csv", "source,target,status\n一带一路,Belt and Road,approved\n一带一路,,candidate\n"),
         ("glossary", str(SEED), "-o", "{d}/g.csv", "--merge", "{d}/dup.csv", "--engine", "none"), "lines 2 and 3 both decide"),
    Case("a reviewed CSV with an unclosed quote",
         _write("q.csv", 'source,target,status\n全球南方,"Global South,approved\n小院高墙,small yard,approved\n'),
         ("glossary", str(SEED), "-o", "{d}/g.csv", "--merge", "{d}/q.csv", "--engine", "none"), "quote"),
    Case("a termbase with no Chinese-English terms (another dialect or language pair)",
         _write("t.tbx", '<martif type="TBX"><text><body><termEntry><langSet xml:lang="ja"><tig><term>x</term></tig>'
                         '</langSet></termEntry></body></text></martif>'),
         ("translate", str(SEED), "-o", "{d}/out", "--engine", "none", "--glossary", "{d}/t.tbx"), "no terms read"),
    Case("an unknown glossary format for --export", _nothing,
         ("glossary", str(SEED), "-o", "{d}/g.csv", "--export", "{d}/g.docx", "--engine", "none"), "unknown glossary format"),
    Case("an --export into a directory that does not exist", _nothing,
         ("glossary", str(SEED), "-o", "{d}/g.csv", "--export", "{d}/no/g.tbx", "--engine", "none"), "no such directory"),
    Case("a model directory that does not exist", _nothing,
         ("translate", str(SEED), "-o", "{d}/out", "--model", "{d}/no-model"), "no such model directory"),
    Case("a Chinese file against an English one a sixtieth its length", _lines,
         ("align", "{d}/long.zh", "{d}/short.en", "-o", "{d}/out", "--presegmented"), "not a document and its translation"),
    Case("--bootstrap with more resamples than memory allows", _nothing,
         ("score", str(DATA / "terms" / "heldout.en"), str(DATA / "terms" / "heldout.en"), "--bootstrap", "100000000"),
         "would need about"),
    Case("TER on a line of 5,000 words", _write("h.txt", " ".join(["word"] * 5000) + "\n"),
         ("score", "{d}/h.txt", "{d}/h.txt", "--metrics", "ter"), "TER's edit distance"),
    Case("a PO file whose origin comment is not one tm-builder knows",
         _write("h.po", 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n#. origin: bogus\n'
                        'msgid "中文"\nmsgstr "Chinese"\n'),
         ("score", "{d}/h.po", "{d}/h.po"), "not a valid Origin"),
    Case("another program's SQLite database as --memory", _foreign_database,
         ("translate", str(SEED), "-o", "{d}/out", "--engine", "none", "--memory", "{d}/other.sqlite3"),
         "not a usable tm-builder memory"),
    Case("a damaged project memory", _write("m.sqlite3", "SQLite format 3\x00" + "garbage" * 2000),
         ("memory", "import", str(DATA / "memory" / "trados.tmx"), "--memory", "{d}/m.sqlite3"), "not a usable tm-builder memory"),
    Case("a directory to memory import that is not an OmegaT project", lambda d: (d / "project").mkdir(),
         ("memory", "import", "{d}/project", "--memory", "{d}/m.sqlite3"), "not an OmegaT project"),
    Case("memory export from a memory that does not exist", _nothing,
         ("memory", "export", "-o", "{d}/out.tmx", "--memory", "{d}/none.sqlite3"), "no such memory"),
    Case("a list of files (--files-from) naming a file that does not exist", _write("list.txt", "# archive\nnope.txt\n"),
         ("translate", "--files-from", "{d}/list.txt", "-o", "{d}/out", "--engine", "none"), "list.txt:2: nope.txt: no such file"),
    Case("a folder with no .txt files", lambda d: (d / "empty").mkdir(),
         ("translate", "{d}/empty", "-o", "{d}/out", "--engine", "none"), "a folder with no .txt files"),
    Case("two documents of one name from two folders", _two_of_one_name,
         ("translate", "{d}/a/x.txt", "{d}/b/x.txt", "-o", "{d}/out", "--engine", "none"), "would write the same outputs"),
    Case("--ray with an address nothing answers at", _nothing,
         ("translate", str(SEED), "-o", "{d}/out", "--engine", "none", "--ray", "127.0.0.1:1"), "cannot reach the Ray cluster"),
    Case("a folder of Chinese documents, one of them without its translation in the English folder", _half_archive,
         ("align", "{d}/zh", "{d}/en", "-o", "{d}/out"), "0102.txt has no translation at"),
    Case("a folder against a file in align", _half_archive,
         ("align", "{d}/zh", "{d}/en/2019/0101.txt", "-o", "{d}/out"), "give two files or two folders"),
    Case("--workers without --ray", _nothing,
         ("translate", str(SEED), "-o", "{d}/out", "--engine", "none", "--workers", "2"), "--workers counts the Ray workers"),
    Case("stdout on a disk that fills midway (PYTHONUNBUFFERED=1)", _nothing, ("segment", str(SEED)),
         "cannot write output", limit_bytes=4096, env=(("PYTHONUNBUFFERED", "1"),)),
)


def run_case(case: Case, d: Path) -> subprocess.CompletedProcess[str]:
    """Set the case up in *d* and run it; stdout goes to a file (limited when the case says so)."""
    case.setup(d)
    argv = [a.replace("{d}", str(d)) for a in case.argv]

    def limit() -> None:
        if case.limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (case.limit_bytes, case.limit_bytes))

    env = {**os.environ, "LC_ALL": "C.UTF-8", "TM_BUILDER_CACHE": str(d / "cache.sqlite3"), **dict(case.env)}
    with open(d / "stdout.txt", "wb") as out:
        done = subprocess.run([sys.executable, "-m", "tm_builder", *argv], stdout=out, stderr=subprocess.PIPE,
                              text=True, env=env, preexec_fn=limit, timeout=300)
    return done


def shown(message: str, d: Path) -> str:
    """The message as the table shows it: temporary paths become file names."""
    text = message.strip().replace(str(d) + "/", "").replace(str(ROOT) + "/", "")
    return re.sub(r"\s+", " ", text)


def table() -> str:
    rows = ["# Bad input: what the user sees", "",
            "Generated by `python -m tests.bad_input` from the cases in `tests/bad_input.py`;",
            "`tests/test_bad_input.py` runs every case and checks that this page is current.", "",
            "| input | command | exit | what the user sees (stderr, one line) |", "| --- | --- | --- | --- |"]
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            done = run_case(case, d)
            command = "tm-builder " + " ".join(shown(a.replace("{d}", str(d)), d) for a in case.argv)
            message = shown(done.stderr, d).replace("|", r"\|")
            rows.append(f"| {case.input} | `{command}` | {done.returncode} | {message} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table())

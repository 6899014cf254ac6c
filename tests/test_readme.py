"""The README's Python examples run as written, from a copy of the repository root."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil

from .conftest import ROOT


def _examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using tm-builder from Python", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.+?)\n```", section, flags=re.S)


def test_python_examples_run(tmp_path):
    examples = _examples()
    assert len(examples) == 2
    work = tmp_path / "repo"
    for part in ("seeds", "tests/data/align"):
        shutil.copytree(ROOT / part, work / part)
    os.symlink(ROOT.parent / "shared", tmp_path / "shared")  # ../shared, as beside a checkout
    printed = io.StringIO()
    here = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(printed):
            for code in examples:
                exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    finally:
        os.chdir(here)
    out = printed.getvalue()
    assert "214 segments; the first: 就中国外交政策" in out
    assert (work / "out" / "000_08c510cb1e756111.po").is_file() and (work / "aligned" / "seed_zh.tmx").is_file()
    assert re.search(r"^\d+ aligned pairs ->", out, flags=re.M) and (work / "terms.csv").is_file()
    # the published corpus BLEU of opus-mt-zh-en on WMT18 (shared/README.md)
    assert re.search(r"^bleu 20\.2  nrefs:1\|", out, flags=re.M), out

"""Every case of the bad-input table fails cleanly, and docs/bad-input.md is the table the cases produce."""

from __future__ import annotations

import pytest

from .bad_input import CASES, ROOT, run_case, table


@pytest.mark.parametrize("case", CASES, ids=[c.input for c in CASES])
def test_bad_input_is_one_line_and_a_failure(case, tmp_path):
    done = run_case(case, tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tm-builder: error:") and case.expect in lines[0], done.stderr
    assert not (tmp_path / "out").is_dir()  # nothing written (and no empty directory left)


def test_the_bad_input_page_is_generated_from_these_cases():
    page = ROOT / "docs" / "bad-input.md"
    assert page.read_text(encoding="utf-8") == table(), "regenerate: .venv/bin/python -m tests.bad_input > docs/bad-input.md"

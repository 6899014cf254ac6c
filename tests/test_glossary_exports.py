"""Every glossary export opens in the client it is for: official TBX schemas, OmegaT's readers, translate-toolkit,
msgfmt, xmllint; and each reads back through our own reader."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from tm_builder.formats import read_glossary, write_glossary
from tm_builder.formats.termbase import omegat_matches_itself
from tm_builder.glossary import Glossary, Status, Term, TermOrigin, load_curated

from .conftest import DATA, ROOT, TMX_DTD, _tool
from .tbx_schemas import EXAMPLE, tbx_problems

CURATED = load_curated(ROOT / "glossary")
UTF8 = {"LC_ALL": "C.UTF-8", "JAVA_OPTS": "-Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8"}


def _mixed() -> Glossary:
    """The curated terms and a reviewer's decisions: an approved term with markup, a candidate, a rejection."""
    extra = [
        Term("“特殊”<&>", "special <&> text", "concept", Status.APPROVED, TermOrigin.REVIEWED, ("odd & <variant>",),
             example_source="例句", example_target="Example.", note="a \"quoted\" note"),
        Term("三到一位", "three arrivals", "formulation", Status.CANDIDATE, TermOrigin.MT),
        Term("待定词", "", "concept", Status.CANDIDATE, TermOrigin.NONE),
        Term("底布", "backing cloth", "other", Status.REJECTED, TermOrigin.REVIEWED),
    ]
    return Glossary.of([*CURATED, *extra])


@pytest.fixture(scope="module")
def groovy() -> list[str]:
    command = _tool("groovy", "omegat")
    java = os.path.realpath(shutil.which("java") or "")
    return ["env", *(f"{k}={v}" for k, v in UTF8.items()), f"JAVA_HOME={Path(java).parent.parent}", command,
            "-cp", "/usr/share/omegat/OmegaT.jar"]


def test_the_schemas_are_a_real_check(tmp_path):
    assert tbx_problems(EXAMPLE) == []  # the official valid example
    path = tmp_path / "g.tbx"
    write_glossary(_mixed(), path)
    text = path.read_text(encoding="utf-8")
    for broken in (text.replace("preferredTerm-admn-sts", "bestTerm-admn-sts", 1), text.replace('type="subjectField"', 'type="domain"', 1),
                   text.replace('type="TBX-Basic"', 'type="TBX-Min"'), text.replace("iso:30042:ed-2", "iso:30042:ed:3.0")):
        bad = tmp_path / "bad.tbx"
        bad.write_text(broken, encoding="utf-8")
        assert tbx_problems(bad), broken[:200]


def test_tbx_basic_v3_is_valid_and_reads_back(tmp_path):
    path = tmp_path / "g.tbx"
    write_glossary(_mixed(), path)
    assert tbx_problems(path) == []
    back = read_glossary(path)
    approved = [t for t in _mixed() if t.enforced]
    assert [(t.source, t.target, t.variants, t.kind, t.note) for t in back] == [
        (t.source, t.target, t.variants, t.kind, t.note) for t in approved]
    assert back.get("“特殊”<&>").example_target == "Example."


def test_tbx2_opens_in_omegat_and_translate_toolkit(tmp_path, groovy, translate_toolkit):
    path = tmp_path / "g.martif.tbx"
    write_glossary(_mixed(), path)
    approved = [t for t in _mixed() if t.enforced]
    assert [(t.source, t.target, t.variants) for t in read_glossary(path)] == [(t.source, t.target, t.variants) for t in approved]
    done = subprocess.run([*groovy, str(DATA / "omegat_tbx.groovy"), str(path), "zh-CN", "en"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert int(lines[0]) == len(approved) + sum(len(t.variants) for t in approved)  # OmegaT lists each rendering
    assert "全球南方\tGlobal South\t" in done.stdout and "“特殊”<&>\tspecial <&> text\t" in done.stdout
    code = ("import sys; from translate.storage import tbx; f = tbx.tbxfile.parsefile(sys.argv[1]); "
            "print(len(f.units)); print(f.units[0].source + '\\t' + f.units[0].target)")
    check = subprocess.run([translate_toolkit, "-c", code, str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    count, first = check.stdout.splitlines()
    assert int(count) == len(approved) and first == f"{approved[0].source}\t{approved[0].target}"


def test_glossary_as_tmx_and_po(tmp_path, xmllint, msgfmt, translate_toolkit):
    mixed = _mixed()
    tmx, po = tmp_path / "g.tmx", tmp_path / "g.po"
    write_glossary(mixed, tmx)
    write_glossary(mixed, po)
    check = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(tmx)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    check = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(po)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    kept = [t for t in mixed if t.status is not Status.REJECTED]
    # TMX: every term with a rendering; approved confirmed, the candidate marked; nothing rejected.
    back = read_glossary(tmx)
    assert [(t.source, t.target, t.status, t.variants, t.kind) for t in back] == [
        (t.source, t.target, t.status, t.variants, t.kind) for t in kept if t.target]
    # PO: every term not rejected; the candidate fuzzy, the one without a rendering an empty entry.
    entries = {e.msgid: e for e in polib.pofile(str(po))}
    assert set(entries) == {t.source for t in kept}
    assert "fuzzy" in entries["三到一位"].flags and not entries["待定词"].msgstr and "fuzzy" not in entries["全球南方"].flags
    assert [(t.source, t.target, t.status) for t in read_glossary(po)] == [(t.source, t.target, t.status) for t in kept]
    code = "import sys; from translate.storage import tmx; print(len(tmx.tmxfile.parsefile(sys.argv[1]).units))"
    check = subprocess.run([translate_toolkit, "-c", code, str(tmx)], capture_output=True, text=True)
    assert check.returncode == 0 and int(check.stdout) == len([t for t in kept if t.target]), check.stderr


def test_omegat_tsv_has_no_term_omegat_would_match_elsewhere(tmp_path):
    path = tmp_path / "g.utf8"
    write_glossary(CURATED, path)
    sources = {line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()}
    assert "人工智能+" not in sources and "人工智能+" in {t.source for t in CURATED}
    assert all(omegat_matches_itself(s) for s in sources)
    assert len(sources) == sum(1 for t in CURATED if t.enforced and omegat_matches_itself(t.source))


def test_the_review_workbook_round_trips_and_guards_its_status(tmp_path):
    from openpyxl import load_workbook

    mixed = Glossary.of([*list(_mixed()), Term("=1+1", "=SUM(A1)", "other", Status.CANDIDATE, TermOrigin.NONE)])
    path = tmp_path / "g.xlsx"
    write_glossary(mixed, path)
    assert list(read_glossary(path)) == list(mixed)  # exactly what the CSV gives back
    csv = tmp_path / "g.csv"
    write_glossary(mixed, csv)
    assert list(read_glossary(csv)) == list(read_glossary(path))
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold and sheet.auto_filter.ref
    assert sheet.column_dimensions["H"].width >= 40  # the context sentence is readable
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"approved,candidate,rejected"' and "D2" in validation.sqref
    formula = [c for c in sheet["A"] if c.value == "=1+1"]
    assert formula and formula[0].data_type == "s"  # a term is never run as a formula

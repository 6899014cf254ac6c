"""The review loop end to end: glossary, edit, merge, translate with the reviewed glossary."""

from __future__ import annotations

import csv

from tm_builder.formats import read_units
from tm_builder.formats.termbase import read_glossary_csv
from tm_builder.glossary import Status, TermOrigin, honoured

from .conftest import DATA, SEED
from .inprocess import Completed, tm_builder


def run(*args: str) -> Completed:
    return tm_builder(*args)


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _write_rows(path, rows) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def test_review_loop_keeps_every_human_decision(tmp_path, tiny_model):
    first = tmp_path / "glossary.csv"
    done = run("glossary", str(SEED), "-o", str(first), "--engine", "none")
    assert done.returncode == 0, done.stderr
    rows = _rows(first)
    by_source = {r["source"]: r for r in rows}
    assert by_source["全球南方"]["status"] == "approved" and by_source["全球南方"]["origin"] == "curated"
    assert by_source["全球南方"]["target"] == "Global South" and int(by_source["全球南方"]["frequency"]) >= 5
    candidates = [r for r in rows if r["status"] == "candidate"]
    assert len(candidates) >= 10

    # A reviewer approves one candidate (writing its target), rejects one, and edits a curated target
    # of a term the next document also has.
    heldout = (DATA / "terms" / "heldout.zh").read_text(encoding="utf-8")
    approve, reject = candidates[0], candidates[1]
    approve.update(status="approved", target="approved by the reviewer")
    reject.update(status="rejected")
    shared = next(r for r in rows if r["status"] == "approved" and r["source"] in heldout)
    shared.update(target="a rendering edited by the reviewer")
    by_source["全球南方"].update(target="Global South (edited)")
    reviewed = tmp_path / "reviewed.csv"
    _write_rows(reviewed, rows)

    # Re-run on a new document, merging.
    second = tmp_path / "merged.csv"
    done = run("glossary", str(DATA / "terms" / "heldout.zh"), "--merge", str(reviewed), "-o", str(second), "--engine", "none")
    assert done.returncode == 0, done.stderr
    merged = read_glossary_csv(second)
    before = read_glossary_csv(reviewed)
    assert [t.source for t in merged][: len(before)] == [t.source for t in before]  # old rows first, same order
    for old in before:
        new = merged.get(old.source)
        assert (new.target, new.status, new.kind, new.note) == (old.target, old.status, old.kind, old.note)
    assert merged.get(approve["source"]).status is Status.APPROVED
    assert merged.get(reject["source"]).status is Status.REJECTED
    assert merged.get("全球南方").target == "Global South (edited)"
    assert merged.get(shared["source"]).target == "a rendering edited by the reviewer"
    assert merged.get(shared["source"]).documents == (SEED.name, "heldout.zh")  # statistics do grow
    assert merged.get(shared["source"]).frequency > int(shared["frequency"])
    appended = [t for t in merged if t.source not in before]
    assert appended and all(t.documents == ("heldout.zh",) for t in appended)
    assert len({t.source for t in merged}) == len(merged)  # nothing re-proposed twice

    # The reviewed glossary drives the drafts: the human-approved term appears in every draft containing it.
    out = tmp_path / "out"
    done = run("translate", str(SEED), "-o", str(out), "--model", str(tiny_model), "--max-length", "16", "--glossary", str(second))
    assert done.returncode == 0, done.stderr
    units, header = read_units(out / f"{SEED.stem}.mt.tmx")
    assert dict(header.properties)["glossary"].endswith(tuple("0123456789abcdef"))
    # (a term inside a longer approved term is that term's business: match as drafting does)
    with_term = [u for u in units if any(c.source == approve["source"] for c in u.terms)]
    assert with_term and all(honoured(u.target, "approved by the reviewer") for u in with_term)
    with_edit = [u for u in units if any(c.source == "全球南方" for c in u.terms)]
    assert with_edit and all(honoured(u.target, "Global South (edited)") for u in with_edit)
    assert all(c.honoured for u in units for c in u.terms)
    assert sum(len(u.terms) for u in units) >= len(with_term) + len(with_edit)
    proposals = read_glossary_csv(out / f"{SEED.stem}.glossary.csv")
    assert proposals.get(reject["source"]).status is Status.REJECTED  # rejections are not re-proposed as candidates
    assert proposals.get("全球南方").origin is TermOrigin.REVIEWED or proposals.get("全球南方").target == "Global South (edited)"


def test_speaker_labels_that_are_terms_come_from_the_glossary(tmp_path, tiny_model):
    doc = tmp_path / "doc.txt"
    doc.write_text("**外交部发言人：**\n中方支持全球南方国家。\n", encoding="utf-8")
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("source,target,status\n外交部发言人,Foreign Ministry Spokesperson,approved\n", encoding="utf-8")
    done = run("translate", str(doc), "-o", str(tmp_path / "out"), "--model", str(tiny_model), "--max-length", "12",
               "--glossary", str(reviewed), "--no-terms")
    assert done.returncode == 0, done.stderr
    units, _ = read_units(tmp_path / "out" / "doc.po")
    speaker = units[0]
    assert speaker.target == "Foreign Ministry Spokesperson:" and speaker.origin.value == "glossary"
    assert "Global South" in units[1].target
    assert not (tmp_path / "out" / "doc.glossary.csv").exists()


def test_bad_glossary_input_is_one_line_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target,status\n全球南方,Global South,perhaps\n", encoding="utf-8")
    done = run("glossary", str(SEED), "-o", str(tmp_path / "g.csv"), "--merge", str(bad), "--engine", "none")
    assert done.returncode != 0 and done.stderr.count("\n") == 1 and "perhaps" in done.stderr
    assert not (tmp_path / "g.csv").exists()
    done = run("translate", str(SEED), "-o", str(tmp_path / "out"), "--engine", "none", "--glossary", str(tmp_path / "missing.csv"))
    assert done.returncode != 0 and "missing.csv" in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_aligned_human_pairs_are_checked_never_rewritten(tmp_path):
    align = DATA / "align"
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("source,target,status\n发展中国家,developing nations,approved\n", encoding="utf-8")
    out = tmp_path / "out"
    done = run("translate", str(align / "seed_zh.txt"), "--reference", str(align / "seed_en.txt"), "-o", str(out),
               "--engine", "none", "--glossary", str(reviewed))
    assert done.returncode == 0, done.stderr
    units, _ = read_units(out / "seed_zh.po")
    fence = next(u for u in units if "小院高墙" in u.source)
    checks = [(c.source, c.honoured) for c in fence.terms]
    assert fence.origin.value == "aligned" and ("小院高墙", True) in checks
    # a QA note for each approved rendering the human translation did not use, and only for those
    assert sorted(n for n in fence.notes if n.startswith("QA:")) == sorted(
        f"QA: the approved rendering of {c.source} ({c.target}) is not used" for c in fence.terms if not c.honoured)
    developing = next(u for u in units if "发展中国家" in u.source)
    assert "developing countries" in developing.target and "developing nations" not in developing.target  # untouched
    assert ("发展中国家", False) in [(c.source, c.honoured) for c in developing.terms]
    assert any(n.startswith("QA: the approved rendering of 发展中国家 (developing nations)") for n in developing.notes)
    # The aligned pairs give the glossary its rendering evidence and example targets.
    proposals = read_glossary_csv(out / "seed_zh.glossary.csv")
    assert proposals.get("小院高墙").example_target and "small yard, high fence" in proposals.get("小院高墙").example_target


def test_a_bad_output_name_fails_before_any_work(tmp_path):
    done = run("glossary", str(SEED), "-o", str(tmp_path / "g.docx"), "--engine", "none")
    assert done.returncode != 0 and "unknown glossary format" in done.stderr and done.stderr.count("\n") == 1
    done = run("glossary", str(SEED), "-o", str(tmp_path / "missing" / "g.csv"), "--engine", "none")
    assert done.returncode != 0 and "no such directory" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_review_loop_through_the_workbook(tmp_path):
    """The same decisions made in the .xlsx workbook (as a reviewer does in Excel) survive --merge."""
    from openpyxl import load_workbook

    first = tmp_path / "glossary.xlsx"
    done = run("glossary", str(SEED), "-o", str(first), "--engine", "none")
    assert done.returncode == 0, done.stderr
    book = load_workbook(first)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) for name in ("source", "target", "status")}
    rows = list(sheet.iter_rows(min_row=2))
    candidates = [r for r in rows if r[col["status"]].value == "candidate"]
    approve, reject = candidates[0], candidates[1]
    approve[col["status"]].value, approve[col["target"]].value = "approved", "approved in the workbook"
    reject[col["status"]].value = "rejected"
    south = next(r for r in rows if r[col["source"]].value == "全球南方")
    south[col["target"]].value = "Global South (edited)"
    reviewed = tmp_path / "reviewed.xlsx"
    book.save(reviewed)

    second = tmp_path / "merged.xlsx"
    done = run("glossary", str(DATA / "terms" / "heldout.zh"), "--merge", str(reviewed), "-o", str(second), "--engine", "none",
               "--export", str(tmp_path / "merged.csv"))
    assert done.returncode == 0, done.stderr
    from tm_builder.formats import read_glossary

    merged, before = read_glossary(second), read_glossary(reviewed)
    assert list(read_glossary(tmp_path / "merged.csv")) == list(merged)
    for old in before:
        new = merged.get(old.source)
        assert (new.target, new.status, new.kind, new.note) == (old.target, old.status, old.kind, old.note)
    assert merged.get(approve[col["source"]].value).status is Status.APPROVED
    assert merged.get(approve[col["source"]].value).target == "approved in the workbook"
    assert merged.get(reject[col["source"]].value).status is Status.REJECTED
    assert merged.get("全球南方").target == "Global South (edited)"


def _reviewed(tmp_path):
    """A review file with one person's approval of a candidate and one edited curated target."""
    path = tmp_path / "reviewed.csv"
    assert run("glossary", str(SEED), "-o", str(path), "--engine", "none").returncode == 0
    rows = _rows(path)
    candidate = next(r for r in rows if r["status"] == "candidate")
    candidate.update(status="approved", target="a reviewer's rendering")
    curated = next(r for r in rows if r["source"] == "全球南方")
    curated["target"] = "the Global South"
    _write_rows(path, rows)
    return path, candidate["source"]


def test_a_reviewed_file_is_never_overwritten_without_merge_or_replace(tmp_path):
    path, source = _reviewed(tmp_path)
    before = path.read_bytes()
    done = run("glossary", str(SEED), "-o", str(path), "--engine", "none")
    assert done.returncode == 1 and "reviewed decision" in done.stderr and "--merge" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and path.read_bytes() == before
    # translate writes <stem>.glossary.csv into its output directory: a reviewed one there is kept too
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{SEED.stem}.glossary.csv").write_bytes(before)
    done = run("translate", str(SEED), "-o", str(out), "--engine", "none")
    assert done.returncode == 1 and "reviewed decision" in done.stderr
    assert (out / f"{SEED.stem}.glossary.csv").read_bytes() == before and not (out / f"{SEED.stem}.tmx").exists()
    # merging into itself keeps every decision; --replace is the explicit way to start again
    assert run("glossary", str(SEED), "-o", str(path), "--merge", str(path), "--engine", "none").returncode == 0
    merged = {r["source"]: r for r in _rows(path)}
    assert merged[source]["target"] == "a reviewer's rendering" and merged["全球南方"]["target"] == "the Global South"
    assert run("glossary", str(SEED), "-o", str(path), "--replace", "--engine", "none").returncode == 0
    assert {r["source"]: r for r in _rows(path)}["全球南方"]["target"] == "Global South"


def test_conflicting_rows_for_one_source_are_refused_with_their_lines(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("source,target,status\n一带一路,Belt and Road,approved\n全球南方,Global South,approved\n"
                    "一带一路,,candidate\n全球南方,Global South,approved\n", encoding="utf-8")
    done = run("glossary", str(SEED), "-o", str(tmp_path / "g.csv"), "--merge", str(path), "--engine", "none")
    assert done.returncode == 1 and "lines 2 and 4" in done.stderr and "一带一路" in done.stderr
    assert not (tmp_path / "g.csv").exists()
    # the same decision twice is not a conflict
    path.write_text("source,target,status\n全球南方,Global South,approved\n全球南方,Global South,approved\n", encoding="utf-8")
    assert run("glossary", str(SEED), "-o", str(tmp_path / "g.csv"), "--merge", str(path), "--engine", "none").returncode == 0


MULTITERM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- TBX 2 as SDL MultiTerm exports it: termEntry / langSet / tig -->
<martif type="TBX" xml:lang="en-US"><martifHeader><fileDesc><sourceDesc><p>MultiTerm export</p></sourceDesc></fileDesc></martifHeader>
<text><body>
<termEntry id="c1"><descrip type="subjectField">politics</descrip>
<langSet xml:lang="zh-CN"><tig><term>小院高墙</term></tig></langSet>
<langSet xml:lang="en-US"><tig><term>small yard, high fence</term><termNote type="partOfSpeech">noun</termNote></tig></langSet>
</termEntry></body></text></martif>
"""
MEMOQ = """<?xml version="1.0" encoding="UTF-8"?>
<!-- TBX 2 as memoQ exports it: ntig / termGrp, languages in upper case -->
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>memoQ</p></sourceDesc></fileDesc></martifHeader>
<text><body><termEntry id="_1">
<langSet xml:lang="ZH-CN"><ntig><termGrp><term>全球南方</term></termGrp></ntig></langSet>
<langSet xml:lang="EN-GB"><ntig><termGrp><term>Global South</term></termGrp></ntig></langSet>
</termEntry></body></text></martif>
"""


def test_termbases_as_cat_tools_export_them_are_read_and_an_empty_one_is_refused(tmp_path):
    from tm_builder.review import load_glossary

    (tmp_path / "multiterm.tbx").write_text(MULTITERM, encoding="utf-8")
    (tmp_path / "memoq.tbx").write_text(MEMOQ, encoding="utf-8")
    known = load_glossary([tmp_path / "multiterm.tbx", tmp_path / "memoq.tbx"], curated=False)
    assert {t.source: t.target for t in known} == {"小院高墙": "small yard, high fence", "全球南方": "Global South"}
    (tmp_path / "empty.tbx").write_text(MULTITERM.replace("zh-CN", "ja-JP"), encoding="utf-8")
    done = run("translate", str(SEED), "-o", str(tmp_path / "out"), "--engine", "none", "--glossary", str(tmp_path / "empty.tbx"))
    assert done.returncode != 0 and "no terms read" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_reviewed_csv_saved_as_gbk_is_read_and_an_unclosed_quote_is_refused(tmp_path):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("source,target,status\n全球南方,the Global South,approved\n小院高墙,,rejected\n".encode("gbk"))
    out = tmp_path / "g.csv"
    assert run("glossary", str(SEED), "-o", str(out), "--merge", str(gbk), "--engine", "none").returncode == 0
    rows = {r["source"]: r for r in _rows(out)}
    assert rows["全球南方"]["target"] == "the Global South" and rows["小院高墙"]["status"] == "rejected"
    bad = tmp_path / "bad.csv"
    bad.write_text('source,target,status\n一带一路,Belt and Road,approved\n全球南方,"Global South,approved\n'
                   '小院高墙,small yard,approved\n双轨并进,dual-track approach,approved\n', encoding="utf-8")
    done = run("glossary", str(SEED), "-o", str(tmp_path / "g2.csv"), "--merge", str(bad), "--engine", "none")
    assert done.returncode != 0 and "line 3" in done.stderr and "quote" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "g2.csv").exists()

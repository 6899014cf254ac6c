"""Our memories in a translator's own CAT project: OmegaT's New Project defaults, our <stem>.source.txt, our TMX in tm/.

OmegaT's matcher (its own FindMatches, run inside OmegaT by a console script) is asked for the best match of
every segment it makes of the document we hand over, exactly as its Fuzzy Matches pane would be.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tm_builder import srx
from tm_builder.align.split import split_translation
from tm_builder.formats import read_units
from tm_builder.formats.source import cat_lines
from tm_builder.formats.tmx import MT_CREATOR
from tm_builder.segment import segment_file
from tm_builder.units import Origin

from .conftest import DATA, SEED, TMX_DTD, _tool
from .inprocess import tm_builder

ALIGN = DATA / "align"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "zh-en"
UTF8 = {"LC_ALL": "C.UTF-8", "JAVA_OPTS": "-Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8"}


@pytest.fixture(scope="session")
def groovy() -> list[str]:
    """groovy with OmegaT's classes, a UTF-8 locale and a JAVA_HOME it accepts."""
    command = _tool("groovy", "omegat")
    java = os.path.realpath(shutil.which("java") or "")
    env = {**os.environ, **UTF8, "JAVA_HOME": str(Path(java).parent.parent)}
    return ["env", *(f"{k}={v}" for k, v in env.items() if k in (*UTF8, "JAVA_HOME")), command,
            "-cp", "/usr/share/omegat/OmegaT.jar"]


def default_project(groovy: list[str], where: Path) -> Path:
    """A project as OmegaT's New Project dialog writes it (zh-CN -> en), nothing of ours in it."""
    done = subprocess.run([*groovy, str(DATA / "omegat_new_project.groovy"), str(where), "zh-CN", "en"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and (where / "omegat.project").is_file(), done.stderr[-2000:]
    assert "<sentence_seg>true</sentence_seg>" in (where / "omegat.project").read_text(encoding="utf-8")
    assert not (where / "omegat" / "filters.xml").exists() and not (where / "omegat" / "segmentation.conf").exists()
    return where


def omegat_matches(omegat: str, project: Path) -> list[list[str]]:
    """OmegaT's best match for every segment: [source, score, match source, translation, file, creator]."""
    table = project.parent / f"{project.name}.matches.tsv"
    done = subprocess.run([omegat, str(project), "--mode=console-translate", f"--script={DATA / 'omegat_matches.groovy'}"],
                          capture_output=True, text=True, timeout=600, env={**os.environ, **UTF8, "MATCHES_OUT": str(table)})
    assert done.returncode == 0 and table.is_file(), (done.stdout + done.stderr)[-3000:]
    return [line.split("\t") for line in table.read_text(encoding="utf-8").splitlines()]


def exact(rows: list[list[str]]) -> list[list[str]]:
    return [r for r in rows if r[2] == r[0] and r[3]]


def load_in_project(project: Path, out: Path, stem: str) -> None:
    """What the README tells a translator: the document into source/, our memory into tm/, drafts into tm/mt/penalty-30/."""
    shutil.copy(out / f"{stem}.source.txt", project / "source")
    shutil.copy(out / f"{stem}.tmx", project / "tm")
    if (out / f"{stem}.mt.tmx").exists():
        (project / "tm" / "mt" / "penalty-30").mkdir(parents=True)
        shutil.copy(out / f"{stem}.mt.tmx", project / "tm" / "mt" / "penalty-30")


def test_the_seed_in_a_default_project(tmp_path, tiny_model, omegat, groovy, translate_toolkit, xmllint):
    out = tmp_path / "out"
    done = tm_builder("translate", str(SEED), "-o", str(out), "--model", str(tiny_model), "--max-length", "16")
    assert done.returncode == 0, done.stderr
    stem = SEED.stem
    human, _ = read_units(out / f"{stem}.tmx")
    drafts, _ = read_units(out / f"{stem}.mt.tmx")
    assert drafts and all(u.origin is Origin.MT for u in drafts)
    assert not any(u.origin is Origin.MT for u in human)  # no draft passes as a human translation
    for tmx in (out / f"{stem}.tmx", out / f"{stem}.mt.tmx"):
        check = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(tmx)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr

    project = default_project(groovy, tmp_path / "project")
    load_in_project(project, out, stem)
    rows = omegat_matches(omegat, project)
    found = exact(rows)
    print(f"default OmegaT project, seed: {len(found)}/{len(rows)} segments with an exact match "
          f"({len(found) / len(rows):.1%}); misses: {[r[0] for r in rows if r not in found]}")
    assert len(rows) >= 200 and len(found) >= 0.97 * len(rows)
    # Every draft reached OmegaT as machine output: its author is MT!, it comes from the mt folder, 30 points down.
    drafted = {u.source for u in drafts}
    for r in found:
        if r[0] in drafted:
            assert r[5] == MT_CREATOR and "penalty-30" in r[4] and int(r[1]) <= 70, r

    # translate-toolkit (Virtaal, Pootle) drops props; the note still says what a draft is.
    code = ("import sys; from translate.storage import tmx\n"
            "for path in sys.argv[1:]:\n"
            "    f = tmx.tmxfile.parsefile(path)\n"
            "    print(len(f.units), sum('machine translation' in u.getnotes() for u in f.units))")
    check = subprocess.run([translate_toolkit, "-c", code, str(out / f"{stem}.tmx"), str(out / f"{stem}.mt.tmx")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    (n_human, noted_human), (n_mt, noted_mt) = [tuple(map(int, line.split())) for line in check.stdout.splitlines()]
    assert (n_human, noted_human) == (len(human), 0) and n_mt == noted_mt == len(drafts)


@pytest.mark.parametrize("pair", ["seed", "briefing"])
def test_an_article_with_its_translation_in_a_default_project(tmp_path, omegat, groovy, pair):
    out = tmp_path / "out"
    done = tm_builder("translate", str(ALIGN / f"{pair}_zh.txt"), "--reference", str(ALIGN / f"{pair}_en.txt"),
                      "-o", str(out), "--engine", "none")
    assert done.returncode == 0, done.stderr
    project = default_project(groovy, tmp_path / "project")
    load_in_project(project, out, f"{pair}_zh")
    rows = omegat_matches(omegat, project)
    found = exact(rows)
    print(f"default OmegaT project, {pair} pair: {len(found)}/{len(rows)} exact ({len(found) / len(rows):.1%}); "
          f"misses: {[r[0] for r in rows if r not in found]}")
    assert len(found) >= 0.92 * len(rows)
    assert all(r[5] != MT_CREATOR for r in found)  # nothing but human pairs here


RULES = Path(srx.__file__).parent / "rules"
RULE_FILES = ("omegat-default-zh.srx", "tm-builder.srx")


def omegat_segments(groovy: list[str], rules: str, lines: list[str], where: Path) -> list[list[str]]:
    """OmegaT's own Segmenter on *lines* (one paragraph each) under the rule file *rules*: the segments of each."""
    text = where / "lines.txt"
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run([*groovy, str(DATA / "omegat_segment.groovy"), str(RULES / rules), "zh-CN", str(text)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return [line.split("\t") if line else [] for line in done.stdout.split("\n")[:-1]]


def test_layout_keeps_omegat_segments_equal_to_ours(tmp_path, groovy):
    """Both rule files, applied by OmegaT's own Segmenter to the lines we write, give exactly our segments."""
    documents = [segment_file(SEED), segment_file(ALIGN / "briefing_zh.txt")]
    lines = [line for d in documents for paragraph in cat_lines(d) for line in paragraph]
    ours = [[s.text for s in p.segments] for d in documents for p in d.paragraphs]
    flat = [seg for paragraph in ours for seg in paragraph]
    for name in RULE_FILES:
        theirs = omegat_segments(groovy, name, lines, tmp_path)
        python = [srx.split(line, srx.read_srx(RULES / name).for_language("zh-CN")) for line in lines]
        assert theirs == python, name  # our SRX engine reads the rules as OmegaT does
        segments = [s for line in theirs for s in line]
        if name == "tm-builder.srx":
            assert segments == flat
        else:
            # A line end never joins; the one thing layout cannot undo is a default rule splitting inside one of
            # our segments (OmegaT breaks after ？ before 》: 《……吗？》的报告).
            inside = [line for line, parts in zip(lines, theirs) if len(parts) > 1 and line in flat]
            assert all(re.search("[。？！][^’”\"」）』？—]", line) for line in inside)
            assert len(segments) - len(flat) == len(inside) - 0 and len(inside) <= 0.01 * len(flat), inside


def test_our_srx_is_our_segmenter_in_omegat(tmp_path, groovy):
    """tm-builder.srx, run by OmegaT's Segmenter on news paragraphs it never saw, splits as tm_builder.segment does."""
    from tm_builder.segment import split_sentences

    paragraphs = [line for line in (SHARED / "wmt18.zh").read_text(encoding="utf-8").splitlines() if line.strip()][:1500]
    theirs = omegat_segments(groovy, "tm-builder.srx", paragraphs, tmp_path)
    ours = [[p[s:e] for s, e in split_sentences(p, "zh")] for p in paragraphs]
    python = [srx.split(p, srx.our_rules().for_language("zh-CN")) for p in paragraphs]
    assert theirs == python  # our SRX engine reads the rules as OmegaT does
    agree = sum(a == b for a, b in zip(theirs, ours)) / len(ours)
    print(f"tm-builder.srx in OmegaT agrees with the segmenter on {agree:.2%} of {len(ours)} news paragraphs")
    assert agree >= 0.99


def test_omegat_reads_the_rules_we_put_in_our_project(tmp_path, omegat):
    """Our project carries our rules; with sentence segmentation on, OmegaT splits a new article as we do."""
    doc = tmp_path / "doc.txt"
    doc.write_text("他说：“我们来了。”然后走了。发布《“一带一路”走到尽头了吗？》的报告。增长3.5%.下一步呢?好。\n", encoding="utf-8")
    project = tmp_path / "project"
    done = tm_builder("translate", str(doc), "-o", str(tmp_path / "out"), "--engine", "none", "--omegat", str(project))
    assert done.returncode == 0, done.stderr
    conf = project / "omegat.project"
    conf.write_text(conf.read_text(encoding="utf-8").replace("<sentence_seg>false", "<sentence_seg>true"), encoding="utf-8")
    (project / "omegat" / "filters.xml").unlink()
    (project / "source" / "doc.txt").write_text(doc.read_text(encoding="utf-8"), encoding="utf-8")
    rows = omegat_matches(omegat, project)
    assert [r[0] for r in rows] == [s.text for s in segment_file(doc).segments]


def test_target_language_and_unit_metadata(tmp_path, xmllint):
    out = tmp_path / "out"
    done = tm_builder("translate", str(ALIGN / "seed_zh.txt"), "--reference", str(ALIGN / "seed_en.txt"), "-o", str(out),
                      "--engine", "none", "--target-lang", "en-GB", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert done.returncode == 0, done.stderr
    text = (out / "seed_zh.tmx").read_text(encoding="utf-8")
    assert 'xml:lang="en-GB"' in text and 'xml:lang="en"' not in text
    units, header = read_units(out / "seed_zh.tmx")
    assert header.tgtlang == "en-GB" and any(u.target for u in units)
    tus = re.findall(r"<tu [^>]*>", text)
    translated = [t for t in tus if "creationdate" in t]
    assert len(translated) == sum(bool(u.target) for u in units)
    assert all('creationdate="20231114T221320Z"' in t and 'changedate="20231114T221320Z"' in t
               and 'creationid="tm-builder-align"' in t for t in translated)
    props = {p for p in re.findall(r'<prop type="([^"]+)"', text.split("<body>")[1])}
    assert props <= {"x-origin", "x-score", "x-model", "x-document", "x-position", "x-term"}
    check = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(out / "seed_zh.tmx")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    po = (out / "seed_zh.po").read_text(encoding="utf-8")
    assert '"Language: en_GB\\n"' in po
    bad = tm_builder("translate", str(ALIGN / "seed_zh.txt"), "-o", str(tmp_path / "bad"), "--engine", "none", "--target-lang", "en_US!")
    assert bad.returncode != 0 and "BCP 47" in bad.stderr and not (tmp_path / "bad").exists()


def test_a_merged_sentence_is_cut_where_the_chinese_ends():
    # New examples: a 2-1 merge with a semicolon, one with "and", one with no clause boundary near the share.
    parts = split_translation(["今年粮食产量再创新高。", "农民收入持续增长，农村面貌焕然一新。"],
                              "Grain output hit a record high this year; farmers' incomes kept rising and the countryside took on a new look.")
    assert parts == ["Grain output hit a record high this year;", "farmers' incomes kept rising and the countryside took on a new look."]
    parts = split_translation(["双方同意加强对话。", "两国将扩大贸易往来。"],
                              "The two sides agreed to step up dialogue and the two countries will expand trade.")
    assert parts == ["The two sides agreed to step up dialogue", "and the two countries will expand trade."]
    assert split_translation(["很好。", "我们要继续推进改革开放，实现高质量发展，让人民过上更好的日子。"],
                             "Good, very good indeed, we must press on with reform and opening up for a better life.") is None
    assert split_translation(["一句。"], "One sentence.") is None


def test_the_srx_engine_reads_rules_as_omegat_does(tmp_path, groovy):
    """Java's ASCII \\s, OmegaT's trim (no-break spaces kept) and its rule order, on lines made to differ."""
    lines = ["问题是什么?\u3000好的。", "今天天气好。\u00a0我们走吧。", "他说：“走吧。”然后 走了。", "A. B? C!  D... e. 3.5 F",
             "　全角空格开头。又一句！", "《读要闻|2018：开启元年？》曾提到。“诗画浙江?镇有风情”好。", "1. Intro Here. Next", "结尾没有标点"]
    for name in RULE_FILES:
        theirs = omegat_segments(groovy, name, lines, tmp_path)
        assert theirs == [srx.split(line, srx.read_srx(RULES / name).for_language("zh-CN")) for line in lines], name


def test_a_drafts_own_notes_survive_the_machine_translation_note(tmp_path):
    from tm_builder.formats.tmx import read_tmx, write_tmx
    from tm_builder.units import TranslationUnit

    units = [TranslationUnit("一句。", "A sentence.", Origin.MT, model="m@1", document="d", paragraph=1, index=1,
                             notes=("machine translation, not reviewed by the desk yet",)),
             TranslationUnit("两句。", "Two.", Origin.MT, document="d", paragraph=1, index=2)]
    write_tmx(units, tmp_path / "x.mt.tmx")
    assert read_tmx(tmp_path / "x.mt.tmx")[0] == units
    assert (tmp_path / "x.mt.tmx").read_text(encoding="utf-8").count("<note>machine translation, not reviewed") == 3

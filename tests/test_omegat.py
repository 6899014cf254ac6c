"""Our outputs in real clients: OmegaT 3.6 (console), translate-toolkit, xmllint, msgfmt."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tm_builder.formats import read_units
from tm_builder.formats.termbase import read_glossary_csv
from tm_builder.glossary import load_curated
from tm_builder.units import Origin

from .conftest import DATA, ROOT, SEED, TMX_DTD
from .inprocess import Completed, tm_builder
from .tbx_schemas import tbx_problems


#: every kind of text that has broken a CAT tool somewhere
HOSTILE = (
    "关于“小院高墙”<script>&amp; ]]> 的问题，外长说：‘不’。\n\n"
    "控制\x07字符\x1b与表情😀、𠀀𪚥和「引号」『书名』\"直引号\"'单引号'都要保留。\n\n"
    + "长句，" * 400 + "全球南方要团结。\n\n"
    "**外交部发言人：**\n\n"
    "A < B && C > D，“双轨并进”和‘分阶段、同步走’。\n"
)


def run(*args: str) -> Completed:
    return tm_builder(*args)


def console_translate(omegat: str, project) -> tuple[int, int, str]:
    """Run OmegaT headless; return (segments, segments left untranslated, log)."""
    done = subprocess.run([omegat, str(project), "--mode=console-translate"], capture_output=True, text=True, timeout=600)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    stats = (project / "omegat" / "project_stats.txt").read_text(encoding="utf-8")
    total = int(re.search(r"^Total:\s+(\d+)", stats, re.M).group(1))
    remaining = int(re.search(r"^Remaining:\s+(\d+)", stats, re.M).group(1))
    return total, remaining, log


def applied(project, stem: str, units) -> tuple[int, list[str]]:
    """How many of *units*' targets OmegaT wrote into the translated document, and the sources it missed."""
    source = (project / "source" / f"{stem}.txt").read_text(encoding="utf-8").split("\n")
    target = (project / "target" / f"{stem}.txt").read_text(encoding="utf-8").split("\n")
    assert len(source) == len(target)
    by_source = {u.source: u.target for u in units if u.target}
    hits, misses = 0, []
    for src, tgt in zip(source, target):
        if src in by_source:
            if tgt == by_source[src]:
                hits += 1
            else:
                misses.append(src)
    return hits, misses


@pytest.mark.slow
def test_seed_project_is_filled_by_omegat(tmp_path, tiny_model, omegat):
    project = tmp_path / "project"
    done = run("translate", str(SEED), "-o", str(tmp_path / "out"), "--model", str(tiny_model), "--max-length", "16",
               "--omegat", str(project), "--omegat-mt", "auto")
    assert done.returncode == 0, done.stderr
    units, _ = read_units(tmp_path / "out" / f"{SEED.stem}.po")
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()) == [
        "glossary/approved.utf8", "omegat.project", "omegat/filters.xml", "omegat/segmentation.conf",
        "omegat/segmentation.srx", f"source/{SEED.stem}.txt", f"tm/auto/{SEED.stem}.tmx",
    ]
    # The source is the repaired text: one line per segment, no broken lines, no Markdown left over.
    lines = [line for line in (project / "source" / f"{SEED.stem}.txt").read_text(encoding="utf-8").split("\n") if line]
    assert lines == [u.source for u in units]

    total, remaining, log = console_translate(omegat, project)
    assert total == len(units) == 214  # OmegaT's segments are exactly ours
    fill = (total - remaining) / total
    hits, misses = applied(project, SEED.stem, units)
    print(f"OmegaT fill rate on the seed: {fill:.1%} ({total - remaining}/{total}); targets applied verbatim {hits}; misses {misses}")
    assert fill >= 0.99 and hits >= 0.99 * len(units), misses
    assert not re.search(r"SEVERE|Exception|WARNING", log)


def test_machine_drafts_stay_out_of_auto_by_default(tmp_path, tiny_model, omegat):
    doc = tmp_path / "doc.txt"
    doc.write_text("**外交部发言人：**\n中方支持全球南方国家。\n", encoding="utf-8")
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("source,target,status\n外交部发言人,Foreign Ministry Spokesperson,approved\n", encoding="utf-8")
    project = tmp_path / "project"
    done = run("translate", str(doc), "-o", str(tmp_path / "out"), "--model", str(tiny_model), "--max-length", "12",
               "--glossary", str(reviewed), "--omegat", str(project))
    assert done.returncode == 0, done.stderr
    auto, _ = read_units(project / "tm" / "auto" / "doc.tmx")
    mt, _ = read_units(project / "tm" / "mt" / "penalty-30" / "doc.mt.tmx")
    assert [u.origin for u in auto] == [Origin.GLOSSARY] and [u.origin for u in mt] == [Origin.MT]
    total, remaining, _ = console_translate(omegat, project)
    assert (total, remaining) == (2, 1)  # the speaker label from the glossary; the draft is only offered
    # An existing project (a translator's work) is never overwritten.
    again = run("translate", str(doc), "-o", str(tmp_path / "out2"), "--engine", "none", "--omegat", str(project))
    assert again.returncode != 0 and "never overwritten" in again.stderr and not (tmp_path / "out2").exists()


def test_every_aligned_pair_is_applied(tmp_path, omegat):
    project = tmp_path / "project"
    align = DATA / "align"
    done = run("translate", str(align / "seed_zh.txt"), "--reference", str(align / "seed_en.txt"), "-o", str(tmp_path / "out"),
               "--engine", "none", "--omegat", str(project))
    assert done.returncode == 0, done.stderr
    units, _ = read_units(tmp_path / "out" / "seed_zh.po")
    aligned = [u for u in units if u.origin is Origin.ALIGNED]
    assert aligned
    total, remaining, _ = console_translate(omegat, project)
    hits, misses = applied(project, "seed_zh", aligned)
    print(f"OmegaT on the aligned pair: {total - remaining}/{total} segments filled; {hits}/{len(aligned)} aligned pairs applied")
    assert hits == len(aligned) and not misses
    assert total == len(units) and remaining == sum(1 for u in units if not u.target)


def test_omegat_loads_the_glossary_without_complaint(tmp_path, omegat_reader):
    out = tmp_path / "approved.utf8"
    done = run("glossary", str(SEED), "-o", str(tmp_path / "g.csv"), "--engine", "none", "--export", str(out))
    assert done.returncode == 0, done.stderr
    from tm_builder.formats.termbase import omegat_matches_itself

    approved = [t for t in read_glossary_csv(tmp_path / "g.csv") if t.enforced and omegat_matches_itself(t.source)]
    loaded = subprocess.run([*omegat_reader, str(out)], capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0 and loaded.stderr == "", loaded.stderr
    lines = loaded.stdout.splitlines()
    assert int(lines[0]) == len(approved) + sum(len(t.variants) for t in approved) == len(lines) - 1
    assert lines[1].split("\t")[:2] == [approved[0].source, approved[0].target]


def test_hostile_text_survives_every_client(tmp_path, tiny_short_model, omegat, omegat_reader, xmllint, msgfmt, translate_toolkit):
    doc = tmp_path / "hostile.txt"
    doc.write_text(HOSTILE, encoding="utf-8")
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text(
        "source,target,status,note\n"
        "外交部发言人,Foreign Ministry <Spokesperson> & co,approved,\"a \"\"quoted\"\" ]]> note\"\n"
        "表情😀,emoji 😀 term,approved,\n",
        encoding="utf-8",
    )
    out, project = tmp_path / "out", tmp_path / "project"
    done = run("translate", str(doc), "-o", str(out), "--model", str(tiny_short_model), "--max-length", "12",
               "--glossary", str(reviewed), "--omegat", str(project), "--omegat-mt", "auto")
    assert done.returncode == 0, done.stderr
    units, _ = read_units(out / "hostile.po")
    assert any(len(u.source) > 1000 for u in units) and any("😀" in u.source for u in units)
    assert any("<script>&amp; ]]>" in u.source for u in units)

    tmx = out / "hostile.mt.tmx"
    check = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(tmx)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    check = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(out / "hostile.po")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    code = ("import sys; from translate.storage import tmx; f = tmx.tmxfile.parsefile(sys.argv[1]); "
            "print(len(f.units)); print(sum(u.source.count(chr(0x1F600)) for u in f.units))")
    check = subprocess.run([translate_toolkit, "-c", code, str(tmx)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    count, emoji = map(int, check.stdout.split())
    drafts = [u for u in units if u.origin is Origin.MT]
    assert count == len(drafts) and emoji == sum(u.source.count("😀") for u in drafts)

    total, remaining, log = console_translate(omegat, project)
    assert total == len(units) and remaining == 0, log
    hits, misses = applied(project, "hostile", units)
    assert hits == len(units) and not misses

    tbx, utf8 = tmp_path / "g.tbx", tmp_path / "g.utf8"
    done = run("glossary", str(doc), "-o", str(tmp_path / "g.csv"), "--engine", "none", "--merge", str(reviewed),
               "--export", str(tbx), "--export", str(utf8))
    assert done.returncode == 0, done.stderr
    assert tbx_problems(tbx) == []  # the official TBX v3 schemas
    loaded = subprocess.run([*omegat_reader, str(utf8)], capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0 and loaded.stderr == "" and "Foreign Ministry <Spokesperson> & co" in loaded.stdout


def test_curated_glossary_loads_in_omegat(tmp_path, omegat_reader):
    from tm_builder.formats.termbase import omegat_matches_itself, write_omegat_glossary

    out = tmp_path / "curated.utf8"
    curated = load_curated(ROOT / "glossary")
    write_omegat_glossary(curated, out)
    loaded = subprocess.run([*omegat_reader, str(out)], capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0 and loaded.stderr == ""
    shown = [t for t in curated if omegat_matches_itself(t.source)]  # 人工智能+ would be offered on every 人工智能
    assert len(shown) < len(curated) and int(loaded.stdout.splitlines()[0]) == len(shown) + sum(len(t.variants) for t in shown)

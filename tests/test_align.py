"""The aligner: a hand-translated seed excerpt, real news text, links, and bad pairs."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tm_builder import segment_file
from tm_builder.align import SCORER_SETS, align_documents, align_sentences, align_translation
from tm_builder.errors import InputError
from tm_builder.formats import read_units
from tm_builder.pipeline import align_files
from tm_builder.units import Origin

from .conftest import DATA, ROOT, TMX_DTD
from .inprocess import Completed, tm_builder

ZH, EN = DATA / "align" / "seed_zh.txt", DATA / "align" / "seed_en.txt"
GOLD = json.loads((DATA / "align" / "seed_expected.json").read_text(encoding="utf-8"))
SHARED = ROOT.parent / "shared" / "data" / "zh-en"


def _beads_as_text(result):
    zh, en = result.zh_segments, result.en_segments
    return [{"zh": [zh[i].text for i in b.src], "en": [en[j].text for j in b.tgt]} for b in result.alignment.beads]


def test_seed_translation_with_merges_splits_omission_and_notes():
    # Written by a translator: 2-1 merges, 1-2 splits, an omitted sentence, two added notes.
    result = align_documents(segment_file(ZH), segment_file(EN))
    assert _beads_as_text(result) == GOLD
    kinds = {(len(b["zh"]), len(b["en"])) for b in GOLD}
    assert {(2, 1), (1, 2), (1, 0), (0, 1)} <= kinds
    assert [s.text[:8] for s in result.unaligned_en] == ["(The Glo", "(The \"Vi"]


def test_units_carry_origin_score_and_notes():
    result = align_documents(segment_file(ZH), segment_file(EN))
    aligned = [u for u in result.units if u.target]
    assert all(u.origin is Origin.ALIGNED and 0 <= u.score <= 1 for u in aligned)
    # The merged pairs (2-1) are cut at a clause boundary: one unit per Chinese segment, the parts giving the English back.
    cut = [u for u in aligned if any("cut at a clause boundary" in n for n in u.notes)]
    assert [u.source[:8] for u in cut][:2] == ["我们关注的主要是", "人工智能的发展应"]
    assert cut[0].target.endswith("beneficial:") and cut[1].target.startswith("its development")
    assert not any("merges" in n for u in aligned for n in u.notes)
    missing = [u for u in result.units if not u.target]
    assert [u.source for u in missing] == ["这个问题问得好。"]
    assert len({u.key for u in result.units}) == len(result.units)


def _news_pair(name: str, start: int, count: int):
    zh = (SHARED / f"{name}.zh").read_text(encoding="utf-8").splitlines()[start:start + count]
    en = (SHARED / f"{name}.en").read_text(encoding="utf-8").splitlines()[start:start + count]
    return zh, en


@pytest.mark.parametrize("name", ["wmt18", "flores-test"])
def test_news_with_merges_and_deletions(name):
    zh, en = _news_pair(name, 100, 120)
    gold = [((i,), (i,)) for i in range(len(zh))]
    # A translator merges two sentences, leaves one out, and adds one.
    en2 = en[:10] + [en[10] + " " + en[11]] + en[12:40] + en[41:80] + ["This sentence has no Chinese original at all."] + en[80:]
    expected = set(gold[:10]) | {((10, 11), (10,))} | {((i,), (i - 1,)) for i in range(12, 40)} | {((40,), ())}
    expected |= {((i,), (i - 2,)) for i in range(41, 80)} | {((), (78,))} | {((i,), (i - 1,)) for i in range(80, len(zh))}
    got = {(b.src, b.tgt) for b in align_sentences(zh, en2).beads}
    correct = len(got & expected)
    assert correct / len(expected) >= 0.95, sorted(expected - got)[:5]


def test_every_sentence_once_in_order_and_gale_church_option():
    zh, en = _news_pair("flores-dev", 0, 60)
    for scorers in (None, SCORER_SETS["gale-church"], SCORER_SETS["lexical"]):
        beads = align_sentences(zh, en[:30] + en[31:], scorers).beads
        assert [i for b in beads for i in b.src] == list(range(60))
        assert [j for b in beads for j in b.tgt] == list(range(59))


def test_alignment_is_deterministic():
    zh, en = _news_pair("wmt17", 0, 80)
    assert align_sentences(zh, en).beads == align_sentences(zh, en).beads


def run(*args: str) -> Completed:
    return tm_builder(*args, env={"SOURCE_DATE_EPOCH": "1700000000"})


def test_cli_align_writes_pairs_links_and_unaligned(tmp_path, xmllint, msgfmt):
    links = tmp_path / "links.txt"
    result = run("align", str(ZH), str(EN), "-o", str(tmp_path), "--links", str(links))
    assert result.returncode == 0, result.stderr
    assert "1 Chinese and 2 English segments without counterpart" in result.stdout
    assert result.stderr.count("unaligned English") == 2  # reported, not dropped
    lines = links.read_text(encoding="utf-8").splitlines()
    assert all(re.fullmatch(r"\[(\d+(,\d+)*)?\]:\[(\d+(,\d+)*)?\]:\d\.\d\d", line) for line in lines)
    assert "[21]:[]:0.00" in lines and "[6,7]:[8]:" in " ".join(lines)
    units, _ = read_units(tmp_path / "seed_zh.tmx")
    assert len(units) == 26 and all(u.origin is Origin.ALIGNED for u in units)  # 23 beads, three 2-1 ones cut in two
    assert subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(tmp_path / "seed_zh.tmx")]).returncode == 0
    assert subprocess.run([msgfmt, "-c", "-o", os.devnull, str(tmp_path / "seed_zh.po")]).returncode == 0
    unaligned = (tmp_path / "seed_zh.unaligned.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(unaligned) == 4 and unaligned[1].startswith("zh,")


def test_presegmented_lines_are_used_as_is(tmp_path):
    zh, en = _news_pair("flores-dev", 0, 40)
    (tmp_path / "a.zh").write_text("\n".join(zh) + "\n", encoding="utf-8")
    (tmp_path / "a.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    summary = align_files(tmp_path / "a.zh", tmp_path / "a.en", tmp_path / "out", presegmented=True, links=tmp_path / "l.txt")
    assert len(summary.result.zh_segments) == 40 and summary.pairs >= 38
    assert (tmp_path / "l.txt").read_text(encoding="utf-8").splitlines()[0].startswith("[0]:[0]:")


def test_bad_pairs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        align_files(ZH, empty, tmp_path / "o")
    with pytest.raises(InputError, match="identical"):
        align_files(ZH, ZH, tmp_path / "o")
    other_en = tmp_path / "other_en.txt"
    other_en.write_text(EN.read_text(encoding="utf-8") + "\n\nOne more line.\n", encoding="utf-8")
    with pytest.raises(InputError, match="not look like Chinese"):
        align_files(EN, other_en, tmp_path / "o")  # English given as the source
    with pytest.raises(InputError, match="not look like English"):
        align_files(ZH, ROOT / "seeds" / "000_08c510cb1e756111.txt", tmp_path / "o")  # Chinese as the reference
    assert not (tmp_path / "o").exists()


def test_reference_ten_times_longer_warns(tmp_path):
    long_en = tmp_path / "long.txt"
    long_en.write_text((EN.read_text(encoding="utf-8") + "\n\n") * 12, encoding="utf-8")
    result = run("align", str(ZH), str(long_en), "-o", str(tmp_path / "o"))
    assert result.returncode == 0
    assert "warning" in result.stderr and "far longer" in result.stderr


def test_translate_with_reference_drafts_only_the_rest(tiny_model, tmp_path):
    result = run("translate", str(ZH), "--reference", str(EN), "--model", str(tiny_model), "-o", str(tmp_path),
                 "--max-length", "8", "--beam", "1")
    assert result.returncode == 0, result.stderr
    units, _ = read_units(tmp_path / "seed_zh.tmx")
    drafts, _ = read_units(tmp_path / "seed_zh.mt.tmx")  # drafts apart from the human pairs
    assert [u.origin for u in units].count(Origin.ALIGNED) == 26 and not any(u.origin is Origin.MT for u in units)
    units = read_units(tmp_path / "seed_zh.po")[0]
    origins = [u.origin for u in units]
    assert origins.count(Origin.ALIGNED) == 26 and origins.count(Origin.MT) == 1 == len(drafts)
    assert next(u for u in units if u.origin is Origin.MT).source == "这个问题问得好。"
    assert "unaligned English" in result.stderr


def test_a_left_out_sentence_joins_the_pair_that_holds_its_english():
    """The aligner's one duplicating miss: 1-2 then a deletion, when the translator redistributed the content."""
    from tm_builder.align import Bead, _absorb_orphans

    zh = ["政府工作报告提出了今年的主要预期目标。", "全国人民代表大会将于三月五日至十一日", "在北京人民大会堂召开，近三千名代表出席。",
          "会议将审议计划报告。", "这一点非常重要。"]
    en = ["The government work report sets out this year's main targets.",
          "Nearly 3,000 deputies will attend the National People's Congress in the Great Hall of the People in Beijing",
          "from March 5 to 11.", "The session will review the plan report."]
    beads = [Bead((0,), (0,), 0.9), Bead((1,), (1, 2), 0.8), Bead((2,), (), 0.0), Bead((3,), (3,), 0.9), Bead((4,), (), 0.0)]
    fixed = _absorb_orphans(beads, zh, en, ratio=1.2)
    assert [b.link() for b in fixed] == ["[0]:[0]:0.90", "[1,2]:[1,2]:0.80", "[3]:[3]:0.90", "[4]:[]:0.00"]
    # A sentence the translator really left out (nothing of it in the English) stays out, and is drafted.


def test_no_sentence_is_left_out_beside_a_pair_holding_its_english():
    """On line-aligned news (every line has a counterpart), no 1-2 pair sits beside a left-out Chinese sentence."""
    zh, en = _news_pair("wmt18", 540, 60)
    result = align_sentences(zh, en)
    beads = result.beads
    for k, bead in enumerate(beads):
        if bead.src and not bead.tgt:
            assert not any(0 <= n < len(beads) and len(beads[n].tgt) > len(beads[n].src) >= 1 for n in (k - 1, k + 1)), bead


def test_a_hard_wrapped_reference_aligns_as_the_unwrapped_one(tmp_path):
    """A reference wrapped at 70 columns (as e-mailed transcripts are) gives the same pairs as the original."""
    import textwrap

    paragraphs = EN.read_text(encoding="utf-8-sig").split("\n\n")
    wrapped = tmp_path / "wrapped_en.txt"
    wrapped.write_text("\n\n".join(textwrap.fill(p.strip(), width=70) for p in paragraphs if p.strip()) + "\n", encoding="utf-8")
    assert max(len(line) for line in wrapped.read_text(encoding="utf-8").splitlines()) <= 70
    plain = align_documents(segment_file(ZH), segment_file(EN))
    rewrapped = align_documents(segment_file(ZH), segment_file(wrapped))
    assert [(u.source, u.target) for u in rewrapped.units] == [(u.source, u.target) for u in plain.units]


def test_approved_glossary_pairs_are_dictionary_evidence(tmp_path):
    from tm_builder.align import make_scorers
    from tm_builder.align.lexicon import default_lexicon

    pairs = [("三到一位", "three-in-place working method")]
    assert "method" not in default_lexicon().zh_tokens("推行三到一位")  # CC-CEDICT does not know the formulation
    (scorer,), _ = make_scorers(("lexical",), pairs)
    assert {"work", "method"} <= set(scorer._lexicon.zh_tokens("推行三到一位"))
    assert default_lexicon().with_extra(()).glosses == default_lexicon().glosses  # the shared one is untouched
    summary = align_files(ZH, EN, tmp_path / "out")
    assert int(summary.result.alignment.signature["glossary-terms"]) >= 400  # the curated glossary, by default
    assert "glossary-terms" not in align_files(ZH, EN, tmp_path / "out2", curated=False).result.alignment.signature


def test_a_pair_whose_lengths_cannot_be_a_translation_is_refused_before_aligning(tmp_path):
    """Aligning 1,200 sentences with 20 would cost memory in proportion to the long side, for nothing."""
    from tm_builder.errors import InputError
    from tm_builder.segment import lines_document

    zh_lines = (DATA / "terms" / "heldout.zh").read_text(encoding="utf-8").splitlines()
    en_lines = (DATA / "terms" / "heldout.en").read_text(encoding="utf-8").splitlines()
    zh, en = tmp_path / "long.zh", tmp_path / "short.en"
    zh.write_text("\n".join(zh_lines * 6) + "\n", encoding="utf-8")
    en.write_text("\n".join(en_lines[:20]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="1,200 segments .* 20: not a document and its translation"):
        align_translation(lines_document(zh), lines_document(en))


def test_the_dictionary_is_kept_on_disk_between_runs_and_a_damaged_copy_is_rebuilt(tmp_path, monkeypatch):
    from tm_builder.align import lexicon as L

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    L.default_lexicon.cache_clear()
    built = L.default_lexicon()  # no copy yet: built from CC-CEDICT, and kept
    copy = L._disk_copy()
    assert copy.is_file() and copy.parent == tmp_path / "tm-builder"
    L.default_lexicon.cache_clear()
    assert L.default_lexicon().glosses == built.glosses  # read back from the copy, the same dictionary
    copy.write_text('{"damaged', encoding="utf-8")
    L.default_lexicon.cache_clear()
    assert L.default_lexicon().glosses == built.glosses
    assert len(json.loads(copy.read_text(encoding="utf-8"))) == len(built.glosses)  # and the copy was written again
    L.default_lexicon.cache_clear()


def _lines(name: str, count: int) -> tuple[list[str], list[str]]:
    zh = (SHARED / f"{name}.zh").read_text(encoding="utf-8").splitlines()[:count]
    en = (SHARED / f"{name}.en").read_text(encoding="utf-8").splitlines()[:count]
    return zh, en


def test_a_long_pair_whose_length_ratio_changes_midway_stays_on_its_path():
    # WMT18 news has 3.7 English characters per hanzi, FLORES 3.0: the length diagonal of the whole pair
    # drifts 150 sentences from the true path, past the band the aligner used to centre on it (88% right).
    zh1, en1 = _lines("wmt18", 1500)
    zh2, en2 = _lines("flores-dev", 997)
    zh, en = zh1 + zh2, en1 + en2
    alignment = align_sentences(zh, en)
    right = sum(1 for b in alignment.beads if len(b.src) == 1 and b.src == b.tgt)
    assert right >= 0.98 * len(zh)
    assert len(alignment.unaligned_src) + len(alignment.unaligned_tgt) <= 0.01 * (len(zh) + len(en))
    assert alignment.signature["band"] == str(3 * 8 + 16)  # the narrow band around the coarse path


def test_sentence_vectors_are_never_held_dense_for_the_whole_pair():
    import tracemalloc

    from tm_builder.align.lexicon import default_lexicon

    zh, en = _lines("wmt18", 1500)
    default_lexicon()  # loaded once per process; not the aligner's working memory
    tracemalloc.start()
    try:
        align_sentences(zh, en)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Dense 4,096-wide vectors alone were 49 MB for 1,500 pairs, about 100 MB at peak; now a few MiB.
    assert peak < 20 * 2**20


def test_two_folders_align_pair_by_pair_in_one_run(tmp_path):
    zh, en = _lines("wmt17", 90)
    for k, sub in enumerate(("", "2019/", "2019/01/")):
        for side, lines in (("zh", zh), ("en", en)):
            f = tmp_path / side / f"{sub}doc{k}.txt"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text("\n".join(lines[30 * k : 30 * k + 30]) + "\n", encoding="utf-8")
    r = tm_builder("align", tmp_path / "zh", tmp_path / "en", "-o", tmp_path / "out", "--presegmented")
    assert r.returncode == 0, r.stderr
    assert "aligned 3 document pairs: " in r.stdout and "180 sentences" in r.stdout
    for k, sub in enumerate(("", "2019/", "2019/01/")):
        units, _ = read_units(tmp_path / "out" / f"{sub}doc{k}.tmx")
        assert [u.source for u in units] == zh[30 * k : 30 * k + 30]
        assert [u.target for u in units] == en[30 * k : 30 * k + 30]
    # A document on one side only is refused before anything is written.
    (tmp_path / "zh" / "2019" / "extra.txt").write_text(zh[0] + "\n", encoding="utf-8")
    r = tm_builder("align", tmp_path / "zh", tmp_path / "en", "-o", tmp_path / "out2", "--presegmented")
    assert r.returncode != 0 and "extra.txt has no translation at" in r.stderr and "\n" not in r.stderr.strip()
    assert not (tmp_path / "out2").exists()
    r = tm_builder("align", tmp_path / "zh", tmp_path / "en" / "doc0.txt", "-o", tmp_path / "out3")
    assert r.returncode != 0 and "give two files or two folders" in r.stderr

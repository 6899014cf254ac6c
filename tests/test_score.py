"""tm-builder score: sacrebleu's numbers exactly, term consistency, and a page a person can read."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tm_builder.errors import InputError
from tm_builder.formats import write_units
from tm_builder.glossary import load_curated
from tm_builder.score import score
from tm_builder.units import Origin, TranslationUnit

from .conftest import ROOT
from .inprocess import Completed, tm_builder

DATA = ROOT.parent / "shared" / "data" / "zh-en"
HYP, REF, SRC = DATA / "wmt18.opusmt.en", DATA / "wmt18.en", DATA / "wmt18.zh"


def run(*args: str) -> Completed:
    return tm_builder(*args)


@pytest.fixture(scope="module")
def wmt18():
    return score(HYP, REF, metrics=("bleu", "chrf"), glossary=load_curated().enforced(), source=SRC)


def test_reproduces_sacrebleus_command_line_exactly(wmt18):
    done = subprocess.run([sys.executable, "-m", "sacrebleu", str(REF), "-i", str(HYP), "-m", "bleu", "chrf"],
                          capture_output=True, text=True, check=True)
    cli = json.loads(done.stdout)
    ours = {m.name: m for m in wmt18.metrics}
    assert [round(ours["bleu"].score, 1), round(ours["chrf"].score, 1)] == [c["score"] for c in cli]
    assert [ours["bleu"].signature, ours["chrf"].signature] == [c["signature"] for c in cli]
    assert "tok:13a" in ours["bleu"].signature


def test_term_report_lists_where_the_drafts_break_approved_renderings(wmt18):
    hyp = HYP.read_text(encoding="utf-8").splitlines()
    assert len(wmt18.violations) > 100

    def whole(target: str, line: str) -> bool:  # independent of the code under test: plain string search
        for form in {target, target[:1].upper() + target[1:], target[:1].lower() + target[1:]}:
            at = line.find(form)
            while at >= 0:
                end = at + len(form)
                if (at == 0 or not line[at - 1].isalnum()) and (end == len(line) or not line[end].isalnum()):
                    return True
                at = line.find(form, at + 1)
        return False

    for seg, check in wmt18.violations:
        assert not whole(check.target, hyp[seg.index - 1])
    honoured = [(s, c) for s in wmt18.segments for c in s.terms if c.honoured]
    assert honoured and all(whole(c.target, hyp[s.index - 1]) for s, c in honoured)
    assert sum(t.violated for t in wmt18.terms) == len(wmt18.violations)
    assert wmt18.terms == sorted(wmt18.terms, key=lambda t: (-t.violated, -(t.honoured + t.violated), t.source))


def _memory(path, pairs, origin=Origin.MT):
    units = [TranslationUnit(s, t, origin, document="d.txt", paragraph=1, index=i + 1) for i, (s, t) in enumerate(pairs)]
    write_units(units, path)
    return units


def test_memories_are_matched_by_source_segment(tmp_path):
    pairs = [("第一句。", "The first sentence."), ("第二句。", "A second sentence here."), ("第三句。", "Third.")]
    refs = [("第一句。", "The first sentence ."), ("第二句。", "The second sentence."), ("第三句。", "The third one.")]
    _memory(tmp_path / "hyp.tmx", pairs)
    _memory(tmp_path / "ref.po", list(reversed(refs)), Origin.HUMAN)
    (tmp_path / "ref.txt").write_text("\n".join(t for _, t in refs) + "\n", encoding="utf-8")
    by_source = score(tmp_path / "hyp.tmx", tmp_path / "ref.po")
    by_position = score(tmp_path / "hyp.tmx", tmp_path / "ref.txt")
    assert by_source.matched_by == "source" and by_position.matched_by == "position"
    assert [m.score for m in by_source.metrics] == [m.score for m in by_position.metrics]


def test_bad_inputs_are_one_line_errors(tmp_path):
    (tmp_path / "a.txt").write_text("one\ntwo\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("one\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
    _memory(tmp_path / "untranslated.tmx", [("第一句。", "")], Origin.NONE)
    for args, message in [
        (("a.txt", "b.txt"), "has 2 segments and .* 1"),
        (("empty.txt", "a.txt"), "empty"),
        (("untranslated.tmx", "a.txt"), "no targets"),
        (("a.txt", "a.txt", "--metrics", "bleu,meteor"), "unknown metric"),
        (("missing.txt", "a.txt"), "no such file"),
    ]:
        done = run("score", *(str(tmp_path / a) if a.endswith((".txt", ".tmx")) else a for a in args))
        assert done.returncode != 0 and done.stderr.count("\n") == 1 and re.search(message, done.stderr), done.stderr
    with pytest.raises(InputError):
        score(tmp_path / "a.txt", tmp_path / "b.txt")


def test_compare_runs_a_paired_test_and_chinese_targets_use_the_zh_tokenizer(tmp_path):
    refs = [f"这是第{i}个参考句子，内容各不相同。" for i in range(40)]
    good = [r.replace("内容", "内容也") for r in refs]
    bad = [r[:5] for r in refs]
    for name, lines in (("ref", refs), ("good", good), ("bad", bad)):
        (tmp_path / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = score(tmp_path / "good.txt", tmp_path / "ref.txt", metrics=("bleu", "chrf"), compare=tmp_path / "bad.txt",
                   target_lang="zh")
    bleu = next(m for m in report.metrics if m.name == "bleu")
    assert "tok:zh" in bleu.signature and bleu.score > bleu.other and bleu.p_value < 0.05
    assert bleu.score > 0  # 13a would give ~0 on unsegmented Chinese


def headless(chromium: str, tmp_path: Path) -> list[str]:
    """Chromium with no network of its own (no updates, sync or first-run calls) and a fresh profile."""
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}"]


@pytest.mark.slow
def test_html_page_renders_every_segment_in_chromium(tmp_path, chromium):
    hyp = tmp_path / "hyp.txt"
    lines = HYP.read_text(encoding="utf-8").splitlines()[:300]
    hyp.write_text("\n".join(lines[:-1] + ["<script>alert(1)</script> & ]]> 😀"]) + "\n", encoding="utf-8")
    ref = tmp_path / "ref.txt"
    ref.write_text("\n".join(REF.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    src = tmp_path / "src.txt"
    src.write_text("\n".join(SRC.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    page = tmp_path / "report.html"
    done = run("score", str(hyp), str(ref), "--source", str(src), "--html", str(page))
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "http://" not in html.split("<body>")[0] and "<script>alert" not in html  # self-contained, escaped
    dom = subprocess.run([*headless(chromium, tmp_path), "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0
    rows = re.findall(r'<tr class="segment[^"]*" data-index="(\d+)" data-chrf="([\d.]+)"', dom.stdout)
    assert sorted(int(i) for i, _ in rows) == list(range(1, 301))  # every segment, once
    chrfs = [float(c) for _, c in rows]
    assert chrfs == sorted(chrfs)  # worst first
    assert 'id="segment-count">300<' in dom.stdout and "BLEU" in dom.stdout and "nrefs:1|case:mixed" in dom.stdout
    assert '<mark class="bad">' in dom.stdout and '<mark class="ok">' in dom.stdout  # terms in both colours
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; 😀" in dom.stdout
    shot = tmp_path / "report.png"
    subprocess.run([*headless(chromium, tmp_path), "--window-size=1200,900",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000


def test_translate_with_a_reference_scores_the_model_on_the_aligned_sentences(tmp_path, tiny_model):
    from tm_builder.formats import read_units

    align = ROOT / "tests" / "data" / "align"
    done = run("translate", str(align / "seed_zh.txt"), "--reference", str(align / "seed_en.txt"), "-o", str(tmp_path),
               "--model", str(tiny_model), "--max-length", "12")
    assert done.returncode == 0, done.stderr
    units, _ = read_units(tmp_path / "seed_zh.tmx")
    aligned = sum(u.origin is Origin.ALIGNED for u in units)
    assert f"the model on the {aligned} aligned sentences, against the reference:" in done.stdout
    assert re.search(r"BLEU +\d+\.\d +nrefs:1\|case:mixed\|eff:no\|tok:13a", done.stdout)
    assert all(u.origin is not Origin.MT for u in units if u.target and u.origin is Origin.ALIGNED)  # human text kept


def test_drafts_score_against_an_alignment_that_merged_two_sentences(tmp_path):
    """A 2-1 bead holds two Chinese sentences as one unit; the drafts of the same document have them apart."""
    drafts = [
        TranslationUnit("我们支持多边主义。", "We support multilateralism.", origin=Origin.MT),
        TranslationUnit("我们反对单边主义。", "We oppose unilateralism.", origin=Origin.MT),
        TranslationUnit("合作共赢是方向。", "Win-win cooperation is the way.", origin=Origin.MT),
    ]
    aligned = [
        TranslationUnit("我们支持多边主义。我们反对单边主义。", "We support multilateralism and oppose unilateralism.",
                        origin=Origin.ALIGNED),
        TranslationUnit("合作共赢是方向。", "Win-win cooperation is the direction.", origin=Origin.ALIGNED),
    ]
    write_units(drafts, tmp_path / "drafts.po")
    write_units(aligned, tmp_path / "aligned.po")
    report = score(tmp_path / "drafts.po", tmp_path / "aligned.po", metrics=("chrf",))
    assert [s.hypothesis for s in report.segments] == ["We support multilateralism. We oppose unilateralism.",
                                                      "Win-win cooperation is the way."]
    # and the other way round: the alignment as hypothesis, the drafts as reference
    report = score(tmp_path / "aligned.po", tmp_path / "drafts.po", metrics=("chrf",))
    assert [s.reference for s in report.segments][0] == "We support multilateralism. We oppose unilateralism."


def test_corpus_scores_gathered_in_chunks_equal_sacrebleus_own(monkeypatch):
    """Statistics are summed a chunk at a time to bound memory; the scores must be sacrebleu's."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    from tm_builder import score as S
    from .conftest import ROOT

    zh_en = ROOT.parent / "shared" / "data" / "zh-en"
    hyps = (zh_en / "wmt18.opusmt.en").read_text(encoding="utf-8").splitlines()[:150]
    refs = (zh_en / "wmt18.en").read_text(encoding="utf-8").splitlines()[:150]
    monkeypatch.setattr(S, "_CHUNK", 7)
    got = {m.name: m.score for m in S.corpus_scores(hyps, refs, ("bleu", "chrf", "ter"))}
    assert got["bleu"] == round(BLEU().corpus_score(hyps, [refs]).score, 4)
    assert got["chrf"] == round(CHRF().corpus_score(hyps, [refs]).score, 4)
    assert got["ter"] == pytest.approx(TER().corpus_score(hyps, [refs]).score, abs=1e-3)
    segs = S._segments(S.Side("h", tuple(hyps)), list(range(len(hyps))), hyps, refs, None, None)
    assert [s.chrf for s in segs[:20]] == [round(CHRF().sentence_score(h, [r]).score, 2) for h, r in zip(hyps[:20], refs[:20])]


def test_ter_refuses_a_pathological_line_with_a_message(tmp_path):
    long_line = " ".join(["word"] * 5000)
    (tmp_path / "h.txt").write_text(long_line + "\nshort line\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("another line\nshort line\n", encoding="utf-8")
    with pytest.raises(InputError, match="5,000 words; TER"):
        score(tmp_path / "h.txt", tmp_path / "r.txt", metrics=("bleu", "ter"))
    assert score(tmp_path / "h.txt", tmp_path / "r.txt", metrics=("bleu", "chrf")).metrics  # the others are fine


def test_ctrl_c_stops_a_long_score_at_once(tmp_path):
    """Scoring a big file must answer Ctrl-C (it used to ignore it for over a minute)."""
    import signal
    import time

    from .conftest import ROOT

    zh_en = ROOT.parent / "shared" / "data" / "zh-en"
    hyp = (zh_en / "wmt18.opusmt.en").read_text(encoding="utf-8") * 25  # about 100,000 lines: minutes of work
    ref = (zh_en / "wmt18.en").read_text(encoding="utf-8") * 25
    (tmp_path / "h.txt").write_text(hyp, encoding="utf-8")
    (tmp_path / "r.txt").write_text(ref, encoding="utf-8")
    child = subprocess.Popen([sys.executable, "-m", "tm_builder", "score", str(tmp_path / "h.txt"), str(tmp_path / "r.txt")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # well into reading and scoring
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130 and err.strip() == "tm-builder: interrupted", err


def _memory_pair(tmp_path: Path, n: int) -> tuple[Path, Path]:
    zh_en = ROOT.parent / "shared" / "data" / "zh-en"
    zh = (zh_en / "wmt18.zh").read_text(encoding="utf-8").splitlines()
    mt = (zh_en / "wmt18.opusmt.en").read_text(encoding="utf-8").splitlines()
    en = (zh_en / "wmt18.en").read_text(encoding="utf-8").splitlines()
    hyp = [TranslationUnit(f"{zh[k % len(zh)]}{k}", mt[k % len(zh)], Origin.MT, document="d", index=k + 1) for k in range(n)]
    ref = [TranslationUnit(u.source, en[k % len(zh)], Origin.HUMAN, document="d", index=k + 1) for k, u in enumerate(hyp)]
    write_units(hyp, tmp_path / "h.tmx")
    write_units(ref, tmp_path / "r.tmx")
    return tmp_path / "h.tmx", tmp_path / "r.tmx"


def test_a_big_memory_streams_past_instead_of_piling_up(tmp_path):
    """Reading a TMX costs what the caller keeps, not the file: score's sides hold texts, never units or trees.

    The parser reads ahead of the units it has finished, so a unit used to be
    removed only when it happened to be the last one parsed: a 13 MB TMX
    peaked near 100 MB while being read (5 KiB a unit in ``score``).
    """
    import tracemalloc

    from tm_builder.formats import stream_units
    from tm_builder.score import load_side

    hyp, _ = _memory_pair(tmp_path, 4000)
    tracemalloc.start()
    try:
        header, units = stream_units(hyp)
        count = sum(1 for _ in units)
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        side = load_side(hyp)
        kept, side_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4000 and header.tgtlang == "en"
    assert streamed_peak < 1_000_000, f"streaming 4,000 units peaked at {streamed_peak:,} bytes"  # it was ~19 MB
    assert len(side.texts) == 4000
    assert side_peak - base < 1.5 * (kept - base), (side_peak - base, kept - base)  # no more than what it keeps

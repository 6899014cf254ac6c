"""PO that survives edits: ``msgmerge`` keeps translations when the article changes.

Contexts only where a source needs two entries, positions in comments and
references; every file still passes ``msgfmt -c`` and reads back exactly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tm_builder.formats import MemoryHeader
from tm_builder.formats.base import needs_review
from tm_builder.formats.po import read_po, write_po
from tm_builder.segment import segment_file
from tm_builder.units import Origin, SegmentKind, TranslationUnit

HEADER = MemoryHeader(created=datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc), properties=(("engine", "none"),))

# A press-conference article: speaker labels, "谢谢。" and "王毅:" repeat with one
# translation, "这是我们的一贯立场。" repeats with two.
ARTICLE = """# 中国同东盟合作的新进展

**记者:**今年是中国—东盟全面战略伙伴关系建立的第三年,请问双方合作有哪些新进展?

**王毅:**谢谢。中国和东盟是搬不走的好邻居。双方贸易额连续多年保持增长。去年双方贸易额接近一万亿美元。我们愿同东盟国家一道,推动合作不断走深走实。

在互联互通方面,中老铁路开通以来客货两旺。雅万高铁已经投入运营。陆海新通道建设稳步推进。越来越多的东盟农产品通过这些通道进入中国市场。这是我们的一贯立场。

在数字经济方面,双方共同制定了数字经济合作行动计划。电子商务成为合作新亮点。跨境支付更加便利。中小企业从中获得了实实在在的好处。

在绿色发展方面,双方在清洁能源领域合作潜力巨大。中国企业参与建设了多个光伏和风电项目。电动汽车产业链合作不断深化。双方还在应对气候变化方面加强政策沟通。

**记者:**有人担心地区局势紧张会影响合作,您怎么看?

**王毅:**谢谢。和平稳定是地区发展的前提。中国始终坚持与邻为善、以邻为伴。我们反对在地区搞阵营对抗。这是我们的一贯立场。任何国家都不应把地区国家当作博弈的棋子。

关于南海问题,中国和东盟国家都要继续落实好《南海各方行为宣言》。我们愿加快推进“准则”磋商。我们希望早日达成实质有效的地区规则。域外国家应尊重地区国家的努力。

在人文交流方面,双方互派留学生人数持续增加。旅游合作迅速恢复。青年交流活动丰富多彩。地方合作也不断扩大。友好城市已经超过两百对。

展望未来,我们对中国东盟合作充满信心。双方要共同维护多边贸易体制。要推动区域全面经济伙伴关系协定高质量实施。要加快自贸区3.0版建设。让合作成果更多惠及两地人民。

**王毅:**谢谢大家。
"""

# The edit: one paragraph added at the top, everything else as it was.
TOP = "**主持人:**欢迎各位来到今天的记者会。本场记者会时长约两小时。请提问的记者先通报所在媒体。\n\n"

FIXED = {"王毅:": "Wang Yi:", "记者:": "Journalist:", "谢谢。": "Thank you."}
TWICE = "这是我们的一贯立场。"
TWICE_TARGETS = ("This is our consistent position.", "That has always been our position.")


@pytest.fixture(scope="session")
def msgmerge() -> str:
    path = shutil.which("msgmerge")
    if path is None:
        # Not a skip: without msgmerge the figure this file exists for goes untested.
        pytest.fail("msgmerge is required by this test: apt-get install -y gettext")
    return path


def _check(msgfmt: str, path: Path) -> None:
    result = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _segments(tmp_path: Path, name: str, text: str) -> list[TranslationUnit]:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "article.txt").write_text(text, encoding="utf-8")
    return [TranslationUnit.from_segment(s) for s in segment_file(folder / "article.txt").segments]


def _translated(units: list[TranslationUnit]) -> list[TranslationUnit]:
    """Deterministic targets: confirmed alignments, fuzzy machine drafts, a few left empty."""
    out: list[TranslationUnit] = []
    twice = 0
    for n, unit in enumerate(units):
        if unit.source in FIXED:
            out.append(TranslationUnit(**{**unit.__dict__, "target": FIXED[unit.source], "origin": Origin.HUMAN}))
        elif unit.source == TWICE:
            target, twice = TWICE_TARGETS[twice], twice + 1
            out.append(TranslationUnit(**{**unit.__dict__, "target": target, "origin": Origin.ALIGNED, "score": 0.9}))
        elif n % 9 == 4:
            out.append(unit)  # not translated yet
        elif n % 3 == 0:
            out.append(TranslationUnit(**{**unit.__dict__, "target": f"Draft {n} of the sentence.", "origin": Origin.MT,
                                          "score": 0.5, "model": "opus-mt-zh-en@abc"}))
        else:
            out.append(TranslationUnit(**{**unit.__dict__, "target": f"Sentence {n}, in English.", "origin": Origin.ALIGNED,
                                          "score": 0.75 + n / 1000}))
    return out


def _occurrences(units: list[TranslationUnit]) -> dict[tuple[str, int], TranslationUnit]:
    """Units by (source, how many times that source came before): what survives an edit elsewhere."""
    seen: Counter[str] = Counter()
    by_occurrence = {}
    for unit in units:
        by_occurrence[(unit.source, seen[unit.source])] = unit
        seen[unit.source] += 1
    return by_occurrence


@pytest.mark.parametrize("options", [[], ["--no-fuzzy-matching"]], ids=["default", "no-fuzzy-matching"])
def test_msgmerge_keeps_translations_after_a_paragraph_is_inserted(tmp_path, msgfmt, msgmerge, options):
    old = _translated(_segments(tmp_path, "old", ARTICLE))
    template = _segments(tmp_path, "new", TOP + ARTICLE)
    assert len(old) >= 45 and len(template) > len(old)
    assert {u.source for u in template} - {u.source for u in old}  # the new paragraph
    assert all(a.paragraph + 1 == b.paragraph for a, b in zip(old, template[len(template) - len(old):]))  # all moved

    old_po, pot, merged = tmp_path / "old.po", tmp_path / "new.pot", tmp_path / "merged.po"
    write_po(old, old_po, HEADER)
    write_po(template, pot, HEADER)
    assert read_po(old_po)[0] == old and read_po(pot)[0] == template
    result = subprocess.run([msgmerge, "--quiet", *options, "-o", str(merged), str(old_po), str(pot)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for path in (old_po, pot, merged):
        _check(msgfmt, path)

    # Entry by entry, as a translator sees it in Poedit: every unchanged source keeps target and flag.
    before = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(old_po)) if e.msgstr}
    after = {e.msgid: e for e in polib.pofile(str(merged)) if not e.obsolete}
    unchanged = [key for key in before if key[1] in after]
    kept = [key for key in unchanged
            if after[key[1]].msgstr == before[key].msgstr and after[key[1]].fuzzy == before[key].fuzzy]
    assert len(unchanged) >= 35
    assert {key for key in unchanged if key not in kept} <= {("variant 2", TWICE)}  # one PO entry per msgid in the template
    assert len(kept) / len(unchanged) >= 0.95
    assert any(before[k].fuzzy for k in kept) and any(not before[k].fuzzy for k in kept)

    # Unit by unit, through our reader: the merged file is in document order, at the new positions.
    units, _ = read_po(merged)
    assert [(u.source, u.document, u.paragraph, u.index, u.line) for u in units] == \
           [(u.source, u.document, u.paragraph, u.index, u.line) for u in template]
    was, now = _occurrences(old), _occurrences(units)
    carried = [k for k, u in was.items() if u.target and k in now]
    same = [k for k in carried if now[k].target == was[k].target and needs_review(now[k]) == needs_review(was[k])]
    assert len(same) / len(carried) >= 0.95 and len(carried) - len(same) <= 1  # the second rendering of TWICE
    assert all(now[k].origin is (Origin.TM if needs_review(was[k]) else Origin.HUMAN) for k in same)


def test_contexts_only_for_repeats_with_two_translations_and_stable_under_edits(tmp_path, msgfmt):
    old = _translated(_segments(tmp_path, "old", ARTICLE))
    moved = _translated(_segments(tmp_path, "new", TOP + ARTICLE))
    paths = tmp_path / "old.po", tmp_path / "moved.po"
    write_po(old, paths[0], HEADER)
    write_po(moved, paths[1], HEADER)
    for path in paths:
        _check(msgfmt, path)
    entries = [list(polib.pofile(str(path))) for path in paths]
    assert [(e.msgctxt, e.msgid) for e in entries[0] if e.msgctxt] == [("variant 2", TWICE)]
    assert [(e.msgctxt, e.msgid) for e in entries[1] if e.msgctxt] == [("variant 2", TWICE)]
    by_key = {(e.msgctxt, e.msgid): e for e in entries[0]}
    assert by_key[(None, TWICE)].msgstr == TWICE_TARGETS[0] and by_key[("variant 2", TWICE)].msgstr == TWICE_TARGETS[1]
    # the same translation: one entry, a reference and a position for each occurrence
    thanks = by_key[(None, "谢谢。")]
    positions = [line for line in thanks.comment.splitlines() if line.startswith("position: ")]
    expected = [u for u in old if u.source == "谢谢。"]
    assert len(expected) == 2 and positions == [f"position: article.txt:{u.paragraph}:{u.index} (line {u.line})" for u in expected]
    assert thanks.occurrences == [("article.txt", str(u.line)) for u in expected]
    assert len(by_key[(None, "王毅:")].occurrences) == 3
    assert len(entries[0]) == len({u.source for u in old}) + 1  # one entry per source, one more for TWICE


def test_repeats_out_of_document_order_still_round_trip(tmp_path, msgfmt):
    # A spreadsheet's units have no positions; merging A, B, A would give back A, A, B.
    units = [TranslationUnit(s, t, Origin.TM) for s, t in [("甲。", "A."), ("乙。", "B."), ("甲。", "A."), ("甲。", "A!")]]
    path = tmp_path / "sheet.po"
    write_po(units, path, HEADER)
    _check(msgfmt, path)
    assert read_po(path)[0] == units
    assert [e.msgctxt for e in polib.pofile(str(path))] == [None, None, "variant 2", "variant 3"]
    # in document order, the same repeats are one entry
    placed = [TranslationUnit(**{**u.__dict__, "document": "d.txt", "paragraph": i + 1, "index": 1}) for i, u in enumerate(units)]
    write_po(placed, path, HEADER)
    _check(msgfmt, path)
    assert read_po(path)[0] == placed
    assert [e.msgctxt for e in polib.pofile(str(path))] == [None, None, "variant 2"]


def test_po_from_other_tools_and_earlier_layout(tmp_path):
    other = tmp_path / "other.po"
    other.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: en_GB\\n"\n\n'
        "#: src/a.c:12 src/b.c:40\nmsgid \"一带一路\"\nmsgstr \"Belt and Road\"\n\n"
        "#, fuzzy\nmsgctxt \"menu\"\nmsgid \"文件\"\nmsgstr \"File\"\n\n"
        'msgid "空"\nmsgstr ""\n',
        encoding="utf-8",
    )
    units, header = read_po(other)
    assert units == [TranslationUnit("一带一路", "Belt and Road", Origin.HUMAN, document="src/a.c"),
                     TranslationUnit("文件", "File", Origin.TM), TranslationUnit("空")]
    assert header.tgtlang == "en-GB"
    earlier = tmp_path / "earlier.po"
    earlier.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "#. origin: aligned\n#. kind: heading\n#. line: 7\n#. score: 0.8\n#: a.txt:7\n"
        'msgctxt "a.txt:3:1"\nmsgid "标题"\nmsgstr "Title"\n',
        encoding="utf-8",
    )
    assert read_po(earlier)[0] == [TranslationUnit("标题", "Title", Origin.ALIGNED, 0.8, None, "a.txt", 3, 1, SegmentKind.HEADING, 7)]


SOURCES = st.sampled_from(["同一句。", "王毅:", "谢谢。", "a:1:2", "另一句"])
REPEATS = st.lists(
    st.builds(
        TranslationUnit,
        source=SOURCES,
        target=st.sampled_from(["", "Same.", "Other."]),
        origin=st.sampled_from([Origin.MT, Origin.ALIGNED, Origin.HUMAN]),
        score=st.sampled_from([None, 0.2, 0.9]),
        document=st.sampled_from(["", "a.txt", "b c.txt", "x:1:2"]),
        paragraph=st.integers(0, 4),
        index=st.integers(0, 3),
        kind=st.sampled_from([SegmentKind.SENTENCE, SegmentKind.SPEAKER]),
        line=st.integers(0, 9),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=REPEATS, in_order=st.booleans())
def test_round_trip_with_many_repeats(tmp_path, units, in_order):
    units = [u if u.target else TranslationUnit(**{**u.__dict__, "origin": Origin.NONE}) for u in units]
    if in_order:
        rank = {d: i for i, d in enumerate(dict.fromkeys(u.document for u in units))}
        units.sort(key=lambda u: (rank[u.document], u.paragraph, u.index))
    path = tmp_path / "r.po"
    write_po(units, path, HEADER)
    assert read_po(path)[0] == units
    keys = [(e.msgctxt, e.msgid) for e in polib.pofile(str(path))]
    assert len(keys) == len(set(keys))  # what msgfmt requires

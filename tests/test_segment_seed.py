"""The seed document is the specification: compare with a hand-made segmentation.

``data/seed_expected.json`` was written by a person reading the seed (every
paragraph after layout repair, as ``[kind, text]`` pairs), independently of
the segmenter.
"""

from __future__ import annotations

import json

import pytest

from tm_builder import segment_file
from tm_builder.units import SegmentKind

from .conftest import DATA, SEED

EXPECTED = json.loads((DATA / "seed_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def document():
    return segment_file(SEED)


def _as_pairs(paragraph):
    return [[s.kind.value, s.text] for s in paragraph.segments]


def test_expected_data_is_substantial():
    joined = [p for p in EXPECTED if len(p) > 1]
    assert len(EXPECTED) >= 8 and len(joined) >= 8


@pytest.mark.parametrize("number", range(len(EXPECTED)), ids=lambda n: f"p{n + 1}")
def test_paragraph_matches_human_segmentation(document, number):
    got = [_as_pairs(p) for p in document.paragraphs]
    assert EXPECTED[number] in got, f"paragraph {number + 1} not segmented as expected:\n{EXPECTED[number]}"


def test_whole_document_in_order(document):
    got = [_as_pairs(p) for p in document.paragraphs]
    # Every expected paragraph appears, in the same order.
    positions = [got.index(p) for p in EXPECTED if p in got]
    assert positions == sorted(positions)
    assert len(positions) == len(EXPECTED)


def test_no_sentence_broken_at_layout_break(document):
    for s in document.segments:
        if s.kind is SegmentKind.SENTENCE:
            assert s.text[-1] in "。！？!?…:：”’」』）)", s.text


def test_layout_repairs_and_markers(document):
    assert document.lang == "zh"
    assert document.repaired == 18  # 16 broken paragraphs, two of them broken twice
    assert document.dropped == ("(上接第三版)",)
    assert not any("上接" in s.text or "**" in s.text for s in document.segments)
    # The mid-word breaks the issue names are mended.
    text = "".join(p.text for p in document.paragraphs)
    for word in ("版图", "驻外使领馆", "昆仑英才", "开展党性教育"):
        assert word in text


def test_speakers_and_headings_are_separate(document):
    kinds = [s.kind for s in document.segments]
    assert kinds.count(SegmentKind.SPEAKER) == 16
    assert kinds.count(SegmentKind.HEADING) == 8
    speakers = {s.text for s in document.segments if s.kind is SegmentKind.SPEAKER}
    assert {"王毅:", "凤凰卫视记者:", "《中国日报》记者:"} <= speakers

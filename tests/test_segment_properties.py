"""Properties that hold for any input: segments rebuild their paragraph exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tm_builder import segment_text

# Text made of the pieces that matter to the segmenter: Han characters, Latin
# words, every punctuation mark it reacts to, Markdown, spaces and line breaks.
PIECES = st.sampled_from(
    list("中国人民的外交政策和世界经济") + ["APP", "U.S.", "Mr.", "5.2", " ", "  ", "\n", "\n\n", "\u3000"]
    + list("。！？!?….,，、;；:：“”‘’「」『』《》（）()\"'[]#*_-")
    + ["**王毅:**", "凤凰卫视记者:", "# ", "## 标题\n", "(上接第三版)", "（城东组）", "……", "\r\n", "\t"]
)
TEXTS = st.lists(PIECES, max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.sampled_from(["zh", "en", "auto"]))
def test_segments_rebuild_paragraphs(text, lang):
    document = segment_text(text, lang=lang)
    for paragraph in document.paragraphs:
        rebuilt = "".join(s.text + s.space_after for s in paragraph.segments)
        assert rebuilt == paragraph.text
        for s in paragraph.segments:
            assert paragraph.text[s.start:s.end] == s.text
            assert s.text and s.text == s.text.strip()
            assert not s.space_after.strip()
            assert "\n" not in s.text
        assert [s.index for s in paragraph.segments] == list(range(1, len(paragraph.segments) + 1))
    assert [p.index for p in document.paragraphs] == sorted(p.index for p in document.paragraphs)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_segmentation_is_deterministic(text):
    assert segment_text(text, lang="zh") == segment_text(text, lang="zh")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_text_is_handled(text):
    document = segment_text(text)
    for paragraph in document.paragraphs:
        assert "".join(s.text + s.space_after for s in paragraph.segments) == paragraph.text

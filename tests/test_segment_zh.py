"""Chinese segmentation rules, one behaviour per test."""

from __future__ import annotations

import pytest

from tm_builder import segment_text, split_sentences
from tm_builder.units import SegmentKind


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, "zh")]


def pairs(text: str) -> list[list[tuple[str, str]]]:
    doc = segment_text(text, lang="zh")
    return [[(s.kind.value, s.text) for s in p.segments] for p in doc.paragraphs]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我们来了。你们呢?他们也来了!", ["我们来了。", "你们呢?", "他们也来了!"]),
        ("真的吗？！是的。", ["真的吗？！", "是的。"]),
        # closing quotes and brackets stay with their sentence
        ("他说:“我们来了。”然后走了。", ["他说:“我们来了。”", "然后走了。"]),
        ("（这是注释。）下一句。", ["（这是注释。）", "下一句。"]),
        # an embedded quotation does not end the sentence
        ("如果企图搞什么“小院高墙”,将会犯下新的历史错误。", ["如果企图搞什么“小院高墙”,将会犯下新的历史错误。"]),
        ("他提出“发展是硬道理。”,这句话影响深远。", ["他提出“发展是硬道理。”,这句话影响深远。"]),
        ("“你好!我是谁”的问题很难回答。", ["“你好!我是谁”的问题很难回答。"]),
        # never inside title marks
        ("他读了《为什么?怎么办!》这本书。很好。", ["他读了《为什么?怎么办!》这本书。", "很好。"]),
        # ellipsis ends a sentence, a list with 等 does not split at commas
        ("我们等了很久……终于来了。", ["我们等了很久……", "终于来了。"]),
        # colons and semicolons do not split
        ("一是确保有益:符合规则;二是确保安全。", ["一是确保有益:符合规则;二是确保安全。"]),
        # half-width full stop after Chinese, but never in a decimal
        ("增长了5.2%.这是好事。", ["增长了5.2%.", "这是好事。"]),
        ("增长了5.2%,这是好事。", ["增长了5.2%,这是好事。"]),
        ("我们来了.你们呢。", ["我们来了.", "你们呢。"]),
        # a URL's question mark is not a sentence end
        ("访问www.example.com/a?b=1了解详情。谢谢。", ["访问www.example.com/a?b=1了解详情。", "谢谢。"]),
        ("没有标点的句子", ["没有标点的句子"]),
    ],
)
def test_sentence_split(text, expected):
    assert sentences(text) == expected


def test_layout_break_mid_word_is_joined_without_space():
    text = "“全球南方”占世界经济的比重已提升到40%以上,正在深刻改写世界经济的版\n\n图。独立自主是底色。\n"
    assert pairs(text) == [[("sentence", "“全球南方”占世界经济的比重已提升到40%以上,正在深刻改写世界经济的版图。"), ("sentence", "独立自主是底色。")]]


def test_three_piece_break_and_latin_word_space():
    text = "优先升级“中国领事”APP\n\nfunction,打造驻\n\n外使领馆。\n"
    assert pairs(text) == [[("sentence", "优先升级“中国领事”APP function,打造驻外使领馆。")]]


def test_list_colon_ends_a_paragraph():
    text = "今年我们将重点抓好三件大事:\n\n一是全力打造平安体系。\n"
    assert pairs(text) == [[("sentence", "今年我们将重点抓好三件大事:")], [("sentence", "一是全力打造平安体系。")]]


def test_heading_is_never_joined():
    text = "没有句号的一段\n\n## 标题\n\n下一段。"
    assert pairs(text) == [[("sentence", "没有句号的一段")], [("heading", "标题")], [("sentence", "下一段。")]]


def test_speaker_paragraph_is_never_joined_onto_previous():
    text = "提问没有结束\n\n**王毅:**回答。"
    assert pairs(text) == [[("sentence", "提问没有结束")], [("speaker", "王毅:"), ("sentence", "回答。")]]


@pytest.mark.parametrize(
    "text, label",
    [
        ("**王毅:**人工智能。", "王毅:"),
        ("**王毅**：人工智能。", "王毅："),
        ("**《中国日报》记者:**去年。", "《中国日报》记者:"),
        ("凤凰卫视记者:国际社会。", "凤凰卫视记者:"),
        ("外交部发言人：我们注意到。", "外交部发言人："),
        ("问:中方如何看待?", "问:"),
    ],
)
def test_speaker_labels(text, label):
    first = segment_text(text, lang="zh").segments[0]
    assert (first.kind, first.text) == (SegmentKind.SPEAKER, label)


def test_plain_name_label_needs_to_recur():
    once = segment_text("王毅:我们来了。", lang="zh").segments[0]
    assert once.kind is SegmentKind.SENTENCE
    doc = segment_text("王毅:我们来了。\n\n记者:好的。\n\n王毅:再见。", lang="zh")
    assert [s.kind for s in doc.segments][:1] == [SegmentKind.SPEAKER]


def test_colon_sentence_is_not_a_speaker():
    doc = segment_text("我们关注的主要是“三个确保”:一是确保有益。", lang="zh")
    assert [s.kind for s in doc.segments] == [SegmentKind.SENTENCE]


def test_bylines():
    assert pairs("有效解决群众诉求。(城东组)") == [[("sentence", "有效解决群众诉求。"), ("byline", "(城东组)")]]
    assert pairs("（新华社记者 张三、李四）") == [[("byline", "（新华社记者 张三、李四）")]]
    # brackets inside a sentence, or numbering, are not bylines
    assert pairs("对各社区(村)每周报送。") == [[("sentence", "对各社区(村)每周报送。")]]
    assert [k for k, _ in pairs("这是第一条。(1)")[0]] == ["sentence", "sentence"]


@pytest.mark.parametrize("marker", ["(上接第三版)", "（下转第二版）", "(紧接第1版)", "（转第 12 版）"])
def test_continuation_markers_are_dropped(marker):
    doc = segment_text(f"中方期待同各方共襄盛举,不断汇聚{marker}\n\n发展中国家团结合作的“南方力量”。", lang="zh")
    assert [s.text for s in doc.segments] == ["中方期待同各方共襄盛举,不断汇聚发展中国家团结合作的“南方力量”。"]
    assert doc.dropped == (marker,)


def test_emphasis_is_removed():
    assert pairs("这是**重点**内容。这是*强调*。") == [[("sentence", "这是重点内容。"), ("sentence", "这是强调。")]]


def test_indentation_and_crlf():
    doc = segment_text("\u3000\u3000第一段。\r\n\u3000\u3000第二段。\r\n", lang="zh")
    assert [p.text for p in doc.paragraphs] == ["第一段。", "第二段。"]
    assert [p.line for p in doc.paragraphs] == [1, 2]


def test_auto_language_detection():
    assert segment_text("中国外交政策。").lang == "zh"
    assert segment_text("China's foreign policy (中国外交政策) was discussed at length today.").lang == "en"


def test_unknown_language_is_an_error():
    from tm_builder.errors import InputError

    with pytest.raises(InputError):
        segment_text("文本。", lang="fr")


@pytest.mark.parametrize(
    "text",
    ["他说：这很重要。\n\n他说：“我们有信心。”", "他反问：“难道这不是双重标准吗？”", "有人问：这样做有什么意义？",
     "外交部发言人表示：我们注意到。"],
)
def test_reported_speech_is_not_a_speaker(text):
    assert all(s.kind is SegmentKind.SENTENCE for s in segment_text(text, lang="zh").segments)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("一、坚持党的全面领导\n（一）加强思想建设。", ["一、坚持党的全面领导", "（一）加强思想建设。"]),
        ("1. 推进理论学习\n2. 强化实践", ["1. 推进理论学习", "2. 强化实践"]),
        ("**坚持人民至上**\n人民是我们党执政的最大底气。", ["坚持人民至上", "人民是我们党执政的最大底气。"]),
        ("本报记者 李四\n2023年GDP增长5.2%。", ["本报记者 李四", "2023年GDP增长5.2%。"]),
        ("项目\t2022年\t2023年\n国内生产总值增长5.2%。", ["项目\t2022年\t2023年", "国内生产总值增长5.2%。"]),
    ],
)
def test_lines_that_are_not_broken_prose_stay_apart(text, expected):
    assert [p.text for p in segment_text(text, lang="zh").paragraphs] == expected


def test_markdown_layout_is_not_text():
    text = "---\n> 引用的内容。\n![图片](http://x.cn/a.jpg)\n#\n**\n见[外交部网站](https://www.fmprc.gov.cn)。"
    assert [s.text for s in segment_text(text, lang="zh").segments] == ["引用的内容。", "见外交部网站。"]


def test_invisible_characters_are_removed():
    assert segment_text("\u200b外交\u00ad部。", lang="zh").segments[0].text == "外交部。"


def test_file_without_translatable_text_is_refused(tmp_path):
    from tm_builder import segment_file
    from tm_builder.errors import InputError

    path = tmp_path / "markers.txt"
    path.write_text("(上接第三版)\n\n\u200b\n---\n", encoding="utf-8")
    with pytest.raises(InputError, match="no translatable text"):
        segment_file(path)


def test_quotation_of_several_sentences_that_ends_the_sentence_is_split():
    # CAT tools split here too; a quote that carries on (“…”,将会) is never split.
    assert sentences("他强调：“我们要坚持高质量发展。这是硬道理。”他还说。") == [
        "他强调：“我们要坚持高质量发展。", "这是硬道理。”", "他还说。",
    ]

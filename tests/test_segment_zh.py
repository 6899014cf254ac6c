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


# Unmarked titles: a title line ends without a full stop, like a line broken by the layout.

ARTICLE_WITH_TITLES = (
    "商务部：将进一步扩大高水平对外开放\n\n"
    "新华社北京5月8日电（记者 王晓）\n\n"
    "商务部新闻发言人8日表示，今年以来我国外贸进出口保持平稳增长，\n\n"
    "一季度货物贸易进出口总值同比增长5%。下一步，商务部将加大政策支持力度，稳住外贸基本\n\n"
    "盘。\n"
)


def test_unmarked_title_is_a_heading_and_breaks_below_it_are_still_mended():
    assert pairs(ARTICLE_WITH_TITLES) == [
        [("heading", "商务部：将进一步扩大高水平对外开放")],
        [("sentence", "新华社北京5月8日电（记者 王晓）")],
        [("sentence", "商务部新闻发言人8日表示，今年以来我国外贸进出口保持平稳增长，一季度货物贸易进出口总值同比增长5%。"),
         ("sentence", "下一步，商务部将加大政策支持力度，稳住外贸基本盘。")],
    ]


@pytest.mark.parametrize(
    "title",
    ["守护绿水青山 建设美丽乡村", "牢记嘱托，奋力谱写高质量发展新篇章", "“千万工程”二十年：浙江乡村蝶变之路"],
)
def test_title_forms_at_the_top(title):
    text = f"{title}\n\n春日的田野生机勃勃，农民们正忙着春耕备耕。各地积极落实惠农政策，\n\n确保粮食生产稳定。\n"
    assert pairs(text) == [
        [("heading", title)],
        [("sentence", "春日的田野生机勃勃，农民们正忙着春耕备耕。"), ("sentence", "各地积极落实惠农政策，确保粮食生产稳定。")],
    ]


def test_kicker_and_reporter_line_under_a_title():
    text = (
        "扎根山乡三十年\n——记浙江省安吉县余村党支部书记\n本报记者 陈明、刘芳\n"
        "走进余村，青山环抱，溪水潺潺，游客络绎不绝。二十年前，这里还是矿山林立、粉尘漫天的\n景象。\n"
    )
    assert pairs(text) == [
        [("heading", "扎根山乡三十年")],
        [("heading", "——记浙江省安吉县余村党支部书记")],
        [("sentence", "本报记者 陈明、刘芳")],
        [("sentence", "走进余村，青山环抱，溪水潺潺，游客络绎不绝。"), ("sentence", "二十年前，这里还是矿山林立、粉尘漫天的景象。")],
    ]


def test_unmarked_subtitles_inside_the_document():
    text = (
        "丽水市：探索山区共同富裕新路子\n\n"
        "近年来，丽水市立足生态优势，大力发展生态旅游、精品农业和来料加工，推动绿水青山源源不断转化为金山银山，"
        "山区群众收入增速连续多年高于全省平均水平。\n\n"
        "在景宁畲族自治县，当地把民族文化与乡村旅游结合起来，\n\n"
        "打造了一批特色民宿和文化村落，带动三千多户农民在家门口就业增收，村集体经济收入普遍突破五十万元。（丽组）\n\n"
        "衢州市推进数字乡村建设\n\n"
        "衢州市以数字化改革为牵引，推动政务服务、医疗健康和教育资源向农村延伸，村民办事不出村，看病就医更加便利，农村电商\n\n"
        "蓬勃发展，农产品销路越来越宽。（衢组）\n"
    )
    doc = segment_text(text, lang="zh")
    assert [s.text for s in doc.segments if s.kind is SegmentKind.HEADING] == ["丽水市：探索山区共同富裕新路子", "衢州市推进数字乡村建设"]
    assert doc.repaired == 2
    assert [p.segments[-1].kind.value for p in doc.paragraphs] == ["heading", "sentence", "byline", "heading", "byline"]


@pytest.mark.parametrize(
    "text",
    [
        # a comma, an open quotation, a full stop inside, a lede's opening, a speaker's question
        "我们要坚持和发展新时代“枫桥\n\n经验”，把矛盾化解在基层。",
        "近年来，当地持续推进老旧小区改造\n\n工程，居民生活条件明显改善。",
        "今年春耕备耕进展顺利。各地抓紧抢抓农时\n\n播种，确保粮食丰收。",
        "**记者：**请问中方对此有何评论，是否会采取\n\n进一步措施？",
    ],
)
def test_broken_first_lines_that_only_look_like_titles_are_mended(text):
    doc = segment_text(text, lang="zh")
    assert len(doc.paragraphs) == 1 and doc.repaired == 1
    assert not any(s.kind is SegmentKind.HEADING for s in doc.segments)


def test_line_as_long_as_the_wrap_width_is_not_a_title():
    # Hard-wrapped at 18 characters with no blank lines: the first line has no punctuation,
    # but it is as long as the lines broken mid-clause, so it is wrapped text, not a title.
    para = (
        "我国新能源汽车产业发展势头强劲产销量连续多年位居全球第一，充电基础设施建设加快推进，农村地区充电网络逐步完善，"
        "消费者购车意愿持续增强。与此同时，动力电池回收利用体系不断健全，产业链上下游协同发展，“车路云一体化”应用试点稳步推开。"
    )
    wrapped = "\n".join(para[i:i + 18] for i in range(0, len(para), 18))
    assert pairs(wrapped) == pairs(para)
    assert not any(s.kind is SegmentKind.HEADING for s in segment_text(wrapped, lang="zh").segments)


def test_hard_wrapped_chinese_joins_at_full_lines_ending_in_a_colon_or_a_full_stop():
    paras = [
        "各地结合实际，探索形成了许多好做法：有的建立网格员队伍，有的设立“老娘舅”调解室，有的开通线上议事平台。",
        "实践证明，基层治理重在细节，贵在坚持。只有把群众的小事当作大事来办，才能把矛盾纠纷化解在萌芽状态。",
        "下一步，将继续完善工作机制，推动基层治理走深走实。",
    ]
    plain = "\n\n".join(paras)
    for width in (18, 19, 24):  # at 18 a line ends in "：", at 19 in "。"
        wrapped = "\n\n".join("\n".join(p[i:i + width] for i in range(0, len(p), width)) for p in paras)
        assert pairs(wrapped) == pairs(plain), width


def test_seed_with_its_markdown_headings_unmarked_segments_the_same():
    # Every "#" removed: the titles, at the top and between the seed's articles, are found again.
    import re

    from tm_builder.textio import read_text

    from .conftest import SEED

    text = read_text(SEED)
    marked, unmarked = segment_text(text, lang="zh"), segment_text(re.sub(r"(?m)^#+ ", "", text), lang="zh")
    assert [(s.kind, s.text) for s in unmarked.segments] == [(s.kind, s.text) for s in marked.segments]


@pytest.mark.parametrize("width", [24, 30, 40])
def test_test_pairs_chinese_wrapped_segments_like_the_original(width):
    from .conftest import DATA

    text = (DATA / "align" / "seed_zh.txt").read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    wrapped = "\n\n".join(p if p.startswith("#") else "\n".join(p[i:i + width] for i in range(0, len(p), width)) for p in paras)
    assert [(s.kind, s.text) for s in segment_text(wrapped, lang="zh").segments] == [
        (s.kind, s.text) for s in segment_text(text, lang="zh").segments
    ]

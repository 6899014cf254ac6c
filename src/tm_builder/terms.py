"""Term extraction: candidate glossary terms from Chinese documents, and their English renderings.

Why the signals are combined the way they are
---------------------------------------------
Official Chinese text marks its own terms far more reliably than any
statistic can find them.  In a 24,000-character speech most glossary terms
occur *once*, so frequency, PMI, branching entropy and C-value (which need
repetition) can only rank the few terms that recur.  The extractor therefore
trusts evidence in this order, and the score follows it:

1. ``curated``: the term is in the curated glossary (a reviewer already
   accepted it), so it always ranks first;
2. the writer's own marking: ``title`` (《…》, and 〈…〉 inside one),
   ``numbered`` formulations (三个确保, 两优先三倾斜, 三会一课, 十九大),
   ``quoted`` spans (“…”, but not lists of items or a quote that only
   modifies the next word), names of forums, initiatives, declarations,
   regulations, meetings and bodies (a noun chunk ending in 论坛, 倡议, 宣言,
   条例, 议程, 会议, 委员会 ..., or a dictionary organisation: ``name``), offices
   (``office``: 外长, 国务院副总理, the words beside a person's name) and ``framed``
   concepts (the words before 理念, 原则, 思路, 机制 ...);
3. form: ``set-phrase`` (a four-character phrase standing alone between
   punctuation or function words, a dictionary idiom, a parallel shape such
   as 走深走实 or a fixed pair such as 和平之海、合作之海) and
   ``abbreviation`` (党建, 联大);
4. statistics over a jieba word segmentation across *all* documents:
   ``cohesive`` n-grams (repeated, internally associated by normalised PMI,
   free on both sides by branching entropy, not only part of a longer
   candidate by C-value) and ``salient`` single words (far more frequent here
   than in jieba's general-language dictionary); last, ``phrase``: a noun
   phrase standing alone, the only way to reach a term that occurs once and
   is not marked, ranked below everything else.

Each piece of evidence has a fixed weight; the strongest counts in full and
the next two at 30 % (they are correlated: a quoted four-character phrase is
one piece of evidence, not two).  Frequency and the number of documents add a
logarithmic bonus, except for words common in general Chinese, which also lose
a little.  Filters run before scoring: function words at either edge,
numbers and dates, people's names (jieba's tags, surnames beside offices,
transliterations) and spans crossing punctuation are never candidates.  The
weights were set by hand on the seed speech (bench/terms_eval.py measures
them against hand-made oracle lists).

English renderings (:func:`aligned_renderings`) come from aligned units: for
each term, the English n-gram whose occurrences best match the term's across
units (Dice, log-likelihood breaking ties), helped by CC-CEDICT glosses of the
term's words, so that a term seen in only one or two units can still be
rendered, but only when the dictionary agrees.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import tempfile
import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .chars import HAN, HAN_CHAR
from .units import Document, SegmentKind

if TYPE_CHECKING:  # pragma: no cover
    from .align.lexicon import Lexicon

__all__ = ["EXTRACTOR_VERSION", "Candidate", "Rendering", "aligned_renderings", "extract_terms"]


#: Bump when a change to this module (its rules, scores or word lists) changes what it extracts:
#: remembered candidates are keyed by it. A comment or a refactoring leaves users' caches valid.
EXTRACTOR_REVISION = 1


def _extractor_version() -> str:
    """The extractor's revision and jieba's version (its dictionary segments and tags the text)."""
    from importlib.metadata import version

    return f"{EXTRACTOR_REVISION}+jieba{version('jieba')}"


#: what the draft cache keys remembered extraction results by
EXTRACTOR_VERSION = _extractor_version()


# --------------------------------------------------------------------------
# Public data
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A candidate term, with the evidence a reviewer needs to accept or reject it."""

    source: str  # the term as written (no surrounding “” or 《》)
    score: float  # ranking score: higher = more likely accepted
    frequency: int  # occurrences across all documents
    documents: tuple[str, ...]  # Document.name of each document it occurs in, sorted
    example: str  # the first source segment containing it
    signals: tuple[str, ...]  # which evidence fired, strongest first
    kind: str | None = None  # formulation|concept|initiative|organization|document|event|title, or None


@dataclass(frozen=True)
class Rendering:
    """The English n-gram that best renders a term in aligned units."""

    target: str  # English n-gram, as written in the example
    score: float  # association strength (Dice/LLR, helped by the dictionary)
    support: int  # aligned units in which the term and target co-occur
    example_target: str  # the English side of one such unit


# --------------------------------------------------------------------------
# Word segmentation (jieba), loaded once, quietly, with its cache in a temp dir
# --------------------------------------------------------------------------

_LOCK = threading.Lock()


@dataclass
class _Lexis:
    """The segmenter and jieba's dictionary: part of speech and general-language counts."""

    cut: Callable[[str], list[str]]
    tags: dict[str, str]
    freq: dict[str, int]
    total: int


@lru_cache(maxsize=1)
def _jieba() -> _Lexis:
    with _LOCK:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jieba 0.42 has invalid escapes (SyntaxWarning on 3.12+)
            import jieba
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = tempfile.gettempdir()  # its 9 MB cache goes to the temp dir, nowhere else
        tokenizer.initialize()
        tags: dict[str, str] = {}
        with tokenizer.get_dict_file() as handle:
            for raw in handle:
                parts = raw.decode("utf-8").split()
                if len(parts) == 3:
                    tags[parts[0]] = parts[2]
        freq = {w: n for w, n in tokenizer.FREQ.items() if n}
        return _Lexis(cut=lambda text: tokenizer.lcut(text, HMM=True), tags=tags, freq=freq, total=tokenizer.total)


#: the segmenter in use; the bench swaps it to compare segmenters (see bench/terms_eval.py)
_lexis: Callable[[], _Lexis] = _jieba


# --------------------------------------------------------------------------
# Character and word classes
# --------------------------------------------------------------------------

_HAN = HAN
_HAN_RE = HAN_CHAR
_NUMERALS = "〇零一二两三四五六七八九十百千万亿"
_NUM = f"[{_NUMERALS}]"
#: a token that is a number, an ordinal or a quantity (10, 二读, 第三, 百分之四十)
_NUMBERISH = re.compile(rf"^(?:第?[0-9０-９.,，%％]+|第?{_NUM}+)(?:次|届)?$")
_TIME = re.compile(
    rf"(?:^|[0-9０-９{_NUMERALS}])(?:年|月|日|号|时|点|分|秒|岁|周年|世纪|年代|多年)$|"
    r"^(?:今年|去年|明年|前年|今天|昨天|明天|近日|近年|目前|当前|同时|以来|期间|上午|下午|晚上|日前|此前|此后|今后|将来|过去|现在)"
)
_PERSON_TAGS = {"nr", "nrfg", "nrt"}
#: function words (tokens) that never begin or end a term
_FUNCTION = set(
    """的 地 得 了 着 过 在 和 与 及 以及 或 或者 并 并且 而 而且 对 对于 把 被 将 从 向 以 为 为了 于 由 同 跟 给 让 使 是 也 都 就
    还 又 再 才 只 很 更 最 太 已 已经 曾 正 正在 要 会 能 可 可以 应 应该 该 这 那 这个 那个 这些 那些 这一 此 其 之 各 每 其他 其它 等 等等
    我 我们 你 你们 他 他们 她 它 它们 大家 自己 咱们 有 没有 不 没 无 非 中 上 下 里 内 外 前 后 间 之间 之中 之下 之上 方面 一个 一些
    一是 二是 三是 四是 五是 首先 其次 同时 此外 另外 但 但是 却 因为 所以 因此 如果 虽然 只要 不仅 不但 而是 以便 通过 按照 根据 关于 围绕
    就是 还是 即 即使 也是 都是 什么 怎么 如何 为何 哪 谁 多 少 来 去 说 道 啊 吗 呢 吧 嘛 个 些 种 位 名 次 届 项 条 份 起 场 期 人次
    进行 开展 加以 予以 作出 做出 作为 成为 有关 相关 一道 一起 一致 共同 积极 大力 全力 切实 不断 持续 深入 认真 进一步 始终 坚定 继续
    双方 各方 各国 有效 重要 主要 好 多次 更加 更好 充分 广泛 全面 努力 起 到 得到 受到 遭到""".split()
)
#: jieba parts of speech of function words (prepositions, conjunctions, particles, pronouns, ...)
_FUNCTION_TAGS = {"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "y", "e", "o", "r", "q", "f", "m", "mq"}
#: verbs that frame a term (提出X, 推进X) and so mark where a name or term starts
_FRAMING = set(
    """提出 推进 推动 加强 坚持 实现 建立 落实 促进 维护 支持 参加 出席 举行 主持 会见 会谈 表示 指出 强调 认为 提供 发挥 举办 召开
    接受 欢迎 签署 发表 通过 审议 听取 作 做 抓 搞 抓好 做好 办好 建设好 构建 打造 建成 形成 完善 健全 深化 扩大 加快 增强 提升 提高 贯彻
    学习 宣传 弘扬 践行 秉持 倡导 推广 开创 迈向 进入 走向 面临 面对 应对 参与 携手 共同 愿同 愿 同 致力 致力于 着力 聚焦 围绕 依托 立足
    实施 执行 开启 启动 完成 取得 获得 达成 确保 保障 加大 强化 巩固 拓展 深入推进 全面推进 积极推进 大力推进 认真学习 深入学习 宣布""".split()
)
#: endings of names of forums, initiatives, documents, meetings and bodies, with the kind they suggest
_NAME_ENDS: dict[str, str] = {}
for _kind, _words in (
    ("organization", "论坛 组织 委员会 常委会 常务委员会 集团 联盟 政府 议会 部 委 局 署 院 办 厅 办事处 工委 党委 党组 中央 军委 政协 人大 协会 联合会 理事会 安理会 宣讲团 领导小组"),
    ("initiative", "倡议 工程 计划 行动 行动计划 走廊 之路 战略 项目 热线 体系 平台"),
    ("document", "宣言 公报 联合公报 声明 条例 法 办法 暂行办法 决定 决议 规划 纲要 议程 宪章 协定 协议 契约 公约 条约 准则 章程 意见 通知 报告 白皮书 草案 方案"),
    ("event", "会议 会晤 峰会 大会 全会 代表大会 亚运会 奥运会 运动会 博览会 交流年 选举 动员会 座谈会 研讨会 论坛峰会 对话会"),
):
    for _w in _words.split():
        _NAME_ENDS[_w] = _kind
_ORG_ENDS = ("部", "委", "会", "中央", "党", "组织", "国", "院", "局", "署", "办", "厅", "集团", "联盟")
#: words naming an office (they stand before a person's name)
_OFFICES = set(
    """主席 副主席 总理 副总理 委员长 副委员长 总书记 书记 副书记 部长 副部长 外长 外交部长 总统 副总统 首相 国务委员 委员 常委 主任 副主任
    检察长 院长 省长 市长 县长 局长 秘书长 发言人 大使 司令员 政委 参谋长 代表 第一书记""".split()
)
_NOT_OFFICES = {"记者", "代表", "委员", "主任", "书记", "院长", "局长"}  # too generic alone
#: places and scopes that often precede a term without being part of it (全省组织部长会议 -> 组织部长会议)
_SCOPES = set("国际 全省 全市 全县 全国 省级 市级 县级 省 市 县 州 各级 我国 我们 中方 两国 双方 本届 此次 这次 今年 去年 历届 县委 省委 市委 州委 区委 俄罗斯 中国 国家".split())
_MEDIA = re.compile(r"(?:日报|晚报|时报|周刊|杂志|新闻|联播|电视台|通讯社|网)$|^(?:求是|人民日报|光明日报|新闻联播|焦点访谈)$")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤习俞栗"
)

_QUOTE = re.compile(r"“([^“”\n]{1,40})”|「([^「」\n]{1,40})」")
_TITLE = re.compile(r"《([^《》\n]{1,80})》")
_INNER_TITLE = re.compile(r"〈([^〈〉\n]{2,60})〉")
_BAD_IN_MARKED = re.compile(r"[。！？!?；;：:，,…]")
#: 三会一课, 一老一小, 两优先三倾斜, 三到一位
_NUMBERED_PAIR = re.compile(rf"[一二两三四五六七八九十]{{1,2}}[^\W\d{_NUMERALS}]{{1,3}}[一二两三四五六七八九十]{{1,2}}[^\W\d{_NUMERALS}]{{1,3}}")
#: 三个确保, 八项行动, 三大历史任务, 两个一百年奋斗目标, 三个“到位”
_NUMBERED_ONE = re.compile(rf"(?<![{_NUMERALS}第])[二两三四五六七八九十](?:个|项|大|条|种|点|化|性|位)(?:“[^“”]{{1,6}}”)?")
#: 十九大, 二十大, 十九大精神
_CONGRESS = re.compile(rf"(?<![{_NUMERALS}第])(?:十[一二三四五六七八九]|二十[一二三四五六七八九]?)大(?:精神|代表|报告)?")
_GENERIC_HEADS = set("工作 举措 措施 方面 问题 部分 内容 环节 事情 方式 做法 人 人员 国家 地区 方案 活动 服务 百分点 指标 文件 领域 城市 企业 项目".split())
_TEMPORAL_CHARS = set("年月日号时点分秒岁次届倍")
_PAIR = re.compile(rf"[{_HAN}]{{2,4}}(?:、[{_HAN}]{{2,4}}){{1,3}}")
_DATEISH = re.compile(rf"^[0-9０-９{_NUMERALS}]+(?:年|月|日|号)")


def _is_han(text: str) -> bool:
    return all(_HAN_RE.match(ch) for ch in text)


# --------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------

# token classes
_P, _N, _F, _V, _C = "P", "N", "F", "V", "C"  # punctuation, number, function word, framing verb, content


@dataclass
class _Seg:
    doc: int
    text: str
    tokens: list[str]
    starts: list[int]
    classes: list[str]
    person: list[bool]


def _classify(token: str, lex: _Lexis) -> str:
    if not any(ch.isalnum() for ch in token):
        return _P
    if _NUMBERISH.match(token) or _TIME.search(token):
        return _N
    if token in _FUNCTION:
        return _F
    if token in _FRAMING:
        return _V
    tag = lex.tags.get(token)
    if tag in _FUNCTION_TAGS and len(token) <= 2 and token not in _NAME_ENDS:
        return _F
    return _C


def _person_flags(tokens: list[str], classes: list[str], lex: _Lexis) -> list[bool]:
    """Which tokens are (probably) people's names: tagged as such, or an unknown surname-led word beside an office."""
    out = []
    for i, tok in enumerate(tokens):
        tag = lex.tags.get(tok)
        flag = False
        if tag in _PERSON_TAGS and len(tok) in (2, 3) and tok[0] in _SURNAMES:
            flag = True
        elif tag is None and 2 <= len(tok) <= 3 and tok[0] in _SURNAMES and _is_han(tok):
            prev = tokens[i - 1] if i else ""
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            flag = prev in _OFFICES or nxt in _OFFICES or nxt in ("同志", "、", "主持", "会见", "表示", "指出", "强调", "出席", "在", "说", ":", "：") or prev in ("、", "同志")
        elif tag is None and len(tok) >= 4 and _is_han(tok) and (tokens[i - 1] if i else "") in _OFFICES:
            flag = True  # foreign names (梅德韦杰夫) after an office
        out.append(flag)
    return out


def _segments(documents: Sequence[Document], lex: _Lexis) -> list[_Seg]:
    segs = []
    for d_index, document in enumerate(documents):
        for segment in document.segments:
            if segment.kind in (SegmentKind.SPEAKER, SegmentKind.BYLINE):
                continue  # speaker labels and bylines are names, not terms
            text = segment.text.replace("\u3000", " ").strip()
            if not _HAN_RE.search(text):
                continue
            tokens = _retokenize([t for t in lex.cut(text) if t])
            starts, pos = [], 0
            for tok in tokens:
                starts.append(pos)
                pos += len(tok)
            classes = [_classify(t, lex) for t in tokens]
            segs.append(_Seg(d_index, text, tokens, starts, classes, _person_flags(tokens, classes, lex)))
    # a word taken for a person's name once is one everywhere (梅德韦杰夫 after 总理, then alone)
    people = {t for seg in segs for t, p in zip(seg.tokens, seg.person) if p}
    for seg in segs:
        seg.person = [p or t in people or _transliterated(t) for t, p in zip(seg.tokens, seg.person)]
    return segs


_MERGES = (
    re.compile(r"^(?:十[一二三四五六七八九]|二十[一二三四五六七八九]?)大$"),  # 十九 + 大
    re.compile(r"^中[俄美日韩非欧法德英印巴朝越老柬泰缅蒙哈乌塞]$"),  # 中 + 俄
    re.compile(rf"^第?[0-9{_NUMERALS}]+[次届]$"),  # 第二十三 + 次, 十二 + 届
)


def _retokenize(tokens: list[str]) -> list[str]:
    """Join pieces the segmenter splits but terms need whole: 十九|大, 中|俄, 第二十三|次."""
    out: list[str] = []
    for tok in tokens:
        if out and len(tok) == 1 and any(m.match(out[-1] + tok) for m in _MERGES):
            out[-1] += tok
        else:
            out.append(tok)
    return out


#: characters of transliterated foreign names (梅德韦杰夫, 普京, 马克龙)
_TRANSLIT = set("阿埃艾奥巴贝比波伯布采查达德迪蒂杜多厄恩法菲费夫弗福盖戈格古哈汉赫霍基吉加杰捷卡凯坎科克库拉莱赖兰朗劳勒雷里利列林卢鲁伦罗洛马迈曼梅门米姆纳内尼努诺帕佩皮普奇齐乔切萨塞桑瑟森沙舍什斯索塔泰特提图托瓦威韦维温沃乌西希谢休雅亚扬耶伊因尤约泽扎詹兹")


def _transliterated(token: str) -> bool:
    return len(token) >= 4 and all(ch in _TRANSLIT for ch in token)


# --------------------------------------------------------------------------
# Candidate collection
# --------------------------------------------------------------------------


@dataclass
class _Pool:
    signals: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    kinds: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # kind -> weight of its best evidence

    def add(self, source: str, signal: str, kind: str | None = None) -> None:
        source = source.strip()
        if len(source) < 2 or len(source) > 60:
            return
        self.signals[source].add(signal)
        if kind:
            self.kinds[source][kind] = max(self.kinds[source][kind], _weight(signal))  # the strongest evidence decides


def _quoted(pool: _Pool, seg: _Seg) -> None:
    for m in _QUOTE.finditer(seg.text):
        inner = (m.group(1) or m.group(2) or "").strip()
        if not _good_marked(inner, max_len=20) or "+" in inner or "＋" in inner:
            continue
        if "、" in inner:
            parts = inner.split("、")
            shared = any(len({p[k] for p in parts}) == 1 for k in range(min(map(len, parts))))
            if min(map(len, parts)) < 3 or max(map(len, parts)) > 5 or (len(parts) > 2 and not shared):
                continue  # a list of items, not a fixed set
        before = seg.text[max(0, m.start() - 2):m.start()]
        if re.fullmatch(rf"{_NUM}[个项大条种]", before):
            continue  # 三个“到位”: the numbered formulation is the term
        after = seg.text[m.end():m.end() + 1]
        k = bisect.bisect_left(seg.starts, m.end())
        nxt = seg.tokens[k] if k < len(seg.tokens) and seg.starts[k] == m.end() else ""
        if after and _HAN_RE.match(after) and nxt and (_lexis().tags.get(nxt) in ("n", "vn", "nt") or nxt in _NAME_ENDS) and len(nxt) <= 3:
            pool.add(m.group(0) + nxt, "quoted:compound", _NAME_ENDS.get(nxt, "concept"))  # “两新”组织
            pool.add(inner, "quoted:modifier", "formulation")
            continue
        if after and _HAN_RE.match(after) and nxt and seg.classes[k] == _C:
            pool.add(inner, "quoted:modifier", "formulation")  # “一带一路”倡议, “金砖”峰会
            continue
        pool.add(inner, "quoted", "formulation")


def _titled(pool: _Pool, seg: _Seg) -> None:
    for m in _TITLE.finditer(seg.text):
        inner = m.group(1).strip()
        if _MEDIA.search(inner):
            continue
        if _good_marked(inner, max_len=60, allow_comma=True):
            pool.add(inner, "title" if len(inner) > 3 else "title:short", _title_kind(inner))  # 《决定》 refers back
        for inner2 in _INNER_TITLE.findall(inner):
            if _good_marked(inner2, max_len=60, allow_comma=True):
                pool.add(inner2, "title", _title_kind(inner2))


def _title_kind(title: str) -> str:
    """《全球人工智能治理倡议》 is an initiative, 《南海各方行为宣言》 a document."""
    for k in (5, 4, 3, 2):
        if len(title) > k and title[-k:] in _NAME_ENDS:
            return _NAME_ENDS[title[-k:]]
    return "document"


def _good_marked(text: str, max_len: int, allow_comma: bool = False) -> bool:
    if not (2 <= len(text) <= max_len) or not _HAN_RE.search(text):
        return False
    if _BAD_IN_MARKED.search(text) and not (allow_comma and len(text) > 10):
        return False
    han = sum(1 for ch in text if _HAN_RE.match(ch))
    return han >= 2 and not _DATEISH.match(text)


def _token_edges(seg: _Seg) -> tuple[set[int], set[int]]:
    starts = set(seg.starts)
    ends = {s + len(t) for s, t in zip(seg.starts, seg.tokens)}
    return starts, ends


def _numbered(pool: _Pool, seg: _Seg) -> None:
    text = seg.text
    starts, ends = _token_edges(seg)
    for m in _NUMBERED_PAIR.finditer(text):
        # the longest span from this numeral that ends where a word ends (两优先三倾斜, not 两优先三倾斜原)
        for end in range(m.end(), m.start() + 3, -1):
            span = text[m.start():end]
            if end in ends and m.start() in starts and _NUMBERED_PAIR.fullmatch(span) and _balanced_pair(span) and not set(span) & _TEMPORAL_CHARS:
                pool.add(span, "numbered", "formulation")
                break
    for m in _CONGRESS.finditer(text):
        if m.start() in starts or text[max(0, m.start() - 2):m.start()] in ("党的", "中共"):
            span = m.group(0)
            congress = span[: span.index("大") + 1]
            pool.add(congress, "numbered", "event")
            if span != congress:
                pool.add(span, "numbered", "title" if span.endswith("代表") else "document" if span.endswith("报告") else "concept")
    for m in _NUMBERED_ONE.finditer(text):
        if m.start() not in starts or _CONGRESS.match(text, m.start()):
            continue
        head = m.group(0)
        if "“" in head:
            pool.add(head, "numbered", "formulation")
            continue
        # the numeral and classifier, then up to three content words
        i = bisect.bisect_left(seg.starts, m.end())
        if i >= len(seg.tokens) or seg.starts[i] != m.end():
            continue
        words: list[str] = []
        tags = _lexis().tags
        while i < len(seg.tokens) and len(words) < 3 and seg.classes[i] == _C and not seg.person[i]:
            if words and tags.get(seg.tokens[i]) == "v":
                break
            words.append(seg.tokens[i])
            i += 1
        if not words or (set(words[0][:1]) & _TEMPORAL_CHARS) or words[-1] in _GENERIC_HEADS:
            continue
        span = head + "".join(words)
        if len(span) <= 10 and _is_han(span):
            pool.add(span, "numbered", "formulation")


def _balanced_pair(span: str) -> bool:
    """三会一课 yes; 一心一意 yes; 三十一 no: two numeral+word halves of similar size."""
    parts = re.findall(rf"{_NUM}+[^{_NUMERALS}]+", span)
    if len(parts) != 2:
        return False
    a, b = parts
    return abs(len(a) - len(b)) <= 1


def _pairs(pool: _Pool, seg: _Seg) -> None:
    """Fixed parallel pairs and sets: 和平之海、合作之海, 不脱政策、不脱帮扶、不脱措施."""
    text = seg.text
    for m in _PAIR.finditer(text):
        parts = m.group(0).split("、")
        left = text[m.start() - 1] if m.start() else ""
        right = text[m.end()] if m.end() < len(text) else ""
        if left and _HAN_RE.match(left) or right and _HAN_RE.match(right) and right not in "的":
            continue  # the list goes on beyond the pair, or it is inside a longer phrase
        if len({len(p) for p in parts}) != 1:
            continue
        n = len(parts[0])
        shared = any(len({p[k] for p in parts}) == 1 for k in range(n))
        if shared and n >= 3:
            pool.add(m.group(0), "set-phrase:pair", "formulation")
        elif n == 4:
            for p in parts:
                pool.add(p, "set-phrase:pair-half", "formulation")


def _chunk_start(seg: _Seg, j: int, max_tokens: int = 7) -> int:
    """Where the noun chunk ending at token *j* starts.

    Walks left over content words, ordinals (第二十二次, 十二届), a quoted span
    (“一带一路”国际合作高峰论坛), a hyphen between words (中国-拉共体论坛) and
    与 between two content words (领事保护与协助条例).  A verb is taken only
    when a noun stands before it (南海各方行为宣言, 全球人工智能治理倡议):
    a verb after a function word or at the edge governs the chunk instead
    (期待联合国).
    """
    toks, classes, tags = seg.tokens, seg.classes, _lexis().tags
    i = j
    while i > 0 and j - i + 1 < max_tokens:
        c, t = classes[i - 1], toks[i - 1]
        if seg.person[i - 1]:
            break
        if c == _C:
            if tags.get(t) in ("v", "d", "ad", "vd", "a") and not (i >= 2 and classes[i - 2] == _C and tags.get(toks[i - 2], "n") in _NOUN_TAGS):
                break
            i -= 1
            continue
        if c == _N and _ordinal_ok(t):
            i -= 1
            continue
        if t == "”":
            k = i - 2
            while k >= 0 and toks[k] != "“" and classes[k] != _P:
                k -= 1
            if k >= 0 and toks[k] == "“" and i - 1 - k <= 6:
                i = k
                continue
        if t in ("-", "－", "·", "与") and i >= 2 and classes[i - 2] == _C:
            i -= 1
            continue
        break
    return i


_NOUN_TAGS = {"n", "nt", "nz", "ns", "nrt", "j", "vn", "an", "l", "i", "b", "nr"}
#: heads that make the words before them a named concept: “双轨并进”思路, 共商共建共享原则, 开放绿色廉洁理念
_FRAMES = set("理念 原则 思路 方针 政策 理论 思想 精神 要求 方向 导向 路径 格局 模式 机制 制度 作用 优势 品牌 方略".split())


def _names_and_offices(pool: _Pool, seg: _Seg) -> None:
    """Noun chunks ending in a name word (论坛, 倡议, 会议 ...) or an office word (外长, 副总理); concepts before a frame word (理念, 原则)."""
    lex = _lexis()
    toks, classes, tags = seg.tokens, seg.classes, lex.tags
    n = len(toks)
    for j in range(n):
        tok = toks[j]
        end_kind = _NAME_ENDS.get(tok)
        office = tok in _OFFICES
        dictionary_org = False
        if not office and tags.get(tok) == "nt" and len(tok) >= 3 and tok.endswith(_ORG_ENDS):
            end_kind, dictionary_org = "organization", True  # 联合国, 外交部, 中国共产党
        if end_kind is None and not office:
            # a name word at the end of a longer token: 防治法, 中非合作论坛 as one token
            for k in (4, 3, 2, 1):
                if len(tok) >= k + 2 and tok[-k:] in _NAME_ENDS:
                    end_kind = _NAME_ENDS[tok[-k:]]
                    break
        if end_kind is not None and j + 1 < n and classes[j + 1] == _C and toks[j + 1] not in _NAME_ENDS and not seg.person[j + 1]:
            if toks[j + 1] in _FRAMES or tags.get(toks[j + 1]) in _NOUN_TAGS:
                continue  # the name goes on (会议精神, 论坛峰会): not its end
        if end_kind is None and not office:
            if tok in _FRAMES and j > 0:
                _framed(pool, seg, j)
            continue
        i = _chunk_start(seg, j)
        while i < j and classes[i] == _N and toks[i].startswith("第"):
            i += 1  # 第三届“一带一路”国际合作高峰论坛 -> the forum, not the session
        while j - i >= 2 and tags.get(toks[i]) in ("v", "vn") and lex.freq.get(toks[i], 0) >= 3000:
            i += 1  # 检查固体废物污染环境防治法: the verb governs the name
        chunk = toks[i:j + 1]
        span = "".join(chunk)
        if len(span) > 30 or len(span) < 2:
            continue
        if office:
            # an office counts beside a person's name (国家主席习近平, 习近平总书记)
            beside = (j + 1 < n and seg.person[j + 1]) or (i > 0 and seg.person[i - 1])
            if len(chunk) == 1 and (not beside or tok in _NOT_OFFICES):
                continue
            evidence, kind = ("office" if beside else "office:chunk"), "title"
        elif dictionary_org and len(chunk) == 1:
            evidence, kind = "name:org", end_kind
        elif len(chunk) == 1 and (len(tok) < 4 or tags.get(tok) is not None):
            continue  # a bare 会议, 论坛, 倡议
        else:
            evidence, kind = "name", end_kind
        variants = _variants(span, chunk)
        if office and len(chunk) > 1 and tok not in _NOT_OFFICES and all(t in _SCOPES or tags.get(t) == "ns" for t in chunk[:-1]):
            variants.append(tok)  # 中国外长 -> 外长
        for k, variant in enumerate(dict.fromkeys(variants)):
            pool.add(variant, evidence + (":whole" if k == 0 else ":trimmed"), kind)
            if evidence == "name:org":
                break


def _framed(pool: _Pool, seg: _Seg, j: int) -> None:
    """The words before a frame word: 双轨并进 in “双轨并进”思路, 开放绿色廉洁 in 开放绿色廉洁理念."""
    toks, classes = seg.tokens, seg.classes
    k = j - 1
    if toks[k] in ("的",) and k > 0:
        k -= 1
    if toks[k] == "”":
        m = k - 1
        while m >= 0 and toks[m] != "“" and classes[m] != _P:
            m -= 1
        if m >= 0 and toks[m] == "“":
            pool.add("".join(toks[m + 1:k]), "framed", "formulation")
        return
    if classes[k] != _C or seg.person[k]:
        return
    i = _chunk_start(seg, k, max_tokens=4)
    for start in range(i, k + 1):
        span = "".join(toks[start:k + 1])
        if 3 <= len(span) <= 10 and _is_han(span) and (k > start or len(span) >= 4):
            # the whole chunk, and its shorter tails as weaker evidence (党组织战斗堡垒 -> 战斗堡垒)
            pool.add(span, "framed" if start == i else "framed:part", "formulation")


def _ordinal_ok(token: str) -> bool:
    return bool(re.match(rf"^(?:第?[0-9{_NUMERALS}]+(?:次|届|个)?|[0-9]+国?)$", token))


def _variants(span: str, tokens: list[str]) -> list[str]:
    """The chunk, and the chunk without leading places or scope words (全省, 国际, 县委, 乌兰县...)."""
    out = [span]
    rest = list(tokens)
    while (len(rest) >= 3 or len(rest) == 2 and len(rest[1]) >= 3) and (rest[0] in _SCOPES or _lexis().tags.get(rest[0]) == "ns" or rest[0].endswith(("省", "市", "县", "区", "州", "镇", "乡", "村"))):
        rest = rest[1:]
        out.append("".join(rest))
    return [v for v in dict.fromkeys(out) if len(v) >= 2]


# --------------------------------------------------------------------------
# Statistics over the segmentation
# --------------------------------------------------------------------------

_MAX_N = 6
_MAX_CHARS = 16
_INNER_FUNCTION = {"的", "与", "和", "之", "同", "为", "以"}


@dataclass
class _Stats:
    counts: Counter[tuple[str, ...]]
    left: dict[tuple[str, ...], Counter[str]]
    right: dict[tuple[str, ...], Counter[str]]
    tokens: int


def _ngram_stats(segs: list[_Seg]) -> _Stats:
    counts: Counter[tuple[str, ...]] = Counter()
    left: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    right: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    total = 0
    boundary_id = 0
    for seg in segs:
        toks, classes, person = seg.tokens, seg.classes, seg.person
        n = len(toks)
        total += n
        for i in range(n):
            if classes[i] == _P:
                continue
            chars = 0
            for j in range(i, min(n, i + _MAX_N)):
                if classes[j] == _P:
                    break
                chars += len(toks[j])
                if chars > _MAX_CHARS:
                    break
                gram = tuple(toks[i:j + 1])
                counts[gram] += 1
                if not _edge_ok(classes, person, i, j, toks):
                    continue
                if i == 0 or classes[i - 1] == _P:
                    boundary_id += 1
                    lctx = f"<{boundary_id}>"
                else:
                    lctx = toks[i - 1]
                if j + 1 >= n or classes[j + 1] == _P:
                    boundary_id += 1
                    rctx = f"<{boundary_id}>"
                else:
                    rctx = toks[j + 1]
                left[gram][lctx] += 1
                right[gram][rctx] += 1
    return _Stats(counts, left, right, max(total, 1))


def _edge_ok(classes: list[str], person: list[bool], i: int, j: int, toks: list[str]) -> bool:
    if classes[i] != _C or classes[j] != _C:
        return False
    for k in range(i, j + 1):
        if person[k] or classes[k] == _V:
            return False
        if classes[k] in (_F, _N) and toks[k] not in _INNER_FUNCTION:
            return False
    return True


def _entropy(counter: Counter[str]) -> float:
    total = sum(counter.values())
    return -sum(c / total * math.log2(c / total) for c in counter.values()) if total else 0.0


def _npmi(gram: tuple[str, ...], stats: _Stats) -> float:
    """The weakest internal association (normalised PMI) over the gram's binary splits."""
    f = stats.counts[gram]
    n = stats.tokens
    if len(gram) < 2 or f == 0:
        return 0.0
    p = f / n
    worst = 1.0
    for k in range(1, len(gram)):
        a, b = stats.counts[gram[:k]], stats.counts[gram[k:]]
        pmi = math.log(p / ((a / n) * (b / n)))
        worst = min(worst, pmi / -math.log(p))
    return worst


def _statistical(pool: _Pool, stats: _Stats, lex: _Lexis) -> dict[str, tuple[float, float, float]]:
    """Signals ``cohesive`` and ``salient``; returns (association, branching entropy, C-value) per repeated string.

    Association is the normalised PMI of the weakest split for n-grams, and
    for single words the log ratio of their frequency here to their
    frequency in jieba's general-language dictionary (keyness).
    """
    out: dict[str, tuple[float, float, float]] = {}
    grams = [g for g in stats.left if stats.counts[g] >= 2]
    # C-value: frequency not explained by the longer candidates containing the gram
    longer: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for g in grams:
        for k in range(len(g)):
            for m in range(k + 1, len(g) + 1):
                if (k, m) != (0, len(g)):
                    longer[g[k:m]].append(stats.counts[g])
    for g in grams:
        f = stats.counts[g]
        text = "".join(g)
        if len(text) < 2 or not _is_han_or_alnum(text):
            continue
        nested = longer.get(g)
        cvalue = math.log2(len(text)) * (f - (sum(nested) / len(nested) if nested else 0.0))
        h = min(_entropy(stats.left[g]), _entropy(stats.right[g]))
        if len(g) == 1:
            tag = lex.tags.get(text)
            keyness = math.log((f / stats.tokens) / ((lex.freq.get(text, 0) + 1) / lex.total))
            value = (keyness, h, cvalue)
            if tag in _SALIENT_TAGS or (tag is None and len(text) >= 3):
                if keyness > _MIN_KEYNESS and h >= 1.0 and cvalue > 0:
                    pool.add(text, "salient")
        else:
            cohesion = _npmi(g, stats)
            value = (cohesion, h, cvalue)
            if cohesion >= 0.45 and h >= 0.9 and cvalue > 0.5:
                pool.add(text, "cohesive")
        old = out.get(text)
        if old is None or value > old:
            out[text] = value
    return out


_SALIENT_TAGS = {"n", "nt", "nz", "j", "vn", "l", "i", "an"}
_MIN_KEYNESS = 3.0


def _is_han_or_alnum(text: str) -> bool:
    return all(_HAN_RE.match(ch) or ch.isalnum() for ch in text)


def _set_phrases(pool: _Pool, segs: list[_Seg], lex: _Lexis) -> None:
    """Four-character phrases: dictionary idioms, and four characters standing alone between boundaries."""
    for seg in segs:
        toks, classes = seg.tokens, seg.classes
        n = len(toks)
        for i in range(n):
            if classes[i] != _C or seg.person[i]:
                continue
            tok = toks[i]
            if len(tok) == 4 and _is_han(tok):
                pool.add(tok, "set-phrase:" + ("idiom" if lex.tags.get(tok) in ("i", "l") else "word"), "formulation")
                continue
            # 2+2 (or 1+3, 3+1, 1+1+2 ...) tokens making four characters between boundaries
            chars = 0
            for j in range(i, min(n, i + 4)):
                if classes[j] != _C or seg.person[j]:
                    break
                chars += len(toks[j])
                if chars >= 4:
                    break
            if chars != 4 or j == i:
                continue
            span = "".join(toks[i:j + 1])
            if not _is_han(span):
                continue
            lfree = i == 0 or classes[i - 1] in (_P, _F, _V) or lex.tags.get(toks[i - 1]) == "v"
            rfree = j + 1 >= n or classes[j + 1] in (_P, _F) or toks[j + 1] in _NAME_ENDS
            unknown = j == i + 1 and len(toks[i]) == 2 and any(t not in lex.freq for t in toks[i:j + 1])
            if (lfree and rfree) or _parallel(span) or unknown:
                pool.add(span, "set-phrase:" + ("parallel" if _parallel(span) else "standalone" if lfree and rfree else "unknown"), "formulation")


def _phrases(pool: _Pool, segs: list[_Seg], lex: _Lexis) -> None:
    """Noun phrases of two to four words (5 to 10 characters) standing alone between boundaries.

    The weakest evidence: most terms in a single speech occur once, so this
    is what finds 反帝反殖斗争 or 开放型世界经济 at all; it ranks below every
    other signal.
    """
    for seg in segs:
        toks, classes = seg.tokens, seg.classes
        n = len(toks)
        for i in range(n):
            if classes[i] != _C or seg.person[i]:
                continue
            if not (i == 0 or classes[i - 1] in (_P, _F, _V) or lex.tags.get(toks[i - 1]) == "v"):
                continue
            chars = 0
            for j in range(i, min(n, i + 4)):
                if classes[j] != _C or seg.person[j]:
                    break
                chars += len(toks[j])
                if chars > 10:
                    break
                if j == i or chars < 5:
                    continue
                if not (j + 1 >= n or classes[j + 1] in (_P, _F)):
                    continue
                if lex.tags.get(toks[j], "n") not in _NOUN_TAGS or lex.tags.get(toks[i]) in ("v", "d", "ad"):
                    continue
                span = "".join(toks[i:j + 1])
                if _is_han(span):
                    pool.add(span, "phrase", "concept")


def _parallel(span: str) -> bool:
    """ABAC / ABCB / AABB shapes: 走深走实, 共商共建, 同心同德."""
    return len(span) == 4 and (span[0] == span[2] or span[1] == span[3] or (span[0] == span[1] and span[2] == span[3])) and len(set(span)) >= 2


# --------------------------------------------------------------------------
# Scoring and assembly
# --------------------------------------------------------------------------

#: what each piece of evidence is worth (the public signal is the part before ":")
_WEIGHTS = {
    "curated": 10.0,
    "title": 5.0,
    "title:short": 1.5,
    "numbered": 4.5,
    "name:org": 4.0,
    "quoted": 3.5,
    "quoted:compound": 3.0,
    "quoted:modifier": 1.0,
    "set-phrase:pair": 3.5,
    "abbreviation": 3.0,
    "name:whole": 3.0,
    "framed": 2.5,
    "framed:part": 1.0,
    "office:whole": 2.5,
    "office:trimmed": 2.5,
    "office:chunk:whole": 1.0,
    "office:chunk:trimmed": 2.0,
    "cohesive": 2.5,
    "name:trimmed": 2.0,
    "set-phrase:idiom": 2.0,
    "set-phrase:parallel": 1.5,
    "set-phrase:standalone": 1.5,
    "set-phrase:word": 1.5,
    "set-phrase:pair-half": 1.5,
    "set-phrase:unknown": 0.5,
    "salient": 0.5,
    "phrase": 0.5,
}




def _features(source: str, signals: set[str], frequency: int, ndocs: int, stat: tuple[float, float, float] | None, lex: _Lexis) -> dict[str, float]:
    """What the score is made of: signals, counts, statistics and how general-language the words are."""
    f: dict[str, float] = {s: 1.0 for s in signals}
    f.update({s.split(":")[0]: 1.0 for s in signals})
    f["log_freq"] = math.log2(frequency)
    f["log_docs"] = math.log2(ndocs)
    words = [w for w in lex.cut(source) if w.strip()]
    content = [w for w in words if w not in _FUNCTION and _HAN_RE.search(w)]
    bgs = [math.log10(lex.freq.get(w, 0) + 1) for w in content] or [0.0]
    f["rarest"] = min(bgs)  # log10 general-language count of the rarest word (0: unknown to the dictionary)
    f["commonest"] = max(bgs)
    f["whole_bg"] = math.log10(lex.freq.get(source, 0) + 1) if len(words) == 1 else 0.0
    f["words"] = float(len(content))
    f["chars"] = float(len(source))
    f["single"] = 1.0 if len(words) == 1 else 0.0
    f["place_first"] = 1.0 if words and lex.tags.get(words[0]) == "ns" else 0.0
    if stat is not None:
        f["npmi"], f["entropy"], f["cvalue"] = stat
    return f


def _weight(evidence: str) -> float:
    """The weight of the most specific entry: "name:org:whole" -> "name:org"."""
    while evidence not in _WEIGHTS and ":" in evidence:
        evidence = evidence.rsplit(":", 1)[0]
    return _WEIGHTS.get(evidence, 1.0)


def _score(f: dict[str, float], evidence: list[str]) -> float:
    """Strongest evidence in full, the rest discounted; frequency; small penalties for general words."""
    weights = sorted((_weight(e) for e in evidence), reverse=True)
    score = weights[0] + 0.3 * sum(weights[1:3])
    # marked names keep their counts; a single common word does only when it is a
    # dictionary organisation (联合国), not when it was cut out of a longer name (俱乐部)
    marked = "numbered" in f or "name:org:whole" in f or (not f["single"] and ("name" in f or "title" in f))
    common = f["single"] and f["whole_bg"] >= 2.8 and not marked and "curated" not in f
    # a common word (国家, 环保) is frequent anywhere: its count says little about termhood
    score += (0.2 if common else 0.8) * f["log_freq"] + 0.8 * f["log_docs"]
    if "curated" in f:
        return score
    if f["single"] and f["whole_bg"] > 2.5 and not marked:
        score -= 0.6 * (f["whole_bg"] - 2.5)  # a word common in general Chinese (quoted “健全”, 贯彻落实)
    if not marked and "quoted" not in f and f["rarest"] > 3.0:
        score -= 0.8 * (f["rarest"] - 3.0)  # every word common in general Chinese (国际合作, 会议精神)
    if f["chars"] > 12 and not ("title" in f or "name" in f):
        score -= 0.1 * (f["chars"] - 12)
    return score


def _public(evidence: Iterable[str]) -> tuple[str, ...]:
    """Public signal names, strongest first."""
    best: dict[str, float] = {}
    for e in evidence:
        name = e.split(":")[0]
        best[name] = max(best.get(name, 0.0), _weight(e))
    return tuple(sorted(best, key=lambda s: (-best[s], s)))


def _kind(source: str, signals: set[str], votes: Counter[str]) -> str | None:
    if votes:
        return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    for end, kind in sorted(_NAME_ENDS.items(), key=lambda kv: -len(kv[0])):
        if source.endswith(end) and len(source) > len(end):
            return kind
    if signals & {"set-phrase", "numbered", "quoted"}:
        return "formulation"
    if signals & {"cohesive", "salient"}:
        return "concept"
    return None


def _reject(source: str, signals: set[str], lex: _Lexis) -> bool:
    """Filters for what is never a term, whatever fired."""
    if signals & {"curated"}:
        return False
    core = source.strip("“”\"'")
    if len(core) < 2 or not _HAN_RE.search(core):
        return True
    if _NUMBERISH.match(core) or _DATEISH.match(core) and not signals & {"title", "name"}:
        return True
    if _TIME.search(core) and len(core) <= 4:
        return True
    if len(core) >= 3 and all(ch in _TRANSLIT for ch in core):
        return True  # a transliterated foreign name
    tag = lex.tags.get(core)
    if tag in _PERSON_TAGS and len(core) <= 3 and not signals & {"title", "quoted", "numbered"}:
        return True
    if signals <= {"cohesive", "set-phrase", "salient", "framed"} and lex.tags.get(lex.cut(core)[-1]) == "ns":
        return True  # ends in a place: 讲述中国, 访问俄罗斯
    if tag in ("ns",) and not signals & {"title", "quoted", "name", "numbered"}:
        return True  # places are not glossary terms
    return False


def extract_terms(documents: Sequence[Document], *, curated: Collection[str] = (), limit: int | None = None) -> list[Candidate]:
    """Candidate terms from *documents*, best first.

    *curated* are source terms of the curated glossary: every one that occurs
    becomes a candidate with signal ``"curated"`` and ranks above the rest.
    *limit* keeps only the best so many.  The same input always gives the same
    output in the same order.
    """
    lex = _lexis()
    segs = _segments(documents, lex)
    pool = _Pool()
    for seg in segs:
        _quoted(pool, seg)
        _titled(pool, seg)
        _numbered(pool, seg)
        _pairs(pool, seg)
        _names_and_offices(pool, seg)
        for tok, cls in zip(seg.tokens, seg.classes):
            if cls == _C and lex.tags.get(tok) == "j" and len(tok) >= 2 and _is_han(tok):
                pool.add(tok, "abbreviation")
    stats = _ngram_stats(segs)
    _set_phrases(pool, segs, lex)
    _phrases(pool, segs, lex)
    statistics = _statistical(pool, stats, lex)

    corpus = _Corpus(documents, segs)
    for term in sorted({t.strip() for t in curated if t and t.strip()}):
        if corpus.first(term) is not None:
            pool.add(term, "curated")

    out: list[Candidate] = []
    for source in sorted(pool.signals):
        signals = pool.signals[source]  # fine-grained evidence, "set-phrase:idiom" ...
        public = {s.split(":")[0] for s in signals}
        if _reject(source, public, lex):
            continue
        first = corpus.first(source)
        if first is None:
            continue
        frequency, docs = corpus.count(source)
        features = _features(source, signals, frequency, len(docs), statistics.get(source), lex)
        names = tuple(sorted({documents[d].name for d in docs}))
        out.append(
            Candidate(
                source=source,
                score=round(_score(features, sorted(signals)), 6),
                frequency=frequency,
                documents=names,
                example=first,
                signals=_public(signals),
                kind=_kind(source, public, pool.kinds.get(source, Counter())),
            )
        )
    out.sort(key=lambda c: (-c.score, -c.frequency, -len(c.source), c.source))
    return out[:limit] if limit is not None else out


class _Corpus:
    """Exact substring occurrences of a candidate in the segments of every document."""

    def __init__(self, documents: Sequence[Document], segs: list[_Seg]) -> None:
        self.texts = [s.text for s in segs]
        self.docs = [s.doc for s in segs]
        self.joined = "\n".join(self.texts)
        self.offsets = []
        pos = 0
        for t in self.texts:
            self.offsets.append(pos)
            pos += len(t) + 1

    def first(self, term: str) -> str | None:
        k = self.joined.find(term)
        if k < 0:
            return None
        return self.texts[bisect.bisect_right(self.offsets, k) - 1]

    def count(self, term: str) -> tuple[int, set[int]]:
        total, docs = 0, set()
        k = self.joined.find(term)
        while k >= 0:
            total += 1
            docs.add(self.docs[bisect.bisect_right(self.offsets, k) - 1])
            k = self.joined.find(term, k + len(term))
        return total, docs


# --------------------------------------------------------------------------
# English renderings from aligned units
# --------------------------------------------------------------------------


_EN_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_EN_STOP = {
    "a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "by", "for", "with", "from", "as", "is", "are", "was", "were",
    "be", "been", "has", "have", "had", "it", "its", "this", "that", "these", "those", "their", "his", "her", "he", "she",
    "they", "we", "our", "will", "would", "should", "can", "could", "also", "which", "who", "not", "but", "all", "said",
}
#: function words allowed inside an English rendering (Law on the Prevention and Control of ...)
_EN_INNER = {"of", "and", "the", "on", "for", "with", "between", "in", "to", "by", "a", "an", "at"}
_MAX_EN_WORDS = 12


def aligned_renderings(terms: Sequence[str], pairs: Sequence[tuple[str, str]], *, lexicon: "Lexicon | None" = None) -> dict[str, Rendering]:
    """The English rendering of each term that the aligned *pairs* give evidence for.

    *pairs* are (Chinese segment, English segment) of aligned units.  For a
    term, every English n-gram (1 to 12 words, no function word at either
    edge) of the units whose Chinese contains the term is scored by

    * Dice over units: 2·|units with both| / (|units with the term| + |units with the n-gram|),
    * agreement with CC-CEDICT (*lexicon*; the packaged dictionary when
      None): how much of the n-gram the glosses of the term's words explain,
      and how many of the term's words the n-gram renders,

    and log-likelihood breaks ties.  A term gets a rendering only with real
    evidence: the dictionary agrees with the n-gram, or the n-gram
    co-occurs with the term in at least three units and almost nowhere else.
    Terms without evidence are left out; nothing is guessed.
    """
    if lexicon is None:
        from .align.lexicon import default_lexicon

        lexicon = default_lexicon()
    from .align.lexicon import lemma

    zh_side = [z for z, _ in pairs]
    en_words = [_EN_WORD.findall(e) for _, e in pairs]
    en_keys = [[w.lower().replace("’", "'") for w in ws] for ws in en_words]
    en_joined = [" " + " ".join(ks) + " " for ks in en_keys]
    index: dict[str, set[int]] = defaultdict(set)
    for u, ks in enumerate(en_keys):
        for k in ks:
            index[k].add(u)
    n_units = len(pairs)
    phrase_units: dict[tuple[str, ...], int] = {}

    def units_with(gram: tuple[str, ...]) -> int:
        if gram not in phrase_units:
            sets = sorted((index.get(k, set()) for k in gram), key=len)
            needle = " " + " ".join(gram) + " "
            phrase_units[gram] = sum(1 for u in sets[0] if all(u in s for s in sets[1:]) and needle in en_joined[u])
        return phrase_units[gram]

    out: dict[str, Rendering] = {}
    for term in dict.fromkeys(terms):
        if not term:
            continue
        units = [u for u, z in enumerate(zh_side) if term in z]
        if not units:
            continue
        words = [(w, _with_demonyms(gs)) for w, gs in _gloss_words(term, lexicon)]
        gloss_bag = {g for _, gs in words for g in gs} | set(_with_demonyms(lexicon.zh_tokens(term)))
        found: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for u in units:
            ks = en_keys[u]
            seen: set[tuple[str, ...]] = set()
            for i in range(len(ks)):
                if ks[i] in _EN_STOP:
                    continue
                for j in range(i, min(len(ks), i + _MAX_EN_WORDS)):
                    if ks[j] in _EN_STOP and ks[j] not in _EN_INNER:
                        break
                    if ks[j] in _EN_STOP:
                        continue
                    gram = tuple(ks[i:j + 1])
                    if gram not in seen:
                        seen.add(gram)
                        found[gram].append(u)
        best: tuple[tuple[float, float, int, str], tuple[str, ...], Rendering] | None = None
        for gram, with_both in found.items():
            both = len(with_both)
            c_e = units_with(gram)
            dice = 2.0 * both / (len(units) + c_e)
            content = [_en_parts(w, lemma) for w in gram if w not in _EN_STOP]
            flags = [all(p in gloss_bag or _number_in(p, gloss_bag) for p in parts) for parts in content]
            explained = sum(flags) / len(flags)
            lemmas = {p for parts in content for p in parts}
            rendered = (sum(1 for _, gs in words if set(gs) & lemmas) / len(words)) if words else 0.0
            # the dictionary vouches for the n-gram when it explains both ends and most of the term
            agrees = flags[0] and flags[-1] and explained >= 0.5 and rendered >= 0.5
            lexical = 0.7 * rendered + 0.3 * explained if agrees else 0.0
            if not agrees and not (both >= 3 and dice >= 0.6):
                continue
            score = 0.3 * dice + 0.7 * lexical
            key = (round(score, 9), round(_llr(both, len(units), c_e, n_units), 6), len(gram), " ".join(gram))
            if best is None or key > best[0]:
                best = (key, gram, _rendering(gram, with_both, score, pairs, en_words, en_keys))
        if best is None:
            continue
        # A head word that always follows the chosen n-gram, in two units or more and
        # nowhere else, belongs to the rendering (dual-track -> dual-track approach).
        gram, rendering = best[1], best[2]
        units_of = found[gram]
        if len(units_of) >= 2:
            heads = sorted(g for g, with_both in found.items() if len(g) == len(gram) + 1 and g[:-1] == gram and with_both == units_of)
            if heads and units_with(heads[0]) == units_with(gram):
                rendering = _rendering(heads[0], units_of, rendering.score, pairs, en_words, en_keys)
        out[term] = rendering
    return out


def _rendering(gram: tuple[str, ...], units: list[int], score: float, pairs: Sequence[tuple[str, str]], en_words: list[list[str]], en_keys: list[list[str]]) -> Rendering:
    u0 = units[0]
    return Rendering(target=_surface(en_words[u0], en_keys[u0], gram), score=round(score, 6), support=len(units), example_target=pairs[u0][1])


#: CC-CEDICT glosses 中国 as "China"; English texts say "Chinese" as often
_DEMONYMS = {"china": "chinese", "russia": "russian", "america": "american", "japan": "japanese", "korea": "korean",
             "europe": "european", "africa": "african", "asia": "asian", "india": "indian", "france": "french",
             "germany": "german", "britain": "british", "syria": "syrian", "iran": "iranian", "arab": "arabian"}


def _with_demonyms(glosses: Iterable[str]) -> tuple[str, ...]:
    out = list(glosses)
    out += [_DEMONYMS[g] for g in out if g in _DEMONYMS]
    return tuple(dict.fromkeys(out))


def _en_parts(word: str, lemma: Callable[[str], str]) -> tuple[str, ...]:
    """Lemmas of an English word; hyphenated words by their parts (high-quality, people-to-people)."""
    if word.isdigit():
        return ("#" + word,)
    parts = [p for p in re.split(r"[-'’]", word) if p and p not in _EN_STOP and p != "s"]
    return tuple(lemma(p) if not p.isdigit() else "#" + p for p in parts) or (lemma(word),)


def _gloss_words(term: str, lexicon: "Lexicon") -> list[tuple[str, tuple[str, ...]]]:
    """The term cut into dictionary words (longest first, left to right) with their English lemmas."""
    out = []
    i = 0
    glosses = lexicon.glosses
    while i < len(term):
        for k in range(min(8, len(term) - i), 0, -1):
            g = glosses.get(term[i:i + k])
            if g and (k > 1 or _HAN_RE.match(term[i])):
                out.append((term[i:i + k], g))
                i += k
                break
        else:
            i += 1
    return [w for w in out if not (len(w[0]) == 1 and w[0] in "的之与和及")]


def _number_in(word: str, bag: set[str]) -> bool:
    m = re.match(r"#?(\d+)(?:st|nd|rd|th)?$", word)
    return bool(m) and "#" + m.group(1) in bag


def _surface(words: list[str], keys: list[str], gram: tuple[str, ...]) -> str:
    n = len(gram)
    for i in range(len(keys) - n + 1):
        if tuple(keys[i:i + n]) == gram:
            return " ".join(words[i:i + n])
    return " ".join(gram)


def _llr(both: int, c_t: int, c_e: int, n: int) -> float:
    """Dunning's log-likelihood ratio of a 2x2 co-occurrence table over units."""
    k = [[both, c_t - both], [c_e - both, n - c_t - c_e + both]]
    total = sum(map(sum, k))
    rows = [sum(r) for r in k]
    cols = [k[0][0] + k[1][0], k[0][1] + k[1][1]]
    g = 0.0
    for a in range(2):
        for b in range(2):
            if k[a][b] > 0:
                g += k[a][b] * math.log(k[a][b] * total / (rows[a] * cols[b]))
    return 2 * g

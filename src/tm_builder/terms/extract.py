"""Candidate terms from Chinese documents: marked spans, forms and statistics, scored (see the package docstring)."""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from ..chars import HAN, HAN_CHAR
from ..units import Document, SegmentKind
from ..lexis import Lexis as _Lexis, jieba_lexis as _jieba, whole_word as _whole_word
from .words import (
    FRAMES as _FRAMES, FRAMING as _FRAMING, FUNCTION as _FUNCTION, FUNCTION_TAGS as _FUNCTION_TAGS,
    GENERIC_HEADS as _GENERIC_HEADS, INNER_FUNCTION as _INNER_FUNCTION, NAME_ENDS as _NAME_ENDS,
    NOT_OFFICES as _NOT_OFFICES, NOUN_TAGS as _NOUN_TAGS, OFFICES as _OFFICES, ORG_ENDS as _ORG_ENDS,
    PERSON_TAGS as _PERSON_TAGS, SALIENT_TAGS as _SALIENT_TAGS, SCOPES as _SCOPES, SURNAMES as _SURNAMES,
    TEMPORAL_CHARS as _TEMPORAL_CHARS, TRANSLIT as _TRANSLIT,
)

__all__ = ["Candidate", "extract_terms"]


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
    forms: tuple[str, ...] = ()  # other ways the text writes it (“金砖”峰会 for 金砖), folded into this entry


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
_MEDIA = re.compile(r"(?:日报|晚报|时报|周刊|杂志|新闻|联播|电视台|通讯社|网)$|^(?:求是|人民日报|光明日报|新闻联播|焦点访谈)$")

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
    #: the segmenter and dictionary that made the tokens
    lex: "_Lexis"


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


def _segments(documents: Sequence[Document], lex: _Lexis, advance: Callable[[int], None] = lambda n: None) -> list[_Seg]:
    segs = []
    for d_index, document in enumerate(documents):
        for segment in document.segments:
            advance(1)
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
            segs.append(_Seg(d_index, text, tokens, starts, classes, _person_flags(tokens, classes, lex), lex))
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
        if after and _HAN_RE.match(after) and nxt and (seg.lex.tags.get(nxt) in ("n", "vn", "nt") or nxt in _NAME_ENDS) and len(nxt) <= 3:
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
        tags = seg.lex.tags
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
    toks, classes, tags = seg.tokens, seg.classes, seg.lex.tags
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




def _names_and_offices(pool: _Pool, seg: _Seg) -> None:
    """Noun chunks ending in a name word (论坛, 倡议, 会议 ...) or an office word (外长, 副总理); concepts before a frame word (理念, 原则)."""
    lex = seg.lex
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
        variants = _variants(span, chunk, tags)
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


def _variants(span: str, tokens: list[str], tags: dict[str, str]) -> list[str]:
    """The chunk, and the chunk without leading places or scope words (全省, 国际, 县委, 乌兰县...)."""
    out = [span]
    rest = list(tokens)
    while (len(rest) >= 3 or len(rest) == 2 and len(rest[1]) >= 3) and (rest[0] in _SCOPES or tags.get(rest[0]) == "ns" or rest[0].endswith(("省", "市", "县", "区", "州", "镇", "乡", "村"))):
        rest = rest[1:]
        out.append("".join(rest))
    return [v for v in dict.fromkeys(out) if len(v) >= 2]


# --------------------------------------------------------------------------
# Statistics over the segmentation
# --------------------------------------------------------------------------

_MAX_N = 6
_MAX_CHARS = 16


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


_MIN_KEYNESS = 3.0


def _is_han_or_alnum(text: str) -> bool:
    return all(_HAN_RE.match(ch) or ch.isalnum() for ch in text)


def _set_phrases(pool: _Pool, segs: list[_Seg], lex: _Lexis) -> None:
    """Four-character phrases: dictionary idioms, and four characters standing alone between boundaries."""
    for seg, i in _content_starts(segs):
        toks, classes, n = seg.tokens, seg.classes, len(seg.tokens)
        tok = toks[i]
        if len(tok) == 4 and _is_han(tok):
            pool.add(tok, "set-phrase:" + ("idiom" if lex.tags.get(tok) in ("i", "l") else "word"), "formulation")
            continue
        # 2+2 (or 1+3, 3+1, 1+1+2 ...) tokens making four characters between boundaries
        end = next(((j, chars) for j, chars in _content_run(seg, i) if chars >= 4), None)
        if end is None or end[1] != 4 or end[0] == i:
            continue
        j = end[0]
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
    for seg, i in _content_starts(segs):
        toks, classes, n = seg.tokens, seg.classes, len(seg.tokens)
        if not (i == 0 or classes[i - 1] in (_P, _F, _V) or lex.tags.get(toks[i - 1]) == "v"):
            continue
        for j, chars in _content_run(seg, i):
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


def _content_starts(segs: list[_Seg]) -> Iterator[tuple[_Seg, int]]:
    """``(segment, i)`` for every content token that is not part of a person's name."""
    for seg in segs:
        for i, cls in enumerate(seg.classes):
            if cls == _C and not seg.person[i]:
                yield seg, i


def _content_run(seg: _Seg, i: int, max_tokens: int = 4) -> Iterator[tuple[int, int]]:
    """``(j, characters of tokens i..j)`` for each content token from *i* on, stopping at a boundary or a name."""
    chars = 0
    for j in range(i, min(len(seg.tokens), i + max_tokens)):
        if seg.classes[j] != _C or seg.person[j]:
            return
        chars += len(seg.tokens[j])
        yield j, chars


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
    if {s.split(":")[0] for s in signals} == {"quoted"} and frequency == 1 and len(source.strip("“”")) <= 3:
        f["one_off_quote"] = 1.0  # only ever seen once, in quotation marks, and short
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
        # among curated terms, a reviewer reads the formulations first: a phrase of everyday
        # words (国际社会, 基础设施) is approved all the same, but its row can wait
        return score - (2.0 * (f["rarest"] - 3.0) if f["rarest"] > 3.0 else 0.0)
    if "one_off_quote" in f:
        score -= 0.5  # a short word quoted once is a figure of speech (“绣针”, “底布”), rarely a term
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


def extract_terms(
    documents: Sequence[Document], *, curated: Collection[str] = (), limit: int | None = None, lexis: "_Lexis | None" = None,
    progress: Callable[[int], None] | None = None,
) -> list[Candidate]:
    """Candidate terms from *documents*, best first.

    *curated* are source terms of the curated glossary: every one that occurs
    becomes a candidate with signal ``"curated"`` and ranks above the rest.
    *limit* keeps only the best so many.  *lexis* is the word segmenter with
    its dictionary (jieba's by default; ``bench/terms_eval.py`` compares
    another).  *progress* is advanced by twice the number of segments in
    all (reading them, then scoring the candidates), for a bar on a
    terminal.  The same input always gives the same output in the same order.
    """
    lex = _remembering(lexis or _jieba())
    advance = progress or (lambda n: None)
    segs = _segments(documents, lex, advance)
    n_segments = sum(len(d.segments) for d in documents)
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
    # a curated term is found through quotation marks too: “一带一路”倡议 is 一带一路倡议
    unquoted = _Corpus(documents, segs, unquote=True, lex=lex)
    curated_here = set()
    for term in sorted({t.strip() for t in curated if t and t.strip()}):
        if unquoted.first(term) is not None:
            pool.add(term, "curated")
            curated_here.add(term)

    out: list[Candidate] = []
    sources = sorted(pool.signals)
    done = 0
    for i, source in enumerate(sources):
        step = (i + 1) * n_segments // len(sources) - done  # the second half of the bar, evenly over the candidates
        if step:
            advance(step)
            done += step
        candidate = _candidate(source, pool, unquoted if source in curated_here else corpus, statistics, documents, lex)
        if candidate is not None:
            out.append(candidate)
    advance(n_segments - done)
    out = _fold_forms(out, set(curated))
    out.sort(key=lambda c: (-c.score, -c.frequency, -len(c.source), c.source))
    return out[:limit] if limit is not None else out


def _candidate(
    source: str, pool: _Pool, where: "_Corpus", statistics: dict[str, tuple[float, float, float]],
    documents: Sequence[Document], lex: _Lexis,
) -> Candidate | None:
    """*source* scored on its evidence and its occurrences in *where*, or None when it is never a term or never occurs."""
    signals = pool.signals[source]  # fine-grained evidence, "set-phrase:idiom" ...
    public = {s.split(":")[0] for s in signals}
    if _reject(source, public, lex):
        return None
    first = where.first(source)
    if first is None:
        return None
    frequency, docs = where.count(source)
    features = _features(source, signals, frequency, len(docs), statistics.get(source), lex)
    return Candidate(
        source=source,
        score=round(_score(features, sorted(signals)), 6),
        frequency=frequency,
        documents=tuple(sorted({documents[d].name for d in docs})),
        example=first,
        signals=_public(signals),
        kind=_kind(source, public, pool.kinds.get(source, Counter())),
    )


def _remembering(lex: _Lexis) -> _Lexis:
    """*lex* with its segmenter run once per distinct text: archives repeat their lines, and candidates their words."""
    seen: dict[str, tuple[str, ...]] = {}
    cut = lex.cut

    def remembered(text: str) -> list[str]:
        tokens = seen.get(text)
        if tokens is None:
            tokens = seen[text] = tuple(cut(text))
        return list(tokens)

    return replace(lex, cut=remembered)


#: a quoted core followed by a short head: “金砖”峰会, “小而美”项目, “全球南方”合作
_QUOTED_HEAD = re.compile(r"^[“\"‘]([^”\"’]{2,20})[”\"’]([^“”\"‘’]{1,6})$")
#: heads that say what kind of thing the core is, not a new name (“两新”组织 is a name: kept)
_KIND_HEADS = {
    "峰会", "项目", "论坛", "倡议", "工作", "思路", "原则", "理念", "机制", "问题", "发展", "合作", "国家", "国际",
    "群体性", "日益", "基层", "行动", "行动计划", "建设", "战略", "精神", "要求", "模式", "经验", "品牌", "活动",
    "平台", "政策", "方针", "举措", "目标", "体系", "格局", "进程", "框架", "会议", "大会",
}


#: the Party's own prefix on a congress or plenum: 党的十九大, 中共十九届四中全会 are 十九大, 十九届四中全会
_PARTY_PREFIX = re.compile(rf"^(?:党的|中共|中国共产党)((?:{_NUM}+大|{_NUM}+届{_NUM}+中全会))$")
#: the full name of a congress: 中国共产党第十九次全国代表大会 is 十九大
_CONGRESS_FULL = re.compile(rf"^(?:中国共产党|党的|中共)第({_NUM}+)次全国代表大会$")


def _fold_keys(source: str, curated: set[str]) -> Iterator[str]:
    """Shorter spellings of the same term, most specific first (each strictly shorter, so folding ends)."""
    unquoted = _MARKS.sub("", source)
    if unquoted != source:
        yield unquoted  # “一带一路”倡议 -> 一带一路倡议
    m = _QUOTED_HEAD.match(source)
    if m and m.group(2) in _KIND_HEADS and unquoted not in curated:
        yield m.group(1)  # “金砖”峰会 -> 金砖
    m = _PARTY_PREFIX.match(unquoted)
    if m:
        yield m.group(1)
    m = _CONGRESS_FULL.match(unquoted)
    if m:
        yield m.group(1) + "大"


def _fold_forms(candidates: list[Candidate], curated: set[str]) -> list[Candidate]:
    """One entry per term: the forms a text writes it in fold into the shortest one that is itself a candidate.

    “金砖”峰会 (a quoted core and a head noun) folds into 金砖, “一带一路”倡议
    into a curated 一带一路倡议, 党的十九大 and 中国共产党第十九次全国代表大会
    into 十九大.  A curated row never folds away (it is a decision of its
    own).  The form's count is added unless the entry's own count already
    includes it (as a substring); the forms are listed for the reviewer.
    """
    by_source = {c.source: c for c in candidates}

    def home(c: Candidate) -> str | None:
        if c.source in curated:
            return None
        return next((k for k in _fold_keys(c.source, curated) if k in by_source), None)

    parent = {c.source: h for c in candidates if (h := home(c)) is not None}

    def root(source: str) -> str:
        while source in parent:
            source = parent[source]
        return source

    folded: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.source in parent:
            folded[root(c.source)].append(c)
    out = []
    for c in candidates:
        if c.source in parent:
            continue
        forms = folded.get(c.source)
        if forms:
            extra = sum(f.frequency for f in forms if c.source not in _MARKS.sub("", f.source))
            docs = tuple(sorted(set(c.documents).union(*(f.documents for f in forms))))
            c = replace(c, forms=tuple(sorted(f.source for f in forms)), frequency=c.frequency + extra, documents=docs)
        out.append(c)
    return out


#: quotation and title marks, which the same term may be written with or without
_MARKS = re.compile(r"[“”‘’\"《》]")


class _Corpus:
    """Exact substring occurrences of a candidate in the segments of every document.

    *unquote*: quotation and title marks are removed first.  *lex*: an
    occurrence counts only where it is a whole word (see :func:`_whole_word`),
    which is what a curated term needs: 党组 is not in 党组织, 外交部 not in
    外交部门.
    """

    def __init__(self, documents: Sequence[Document], segs: list[_Seg], unquote: bool = False, lex: _Lexis | None = None) -> None:
        self.texts = [_MARKS.sub("", s.text) if unquote else s.text for s in segs]
        self.shown = [s.text for s in segs]
        self.docs = [s.doc for s in segs]
        self.joined = "\n".join(self.texts)
        self.lex = lex
        self.offsets = []
        pos = 0
        for t in self.texts:
            self.offsets.append(pos)
            pos += len(t) + 1
        # which segments hold each pair of characters: a term is looked for only where its rarest pair is,
        # so the lookups grow with the text, not with the text times the number of candidates
        self.pairs: dict[str, list[int]] = defaultdict(list)
        for k, t in enumerate(self.texts):
            for pair in {t[i:i + 2] for i in range(len(t) - 1)}:
                self.pairs[pair].append(k)

    def _hits(self, term: str) -> Iterator[int]:
        if len(term) < 2:
            return
        rarest = min((term[i:i + 2] for i in range(len(term) - 1)), key=lambda p: len(self.pairs.get(p, ())))
        for k in self.pairs.get(rarest, ()):
            text, base = self.texts[k], self.offsets[k]
            at = text.find(term)
            while at >= 0:
                if self.lex is None or _whole_word(self.joined, base + at, base + at + len(term), self.lex):
                    yield base + at
                at = text.find(term, at + 1)

    def first(self, term: str) -> str | None:
        k = next(self._hits(term), -1)
        if k < 0:
            return None
        return self.shown[bisect.bisect_right(self.offsets, k) - 1]

    def count(self, term: str) -> tuple[int, set[int]]:
        total, docs, end = 0, set(), -1
        for k in self._hits(term):
            if k < end:
                continue  # overlapping occurrences count once
            total += 1
            end = k + len(term)
            docs.add(self.docs[bisect.bisect_right(self.offsets, k) - 1])
        return total, docs

"""Segmentation: raw Chinese or English text to paragraphs and sentences.

Input is what newsrooms actually hand over: People's Daily pages with
paragraphs broken mid-sentence (even mid-word) by the page layout, Markdown
headings and bold speaker labels, half-width punctuation inside Chinese, and
continuation markers such as ``(上接第三版)``.  The segmenter

1. splits the text into raw paragraphs (one per non-blank line, except that
   a hard-wrapped document, whose blank-line blocks are filled to a common
   width, has its wrapped lines joined inside each block),
2. repairs the layout: a paragraph that does not end a sentence is continued
   by the next one (no space in Chinese), unless it is a title: in Chinese an
   unmarked title line stops without a full stop too, so a line that shows
   no sign of a clause going on and is short for the document (or opens it)
   stays apart and becomes a heading,
3. marks speaker labels, headings and bylines as segments of their own, and
4. splits the rest into sentences.

Every segment carries its offsets in the repaired paragraph, and
``"".join(s.text + s.space_after for s in p.segments) == p.text`` always holds.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from .chars import HAN, HAN_CHAR
from .errors import InputError
from .textio import read_text
from .units import Document, Paragraph, Segment, SegmentKind
from .vocab import LANGS

Lang = Literal["zh", "en"]

__all__ = [
    "detect_lang",
    "segment_file",
    "segment_text",
    "split_sentences",
]

# --------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------

_HAN = HAN_CHAR
_LATIN = re.compile(r"[A-Za-z]")

#: sentence-final punctuation in Chinese text (half-width forms are used in the wild)
_ZH_FINAL = set("。！？!?")
_ELLIPSIS = set("…⋯")
#: closing marks that stay with the sentence they close
_CLOSERS = set("”’」』）)》〉】]\"'")
#: punctuation after which a sentence goes on (so a quote closed before it is embedded)
_CONTINUATION = set("，,、；;：:")
#: bracket pairs; inside these a split needs the whole bracket to end the sentence
_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〈": "〉"}
#: inside title marks a split never happens
_TITLE_OPEN, _TITLE_CLOSE = "《", "》"

#: "(上接第三版)", "（下转第二版）", "(紧接第1版)": page-layout notes, not content
_CONT_MARKER = re.compile(
    r"[（(]\s*(?:上接|下转|接|转|续|紧接|转至|接上|转下)\s*第?\s*[0-9０-９一二三四五六七八九十百]+\s*版\s*[)）]"
)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BOLD_LABEL = re.compile(r"^(?:\*\*|__)([^*_\n]{1,40}?)(?:([:：])(?:\*\*|__)|(?:\*\*|__)([:：]))")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![A-Za-z0-9*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![A-Za-z0-9*])")

#: role words that end a plain (unbolded) Chinese speaker label
_ZH_ROLES = (
    "记者", "发言人", "主持人", "代表", "委员", "主席", "总理", "部长", "外长", "大使",
    "总统", "首相", "秘书长", "书记", "省长", "市长", "县长", "局长", "院长", "主任",
    "教授", "专家", "嘉宾", "网友",
)
#: whole labels that are speakers by themselves (press-conference Q&A)
_ZH_EXACT_LABELS = {"问", "答", "提问", "回答", "主持人", "记者"}
#: a label that is reported speech, not a speaker ("他说：", "有人问：")
_ZH_SPEECH = re.compile(r"^(?:他|她|我|你|它|有人|大家|对方|外界)|(?:说|问|道|表示|指出|强调|认为|称|介绍|透露|坦言|回应|答道|问道|反问|追问)$")
_EN_LABEL_WORD = re.compile(r"^(?:[A-Z][\w.'’\-]*|[0-9]+|of|the|and|for|de|van|von|al|bin|reporter|correspondent|spokesperson|spokesman|spokeswoman|minister|president|host|anchor|chairman|ambassador)$")
_EN_PREPOSITIONS = {
    "in", "on", "at", "for", "by", "from", "to", "as", "with", "after", "before", "during", "since", "under",
    "over", "between", "among", "about", "through", "until", "if", "when", "while", "because", "but", "and", "so",
}
_EN_NOT_LABELS = {
    "note", "notes", "source", "sources", "photo", "editor", "editors", "update", "example", "warning",
    "tags", "date", "time", "subject", "re", "attn", "fig", "figure", "table", "see", "also", "caption",
    "credit", "keywords", "abstract", "summary", "background", "contact", "email", "tel", "fax", "http", "https",
}


def detect_lang(text: str) -> Lang:
    """Guess whether *text* is Chinese or English by counting scripts.

    A Chinese document may quote English names and acronyms, an English one
    a few characters; three Latin letters weigh as one Han character.
    """
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if han * 3 >= latin and han > 0 else "en"


# --------------------------------------------------------------------------
# Raw paragraphs and layout repair
# --------------------------------------------------------------------------


@dataclass
class _Raw:
    """A paragraph on its way through layout repair."""

    text: str  # emphasis removed; speaker label included
    line: int
    heading: bool = False
    label_end: int = 0  # length of the speaker label at the start, 0 if none
    pieces: int = 1
    standalone: bool = False  # a subheading, table row or caption: never joined to anything
    wrapped: bool = False  # a hard-wrapped document's line that goes on from the line above
    repaired: bool = False  # a layout break in it has been mended: it is running prose
    broken: bool = False  # a page-continuation note was cut from its end: the text goes on
    resumed: bool = False  # it follows a page-continuation note on a line of its own


#: invisible characters that only get in a translator's way (zero-width joiner is kept: emoji need it)
_INVISIBLE = set("\ufeff\ufffe\uffff\u200b\u2060\u00ad")


#: control characters (Unicode category Cc, but tab and newline), lone surrogates (Cs) and the invisible ones
_JUNK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_INVISIBLE)) + "]")


def _clean_controls(text: str) -> str:
    # Form feeds and vertical tabs separate pages/lines; other controls are junk.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _JUNK.sub("", text)


_MD_RULE = re.compile(r"^(?:[-*_][ \t]*){3,}$")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:https?://|/|\.|#)[^)\s]*\)")
_MD_QUOTE = re.compile(r"^(?:>[ \t]?)+")


def _strip_markdown_line(line: str) -> str:
    """Drop Markdown that is layout, not text: rules, images, quote marks; keep link text."""
    if _MD_RULE.match(line):
        return ""
    line = _MD_QUOTE.sub("", line)
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    if not line.strip(" \t#*_\u3000"):
        return ""  # a stray "#" or "**"
    return line


def _strip_emphasis(text: str) -> str:
    """Remove Markdown ``**bold**``, ``__bold__`` and ``*italic*`` markers, keeping their text."""
    previous = None
    while previous != text:  # nested emphasis such as ***x***
        previous = text
        text = _EMPHASIS.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(3), text)
    return text


def _zh_plain_label(text: str) -> int:
    """Length of an unbolded Chinese speaker label ("凤凰卫视记者:") at the start, or 0."""
    m = re.match(r"^([^\s:：，,。！？!?“”\"；;、（）()\[\]【】]{1,20})([:：])", text)
    if not m:
        return 0
    label = m.group(1)
    if label in _ZH_EXACT_LABELS or (label.endswith(_ZH_ROLES) and not _ZH_SPEECH.search(label)):
        return m.end()
    return 0


def _en_label(text: str) -> int:
    """Length of an English speaker label ("Wang Yi:", "Phoenix TV reporter:") at the start, or 0."""
    m = re.match(r"^([^\s:][^:\n]{0,60}?):(?:[ \t]+(?=\S)|[ \t]*$)", text)
    if not m:
        return 0
    words = m.group(1).split()
    # "Note:", "Editor's note:", "Source:" introduce text, not a speaker; nor does "In 2023:".
    first = re.sub(r"['’]s$", "", words[0].lower()) if words else ""
    if not 1 <= len(words) <= 7 or first in _EN_NOT_LABELS or first in _EN_PREPOSITIONS:
        return 0
    if any(w.isdigit() for w in words):
        return 0
    if not all(_EN_LABEL_WORD.match(w) for w in words) or not words[0][0].isupper():
        return 0
    if re.search(r"\d", m.group(1)) and len(words) == 1:  # "10:30" style times are not labels
        return 0
    return m.end(1) + 1  # label and its colon, not the space


def _label_length(text: str, lang: Lang, repeated: Counter[str]) -> tuple[str, int]:
    """Find a speaker label at the start of a paragraph.

    Returns the paragraph text with emphasis removed and the length of the
    label in it (0 if none).  A bolded label is always a label; a plain one
    needs a role word ("记者:"), or, for a short name like "王毅:", to open
    at least two paragraphs of the document.
    """
    bold = _BOLD_LABEL.match(text)
    if bold and not any(ch in bold.group(1) for ch in "。！？!?"):
        label = bold.group(1).strip() + (bold.group(2) or bold.group(3))
        rest = _strip_emphasis(text[bold.end():])
        return label + rest, len(label)
    plain = _strip_emphasis(text)
    if lang == "zh":
        n = _zh_plain_label(plain)
        if not n:
            m = re.match(rf"^([{HAN}·]{{2,6}})([:：])", plain)
            if m and repeated[m.group(1)] >= 2 and not _ZH_SPEECH.search(m.group(1)):
                n = m.end()
        return plain, n
    return plain, _en_label(plain)


def _byline_start(text: str, label_end: int) -> int:
    """Offset where a closing byline such as "(城东组)" starts, or ``len(text)`` if none.

    A byline is a short bracketed name closing the paragraph after a finished
    sentence, or forming the whole paragraph.
    """
    m = re.search(r"[（(][^（）()\n。！？!?，,；;]{1,30}[)）]$", text)
    if not m or m.start() < label_end:
        return len(text)
    before = text[label_end:m.start()].rstrip()
    if not before or _ends_sentence(before, "zh") or _ends_sentence(before, "en"):
        inner = m.group(0)[1:-1].strip()
        if inner and not re.fullmatch(r"[\d\s.,:：/-]+", inner):  # "(1)", "(2024)" are not bylines
            return m.start()
    return len(text)


def _ends_sentence(text: str, lang: Lang) -> bool:
    """Does *text* end with sentence-final punctuation (or a list colon)?"""
    stripped = text.rstrip()
    while stripped and stripped[-1] in _CLOSERS:
        stripped = stripped[:-1]
    if not stripped:
        return False
    last = stripped[-1]
    if last in _ZH_FINAL or last in _ELLIPSIS or last in ":：":
        return True
    if last == ".":
        return lang == "en" or not stripped[:-1] or not stripped[-2].isdigit()
    return False


def _is_complete(raw: _Raw, lang: Lang) -> bool:
    """A paragraph is complete if it ends a sentence, a byline or is a heading."""
    if raw.heading:
        return True
    text = raw.text
    start = _byline_start(text, raw.label_end)
    if start < len(text):
        return True
    if raw.label_end and raw.label_end >= len(text.rstrip()):
        return True  # a speaker label alone on its line
    return _ends_sentence(text, lang)


def _joiner(left: str, right: str, lang: Lang) -> str:
    """What goes between two pieces of a broken paragraph."""
    if lang == "zh":
        if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
            return " "  # "APP" | "function" inside Chinese keeps its word space
        return ""
    if left.endswith("\u00ad") or (left.endswith("-") and not left.rstrip("-").endswith(" ")):
        return ""  # "well-" | "known"; but "cities -" | "including" is a spaced dash
    return " "


_BOLD_LINE = re.compile(r"^(?:\*\*|__)[^*_]+(?:\*\*|__)$")
#: list markers that open a new item: 一、 （一） (1) 1. 1、 ① A.
_LIST_START = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,3}[.、．](?!\d)|[①-⑳]|[A-Za-z][.、](?=\s|[" + HAN + "]))")
#: a bullet that opens a list item ("- ", "• ")
_BULLET = re.compile(r"^[-*+•·▪][ \t]")
#: punctuation that shows a line is running prose, not a title, caption or byline
_PROSE_MARKS = re.compile(r"[，,。；;：:、“”!?！？]")
#: a kicker under a Chinese title: "——记全国劳动模范张三"
_KICKER = re.compile(r"^(?:——|—|--)")
_ZH_NUMBER = "0-9０-９一二三四五六七八九十"
#: a reporter line ("本报记者 张三、李四") or a dateline on a line of its own ("新华社北京3月7日电（记者 张三）")
_REPORTER = re.compile(rf"^[{HAN}]{{0,12}}(?:记者|通讯员|特约撰稿人)(?:[ \u3000、，,]+[{HAN}·]{{2,5}})+$")
_DATELINE = re.compile(
    rf"^[^，,。；;：:]{{0,16}}?[{_ZH_NUMBER}]{{1,2}}月[{_ZH_NUMBER}]{{1,3}}日(?:电|讯)(?:[ \u3000]*[（(][^（）()]{{1,30}}[)）])?$"
)
#: a space between two Chinese words: titles ("“枫桥经验” 推进基层治理") have them, running prose does not
_ZH_SPACED = re.compile(rf"[{HAN}”’》）][ \u3000]+[{HAN}“‘《（]")
#: a Chinese line that ends with one of these stops mid-clause
_ZH_OPEN_END = set("，,、；;“‘（(《「『【〈")
_ZH_BRACKETS = (("“", "”"), ("《", "》"), ("（", "）"), ("(", ")"), ("「", "」"))
#: how a news paragraph opens, never a title: a time or source before a comma
#: ("近年来，", "3月5日，", "在访问期间，", "据悉，") or a connective ("但", "因此", "随后")
_ZH_LEDE = re.compile(
    rf"^(?:(?:近日|日前|目前|当前|此前|近期|据[{HAN}]{{0,10}}|[^，,。]{{0,16}}(?:年|月份?|日|号|以来|年来|期间|之际|时候?|前|后|中))[，,]"
    r"|但|而|如果|因为|虽然|尽管|由于|随后|然后|于是|并且|而且|因此|所以|不过|可是|此外|另外|其中|对此|否则|同时"
    r"|首先|其次|[一二三四五六七八九十]是)"
)
#: prose, never a title: a reporting verb before a comma ("调查显示，"), a last clause of one or two
#: characters ("起诉文件说，弗" is broken mid-word), or a line ending in a particle ("……的")
_ZH_PROSE_CLAUSE = re.compile(
    r"(?:说|表示|指出|认为|显示|强调|称|介绍|透露|看来|裁定|否认|宣布|报道)[，,]|[，,：:][^，,：:]{1,2}$|、[^、，,]$|[的和或]$"
)
#: a title of the form "西宁市城东区：有效解决群众合理合法诉求" (a name, a colon, a phrase)
_ZH_COLON_TITLE = re.compile(r"^([^，,。：:“”]{2,12})[：:][^，,。；;：:]{4,}$")
#: a title with commas has short balanced parts without numbers: "牢记嘱托，奋力谱写新篇章"
_ZH_COMMA_TITLE = re.compile(r"^[^，,\d０-９]{4,16}(?:[，,][^，,\d０-９]{4,16})*$")
#: what cannot open a paragraph: punctuation, a lowercase word, a one- or two-character sentence ("图。")
_ZH_TAIL = re.compile(r"^(?:[，,、；;。：:！？!?）)”’》」』]|[a-z]|[^。！？!?\s]{1,2}[。！？!?])")

Decision = Literal["join", "apart", "title"]


def _zh_byline_line(text: str) -> bool:
    """Is *text* a reporter line or a dateline standing on its own line?"""
    return bool(_REPORTER.match(text) or _DATELINE.match(text))


@dataclass(frozen=True)
class _Layout:
    """What a Chinese document's lines look like, to tell its titles from its broken lines."""

    typical: int  # the length of a body line: the upper quartile (many lines are pieces of paragraphs)
    lines: int  # how many there are
    width: int  # the common length of the lines it surely breaks mid-clause; 0 if they vary


def _layout(raws: list[_Raw]) -> _Layout:
    """Measure the document: its typical line length and the width its breaks fall at.

    A page layout breaks lines anywhere (the seed's broken lines run from 17
    to 157 characters), a hard wrap at one width.  Only when the lines that
    stop without ending a sentence (broken lines, and the odd title) share a
    width, two in three within 10%, does a line of that width look wrapped
    rather than like a title.
    """
    body = sorted(len(r.text) for r in raws if not r.heading)
    broken = sorted(
        len(a.text) for a, b in pairwise(raws)
        if not (a.heading or a.standalone or b.heading or b.standalone or _is_complete(a, "zh"))
    )
    width = 0
    if len(broken) >= 3:
        mid = broken[len(broken) // 2]
        if 3 * sum(abs(w - mid) <= 0.1 * mid for w in broken) >= 2 * len(broken):
            width = mid
    return _Layout(body[3 * len(body) // 4] if body else 0, len(body), width)


def _clause_goes_on(prev: _Raw, nxt: _Raw) -> bool:
    """Does the Chinese line *prev* show that its sentence goes on into *nxt*?

    Each sign is one a title, kicker or dateline never shows: a speaker label
    (a question or an answer), an earlier repair, a page-continuation note
    cut from its end, a comma or an opening mark at its end, a full stop or
    two commas inside it, a news lede's opening ("近年来，", "但"), a
    quotation or bracket left open, or a line (*prev* itself or *nxt*) that
    opens with what no paragraph opens with (punctuation, a lowercase word,
    a one-character sentence like "图。").
    """
    body = prev.text[prev.label_end:].rstrip()
    if prev.label_end or prev.repaired or prev.broken or not body:
        return True
    if body[-1] in _ZH_OPEN_END or re.search("[。！？]", body) or len(re.findall(r"[，,；;]", body)) >= 2:
        return True
    if _ZH_LEDE.match(body) or any(body.count(o) > body.count(c) for o, c in _ZH_BRACKETS):
        return True
    return bool(_ZH_TAIL.match(body) or _ZH_TAIL.match(nxt.text))


def _zh_title(prev: _Raw, nxt: _Raw, layout: _Layout, at_start: bool) -> bool:
    """Is *prev*, a Chinese line that ends no sentence and shows no clause going on, a title?

    A kicker ("——记……", unless the next line is another dash item: a list)
    or a line with a space between words is one.  Other lines of up to 40
    characters that read like no clause of prose (see _ZH_PROSE_CLAUSE) are
    one at the start of the document.  Further down, where a short first
    piece of a broken paragraph is common, only a name, a colon and a
    phrase ("平安区：三项举措……", not "他强调：……") is one, or a line much
    shorter than the document's body lines (a quarter of the upper quartile
    of their lengths) with no punctuation but quotes and title marks.  A
    line as long as the width the document's lines are broken at is a
    wrapped line, never a title.  (Thresholds measured on WMT news
    paragraphs broken at random points: against the old rule, at most 1%
    more breaks stay unmended in the body and 5% more in a first line.)
    """
    body = prev.text.strip()
    if re.fullmatch(r"(?:[（(][^（）()]*[)）]\s*)+", body):
        return False  # "（马卡洛夫）（编译/冯雪）": notes and credits
    if _KICKER.match(body):
        return len(body) <= 60 and not _KICKER.match(nxt.text)
    if (layout.width and len(body) >= 0.9 * layout.width) or _ZH_PROSE_CLAUSE.search(body):
        return False
    if _ZH_SPACED.search(body):
        return len(body) <= 60
    if len(body) > 40:
        return False
    if at_start:
        return not re.search(r"[，,]", body) or bool(_ZH_COMMA_TITLE.match(body))
    colon = _ZH_COLON_TITLE.match(body)
    if colon and not _ZH_SPEECH.search(colon.group(1)):
        return True
    short = layout.lines >= 4 and len(body) <= 0.25 * layout.typical
    return short and not re.search(r"[，,、；;:：。!?！？]", body)


def _continues(prev: _Raw, nxt: _Raw, lang: Lang, layout: _Layout, at_start: bool) -> Decision:
    """Should *nxt* be appended to *prev* (a layout break, not a real paragraph end)?

    Only running prose is continued: a short line with no punctuation
    (a subtitle, "本报记者 李四"), a bold-only subheading, a table row, or a
    line before a list item ("一、", "（二）", "1.") stands on its own.  A
    Chinese line that shows no sign of its clause going on and looks like a
    title (see _zh_title) is ``"title"``: it stands apart as a heading.
    """
    if nxt.heading or nxt.label_end or prev.standalone or _is_complete(prev, lang) or _LIST_START.match(nxt.text):
        return "apart"
    if lang == "zh":
        before_byline = not nxt.standalone or _zh_byline_line(nxt.text)
        if before_byline and not _clause_goes_on(prev, nxt) and _zh_title(prev, nxt, layout, at_start):
            return "title"  # a title may stand over a dateline or reporter line
        body = prev.text[prev.label_end:]
        full_width = bool(layout.width) and len(prev.text) >= 0.9 * layout.width  # as long as the lines broken
        prose = bool(_PROSE_MARKS.search(body)) or len(body) >= 20 or full_width
        return "join" if prose and not nxt.standalone else "apart"
    if nxt.standalone:
        return "apart"
    # English headlines rarely end in a full stop, so only join what clearly goes on.
    first = nxt.text[:1]
    goes_on = first.islower() or prev.text.rstrip().endswith((",", "-", "\u00ad", ";", "(", "\u2013", "\u2014"))
    return "join" if goes_on else "apart"


@dataclass
class _Line:
    """A non-empty line of the input, cleaned of Markdown layout and continuation notes."""

    number: int
    text: str
    typed: str  # the line as typed (markup included): what a hard wrap measured
    block: int  # blank lines separate blocks
    heading: bool = False
    broken: bool = False  # a continuation note ("(下转第二版)") was cut from its end
    resumed: bool = False  # a continuation note stood alone before it: the text comes from another page


_MARKER_AT_END = re.compile(_CONT_MARKER.pattern + r"[ \t\u3000]*$")


def _input_lines(text: str) -> tuple[list[_Line], list[str]]:
    """The non-empty lines of *text*, with the continuation markers they drop."""
    dropped: list[str] = []
    out: list[_Line] = []
    block = 0
    resumed = False
    for lineno, line in enumerate(_clean_controls(text).split("\n"), start=1):
        typed = line.strip(" \t\u3000\u00a0")
        line = _strip_markdown_line(typed).strip(" \t\u3000\u00a0")
        if not line:
            block += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            title = _strip_emphasis(heading.group(2).strip())
            if title:
                out.append(_Line(lineno, title, typed, block, heading=True))
            continue
        markers = _CONT_MARKER.findall(line)
        dropped.extend(markers)
        cut = _CONT_MARKER.sub("", line).strip(" \t\u3000\u00a0")
        if cut:
            out.append(_Line(lineno, cut, typed, block, broken=bool(_MARKER_AT_END.search(line)), resumed=resumed))
        resumed = bool(markers) and not cut
    return out, dropped


def _slack(width: int) -> int:
    return max(1, width // 8)


def _fills(line: _Line, nxt: _Line, width: int, lang: Lang) -> bool:
    """Was *line* full, so that the wrap ended it: would the first word of *nxt* not have fitted after it?"""
    if lang == "zh":
        ascii_word = re.match(r"[!-~]+", nxt.typed)
        word = len(ascii_word.group()) if ascii_word else 1
        gap = 1 if ascii_word and line.typed[-1:].isascii() else 0
    else:
        word, gap = len(nxt.typed.split()[0]), 1
    return len(line.typed) + gap + word > width - _slack(width)


def _wrap_width(lines: list[_Line], lang: Lang) -> int:
    """The width a hard-wrapped document was filled to, or 0 if it is not hard-wrapped.

    Hard-wrapped means: blank lines separate its paragraphs (two blocks at
    least), three lines or more stop mid-sentence with a line of their block
    after them that is no list item, nine in ten of those are full (see
    _fills) at a width a person wraps text at (30 to 120 columns, 12 to 60
    Chinese characters), and hardly any line runs past the width.  A
    document with one paragraph per line, blank lines between or not, has
    no lines like that, so it segments as it always has; a document whose
    blocks hold whole sentences, one to a line, has hardly any.
    """
    inner = [
        (a, b) for a, b in pairwise(lines)
        if a.block == b.block and not a.heading and not _ends_sentence(a.text, lang) and not _is_item(b)
    ]
    if len(inner) < 3 or lines[0].block == lines[-1].block:
        return 0
    widths = sorted(len(a.typed) for a, _ in inner)
    width = max(w for w in widths if w <= 1.3 * widths[len(widths) // 2])
    if not (12 <= width <= 60 if lang == "zh" else 30 <= width <= 120):
        return 0
    full = sum(_fills(a, b, width, lang) for a, b in inner)
    too_long = sum(len(line.typed) > width + _slack(width) for line in lines)
    return width if full >= 0.9 * len(inner) and too_long <= 0.05 * len(lines) else 0


def _goes_on(line: _Line, nxt: _Line, width: int, lang: Lang, opener: _Line) -> bool:
    """In a hard-wrapped document, is *nxt* the wrapped rest of *line*'s paragraph?

    It is when both lie in one block and *line* is full, whatever letter *nxt*
    starts with ("President Xi / Jinping"), unless *nxt* is a heading, a
    bold-only line, a table row or a list item.  A list marker opens an item
    only after a finished sentence or in a list (the paragraph's first line,
    *opener*, is an item too): "possibly under / 18." and "relationships /
    - but" are wrapped prose.  (Speaker labels: see _raw_paragraphs.)
    """
    if not width or line.block != nxt.block or nxt.heading or not _fills(line, nxt, width, lang):
        return False
    if _BOLD_LINE.match(nxt.text) or "\t" in nxt.text:
        return False
    return not (_is_item(nxt) and (_is_item(opener) or _ends_sentence(line.text, lang)))


def _is_item(line: _Line) -> bool:
    """Does *line* open with a list marker or a bullet?"""
    return bool(_LIST_START.match(line.text) or _BULLET.match(line.text))


def _raw_paragraphs(text: str, lang: Lang) -> tuple[list[_Raw], list[str]]:
    """Split *text* into raw paragraphs, dropping continuation markers.

    In a hard-wrapped document a line that goes on from the line above is
    marked ``wrapped``; a speaker label at its start counts only if it is in
    bold or the line above ended a sentence ("... the position of / China:
    it ..." is a wrap, not a speaker).
    """
    lines, dropped = _input_lines(text)
    width = _wrap_width(lines, lang)

    # Short names that open two or more paragraphs ("王毅:") are speaker labels.
    repeated: Counter[str] = Counter()
    if lang == "zh":
        for line in lines:
            m = re.match(rf"^(?:\*\*)?([{HAN}·]{{2,6}})(?:\*\*)?[:：]", line.text)
            if m and not line.heading:
                repeated[m.group(1)] += 1

    raws: list[_Raw] = []
    opener: _Line | None = None  # the first line of the paragraph being read
    for k, line in enumerate(lines):
        wrapped = opener is not None and _goes_on(lines[k - 1], line, width, lang, opener)
        if not wrapped:
            opener = line
        if line.heading:
            raws.append(_Raw(line.text, line.number, heading=True))
            continue
        body, label_end = _label_length(line.text, lang, repeated)
        body = body.strip(" \t\u3000\u00a0")
        if not body:
            continue
        if wrapped and label_end:
            if line.text.startswith(("**", "__")) or _ends_sentence(lines[k - 1].text, lang):
                wrapped, opener = False, line
            else:
                label_end = 0
        standalone = bool(_BOLD_LINE.match(line.text)) or "\t" in body
        if lang == "zh" and not label_end and _zh_byline_line(body):
            standalone = True
        raws.append(_Raw(body, line.number, label_end=label_end, standalone=standalone, wrapped=wrapped,
                         broken=line.broken, resumed=line.resumed))
    return raws, dropped


def _join(prev: _Raw, raw: _Raw, lang: Lang) -> None:
    prev.text = prev.text.rstrip() + _joiner(prev.text.rstrip(), raw.text, lang) + raw.text
    prev.pieces += 1


def _unwrap(raws: list[_Raw], lang: Lang) -> list[_Raw]:
    """Join the lines of a hard-wrapped document back into its paragraphs (see _goes_on)."""
    out: list[_Raw] = []
    for raw in raws:
        if out and raw.wrapped and not (out[-1].standalone or raw.standalone):
            _join(out[-1], raw, lang)
        else:
            out.append(raw)
    return out


def _repair(raws: list[_Raw], lang: Lang) -> list[_Raw]:
    """Join paragraphs broken by a hard wrap or the page layout, and mark the titles found.

    Hard-wrapped lines are joined first, so that the layout statistics see
    paragraphs, not lines.  A title is told apart partly by its place: at
    the start of the document, before any body text, Markdown heading
    (whose writer would have marked the title too) or "(上接第三版)" (the
    text goes on from another page), a line needs no shortness to be a title.
    """
    raws = _unwrap(raws, lang)
    layout = _layout(raws) if lang == "zh" else _Layout(0, 0, 0)
    out: list[_Raw] = []
    at_start = True
    for raw in raws:
        if not out:
            out.append(raw)
            continue
        prev = out[-1]
        start = at_start and not prev.resumed
        decision = _continues(prev, raw, lang, layout, start)
        if decision == "join":
            _join(prev, raw, lang)
            prev.repaired = True
            continue
        prev.heading = prev.heading or decision == "title"
        at_start = start and (decision == "title" or prev.standalone)
        out.append(raw)
    return out


# --------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------


def _closing_positions(text: str, straight_quotes: bool) -> dict[int, int]:
    """For every opening bracket or quote of *text* that closes, where it closes."""
    closing: dict[int, int] = {}
    stack: list[tuple[str, int]] = []
    in_straight = -1
    for i, ch in enumerate(text):
        if ch == '"' and straight_quotes:
            if in_straight < 0:
                in_straight = i
            else:
                closing[in_straight] = i
                in_straight = -1
        elif ch in _PAIRS or ch == _TITLE_OPEN:
            stack.append((ch, i))
        elif stack and (ch == _PAIRS.get(stack[-1][0]) or (ch == _TITLE_CLOSE and stack[-1][0] == _TITLE_OPEN)):
            closing[stack.pop()[1]] = i
    return closing


def _ends_sentence_at_close(text: str, open_pos: int, close_pos: int) -> bool:
    """Does the quotation or bracket from *open_pos* to *close_pos* end its sentence (a final mark inside, no continuation after)?"""
    n = len(text)
    inner = text[open_pos + 1:close_pos].rstrip()
    while inner and inner[-1] in _CLOSERS:
        inner = inner[:-1]
    if not inner or not (inner[-1] in _ZH_FINAL or inner[-1] in _ELLIPSIS or inner[-1] == "."):
        return False
    j = close_pos + 1
    while j < n and (text[j] in _CLOSERS or text[j] == " "):
        j += 1
    return j >= n or text[j] not in _CONTINUATION


def _zh_final_at(text: str, i: int) -> bool:
    """Is ``text[i]`` a mark that can end a Chinese sentence (。！？, an ellipsis, a full stop between hanzi)?"""
    n, ch = len(text), text[i]
    final = ch in _ZH_FINAL or (ch in _ELLIPSIS and i + 1 < n and text[i + 1] in _ELLIPSIS) or (
        # a half-width full stop ends a Chinese sentence: "我们来了.你们呢", "上涨了3.5%.下一步"
        ch == "." and i > 0 and (_HAN.match(text[i - 1]) is not None or text[i - 1] in "%％”’）)")
        and (i + 1 >= n or _HAN.match(text[i + 1]) is not None or text[i + 1] in " “‘（(")
    )
    if ch in "!?" and 0 < i < n - 1 and text[i - 1].isascii() and text[i - 1].isalnum() and text[i + 1].isascii() and text[i + 1].isalnum():
        final = False  # "a?b=1" in a URL
    return final


def _zh_boundaries(text: str) -> list[int]:
    """Offsets after which a Chinese sentence ends.

    Splits after 。！？!? and ellipses with any closing quotes or brackets;
    never inside 《》; inside a quotation or bracket only if it ends the
    sentence (its last mark before the closer is final and no continuation
    punctuation follows it), so “小院高墙”,将会… stays one sentence.
    """
    n = len(text)
    straight_quotes = text.count('"') % 2 == 0
    closing = _closing_positions(text, straight_quotes)

    boundaries: list[int] = []
    open_stack: list[tuple[str, int]] = []  # brackets open at the current position
    i = 0
    while i < n:
        ch = text[i]
        if ch == '"' and straight_quotes:
            if open_stack and open_stack[-1][0] == '"':
                open_stack.pop()
            else:
                open_stack.append((ch, i))
        elif ch in _PAIRS or ch == _TITLE_OPEN:
            if i in closing:
                open_stack.append((ch, i))
        elif open_stack and ch == (_TITLE_CLOSE if open_stack[-1][0] == _TITLE_OPEN else _PAIRS.get(open_stack[-1][0])):
            open_stack.pop()

        if not _zh_final_at(text, i):
            i += 1
            continue
        # Take the whole run of final marks and closers.
        j = i + 1
        while j < n and (text[j] in _ZH_FINAL or text[j] in _ELLIPSIS):
            j += 1
        allowed = not any(o == _TITLE_OPEN for o, _ in open_stack) and all(
            _ends_sentence_at_close(text, pos, closing[pos]) for o, pos in open_stack if o != '"' or pos in closing
        )
        # Closers that shut brackets opened inside this sentence stay with it.
        while j < n and text[j] in _CLOSERS:
            if open_stack and text[j] == (_TITLE_CLOSE if open_stack[-1][0] == _TITLE_OPEN else _PAIRS.get(open_stack[-1][0], '"')):
                open_stack.pop()
            elif text[j] not in "”’」』":
                break
            j += 1
        k = j
        while k < n and text[k] == " ":
            k += 1
        if allowed and k < n and text[k] not in _CONTINUATION and text[k] not in _CLOSERS:
            boundaries.append(j)
        i = j
    return boundaries


_EN_ABBREVIATIONS = {
    # titles and ranks
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "lt", "col", "maj", "capt", "cmdr",
    "sgt", "adm", "gov", "sen", "rep", "rev", "hon", "pres", "supt", "messrs", "mme", "mlle",
    # references
    "no", "nos", "vol", "vols", "art", "arts", "sec", "para", "paras", "p", "pp", "ch", "fig", "figs", "op", "ed", "eds",
    "approx", "est", "dept", "univ", "assn", "bros", "inc", "ltd", "co", "corp", "plc", "llc", "cf", "vs", "viz", "al",
    # months and days
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    # places
    "ave", "blvd", "rd", "hwy", "ste",
}
#: abbreviations that are only abbreviations before a number ("No. 5", "Art. 3", "p. 12")
_EN_NUMBER_ABBREVIATIONS = {"no", "nos", "art", "arts", "vol", "vols", "sec", "para", "paras", "p", "pp", "ch", "fig", "figs", "op"}
#: abbreviations that are also common words; only capitalised ones count
_EN_WORDLIKE_ABBREVIATIONS = {"sun", "sat", "mar", "col", "gen", "rev", "ed", "est", "co", "mon", "wed", "fri", "ste", "art"}
#: abbreviations that can end a sentence ("... and so on, etc.") and so split before a capital
_EN_FINAL_ABBREVIATIONS = {"etc", "inc", "ltd", "co", "corp", "plc", "llc", "jr", "sr", "al"}
_EN_CANDIDATE = re.compile(r"[.!?…]+(?:[\"'”’)\]]+)?(?=\s+|$)")


def _en_boundaries(text: str) -> list[int]:
    """Offsets after which an English sentence ends.

    Rule-based, in the style of the Moses/Punkt splitters: a candidate is a
    run of . ! ? … (with closing quotes and brackets) followed by space; it is
    a boundary if the next word starts a sentence and the token before the
    full stop is not an abbreviation, an initial, or a number like "No. 5".
    """
    boundaries: list[int] = []
    n = len(text)
    for m in _EN_CANDIDATE.finditer(text):
        end = m.end()
        k = end
        while k < n and text[k].isspace():
            k += 1
        if k >= n:
            continue
        nxt = text[k]
        marks = m.group(0)
        # The word right before the punctuation (a bounded look back keeps this linear).
        w = re.search(r"([\w.'’\-]*)$", text[max(0, m.start() - 64):m.start()])
        word = w.group(1) if w else ""
        bare = word.rstrip(".").lower()
        if bare in _EN_NUMBER_ABBREVIATIONS and not nxt.isdigit():
            bare = ""  # "no." ends "The answer is no." unless a number follows ("No. 5")
        elif bare in _EN_WORDLIKE_ABBREVIATIONS and not word[:1].isupper():
            bare = ""  # "in the sun." is a word, "Sun." a day
        if marks[0] == ".":
            if not word:
                if not nxt.isupper():
                    continue
            elif len(bare) == 1 and bare.isalpha():
                continue  # an initial: "J. R. R. Tolkien", "U.S." split as "S."
            elif "." in word.strip(".") and re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare):
                # "U.S.", "e.g.", "a.m." end a sentence only before a clear sentence start
                if not (nxt.isupper() and _starts_sentence(text[k:]) and bare not in {"e.g", "i.e"}):
                    continue
            elif bare and bare in _EN_ABBREVIATIONS:
                if not (bare in _EN_FINAL_ABBREVIATIONS and nxt.isupper() and _starts_sentence(text[k:])):
                    continue
            elif bare.isdigit() and len(bare) <= 2 and _list_item(text, m.start() - len(word)):
                continue  # "1. Expand trade." : a list marker, not a sentence
        if not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘([…" or _HAN.match(nxt)):
            continue
        boundaries.append(end)
    return boundaries


_EN_SENTENCE_STARTERS = {
    "the", "a", "an", "he", "she", "it", "we", "they", "i", "this", "that", "these", "those", "there", "but",
    "and", "in", "on", "at", "as", "for", "if", "when", "while", "after", "before", "since", "however",
    "meanwhile", "his", "her", "its", "our", "their", "what", "why", "how", "who", "where", "some", "many",
    "most", "all", "no", "not", "so", "yet", "also", "then", "such", "both", "each", "other", "last", "next",
}


def _starts_sentence(rest: str) -> bool:
    """Is *rest* likely the start of a new sentence (after an ambiguous abbreviation)?"""
    word = re.match(r"[\"'“‘(]*([A-Za-z]+)", rest)
    return bool(word) and word.group(1).lower() in _EN_SENTENCE_STARTERS


def _list_item(text: str, start: int) -> bool:
    """Does the number at *start* open a list item (text start, or right after a sentence end)?"""
    before = text[max(0, start - 64):start].rstrip()
    if start == 0 or not text[:start].strip() or text[:start].endswith("\n"):
        return True
    previous = before.split()[-1].rstrip(".").lower()
    # "Sept. 1." and "No. 1." are a date and a number, not list markers.
    return before[-1] in ".!?:;\"'”’)" and previous not in _EN_ABBREVIATIONS


def split_sentences(text: str, lang: Lang) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in *text*, without surrounding whitespace.

    The spans cover every non-space character of *text*, in order.
    """
    cuts = _zh_boundaries(text) if lang == "zh" else _en_boundaries(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, len(text)]:
        piece = text[start:cut]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            spans.append((start + lead, start + trail))
        start = cut
    return spans


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------


def _segments(raw: _Raw, document: str, index: int, lang: Lang) -> Paragraph:
    text = raw.text
    pieces: list[tuple[int, int, SegmentKind]] = []
    if raw.heading:
        pieces.append((0, len(text), SegmentKind.HEADING))
    else:
        body_start = 0
        if raw.label_end:
            pieces.append((0, raw.label_end, SegmentKind.SPEAKER))
            body_start = raw.label_end
        byline = _byline_start(text, raw.label_end)
        body = text[body_start:byline]
        for s, e in split_sentences(body, lang):
            pieces.append((body_start + s, body_start + e, SegmentKind.SENTENCE))
        if byline < len(text):
            pieces.append((byline, len(text), SegmentKind.BYLINE))
    # Offsets exclude surrounding whitespace; what lies between goes into space_after.
    trimmed = []
    for s, e, kind in pieces:
        chunk = text[s:e]
        s2 = s + (len(chunk) - len(chunk.lstrip()))
        e2 = s + len(chunk.rstrip())
        if e2 > s2:
            trimmed.append((s2, e2, kind))
    segments = []
    for k, (s, e, kind) in enumerate(trimmed):
        nxt = trimmed[k + 1][0] if k + 1 < len(trimmed) else len(text)
        segments.append(
            Segment(
                text=text[s:e], kind=kind, document=document, paragraph=index, index=k + 1,
                start=s, end=e, space_after=text[e:nxt], line=raw.line,
            )
        )
    return Paragraph(document=document, index=index, text=text, segments=tuple(segments), line=raw.line, pieces=raw.pieces)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use {', '.join(LANGS[1:])} or {LANGS[0]}")


def segment_text(text: str, document: str = "<text>", lang: str = "auto") -> Document:
    """Segment a whole document given as a string.

    *lang* is ``"zh"``, ``"en"`` or ``"auto"`` (decided by :func:`detect_lang`).
    Paragraph and segment indices are 1-based, as a reviewer would count them.
    """
    _check_lang(lang)
    resolved: Lang = detect_lang(text) if lang == "auto" else lang  # type: ignore[assignment]
    raws, dropped = _raw_paragraphs(text, resolved)
    paragraphs = [_segments(raw, document, i, resolved) for i, raw in enumerate(_repair(raws, resolved), start=1)]
    return Document(name=document, lang=resolved, paragraphs=tuple(p for p in paragraphs if p.segments), dropped=tuple(dropped))


def segment_file(path: str | os.PathLike[str], lang: str = "auto") -> Document:
    """Read *path* (any supported encoding) and segment it; the document is named by the file name."""
    text = read_text(path)
    document = segment_text(text, document=os.path.basename(os.fspath(path)), lang=lang)
    if not document.paragraphs:
        raise InputError(f"{path}: no translatable text (only markup, markers or invisible characters)")
    return document


def lines_document(path: str | os.PathLike[str], lang: str = "auto") -> Document:
    """A document whose segments are the file's non-empty lines, used as they are.

    The convention of other aligners' test sets (one sentence per line):
    nothing is joined, split or dropped, and segment ``k`` of the single
    paragraph is line ``k``.
    """
    text = read_text(path)
    _check_lang(lang)
    resolved: Lang = detect_lang(text) if lang == "auto" else lang  # type: ignore[assignment]
    name = os.path.basename(os.fspath(path))
    segments = []
    for lineno, line in enumerate(_clean_controls(text).split("\n"), start=1):
        stripped = line.strip()
        if stripped:
            segments.append(Segment(stripped, SegmentKind.SENTENCE, name, 1, len(segments) + 1, 0, len(stripped), " ", lineno))
    if not segments:
        raise InputError(f"{path}: no text lines")
    body = " ".join(s.text for s in segments)
    return Document(name, resolved, (Paragraph(name, 1, body, tuple(segments), 1, 1),))

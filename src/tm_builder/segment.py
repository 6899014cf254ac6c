"""Segmentation: raw Chinese or English text to paragraphs and sentences.

Input is what newsrooms actually hand over: People's Daily pages with
paragraphs broken mid-sentence (even mid-word) by the page layout, Markdown
headings and bold speaker labels, half-width punctuation inside Chinese, and
continuation markers such as ``(上接第三版)``.  The segmenter

1. splits the text into raw paragraphs (one per non-blank line),
2. repairs the layout: a paragraph that does not end a sentence is continued
   by the next one (no space in Chinese),
3. marks speaker labels, headings and bylines as segments of their own, and
4. splits the rest into sentences.

Every segment carries its offsets in the repaired paragraph, and
``"".join(s.text + s.space_after for s in p.segments) == p.text`` always holds.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
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


#: invisible characters that only get in a translator's way (zero-width joiner is kept: emoji need it)
_INVISIBLE = set("\ufeff\ufffe\uffff\u200b\u2060\u00ad")


def _clean_controls(text: str) -> str:
    # Form feeds and vertical tabs separate pages/lines; other controls are junk.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return "".join(
        ch for ch in text
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _INVISIBLE
    )


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
    return "" if left.endswith(("-", "\u00ad")) else " "


_BOLD_LINE = re.compile(r"^(?:\*\*|__)[^*_]+(?:\*\*|__)$")
#: list markers that open a new item: 一、 （一） (1) 1. 1、 ① A.
_LIST_START = re.compile(r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,3}[.、．](?!\d)|[①-⑳]|[A-Za-z][.、](?=\s|[" + HAN + "]))")
#: punctuation that shows a line is running prose, not a title, caption or byline
_PROSE_MARKS = re.compile(r"[，,。；;：:、“”!?！？]")


def _continues(prev: _Raw, nxt: _Raw, lang: Lang) -> bool:
    """Should *nxt* be appended to *prev* (a layout break, not a real paragraph end)?

    Only running prose is continued: a short line with no punctuation
    (a subtitle, "本报记者 李四"), a bold-only subheading, a table row, or a
    line before a list item ("一、", "（二）", "1.") stands on its own.
    """
    if nxt.heading or nxt.label_end or prev.standalone or nxt.standalone or _is_complete(prev, lang):
        return False
    if _LIST_START.match(nxt.text):
        return False
    if lang == "zh":
        body = prev.text[prev.label_end:]
        return bool(_PROSE_MARKS.search(body)) or len(body) >= 20
    # English headlines rarely end in a full stop, so only join what clearly goes on.
    first = nxt.text[:1]
    return first.islower() or prev.text.rstrip().endswith((",", "-", "\u00ad", ";", "(", "\u2013", "\u2014"))


def _raw_paragraphs(text: str, lang: Lang) -> tuple[list[_Raw], list[str]]:
    """Split *text* into raw paragraphs, dropping continuation markers."""
    lines = _clean_controls(text).split("\n")
    dropped: list[str] = []
    stripped_lines: list[tuple[int, str, bool]] = []
    for lineno, line in enumerate(lines, start=1):
        line = _strip_markdown_line(line.strip(" \t\u3000\u00a0")).strip(" \t\u3000\u00a0")
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            title = _strip_emphasis(heading.group(2).strip())
            if title:
                stripped_lines.append((lineno, title, True))
            continue
        for marker in _CONT_MARKER.findall(line):
            dropped.append(marker)
        line = _CONT_MARKER.sub("", line).strip(" \t\u3000\u00a0")
        if line:
            stripped_lines.append((lineno, line, False))

    # Short names that open two or more paragraphs ("王毅:") are speaker labels.
    repeated: Counter[str] = Counter()
    if lang == "zh":
        for _, line, heading in stripped_lines:
            m = re.match(rf"^(?:\*\*)?([{HAN}·]{{2,6}})(?:\*\*)?[:：]", line)
            if m and not heading:
                repeated[m.group(1)] += 1

    raws: list[_Raw] = []
    for lineno, line, heading in stripped_lines:
        if heading:
            raws.append(_Raw(line, lineno, heading=True))
            continue
        body, label_end = _label_length(line, lang, repeated)
        body = body.strip(" \t\u3000\u00a0")
        if body:
            standalone = bool(_BOLD_LINE.match(line)) or "\t" in body
            raws.append(_Raw(body, lineno, label_end=label_end, standalone=standalone))
    return raws, dropped


def _repair(raws: list[_Raw], lang: Lang) -> list[_Raw]:
    """Join paragraphs broken by the page layout."""
    out: list[_Raw] = []
    for raw in raws:
        if out and _continues(out[-1], raw, lang):
            prev = out[-1]
            prev.text = prev.text.rstrip() + _joiner(prev.text.rstrip(), raw.text, lang) + raw.text
            prev.pieces += 1
        else:
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

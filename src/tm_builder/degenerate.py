"""Detect degenerate machine drafts: loops, stutters, duplicated chunks, runaway length.

``Helsinki-NLP/opus-mt-zh-en`` sometimes produces output a reviewer would
call broken rather than merely poor: it loops ("come on" 28 times for the
four characters 缓缓走来, "Xi" 87 times in a headline), stutters ("Foreign
Exchange Exchange Exchange Centre"), duplicates a chunk ("you need to light
it up to light it up"), or hallucinates: a 185-character UN committee title
for 习主席讲, a software message "Could not close temporary folder: %s" for
无法联系到菲利普。  :func:`check_draft` is called on every draft and returns
``None`` or a short reason for reviewers (it ends up in TMX notes and PO
comments).  Standard library only; about 0.1 ms per draft.

Checks, in the order they are tried (the first that fires gives the reason)
---------------------------------------------------------------------------
1. Empty draft for a source that has Han characters, letters or digits.
2. Software placeholder (``%s``, ``%1$s``, ``{0}``, ``${x}``) in the draft
   but not in the source: OPUS, the model's training data, includes software
   localisation corpora.
3. Repeat run: one token n-gram (n = 1..``MAX_NGRAM``) ``MIN_REPEATS`` or
   more times back to back.  Tokens are lower-cased words split at hyphens
   ("I'm-I'm-I'm" is three tokens), numbers (4.4 and 16,000 are one token)
   and single Han characters; punctuation is ignored, so "the good friends,
   the good friends, ..." is a run of one 3-gram.  A run of k copies is
   accepted when the source itself says some 2-6-character unit at least
   k - ``SOURCE_RUN_SLACK`` times back to back (加油！加油！加油！ -> "Come on!
   Come on! Come on!"; 感谢，感谢，再感谢 -> "Thank you. Thank you. Thank you
   again!").
4.-6. Only where the source does not repeat itself (no run of
   ``SOURCE_REPEAT_MIN_CHARS`` Han characters occurs twice in it), since
   parallel Chinese (保持节奏、保持节奏; 全国人民、全世界人民) legitimately gives
   repeated English:
   4. Coverage: one n-gram (n = 2..``MAX_NGRAM``) occurs
      ``COVERAGE_MIN_COUNT`` or more times and its copies make up
      ``COVERAGE_MIN_SHARE`` or more of the draft's tokens (interleaved loops:
      "we're going to go, we're going to see, we're going to go, ...").
   5. Duplicated sentence: two adjacent identical sentences of
      ``DUP_MIN_TOKENS`` or more tokens (a headline said twice).
   6. Duplicated chunk: ``DUP_MIN_TOKENS`` or more tokens said twice in a row
      inside one sentence, adjacent or joined by one of ``DUP_JOINERS``
      ("what she's going to do, what she's going to do").
7. Length: more than ``LEN_RATIO`` x (source characters) + ``LEN_ALLOWANCE``
   characters.  Source characters are Han characters, letters and digits
   (no spaces, no punctuation).

Measurements behind the thresholds
----------------------------------
From the 7,991 lines of ``shared/data/zh-en`` (WMT17, WMT18, FLORES dev and
devtest): the real opus-mt-zh-en outputs (``.opusmt.en``), the human
references (``.en``), and 572 outputs labelled by hand in
``tests/data/degenerate_labels.tsv`` (23 degenerate).  ``python
bench/degenerate.py`` reproduces the totals: 21 outputs flagged, all
degenerate; 21 of the 23 labelled degenerate outputs found; 0 of 549
labelled ok outputs and 0 of 7,991 human references flagged.

* ``MIN_REPEATS = 3``: no human reference has any n-gram (n = 1..8) three
  times back to back; twice is common and legitimate in both references and
  drafts ("larger and larger", "very, very sad", "the nation, the nation").
  All 16 opus-mt outputs with a run of three or more are labelled degenerate:
  loops of 8 to 87 copies and stutters of 3 or 4 ("went out out out of
  curiosity", "a brand brand brand brand").  So two is never enough, three
  always was.
* ``SOURCE_RUN_SLACK = 1``: 65 of the 7,991 sources say a 2-6-character
  unit twice back to back and none three times, so no loop or stutter in the
  data is excused; the slack of one lets 感谢，感谢，再感谢 ("thanks, thanks,
  and thanks again") keep its three "thank you"s.  Digits break a unit, so
  the 22 rates "人民币1元对..." in one source do not excuse "Exchange Exchange
  Exchange".
* ``REPEAT_EXEMPT`` interjections ("ha", "no", "very", ...) need
  ``EXEMPT_MIN_REPEATS = 5`` in a row, so quoted speech ("No, no, no!")
  passes while a loop of them is still caught.  None occurs three times in a
  row in the data; this guards quoted speech only.
* ``MAX_NGRAM = 8``: the longest looping unit seen is 7 tokens ("he's got a
  lot to fight for" x8); 8 leaves one token of headroom for one linear pass
  per n.
* ``COVERAGE_MIN_SHARE = 0.6`` with ``COVERAGE_MIN_COUNT = 4``: the highest
  share of one n-gram (n >= 2, 4+ copies) is 0.38 in the references and 0.50
  in acceptable drafts ("we want to" x4, rendering 我们要 x4), and at most
  0.32 and 0.30 where the source does not repeat; the loops cover 0.74-0.92.
  In this data every loop is already caught by the repeat run, so this check
  adds no detections here; it is a guard for loops that vary their filler.
* ``SOURCE_REPEAT_MIN_CHARS = 2``: 3,347 of the 7,991 sources (42%) repeat
  some 2-character Han string, so checks 4-6 apply to the other 58%.  The
  cost is measured: among drafts with a 4+-token chunk said twice in a row,
  the exemption clears 3 acceptable ones (the parallel 与邻为善、以邻为伴 as
  "with its neighbours and with its neighbours", and two others) and misses
  1 degenerate one ("for fish, for fish, and for fish, for fish" for
  授人以鱼...授人以渔).  Both such chunks in the references (保持节奏、保持节奏;
  a party name repeated in the source) are exempt.
* ``DUP_MIN_TOKENS = 4``: chunks said twice that are not exempt and have 4+
  tokens are all degenerate (3 outside loops: "what she's going to do",
  "in the absence of their families", "to light it up").  With 3 tokens the
  doubles are mostly redundant but usable translations ("awareness-raising
  and awareness-raising", "what I've done and what I've done").  Copies
  separated by a sentence end are not counted: references do that
  legitimately ("... the Jianhong Chemical Plant site. The Jianhong Chemical
  Plant site ...").
* ``LEN_RATIO = 9.0`` and ``LEN_ALLOWANCE = 50``: on lines with 20+ source
  characters the English length per source character has median 3.8 in both
  references and drafts; 99th percentile 6.7 (references) and 6.1 (drafts);
  99.9th 8.5 and 7.2.  The largest excess over 9 x source characters is 45
  characters in the references (a reference line carrying more than its
  source) and 1 in acceptable drafts; the degenerate drafts above it exceed
  it by 25 to 565.  The allowance is absolute because ratios are noise on
  short sources and official abbreviations expand a lot: 十九大 -> "the 19th
  National Congress of the Communist Party of China" (58 characters for 3;
  limit 77).
  An allowance small enough to catch the 61-character hallucination for
  韩长赋说 (limit 86) would flag such expansions, so that one is missed.
* ``EXPECTED_RATIO = 3.8`` (the median above) only words the reason: "draft
  12.2x longer than the source justifies".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from .chars import HAN, HAN_CHAR

__all__ = [
    "COVERAGE_MIN_COUNT",
    "COVERAGE_MIN_SHARE",
    "DEFAULT_LIMITS",
    "DUP_JOINERS",
    "DUP_MIN_TOKENS",
    "EXEMPT_MIN_REPEATS",
    "EXPECTED_RATIO",
    "LEN_ALLOWANCE",
    "LEN_RATIO",
    "MAX_NGRAM",
    "MIN_REPEATS",
    "PLACEHOLDER_RE",
    "REPEAT_EXEMPT",
    "SOURCE_REPEAT_MIN_CHARS",
    "SOURCE_RUN_SLACK",
    "Limits",
    "check_draft",
    "check_draft_with",
    "source_chars",
    "tokenize",
]

MIN_REPEATS = 3
EXEMPT_MIN_REPEATS = 5
REPEAT_EXEMPT = frozenset(
    {"ha", "haha", "ho", "hey", "la", "no", "yes", "yeah", "very", "bye", "oh", "wow", "tick", "tock"}
)
SOURCE_RUN_SLACK = 1
MAX_NGRAM = 8
COVERAGE_MIN_SHARE = 0.6
COVERAGE_MIN_COUNT = 4
DUP_MIN_TOKENS = 4
DUP_JOINERS = frozenset({"and", "or"})
SOURCE_REPEAT_MIN_CHARS = 2
LEN_RATIO = 9.0
LEN_ALLOWANCE = 50
EXPECTED_RATIO = 3.8
# printf/format placeholders; opus-mt's training data (OPUS) includes software
# localisation corpora, and the model sometimes answers with a UI string.
PLACEHOLDER_RE = re.compile(r"%(?:\d+\$)?[sdifu]\b|\{\d+\}|\$\{\w+\}")


@dataclass(frozen=True)
class Limits:
    """One set of thresholds; :data:`DEFAULT_LIMITS` holds the module constants.

    Other instances exist for measurement only (the benchmark's deliberately
    looser variant); ``None`` switches a check off.
    """

    min_repeats: int = MIN_REPEATS
    source_run_slack: int | None = SOURCE_RUN_SLACK
    exempt_min_repeats: int = EXEMPT_MIN_REPEATS
    max_ngram: int = MAX_NGRAM
    coverage_min_share: float | None = COVERAGE_MIN_SHARE
    coverage_min_count: int = COVERAGE_MIN_COUNT
    dup_min_tokens: int | None = DUP_MIN_TOKENS
    source_repeat_min_chars: int | None = SOURCE_REPEAT_MIN_CHARS
    len_ratio: float | None = LEN_RATIO
    len_allowance: int = LEN_ALLOWANCE


DEFAULT_LIMITS = Limits()

_HAN = HAN
_HAN_RE = HAN_CHAR
# Numbers keep their decimal/thousands separators; Han characters are one
# token each; other words are letter runs with inner apostrophes ("it's").
_TOKEN_RE = re.compile(rf"\d+(?:[.,:]\d+)*|[{_HAN}]|[^\W\d_{_HAN}]+(?:['\u2019][^\W\d_{_HAN}]+)*")
# A sentence ends at . ! ? ; followed by space, a closing quote/bracket or the
# end (so "U.S." and "4.4" do not end one), or at Chinese 。！？；.
_SENTENCE_END_RE = re.compile(r"[.!?;]+(?=\s|[\"'\u201d\u2019)\]]|$)|[。！？；]+")


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens as the repeat checks see them."""
    return [t.lower().replace("\u2019", "'") for t in _TOKEN_RE.findall(text)]


def source_chars(source: str) -> int:
    """Han characters plus other letters and digits (no spaces, no punctuation)."""
    return sum(1 for c in source if c.isalnum())


def _tokens_with_sentence(text: str) -> tuple[list[str], list[int]]:
    """Tokens and, for each, the index of the sentence it belongs to."""
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text)]
    tokens: list[str] = []
    sentence_of: list[int] = []
    for match in _TOKEN_RE.finditer(text):
        tokens.append(match.group().lower().replace("\u2019", "'"))
        sentence_of.append(bisect_right(ends, match.start()))
    return tokens, sentence_of


def _is_periodic(gram: tuple[str, ...]) -> bool:
    """True if ``gram`` is itself a repetition of a shorter unit ("a b a b")."""
    n = len(gram)
    return any(n % p == 0 and gram == gram[:p] * (n // p) for p in range(1, n))


def _longest_run(tokens: list[str], limits: Limits) -> tuple[int, tuple[str, ...]] | None:
    """The longest run of one n-gram repeated back to back that meets the limits.

    For a period n, ``tokens[j] == tokens[j + n]`` holding for s consecutive
    j means s + n tokens with period n, i.e. (s + n) // n copies.  One pass
    per n, so the cost is O(len(tokens) * max_ngram).
    """
    best: tuple[int, int, tuple[str, ...]] | None = None  # (covered, copies, gram)
    size = len(tokens)
    for n in range(1, limits.max_ngram + 1):
        j = 0
        while j + n < size:
            if tokens[j] != tokens[j + n]:
                j += 1
                continue
            start = j
            while j + n < size and tokens[j] == tokens[j + n]:
                j += 1
            copies = (j - start + n) // n
            gram = tuple(tokens[start : start + n])
            if copies < limits.min_repeats or _is_periodic(gram):
                continue
            if n == 1 and gram[0] in REPEAT_EXEMPT and copies < limits.exempt_min_repeats:
                continue
            covered = copies * n
            if best is None or covered > best[0]:
                best = (covered, copies, gram)
    return None if best is None else (best[1], best[2])


def _top_coverage(tokens: list[str], limits: Limits) -> tuple[float, int, tuple[str, ...]] | None:
    """The n-gram (n >= 2) whose non-overlapping copies cover most of the draft."""
    if limits.coverage_min_share is None or not tokens:
        return None
    best: tuple[float, int, tuple[str, ...]] | None = None
    size = len(tokens)
    for n in range(2, limits.max_ngram + 1):
        counts = Counter(tuple(tokens[i : i + n]) for i in range(size - n + 1))
        for gram, count in counts.most_common(2):
            if count < limits.coverage_min_count:
                break
            if _is_periodic(gram):
                continue
            copies, i = 0, 0
            while i <= size - n:
                if tuple(tokens[i : i + n]) == gram:
                    copies += 1
                    i += n
                else:
                    i += 1
            share = copies * n / size
            if copies >= limits.coverage_min_count and (best is None or share > best[0]):
                best = (share, copies, gram)
    if best is None or best[0] < limits.coverage_min_share:
        return None
    return best


def _duplicated_sentence(tokens: list[str], sentence_of: list[int], limits: Limits) -> tuple[str, ...] | None:
    """Two adjacent identical sentences of at least ``dup_min_tokens`` tokens."""
    if limits.dup_min_tokens is None:
        return None
    sentences: list[list[str]] = []
    last = -1
    for tok, index in zip(tokens, sentence_of):
        if index != last:
            sentences.append([])
            last = index
        sentences[-1].append(tok)
    for first, second in pairwise(sentences):
        if first == second and len(first) >= limits.dup_min_tokens:
            return tuple(first)
    return None


def _source_run(source: str) -> int:
    """Most copies of one 2-6 character Han unit said back to back in the source.

    Punctuation and spaces are ignored, digits and letters are kept, so
    加油！加油！加油！ counts 3, 感谢，感谢，再感谢 counts 2, and 人民币5.17元，人民币1元
    counts 1.
    """
    text = "".join(c for c in source if c.isalnum())
    best = 1
    for n in range(2, 7):
        stretch = 0
        for j in range(len(text) - n):
            if text[j] == text[j + n] and _HAN_RE.match(text[j]):
                stretch += 1
                best = max(best, (stretch + n) // n)
            else:
                stretch = 0
    return best


def _source_repeats(source: str, min_chars: int) -> bool:
    """True if some run of ``min_chars`` Han characters occurs twice in the source."""
    han = "".join(_HAN_RE.findall(source))
    seen: set[str] = set()
    for i in range(len(han) - min_chars + 1):
        piece = han[i : i + min_chars]
        if piece in seen:
            return True
        seen.add(piece)
    return False


def _duplicated_chunk(tokens: list[str], sentence_of: list[int], limits: Limits) -> tuple[str, ...] | None:
    """The longest chunk (>= ``dup_min_tokens``) said twice in a row inside one sentence.

    The copies are adjacent ("to light it up to light it up") or joined by one
    of :data:`DUP_JOINERS` ("in the absence of their families and in the
    absence of their families").  A chunk of n tokens at i recurs at i + s
    exactly when ``tokens[j] == tokens[j + s]`` for n consecutive j, so each
    (n, s) costs one pass: O(len(tokens) ** 2) token comparisons in all.
    """
    if limits.dup_min_tokens is None:
        return None
    size = len(tokens)
    longest_sentence = max(Counter(sentence_of).values(), default=0)
    for n in range(longest_sentence // 2, limits.dup_min_tokens - 1, -1):
        for shift in (n, n + 1):
            stretch = 0
            for j in range(size - shift):
                if tokens[j] == tokens[j + shift] and sentence_of[j] == sentence_of[j + shift]:
                    stretch += 1
                    start = j - n + 1
                    if stretch >= n and (shift == n or tokens[start + n] in DUP_JOINERS):
                        return tuple(tokens[start : start + n])
                else:
                    stretch = 0
    return None


def _quote(gram: tuple[str, ...], limit: int = 60) -> str:
    text = " ".join(gram)
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def check_draft_with(source: str, draft: str, limits: Limits) -> str | None:
    """:func:`check_draft` with explicit thresholds (used for measurement)."""
    src_chars = source_chars(source)
    if not draft.strip():
        return "empty draft for a non-empty source" if src_chars else None

    placeholder = PLACEHOLDER_RE.search(draft)
    if placeholder is not None and placeholder.group() not in source:
        return (
            f"software placeholder '{placeholder.group()}' in the draft but not in the source "
            "(hallucinated UI string)"
        )

    tokens, sentence_of = _tokens_with_sentence(draft)
    run = _longest_run(tokens, limits)
    if run is not None and (
        limits.source_run_slack is None or run[0] > _source_run(source) + limits.source_run_slack
    ):
        copies, gram = run
        return f"repeated phrase '{_quote(gram)}' x{copies}"

    # The remaining repeat checks accept repetition that mirrors the source
    # (parallel phrasing such as 全国人民、全世界人民 or 保持节奏、保持节奏).
    source_repeats = limits.source_repeat_min_chars is not None and _source_repeats(
        source, limits.source_repeat_min_chars
    )
    if not source_repeats:
        coverage = _top_coverage(tokens, limits)
        if coverage is not None:
            share, copies, gram = coverage
            return (
                f"phrase '{_quote(gram)}' x{copies} makes up {share:.0%} of the draft "
                "(the source does not repeat)"
            )
        sentence = _duplicated_sentence(tokens, sentence_of, limits)
        if sentence is not None:
            return f"sentence repeated: '{_quote(sentence)}' (the source does not repeat)"
        chunk = _duplicated_chunk(tokens, sentence_of, limits)
        if chunk is not None:
            return f"duplicated chunk '{_quote(chunk)}' twice in a row (the source does not repeat)"

    if limits.len_ratio is not None:
        limit = limits.len_ratio * src_chars + limits.len_allowance
        if len(draft) > limit:
            expected = max(EXPECTED_RATIO * src_chars, 1.0)
            return (
                f"draft {len(draft) / expected:.1f}x longer than the source justifies "
                f"({len(draft)} characters for {src_chars} source characters; limit {int(limit)})"
            )
    return None


def check_draft(source: str, draft: str) -> str | None:
    """Return ``None`` for an acceptable draft, else a short reason for reviewers.

    >>> check_draft("缓缓走来", "come on " * 28)
    "repeated phrase 'come on' x28"
    >>> check_draft("一步一个脚印", "Step by step, more and more.") is None
    True
    """
    return check_draft_with(source, draft, DEFAULT_LIMITS)

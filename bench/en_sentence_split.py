"""Benchmark of English sentence splitters for tm-builder.

Run from the repository root:

    python bench/en_sentence_split.py              # full table
    python bench/en_sentence_split.py --failures   # also list hard-case misses
    python bench/en_sentence_split.py --no-speed   # skip the timing pass

Every candidate library is imported optionally; a missing one is reported as
"not installed".  Candidates: pysbd, sentencex, syntok, segtok,
sentence-splitter (Moses heuristics), blingfire, nupunkt, NLTK Punkt *without*
trained data (the punkt model is not shipped in the nltk wheel and cannot be
downloaded offline), and ``baseline-regex``, a small rule splitter defined in
this file.

Method
------
Every splitter is wrapped in an adapter that returns the *character offsets*
of sentence starts in the original text (tm-builder needs offsets).  Where a
library returns only strings, or normalises whitespace (sentence-splitter,
segtok), the strings are aligned back to the original text on non-whitespace
characters (``align_starts``).  A sentence start is always normalised to the
first non-whitespace character, so splitters that attach trailing spaces to
the previous or next sentence score the same.

1. Corpus boundaries.  ``shared/data/zh-en/{wmt17,wmt18,flores-dev,
   flores-test}.en`` have one sentence per line.  Consecutive lines are grouped
   in fives (a trailing group of 2-4 lines is kept) and joined with one space;
   the gold boundaries are the line joins.  We report boundary precision,
   recall and F1 (micro, over internal boundaries only) and the rate of
   paragraphs whose boundary set is exactly right.
   Caveats: WMT contains headlines with no final punctuation (no splitter can
   find those joins) and some lines hold several sentences (a correct split
   inside such a line counts as a false positive).  So the metric is also
   reported on the *clean subset*: groups where every line ends in . ! ? (or
   ... / ...), optionally followed by closing quotes/brackets.  Even there,
   precision is a lower bound; recall on the clean subset is the most
   trustworthy number.  The script also prints how many line-internal splits a
   majority of the installed libraries agree on (a rough estimate of the true
   multi-sentence lines).
2. Hard cases.  ``HARD_CASES`` holds 40 hand-made paragraphs in the style of
   diplomatic / official news, with gold sentence lists.  The paragraph is the
   gold sentences joined with a single space (or an explicit text).  Score =
   number of paragraphs whose predicted sentence list is exactly the gold list.
3. Speed.  All of wmt18.en (3,981 lines) in 5-line paragraphs, through the
   adapter (so offset mapping is included); best of N runs; reported as gold
   sentences per second.  Single process; numbers are machine-dependent.
4. Package facts: installed version and install size are read at run time
   from the installed distribution; release dates and licences were taken from
   PyPI on 2026-11-24 and are hard-coded in ``PKG_INFO``.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO.parent / "shared" / "data" / "zh-en"
DATASETS = ["wmt17", "wmt18", "flores-dev", "flores-test"]
GROUP = 5

# --------------------------------------------------------------------------
# Offset helpers
# --------------------------------------------------------------------------


def skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i].isspace():
        i += 1
    return i


class AlignError(Exception):
    pass


def align_starts(text: str, sentences: Iterable[str]) -> list[int]:
    """Map sentence strings back to start offsets in ``text``.

    Matching ignores whitespace on both sides, so it tolerates splitters that
    collapse or strip spaces.  Raises AlignError if characters differ.
    """
    starts = []
    i = 0
    n = len(text)
    for sent in sentences:
        chars = [c for c in sent if not c.isspace()]
        if not chars:
            continue
        i = skip_ws(text, i)
        starts.append(i)
        for c in chars:
            i = skip_ws(text, i)
            if i >= n or text[i] != c:
                raise AlignError(f"cannot align {sent[:40]!r} at {i}")
            i += 1
    return starts


def starts_to_boundaries(text: str, starts: Iterable[int]) -> set[int]:
    """Internal boundaries = normalised starts of sentences 2..n."""
    out = set()
    n = len(text)
    for s in starts:
        s = skip_ws(text, s)
        if 0 < s < n:
            out.add(s)
    first = skip_ws(text, 0)
    out.discard(first)
    return out


def boundaries_to_sentences(text: str, bounds: set[int]) -> list[str]:
    cuts = [0] + sorted(bounds) + [len(text)]
    sents = [text[a:b].strip() for a, b in pairwise(cuts)]
    return [s for s in sents if s]


# --------------------------------------------------------------------------
# Baseline regex splitter
# --------------------------------------------------------------------------

# Abbreviations that (almost) never end a sentence: never split after them.
ABBR_NONFINAL = {
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "gen", "sen", "rep",
    "gov", "lt", "col", "capt", "cmdr", "sgt", "rev", "hon", "mt", "ft", "fig",
    "vs", "v", "e.g", "i.e", "cf", "approx", "dept",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec",
}
# Abbreviations that often end a sentence too: split only if the next word is
# a typical sentence opener.
ABBR_MAYBE_FINAL = {
    "u.s", "u.k", "u.n", "e.u", "inc", "ltd", "co", "corp", "etc", "jr", "sr",
    "a.m", "p.m", "ph.d", "bros",
}
SENT_OPENERS = {
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this",
    "that", "these", "those", "there", "but", "and", "or", "so", "however",
    "meanwhile", "in", "on", "at", "for", "from", "with", "as", "after",
    "before", "when", "while", "if", "according", "its", "his", "her",
    "their", "our", "my", "both", "no", "more", "some", "many", "most", "all",
    "other", "such", "what", "why", "how", "who", "where", "also", "then",
    "since", "last", "next", "one", "two", "three",
}
OPEN_Q = "\"'“‘(["
CLOSE_Q = "\"'”’)]"
_CAND = re.compile(r"(\.\.\.|…|[.!?]+)([\"'”’)\]]*)(\s+)(?=\S)")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([^\s\"'”’.,;:!?)\]]*)")


def baseline_starts(text: str) -> list[int]:
    starts = [skip_ws(text, 0)]
    for m in _CAND.finditer(text):
        punct, closing = m.group(1), m.group(2)
        nxt = m.end()
        nc = text[nxt]
        nw = _NEXT_WORD.match(text, nxt).group(1)
        first_alpha = nw[:1]
        # Next sentence must start with an uppercase letter or digit,
        # possibly after an opening quote/bracket.
        if not first_alpha or not (first_alpha.isupper() or first_alpha.isdigit()):
            continue
        if nc.islower():
            continue
        if punct == "." and not closing:
            before = _WORD_BEFORE.search(text, 0, m.start())
            tok = before.group(1).lstrip(OPEN_Q) if before else ""
            low = tok.lower()
            if low in ABBR_NONFINAL:
                continue
            if len(tok) == 1 and tok.isalpha() and tok.isupper():
                continue  # initial: "J. R. R. Tolkien"
            dotted = low in ABBR_MAYBE_FINAL or re.fullmatch(r"(?:[a-z]\.)+[a-z]", low)
            if dotted and nw.lower() not in SENT_OPENERS:
                continue
            # "1. First item": a 1-2 digit token at sentence start is a list
            # marker, not a sentence.
            if tok.isdigit() and len(tok) <= 2 and before.start(1) == starts[-1]:
                continue
        starts.append(nxt)
    return starts


# --------------------------------------------------------------------------
# Adapters: text -> list of sentence start offsets
# --------------------------------------------------------------------------


@dataclass
class Candidate:
    name: str
    dist: str | None  # PyPI distribution name for metadata
    make: Callable[[], Callable[[str], list[int]]]
    offsets: str  # how offsets are obtained
    splitter: Callable[[str], list[int]] | None = None
    error: str | None = None
    offset_errors: int = 0


def make_pysbd():
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def run(text):
        spans = seg.segment(text)
        if any(text[s.start:s.end] != s.sent for s in spans):
            raise AlignError("pysbd span does not match text")
        return [s.start for s in spans]

    return run


def make_sentencex():
    import sentencex

    def run(text):
        return [b["start_index"] for b in sentencex.get_sentence_boundaries("en", text)]

    return run


def make_syntok():
    import syntok.segmenter as sg

    def run(text):
        return [sent[0].offset for para in sg.analyze(text) for sent in para if sent]

    return run


def make_segtok():
    from segtok.segmenter import split_single

    def run(text):
        return align_starts(text, split_single(text))

    return run


def make_moses():
    from sentence_splitter import SentenceSplitter

    sp = SentenceSplitter(language="en")

    def run(text):
        return align_starts(text, sp.split(text))

    return run


def make_blingfire():
    import blingfire

    def run(text):
        return [a for a, _ in blingfire.text_to_sentences_and_offsets(text)[1]]

    return run


def make_nupunkt():
    import nupunkt

    def run(text):
        return [a for a, _ in nupunkt.sent_spans(text)]

    return run


def make_nltk_untrained():
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    tok = PunktSentenceTokenizer()  # no trained parameters: no data needed

    def run(text):
        return [a for a, _ in tok.span_tokenize(text)]

    return run


_LIST_MARKER = re.compile(r"\(?\d{1,2}[.)]")


def with_postfix(make):
    """Wrap a splitter with two cheap repairs tm-builder could own:
    never start a sentence with a lowercase letter (after opening quotes), and
    glue a bare list marker ("1.") to the sentence that follows it."""

    def factory():
        inner = make()

        def run(text):
            kept = []
            for st in sorted(set(inner(text))):
                st = skip_ws(text, st)
                if st >= len(text):
                    continue
                m = _NEXT_WORD.match(text, st)
                if kept and m.group(1)[:1].islower():
                    continue
                if kept and _LIST_MARKER.fullmatch(text[kept[-1]:st].strip()):
                    continue
                kept.append(st)
            return kept

        return run

    return factory


def make_tm_builder():
    from tm_builder.segment import split_sentences

    def run(text):
        return [a for a, _ in split_sentences(text, "en")]

    return run


CANDIDATES = [
    Candidate("tm-builder", "tm-builder", make_tm_builder, "native (split_sentences)"),
    Candidate("baseline-regex", None, lambda: baseline_starts, "native"),
    Candidate("pysbd", "pysbd", make_pysbd, "native (char_span=True, clean=False)"),
    Candidate("sentencex", "sentencex", make_sentencex, "native (get_sentence_boundaries)"),
    Candidate("syntok", "syntok", make_syntok, "native (token.offset)"),
    Candidate("segtok", "segtok", make_segtok, "map back (strips)"),
    Candidate("sentence-splitter", "sentence-splitter", make_moses, "map back (normalises ws)"),
    Candidate("blingfire", "blingfire", make_blingfire, "native (text_to_sentences_and_offsets)"),
    Candidate("nupunkt", "nupunkt", make_nupunkt, "native (sent_spans)"),
    Candidate("nupunkt+postfix", "nupunkt", with_postfix(make_nupunkt), "native (sent_spans)"),
    Candidate("nltk-punkt-untrained", "nltk", make_nltk_untrained, "native (span_tokenize)"),
]

# Facts from PyPI (JSON API), checked 2026-11-24.
PKG_INFO = {
    "pysbd": ("0.3.4", "2021-02-11", "MIT", "none"),
    "sentencex": ("1.0.32", "2026-09-28", "MIT", "none (compiled wheel)"),
    "syntok": ("1.4.4", "2022-03-12", "MIT", "regex"),
    "segtok": ("1.5.11", "2021-12-15", "MIT", "regex"),
    "sentence-splitter": ("1.4", "2019-01-14", "LGPL-3.0", "regex"),
    "blingfire": ("0.1.8", "2021-09-24", "MIT", "numpy (undeclared!)"),
    "nupunkt": ("0.8.0", "2026-09-28", "MIT", "none"),
    "nltk": ("3.10.4", "2026-10-21", "Apache-2.0", "click joblib regex tqdm defusedxml"),
}


def dist_size_kib(dist: str) -> int | None:
    try:
        files = metadata.distribution(dist).files or []
    except metadata.PackageNotFoundError:
        return None
    return sum((f.size or 0) for f in files) // 1024


def dist_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

_CLEAN_END = re.compile(r"(?:[.!?]|…)[\"'”’)\]]*$")


@dataclass
class Para:
    text: str
    gold: set[int]
    clean: bool
    line_spans: list[tuple[int, int]]


def load_paragraphs(path: Path) -> list[Para]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [ln.strip() for ln in lines]
    paras = []
    for k in range(0, len(lines), GROUP):
        grp = [ln for ln in lines[k:k + GROUP] if ln]
        if len(grp) < 2:
            continue
        text = " ".join(grp)
        spans, pos = [], 0
        for ln in grp:
            spans.append((pos, pos + len(ln)))
            pos += len(ln) + 1
        gold = {a for a, _ in spans[1:]}
        clean = all(_CLEAN_END.search(ln) for ln in grp)
        paras.append(Para(text, gold, clean, spans))
    return paras


# --------------------------------------------------------------------------
# Hard cases (diplomatic / official news style)
# --------------------------------------------------------------------------

# Each entry: (id, gold sentences) or (id, gold sentences, explicit text).
HARD_CASES: list[tuple] = [
    ("titles", ["Mr. Wang met Dr. Smith in Beijing on Monday.", "They discussed bilateral trade."]),
    ("US-president", ["U.S. President Joe Biden said the talks were constructive.", "Chinese Foreign Minister Wang Yi agreed."]),
    ("No.5-school", ["Students of No. 5 Middle School visited the exhibition.", "They were welcomed by the curator."]),
    ("UN-SC", ["The draft resolution was submitted to the U.N. Security Council on Friday.", "It was adopted unanimously."]),
    ("US-final", ["The ambassador held talks with officials from the U.S.", "He then flew to Geneva."]),
    ("initials", ["J. R. R. Tolkien is widely read in China.", "His books have been translated into many languages."]),
    ("decimal-pct", ["China's GDP grew 5.2 percent in 2023.", "Consumption was the main driver."]),
    ("decimal-million", ["The city has a population of 3.5 million.", "Its economy relies on tourism."]),
    ("quote-end", ['He said, "We will win."', "Then he left."]),
    ("quote-q-lower", ['"Why would China accept such terms?" the spokesperson asked.', "She did not elaborate."]),
    ("quote-q-upper", ['The reporter asked: "Will the talks resume?"', "The spokesperson declined to comment."]),
    ("curly-quotes", ["“We oppose unilateral sanctions,” the spokesperson said.", "“China will take necessary measures.”", "She gave no details."]),
    ("bracket-inside", ["The agreement (signed in 2015) remains in force.", "Both sides reaffirmed their commitment."]),
    ("bracket-end", ["The ministers reviewed progress (details were not disclosed).", "A joint statement will follow."]),
    ("bracket-sentence", ["(The full text of the statement is attached.)", "Both delegations signed it."]),
    ("am-pm-final", ["The talks began at 9 a.m. and ended at 5 p.m.", "No agreement was reached."]),
    ("am-beijing-time", ["The ceremony will start at 10 a.m. Beijing time on Tuesday.", "Guests should arrive early."]),
    ("eg-ie", ["Several sectors, e.g. agriculture and energy, were discussed.", "Senior officials, i.e. vice-ministers, attended."]),
    ("etc-final", ["The fair showcases textiles, machinery, electronics, etc.", "More than 500 companies attended."]),
    ("etc-mid", ["Textiles, machinery, electronics, etc. were on display.", "The fair closes on Sunday."]),
    ("ellipsis-final", ["The minister paused...", "Then he continued his speech."]),
    ("ellipsis-unicode", ["The answer was not clear…", "Reporters pressed him again."]),
    ("ellipsis-mid", ["The talks were... productive, officials said.", "A second round is planned."]),
    ("Q-A", ["Q: Will China attend the summit?", "A: China will send a high-level delegation."]),
    ("Jan-1", ["The new regulations take effect on Jan. 1, 2024.", "They replace the 2015 rules."]),
    ("Sept-final", ["The law took effect on Sept. 1.", "Enforcement begins next year."]),
    ("St-Petersburg", ["The forum was held in St. Petersburg, Russia.", "Delegates from 130 countries attended."]),
    ("Gov", ["Gov. Gavin Newsom visited Shanghai.", "He met local officials."]),
    ("Inc-mid", ["Apple Inc. announced new investment in China.", "The company did not give figures."]),
    ("Inc-final", ["The contract was signed with Acme Inc.", "The terms were not disclosed."]),
    ("numbered-list", ["The plan has three priorities.", "1. Expand trade.", "2. Deepen investment.", "3. Promote exchanges."]),
    ("xinhua-dateline", ["BEIJING, Jan. 5 (Xinhua) -- Chinese President Xi Jinping met visiting Prime Minister Anthony Albanese on Monday.", "The two sides exchanged views on regional issues."]),
    ("Sen-Rep", ["Sen. Elizabeth Warren and Rep. Nancy Pelosi attended the hearing.", "Both criticized the proposal."]),
    ("Prof", ["Prof. Li Wei of Tsinghua University spoke at the forum.", "His speech focused on climate policy."]),
    ("year-start", ["Bilateral trade hit a record in 2023.", "2024 is expected to be even stronger."]),
    ("exclamation", ["Long live the friendship between our two peoples!", "The audience applauded."]),
    ("vs", ["The final, China vs. Japan, ended in a draw.", "Fans celebrated in Tokyo."]),
    ("Nos-No", ["Units Nos. 3 and 4 were shut down for inspection.", "No radiation leak was detected."]),
    ("UK-final", ["Trade talks resumed between China and the U.K.", "Both sides welcomed the move."]),
    ("PhD-Jr-double-space", ["She holds a Ph.D. from Peking University.", "Martin Luther King Jr. inspired her work.", "She said so in an interview."],
     "She holds a Ph.D. from Peking University.  Martin Luther King Jr. inspired her work.\nShe said so in an interview."),
]


def hard_case_text(case: tuple) -> str:
    return case[2] if len(case) > 2 else " ".join(case[1])


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0
    n: int = 0

    def add(self, gold: set[int], pred: set[int]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        self.exact += gold == pred
        self.n += 1

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    @property
    def exact_rate(self) -> float:
        return self.exact / self.n if self.n else 0.0


def predict(cand: Candidate, text: str) -> set[int]:
    try:
        return starts_to_boundaries(text, cand.splitter(text))
    except AlignError:
        cand.offset_errors += 1
        return set()


def fmt_size(kib: int | None) -> str:
    if kib is None:
        return "-"
    return f"{kib / 1024:.1f}M" if kib >= 1024 else f"{kib}K"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    ap.add_argument("--failures", action="store_true", help="list hard-case misses")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs (best of)")
    ap.add_argument("--only", nargs="*", help="restrict to these candidate names")
    args = ap.parse_args(argv)

    cands = [c for c in CANDIDATES if not args.only or c.name in args.only]
    for c in cands:
        try:
            c.splitter = c.make()
            c.splitter("Warm up. This is a test.")
        except ImportError as e:
            c.error = f"not installed ({e.name})"
        except Exception as e:  # noqa: BLE001 - report anything else
            c.error = f"error: {type(e).__name__}: {e}"
    live = [c for c in cands if c.splitter and not c.error]

    data = {}
    for ds in DATASETS:
        p = args.data_dir / f"{ds}.en"
        if p.exists():
            data[ds] = load_paragraphs(p)
        else:
            print(f"warning: {p} missing, skipped", file=sys.stderr)

    # --- corpus boundaries -------------------------------------------------
    preds = {c.name: {ds: [predict(c, p.text) for p in paras] for ds, paras in data.items()}
             for c in live}
    # Line-internal splits (counted as FP against the line gold) that a strict
    # majority of the real libraries + baseline agree on are probably true
    # multi-sentence lines; splits that only a minority makes are "odd splits",
    # most of which are genuine errors.
    voters = [c.name for c in live
              if c.name != "nltk-punkt-untrained" and not c.name.endswith("+postfix")]
    votes: dict[tuple[str, int, int], int] = {}
    for name in voters:
        for ds, plist in preds[name].items():
            for k, pred in enumerate(plist):
                for b in pred - data[ds][k].gold:
                    votes[(ds, k, b)] = votes.get((ds, k, b), 0) + 1
    majority = {key for key, v in votes.items() if v > len(voters) / 2}
    majority_by_para: dict[tuple[str, int], list] = {}
    for key in majority:
        majority_by_para.setdefault(key[:2], []).append(key)

    tot_all = {c.name: Score() for c in live}
    tot_clean = {c.name: Score() for c in live}
    tot_silver = {c.name: Score() for c in live}
    odd = {c.name: 0 for c in live}
    per_ds = {c.name: {} for c in live}
    for ds, paras in data.items():
        for c in live:
            s_all, s_clean = Score(), Score()
            for k, para in enumerate(paras):
                pred = preds[c.name][ds][k]
                s_all.add(para.gold, pred)
                tot_all[c.name].add(para.gold, pred)
                if para.clean:
                    s_clean.add(para.gold, pred)
                    tot_clean[c.name].add(para.gold, pred)
                odd[c.name] += sum((ds, k, b) not in majority for b in pred - para.gold)
                silver = para.gold | {b for (d, kk, b) in majority_by_para.get((ds, k), ())}
                tot_silver[c.name].add(silver, pred)
            per_ds[c.name][ds] = (s_all, s_clean)

    # --- hard cases ----------------------------------------------------------
    hard_ok, hard_fail = {}, {}
    for c in live:
        ok, fails = 0, []
        for case in HARD_CASES:
            text = hard_case_text(case)
            pred = boundaries_to_sentences(text, predict(c, text))
            if pred == list(case[1]):
                ok += 1
            else:
                fails.append((case[0], pred))
        hard_ok[c.name], hard_fail[c.name] = ok, fails

    # --- speed ---------------------------------------------------------------
    speed = {}
    if not args.no_speed and "wmt18" in data:
        texts = [p.text for p in data["wmt18"]]
        n_sent = sum(len(p.gold) + 1 for p in data["wmt18"])
        for c in live:
            best = float("inf")
            for _ in range(max(1, args.repeat)):
                t0 = time.perf_counter()
                for t in texts:
                    try:
                        c.splitter(t)
                    except AlignError:
                        pass
                best = min(best, time.perf_counter() - t0)
            speed[c.name] = n_sent / best

    # --- report --------------------------------------------------------------
    n_para = sum(len(v) for v in data.values())
    n_clean = sum(p.clean for v in data.values() for p in v)
    print(f"Data: {', '.join(data)} from {args.data_dir}")
    print(f"{n_para} paragraphs of {GROUP} lines ({n_clean} clean); "
          f"{len(HARD_CASES)} hard cases\n")

    headers = ["splitter", "P/R/F1 all", "exact all", "P/R/F1 clean", "exact clean",
               "silver F1", "odd", "hard", "sent/s"]
    rows = []
    for c in cands:
        if c.error:
            rows.append([c.name, c.error] + [""] * (len(headers) - 2))
            continue
        a, k = tot_all[c.name], tot_clean[c.name]
        rows.append([
            c.name,
            f"{a.p:.3f}/{a.r:.3f}/{a.f1:.3f}",
            f"{a.exact_rate:.1%}",
            f"{k.p:.3f}/{k.r:.3f}/{k.f1:.3f}",
            f"{k.exact_rate:.1%}",
            f"{tot_silver[c.name].f1:.3f}",
            str(odd[c.name]),
            f"{hard_ok[c.name]}/{len(HARD_CASES)}",
            f"{speed[c.name]:,.0f}" if c.name in speed else "-",
        ])
    print_table(headers, rows)

    print("\nPackages (release date and licence from PyPI, 2026-11-24; size = installed files):")
    pkg_rows = []
    for c in cands:
        if not c.dist:
            pkg_rows.append([c.name, "(this file)", "-", "-", "-", "stdlib re", c.offsets])
            continue
        ver, released, lic, deps = PKG_INFO.get(c.dist, ("-", "-", "-", "-"))
        installed = dist_version(c.dist)
        pkg_rows.append([
            c.name, installed, released if installed == ver else f"{released} (for {ver})",
            lic, fmt_size(dist_size_kib(c.dist)), deps,
            c.offsets + (f" [{c.offset_errors} align errors]" if c.offset_errors else ""),
        ])
    print_table(["splitter", "version", "last release", "licence", "size", "runtime deps",
                 "char offsets"], pkg_rows)

    print("\nF1 per dataset (all / clean):")
    ds_rows = []
    for c in live:
        ds_rows.append([c.name] + [
            f"{per_ds[c.name][ds][0].f1:.3f} / {per_ds[c.name][ds][1].f1:.3f}" for ds in data
        ])
    print_table(["splitter"] + list(data), ds_rows)

    print(f"\nLine-internal splits agreed by a majority of the {len(voters)} voters "
          f"(likely real multi-sentence lines, counted as FP above): {len(majority)}."
          "\n'silver F1' = F1 on all paragraphs against line joins + those majority splits "
          "(circular, but it separates the candidates)."
          "\n'odd' = line-internal splits made by this splitter but not by that "
          "majority (mostly genuine false splits).")

    if args.failures:
        for c in live:
            print(f"\nHard-case misses for {c.name} ({len(hard_fail[c.name])}):")
            for cid, pred in hard_fail[c.name]:
                print(f"  {cid}: {pred}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

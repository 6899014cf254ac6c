"""Accuracy, speed and memory of ``tm_builder.align`` on synthetic document pairs.

Run from anywhere (a full run is meant to stay under about 10 minutes on a
quiet 2-core machine):

    python bench/align_eval.py                          # every set, every scorer set, large case
    python bench/align_eval.py --docs-limit 2 --skip-large      # a quick run
    python bench/align_eval.py --sets wmt17 --scorers default,gale-church
    python bench/align_eval.py --scorers embedding,default+embedding --skip-large   # slow, ~7 min
    python bench/align_eval.py --aligner diagonal        # sanity check of the bench itself
    python bench/align_eval.py --aligner oracle          # must score exactly 1.000

Data
----
``shared/data/zh-en/{wmt17,wmt18,flores-dev,flores-test}.{zh,en}`` (beside the
checkout): human-translated test sets, one sentence per line, line-aligned.
They are line-aligned 1-1, so the bench turns them into realistic *document
pairs* with a known gold alignment (``random.Random`` seeded with
``"SEED:SET"``, so every set is reproducible on its own):

1. Consecutive lines are grouped into paragraphs of 3-8 lines (uniform), and
   paragraphs into documents of 20-40 paragraphs (uniform; about 100-200
   sentences a side).  A remainder of fewer than 10 paragraphs at the end of a
   set joins the last document.
2. Deletions: each zh line is deleted with probability 2 %, and each en line,
   independently, with probability 2 %.  A line kept on one side only becomes
   a 1-0 (zh only) or 0-1 (en only) gold bead; a line deleted on both sides
   just disappears.
3. Merges (English side): the number of merges is binomial over the
   document's adjacent line pairs inside paragraphs (8 % each); they are
   placed on pairs drawn at random among those with neither line deleted on
   either side, no line in two merges.  The two English sentences are joined
   with a space, giving a 2-1 gold bead (zh[i], zh[i+1]) -> en[merged].
4. Splits (English side): the number of splits is binomial over the
   document's lines (5 % each); they are placed on lines drawn at random
   among those not deleted, not merged, whose English has a clause boundary
   -- ``,`` or ``;`` followed by a space, between 30 % and 70 % of the
   sentence, both halves at least 3 words (lines without one are never
   split).  The boundary nearest the middle is used; its punctuation becomes
   ``.`` and the second half's first letter is capitalised.  This gives a
   1-2 bead.  Merges and splits never touch the same line.

The actual counts of every operation are printed with the data statistics.

Large case: the documents of the selected sets (perturbed as above) are
concatenated in order, then again with fresh perturbations (seed
``"SEED:SET:passN"``) until the zh side holds N sentences; the pair is cut at
the last bead boundary at or before N zh sentences (the en side comes out
at about N).
N = 2,500, 5,000 and 10,000 by default (``--large-sizes``), to show how time
and memory grow.  Only the default scorer configuration runs it unless
``--large-scorers`` says otherwise.

Metrics
-------
Strict and lax precision / recall / F1 exactly as Vecalign's ``score.py``
(github.com/thompsonb/vecalign, after Sennrich & Volk's lax/strict scheme),
micro-averaged over the documents of a set (counts summed, then P/R/F1):

* Beads empty on both sides are dropped; beads are compared as sets.
* Precision: every test bead (1-0 / 0-1 deletions *included*, as Vecalign
  does) counts; it is a strict true positive if it equals a gold bead
  (gold deletions included), a lax true positive if instead any of its zh
  sentences is aligned in gold to any of its en sentences, otherwise a false
  positive.  A test deletion bead that is not exactly a gold bead is thus a
  false positive, strict and lax.
* Recall: the same computation with the roles swapped and deletion beads
  removed from *both* gold and test (Vecalign's "recall is precision with no
  insertion/deletion and swap args").
* F1 = 2PR / (P + R), strict and lax separately.

The per-set table also gives, for each gold bead type, the fraction of gold
beads of that type found exactly in the output ("R 1-1", "R 2-1", "R 1-2",
"R del" for 1-0 and 0-1 together): not part of Vecalign's metric, a
diagnostic of where errors come from.

Speed and memory
----------------
Every (set, scorer configuration) pair, and every large size, runs in a fresh
subprocess (the script calls itself with ``--_worker``), so that peak memory
is its own:

* The worker imports ``tm_builder.align`` and builds the data (not timed),
  records its resident set size (*RSS before*), then makes one untimed
  warm-up call on a 3 x 3-sentence pair (its time is *warm-up s*: lazy
  loading of lexicons or models shows there).
* Each document pair is then aligned with one ``align_sentences`` call, timed
  with ``time.perf_counter`` around that call only.  *sent/s* is the zh + en
  sentences of all documents over the summed call time.
* *peak RSS MiB*: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the worker
  at the end (interpreter, numpy, data, warm-up and all alignments), and
  *+MiB*: that peak minus RSS before, i.e. what alignment itself added at
  its worst.  (Process RSS, not tracemalloc: native numpy buffers count.)

Validity: for every output, the concatenation of the beads' zh indices must
be exactly 0..len(zh)-1 and the en indices 0..len(en)-1 (every sentence
exactly once, in order); scores must be finite and in [0, 1].  Violations,
exceptions and timeouts are reported in the *check* column and listed after
the tables.

Aligners: ``--aligner tm_builder`` (the default) calls
``tm_builder.align.align_sentences(zh, en, scorers=SCORER_SETS[name])`` for
every name in ``SCORER_SETS``, except that the row "default" calls it with
``scorers=None`` (the API's default combination; a row "(default)" is added
when ``SCORER_SETS`` has no "default").  Every name runs unless ``--scorers``
picks some, except names containing "embed": the embedding scorer aligns
50-170 sentences/s here (against about 1,000 for the default), and its two
configurations alone took about 7 minutes of a 10-minute full run, so they
run only when ``--scorers`` names them.  A configuration whose warm-up call
raises (an optional dependency missing, say) is reported "unavailable" and
skipped.
``--aligner diagonal`` (each zh sentence i takes the en sentences
floor(i*m/n) .. floor((i+1)*m/n)-1) and ``--aligner oracle`` (the gold beads)
are built in, to check the bench without the module.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import math
import os
import platform
import random
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data" / "zh-en"
DATASETS = ("wmt17", "wmt18", "flores-dev", "flores-test")

sys.path.insert(0, str(ROOT / "src"))

DEFAULT_SEED = 20250312
PARA_LINES = (3, 8)  # lines per paragraph, inclusive
DOC_PARAS = (20, 40)  # paragraphs per document, inclusive
MIN_LAST_DOC_PARAS = 10  # a shorter remainder joins the previous document
DELETE_P = 0.02  # per line, per side, independently
MERGE_P = 0.08  # per adjacent pair of lines inside a paragraph
SPLIT_P = 0.05  # target share of eligible lines split
SPLIT_WINDOW = (0.3, 0.7)  # clause boundary position, share of characters
SPLIT_MIN_WORDS = 3
LARGE_SIZES = (2500, 5000, 10000)
SLOW_MARK = "embed"  # scorer-set names containing this run only when --scorers names them
DEFAULT_LABEL = "(default)"

Bead = tuple[tuple[int, ...], tuple[int, ...]]


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


@dataclass
class DocPair:
    name: str
    zh: list[str]
    en: list[str]
    gold: list[Bead]
    ops: Counter = field(default_factory=Counter)


def read_set(name: str) -> tuple[list[str], list[str]]:
    zh = (DATA_DIR / f"{name}.zh").read_text(encoding="utf-8").splitlines()
    en = (DATA_DIR / f"{name}.en").read_text(encoding="utf-8").splitlines()
    if len(zh) != len(en):
        raise SystemExit(f"{name}: {len(zh)} zh lines but {len(en)} en lines")
    return zh, en


_BOUNDARY = re.compile(r"[,;]\s+")


def clause_split(sentence: str) -> tuple[str, str] | None:
    """The sentence cut at the clause boundary nearest its middle, or None."""
    n = len(sentence)
    best = None
    for m in _BOUNDARY.finditer(sentence):
        if not SPLIT_WINDOW[0] * n <= m.start() <= SPLIT_WINDOW[1] * n:
            continue
        left, right = sentence[: m.start()].rstrip(), sentence[m.end() :].lstrip()
        if len(left.split()) < SPLIT_MIN_WORDS or len(right.split()) < SPLIT_MIN_WORDS:
            continue
        if best is None or abs(m.start() - n / 2) < abs(best[0] - n / 2):
            best = (m.start(), left, right)
    if best is None:
        return None
    _, left, right = best
    return left + ".", right[:1].upper() + right[1:]


def group_documents(n_lines: int, rng: random.Random) -> list[list[tuple[int, int]]]:
    """Documents as lists of paragraphs (start, end) over line numbers."""
    paragraphs = []
    start = 0
    while start < n_lines:
        end = min(n_lines, start + rng.randint(*PARA_LINES))
        paragraphs.append((start, end))
        start = end
    docs: list[list[tuple[int, int]]] = []
    i = 0
    while i < len(paragraphs):
        k = rng.randint(*DOC_PARAS)
        docs.append(paragraphs[i : i + k])
        i += k
    if len(docs) > 1 and len(docs[-1]) < MIN_LAST_DOC_PARAS:
        docs[-2].extend(docs.pop())
    return docs


def perturb(name: str, zh_lines: list[str], en_lines: list[str],
            paragraphs: list[tuple[int, int]], rng: random.Random) -> DocPair:
    """One document pair with deletions, merges and splits, and its gold beads."""
    first, last = paragraphs[0][0], paragraphs[-1][1]
    lines = range(first, last)
    del_zh = {i: rng.random() < DELETE_P for i in lines}
    del_en = {i: rng.random() < DELETE_P for i in lines}
    deleted = {i for i in lines if del_zh[i] or del_en[i]}

    # Merges: a binomial number of the adjacent pairs (MERGE_P each), placed on
    # random eligible pairs (neither line deleted, no line in two merges).
    pairs = [i for start, end in paragraphs for i in range(start, end - 1)]
    n_merges = sum(rng.random() < MERGE_P for _ in pairs)
    candidates = [i for i in pairs if i not in deleted and i + 1 not in deleted]
    rng.shuffle(candidates)
    merged: set[int] = set()  # first line of each merged pair
    in_merge: set[int] = set()
    for i in candidates:
        if len(merged) == n_merges:
            break
        if i not in in_merge and i + 1 not in in_merge:
            merged.add(i)
            in_merge.update((i, i + 1))

    # Splits: a binomial number of the lines (SPLIT_P each), placed on random
    # lines that have a clause boundary and are neither deleted nor merged.
    n_splits = sum(rng.random() < SPLIT_P for _ in lines)
    splittable = {i: parts for i in lines
                  if i not in deleted and i not in in_merge and (parts := clause_split(en_lines[i]))}
    chosen = rng.sample(sorted(splittable), min(n_splits, len(splittable)))
    splits = {i: splittable[i] for i in chosen}

    zh: list[str] = []
    en: list[str] = []
    gold: list[Bead] = []
    ops: Counter = Counter(lines=len(lines), pairs=sum(e - b - 1 for b, e in paragraphs))

    def emit(zs: list[str], es: list[str]) -> None:
        src = tuple(range(len(zh), len(zh) + len(zs)))
        tgt = tuple(range(len(en), len(en) + len(es)))
        zh.extend(zs)
        en.extend(es)
        gold.append((src, tgt))

    i = first
    while i < last:
        if del_zh[i] and del_en[i]:
            ops["deleted both"] += 1
        elif del_zh[i]:
            ops["deleted zh"] += 1
            emit([], [en_lines[i]])
        elif del_en[i]:
            ops["deleted en"] += 1
            emit([zh_lines[i]], [])
        elif i in merged:
            ops["merged"] += 1
            emit([zh_lines[i], zh_lines[i + 1]], [en_lines[i] + " " + en_lines[i + 1]])
            i += 1
        elif i in splits:
            ops["split"] += 1
            emit([zh_lines[i]], list(splits[i]))
        else:
            emit([zh_lines[i]], [en_lines[i]])
        i += 1
    return DocPair(name, zh, en, gold, ops)


def build_set(name: str, seed: int, docs_limit: int | None = None,
              tag: str = "") -> list[DocPair]:
    zh_lines, en_lines = read_set(name)
    rng = random.Random(f"{seed}:{name}{tag}")
    docs = group_documents(len(zh_lines), rng)
    out = []
    for k, paragraphs in enumerate(docs):
        out.append(perturb(f"{name}#{k}", zh_lines, en_lines, paragraphs, rng))
    # The limit applies after generating, so a limited run sees the same documents.
    return out[:docs_limit] if docs_limit else out


def build_large(sets: list[str], seed: int, n_zh: int) -> DocPair:
    """One document pair of about n_zh zh sentences from the sets' documents."""

    def documents():
        n_pass = 0
        while True:
            tag = f":pass{n_pass}" if n_pass else ""
            for name in sets:
                yield from build_set(name, seed, tag=tag)
            n_pass += 1

    zh: list[str] = []
    en: list[str] = []
    gold: list[Bead] = []
    for d in documents():
        a, b = len(zh), len(en)
        for s, t in d.gold:
            if len(zh) + len(s) > n_zh or len(zh) >= n_zh:
                return DocPair(f"large-{n_zh}", zh, en, gold)
            gold.append((tuple(x + a for x in s), tuple(y + b for y in t)))
            zh.extend(d.zh[i] for i in s)
            en.extend(d.en[j] for j in t)
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------
# Metrics (Vecalign score.py semantics)
# --------------------------------------------------------------------------


def _precision_counts(gold: list[Bead], test: list[Bead]) -> list[int]:
    """[tp_strict, fp_strict, tp_lax, fp_lax] of test against gold."""
    test_set = {(tuple(s), tuple(t)) for s, t in test if len(s) or len(t)}
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if len(s) or len(t)}
    src_to_gold_tgt: dict[int, set[int]] = {}
    for s, t in gold_set:
        for i in s:
            src_to_gold_tgt.setdefault(i, set()).update(t)
    tps = fps = tpl = fpl = 0
    for s, t in test_set:
        if (s, t) in gold_set:
            tps += 1
            tpl += 1
            continue
        fps += 1
        targets: set[int] = set()
        for i in s:
            targets |= src_to_gold_tgt.get(i, set())
        if targets.intersection(t):
            tpl += 1
        else:
            fpl += 1
    return [tps, fps, tpl, fpl]


def score(golds: list[list[Bead]], tests: list[list[Bead]]) -> dict[str, float]:
    """Strict and lax P/R/F1 over several documents, as Vecalign's score_multiple."""
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in zip(golds, tests, strict=True):
        p = [a + b for a, b in zip(p, _precision_counts(gold, test))]
        gold_nd = [(s, t) for s, t in gold if len(s) and len(t)]
        test_nd = [(s, t) for s, t in test if len(s) and len(t)]
        r = [a + b for a, b in zip(r, _precision_counts(test_nd, gold_nd))]

    def ratio(a: int, b: int) -> float:
        return a / (a + b) if a + b else 0.0

    def f1(x: float, y: float) -> float:
        return 2 * x * y / (x + y) if x + y else 0.0

    ps, pl, rs, rl = ratio(p[0], p[1]), ratio(p[2], p[3]), ratio(r[0], r[1]), ratio(r[2], r[3])
    return {"p_strict": ps, "r_strict": rs, "f1_strict": f1(ps, rs),
            "p_lax": pl, "r_lax": rl, "f1_lax": f1(pl, rl)}


def bead_type(b: Bead) -> str:
    s, t = b
    if not s or not t:
        return "del"
    return f"{len(s)}-{len(t)}"


def type_recall(golds: list[list[Bead]], tests: list[list[Bead]]) -> dict[str, list[int]]:
    """Per gold bead type: [found exactly, total]."""
    out: dict[str, list[int]] = {}
    for gold, test in zip(golds, tests, strict=True):
        test_set = {(tuple(s), tuple(t)) for s, t in test}
        for b in gold:
            c = out.setdefault(bead_type(b), [0, 0])
            c[0] += b in test_set
            c[1] += 1
    return out


def check_alignment(beads, n_zh: int, n_en: int) -> list[str]:
    """Problems with an output: coverage, order, scores."""
    problems = []
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    for side, idx, n in (("zh", src, n_zh), ("en", tgt, n_en)):
        if idx != list(range(n)):
            c = Counter(idx)
            missing = n - len(set(idx) & set(range(n)))
            dup = sum(v - 1 for v in c.values() if v > 1)
            bad = sum(1 for i in c if not (isinstance(i, int) and 0 <= i < n))
            unordered = sum(1 for a, b in zip(idx, idx[1:]) if b <= a)
            problems.append(f"{side} indices: {missing} missing, {dup} duplicated, "
                            f"{bad} out of range, {unordered} out of order")
    empty = sum(1 for b in beads if not b.src and not b.tgt)
    if empty:
        problems.append(f"{empty} beads empty on both sides")
    bad_scores = 0
    for b in beads:
        try:
            ok = math.isfinite(float(b.score)) and 0.0 <= float(b.score) <= 1.0
        except (TypeError, ValueError):
            ok = False
        bad_scores += not ok
    if bad_scores:
        problems.append(f"{bad_scores} scores not finite in [0, 1]")
    return problems


# --------------------------------------------------------------------------
# Aligners
# --------------------------------------------------------------------------


@dataclass
class _Bead:
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 1.0


def diagonal_align(zh: list[str], en: list[str]) -> list[_Bead]:
    n, m = len(zh), len(en)
    if n == 0:
        return [_Bead((), (j,)) for j in range(m)]
    beads = [_Bead((i,), tuple(range(i * m // n, (i + 1) * m // n))) for i in range(n)]
    return beads


def default_name(name: str, scorer_sets: dict) -> str:
    """'(default)' and 'default' are the same row when SCORER_SETS has 'default'."""
    if name == DEFAULT_LABEL and "default" in scorer_sets:
        return "default"
    return name


def make_aligner(kind: str, scorer: str | None, gold_for: dict[int, list[Bead]]):
    """A function (zh, en) -> list of beads with .src, .tgt, .score."""
    if kind == "diagonal":
        return diagonal_align
    if kind == "oracle":
        def oracle(zh, en):
            gold = gold_for.get(id(zh))
            if gold is None:  # the warm-up call
                return diagonal_align(zh, en)
            return [_Bead(s, t) for s, t in gold]
        return oracle
    from tm_builder.align import SCORER_SETS, align_sentences

    scorers = None if scorer in (DEFAULT_LABEL, "default") else SCORER_SETS[scorer]
    return lambda zh, en: align_sentences(zh, en, scorers=scorers).beads


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------
# Worker (one subprocess per configuration)
# --------------------------------------------------------------------------


def worker(spec: dict) -> dict:
    t0 = time.perf_counter()
    if spec["aligner"] == "tm_builder":
        importlib.import_module("tm_builder.align")  # import cost is not alignment time
    import_s = time.perf_counter() - t0
    if spec["large"]:
        docs = [build_large(spec["sets"], spec["seed"], spec["large"])]
    else:
        docs = build_set(spec["set"], spec["seed"], spec["docs_limit"])
    gold_for = {id(d.zh): d.gold for d in docs}
    align = make_aligner(spec["aligner"], spec["scorer"], gold_for)
    rss_before = rss_mib()

    t0 = time.perf_counter()
    warm_error = None
    try:
        align(["第一句。", "第二句，很长。", "第三句。"],
              ["First sentence.", "The second one, long.", "Third."])
    except Exception as e:  # noqa: BLE001 -- reported, not hidden
        warm_error = f"{type(e).__name__}: {e}"
    warmup_s = time.perf_counter() - t0
    if warm_error is not None:  # e.g. an optional dependency is missing: no documents
        return {"failed": f"unavailable: warm-up call raised {warm_error}"}

    tests: list[list[Bead]] = []
    problems: list[str] = []
    align_s = 0.0
    for d in docs:
        t0 = time.perf_counter()
        try:
            beads = align(d.zh, d.en)
            align_s += time.perf_counter() - t0
        except Exception as e:  # noqa: BLE001
            align_s += time.perf_counter() - t0
            problems.append(f"{d.name}: {type(e).__name__}: {e}")
            tests.append([])
            continue
        tests.append([(tuple(b.src), tuple(b.tgt)) for b in beads])
        problems.extend(f"{d.name} ({len(d.zh)}x{len(d.en)}): {p}"
                        for p in check_alignment(beads, len(d.zh), len(d.en)))
    golds = [d.gold for d in docs]
    pred_types: Counter = Counter(f"{len(b[0])}-{len(b[1])}" for t in tests for b in t)
    gold_types: Counter = Counter(f"{len(b[0])}-{len(b[1])}" for g in golds for b in g)
    return {
        "n_docs": len(docs),
        "n_zh": sum(len(d.zh) for d in docs),
        "n_en": sum(len(d.en) for d in docs),
        "import_s": import_s,
        "warmup_s": warmup_s,
        "warm_error": warm_error,
        "align_s": align_s,
        "rss_before": rss_before,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "scores": score(golds, tests),
        "type_recall": type_recall(golds, tests),
        "pred_types": dict(pred_types),
        "gold_types": dict(gold_types),
        "problems": problems,
    }


def run_worker(spec: dict, timeout: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        spec_path, out_path = Path(tmp, "spec.json"), Path(tmp, "out.json")
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", str(spec_path), str(out_path)]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"failed": f"timeout after {timeout:.0f} s", "wall_s": time.perf_counter() - t0}
        wall = time.perf_counter() - t0
        if proc.returncode != 0 or not out_path.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
            return {"failed": f"exit {proc.returncode}: " + " | ".join(tail), "wall_s": wall}
        result = json.loads(out_path.read_text(encoding="utf-8"))
        result["wall_s"] = wall
        return result


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    def line(cells):
        return "  ".join(str(c).ljust(w) if k == 0 else str(c).rjust(w)
                         for k, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def fmt_recall(tr: dict, key: str) -> str:
    c = tr.get(key)
    return f"{c[0] / c[1]:.3f}" if c and c[1] else "-"


def check_cell(r: dict) -> str:
    if "failed" in r:
        return "unavailable" if r["failed"].startswith("unavailable") else "FAILED"
    n = len(r["problems"]) + (r["warm_error"] is not None)
    return "ok" if n == 0 else f"{n} issue(s)"


def result_row(label: str, r: dict) -> list[str]:
    if "failed" in r:
        return [label] + ["-"] * 12 + [check_cell(r)]
    s = r["scores"]
    tr = r["type_recall"]
    sps = (r["n_zh"] + r["n_en"]) / r["align_s"] if r["align_s"] > 0 else float("inf")
    return [label, f"{s['p_strict']:.3f}", f"{s['r_strict']:.3f}", f"{s['f1_strict']:.3f}",
            f"{s['f1_lax']:.3f}", fmt_recall(tr, "1-1"), fmt_recall(tr, "2-1"),
            fmt_recall(tr, "1-2"), fmt_recall(tr, "del"), f"{r['align_s']:.2f}",
            f"{sps:,.0f}", f"{r['warmup_s']:.2f}", f"{r['peak_rss']:.0f} (+{r['peak_rss'] - r['rss_before']:.0f})",
            check_cell(r)]


RESULT_HEADERS = ["scorers", "P strict", "R strict", "F1 strict", "F1 lax", "R 1-1", "R 2-1",
                  "R 1-2", "R del", "align s", "sent/s", "warm-up s", "peak RSS MiB (+)", "check"]


SHAPES = ("1-1", "2-1", "1-2", "2-2", "1-3", "3-1", "1-0", "0-1")


def shape_table(first: dict | None, results: list[tuple[str, dict]]) -> str:
    """Bead shapes: gold, then each configuration's output."""
    if first is None:
        return ""
    def row(label: str, counts: dict) -> list[str]:
        other = sum(v for k, v in counts.items() if k not in SHAPES)
        return [label, *(str(counts.get(k, 0)) for k in SHAPES), str(other)]
    rows = [row("gold", first["gold_types"])]
    rows += [row(sc, r["pred_types"]) for sc, r in results if "pred_types" in r]
    return "bead shapes:\n" + table(["", *SHAPES, "other"], rows)


def git_state() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
        state = head + (" + uncommitted changes under src/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        state = "unknown"
    align_dir = ROOT / "src" / "tm_builder" / "align"
    if align_dir.is_dir():
        digest = hashlib.sha256()
        for path in sorted(align_dir.rglob("*.py")):
            digest.update(str(path.relative_to(align_dir)).encode() + b"\0" + path.read_bytes())
        state += f"; sha256 of src/tm_builder/align/**/*.py {digest.hexdigest()[:12]}"
    return state


def data_summary(sets: list[str], seed: int, docs_limit: int | None) -> str:
    rows = []
    for name in sets:
        docs = build_set(name, seed, docs_limit)
        ops: Counter = Counter()
        types: Counter = Counter()
        for d in docs:
            ops.update(d.ops)
            types.update(bead_type(b) if bead_type(b) != "del" else
                         ("1-0" if b[0] else "0-1") for b in d.gold)
        sizes = [len(d.zh) for d in docs]
        n = ops["lines"]
        rows.append([name, str(len(docs)), str(n), str(sum(sizes)), str(sum(len(d.en) for d in docs)),
                     f"{min(sizes)}/{sum(sizes) / len(sizes):.0f}/{max(sizes)}",
                     f"{ops['merged']} ({ops['merged'] / ops['pairs']:.1%})",
                     f"{ops['split']} ({ops['split'] / n:.1%})",
                     f"{ops['deleted zh'] + ops['deleted both']} ({(ops['deleted zh'] + ops['deleted both']) / n:.1%})",
                     f"{ops['deleted en'] + ops['deleted both']} ({(ops['deleted en'] + ops['deleted both']) / n:.1%})",
                     " ".join(f"{k}:{types[k]}" for k in ("1-1", "2-1", "1-2", "1-0", "0-1"))])
    return table(["set", "docs", "lines", "zh sents", "en sents", "zh/doc min/mean/max",
                  "merged (of adjacent pairs)", "split (of lines)", "del zh", "del en", "gold beads"], rows)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_list(s: str | None) -> list[str] | None:
    return [x.strip() for x in s.split(",") if x.strip()] if s else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", help=f"comma-separated, default {','.join(DATASETS)}")
    ap.add_argument("--scorers", help="comma-separated SCORER_SETS names ('default' runs "
                    f"scorers=None); default: all of them except those containing '{SLOW_MARK}'")
    ap.add_argument("--docs-limit", type=int, help="first N documents of each set (quick run)")
    ap.add_argument("--skip-large", action="store_true", help="skip the large single-document case")
    ap.add_argument("--large-sizes", default=",".join(map(str, LARGE_SIZES)),
                    help="zh sentences of the large cases (default %(default)s)")
    ap.add_argument("--large-scorers", default=DEFAULT_LABEL,
                    help="scorer configurations for the large case (default %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--aligner", choices=("tm_builder", "diagonal", "oracle"), default="tm_builder")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds per worker subprocess (default %(default)s)")
    ap.add_argument("--_worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._worker:
        spec = json.loads(Path(args._worker[0]).read_text(encoding="utf-8"))
        Path(args._worker[1]).write_text(json.dumps(worker(spec)), encoding="utf-8")
        return

    t_start = time.perf_counter()
    sets = parse_list(args.sets) or list(DATASETS)
    for s in sets:
        if s not in DATASETS:
            raise SystemExit(f"unknown set {s!r}; choose from {', '.join(DATASETS)}")

    skipped: list[str] = []
    if args.aligner == "tm_builder":
        from tm_builder.align import SCORER_SETS

        # scorers=None is "the default combination": when SCORER_SETS names one
        # "default", that row calls scorers=None instead of running it twice.
        available = ([] if "default" in SCORER_SETS else [DEFAULT_LABEL]) + list(SCORER_SETS)
        asked = parse_list(args.scorers)
        if asked:
            unknown = [x for x in asked if default_name(x, SCORER_SETS) not in available]
            if unknown:
                raise SystemExit(f"unknown scorer sets {unknown}; SCORER_SETS has {list(SCORER_SETS)}")
            scorers = asked
        else:
            scorers = [x for x in available if SLOW_MARK not in x]
            skipped = [x for x in available if SLOW_MARK in x]
        large_scorers = parse_list(args.large_scorers) or [DEFAULT_LABEL]
        large_scorers = [default_name(x, SCORER_SETS) for x in large_scorers]
        scorers = [default_name(x, SCORER_SETS) for x in scorers]
        scorer_desc = {x: ("scorers=None" if x == DEFAULT_LABEL else f"{SCORER_SETS[x]}") for x in available}
        if "default" in SCORER_SETS:
            scorer_desc["default"] = f"scorers=None, i.e. {SCORER_SETS['default']}"
    else:
        scorers = large_scorers = [args.aligner]
        scorer_desc = {args.aligner: "built-in sanity aligner"}
    large_sizes = [] if args.skip_large else [int(x) for x in parse_list(args.large_sizes) or []]

    print("Sentence alignment benchmark (bench/align_eval.py)")
    print(f"command:      {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"seed:         {args.seed}  (random.Random('SEED:SET'); large-case passes 'SEED:SET:passN')")
    print(f"aligner:      {args.aligner}   tm-builder commit {git_state()}")
    print(f"sets:         {', '.join(sets)}   docs-limit: {args.docs_limit or 'none'}")
    print(f"documents:    paragraphs of {PARA_LINES[0]}-{PARA_LINES[1]} lines, documents of "
          f"{DOC_PARAS[0]}-{DOC_PARAS[1]} paragraphs (~100-200 sentences a side)")
    print(f"perturbation: delete {DELETE_P:.0%} of lines per side independently; merge {MERGE_P:.0%} of "
          f"adjacent en pairs within a paragraph; split {SPLIT_P:.0%} of en sentences at a "
          f"clause boundary ([,;] within {SPLIT_WINDOW[0]:.0%}-{SPLIT_WINDOW[1]:.0%} of length)")
    print("scorer sets:  " + "; ".join(f"{x} = {scorer_desc[x]}" for x in scorers))
    if skipped:
        print(f"not run:      {', '.join(skipped)} (slow: 50-170 sentences/s measured on 2 cores, which "
              "would take a full run past 10 minutes; name them with --scorers)")
    if large_sizes:
        print(f"large case:   {', '.join(map(str, large_sizes))} zh sentences, "
              f"scorers: {', '.join(large_scorers)}")
    else:
        print("large case:   skipped")
    print("metrics:      Vecalign score.py strict/lax P/R/F1, micro-averaged over documents; "
          "memory = worker ru_maxrss (process RSS)")
    print(f"machine:      {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print()
    print("Data (after perturbation; deletions as % of lines, both-side deletions included)")
    print(data_summary(sets, args.seed, args.docs_limit))
    print(flush=True)

    results: dict[tuple[str, str], dict] = {}
    all_problems: list[str] = []
    for set_name in sets:
        rows = []
        for sc in scorers:
            spec = {"aligner": args.aligner, "scorer": sc, "set": set_name, "seed": args.seed,
                    "docs_limit": args.docs_limit, "large": 0, "sets": sets}
            r = run_worker(spec, args.timeout)
            results[(set_name, sc)] = r
            rows.append(result_row(sc, r))
            if "failed" in r:
                all_problems.append(f"[{set_name} / {sc}] {r['failed']}")
            else:
                if r["warm_error"]:
                    all_problems.append(f"[{set_name} / {sc}] warm-up call: {r['warm_error']}")
                all_problems.extend(f"[{set_name} / {sc}] {p}" for p in r["problems"])
        first = next((r for sc in scorers if "n_zh" in (r := results[(set_name, sc)])), None)
        size = (f"{first['n_docs']} docs, {first['n_zh']} zh + {first['n_en']} en sentences"
                if first else "")
        print(f"== {set_name} ({size})")
        print(table(RESULT_HEADERS, rows))
        print(shape_table(first, [(sc, results[(set_name, sc)]) for sc in scorers]))
        print(flush=True)

    print("== Summary: strict F1 (sent/s over all sets)")
    rows = []
    for sc in scorers:
        row = [sc]
        n_sent = t_sum = 0.0
        f1s = []
        for set_name in sets:
            r = results[(set_name, sc)]
            if "failed" in r:
                row.append(check_cell(r))
                continue
            f1s.append(r["scores"]["f1_strict"])
            row.append(f"{r['scores']['f1_strict']:.3f}")
            n_sent += r["n_zh"] + r["n_en"]
            t_sum += r["align_s"]
        row.append(f"{sum(f1s) / len(f1s):.3f}" if f1s else "-")
        row.append(f"{n_sent / t_sum:,.0f}" if t_sum else "-")
        rows.append(row)
    print(table(["scorers", *sets, "mean", "sent/s"], rows))
    print(flush=True)

    if large_sizes:
        print(f"== Large single document pair (sets {', '.join(sets)} concatenated, "
              f"re-perturbed passes appended as needed)")
        rows = []
        for sc in large_scorers:
            prev = None
            for n in large_sizes:
                if prev is not None and "failed" in prev:
                    rows.append([sc, str(n), "-", "-", "-", "-", "-", "-", "skipped (smaller size failed)"])
                    continue
                spec = {"aligner": args.aligner, "scorer": sc, "set": None, "seed": args.seed,
                        "docs_limit": None, "large": n, "sets": sets}
                r = run_worker(spec, args.timeout)
                prev = r
                if "failed" in r:
                    all_problems.append(f"[large {n} / {sc}] {r['failed']}")
                    rows.append([sc, str(n), "-", f">{r['wall_s']:.0f}" if "timeout" in r["failed"] else "-",
                                 "-", "-", "-", "-", "FAILED"])
                    continue
                if r["warm_error"]:
                    all_problems.append(f"[large {n} / {sc}] warm-up call: {r['warm_error']}")
                all_problems.extend(f"[large {n} / {sc}] {p}" for p in r["problems"])
                rows.append([sc, f"{r['n_zh']} x {r['n_en']}", f"{r['scores']['f1_strict']:.3f}",
                             f"{r['align_s']:.2f}", f"{(r['n_zh'] + r['n_en']) / r['align_s']:,.0f}",
                             f"{r['rss_before']:.0f}", f"{r['peak_rss']:.0f}",
                             f"{r['peak_rss'] - r['rss_before']:.0f}", check_cell(r)])
                print(f"   large {n} / {sc}: done in {r['wall_s']:.1f} s wall", flush=True)
        print(table(["scorers", "zh x en", "F1 strict", "align s", "sent/s", "RSS before MiB",
                     "peak RSS MiB", "+MiB", "check"], rows))
        print(flush=True)

    print("== Problems (exceptions, invalid alignments, timeouts)")
    if all_problems:
        for p in all_problems[:200]:
            print("  " + p)
        if len(all_problems) > 200:
            print(f"  ... and {len(all_problems) - 200} more")
    else:
        print("  none: every output covered every sentence exactly once, in order, with scores in [0, 1]")
    print()
    print(f"total runtime {time.perf_counter() - t_start:.0f} s; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Recall, precision, renderings and speed of ``tm_builder.terms`` on the hand-made oracle lists.

Run from anywhere (about a minute on a quiet 2-core machine):

    python bench/terms_eval.py                  # everything
    python bench/terms_eval.py --quick          # seed only, no WMT timing, no segmenter comparison
    python bench/terms_eval.py --show-misses    # also list the oracle terms not found
    python bench/terms_eval.py --pkuseg PATH    # also compare pkuseg (PATH: a site-packages holding pkuseg)

Data (tests/data/terms/README.md): seeds/000_08c510cb1e756111.txt with
seed_terms.tsv (tuning set), heldout.zh/.en with heldout_terms.tsv (held out:
report, never tune), and ``shared/data/zh-en/wmt18.{zh,en}`` beside the checkout
for timing only.

Measures
--------
* Recall: an oracle term is *found* if a candidate equals it (outer quotes
  stripped on both sides), *near* if a candidate contains it or is contained
  in it (2 characters at least).  All rows, and without the rows whose note
  says "borderline".
* Precision of the top 50: a candidate is correct if it equals an oracle term
  (after stripping quotes); borderline rows count as correct for "lax", not for
  "strict".  The top 50 are printed with a mark so a human can judge the rest.
* Both with ``curated=()`` (the honest measure of the miner) and with
  ``curated`` = the ``source`` column of glossary/*.csv, when those files exist.
* Renderings: heldout oracle terms with a target; ``aligned_renderings`` over
  the 200 line-aligned heldout pairs; exact (case-insensitive), overlapping
  (one contains the other, or they share a content word), or none returned.
* Renderings, dev set (the one they were tuned on): curated glossary terms
  (target or a listed variant) over the WMT18 pairs outside the heldout lines.
* Speed: seed and heldout extraction after imports and a warm-up; the first
  4,000 lines of WMT18 zh as one document.
* --pkuseg: the same extractor with pkuseg's words in place of jieba's (the
  tags and general-language counts still come from jieba's dictionary).
"""

from __future__ import annotations

import argparse
import csv
import glob
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm_builder import terms as T  # noqa: E402
from tm_builder.segment import lines_document, segment_file  # noqa: E402

DATA = ROOT / "tests" / "data" / "terms"
SEED_TEXT = ROOT / "seeds" / "000_08c510cb1e756111.txt"
WMT = ROOT.parent / "shared" / "data" / "zh-en" / "wmt18.zh"
if not WMT.exists():
    WMT = Path("/work/shared/data/zh-en/wmt18.zh")


def load_oracle(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def curated_sources() -> list[str]:
    out = []
    for path in sorted(glob.glob(str(ROOT / "glossary" / "*.csv"))):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("source"):
                    out.append(row["source"].strip())
    return out


def strip(s: str) -> str:
    return s.strip().strip("“”\"《》")


def recall(oracle: list[dict[str, str]], cands: list[T.Candidate]) -> dict[str, tuple[int, int, int]]:
    sources = {strip(c.source) for c in cands}
    out = {}
    for name, rows in (("all", oracle), ("strict", [r for r in oracle if "borderline" not in r["note"]])):
        terms = sorted({strip(r["source"]) for r in rows})
        exact = sum(t in sources for t in terms)
        near = sum(t in sources or any(len(s) >= 2 and (t in s or s in t) for s in sources) for t in terms)
        out[name] = (exact, near, len(terms))
    return out


def misses(oracle: list[dict[str, str]], cands: list[T.Candidate]) -> list[str]:
    sources = {strip(c.source) for c in cands}
    return [r["source"] for r in oracle if strip(r["source"]) not in sources]


def top_precision(oracle: list[dict[str, str]], cands: list[T.Candidate], k: int = 50) -> tuple[int, int, list[str]]:
    strict_set = {strip(r["source"]) for r in oracle if "borderline" not in r["note"]}
    lax_set = {strip(r["source"]) for r in oracle}
    strict = lax = 0
    lines = []
    for i, c in enumerate(cands[:k], 1):
        s = strip(c.source)
        mark = "+" if s in strict_set else ("b" if s in lax_set else ("~" if any(s in t or t in s for t in lax_set) else " "))
        strict += s in strict_set
        lax += s in lax_set
        lines.append(f"  {i:2d} {mark} {c.score:6.2f} f={c.frequency:<3d} {c.source}  [{','.join(c.signals)}] {c.kind or '-'}")
    return strict, lax, lines


def run_set(label: str, docs, oracle, curated, show_misses: bool, show_top: bool) -> list[T.Candidate]:
    t0 = time.perf_counter()
    cands = T.extract_terms(docs, curated=curated)
    dt = time.perf_counter() - t0
    r = recall(oracle, cands)
    strict, lax, lines = top_precision(oracle, cands)
    print(f"\n== {label}: {len(cands)} candidates in {dt:.2f} s")
    for name in ("all", "strict"):
        exact, near, n = r[name]
        print(f"   recall {name:6s}: exact {exact}/{n} = {exact / n:.3f}   exact-or-nested {near}/{n} = {near / n:.3f}")
    print(f"   top-50 precision: strict {strict}/50 = {strict / 50:.2f}   with borderline {lax}/50 = {lax / 50:.2f}")
    if show_top:
        print("   top 50 (+ oracle, b borderline oracle, ~ nested in/containing an oracle term):")
        print("\n".join(lines))
    if show_misses:
        print("   missed:", " ".join(misses(oracle, cands)))
    return cands


def renderings(oracle, zh_lines, en_lines) -> None:
    rows = [r for r in oracle if r["target"].strip()]
    terms = sorted({r["source"] for r in rows})
    pairs = list(zip(zh_lines, en_lines))
    t0 = time.perf_counter()
    got = T.aligned_renderings(terms, pairs)
    dt = time.perf_counter() - t0
    stop = {"the", "of", "and", "a", "an", "in", "on", "for", "to", "with", "between", "by"}

    def words(s: str) -> set[str]:
        return {w for w in re.findall(r"[a-z0-9]+", s.lower()) if w not in stop}

    exact = overlap = returned = 0
    present = 0
    lines = []
    for r in rows:
        term, gold = r["source"], r["target"].strip()
        if not any(term in z for z in zh_lines):
            continue
        present += 1
        rend = got.get(term)
        if rend is None:
            lines.append(f"   -  {term}: (none)   gold: {gold}")
            continue
        returned += 1
        a, b = rend.target.lower(), gold.lower()
        if a == b:
            exact += 1
            mark = "="
        elif a in b or b in a or words(a) & words(b):
            overlap += 1
            mark = "~"
        else:
            mark = "x"
        lines.append(f"   {mark}  {term}: {rend.target!r} ({rend.score:.2f}, support {rend.support})   gold: {gold}")
    print(f"\n== renderings on heldout ({len(pairs)} aligned pairs, {len(terms)} oracle terms with a target, {present} occur): {dt:.2f} s")
    print(f"   returned {returned}/{present}; exact {exact}/{present} = {exact / present:.3f}; "
          f"exact or overlapping {exact + overlap}/{present} = {(exact + overlap) / present:.3f}; "
          f"precision of returned (exact or overlapping) {(exact + overlap)}/{max(returned, 1)} = {(exact + overlap) / max(returned, 1):.3f}")
    print("\n".join(lines))


def glossary_renderings() -> None:
    """Dev set for renderings (used to tune them): glossary terms on WMT18 pairs outside the held-out lines."""
    zh = WMT.read_text(encoding="utf-8").splitlines()
    en = WMT.with_suffix(".en").read_text(encoding="utf-8").splitlines()
    pairs = [(z, e) for i, (z, e) in enumerate(zip(zh, en)) if not 1706 <= i <= 1905]  # heldout = lines 1707-1906
    gold: dict[str, list[str]] = {}
    for path in sorted(glob.glob(str(ROOT / "glossary" / "*.csv"))):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                targets = [row["target"]] + [v.strip() for v in (row.get("variants") or "").split("|") if v.strip()]
                gold.setdefault(row["source"].strip(), targets)
    terms = [t for t in gold if any(t in z for z, _ in pairs)]
    t0 = time.perf_counter()
    got = T.aligned_renderings(terms, pairs)
    dt = time.perf_counter() - t0
    stop = {"the", "of", "and", "a", "an", "in", "on", "for", "to", "with"}

    def words(s: str) -> set[str]:
        return {w for w in re.findall(r"[a-z0-9]+", s.lower()) if w not in stop}

    exact = overlap = 0
    for t in terms:
        r = got.get(t)
        if r is None:
            continue
        a = r.target.lower()
        if any(a == g.lower() for g in gold[t]):
            exact += 1
        elif any(a in g.lower() or g.lower() in a or words(a) & words(g) for g in gold[t]):
            overlap += 1
    n = len(terms)
    print(f"\n== renderings, dev (tuned on): {n} glossary terms in {len(pairs)} WMT18 pairs outside heldout: {dt:.2f} s")
    print(f"   returned {len(got)}/{n}; exact (target or a variant) {exact}/{n} = {exact / n:.3f}; "
          f"exact or overlapping {exact + overlap}/{n} = {(exact + overlap) / n:.3f}; wrong {len(got) - exact - overlap}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--pkuseg", default="")
    ap.add_argument("--wmt-lines", type=int, default=4000)
    args = ap.parse_args()
    t_start = time.perf_counter()

    seed_doc = segment_file(SEED_TEXT)
    seed_oracle = load_oracle(DATA / "seed_terms.tsv")
    held_doc = lines_document(DATA / "heldout.zh", lang="zh")
    held_oracle = load_oracle(DATA / "heldout_terms.tsv")
    curated = curated_sources()

    t0 = time.perf_counter()
    T.extract_terms([segment_file(SEED_TEXT)], limit=1)  # warm-up: loads jieba
    print(f"warm-up (jieba load) {time.perf_counter() - t0:.2f} s; curated glossary sources: {len(curated)}")

    run_set("seed, curated off", [seed_doc], seed_oracle, (), args.show_misses, True)
    if curated:
        run_set("seed, curated on", [seed_doc], seed_oracle, curated, args.show_misses, False)
    if args.quick:
        return
    run_set("HELDOUT, curated off", [held_doc], held_oracle, (), args.show_misses, True)
    if curated:
        run_set("HELDOUT, curated on", [held_doc], held_oracle, curated, args.show_misses, False)

    zh = (DATA / "heldout.zh").read_text(encoding="utf-8").splitlines()
    en = (DATA / "heldout.en").read_text(encoding="utf-8").splitlines()
    renderings(held_oracle, zh, en)

    if WMT.exists() and curated:
        glossary_renderings()
    if WMT.exists():
        lines = WMT.read_text(encoding="utf-8").splitlines()[: args.wmt_lines]
        from tm_builder.segment import segment_text
        doc = segment_text("\n\n".join(lines), document="wmt18", lang="zh")
        t0 = time.perf_counter()
        cands = T.extract_terms([doc])
        print(f"\n== speed: WMT18 zh first {len(lines)} lines ({sum(map(len, lines))} chars): {time.perf_counter() - t0:.2f} s, {len(cands)} candidates")
        print("   top 15:", " ".join(c.source for c in cands[:15]))

    if args.pkuseg:
        compare_pkuseg(args.pkuseg, seed_doc, seed_oracle, held_doc, held_oracle)
    print(f"\ntotal runtime {time.perf_counter() - t_start:.1f} s")


def compare_pkuseg(site: str, seed_doc, seed_oracle, held_doc, held_oracle) -> None:
    """The same extractor with pkuseg's segmentation in place of jieba's (jieba's dictionary still gives tags and counts)."""
    sys.path.insert(0, site)
    import pkuseg  # type: ignore[import-not-found]

    t0 = time.perf_counter()
    seg = pkuseg.pkuseg()
    load = time.perf_counter() - t0
    base = T.jieba_lexis()
    pk = T.Lexis(cut=seg.cut, tags=base.tags, freq=base.freq, total=base.total)
    print(f"\n== segmenter comparison (pkuseg model load {load:.2f} s)")
    for name, lexis in (("jieba", base), ("pkuseg", pk)):
        for label, doc, oracle in (("seed", seed_doc, seed_oracle), ("heldout", held_doc, held_oracle)):
            t0 = time.perf_counter()
            cands = T.extract_terms([doc], lexis=lexis)
            dt = time.perf_counter() - t0
            r = recall(oracle, cands)
            strict, lax, _ = top_precision(oracle, cands)
            e, nn, n = r["all"]
            print(f"   {name:6s} {label:7s}: {dt:5.2f} s  recall exact {e}/{n} = {e / n:.3f}, nested {nn / n:.3f}; "
                  f"top-50 strict {strict}/50, lax {lax}/50; {len(cands)} candidates")


if __name__ == "__main__":
    main()

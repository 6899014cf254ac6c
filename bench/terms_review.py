"""Judge the review file itself: what `tm-builder glossary FILE -o g.csv` writes, against hand-made term lists.

    python bench/terms_review.py                 # every set below
    python bench/terms_review.py --show          # also the misses, the top 50 and the rendering disagreements
    python bench/terms_review.py TEXT ORACLE.tsv # one text of your own (oracle: tests/data/terms/README.md)
    python bench/terms_review.py --dev           # only the sets tuned on (seed, heldout)

``bench/terms_eval.py`` measures the extractor's whole ranking; this measures
what a reviewer actually reads: the rows of the CSV, in its order, after the
score cut and with the curated glossary on, as the CLI runs by default
(``--engine none``: no drafted renderings, so every target is curated).

* recall: an oracle term is found when a row's source, or a form the row
  lists ("also written: ..." in its note), equals it (outer quotes stripped);
* top-50 precision: the first 50 rows whose source is an oracle term
  ("lax" also counts rows the oracle marks borderline);
* renderings: rows with a target whose term has an oracle target: the same
  after case and white space, or one of the oracle's "also: ..." renderings,
  or the oracle target among the row's variants.  The rest is printed for a
  person to judge (``--show``), since two official renderings can differ;
* length: rows per 1,000 Chinese characters of input.

The sets: the seed (tuning), heldout (WMT18 lines 1707-1906, tuned against
indirectly: the glossary was checked on WMT), and two pairs of blind
articles, written and annotated by people who saw neither the extractor nor
the glossary (tests/data/terms/README.md).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tm_builder.review import glossary_files  # noqa: E402

DATA = ROOT / "tests" / "data" / "terms"
SETS = (
    ("seed (tuning)", ROOT / "seeds" / "000_08c510cb1e756111.txt", DATA / "seed_terms.tsv"),
    ("heldout (WMT18)", DATA / "heldout.zh", DATA / "heldout_terms.tsv"),
    ("blind: press conference", DATA / "blind_mfa.zh", DATA / "blind_mfa_terms.tsv"),
    ("blind: work report", DATA / "blind_report.zh", DATA / "blind_report_terms.tsv"),
    ("blind 2: minister's speech", DATA / "blind2_speech.zh", DATA / "blind2_speech_terms.tsv"),
    ("blind 2: county feature", DATA / "blind2_county.zh", DATA / "blind2_county_terms.tsv"),
)
_FORMS = re.compile(r"also written: ([^;]+)")


def strip(s: str) -> str:
    return s.strip().strip("“”\"《》")


def norm(s: str) -> str:
    """A rendering up to case, spacing, dashes, a parenthesised abbreviation, a leading article and a plural -s."""
    s = re.sub(r"\s*\([^)]*\)", "", s.lower().replace("’", "'"))
    s = re.sub(r"\s+", " ", re.sub(r"[‐‑–—-]", "-", s)).strip()
    s = re.sub(r"^(the|a|an) ", "", s)
    return re.sub(r"(?<=[a-z])s$", "", s)


def review_rows(text: Path) -> list[dict[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "g.csv"
        glossary_files([text], out, engine="none")
        with open(out, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))


def forms(row: dict[str, str]) -> set[str]:
    found = {strip(row["source"])}
    for m in _FORMS.finditer(row.get("note", "")):
        found |= {strip(f) for f in m.group(1).split("|") if f.strip()}
    return found


def evaluate(label: str, text: Path, oracle_path: Path, show: bool) -> dict[str, float]:
    with open(oracle_path, encoding="utf-8") as handle:
        oracle = list(csv.DictReader(handle, delimiter="\t"))
    rows = review_rows(text)
    hanzi = sum("\u4e00" <= c <= "\u9fff" for c in text.read_text(encoding="utf-8"))
    row_of: dict[str, dict[str, str]] = {}
    for row in rows:
        for f in forms(row):
            row_of.setdefault(f, row)
    terms = {strip(r["source"]): r for r in oracle}
    strict = {t for t, r in terms.items() if "borderline" not in r["note"]}
    found = [t for t in terms if t in row_of]
    found_strict = [t for t in strict if t in row_of]
    top = rows[:50]
    top_strict = sum(strip(r["source"]) in strict for r in top)
    top_lax = sum(strip(r["source"]) in terms for r in top)
    agree, judge = 0, []
    for t, o in terms.items():
        gold = o["target"].strip()
        row = row_of.get(t)
        if not gold or row is None or not row["target"].strip():
            continue
        also = [a.strip() for m in re.finditer(r"also: ([^;]+)", o["note"]) for a in m.group(1).split("|")]
        variants = [v.strip() for v in row.get("variants", "").split("|")]
        ok = norm(row["target"]) in {norm(g) for g in [gold, *also]} or norm(gold) in {norm(v) for v in variants if v}
        agree += ok
        if not ok:
            judge.append(f"     {t}: ours {row['target']!r}   oracle {gold!r}{'  also ' + repr(also) if also else ''}")
    rendered = agree + len(judge)
    print(f"\n== {label}: {text.name}, {hanzi} hanzi, {len(rows)} rows = {1000 * len(rows) / hanzi:.1f} per 1,000 hanzi")
    print(f"   recall: all {len(found)}/{len(terms)} = {len(found) / len(terms):.3f}; "
          f"strict {len(found_strict)}/{len(strict)} = {len(found_strict) / len(strict):.3f}")
    print(f"   top-50 precision: strict {top_strict}/{len(top)} = {top_strict / max(len(top), 1):.2f}; "
          f"with borderline {top_lax}/{len(top)} = {top_lax / max(len(top), 1):.2f}")
    print(f"   renderings given for oracle terms with a target: {rendered}; the same as the oracle's {agree} "
          f"= {agree / max(rendered, 1):.3f}; {len(judge)} to judge by hand")
    if show:
        print("   missed:", " ".join(t for t in terms if t not in row_of))
        print("   top 50 (+ oracle, b borderline, - not in the oracle):")
        for i, r in enumerate(top, 1):
            s = strip(r["source"])
            mark = "+" if s in strict else ("b" if s in terms else "-")
            print(f"     {i:2d} {mark} {r['status']:9s} {r['source']}  {r['target']}")
        print("   renderings that differ from the oracle's:")
        print("\n".join(judge) or "     (none)")
    return {"recall": len(found) / len(terms), "top50": top_strict / max(len(top), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("text", nargs="?", type=Path)
    ap.add_argument("oracle", nargs="?", type=Path)
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--dev", action="store_true", help="only the seed and heldout sets")
    args = ap.parse_args()
    sets = [("given", args.text, args.oracle)] if args.text else [s for s in SETS if s[1].exists() and s[2].exists()]
    if args.dev:
        sets = [s for s in sets if not s[0].startswith("blind")]
    for label, text, oracle in sets:
        evaluate(label, text, oracle, args.show)


if __name__ == "__main__":
    main()

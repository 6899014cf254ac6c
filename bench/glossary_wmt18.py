"""What glossary enforcement would fix in the real opus-mt-zh-en's output.

Run from anywhere (a few seconds):

    python bench/glossary_wmt18.py                 # WMT18 news
    python bench/glossary_wmt18.py --set wmt17     # or flores-dev, flores-test
    python bench/glossary_wmt18.py --list 40       # print 40 of the misses

For every line of ``shared/data/zh-en/<set>.zh`` the curated glossary's terms
are found (longest match, as drafting does).  For each occurrence it checks
the human reference (``<set>.en``) and the real opus-mt output
(``<set>.opusmt.en``) with the enforcement check: does the line contain the
approved rendering as whole words (first letter may be capitalised)?  A
variant rendering is counted separately, since reviewers accept it though
drafts must not use it.

The interesting row is *reference uses it, opus-mt does not*: there a human
translator chose the approved rendering and the model did something else,
which is exactly what enforcement changes.  The opposite row (opus-mt uses it,
the reference does not) shows how often reference translators paraphrase.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "zh-en"
sys.path.insert(0, str(ROOT / "src"))

from tm_builder.glossary import honoured, load_curated  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="wmt18", help="wmt17, wmt18, flores-dev or flores-test (default: wmt18)")
    parser.add_argument("--list", type=int, default=15, help="print this many lines where opus-mt misses a rendering the reference uses")
    args = parser.parse_args()

    zh = (DATA / f"{args.set}.zh").read_text(encoding="utf-8").splitlines()
    ref = (DATA / f"{args.set}.en").read_text(encoding="utf-8").splitlines()
    mt = (DATA / f"{args.set}.opusmt.en").read_text(encoding="utf-8").splitlines()
    assert len(zh) == len(ref) == len(mt)
    glossary = load_curated()

    rows: Counter[str] = Counter()
    per_term: dict[str, Counter[str]] = {}
    examples = []
    for n, (source, reference, draft) in enumerate(zip(zh, ref, mt), start=1):
        seen = set()
        for match in glossary.find(source):
            term = match.term
            if term.source in seen:
                continue
            seen.add(term.source)
            in_ref = honoured(reference, term.target)
            in_mt = honoured(draft, term.target)
            variant_ref = not in_ref and any(honoured(reference, v) for v in term.variants)
            variant_mt = not in_mt and any(honoured(draft, v) for v in term.variants)
            counts = per_term.setdefault(term.source, Counter())
            counts["occurrences"] += 1
            rows["occurrences"] += 1
            for key, flag in (("ref", in_ref), ("mt", in_mt), ("ref-variant", variant_ref), ("mt-variant", variant_mt)):
                if flag:
                    rows[key] += 1
                    counts[key] += 1
            if in_ref and not in_mt:
                rows["ref-not-mt"] += 1
                counts["ref-not-mt"] += 1
                examples.append((n, term.source, term.target, draft))
            if in_mt and not in_ref:
                rows["mt-not-ref"] += 1
            if not in_mt:
                rows["mt-differs"] += 1
    lines_with_terms = sum(1 for s in zh if glossary.find(s))

    total = rows["occurrences"]
    print(f"set: {args.set} ({len(zh)} lines), curated glossary: {len(glossary)} terms")
    print(f"lines containing a glossary term: {lines_with_terms}; term occurrences: {total} "
          f"({len(per_term)} distinct terms)")
    if not total:
        return

    def share(k: str) -> str:
        return f"{rows[k]:5d}  ({100 * rows[k] / total:5.1f}%)"

    print(f"reference uses the approved rendering        {share('ref')}")
    print(f"  ... or only a listed variant               {share('ref-variant')}")
    print(f"opus-mt uses the approved rendering          {share('mt')}")
    print(f"  ... or only a listed variant               {share('mt-variant')}")
    print(f"opus-mt renders it differently (enforced)    {share('mt-differs')}")
    print(f"reference uses it, opus-mt does not          {share('ref-not-mt')}")
    print(f"opus-mt uses it, the reference does not      {share('mt-not-ref')}")
    print()
    print("most frequent terms: occurrences, reference uses, opus-mt uses, reference-but-not-opus-mt")
    for source, c in sorted(per_term.items(), key=lambda kv: (-kv[1]["occurrences"], kv[0]))[:20]:
        target = glossary.get(source).target
        print(f"  {source} -> {target}: {c['occurrences']}, {c['ref']}, {c['mt']}, {c['ref-not-mt']}")
    if args.list and examples:
        print()
        print(f"lines where the reference uses the approved rendering and opus-mt does not (first {args.list}):")
        for n, source, target, draft in examples[: args.list]:
            print(f"  line {n}: {source} -> {target!r}; opus-mt: {draft[:140]}")


if __name__ == "__main__":
    main()

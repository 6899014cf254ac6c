"""Measure tm_builder.degenerate.check_draft on real opus-mt-zh-en output.

Run from anywhere:

    python bench/degenerate.py            # summary
    python bench/degenerate.py --list     # also print every flagged output

Data: ``shared/data/zh-en/{wmt17,wmt18,flores-dev,flores-test}`` (beside the
checkout): ``.zh`` sources, ``.opusmt.en`` the real outputs of
Helsinki-NLP/opus-mt-zh-en, ``.en`` human references, line-aligned.

What it prints
--------------
1. Drafts flagged per dataset and per reason type, with the time per draft.
2. Precision and recall on the hand labels in
   ``tests/data/degenerate_labels.tsv`` (dataset, 1-based line, label, note).
   How that set was built: a person read, against source and reference, every
   output flagged by the detector, every output flagged by the looser variant
   ``LOOSE`` below, every output with a 3+-token chunk repeated within two
   tokens of itself, every output whose source has at most 8 characters, and
   a random sample of 200 outputs the detector did not flag
   (``random.seed(20241124)``; ``random.sample`` over the unflagged lines in
   dataset order).  The note's bracketed tags record which of these picked
   the line ("detector" means flagged by the detector as it stood while
   labelling, before the placeholder check was added).  "degenerate" means
   broken output a reviewer would reject outright (loops, stutters, duplicated
   chunks, hallucinated text unrelated to the source), not a poor translation.
   The random sample estimates what the detector misses among the ~7,970
   unflagged outputs.
3. How many human references (``.en``) are flagged: a false-positive sanity
   check, since human references are essentially never degenerate.
4. Whether every output the looser variant flags is labelled (the labelling
   method above, checked against the current code).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data" / "zh-en"
LABELS = ROOT / "tests" / "data" / "degenerate_labels.tsv"
DATASETS = ("wmt17", "wmt18", "flores-dev", "flores-test")

sys.path.insert(0, str(ROOT / "src"))
from tm_builder.degenerate import Limits, check_draft, check_draft_with  # noqa: E402 (after sys.path)

# The deliberately looser variant used to find labelling candidates: any
# back-to-back repeat (twice, any n-gram, interjections included, whatever
# the source says), coverage from 35% with 3 copies, duplicated 3-token
# chunks even where the source repeats itself, and drafts over 6 x source
# characters + 30.
LOOSE = Limits(
    min_repeats=2,
    source_run_slack=None,
    exempt_min_repeats=2,
    coverage_min_share=0.35,
    coverage_min_count=3,
    dup_min_tokens=3,
    source_repeat_min_chars=None,
    len_ratio=6.0,
    len_allowance=30,
)


@dataclass(frozen=True)
class Line:
    dataset: str
    number: int  # 1-based
    source: str
    draft: str
    reference: str


def read_lines(path: Path) -> list[str]:
    # Split on "\n" only: str.splitlines() would also split on U+2028 and
    # friends, which occur inside some lines.
    text = path.read_text(encoding="utf-8")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def load_corpus(data_dir: Path = DATA_DIR) -> list[Line]:
    lines: list[Line] = []
    for name in DATASETS:
        zh = read_lines(data_dir / f"{name}.zh")
        mt = read_lines(data_dir / f"{name}.opusmt.en")
        en = read_lines(data_dir / f"{name}.en")
        if not len(zh) == len(mt) == len(en):
            raise SystemExit(f"{name}: {len(zh)} sources, {len(mt)} drafts, {len(en)} references")
        lines += [Line(name, i + 1, z, m, e) for i, (z, m, e) in enumerate(zip(zh, mt, en))]
    return lines


def load_labels(path: Path = LABELS) -> dict[tuple[str, int], tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    labels = {(r["dataset"], int(r["line"])): (r["label"], r["note"]) for r in rows}
    if len(labels) != len(rows):
        raise SystemExit(f"{path}: duplicate (dataset, line) rows")
    bad = {label for label, _ in labels.values()} - {"degenerate", "ok"}
    if bad:
        raise SystemExit(f"{path}: unknown labels {sorted(bad)}")
    return labels


def reason_kind(reason: str) -> str:
    """The reason's type, for counting ("repeated phrase", "length", ...)."""
    for prefix, kind in (
        ("repeated phrase", "repeat run"),
        ("phrase ", "one phrase covers the draft"),
        ("sentence repeated", "duplicated sentence"),
        ("duplicated chunk", "duplicated chunk"),
        ("draft ", "length"),
        ("empty draft", "empty"),
        ("software placeholder", "software placeholder"),
    ):
        if reason.startswith(prefix):
            return kind
    return "other"


@dataclass(frozen=True)
class Scores:
    true_pos: list[Line]
    false_neg: list[Line]
    false_pos: list[Line]
    true_neg: int
    sample_size: int
    sample_degenerate: int
    sample_missed: int

    @property
    def recall(self) -> float:
        found = len(self.true_pos)
        return found / (found + len(self.false_neg)) if found + len(self.false_neg) else 1.0

    @property
    def precision(self) -> float:
        flagged = len(self.true_pos) + len(self.false_pos)
        return len(self.true_pos) / flagged if flagged else 1.0

    @property
    def false_flag_rate(self) -> float:
        ok = len(self.false_pos) + self.true_neg
        return len(self.false_pos) / ok if ok else 0.0


def score(lines: list[Line], labels: dict[tuple[str, int], tuple[str, str]], verdicts: dict) -> Scores:
    by_key = {(line.dataset, line.number): line for line in lines}
    tp, fn, fp, tn = [], [], [], 0
    sample = sample_deg = sample_missed = 0
    for key, (label, note) in labels.items():
        line = by_key[key]
        flagged = verdicts[key] is not None
        in_sample = "random" in note.split("]", 1)[0]
        sample += in_sample
        if label == "degenerate":
            (tp if flagged else fn).append(line)
            sample_deg += in_sample
            sample_missed += in_sample and not flagged
        elif flagged:
            fp.append(line)
        else:
            tn += 1
    return Scores(tp, fn, fp, tn, sample, sample_deg, sample_missed)


def _short(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every flagged output")
    args = parser.parse_args(argv)

    if not DATA_DIR.is_dir():
        raise SystemExit(f"shared data not found at {DATA_DIR}")
    lines = load_corpus()
    labels = load_labels()

    start = time.perf_counter()
    verdicts = {(ln.dataset, ln.number): check_draft(ln.source, ln.draft) for ln in lines}
    elapsed = time.perf_counter() - start

    print(f"opus-mt-zh-en outputs: {len(lines)} lines, check_draft {elapsed / len(lines) * 1e6:.0f} us/draft")
    print(f"\n{'dataset':<12} {'lines':>6} {'flagged':>8}")
    for name in DATASETS:
        ours = [ln for ln in lines if ln.dataset == name]
        flagged = sum(verdicts[(ln.dataset, ln.number)] is not None for ln in ours)
        print(f"{name:<12} {len(ours):>6} {flagged:>8}")
    total = sum(v is not None for v in verdicts.values())
    print(f"{'all':<12} {len(lines):>6} {total:>8}")

    kinds = Counter(reason_kind(v) for v in verdicts.values() if v is not None)
    print("\nflagged by reason type:")
    for kind, count in kinds.most_common():
        print(f"  {kind:<28} {count}")

    if args.list:
        print("\nflagged outputs:")
        for ln in lines:
            reason = verdicts[(ln.dataset, ln.number)]
            if reason is not None:
                label = labels.get((ln.dataset, ln.number), ("unlabelled", ""))[0]
                print(
                    f"  {ln.dataset}:{ln.number} [{label}] {reason}\n    ZH {ln.source}\n    MT {_short(ln.draft)}"
                )

    s = score(lines, labels, verdicts)
    degenerate = len(s.true_pos) + len(s.false_neg)
    ok = len(s.false_pos) + s.true_neg
    print(f"\nhand-labelled set: {len(labels)} outputs ({degenerate} degenerate, {ok} ok)")
    print(f"  recall     {len(s.true_pos)}/{degenerate} = {s.recall:.3f}  (degenerate outputs flagged)")
    print(
        f"  precision  {len(s.true_pos)}/{len(s.true_pos) + len(s.false_pos)} = {s.precision:.3f}"
        f"  (flagged outputs that are degenerate)"
    )
    print(f"  false flags on ok outputs {len(s.false_pos)}/{ok} = {s.false_flag_rate:.4f}")
    print(
        f"  random sample of unflagged outputs: {s.sample_size} labelled, "
        f"{s.sample_degenerate} degenerate ({s.sample_missed} missed)"
    )
    for ln in s.false_neg:
        print(f"  missed   {ln.dataset}:{ln.number}  {labels[(ln.dataset, ln.number)][1]}")
    for ln in s.false_pos:
        print(f"  wrongly flagged {ln.dataset}:{ln.number}  {verdicts[(ln.dataset, ln.number)]}")

    ref_flags = [(ln, check_draft(ln.source, ln.reference)) for ln in lines]
    ref_flags = [(ln, r) for ln, r in ref_flags if r is not None]
    print(f"\nhuman references flagged: {len(ref_flags)}/{len(lines)}")
    for ln, reason in ref_flags:
        print(f"  {ln.dataset}:{ln.number} {reason}\n    EN {_short(ln.reference)}")

    loose = [ln for ln in lines if check_draft_with(ln.source, ln.draft, LOOSE) is not None]
    unlabelled = [ln for ln in loose if (ln.dataset, ln.number) not in labels]
    print(f"\nlooser variant flags {len(loose)} outputs; unlabelled among them: {len(unlabelled)}")
    for ln in unlabelled:
        print(f"  {ln.dataset}:{ln.number}")
    unlabelled_flags = [k for k, v in verdicts.items() if v is not None and k not in labels]
    if unlabelled_flags:
        print(f"detector flags {len(unlabelled_flags)} unlabelled outputs: {unlabelled_flags}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

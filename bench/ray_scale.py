"""Archives on Ray against one machine, measured in one run: drafting speed, Ray's fixed cost, worker memory.

An archive of article-sized documents is cut from the shared test sets
(``--segments``, 2,000 by default; WMT17, WMT18 and flores-dev in turn) and
translated three ways with the real model's shape (random weights, the
layout of ``shared/reference/opus-mt-zh-en.config.json``; CTranslate2 int8,
the model's beam of 6, drafts cut at 40 tokens, since random weights never stop early;
``--no-curated``: a random model renders no approved term, so with the
glossary every term-bearing segment would pay for forced decoding, which is
issue 19's measurement, not this one's):

* on one machine (``translate DIR``, the engine's own threads on every core);
* ``--ray --workers 1`` and ``--ray --workers 2`` on a local Ray instance.

Each run has its own empty draft cache, so every distinct segment is drafted.
The drafting rate is the distinct segments drafted over the run's ``draft``
stage; the fixed cost is the whole command's wall time on a one-document
archive with ``--ray`` minus the same without.  Worker memory is the largest
peak a Ray worker reported.  Run: ``python bench/ray_scale.py`` (about half
an hour on 2 cores); ``--segments 300`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mt_speed import build_model  # noqa: E402  (the real-shaped random model, built once)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "zh-en"
SETS = ("wmt17", "wmt18", "flores-dev")
#: random weights never stop early: every draft runs to its limit, so the limit is set near a real draft's length
MAX_LENGTH = 40


def cut_archive(folder: Path, segments: int) -> int:
    """Documents of 8 to 14 lines each, ``folder/NNNN.txt``, until *segments* lines; returns the lines written."""
    lines = [line.strip() for name in SETS for line in (DATA / f"{name}.zh").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    at, d = 0, 0
    while at < segments:
        n = min(8 + d % 7, segments - at)
        (folder / f"{d:04d}.txt").write_text("\n".join(lines[at:at + n]) + "\n", encoding="utf-8")
        at, d = at + n, d + 1
    return at


def translate(archive: Path, out: Path, model: Path, *extra: str) -> tuple[float, dict[str, float], str]:
    """Wall seconds, the run's stage times and its last summary line."""
    env = {**os.environ, "TM_BUILDER_CACHE": str(out.with_suffix(".sqlite3")), "RAY_ADDRESS": ""}
    args = [sys.executable, "-m", "tm_builder", "translate", str(archive), "-o", str(out), "--model", str(model),
            "--presegmented", "--no-terms", "--no-curated", "--max-length", str(MAX_LENGTH), *extra]
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {done.stderr.strip()[-600:]}")
    last = done.stdout.strip().splitlines()[-1]
    stages = {name: float(seconds) for name, seconds in re.findall(r"(\w+) ([\d.]+) s", last.partition(";")[2])}
    return wall, stages, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ray-scale-") as tmp:
        work = Path(tmp)
        os.environ["HF_HOME"] = str(work / "hf")  # the converted model lands beside it, once
        model = build_model(work / "model")
        n = cut_archive(work / "archive", args.segments)
        cut_archive(work / "one", 1)
        rows = []
        for label, extra in (("one machine", ()), ("--ray --workers 1", ("--ray", "--workers", "1")),
                             ("--ray --workers 2", ("--ray", "--workers", "2"))):
            wall, stages, last = translate(work / "archive", work / f"out-{len(rows)}", model, *extra)
            rows.append({"run": label, "wall_s": wall, "draft_s": stages["draft"], "rate": n / stages["draft"], "summary": last})
            print(f"{label:20s} wall {wall:7.1f} s  draft {stages['draft']:7.1f} s  {n / stages['draft']:6.2f} segments/s  | {last}",
                  flush=True)
        plain_one, _, _ = translate(work / "one", work / "one-plain", model)
        ray_one, _, _ = translate(work / "one", work / "one-ray", model, "--ray", "--workers", "1")
        base = rows[0]["rate"]
        print(f"\n{n} segments, real-shaped random model, ct2 int8, beam 6")
        for row in rows:
            print(f"  {row['run']:20s} {row['rate']:6.2f} segments/s  x{row['rate'] / base:.2f} of one machine")
        print(f"  Ray's fixed cost (a one-segment archive): {ray_one - plain_one:.1f} s "
              f"({ray_one:.1f} s with --ray, {plain_one:.1f} s without)")
        peaks = [float(m) for row in rows for m in re.findall(r"at most (\d+) MiB a worker", row["summary"])]
        if peaks:
            print(f"  a worker's peak memory: {max(peaks):.0f} MiB")
        if args.json:
            args.json.write_text(json.dumps({"segments": n, "rows": rows, "ray_fixed_s": ray_one - plain_one,
                                             "worker_peak_mib": max(peaks, default=0)}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

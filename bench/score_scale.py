"""Does ``tm-builder score`` grow with its input, and by how much per segment?

    python bench/score_scale.py                  # 20,000 and 80,000 units (about 4 minutes)
    python bench/score_scale.py --units 5000,20000

For each size N the script writes two TMX files of N units from the shared
test sets (``shared/data/zh-en``: WMT17, WMT18 and FLORES, repeated as often
as needed; the hypothesis carries opus-mt's outputs, the reference the human
English, both with the Chinese source), then runs ``tm-builder score HYP REF``
in a fresh process and reads that process's own peak memory (``VmHWM`` from
``/proc/self/status`` at exit, so the parent's high-water mark is not
counted) and CPU seconds.  The figures printed are per size, then the ratios
largest/smallest, measured in this one run: memory that is bounded grows far
slower than the input, CPU that is linear grows as the input does.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
from pathlib import Path

from measured import run_measured

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "zh-en"
SETS = ("wmt17", "wmt18", "flores-dev", "flores-test")



def _triples() -> list[tuple[str, str, str]]:
    out = []
    for name in SETS:
        zh = (DATA / f"{name}.zh").read_text(encoding="utf-8").splitlines()
        mt = (DATA / f"{name}.opusmt.en").read_text(encoding="utf-8").splitlines()
        en = (DATA / f"{name}.en").read_text(encoding="utf-8").splitlines()
        out.extend(zip(zh, mt, en))
    return out


def _write_pair(n: int, folder: Path) -> tuple[Path, Path]:
    from tm_builder.formats import write_units
    from tm_builder.units import Origin, TranslationUnit

    base = _triples()
    hyp, ref = [], []
    for k in range(n):
        zh, mt, en = base[k % len(base)]
        zh = f"{zh}（{k // len(base)}）" if k >= len(base) else zh  # distinct sources, so pairing stays one-to-one
        hyp.append(TranslationUnit(zh, mt, Origin.MT, index=k + 1, document="bench"))
        ref.append(TranslationUnit(zh, en, Origin.HUMAN, index=k + 1, document="bench"))
    paths = folder / f"hyp{n}.tmx", folder / f"ref{n}.tmx"
    write_units(hyp, paths[0])
    write_units(ref, paths[1])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", default="20000,80000", help="comma-separated sizes (default 20000,80000)")
    args = parser.parse_args()
    sizes = sorted(int(x) for x in args.units.split(","))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            hyp, ref = _write_pair(n, Path(tmp))
            mb = hyp.stat().st_size / 1e6
            kib, cpu, wall = run_measured("score", str(hyp), str(ref))
            rows.append((n, mb, kib, cpu, wall))
            print(f"{n:>8,} units  hyp TMX {mb:6.1f} MB  peak {kib / 1024:7.1f} MiB  CPU {cpu:7.1f} s  wall {wall:7.1f} s"
                  f"  ({cpu / n * 1000:.2f} ms/unit)", flush=True)
    if len(rows) > 1:
        (n0, _, m0, c0, _), (n1, _, m1, c1, _) = rows[0], rows[-1]
        print(f"input x{n1 / n0:.1f}: peak memory x{m1 / m0:.2f} "
              f"({(m1 - m0) / (n1 - n0):.2f} KiB per added unit), CPU x{c1 / c0:.2f}")
    print(f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()

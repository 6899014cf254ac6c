"""Issue 19 in one run: no stage grows faster than its input (terms, a seed re-run, align's memory, many pairs).

    python bench/stage_scale.py                    # every section (about 4 minutes on 2 cores)
    python bench/stage_scale.py --quick            # smaller sizes (about 2.5 minutes)
    python bench/stage_scale.py --skip align-many --runs 1 --json /tmp/stage.json

Every measured command is ``tm-builder ARGS`` in a fresh process
(``measured.run_measured``: the child's own peak memory ``VmHWM``, its CPU
seconds, the wall seconds), with its own empty draft cache
(``TM_BUILDER_CACHE``, a temporary SQLite path) unless said otherwise, its own
output folder, one temporary ``XDG_CACHE_HOME`` shared by all (so the one-time
dictionary copies are built once, by an uncounted warm-up run of each command),
``PYTHONDONTWRITEBYTECODE`` removed (bytecode compiled once, as after
``pip install``), ``HF_HUB_OFFLINE=1`` and no ``HF_HOME``, ``TM_BUILDER_MODEL``
or ``TM_BUILDER_MEMORY`` (no model is found: nothing is drafted, nothing stored).

Data: ``shared/data/zh-en``, the sets concatenated in the order WMT18, WMT17,
FLORES dev, FLORES test (7,991 line-aligned pairs).

* ``terms``: the distinct non-blank Chinese lines in that order (7,962: a
  "8,000" file holds them all), files of 2,000 and 8,000 lines;
  ``glossary FILE -o OUT.csv`` (``--presegmented`` if ``glossary --help`` has
  it) and ``translate FILE -o DIR --engine none --presegmented``; median CPU of
  ``--runs``; target: CPU(8k) / CPU(2k) at most 4.5.
* ``seed``: ``translate seeds/000_08c510cb1e756111.txt -o DIR --engine none``,
  median CPU of 5 runs with an empty cache (cold) and of 5 reusing one cache
  after an uncounted run (warm); target: at most 1 s.
* ``align-memory``: the first N pairs (cycled past 7,991: 10,000 repeats the
  first 2,009) as two files, ``align ZH EN -o DIR --presegmented``; peak, CPU
  and sentences left without a counterpart (rows of ``DIR/<stem>.unaligned.csv``
  by its ``side`` column), and once all 7,991 pairs; target: peak slope at most
  20 MiB per 1,000 pairs.
* ``align-many``: 25 documents of consecutive pairs (document d has
  60 + 17d mod 80 lines, odd ones in ``a/``), ``align ZH_DIR EN_DIR -o OUT
  --presegmented`` ``--runs`` times (median wall), and once a loop of 25
  single-pair commands; sentences/s = (zh + en lines) / wall; target: at least
  1,000 for the folder run.
* ``enforce``: glossary enforcement's cost, in this process (CPU seconds of
  ``Engine.translate``): the WMT18 lines holding a curated term (``--quick``:
  24, else 96), drafted by CTranslate2 int8 with the real model's shape and
  random weights (``mt_speed.build_model``, drafts cut at 40 tokens), and the
  training sources of the trained tiny model (``tests/tiny_trained.py``) that
  hold one; once without terms, once with the curated glossary enforced;
  every draft must then hold every rendering.  Target: at most 1.5x.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# a command's own peak, CPU and wall, in a fresh process
from measured import run_measured

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "zh-en"
SEED = ROOT / "seeds" / "000_08c510cb1e756111.txt"
ORDER = ("wmt18", "wmt17", "flores-dev", "flores-test")
SECTIONS = ("terms", "seed", "align-memory", "align-many", "enforce")
_SERIAL = itertools.count()


def scratch(work: Path, name: str) -> Path:
    """A new path under *work* for one run's output or cache."""
    (work / "runs").mkdir(parents=True, exist_ok=True)
    return work / "runs" / f"{next(_SERIAL):04d}-{name}"


def measure(work: Path, *args: str, cache: Path | None = None) -> dict[str, float]:
    """One ``tm-builder ARGS`` with *cache* (default: a new empty one) as its draft cache."""
    os.environ["TM_BUILDER_CACHE"] = str(cache or scratch(work, "cache.sqlite3"))
    kib, cpu, wall = run_measured(*args)
    return {"peak_mib": kib / 1024, "cpu_s": cpu, "wall_s": wall}


def median(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def concatenation(lang: str) -> list[str]:
    return [line.strip() for name in ORDER for line in (DATA / f"{name}.{lang}").read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, lines: list[str]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def glossary_presegmented() -> tuple[str, ...]:
    """``("--presegmented",)`` if ``tm-builder glossary`` has that option, else ``()``."""
    done = subprocess.run([sys.executable, "-m", "tm_builder", "glossary", "--help"], capture_output=True, text=True,
                          check=True)
    return ("--presegmented",) if "--presegmented" in done.stdout else ()


def warm_up(work: Path) -> None:
    """One uncounted run of each command: dictionary copies into XDG_CACHE_HOME, bytecode into __pycache__."""
    zh = write_lines(work / "warm" / "zh" / "w.txt", concatenation("zh")[:50])
    en = write_lines(work / "warm" / "en" / "w.txt", concatenation("en")[:50])
    measure(work, "glossary", zh, "-o", str(scratch(work, "g.csv")), *glossary_presegmented())
    measure(work, "translate", zh, "-o", str(scratch(work, "out")), "--engine", "none", "--presegmented")
    measure(work, "align", zh, en, "-o", str(scratch(work, "out")), "--presegmented")


def terms_argv(work: Path, command: str, path: str, preseg: tuple[str, ...]) -> tuple[str, ...]:
    if command == "glossary":
        return ("glossary", path, "-o", str(scratch(work, "g.csv")), *preseg)
    return ("translate", path, "-o", str(scratch(work, "out")), "--engine", "none", "--presegmented")


def section_terms(work: Path, sizes: tuple[int, int], runs: int) -> dict:
    lines = list(dict.fromkeys(line for line in concatenation("zh") if line))
    preseg = glossary_presegmented()
    result: dict = {"distinct_lines": len(lines), "glossary_options": list(preseg), "rows": []}
    for size in sizes:
        n = min(size, len(lines))
        path = write_lines(work / "terms" / f"terms{size}.txt", lines[:n])
        for command in ("glossary", "translate"):
            samples = [measure(work, *terms_argv(work, command, path, preseg)) for _ in range(runs)]
            result["rows"].append({"command": command, "size": size, "lines": n, **median(samples),
                                   "cpu_runs": [s["cpu_s"] for s in samples]})
    for command in ("glossary", "translate"):
        small, big = (r for r in result["rows"] if r["command"] == command)
        result[f"{command}_ratio"] = big["cpu_s"] / small["cpu_s"]
        result[f"{command}_size_ratio"] = big["lines"] / small["lines"]
    return result


def section_seed(work: Path, runs: int) -> dict:
    def argv() -> tuple[str, ...]:
        return ("translate", str(SEED), "-o", str(scratch(work, "out")), "--engine", "none")
    cold = [measure(work, *argv()) for _ in range(runs)]
    cache = scratch(work, "seed-cache.sqlite3")
    measure(work, *argv(), cache=cache)  # fills the cache, not counted
    warm = [measure(work, *argv(), cache=cache) for _ in range(runs)]
    return {"cold": median(cold), "warm": median(warm),
            "cold_cpu_runs": [s["cpu_s"] for s in cold], "warm_cpu_runs": [s["cpu_s"] for s in warm]}


def unaligned(out: Path) -> dict:
    """Rows of every ``*.unaligned.csv`` under *out*, by side, and the columns its header names."""
    counts: dict = {"zh": 0, "en": 0, "columns": []}
    for path in sorted(out.rglob("*.unaligned.csv")):
        with path.open(newline="", encoding="utf-8-sig") as sheet:
            reader = csv.DictReader(sheet)
            counts["columns"] = list(reader.fieldnames or [])
            for row in reader:
                side = row.get("side", "?")
                counts[side] = counts.get(side, 0) + 1
    return counts


def align_pairs(work: Path, label: str, zh: list[str], en: list[str]) -> dict:
    zh_path = write_lines(work / "align" / label / "zh" / f"p{label}.txt", zh)
    en_path = write_lines(work / "align" / label / "en" / f"p{label}.txt", en)
    out = scratch(work, "out")
    row = measure(work, "align", zh_path, en_path, "-o", str(out), "--presegmented")
    return {"pairs": label, "lines": len(zh), **row, "unaligned": unaligned(out)}


def section_align_memory(work: Path, sizes: tuple[int, ...]) -> dict:
    zh, en = concatenation("zh"), concatenation("en")
    rows = [align_pairs(work, str(n), [zh[i % len(zh)] for i in range(n)], [en[i % len(en)] for i in range(n)])
            for n in sizes]
    everything = align_pairs(work, "all", zh, en)
    slope = (rows[-1]["peak_mib"] - rows[0]["peak_mib"]) / (sizes[-1] - sizes[0]) * 1000
    return {"rows": rows, "all": everything, "slope_mib_per_1000": slope}


def make_documents(work: Path, count: int) -> tuple[Path, Path, list[Path], int]:
    """*count* document pairs of consecutive lines; returns both folders, the relative paths and the zh lines."""
    zh, en = concatenation("zh"), concatenation("en")
    folders = (work / "many" / "zh", work / "many" / "en")
    rels, at = [], 0
    for d in range(count):
        n = 60 + (d * 17) % 80
        rel = (Path("a") if d % 2 else Path()) / f"{d:03d}.txt"
        write_lines(folders[0] / rel, zh[at:at + n])
        write_lines(folders[1] / rel, en[at:at + n])
        rels.append(rel)
        at += n
    return folders[0], folders[1], rels, at


def section_align_many(work: Path, runs: int, count: int = 25) -> dict:
    zh_dir, en_dir, rels, lines = make_documents(work, count)
    sentences = 2 * lines
    folder = []
    for _ in range(runs):
        out = scratch(work, "out")
        folder.append({**measure(work, "align", str(zh_dir), str(en_dir), "-o", str(out), "--presegmented"),
                       "unaligned": unaligned(out)})
    loop_out, loop = scratch(work, "out"), []
    for rel in rels:
        loop.append(measure(work, "align", str(zh_dir / rel), str(en_dir / rel), "-o", str(loop_out / rel.parent),
                            "--presegmented"))
    wall = statistics.median(r["wall_s"] for r in folder)
    loop_wall = sum(r["wall_s"] for r in loop)
    return {"documents": count, "sentences": sentences, "folder_runs": folder, "folder_wall_s": wall,
            "folder_rate": sentences / wall, "loop_wall_s": loop_wall, "loop_cpu_s": sum(r["cpu_s"] for r in loop),
            "loop_rate": sentences / loop_wall}


def enforce_ratio(model: Path, lines: list[str], **options) -> dict:
    """CPU of drafting *lines* without and with the curated glossary enforced, and how many drafts hold every term."""
    from tm_builder.engines.base import DraftOptions
    from tm_builder.engines.ct2 import Ct2Engine
    from tm_builder.glossary import check_terms
    from tm_builder.glossary.curated import load_curated

    terms = tuple((t.source, t.target) for t in load_curated().enforced())
    plain = Ct2Engine(model, DraftOptions(**options), quantization="int8")
    forced = Ct2Engine(model, DraftOptions(terms=terms, **options), quantization="int8")
    cpu = []
    for engine in (plain, forced):
        start = time.process_time()
        drafts = engine.translate(lines)
        cpu.append(time.process_time() - start)
    whole = sum(all(c.honoured for c in check_terms(t, d.text, forced.glossary)) for t, d in zip(lines, drafts))
    return {"lines": len(lines), "plain_cpu_s": cpu[0], "enforced_cpu_s": cpu[1], "ratio": cpu[1] / cpu[0],
            "all_terms_rendered": whole}


def section_enforce(work: Path, quick: bool) -> dict:
    from mt_speed import build_model

    from tm_builder.glossary.curated import load_curated

    curated = load_curated()
    os.environ["HF_HOME"] = str(work / "hf")  # the converted copies go beside it
    random_model = build_model(work / "opus-shape")
    held = [line for line in (DATA / "wmt18.zh").read_text(encoding="utf-8").splitlines() if curated.find(line)]
    trained = work / "tiny-trained"
    subprocess.run([sys.executable, str(ROOT / "tests" / "tiny_trained.py"), str(trained)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sources = [src for src, _ in json.loads((trained / "training-pairs.json").read_text(encoding="utf-8")) if curated.find(src)]
    return {"random": enforce_ratio(random_model, held[: 24 if quick else 96], max_length=40),
            "trained": enforce_ratio(trained, sources)}


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("  " + " | ".join(cell.rjust(w) for cell, w in zip(header, widths)))
    print("  " + "-|-".join("-" * w for w in widths))
    for row in rows:
        print("  " + " | ".join(cell.rjust(w) for cell, w in zip(row, widths)))


def report(figures: dict) -> list[tuple[str, float, str, bool]]:
    """Print each section's table; return the targets as (figure, value, target, met)."""
    targets = []
    if "terms" in figures:
        t = figures["terms"]
        print(f"\nterms: {t['distinct_lines']} distinct lines; glossary options {t['glossary_options'] or 'none'}")
        table(("command", "size", "lines", "CPU s", "wall s", "peak MiB", "CPU runs"),
              [(r["command"], str(r["size"]), str(r["lines"]), f"{r['cpu_s']:.2f}", f"{r['wall_s']:.2f}",
                f"{r['peak_mib']:.0f}", " ".join(f"{c:.2f}" for c in r["cpu_runs"])) for r in t["rows"]])
        for command in ("glossary", "translate"):
            print(f"  {command}: CPU ratio {t[f'{command}_ratio']:.2f} for {t[f'{command}_size_ratio']:.2f}x the lines")
            targets.append((f"terms {command} CPU big/small", t[f"{command}_ratio"], "<= 4.5", t[f"{command}_ratio"] <= 4.5))
    if "seed" in figures:
        s = figures["seed"]
        print(f"\nseed: {SEED.relative_to(ROOT)}, translate --engine none")
        table(("cache", "CPU s", "wall s", "peak MiB", "CPU runs"),
              [(k, f"{s[k]['cpu_s']:.2f}", f"{s[k]['wall_s']:.2f}", f"{s[k]['peak_mib']:.0f}",
                " ".join(f"{c:.2f}" for c in s[f"{k}_cpu_runs"])) for k in ("cold", "warm")])
        targets += [(f"seed CPU s ({k})", s[k]["cpu_s"], "<= 1", s[k]["cpu_s"] <= 1) for k in ("cold", "warm")]
    if "align-memory" in figures:
        a = figures["align-memory"]
        print("\nalign-memory: align ZH EN --presegmented")
        table(("pairs", "lines", "peak MiB", "CPU s", "wall s", "unaligned zh", "unaligned en"),
              [(r["pairs"], str(r["lines"]), f"{r['peak_mib']:.0f}", f"{r['cpu_s']:.2f}", f"{r['wall_s']:.2f}",
                str(r["unaligned"]["zh"]), str(r["unaligned"]["en"])) for r in [*a["rows"], a["all"]]])
        print(f"  peak slope {a['slope_mib_per_1000']:.1f} MiB per 1,000 pairs; unaligned.csv columns: "
              f"{', '.join(a['all']['unaligned']['columns']) or '(no file written)'}")
        targets.append(("align peak MiB / 1,000 pairs", a["slope_mib_per_1000"], "<= 20", a["slope_mib_per_1000"] <= 20))
    if "align-many" in figures:
        m = figures["align-many"]
        print(f"\nalign-many: {m['documents']} document pairs, {m['sentences']} sentences (zh + en)")
        rows = [(f"folder run {i + 1}", f"{r['wall_s']:.2f}", f"{r['cpu_s']:.2f}", f"{r['peak_mib']:.0f}",
                 f"{m['sentences'] / r['wall_s']:.0f}") for i, r in enumerate(m["folder_runs"])]
        rows.append((f"{m['documents']} single-pair commands", f"{m['loop_wall_s']:.2f}", f"{m['loop_cpu_s']:.2f}", "-",
                     f"{m['loop_rate']:.0f}"))
        table(("run", "wall s", "CPU s", "peak MiB", "sentences/s"), rows)
        print(f"  folder (median wall {m['folder_wall_s']:.2f} s): {m['folder_rate']:.0f} sentences/s; "
              f"x{m['folder_rate'] / m['loop_rate']:.1f} the single-pair loop")
        targets.append(("align folder sentences/s", m["folder_rate"], ">= 1000", m["folder_rate"] >= 1000))
    if "enforce" in figures:
        print("\nenforce: curated glossary enforced against no terms, CTranslate2 int8")
        rows = [(name, str(r["lines"]), f"{r['plain_cpu_s']:.2f}", f"{r['enforced_cpu_s']:.2f}", f"{r['ratio']:.2f}",
                 f"{r['all_terms_rendered']}/{r['lines']}") for name, r in figures["enforce"].items()]
        table(("model", "lines", "plain CPU s", "enforced CPU s", "ratio", "every term"), rows)
        targets += [(f"enforcement CPU ratio ({name})", r["ratio"], "<= 1.5", r["ratio"] <= 1.5)
                    for name, r in figures["enforce"].items()]
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", action="append", default=[], choices=SECTIONS, metavar="NAME",
                        help=f"leave a section out; repeatable ({', '.join(SECTIONS)})")
    parser.add_argument("--quick", action="store_true", help="terms 500/2,000 lines, align-memory 1,000/4,000 pairs")
    parser.add_argument("--runs", type=int, default=3, help="runs per terms figure and folder align (median; default 3)")
    parser.add_argument("--seed-runs", type=int, default=5, help="cold and warm seed runs each (median; default 5)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    term_sizes = (500, 2000) if args.quick else (2000, 8000)
    align_sizes = (1000, 4000) if args.quick else (1000, 5000, 10000)
    for name in ("PYTHONDONTWRITEBYTECODE", "HF_HOME", "TM_BUILDER_MODEL", "TM_BUILDER_MEMORY"):
        os.environ.pop(name, None)
    os.environ["HF_HUB_OFFLINE"] = "1"
    started, load_before = time.perf_counter(), os.getloadavg()
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="stage-scale-") as tmp:
        work = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(work / "xdg")
        warm_up(work)
        jobs = {"terms": lambda: section_terms(work, term_sizes, args.runs),
                "seed": lambda: section_seed(work, args.seed_runs),
                "align-memory": lambda: section_align_memory(work, align_sizes),
                "align-many": lambda: section_align_many(work, args.runs),
                "enforce": lambda: section_enforce(work, args.quick)}
        for name in SECTIONS:
            if name not in args.skip:
                print(f"{name} ...", file=sys.stderr, flush=True)
                figures[name] = jobs[name]()
    print(f"machine: {len(os.sched_getaffinity(0))} cores; load average before "
          f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{time.perf_counter() - started:.0f} s in all{' (--quick)' if args.quick else ''}")
    targets = report(figures)
    print("\ntargets")
    width = max((len(t[0]) for t in targets), default=0)
    for label, value, target, met in targets:
        print(f"  {label:{width}s}  {value:8.2f}  {target:8s}  {'met' if met else 'not met'}")
    if args.json:
        figures["targets"] = [{"figure": t[0], "value": t[1], "target": t[2], "met": t[3]} for t in targets]
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

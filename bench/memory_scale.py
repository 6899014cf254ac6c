"""The project memory at scale: import time, lookup rate, agreement with a brute-force scan, memory use.

    python bench/memory_scale.py                          # 10k, 100k and 1M units (about 10 minutes)
    python bench/memory_scale.py --sizes 10000,100000     # quicker
    python bench/memory_scale.py --queries 300

Memories
--------
Built from the Chinese and human English of ``shared/data/zh-en`` (WMT17,
WMT18, FLORES dev and test: about 8,000 distinct sentence pairs) plus
systematic variants, so that a big memory holds many near neighbours, as
an archive of one genre does: variant *k* of sentence *i* joins the first
three fifths of sentence *i* to the last two fifths of another sentence
chosen by (*i*, *k*), and marks it with *k*.  Each size is a TMX file
written here and imported by ``tm-builder memory import`` in a fresh
process, which reports wall time and its own peak memory (``VmHWM``).

Queries
-------
*--queries* sentences (default 1,000), spread evenly over the base set,
each changed a little: a third unchanged (exact matches), a third with
two characters replaced, a third with a clause of another sentence
appended.  The lookup rate is of ``Matcher.best`` over all of them, after
one warm-up query, in this process (one core: SQLite and rapidfuzz do not
use a second).  Agreement: for each query the best fuzzy score a
brute-force ``rapidfuzz`` scan of every unit finds is compared with the
score the index finds; equal (or both below the threshold) counts as
agreement (the scan takes about a tenth of a second a query at a million
units).  *process* is the lookup process's resident memory after the
lookups, before the scan.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from measured import run_measured

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "zh-en"
SETS = ("wmt17", "wmt18", "flores-dev", "flores-test")



def _pairs() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for name in SETS:
        zh = (DATA / f"{name}.zh").read_text(encoding="utf-8").splitlines()
        en = (DATA / f"{name}.en").read_text(encoding="utf-8").splitlines()
        for z, e in zip(zh, en):
            if z.strip() and e.strip():
                seen.setdefault(z.strip(), e.strip())
    return list(seen.items())


def _variant(base: list[tuple[str, str]], i: int, k: int) -> tuple[str, str]:
    if k == 0:
        return base[i]
    zh, en = base[i]
    oz, oe = base[(i * 7919 + k * 104729) % len(base)]
    cut, ocut = len(zh) * 3 // 5, len(oz) * 3 // 5
    words, owords = en.split(), oe.split()
    return (f"{zh[:cut]}{oz[ocut:]}（{k}）",
            " ".join(words[: len(words) * 3 // 5] + owords[len(owords) * 3 // 5:]) + f" ({k})")


def _units(base: list[tuple[str, str]], n: int):
    per = -(-n // len(base))
    count = 0
    for k in range(per):
        for i in range(len(base)):
            if count == n:
                return
            yield _variant(base, i, k)
            count += 1


def _write_tmx(path: Path, units) -> None:
    """A plain TMX 1.4 file, written as a stream (the bench's own fixture writer)."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="bench" '
                  'creationtoolversion="1" segtype="sentence" o-tmf="bench" adminlang="en" srclang="zh-CN" '
                  'datatype="plaintext"/><body>\n')
        for zh, en in units:
            out.write(f'<tu><tuv xml:lang="zh-CN"><seg>{escape(zh)}</seg></tuv>'
                      f'<tuv xml:lang="en"><seg>{escape(en)}</seg></tuv></tu>\n')
        out.write("</body></tmx>\n")


def _queries(base: list[tuple[str, str]], count: int) -> list[str]:
    rng = random.Random(0)
    out = []
    step = max(len(base) // count, 1)
    for q in range(count):
        zh = base[(q * step) % len(base)][0]
        if q % 3 == 1 and len(zh) > 6:
            chars = list(zh)
            for pos in rng.sample(range(len(chars)), 2):
                chars[pos] = "国" if chars[pos] != "国" else "家"
            zh = "".join(chars)
        elif q % 3 == 2:
            other = base[(q * 31 + 5) % len(base)][0]
            zh = zh + other[: max(len(other) // 4, 2)]
        out.append(zh)
    return out


def _brute(queries: list[str], memory: Path, threshold: int) -> list[int]:
    import sqlite3

    from rapidfuzz import fuzz, process

    from tm_builder.memory import exact_key, fuzzy_key

    db = sqlite3.connect(memory)
    rows = db.execute("SELECT key, fuzzy FROM units WHERE superseded_by IS NULL").fetchall()
    db.close()
    keys = {k for k, _ in rows}
    choices = [f for _, f in rows]
    best = []
    for q in queries:
        if exact_key(q) in keys:
            best.append(100)
            continue
        found = process.extractOne(fuzzy_key(q), choices, scorer=fuzz.ratio, score_cutoff=threshold)
        best.append(min(int(found[1]), 99) if found else 0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threshold", type=int, default=75)
    args = parser.parse_args()
    from tm_builder.memory import Matcher, Memory

    base = _pairs()
    queries = _queries(base, args.queries)
    print(f"base: {len(base):,} distinct sentence pairs; {len(queries)} queries; threshold {args.threshold}")
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(int(x) for x in args.sizes.split(",")):
            tmx, memory = Path(tmp) / f"m{n}.tmx", Path(tmp) / f"m{n}.sqlite3"
            _write_tmx(tmx, _units(base, n))
            kib, _, wall = run_measured("memory", "import", str(tmx), "--memory", str(memory))
            with Memory(memory) as store:
                matcher = Matcher(store, args.threshold)
                matcher.best(queries[0])
                start = time.perf_counter()
                got = [matcher.best(q) for q in queries]
                seconds = time.perf_counter() - start
            rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
            scores = [m.score if m is not None and m.score <= 100 else (100 if m is not None else 0) for m in got]
            sample = list(range(len(queries)))
            brute = _brute(queries, memory, args.threshold)
            agree = sum(scores[i] == b for i, b in zip(sample, brute))
            rate = len(queries) / seconds
            rates.append((n, seconds / len(queries)))
            size = (memory.stat().st_size + sum(p.stat().st_size for p in Path(tmp).glob(f"m{n}.sqlite3-*"))) / 1e6
            print(f"{n:>9,} units: import {wall:6.1f} s ({n / wall:,.0f} units/s, peak {kib / 1024:.0f} MiB, file {size:.0f} MB); "
                  f"lookup {rate:,.0f} segments/s ({seconds / len(queries) * 1000:.2f} ms each, process {rss / 1024:.0f} MiB); "
                  f"best match = brute force in {agree}/{len(sample)} = {agree / len(sample):.1%}", flush=True)
            hits = sum(1 for s in scores if s >= args.threshold)
            print(f"{'':>17}matches: {sum(s == 100 for s in scores)} exact, {hits - sum(s == 100 for s in scores)} fuzzy, "
                  f"{len(scores) - hits} none", flush=True)
            os.unlink(tmx)
    for (n0, t0), (n1, t1) in zip(rates, rates[1:]):
        print(f"lookup time per segment x{t1 / t0:.2f} for x{n1 / n0:.0f} units ({n0:,} -> {n1:,})")


if __name__ == "__main__":
    main()

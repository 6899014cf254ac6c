"""Drafting speed of the transformers and CTranslate2 engines at opus-mt-zh-en size, and of the draft cache.

Run from anywhere (about 16 minutes on a quiet 2-core machine):

    python bench/mt_speed.py                        # every engine x beam x batch
    python bench/mt_speed.py --quick                # transformers vs ct2-int8 at the defaults: beam 6, auto batches (< 3 min)
    python bench/mt_speed.py --segments 24          # a quick run
    python bench/mt_speed.py --beams 1 --batch-sizes 8,32
    python bench/mt_speed.py --corpus               # tm-builder translate over 20,000 lines, cold then warm (about 2 min)

Model
-----
The real opus-mt-zh-en weights cannot be downloaded here, so the script builds
a random-weight ``MarianMTModel`` with exactly the shape of
``shared/reference/opus-mt-zh-en.config.json`` (vocabulary 65,001, d_model 512,
6+6 layers, 8 heads, FFN 2048; ``torch.manual_seed(0)``).  The tokenizer is the
one of ``tests/tiny_model.py`` (its sentencepiece models, so segments tokenize
much as with the real model) with ``vocab.json`` padded to 65,001 entries by
dummy pieces: the real pieces keep their ids and ``<pad>`` (decoder start) is
65000, as in the real model.  The directory is built once into ``--cache``
(default ``/tmp/tm-builder-bench/opus-shape``, 310 MB) and reused; delete it
to rebuild.  Random weights make the drafts nonsense and would end them at
arbitrary points, which is why the output length is forced (below).

Method
------
Segments: those of ``seeds/000_08c510cb1e756111.txt`` as ``segment_file``
splits them (214).  ``--segments N`` and, for beam > 1, ``--beam-segments N``
use an evenly spaced sample of N of them instead (every k-th in document
order), so that slow configurations stay affordable; the table says how many
segments each row measured.

Every (beam, batch size) configuration runs in a fresh subprocess (the script
calls itself with ``--one BEAM BATCH``), so that its load time and peak memory
are its own:

1. *load s*: seconds to import the engine's module and construct it
   (``MarianEngine`` imports torch and transformers and loads tokenizer and
   model; ``Ct2Engine`` loads the already converted model), as a user's run
   does.  Each engine picks its threads (one per core).
2. Batches: segments sorted longest first (by source tokens, ``</s>``
   included), then cut into groups of BATCH segments; batch ``auto`` is the
   engine's own batching (``Engine._batches`` under the default
   ``--batch-tokens`` budget, which counts padding and beam hypotheses), i.e.
   what ``tm-builder translate`` does by default.
3. Each batch goes through the engine's own ``_generate`` (tokenising,
   generation, draft scoring and decoding, as in a real run) with the output
   length forced to ceil(1.2 x the batch's longest source): the generation
   config's ``min_new_tokens`` equals the per-segment ``max_new_tokens``,
   since random weights would otherwise stop anywhere.
4. One warm-up batch (the last, shortest one) runs first and is not
   timed; then the whole set is timed.  *segments/s* is segments over wall
   seconds; *target tok/s* counts the target tokens generated (exactly the
   forced length for every segment).  Tokenizing, scoring and decoding are
   all included.
5. *peak RSS MB*: ``VmHWM`` from ``/proc/<pid>/status``, the process's own
   high-water mark (load, warm-up and all batches).  ``ru_maxrss`` is not
   used: Linux carries a parent's high-water mark into a child it forks,
   so it reported 920 MB for an engine whose own peak was about 430 MB.

The machine's load average is printed before and after: anything else
running on a 2-core machine skews every number here.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_CONFIG = ROOT.parent / "shared" / "reference" / "opus-mt-zh-en.config.json"
SEED = ROOT / "seeds" / "000_08c510cb1e756111.txt"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "tm-builder-bench" / "opus-shape"
LENGTH_RATIO = 1.2

sys.path.insert(0, str(ROOT / "src"))



def _peak_mb(pid: int | str = "self") -> float:
    """VmHWM of a process in MB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # the process has ended between two polls
        return 0.0
    return 0.0


def _own_peak_mb() -> float:
    return _peak_mb("self")

def build_model(outdir: Path) -> Path:
    """Write the opus-mt-zh-en-shaped random model to *outdir*, unless it is already there."""
    if (outdir / "model.safetensors").exists():
        return outdir
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    reference = json.loads(REFERENCE_CONFIG.read_text(encoding="utf-8"))
    size = reference["vocab_size"]
    pad = reference["pad_token_id"]
    outdir.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the cache and rename at the end, so an interrupted build is never reused.
    with tempfile.TemporaryDirectory(dir=outdir.parent) as tmp:
        tiny, staging = Path(tmp) / "tiny", Path(tmp) / "model"
        subprocess.run([sys.executable, str(ROOT / "tests" / "tiny_model.py"), str(tiny)], check=True, stdout=subprocess.DEVNULL)
        vocab = json.loads((tiny / "vocab.json").read_text(encoding="utf-8"))
        del vocab["<pad>"]
        vocab.update({f"<dummy{i}>": i for i in range(len(vocab), size - 1)})
        vocab["<pad>"] = pad
        assert len(vocab) == size and pad == size - 1
        (tiny / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            tokenizer = MarianTokenizer(
                source_spm=str(tiny / "source.spm"),
                target_spm=str(tiny / "target.spm"),
                vocab=str(tiny / "vocab.json"),
                source_lang="zh",
                target_lang="en",
            )
        tokenizer.save_pretrained(staging)

        torch.manual_seed(0)
        model = MarianMTModel(MarianConfig.from_json_file(REFERENCE_CONFIG))
        # The padding ids past the tiny vocabulary's pieces decode to literal "<dummyN>" strings: a draft of
        # them is one 400-piece word when re-tokenised, as no real model's draft is (forced prefixes of
        # glossary enforcement re-tokenise drafts).  The output bias keeps them out; the shape is unchanged.
        with torch.no_grad():
            model.final_logits_bias[0, [i for t, i in vocab.items() if t.startswith("<dummy")]] = -1e4
        model.generation_config = GenerationConfig(
            num_beams=reference["num_beams"],
            max_length=reference["max_length"],
            bad_words_ids=reference["bad_words_ids"],
            bos_token_id=reference["bos_token_id"],
            decoder_start_token_id=reference["decoder_start_token_id"],
            eos_token_id=reference["eos_token_id"],
            pad_token_id=pad,
        )
        model.save_pretrained(staging)
        staging.rename(outdir)
    return outdir


def sample(texts: list[str], n: int | None) -> list[str]:
    """*n* segments spread evenly over *texts*, in document order (all of them if *n* is None)."""
    if n is None or n >= len(texts):
        return texts
    return [texts[i * len(texts) // n] for i in range(n)]


ENGINES = ("marian", "ct2-int8", "ct2-float32")


def load_engine(model_dir: Path, engine: str, beam: int):
    from tm_builder.engines.base import DraftOptions

    if engine == "marian":
        from tm_builder.engines.marian import MarianEngine

        return MarianEngine(model_dir, DraftOptions(beam=beam))
    from tm_builder.engines.ct2 import Ct2Engine

    return Ct2Engine(model_dir, DraftOptions(beam=beam), quantization=engine.split("-", 1)[1])


def measure_one(model_dir: Path, engine_name: str, beam: int, batch_size: int, texts: list[str]) -> dict[str, float]:
    """Load the engine and time drafting *texts*; runs in its own process (``--one``)."""
    start = time.perf_counter()
    engine = load_engine(model_dir, engine_name, beam)
    load_s = time.perf_counter() - start

    lengths = engine._count_tokens(texts)
    if batch_size == 0:
        batches = engine._batches(lengths)  # production batching: the default token budget, beam included
    else:
        order = sorted(range(len(texts)), key=lambda i: (-lengths[i], i))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]

    def run(batch: list[int]) -> int:
        # The production call (engine._generate: tokenising, generation, scoring,
        # decoding); only the length is forced: transformers through its generation
        # config, CTranslate2 through the engine's minimum length.
        forced = math.ceil(LENGTH_RATIO * max(lengths[i] for i in batch))
        if engine_name == "marian":
            engine.model.generation_config.min_new_tokens = forced
        else:
            engine.min_length = forced
        engine._generate([texts[i] for i in batch], beam=beam, max_new_tokens=[forced] * len(batch))
        return forced * len(batch)

    run(batches[-1])  # warm-up: the shortest segments
    start = time.perf_counter()
    target_tokens = sum(run(batch) for batch in batches)
    wall_s = time.perf_counter() - start
    threads = engine._torch.get_num_threads() if engine_name == "marian" else engine.threads
    return {
        "segments": len(texts),
        "target_tokens": target_tokens,
        "wall_s": wall_s,
        "load_s": load_s,
        "peak_rss_mb": _own_peak_mb(),
        "threads": threads,
    }


def run_subprocess(model_dir: Path, engine: str, beam: int, batch_size: int, texts: list[str]) -> dict[str, float]:
    """Measure one configuration in a fresh interpreter; segments go in on stdin, JSON comes out."""
    command = [sys.executable, __file__, "--cache", str(model_dir), "--one", engine, str(beam), str(batch_size)]
    done = subprocess.run(command, input=json.dumps(texts), capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def convert(model_dir: Path, quantization: str) -> None:
    """Convert for CTranslate2 once, outside the timed runs (conversion needs transformers)."""
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r}); "
                    f"from tm_builder.engines.ct2 import Ct2Engine; Ct2Engine({str(model_dir)!r}, "
                    f"quantization={quantization!r})"], check=True, capture_output=True)


CORPUS_FILES = sorted((ROOT.parent / "shared" / "data" / "zh-en").glob("*.zh"))


def corpus_run(model_dir: Path, lines: int, workdir: Path) -> list[tuple[str, float, int, float]]:
    """``tm-builder translate --engine ct2`` end to end over a corpus, cold then warm.

    The corpus is ``shared/data/zh-en/*.zh`` concatenated (7,991 distinct
    lines), cycled to *lines* lines if more are asked for (the repeats are
    identical segments: drafted once per run).  Cold: a fresh draft cache
    (``TM_BUILDER_CACHE`` in *workdir*) and an already converted model, so
    conversion is not timed.  Warm: the same command again, every draft
    from the cache.  Returns (run, wall s, peak RSS MB of the child, drafts/s).
    """
    text: list[str] = []
    for f in CORPUS_FILES:
        text.extend(line for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    corpus = workdir / "corpus.zh"
    corpus.write_text("\n".join(text[i % len(text)] for i in range(lines)) + "\n", encoding="utf-8")
    env = {**os.environ, "TM_BUILDER_CACHE": str(workdir / "drafts.sqlite3"), "HF_HUB_OFFLINE": "1"}
    convert(model_dir, "int8")
    command = [sys.executable, "-m", "tm_builder", "translate", str(corpus), "-o", str(workdir / "out"),
               "--engine", "ct2", "--model", str(model_dir)]
    rows = []
    for run in ("cold", "warm"):
        log = workdir / f"{run}.log"
        with log.open("w") as sink:
            start = time.perf_counter()
            child = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
            peak = 0.0
            while child.poll() is None:  # VmHWM is the child's own high-water mark; ru_maxrss would carry ours
                peak = max(peak, _peak_mb(child.pid))
                time.sleep(0.1)
            status = child.returncode
            wall = time.perf_counter() - start
        if status != 0:
            sys.exit(f"{' '.join(command)} failed:\n{log.read_text()}")
        rows.append((run, wall, peak, lines / wall))
        print(f"{run}: {log.read_text().strip().splitlines()[0]}", file=sys.stderr)
    return rows


def corpus_table(args: argparse.Namespace) -> None:
    """Print the cold/warm table of :func:`corpus_run` and its ratio."""
    load_before = os.getloadavg()
    if args.corpus_model == "opus-shape":
        model_dir = build_model(args.cache)
    elif args.corpus_model == "trained":
        model_dir = DEFAULT_CACHE.parent / "trained"
        if not (model_dir / "config.json").exists():
            sys.path.insert(0, str(ROOT / "tests"))
            from tiny_trained import build_trained_model

            build_trained_model(model_dir)
    else:
        model_dir = Path(args.corpus_model)
    with tempfile.TemporaryDirectory(prefix="tm-builder-corpus-") as tmp:
        rows = corpus_run(model_dir, args.corpus_lines, Path(tmp))
    print(f"machine: {len(os.sched_getaffinity(0))} cores, ctranslate2 {version('ctranslate2')}; load average "
          f"before {' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"corpus: shared/data/zh-en/*.zh concatenated ({args.corpus_lines} lines), model {model_dir}")
    print("command: tm-builder translate CORPUS -o OUT --engine ct2 --model MODEL (default beam, glossary, terms)")
    print()
    print("run  | wall s | lines/s | peak RSS MB")
    print("-----|--------|---------|------------")
    for run, wall, peak, rate in rows:
        print(f"{run} | {wall:6.1f} | {rate:7.1f} | {peak:6.0f}")
    print(f"\nwarm_speedup={rows[0][1] / rows[1][1]:.1f} (measured, {model_dir.name} model)")
    if args.corpus_model == "trained":
        # The tiny model drafts ~1,000x cheaper than opus-mt-zh-en.  What the real model's cold run
        # adds: the tokens it actually wrote for these lines (shared/*.opusmt.en, words x 1.3 for
        # its 65k vocabulary) at the CTranslate2 int8 speed measured now at the real shape.
        real = ROOT.parent / "shared" / "data" / "zh-en"
        outputs = [line for f in CORPUS_FILES for line in (real / f"{f.stem}.opusmt.en").read_text(encoding="utf-8").splitlines()]
        distinct = {line for line in outputs}
        tokens = sum(len(line.split()) for line in distinct) * 1.3
        opus = build_model(args.cache)
        convert(opus, "int8")
        texts = sample([seg.text for seg in seed_segments()], 64)
        speed = run_subprocess(opus, "ct2-int8", json.loads(REFERENCE_CONFIG.read_text(encoding="utf-8"))["num_beams"], 0, texts)
        rate = speed["target_tokens"] / speed["wall_s"]
        cold = rows[0][1] + tokens / rate
        print(f"real-shape estimate: {len(distinct)} distinct opus-mt outputs, ~{tokens:,.0f} target tokens at {rate:.0f} tok/s "
              f"(ct2 int8, beam 6, measured now) -> cold about {cold:,.0f} s, warm_speedup about {cold / rows[1][1]:.0f} (estimate)")


def seed_segments():
    from tm_builder import segment_file

    return segment_file(SEED).segments


def int_list(value: str) -> list[int]:
    """Comma-separated sizes; ``auto`` (0) is the engine's own batching under its default token budget."""
    return [0 if v == "auto" else int(v) for v in value.split(",")]


def batch_label(size: int) -> str:
    return "auto" if size == 0 else str(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, help="use an evenly spaced sample of N seed segments (default: all 214)")
    parser.add_argument("--beam-segments", type=int, default=64, help="at most N segments for beam > 1 (default: 64)")
    parser.add_argument("--batch-sizes", type=int_list, default=[1, 8, 32, 0],
                        help="comma-separated segment counts, or auto for the engine's token budget (default: 1,8,32,auto)")
    parser.add_argument("--beams", type=int_list, default=[1, 4], help="comma-separated (default: 1,4)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"model directory (default: {DEFAULT_CACHE})")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated (default: {','.join(ENGINES)})")
    parser.add_argument("--quick", action="store_true",
                        help="transformers vs ct2-int8 at the default beam and batching, 64 segments (< 3 min)")
    parser.add_argument("--corpus", action="store_true",
                        help="only the second table: tm-builder translate --engine ct2 over the shared corpus, cold then warm")
    parser.add_argument("--corpus-lines", type=int, default=20_000, help="lines of the corpus table (default: 20000)")
    parser.add_argument("--corpus-model", default="trained",
                        help="model of the corpus table: 'trained' (tests/tiny_trained.py, the default: realistic draft "
                             "ends, about 1,000x cheaper per token than the real model, so the ratio it gives is a floor), "
                             "'opus-shape' (random weights: every draft runs to its length limit and is retried, hours), "
                             "or a directory")
    parser.add_argument("--one", nargs=3, metavar=("ENGINE", "BEAM", "BATCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.corpus:
        corpus_table(args)
        return

    if args.one:
        engine, beam, batch = args.one[0], int(args.one[1]), int(args.one[2])
        print(json.dumps(measure_one(args.cache, engine, beam, batch, json.loads(sys.stdin.read()))))
        return
    engines = args.engines.split(",")
    if args.quick:
        reference = json.loads(REFERENCE_CONFIG.read_text(encoding="utf-8"))
        engines, args.beams, args.batch_sizes = ["marian", "ct2-int8"], [reference["num_beams"]], [0]
        args.segments, args.beam_segments = 64, 64

    started = time.perf_counter()
    load_before = os.getloadavg()
    model_dir = build_model(args.cache)
    from tm_builder import segment_file

    seed_texts = sample([s.text for s in segment_file(SEED).segments], args.segments)
    for engine in engines:
        if engine.startswith("ct2"):
            convert(model_dir, engine.split("-", 1)[1])
    rows = []
    for beam in args.beams:
        texts = seed_texts if beam == 1 else sample(seed_texts, args.beam_segments)
        for batch_size in args.batch_sizes:
            for engine in engines:
                print(f"{engine}, beam {beam}, batch {batch_label(batch_size)}, {len(texts)} segments ...", file=sys.stderr, flush=True)
                rows.append((engine, beam, batch_size, run_subprocess(model_dir, engine, beam, batch_size, texts)))

    print(f"machine: {len(os.sched_getaffinity(0))} cores (nproc), torch {version('torch')}, "
          f"transformers {version('transformers')}, ctranslate2 {version('ctranslate2')}")
    print(f"load average (1/5/15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"model: random weights, opus-mt-zh-en shape (transformers fp32; ct2 as named), {model_dir}")
    print(f"segments: {SEED.relative_to(ROOT)}, output forced to ceil({LENGTH_RATIO} x longest source in the batch) tokens")
    print()
    header = ("engine", "threads", "beam", "batch", "segments", "target tok", "wall s", "segments/s", "target tok/s",
              "vs transformers", "load s", "peak RSS MB")
    rate = {(e, beam, bs): r["target_tokens"] / r["wall_s"] for e, beam, bs, r in rows}
    table = [header] + [
        (e, str(r["threads"]), str(beam), batch_label(bs), str(r["segments"]), str(r["target_tokens"]), f"{r['wall_s']:.1f}",
         f"{r['segments'] / r['wall_s']:.2f}", f"{rate[(e, beam, bs)]:.1f}",
         f"{rate[(e, beam, bs)] / rate[('marian', beam, bs)]:.2f}x" if ("marian", beam, bs) in rate else "-",
         f"{r['load_s']:.1f}", f"{r['peak_rss_mb']:.0f}")
        for e, beam, bs, r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print(" | ".join(cell.rjust(w) for cell, w in zip(row, widths)))
        if n == 0:
            print("-|-".join("-" * w for w in widths))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if args.quick:
        key = (args.beams[0], args.batch_sizes[0])
        peak = {e: r["peak_rss_mb"] for e, _, _, r in rows}
        print(f"peak_rss_mb ct2-int8={peak['ct2-int8']:.0f} transformers={peak['marian']:.0f} (limit 1024)")
        print(f"speedup_vs_transformers={rate[('ct2-int8', *key)] / rate[('marian', *key)]:.2f}")


if __name__ == "__main__":
    main()

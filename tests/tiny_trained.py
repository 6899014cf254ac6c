"""Build the tiny MarianMT zh->en model of ``tiny_model.py``, then *train* it.

Random weights make every output a near-tie, so a comparison of engines on
them says little: a rounding difference flips the argmax.  This model has
exactly the layout of :func:`tiny_model.build_tiny_model` (same tokenizer
files, same config, same loader) but is trained with Adam until it has
memorised a small, deterministic task, so that its greedy drafts are
confident and engines can be compared on them:

* task: the first words of the English reference (whole words, at most
  ``MAX_TARGET_PIECES`` target pieces) of ``N_PAIRS`` short WMT18 zh->en pairs
  (``../shared/data/zh-en/wmt18.{zh,en}``: news, many Xinhua-style items),
  taken in file order among the sources of at most ``MAX_SOURCE_PIECES``
  pieces that the tiny source vocabulary mostly covers;
* training: ``STEPS`` Adam steps on minibatches of ``BATCH`` pairs, warm-up
  then linear decay, gradient clipping, no dropout, one thread,
  ``torch.manual_seed``/seeded batch order and deterministic algorithms;
* the gradient of the ``<pad>`` embedding row (the decoder start token) is
  zeroed: CTranslate2 assumes that row is zero, and the tied embeddings
  would otherwise push gradient into it and make its output diverge.

The pairs it was trained on are written beside the model as
``training-pairs.json`` (a list of ``[source, target]``); the loaders ignore
the file.  Building fails loudly if training did not memorise the task.

Run as ``python tests/tiny_trained.py OUTDIR``: about 20 s on 2 cores
(6 s of it importing transformers and building the untrained model).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

try:
    from .tiny_model import build_tiny_model
except ImportError:  # run as a script: tests/ is on sys.path
    from tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "zh-en"
PAIRS_FILE = "training-pairs.json"

N_PAIRS = 120
MAX_SOURCE_PIECES = 24
MAX_TARGET_PIECES = 16
#: most <unk> pieces in a source, as a share of its pieces
MAX_UNKNOWN = 0.1
STEPS = 500
BATCH = 32
LEARNING_RATE = 4e-3
WARMUP = 50


def select_pairs(source_spm: Path, target_spm: Path, corpus: str = "wmt18") -> list[tuple[str, str]]:
    """The training pairs: deterministic, in file order."""
    import sentencepiece as spm

    zh_file, en_file = DATA / f"{corpus}.zh", DATA / f"{corpus}.en"
    if not zh_file.is_file() or not en_file.is_file():
        raise FileNotFoundError(f"{zh_file} and {en_file} are needed (../shared/ beside the checkout)")
    source = spm.SentencePieceProcessor(model_file=str(source_spm))
    target = spm.SentencePieceProcessor(model_file=str(target_spm))
    zh = zh_file.read_text(encoding="utf-8").splitlines()
    en = en_file.read_text(encoding="utf-8").splitlines()
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for src, ref in zip(zh, en):
        src, ref = src.strip(), ref.strip()
        ids = source.encode(src)
        if not src or not ids or len(ids) > MAX_SOURCE_PIECES or ids.count(source.unk_id()) > MAX_UNKNOWN * len(ids):
            continue
        words: list[str] = []
        for word in ref.split():
            if len(target.encode(" ".join([*words, word]))) > MAX_TARGET_PIECES:
                break
            words.append(word)
        tgt = " ".join(words)
        if len(words) < 2 or src in seen or tgt in seen:
            continue
        seen.update((src, tgt))
        pairs.append((src, tgt))
        if len(pairs) == N_PAIRS:
            break
    return pairs


def build_trained_model(outdir: str | Path, *, steps: int = STEPS, seed: int = 0, verbose: bool = False) -> Path:
    """Write the trained tiny model to *outdir* (and its ``training-pairs.json``); return the path."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer
    from transformers.utils import logging as hf_logging

    started = time.perf_counter()
    out = build_tiny_model(outdir, seed=seed)
    pairs = select_pairs(out / "source.spm", out / "target.spm")

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        tokenizer = MarianTokenizer.from_pretrained(out, local_files_only=True)
        model = MarianMTModel.from_pretrained(out, local_files_only=True)
        model.eval()  # no dropout: the task is memorisation, and eval mode still has gradients
        pad = model.config.pad_token_id
        embeddings = model.get_input_embeddings().weight
        assert embeddings is model.get_output_embeddings().weight, "expected tied embeddings"
        assert not embeddings[pad].any(), "the <pad> row must start at zero"
        # The <pad> row is the decoder start token: CTranslate2 assumes it stays zero.
        embeddings.register_hook(lambda grad: grad.index_fill(0, torch.tensor([pad]), 0.0))

        batch = tokenizer([s for s, _ in pairs], text_target=[t for _, t in pairs], return_tensors="pt", padding=True)
        inputs, mask = batch["input_ids"], batch["attention_mask"]
        labels = batch["labels"].masked_fill(batch["labels"] == pad, -100)

        torch.manual_seed(seed)
        order = torch.Generator().manual_seed(seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.98), eps=1e-9)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda k: min(1.0, (k + 1) / WARMUP) * max(0.05, 1.0 - k / steps)
        )
        for step in range(steps):
            rows = torch.randperm(len(pairs), generator=order)[:BATCH]
            loss = model(input_ids=inputs[rows], attention_mask=mask[rows], labels=labels[rows]).loss
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            if verbose and (step % 50 == 0 or step == steps - 1):
                print(f"step {step:4d} loss {loss.item():.3f} {time.perf_counter() - started:5.1f} s", file=sys.stderr)

        with torch.no_grad():
            logits = model(input_ids=inputs, attention_mask=mask, labels=labels).logits
            known = labels != -100
            accuracy = (logits.argmax(-1) == labels)[known].float().mean().item()
            top2 = logits.log_softmax(-1).topk(2, dim=-1).values
            margin = (top2[..., 0] - top2[..., 1])[known]
        assert not embeddings[pad].any(), "the <pad> row moved"
        if accuracy < 0.99:
            raise RuntimeError(f"tiny model training did not memorise its task (token accuracy {accuracy:.3f})")
        model.save_pretrained(out)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    (out / PAIRS_FILE).write_text(json.dumps(pairs, ensure_ascii=False, indent=0), encoding="utf-8")
    if verbose:
        print(
            f"{len(pairs)} pairs, {steps} steps, token accuracy {accuracy:.4f}, top-1 margin (nats) "
            f"min {margin.min().item():.2f} median {margin.median().item():.2f}, "
            f"built in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    return out


def training_pairs(model_dir: str | Path) -> list[tuple[str, str]]:
    """The (source, target) pairs the model in *model_dir* was trained on."""
    return [tuple(p) for p in json.loads((Path(model_dir) / PAIRS_FILE).read_text(encoding="utf-8"))]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/tiny_trained.py OUTDIR")
    print(build_trained_model(sys.argv[1], verbose=True))

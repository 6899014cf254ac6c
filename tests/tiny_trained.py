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
* training: Adam on minibatches of ``BATCH`` pairs, warm-up then linear
  decay to a floor, gradient clipping, no dropout, one thread, seeded batch
  order, *until the model passes its own check* (below), at most
  ``MAX_STEPS`` steps.  A fixed step count is not enough: the trajectory
  depends on the CPU's rounding, and a model that memorised 99% of tokens on
  one machine drops whole sentences on another;
* the check: under teacher forcing every target token (``</s>`` included)
  is the argmax, with a log-probability margin of at least ``MIN_MARGIN``
  nats over the runner-up.  Then greedy decoding reproduces every target
  exactly, and no rounding (int8 included) can flip a choice;
* the positional embeddings are frozen: transformers 5.x exposes Marian's
  sinusoidal table as a trainable parameter but never saves it, so a model
  trained with it moving is not the model that is loaded back (its first
  target token comes out wrong);
* the gradient of the ``<pad>`` embedding row (the decoder start token) is
  zeroed: CTranslate2 assumes that row is zero, and the tied embeddings
  would otherwise push gradient into it and make its output diverge.

After saving, the model is loaded back from disk and must reproduce every
target by greedy ``generate``; building fails loudly otherwise.

The pairs it was trained on are written beside the model as
``training-pairs.json`` (a list of ``[source, target]``); the loaders ignore
the file.  Building fails loudly if training did not memorise the task.

Run as ``python tests/tiny_trained.py OUTDIR``: about 30 s on one core
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
#: at most this many steps; the check usually passes after 550-700
MAX_STEPS = 2500
#: steps between two checks
CHECK_EVERY = 25
#: least log-probability margin (nats) of each target token over the runner-up
MIN_MARGIN = 3.0
BATCH = 32
LEARNING_RATE = 4e-3
WARMUP = 50
#: steps over which the learning rate decays to its floor (5%)
DECAY = 600


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


def build_trained_model(outdir: str | Path, *, seed: int = 0, verbose: bool = False) -> Path:
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
        # Not saved by save_pretrained (rebuilt on load): training them would train another model.
        for name, parameter in model.named_parameters():
            if "embed_positions" in name:
                parameter.requires_grad_(False)

        batch = tokenizer([s for s, _ in pairs], text_target=[t for _, t in pairs], return_tensors="pt", padding=True)
        inputs, mask = batch["input_ids"], batch["attention_mask"]
        labels = batch["labels"].masked_fill(batch["labels"] == pad, -100)

        def check() -> tuple[float, float]:
            """Teacher-forced token accuracy and least top-1 margin over every target token."""
            with torch.no_grad():
                logits = model(input_ids=inputs, attention_mask=mask, labels=labels).logits
            known = labels != -100
            top2 = logits.log_softmax(-1).topk(2, dim=-1).values
            accuracy = (logits.argmax(-1) == labels)[known].float().mean().item()
            return accuracy, (top2[..., 0] - top2[..., 1])[known].min().item()

        torch.manual_seed(seed)
        order = torch.Generator().manual_seed(seed)
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.Adam(trainable, lr=LEARNING_RATE, betas=(0.9, 0.98), eps=1e-9)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda k: min(1.0, (k + 1) / WARMUP) * max(0.05, 1.0 - k / DECAY)
        )
        accuracy, margin, steps = 0.0, 0.0, 0
        while steps < MAX_STEPS and not (accuracy == 1.0 and margin >= MIN_MARGIN):
            rows = torch.randperm(len(pairs), generator=order)[:BATCH]
            loss = model(input_ids=inputs[rows], attention_mask=mask[rows], labels=labels[rows]).loss
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            schedule.step()
            steps += 1
            if steps % CHECK_EVERY == 0 and steps >= WARMUP:
                accuracy, margin = check()
                if verbose:
                    print(f"step {steps:4d} loss {loss.item():.3f} token accuracy {accuracy:.4f} "
                          f"margin {margin:5.2f} {time.perf_counter() - started:5.1f} s", file=sys.stderr)
        assert not embeddings[pad].any(), "the <pad> row moved"
        if accuracy < 1.0 or margin < MIN_MARGIN:
            raise RuntimeError(
                f"tiny model training did not memorise its task in {steps} steps "
                f"(token accuracy {accuracy:.4f}, least margin {margin:.2f} nats)"
            )
        model.save_pretrained(out)

        # What is loaded back is what the tests use: it must still give back every target.
        loaded = MarianMTModel.from_pretrained(out, local_files_only=True).eval()
        with torch.inference_mode():
            generated = loaded.generate(input_ids=inputs, attention_mask=mask, num_beams=1, do_sample=False,
                                        max_new_tokens=labels.shape[1] + 2)
        drafts = tokenizer.batch_decode(generated, skip_special_tokens=True)
        wrong = [(t, d) for (_, t), d in zip(pairs, drafts) if d.strip() != t]
        if wrong:
            raise RuntimeError(f"the saved tiny model does not reproduce {len(wrong)} of its targets, e.g. {wrong[0]}")
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    (out / PAIRS_FILE).write_text(json.dumps(pairs, ensure_ascii=False, indent=0), encoding="utf-8")
    if verbose:
        print(
            f"{len(pairs)} pairs, {steps} steps, token accuracy {accuracy:.4f}, least top-1 margin {margin:.2f} nats, "
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

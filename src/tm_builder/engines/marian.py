"""MarianMT through transformers: the reference engine.

Loads tokenizer and model once from a local directory (never from the hub:
resolution and verification happen in :mod:`tm_builder.models`), runs on the
CPU in inference mode with one thread per core, and generates with the
model's own generation config unless options override it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

from ..errors import TmBuilderError
from .base import DraftOptions, Engine, Generation, usable_cores

__all__ = ["MarianEngine"]


class MarianEngine(Engine):
    """opus-mt-zh-en (or any Marian model directory) through transformers."""

    kind = "marian"

    def __init__(self, model_dir: str | os.PathLike[str], options: DraftOptions | None = None, *, label: str | None = None,
                 threads: int | None = None, device: str = "cpu") -> None:
        super().__init__(options)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub from here
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.set_num_threads(threads or usable_cores())
        if device not in ("cpu", "cuda"):
            raise TmBuilderError(f"unknown device {device!r}; use cpu or cuda")
        self.device = device
        path = Path(model_dir)
        self.model_dir = path
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            self.tokenizer = MarianTokenizer.from_pretrained(path, local_files_only=True)
        self.model = MarianMTModel.from_pretrained(path, local_files_only=True).to(device)
        self.model.eval()
        self._torch = torch
        config = self.model.config
        generation = self.model.generation_config
        self.max_source_tokens = int(getattr(config, "max_position_embeddings", 512) or 512)
        self.default_beam = int(generation.num_beams or getattr(config, "num_beams", 1) or 1)
        self.label = label or f"{path.name}@local"
        # We pass max_new_tokens ourselves; a max_length in the config would only warn.
        generation.max_length = None

    def _count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self.tokenizer(list(texts), truncation=False)["input_ids"]]

    def _generate(
        self, texts: Sequence[str], *, beam: int, max_new_tokens: Sequence[int], no_repeat_ngram_size: int = 0
    ) -> list[Generation]:
        torch = self._torch
        from transformers import LogitsProcessorList

        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False).to(self.device)
        # output_scores=True would keep a (batch x beam x 65,001) array per step: 6 GB at
        # beam 4 x batch 32 (bench/mt_speed.py). Greedy records the chosen token's
        # log-probability as it goes; beam search output is rescored once at the end.
        recorder = _ChosenLogprob(torch) if beam == 1 else None
        with torch.inference_mode():
            sequences = self.model.generate(
                **batch,
                num_beams=beam,
                do_sample=False,
                max_new_tokens=max(max_new_tokens),
                no_repeat_ngram_size=no_repeat_ngram_size,
                logits_processor=LogitsProcessorList([recorder]) if recorder else None,
            )
            generated = sequences[:, 1:]  # position 0 is the decoder start token
            # Each sequence stops at its own limit, whatever its batch mates needed.
            keep = torch.zeros_like(generated, dtype=torch.bool)
            for row, limit in enumerate(max_new_tokens):
                keep[row, :limit] = True
            keep &= generated != self.model.generation_config.pad_token_id
            if recorder is not None:
                steps = torch.stack(recorder.steps, dim=1)[:, : generated.shape[1]]
            else:
                steps = self._rescore(batch, sequences)
            steps = steps.masked_fill(~keep[:, : steps.shape[1]], 0.0)
            logprobs = (steps.sum(dim=1) / keep.sum(dim=1).clamp(min=1)).tolist()
        ids = [generated[row][keep[row]].tolist() for row in range(len(texts))]
        texts_out = self.tokenizer.batch_decode(ids, skip_special_tokens=True)
        return [Generation(t.strip(), lp) for t, lp in zip(texts_out, logprobs)]

    def _force(
        self, texts: Sequence[str], prefixes: Sequence[str], *, beam: int, max_new_tokens: Sequence[int]
    ) -> list[Generation]:
        # generate() takes one decoder prefix length per batch: group the prefixes by length
        # (only drafts that miss a glossary term come here, so batches are small anyway).
        torch = self._torch
        config = self.model.generation_config
        forced = [self.tokenizer(text_target=p, add_special_tokens=False)["input_ids"] for p in prefixes]
        groups: dict[int, list[int]] = {}
        for i, ids in enumerate(forced):
            groups.setdefault(len(ids), []).append(i)
        out: list[Generation | None] = [None] * len(texts)
        for length, members in sorted(groups.items()):
            room = self.max_target_tokens - 1 - length  # new tokens that still fit, </s> included
            if room < 1:
                for i in members:
                    out[i] = Generation("", None)
                continue
            batch = self.tokenizer([texts[i] for i in members], return_tensors="pt", padding=True, truncation=False).to(self.device)
            decoder = torch.tensor([[config.decoder_start_token_id, *forced[i]] for i in members], device=self.device)
            with torch.inference_mode():
                sequences = self.model.generate(
                    **batch, decoder_input_ids=decoder, num_beams=beam, do_sample=False,
                    max_new_tokens=min(room, max(max_new_tokens[i] for i in members)),
                )
                steps = self._rescore(batch, sequences)
            for row, i in enumerate(members):
                generated = sequences[row, 1:]
                continuation = generated[length:][: max_new_tokens[i]]
                keep = torch.cat([generated[:length], continuation]) != config.pad_token_id
                logprob = float(steps[row, : keep.shape[0]][keep].mean()) if keep.any() else None
                ids = [t for t in continuation.tolist() if t not in (config.pad_token_id, config.eos_token_id)]
                out[i] = Generation(self.tokenizer.decode(ids, skip_special_tokens=True).strip(), logprob)
        return [g for g in out if g is not None]

    def _rescore(self, batch, sequences, rows_tokens: int = 2048):
        """Log-probability of every generated token, by one teacher-forced pass in small chunks."""
        torch = self._torch
        out = []
        step = max(1, rows_tokens // max(1, sequences.shape[1]))
        for start in range(0, sequences.shape[0], step):
            part = slice(start, start + step)
            logits = self.model(
                input_ids=batch["input_ids"][part], attention_mask=batch["attention_mask"][part],
                decoder_input_ids=sequences[part, :-1],
            ).logits
            chosen = sequences[part, 1:].unsqueeze(-1)
            out.append((logits.gather(-1, chosen).squeeze(-1) - torch.logsumexp(logits, dim=-1)))
        return torch.cat(out, dim=0)


class _ChosenLogprob:
    """A logits processor that records log p(chosen token) at each greedy step.

    It runs after the model's own processors (bad words, repetition blocks),
    so the argmax it records is the token greedy search picks.
    """

    def __init__(self, torch) -> None:
        self._torch = torch
        self.steps: list = []

    def __call__(self, input_ids, scores):
        self.steps.append(self._torch.log_softmax(scores.float(), dim=-1).max(dim=-1).values)
        return scores

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

from .base import DraftOptions, Engine, Generation

__all__ = ["MarianEngine"]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class MarianEngine(Engine):
    """opus-mt-zh-en (or any Marian model directory) through transformers."""

    kind = "marian"

    def __init__(self, model_dir: str | os.PathLike[str], options: DraftOptions | None = None, *, label: str | None = None) -> None:
        super().__init__(options)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub from here
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        torch.set_num_threads(_cores())
        path = Path(model_dir)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            self.tokenizer = MarianTokenizer.from_pretrained(path, local_files_only=True)
        self.model = MarianMTModel.from_pretrained(path, local_files_only=True)
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
        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False)
        with torch.inference_mode():
            out = self.model.generate(
                **batch,
                num_beams=beam,
                do_sample=False,
                max_new_tokens=max(max_new_tokens),
                no_repeat_ngram_size=no_repeat_ngram_size,
                return_dict_in_generate=True,
                output_scores=True,
            )
            pad = self.model.generation_config.pad_token_id
            if beam > 1 and getattr(out, "sequences_scores", None) is not None:
                logprobs = [float(s) for s in out.sequences_scores]
            else:
                steps = self.model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
                mask = out.sequences[:, 1 : 1 + steps.shape[1]] != pad
                sums = steps.masked_fill(~mask, 0.0).sum(dim=1)
                logprobs = [float(x) for x in sums / mask.sum(dim=1).clamp(min=1)]
        # Cut every sequence at its own limit (position 0 is the decoder start token).
        sequences = [seq[1 : 1 + limit].tolist() for seq, limit in zip(out.sequences, max_new_tokens)]
        texts_out = self.tokenizer.batch_decode(sequences, skip_special_tokens=True)
        return [Generation(t.strip(), lp) for t, lp in zip(texts_out, logprobs)]

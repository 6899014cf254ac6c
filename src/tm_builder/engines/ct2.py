"""MarianMT through CTranslate2: the fast engine.

The verified Hugging Face model is converted once (int8 by default) into
``<HF cache>/../tm-builder/ct2/<model>@<revision>-<quantization>/`` and
translated with ``ctranslate2.Translator``.  The run-time path imports
neither torch nor transformers: tokenising is plain sentencepiece with the
model's own ``source.spm``/``target.spm`` (the same pieces MarianTokenizer
produces), and the model's limits come from its ``config.json``.  Batching,
long-segment splitting and degenerate-draft retries are the shared ones of
:class:`~tm_builder.engines.base.Engine`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

from ..errors import TmBuilderError
from ..models import hash_file
from ..vocab import QUANTIZATIONS
from .base import DraftOptions, Engine, Generation, usable_cores

__all__ = ["QUANTIZATIONS", "Ct2Engine", "converted_dir"]


def _model_key(model_dir: Path, label: str) -> str:
    """Name of the converted copy: the label for locked models, a content stamp for local ones."""
    if not label.endswith("@local"):
        return label.replace("/", "_")
    stamp = hashlib.sha256()
    for name in sorted(p.name for p in model_dir.iterdir() if p.is_file()):
        st = (model_dir / name).stat()
        stamp.update(f"{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return f"{label.replace('/', '_')}-{stamp.hexdigest()[:12]}"


def converted_dir(model_dir: Path, label: str, quantization: str) -> Path:
    """Where the converted model lives, next to the Hugging Face cache."""
    from ..models import hub_cache

    return hub_cache().parent / "tm-builder" / "ct2" / f"{_model_key(model_dir, label)}-{quantization}"


def _convert(model_dir: Path, target: Path, quantization: str) -> None:
    """Convert once (this is the only place that needs transformers and torch)."""
    from ctranslate2.converters import TransformersConverter
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()  # "Loading weights" on stderr, in the middle of our own output
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*sacremoses.*")  # only for other language pairs
            TransformersConverter(str(model_dir), copy_files=["source.spm", "target.spm"]).convert(
                str(tmp / "model"), quantization=quantization, force=True
            )
        _record(tmp / "model")
        os.replace(tmp / "model", target)
    except FileExistsError:
        pass  # another run converted it meanwhile
    except OSError as exc:
        if not target.is_dir():
            raise TmBuilderError(f"cannot convert {model_dir} for CTranslate2 ({exc})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


#: parts each batch is cut into for the parallel threads: fixed, so that 1 core, 2 cores and a cluster's
#: workers compute the same sub-batches and give the same drafts (a float's last bit can flip a near-tie)
SHARES = 2

#: the converted copy's own record of its files' hashes, written at conversion
MANIFEST = "tm-builder-manifest.json"


def _record(converted: Path) -> None:
    files = {p.name: hash_file(p)[1] for p in sorted(converted.iterdir()) if p.is_file() and p.name != MANIFEST}
    (converted / MANIFEST).write_text(json.dumps({"files": files, "stat": _stats(converted, files)}), encoding="utf-8")


def _stats(converted: Path, files: dict[str, str]) -> dict[str, list[int]]:
    return {name: [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] for name in files
            for st in [(converted / name).stat()]}


def _intact(converted: Path) -> bool:
    """Is the converted copy the one conversion wrote?  Its files are re-hashed when their stat has changed.

    The copy is what drafts come from, under the verified model's label: a
    changed byte in its weights would give other drafts under that label.
    """
    try:
        manifest = json.loads((converted / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        present = {p.name for p in converted.iterdir() if p.is_file() and p.name != MANIFEST}
        if present != set(files):
            return False
        if manifest.get("stat") == _stats(converted, files):
            return True
        if any(hash_file(converted / name)[1] != digest for name, digest in files.items()):
            return False
        manifest["stat"] = _stats(converted, files)
        with contextlib.suppress(OSError):
            (converted / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        return True
    except (OSError, ValueError, KeyError, TypeError):
        return False


class Ct2Engine(Engine):
    """opus-mt-zh-en (or any Marian model directory) through CTranslate2."""

    kind = "ct2"

    def __init__(
        self, model_dir: str | os.PathLike[str], options: DraftOptions | None = None, *, label: str | None = None,
        quantization: str = "int8", threads: int | None = None, device: str = "cpu",
    ) -> None:
        super().__init__(options)
        if device not in ("cpu", "cuda"):
            raise TmBuilderError(f"unknown device {device!r}; use cpu or cuda")
        if quantization not in QUANTIZATIONS:
            raise TmBuilderError(f"unknown quantization {quantization!r}; use one of {', '.join(QUANTIZATIONS)}")
        import ctranslate2
        import sentencepiece as spm

        source = Path(model_dir)
        self.model_dir = source
        self.label = label or f"{source.name}@local"
        self.quantization = quantization
        converted = converted_dir(source, self.label, quantization)
        if converted.is_dir() and not _intact(converted):
            shutil.rmtree(converted, ignore_errors=True)  # changed, damaged, or from before the manifest: convert again
        if not (converted / "model.bin").is_file():
            _convert(source, converted, quantization)
        cores = threads or usable_cores()
        # Parts of a batch in parallel, one thread each: the fastest layout measured on 2 cores.  A batch is
        # always cut into SHARES parts, whatever the cores: a draft must not depend on the machine.
        self.device, self.threads = device, cores
        try:
            self.translator = ctranslate2.Translator(
                str(converted), device=device, compute_type=quantization, inter_threads=cores, intra_threads=1
            )
        except ValueError as exc:  # e.g. int16 on a CPU without the instructions for it
            raise TmBuilderError(f"CTranslate2 cannot run {quantization} weights on this machine ({exc}); try int8") from None
        except RuntimeError as exc:  # a copy damaged while this run converted or checked it
            raise TmBuilderError(f"cannot load the converted model in {converted} ({exc}); delete that folder and run again "
                                 "to convert it anew") from None
        self.source_spm = spm.SentencePieceProcessor(model_file=str(source / "source.spm"))
        self.target_spm = spm.SentencePieceProcessor(model_file=str(source / "target.spm"))
        config = json.loads((source / "config.json").read_text(encoding="utf-8"))
        generation_file = source / "generation_config.json"
        generation = json.loads(generation_file.read_text(encoding="utf-8")) if generation_file.is_file() else {}
        #: shortest draft in tokens; 1 in production, raised by the speed benchmark to force lengths
        self.min_length = 1
        self.max_source_tokens = int(config.get("max_position_embeddings") or 512)
        self.default_beam = int(generation.get("num_beams") or config.get("num_beams") or 1)

    def signature(self) -> dict[str, str]:
        return {**super().signature(), "quantization": self.quantization}

    def _count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) + 1 for ids in self.source_spm.encode(list(texts))]

    def _generate(
        self, texts: Sequence[str], *, beam: int, max_new_tokens: Sequence[int], no_repeat_ngram_size: int = 0
    ) -> list[Generation]:
        tokens = [pieces + ["</s>"] for pieces in self.source_spm.encode(list(texts), out_type=str)]
        share = max(1, -(-len(tokens) // SHARES))  # split the batch across the parallel threads
        results = self.translator.translate_batch(
            tokens,
            beam_size=beam,
            max_batch_size=share,
            max_decoding_length=max(max_new_tokens),
            min_decoding_length=self.min_length,
            no_repeat_ngram_size=no_repeat_ngram_size,
            return_scores=True,
        )
        out = []
        for result, limit in zip(results, max_new_tokens):
            # Each draft stops at its own limit, whatever its batch mates needed.
            pieces = [p for p in result.hypotheses[0][:limit] if p not in ("</s>", "<pad>", "<unk>")]
            out.append(Generation(self.target_spm.decode(pieces).strip(), float(result.scores[0])))
        return out

    def _force(
        self, texts: Sequence[str], prefixes: Sequence[str], *, beam: int, max_new_tokens: Sequence[int]
    ) -> list[Generation]:
        room = self.max_target_tokens - 1  # and one for </s>
        out: list[Generation] = [Generation("", None)] * len(texts)
        forced = self.target_spm.encode(list(prefixes), out_type=str)
        fits = [i for i, f in enumerate(forced) if len(f) < room]
        if not fits:
            return out
        tokens = [pieces + ["</s>"] for pieces in self.source_spm.encode([texts[i] for i in fits], out_type=str)]
        results = self.translator.translate_batch(
            tokens,
            target_prefix=[forced[i] for i in fits],
            beam_size=beam,
            max_batch_size=max(1, -(-len(tokens) // SHARES)),
            max_decoding_length=min(room, max(len(forced[i]) + max_new_tokens[i] for i in fits)),
        )
        continuations = []
        for result, i in zip(results, fits):
            hypothesis = [p for p in result.hypotheses[0] if p not in ("</s>", "<pad>")]
            continuations.append([p for p in hypothesis[len(forced[i]):][: max_new_tokens[i]] if p != "<unk>"])
        # One teacher-forced pass scores prefix and continuation alike.
        scored = self.translator.score_batch(tokens, [forced[i] + c for i, c in zip(fits, continuations)])
        for i, c, s in zip(fits, continuations, scored):
            out[i] = Generation(self.target_spm.decode(c).strip(), sum(s.log_probs) / max(1, len(s.log_probs)))
        return out

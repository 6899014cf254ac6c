"""Build a tiny random-weight MarianMT zh->en model in the OPUS-MT layout.

The real opus-mt-zh-en weights cannot be downloaded here, so the tests build
a model with the same files and the same tokenizer structure (two
sentencepiece models, a joint ``vocab.json``, ``</s>`` = 0, ``<unk>`` = 1,
``<pad>`` last and used as decoder start) and load it through exactly the
production loader.  Its output is nonsense; tests check the pipeline, never
the wording.

Run as ``python tests/tiny_model.py OUTDIR``.  Building takes about a second
plus the import of transformers.
"""

from __future__ import annotations

import json
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _corpus(lang: str) -> list[str]:
    """Training text: fixed files of the repository, so the tokenizers do not change when the code does."""
    if lang == "zh":
        files = [ROOT / "seeds" / "000_08c510cb1e756111.txt"]
    else:
        files = [ROOT / "tests" / "data" / "terms" / "heldout.en", ROOT / "tests" / "data" / "align" / "seed_en.txt"]
    lines: list[str] = []
    for f in files:
        lines.extend(line.strip() for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


def _train_spm(lines: list[str], prefix: Path, vocab_size: int, coverage: float) -> None:
    import sentencepiece as spm

    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=coverage,
        hard_vocab_limit=False,
        bos_id=-1,
        eos_id=2,
        unk_id=1,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )


def build_tiny_model(outdir: str | Path, *, seed: int = 0, max_position_embeddings: int = 512) -> Path:
    """Write a tiny Marian model directory to *outdir* and return its path."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    # sentencepiece records the training path in the model: use a fixed one so rebuilds are identical.
    with tempfile.TemporaryDirectory(prefix="tm-builder-tiny-") as tmp:
        work = Path(tmp)
        _train_spm(_corpus("zh"), work / "source", 2000, 0.9995)
        _train_spm(_corpus("en"), work / "target", 1000, 1.0)
        pieces: list[str] = []
        for name in ("source", "target"):
            import sentencepiece as spm

            sp = spm.SentencePieceProcessor(model_file=str(work / f"{name}.model"))
            pieces.extend(sp.id_to_piece(i) for i in range(sp.get_piece_size()))
        vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
        for piece in pieces:
            if piece not in vocab and piece not in ("<s>", "<pad>"):
                vocab[piece] = len(vocab)
        vocab["<pad>"] = len(vocab)
        (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        warnings.filterwarnings("ignore", message=".*sacremoses.*")  # only needed for other language pairs
        tokenizer = MarianTokenizer(
            source_spm=str(work / "source.model"),
            target_spm=str(work / "target.model"),
            vocab=str(work / "vocab.json"),
            source_lang="zh",
            target_lang="en",
        )
        tokenizer.save_pretrained(out)

    size = len(vocab)
    config = MarianConfig(
        vocab_size=size,
        decoder_vocab_size=size,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        activation_function="swish",
        scale_embedding=True,
        max_position_embeddings=max_position_embeddings,
        pad_token_id=size - 1,
        decoder_start_token_id=size - 1,
        eos_token_id=0,
        bos_token_id=0,
        forced_eos_token_id=0,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.generation_config = GenerationConfig(
        num_beams=4,
        max_length=max_position_embeddings,
        bad_words_ids=[[size - 1]],
        pad_token_id=size - 1,
        decoder_start_token_id=size - 1,
        eos_token_id=0,
        forced_eos_token_id=0,
    )
    model.save_pretrained(out)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/tiny_model.py OUTDIR")
    print(build_tiny_model(sys.argv[1]))

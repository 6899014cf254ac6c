"""The CTranslate2 engine: same interface and shared logic, no torch at run time."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tm_builder import segment_file
from tm_builder.engines.base import DraftOptions
from tm_builder.formats import read_units
from tm_builder.units import Origin

from .conftest import SEED
from .inprocess import tm_builder

SEGMENTS = [s.text for s in segment_file(SEED).segments]
STEM = SEED.stem


@pytest.fixture(scope="module")
def ct2(tiny_model):
    from tm_builder.engines.ct2 import Ct2Engine

    return Ct2Engine(tiny_model, DraftOptions(beam=1, max_length=12))


def test_reads_the_models_settings(ct2):
    assert ct2.max_source_tokens == 512 and ct2.default_beam == 4
    assert ct2.signature()["quantization"] == "int8" and ct2.signature()["engine"] == "ct2"


def test_every_segment_gets_a_draft_in_order(ct2):
    drafts = ct2.translate(SEGMENTS)
    assert len(drafts) == len(SEGMENTS) and all(d.text for d in drafts)


def test_conversion_is_quiet(tiny_model, tmp_path):
    """Converting for CTranslate2 (a first run's work) prints nothing of transformers' own on stderr."""
    code = f"from tm_builder.engines.ct2 import Ct2Engine; Ct2Engine({str(tiny_model)!r})"
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_a_quantization_the_cpu_cannot_run_is_one_line(tiny_model):
    from tm_builder.engines.ct2 import Ct2Engine
    from tm_builder.errors import TmBuilderError

    for quantization in ("int16", "int8_float32"):  # whether this CPU has them or not, never a traceback
        try:
            Ct2Engine(tiny_model, quantization=quantization)
        except TmBuilderError as exc:
            assert quantization in str(exc) and "\n" not in str(exc)


def test_converted_once_per_quantization(tiny_model):
    from tm_builder.engines.ct2 import Ct2Engine, converted_dir

    label = f"{tiny_model.name}@local"
    Ct2Engine(tiny_model, quantization="float32")
    assert (converted_dir(tiny_model, label, "float32") / "model.bin").is_file()
    assert converted_dir(tiny_model, label, "float32") != converted_dir(tiny_model, label, "int8")
    assert str(converted_dir(tiny_model, label, "int8")).startswith(os.environ["HF_HOME"])


def test_run_time_path_imports_neither_torch_nor_transformers(tiny_model, ct2):
    code = (
        "import sys; from tm_builder.engines.ct2 import Ct2Engine; "
        f"e = Ct2Engine({str(tiny_model)!r}); e.translate(['我们来了。']); "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr


@pytest.mark.parametrize("engine", ["ct2", "marian"])
def test_both_engines_through_the_cli(tiny_model, tmp_path, engine):
    result = tm_builder("translate", SEED, "--engine", engine, "--model", tiny_model, "-o", tmp_path, "--max-length", "8",
                        "--beam", "1")
    assert result.returncode == 0, result.stderr
    units, header = read_units(tmp_path / f"{STEM}.mt.tmx")  # drafts only
    assert len(units) == 214 and all(u.origin is Origin.MT for u in units)
    assert dict(header.properties)["engine"] == engine


# -- parity with transformers, on a model whose greedy drafts are confident ------------------

@pytest.fixture(scope="module")
def held_in(trained_model):
    """The sources the trained tiny model memorised, and the targets it learnt."""
    from .tiny_trained import training_pairs

    return training_pairs(trained_model)


@pytest.fixture(scope="module")
def reference_drafts(trained_model, held_in):
    """Greedy drafts of the held-in sources by the reference engine (transformers)."""
    from tm_builder.engines.marian import MarianEngine

    engine = MarianEngine(trained_model, DraftOptions(beam=1))
    return [d.text for d in engine.translate([source for source, _ in held_in])]


@pytest.fixture(scope="module")
def trained_ct2(trained_model):
    from tm_builder.engines.ct2 import Ct2Engine

    return Ct2Engine(trained_model, DraftOptions(beam=1, max_length=12))


def test_order_and_batching_do_not_change_drafts(trained_ct2, held_in):
    """On a model whose choices are confident, so that no rounding can flip one (random weights tie)."""
    sources = [source for source, _ in held_in]
    drafts = trained_ct2.translate(sources)
    assert len(drafts) == len(sources) and all(d.text for d in drafts)
    for i in (0, 57, len(sources) - 1):
        assert trained_ct2.translate([sources[i]])[0].text == drafts[i].text
    for budget in (16, 300, 100_000):
        other = type(trained_ct2).__new__(type(trained_ct2))
        other.__dict__.update(trained_ct2.__dict__)
        other.options = DraftOptions(beam=1, max_length=12, batch_tokens=budget)
        assert [d.text for d in other.translate(sources)] == [d.text for d in drafts]


def _exact_match(a: list[str], b: list[str]) -> float:
    assert len(a) == len(b)
    return sum(x == y for x, y in zip(a, b)) / len(a)


def test_the_trained_models_drafts_are_not_trivial(trained_model, held_in, reference_drafts):
    import sentencepiece as spm

    target = spm.SentencePieceProcessor(model_file=str(trained_model / "target.spm"))
    n = len(reference_drafts)
    assert n >= 100
    assert sum(bool(d) for d in reference_drafts) >= 0.95 * n
    assert sum(len(target.encode(d)) >= 5 for d in reference_drafts) >= 0.9 * n
    assert len(set(reference_drafts)) >= 0.9 * n
    # The build checked every target token with a margin: greedy decoding gives back what it learnt.
    assert _exact_match(reference_drafts, [t for _, t in held_in]) >= 0.98


@pytest.mark.parametrize("quantization", ["float32", "int8"])
def test_greedy_drafts_match_transformers(trained_model, held_in, reference_drafts, quantization):
    from tm_builder.engines.ct2 import Ct2Engine

    engine = Ct2Engine(trained_model, DraftOptions(beam=1), quantization=quantization)
    drafts = [d.text for d in engine.translate([source for source, _ in held_in])]
    rate = _exact_match(reference_drafts, drafts)
    assert rate >= 0.98, f"greedy exact match with transformers, {quantization}: {rate:.3f}"


def test_a_changed_or_scrambled_converted_copy_is_converted_again(tiny_model, tmp_path, monkeypatch):
    """The converted copy is what drafts come from, under the verified label: its bytes are checked like the model's."""
    from tm_builder.engines.ct2 import MANIFEST, Ct2Engine, converted_dir

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    options = DraftOptions(beam=1, max_length=12)
    before = [d.text for d in Ct2Engine(tiny_model, options).translate(SEGMENTS[:5])]
    weights = converted_dir(tiny_model, f"{tiny_model.name}@local", "int8") / "model.bin"
    assert (weights.parent / MANIFEST).is_file()
    original = weights.read_bytes()
    stat = weights.stat()
    for damage in (b"\x00" * 64, os.urandom(64)):  # changed bytes, size and mtime restored; then scrambled
        with weights.open("r+b") as f:
            f.seek(len(original) // 2)
            f.write(damage)
        os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        again = [d.text for d in Ct2Engine(tiny_model, options).translate(SEGMENTS[:5])]
        assert weights.read_bytes() == original and again == before

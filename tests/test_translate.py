"""Drafting with MarianMT through the production loader, on a tiny random model.

The model's words are noise; these tests check the pipeline around it: every
segment gets a draft, in order, the same whatever the batching, long
segments are split and rejoined, degenerate drafts are retried and flagged,
and the drafts reach TMX/PO/CSV as machine output.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

import pytest

from tm_builder import segment_file
from tm_builder.engines.base import Draft, DraftOptions, Engine, Generation, _split_long
from tm_builder.formats import read_units
from tm_builder.units import Origin

from .conftest import SEED, TMX_DTD
from .inprocess import Completed, tm_builder

STEM = SEED.stem
SEGMENTS = [s.text for s in segment_file(SEED).segments]


@pytest.fixture(scope="module")
def engine(tiny_model):
    from tm_builder.engines.marian import MarianEngine

    return MarianEngine(tiny_model, DraftOptions(beam=1, max_length=12))


def test_loader_reads_the_models_own_settings(engine):
    assert engine.max_source_tokens == 512
    assert engine.default_beam == 4  # from generation_config.json
    assert engine.label.endswith("@local")


def test_every_segment_gets_a_draft_in_order(engine):
    drafts = engine.translate(SEGMENTS)
    assert len(drafts) == len(SEGMENTS)
    assert all(isinstance(d, Draft) and d.text for d in drafts)


@pytest.fixture(scope="module")
def trained(trained_model):
    """transformers on the trained tiny model, whose drafts of its training sources are confident."""
    from tm_builder.engines.marian import MarianEngine

    from .tiny_trained import training_pairs

    return MarianEngine(trained_model, DraftOptions(beam=1, max_length=12)), [s for s, _ in training_pairs(trained_model)]


@pytest.mark.parametrize("batch_tokens", [16, 300, 100_000])
def test_order_and_batching_do_not_change_drafts(trained, batch_tokens):
    """Each draft is what the segment gets on its own, whatever the batch (random weights would tie: see tiny_trained)."""
    engine, sources = trained
    reference = engine.translate(sources)
    if batch_tokens == 16:  # one segment per batch: each on its own
        for i in (0, 57, len(sources) - 1):
            assert engine.translate([sources[i]])[0].text == reference[i].text
    other = type(engine).__new__(type(engine))
    other.__dict__.update(engine.__dict__)
    other.options = DraftOptions(beam=1, max_length=12, batch_tokens=batch_tokens)
    assert [d.text for d in other.translate(sources)] == [d.text for d in reference]


class EchoBackend(Engine):
    """Exact arithmetic instead of a model: a draft is the source's characters, up to the segment's own limit."""

    label = "echo@test"
    kind = "test"

    def __init__(self, options: DraftOptions) -> None:
        super().__init__(options)
        self.batches: list[int] = []

    def _count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t) + 1 for t in texts]

    def _generate(self, texts, *, beam, max_new_tokens, no_repeat_ngram_size=0):
        self.batches.append(len(texts))
        return [Generation(" ".join(t)[: 2 * limit], -0.5) for t, limit in zip(texts, max_new_tokens)]

    def _force(self, texts, prefixes, *, beam, max_new_tokens):
        return [Generation("", -0.5) for _ in texts]


@pytest.mark.parametrize("batch_tokens", [1, 40, 300, 100_000])
def test_batching_logic_keeps_order_and_each_segments_own_limit(batch_tokens):
    """The shared batching, ordering and per-segment length limits, free of any floating point."""
    alone = EchoBackend(DraftOptions(beam=2, batch_tokens=1, length_ratio=1.0))
    batched = EchoBackend(DraftOptions(beam=2, batch_tokens=batch_tokens, length_ratio=1.0))
    expected = [d.text for d in alone.translate(SEGMENTS)]
    assert [d.text for d in batched.translate(SEGMENTS)] == expected
    assert len(alone.batches) >= len(SEGMENTS) and set(alone.batches) == {1}  # the reference drafted each on its own
    if batch_tokens == 100_000:
        assert len(batched.batches) < len(SEGMENTS) / 4  # and this one really batched


def test_beam_search_is_deterministic(engine):
    other = type(engine).__new__(type(engine))
    other.__dict__.update(engine.__dict__)
    other.options = DraftOptions(beam=None, max_length=8)
    assert other.beam == 4
    first = [d.text for d in other.translate(SEGMENTS[:20])]
    assert [d.text for d in other.translate(SEGMENTS[:20])] == first


def test_long_segments_are_split_at_clauses_not_truncated(tiny_short_model):
    from tm_builder.engines.marian import MarianEngine

    engine = MarianEngine(tiny_short_model, DraftOptions(beam=1, max_length=6))
    long = max(SEGMENTS, key=len)  # well over 64 tokens
    assert engine._count_tokens([long])[0] > engine.max_source_tokens
    pieces = _split_long(long, lambda t: engine._count_tokens([t])[0] <= engine.max_source_tokens - 1)
    assert "".join(pieces) == long  # nothing lost
    assert all(p[-1] in "，,；;：:。、”" for p in pieces[:-1])  # cut after clause punctuation
    draft = engine.translate([long])[0]
    assert any("split into" in n for n in draft.notes)
    # The pieces drafted in one call are batched exactly as inside the split: the same arithmetic.
    assert draft.text == " ".join(d.text for d in engine.translate(pieces))


def test_split_without_punctuation_keeps_every_character():
    text = "中" * 1000
    pieces = _split_long(text, lambda t: len(t) <= 100)
    assert "".join(pieces) == text and all(len(p) <= 100 for p in pieces)


class LoopingBackend(Engine):
    """A backend whose first attempt loops, as opus-mt-zh-en does on short fragments."""

    label = "looping@test"
    kind = "test"

    def __init__(self, fixed_by_retry: bool) -> None:
        super().__init__(DraftOptions(beam=1))
        self.fixed_by_retry = fixed_by_retry
        self.calls: list[int] = []

    def _count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t) + 1 for t in texts]

    def _generate(self, texts, *, beam, max_new_tokens, no_repeat_ngram_size=0):
        self.calls.append(no_repeat_ngram_size)
        if no_repeat_ngram_size and self.fixed_by_retry:
            return [Generation("Walking slowly.", -0.1) for _ in texts]
        return [Generation(" ".join(["come on"] * 28), -0.2) for _ in texts]

    def _force(self, texts, prefixes, *, beam, max_new_tokens):
        return [Generation("slowly.", -0.1) for _ in texts]


def test_degenerate_draft_is_retried():
    backend = LoopingBackend(fixed_by_retry=True)
    draft = backend.translate(["缓缓走来"])[0]
    assert draft.text == "Walking slowly." and draft.problem is None
    assert backend.calls == [0, 3]  # second call blocks repeated trigrams
    assert any("retried" in n for n in draft.notes)


def test_degenerate_draft_that_stays_bad_is_flagged():
    draft = LoopingBackend(fixed_by_retry=False).translate(["缓缓走来"])[0]
    assert draft.problem
    assert draft.problem.startswith("degenerate draft") and not any("needs review" in n for n in draft.notes)


def run(*args: str, env: dict[str, str] | None = None) -> Completed:
    return tm_builder(*args, env={"SOURCE_DATE_EPOCH": "1700000000", **(env or {})})


def test_translate_seed_end_to_end(tiny_model, tmp_path, xmllint, msgfmt):
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = run("translate", str(SEED), "--model", str(tiny_model), "-o", str(out), "--max-length", "10", "--batch-tokens", "512")
        assert result.returncode == 0, result.stderr
        assert "drafted 214 segments" in result.stdout
        outs.append(out)
    units = read_units(outs[0] / f"{STEM}.mt.tmx")[0]
    assert read_units(outs[0] / f"{STEM}.tmx")[0] == []  # every target is a draft: none in the human memory
    assert len(units) == len(SEGMENTS) == 214
    assert all(u.origin is Origin.MT and u.target and u.model == f"{tiny_model.name}@local" for u in units)
    assert {u.kind.value for u in units} == {"sentence", "heading", "speaker", "byline"}  # labels drafted too
    assert read_units(outs[0] / f"{STEM}.po")[0] == units == read_units(outs[0] / f"{STEM}.csv")[0]
    for tmx in (f"{STEM}.tmx", f"{STEM}.mt.tmx"):
        check = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(outs[0] / tmx)], capture_output=True, text=True)
        assert check.returncode == 0 and check.stderr == "", check.stderr
    check = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(outs[0] / f"{STEM}.po")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    po = (outs[0] / f"{STEM}.po").read_text(encoding="utf-8")
    # One entry per distinct source (the label 王毅: repeats, drafted the same each time), every one fuzzy.
    entries = len({u.source for u in units})
    assert po.count("#, fuzzy") == entries < 214 and po.count("#. position: ") == 214
    tmx = (outs[0] / f"{STEM}.mt.tmx").read_text(encoding="utf-8")
    assert tmx.count('<prop type="x-origin">mt</prop>') == 214 == tmx.count('creationid="MT!"')
    assert '<prop type="x-beam">4</prop>' in tmx  # the signature names the settings
    for fmt in ("tmx", "mt.tmx", "po", "csv", "source.txt"):
        assert (outs[0] / f"{STEM}.{fmt}").read_bytes() == (outs[1] / f"{STEM}.{fmt}").read_bytes()


def test_english_input_is_refused_for_drafting(tiny_model, tmp_path):
    doc = tmp_path / "en.txt"
    doc.write_text("The talks ended on Friday. Both sides were satisfied.\n", encoding="utf-8")
    result = run("translate", str(doc), "--model", str(tiny_model), "-o", str(tmp_path / "out"))
    assert result.returncode != 0 and "English" in result.stderr and "Traceback" not in result.stderr


# -- the run's drafting plan ----------------------------------------------------------------------------

def test_a_plan_drafts_each_distinct_source_once_and_knows_who_waits(engine, tmp_path):
    from tm_builder.store import DraftCache
    from tm_builder.translate import plan_drafts, run_plan, LocalDispatch

    requests = [["长一些的第一句。", "二。", "第三句话。"], ["二。", "第四句。"], ["长一些的第一句。"], ["最后一个文件。"]]
    cache = DraftCache(tmp_path / "c.sqlite3")
    plan = plan_drafts(requests, engine, cache, chunk=2, wave=3)
    drafted = [s for c in plan.chunks for s in c]
    assert sorted(drafted) == sorted({s for r in requests for s in r})  # each once
    # wave 1 is the first document (3 new sources fill it), wave 2 the other three: sorted by length inside each
    assert plan.chunks == [["二。", "第三句话。"], ["长一些的第一句。"], ["第四句。", "最后一个文件。"]]
    assert plan.waits == [{0, 1}, {0, 2}, {1}, {2}]
    done = dict(item for _, fresh in run_plan(plan, LocalDispatch(engine), cache) for item in fresh.items())
    assert set(done) == set(drafted)
    again = plan_drafts(requests + [["新的一句。"]], engine, cache, chunk=2, wave=3)
    assert set(again.known) == set(drafted) and again.chunks == [["新的一句。"]]  # the cache is consulted first
    assert again.waits[:4] == [set(), set(), set(), set()]
    assert again.known["二。"] == done["二。"]

"""The draft cache: drafted once, reused across runs, and an interrupted run resumes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence

import pytest

from tm_builder import segment_file
from tm_builder.engines.base import DraftOptions, Engine, Generation
from tm_builder.store import DraftCache, signature_key
from tm_builder.translate import draft_units
from tm_builder.units import Origin, TranslationUnit

from .conftest import SEED
from .inprocess import Completed, tm_builder

STEM = SEED.stem


class CountingEngine(Engine):
    """A deterministic backend that counts what it is asked to translate."""

    label = "counting@test"
    kind = "test"

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__(DraftOptions(beam=1))
        self.translated: list[str] = []
        self.fail_after = fail_after

    def _count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t) + 1 for t in texts]

    def _generate(self, texts, *, beam, max_new_tokens, no_repeat_ngram_size=0):
        if self.fail_after is not None and len(self.translated) >= self.fail_after:
            raise KeyboardInterrupt  # the user pressed Ctrl-C half-way
        self.translated.extend(texts)
        return [Generation(f"draft of {t[:6]} ({len(t)} chars)", -0.1) for t in texts]

    def _force(self, texts, prefixes, *, beam, max_new_tokens):
        self.translated.extend(texts)
        return [Generation("and so on.", -0.2) for _ in texts]


def units() -> list[TranslationUnit]:
    return [TranslationUnit.from_segment(s) for s in segment_file(SEED).segments]


def test_identical_segments_are_drafted_once_per_run():
    engine = CountingEngine()
    out = draft_units(units(), engine)
    assert len(engine.translated) == len({u.source for u in units()}) < len(units())  # "王毅:" recurs
    assert all(u.origin is Origin.MT for u in out)


def test_second_run_comes_from_the_cache(tmp_path):
    cache = DraftCache(tmp_path / "c.sqlite3")
    first = draft_units(units(), CountingEngine(), cache=cache)
    again = CountingEngine()
    second = draft_units(units(), again, cache=cache)
    assert again.translated == [] and second == first


def test_interrupted_run_resumes_and_equals_an_uninterrupted_one(tmp_path):
    reference = draft_units(units(), CountingEngine())
    cache = DraftCache(tmp_path / "c.sqlite3")
    with pytest.raises(KeyboardInterrupt):
        draft_units(units(), CountingEngine(fail_after=100), cache=cache, chunk=50)
    assert 0 < len(cache) < len({u.source for u in units()})  # the finished chunks were kept
    resumed = CountingEngine()
    assert draft_units(units(), resumed, cache=cache, chunk=50) == reference
    assert len(resumed.translated) == len({u.source for u in units()}) - 100


def test_cache_key_covers_every_setting():
    base = CountingEngine().signature()
    assert signature_key(base) == signature_key(dict(base))
    assert signature_key(base) != signature_key({**base, "beam": "4"})
    assert signature_key(base) != signature_key({**base, "model": "other@rev"})


def run(*args: str, env: dict[str, str]) -> Completed:
    return tm_builder(*args, env={"SOURCE_DATE_EPOCH": "1700000000", **env})


def test_cli_rerun_and_no_cache(tiny_model, tmp_path):
    env = {"TM_BUILDER_CACHE": str(tmp_path / "drafts.sqlite3")}
    args = ("translate", str(SEED), "--model", str(tiny_model), "--max-length", "8", "--beam", "1")
    first = run(*args, "-o", str(tmp_path / "a"), env=env)
    assert first.returncode == 0, first.stderr
    second = run(*args, "-o", str(tmp_path / "b"), env=env)
    assert "0 new drafts stored" in second.stdout
    for fmt in ("tmx", "mt.tmx", "po", "csv"):
        assert (tmp_path / "a" / f"{STEM}.{fmt}").read_bytes() == (tmp_path / "b" / f"{STEM}.{fmt}").read_bytes()
    env2 = {"TM_BUILDER_CACHE": str(tmp_path / "none.sqlite3")}
    third = run(*args, "-o", str(tmp_path / "c"), "--no-cache", env=env2)
    assert third.returncode == 0 and not (tmp_path / "none.sqlite3").exists()
    assert (tmp_path / "c" / f"{STEM}.mt.tmx").read_bytes() == (tmp_path / "a" / f"{STEM}.mt.tmx").read_bytes()


#: runs the CLI in a process that SIGKILLs itself right after the commit that brings the draft cache to 256
#: drafts (a chunk is stored in one commit per glossary-term key): an interruption at a known point, whatever
#: the machine's speed or load
_KILLED_AFTER_FIRST_COMMIT = """
import os, signal, sys
from tm_builder import store
put = store.DraftCache.put
def put_then_die(self, *args, **kwargs):
    put(self, *args, **kwargs)
    if len(self) >= 256:
        os.kill(os.getpid(), signal.SIGKILL)
store.DraftCache.put = put_then_die
from tm_builder.cli import main
sys.argv[0] = "tm-builder"
main()
"""


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_outputs(tiny_model, tmp_path):
    """SIGKILL a cold run after its first commit; the re-run reuses what was committed and ends identical.

    ``--batch-tokens 1`` drafts every segment in a batch of its own, in the
    uninterrupted run and in the resumed one alike: the comparison is then
    byte for byte on any CPU, however its kernels round batches.
    """
    import signal
    import sqlite3

    from .conftest import ROOT

    lines = (ROOT.parent / "shared" / "data" / "zh-en" / "wmt18.zh").read_text(encoding="utf-8").splitlines()[:360]
    doc = tmp_path / "corpus.txt"
    doc.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    args = ["translate", str(doc), "--model", str(tiny_model), "--engine", "ct2", "--max-length", "24", "--beam", "4",
            "--batch-tokens", "1"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}

    reference = subprocess.run([sys.executable, "-m", "tm_builder", *args, "-o", str(tmp_path / "ref"), "--no-cache"],
                               capture_output=True, text=True, env=env, timeout=600)
    assert reference.returncode == 0, reference.stderr

    cache = tmp_path / "killed.sqlite3"
    env["TM_BUILDER_CACHE"] = str(cache)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_FIRST_COMMIT, *args, "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, env=env, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (tmp_path / "out" / "corpus.tmx").exists()  # nothing half-written

    with sqlite3.connect(cache) as db:
        committed = db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
    assert committed >= 256  # the first chunk, whatever its keys
    resumed = subprocess.run([sys.executable, "-m", "tm_builder", *args, "-o", str(tmp_path / "out")],
                             capture_output=True, text=True, env=env, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    new, reused = map(int, re.search(r"(\d+) new drafts stored, (\d+) reused", resumed.stdout).groups())
    with sqlite3.connect(cache) as db:
        total = db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
    assert 0 < new == total - committed  # the rest was drafted ...
    assert reused >= committed  # ... and what the killed run committed was served from the cache, not redrafted
    for fmt in ("tmx", "mt.tmx", "po", "csv"):
        assert (tmp_path / "out" / f"corpus.{fmt}").read_bytes() == (tmp_path / "ref" / f"corpus.{fmt}").read_bytes()


def test_term_candidates_are_remembered_for_a_warm_run(tmp_path, monkeypatch):
    import tm_builder.terms as terms
    from tm_builder.glossary import load_curated
    from tm_builder.review import glossary_terms

    doc = segment_file(SEED)
    known = load_curated()
    store = DraftCache(tmp_path / "memo.sqlite3")
    first = glossary_terms([doc], known, cache=store)
    assert len(first) > 20

    def no_extraction(*args, **kwargs):
        raise AssertionError("extraction ran although its result was remembered")

    monkeypatch.setattr(terms, "extract_terms", no_extraction)
    assert glossary_terms([doc], known, cache=store) == first
    other = tmp_path / "other.txt"  # another text is not served the remembered result
    other.write_text(SEED.read_text(encoding="utf-8") + "\n新的段落提到三到一位。\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="remembered"):
        glossary_terms([segment_file(other)], known, cache=store)


def test_a_damaged_or_foreign_cache_is_a_one_line_error_or_a_miss(tiny_model, tmp_path):
    import sqlite3

    from .conftest import DATA

    doc = DATA / "align" / "seed_zh.txt"
    cache = tmp_path / "drafts.sqlite3"
    args = ("translate", str(doc), "--model", str(tiny_model), "--max-length", "8", "--beam", "1")
    assert run(*args, "-o", str(tmp_path / "a"), env={"TM_BUILDER_CACHE": str(cache)}).returncode == 0
    # a row with bad JSON is a miss: drafted again, the same output
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE drafts SET notes = '{not json' WHERE source IN (SELECT source FROM drafts LIMIT 3)")
    again = run(*args, "-o", str(tmp_path / "b"), env={"TM_BUILDER_CACHE": str(cache)})
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "a" / "seed_zh.mt.tmx").read_bytes() == (tmp_path / "b" / "seed_zh.mt.tmx").read_bytes()
    # another program's database of the same name
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE drafts (id INTEGER PRIMARY KEY, body BLOB)")
    done = run(*args, "-o", str(tmp_path / "c"), env={"TM_BUILDER_CACHE": str(foreign)})
    assert done.returncode != 0 and done.stderr.startswith("tm-builder: error:") and "not a tm-builder draft cache" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "c").exists()
    # a file damaged past its header (every page after the first overwritten)
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(cache.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    data[page:] = bytes((i * 7 + 3) % 256 for i in range(len(data) - page))
    damaged.write_bytes(bytes(data))
    done = run(*args, "-o", str(tmp_path / "d"), env={"TM_BUILDER_CACHE": str(damaged)})
    assert done.returncode != 0 and done.stderr.startswith("tm-builder: error:"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_translate_without_a_model_keeps_term_candidates_for_a_rerun(tmp_path):
    import os

    from tm_builder.store import DraftCache

    first = tm_builder("translate", SEED, "-o", tmp_path / "a", "--engine", "none")
    assert first.returncode == 0, first.stderr
    from tm_builder.review import approved_sources, candidates_key, load_glossary, recall_candidates

    key = candidates_key([segment_file(SEED)], approved_sources(load_glossary()))
    cache = DraftCache(os.environ["TM_BUILDER_CACHE"])
    try:
        assert len(cache) == 0 and recall_candidates(cache, key)  # the seed's candidates, and no drafts
    finally:
        cache.close()
    again = tm_builder("translate", SEED, "-o", tmp_path / "b", "--engine", "none")
    assert again.returncode == 0, again.stderr
    glossaries = [(tmp_path / d / f"{STEM}.glossary.csv").read_bytes() for d in ("a", "b")]
    assert glossaries[0] == glossaries[1] and glossaries[0].count(b"\n") > 10

"""CTranslate2 vocabulary shortlist (``use_vmap``): what it buys in speed, what it costs in drafts.

Run from anywhere (about 4 minutes on a quiet 2-core machine; the first run
also builds the random opus-mt-shaped model of ``bench/mt_speed.py``):

    python bench/vmap_shortlist.py
    python bench/vmap_shortlist.py --rounds 1 --skip-padded     # quicker

How CTranslate2 uses a vocabulary map
-------------------------------------
A converted model directory may hold ``vmap.txt`` (``TransformersConverter
.convert(..., vmap=PATH)`` copies it there as ``vmap.txt``; copying it in by
hand works too).  ``translate_batch(..., use_vmap=True)`` then restricts the
output layer to a candidate set computed *per batch*: the union, over every
source sentence of the batch, of the target tokens of every line whose key
matches there, plus the tokens of the line with an empty key, plus ``<unk>``
and ``</s>``.  A line is ``KEY<TAB>TARGET TARGET ...``: the key is one source
token, or several contiguous ones separated by spaces (an n-gram); keys are
matched as the token *strings* the caller passes (sentencepiece pieces here),
targets are looked up in the target vocabulary (unknown ones become
``<unk>``).  A line ``<TAB>TOKENS`` (empty key) lists the tokens always allowed.
Checked by hand on ctranslate2 4.8.5 (contiguous bigram keys included) and
on every run by ``check_vmap_semantics``: an empty-key line alone restricts
every output to its tokens; a keyed line serves *every sentence of the batch*
once one sentence has the key; an absent key adds nothing; a line without a
tab is a key with no targets.

Because the candidate set is a union over the batch, a draft can depend on
which other segments share its batch: the engine's contract (a draft does not
depend on its batch mates) no longer holds with ``use_vmap``.

The shortlist built here
------------------------
* Always allowed (empty key): the ``--top-k`` most frequent target pieces of
  an English corpus (FLORES devtest and the seed's English: neither the
  trained model's targets nor the evaluated opus-mt outputs), every target
  piece without a letter (punctuation, digits, ``▁``), and ``</s>``.
* Per source piece: the target pieces of the English glosses of the Chinese
  words the piece belongs to.  Words come from CC-CEDICT through
  :class:`tm_builder.align.lexicon.Lexicon` (its reader and its lemmas, up to
  six per word), with the curated ``glossary/*.csv`` (``source,target,
  variants``; its renderings also word for word) added when present.  Each
  lemma stands for itself, the words of that corpus with the same lemma, and
  the common inflections that are words of that corpus, capitalised or not;
  each form gives its pieces at a word start and after punctuation.
  "Belongs to" is learnt from Chinese text: in every sentence of the seed,
  WMT17 and FLORES (not WMT18, whose sources the trained tiny model
  memorised) each piece collects every dictionary word (1 to 8 characters)
  overlapping it; a piece never seen there gets the words inside it.  Pieces
  with Latin letters or digits also allow their own spelling (GDP, 2024).
  Each model gets its own shortlist from its own sentencepiece models.

Measurements
------------
(a) Speed: the random model of ``bench/mt_speed.py`` (opus-mt-zh-en shape,
    vocabulary 65,001), CTranslate2 int8, beam 6, batch 32, the evenly spaced
    64 seed segments of ``mt_speed.py --quick``, output length forced exactly
    as ``mt_speed.py`` forces it (``min_decoding_length``), timed by
    ``mt_speed.measure_one`` (warm-up batch, then all batches); the variants
    alternate for ``--rounds`` rounds and each one's best round counts.  The
    bench model's real target pieces are only ~1,000 of its 65,001 (the rest
    are dummies), so its shortlist is far smaller than a real one would be;
    the padded rows add dummy pieces to the always-allowed line to time
    candidate sets of realistic size (see (c)).
(b) Safety with the trained tiny model of ``tests/tiny_trained.py``
    (CTranslate2 int8, the production ``Ct2Engine.translate`` and its
    batching): the share of drafts that change when vmap is switched on,
    greedy and beam 4, for several ``--top-k``, on the 120 held-in sources
    (confident, memorised drafts) and the 214 seed segments (unseen input);
    also each held-in source drafted alone, and how often that differs from
    its batched draft with vmap on (batch dependence).  Caveat: the tiny
    target vocabulary cuts English almost into letters, so a few hundred
    pieces spell anything; (c) is the better guide for the real model.
(c) The shortlist against what the real opus-mt-zh-en wrote
    (``../shared/data/zh-en/{wmt17,flores-dev}.opusmt.en``; the real model
    cannot be run here): the share of real drafts all of whose words, and all
    of whose pieces under a stand-in 8k English sentencepiece model, are
    allowed, for a sentence alone and for batches of 32, with the candidates
    per batch.  A greedy draft whose every token is allowed comes out
    unchanged (the argmax is inside the shortlist), so these shares bound
    the unchanged drafts from below; a draft with a token outside almost
    surely changes.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
import mt_speed  # noqa: E402  (also puts src/ on sys.path)

DATA = ROOT.parent / "shared" / "data" / "zh-en"
GLOSSARY = ROOT / "glossary"
SEED_EN = ROOT / "tests" / "data" / "align" / "seed_en.txt"
BEAM, BATCH, SEGMENTS = 6, 32, 64

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")
_EN_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*|[^\sA-Za-z0-9]")


# -- the shortlist ----------------------------------------------------------------


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def english_corpus() -> list[str]:
    """English text for frequencies and word forms: neither the trained model's targets nor the text (c) evaluates."""
    return read_lines(DATA / "flores-test.en") + read_lines(SEED_EN)


def glossary_pairs(folder: Path = GLOSSARY) -> list[tuple[str, str]]:
    """(source, English) of every glossary row and variant, if the glossary exists yet."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                source = (row.get("source") or "").strip()
                for target in [row.get("target") or "", *(row.get("variants") or "").split("|")]:
                    if source and target.strip():
                        pairs.append((source, target.strip()))
    return pairs


def inflections(word: str) -> set[str]:
    """Surface forms a crude lemma (``lexicon.lemma``) may stand for (most of them are not words)."""
    w = word.lower()
    forms = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing", w + "e", w + "er", w + "ly", w + "'s"}
    if w.endswith("y"):
        forms |= {w[:-1] + "ies", w[:-1] + "ied", w[:-1] + "ily"}
    if w.endswith("e"):
        forms |= {w[:-1] + "ing", w[:-1] + "ion", w[:-1] + "y"}
    if len(w) > 2 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou":
        forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    return forms


class Glosser:
    """Chinese words in text, and the English word forms of their glosses."""

    def __init__(self) -> None:
        from tm_builder.align.lexicon import MAX_WORD, Lexicon, lemma

        self.glossary = glossary_pairs()
        self.lexicon = Lexicon(extra=self.glossary)
        self.max_word = MAX_WORD
        # Glossary renderings count word for word, unlemmatised, on top of the lexicon's lemmas.
        self.exact: dict[str, set[str]] = defaultdict(set)
        for source, target in self.glossary:
            self.exact[source].update(w for w in _EN_WORD.findall(target))
        # Real English words, by lemma: the forms a lemma may stand for (told, metres, ...) as seen in text.
        self.by_lemma: dict[str, set[str]] = defaultdict(set)
        for line in english_corpus():
            for w in _EN_WORD.findall(line):
                if _HAS_LETTER.search(w):
                    self.by_lemma[lemma(w)].add(w.lower())
        self.known = set().union(*self.by_lemma.values())
        self._forms: dict[str, frozenset[str]] = {}

    def forms(self, word: str) -> frozenset[str]:
        """English word forms allowed for the Chinese *word*: real words only, in two capitalisations."""
        cached = self._forms.get(word)
        if cached is None:
            out: set[str] = set(self.exact.get(word, ()))
            for lem in self.lexicon.glosses.get(word, ()):
                out.add(lem)
                out |= self.by_lemma.get(lem, set())
                out |= inflections(lem) & self.known
            out |= {f[:1].upper() + f[1:] for f in out}
            cached = self._forms[word] = frozenset(out)
        return cached

    def words(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of every dictionary word in *text*: all substrings of 2+ characters, and single characters."""
        glosses, found = self.lexicon.glosses, []
        for run in _HAN_RUN.finditer(text):
            s, n = run.start(), len(run.group(0))
            for i in range(n):
                for k in range(1, min(self.max_word, n - i) + 1):
                    w = text[s + i : s + i + k]
                    if w in glosses or w in self.exact:
                        found.append((s + i, s + i + k, w))
        return found


class Shortlist:
    """An always-allowed line plus source piece -> target pieces rules, written as ``vmap.txt``."""

    def __init__(self, always: Iterable[str], rules: dict[str, set[str]]) -> None:
        self.always = sorted(set(always))
        self.rules = {k: v - set(self.always) for k, v in rules.items()}

    def write(self, path: Path, filler: Sequence[str] = ()) -> Path:
        lines = ["\t" + " ".join([*self.always, *filler])]
        lines += [f"{key}\t{' '.join(sorted(v))}" for key, v in sorted(self.rules.items()) if v]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def candidates(self, batch: Sequence[Sequence[str]]) -> set[str]:
        """What CTranslate2 allows for *batch* (lists of source pieces), as computed from the file."""
        out = set(self.always) | {"</s>", "<unk>"}
        for tokens in batch:
            for token in tokens:
                out |= self.rules.get(token, set())
        return out


def build_shortlists(model_dir: Path, glosser: Glosser, top_ks: Sequence[int]) -> dict[int, Shortlist]:
    """Piece-level shortlists (one per always-allowed top K) for a model with the tiny model's sentencepiece models."""
    import sentencepiece as spm
    from tm_builder import segment_file

    source = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
    vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
    target_pieces = {p for p in (target.id_to_piece(i) for i in range(target.get_piece_size())) if p in vocab}
    piece_cache: dict[str, frozenset[str]] = {}

    def pieces(word: str) -> frozenset[str]:
        got = piece_cache.get(word)
        if got is None:
            found = set(target.encode(word, out_type=str))
            after = target.encode("(" + word, out_type=str)  # the pieces after punctuation: '"We' is ▁" W e
            if after and after[0] == "▁(":
                found.update(after[1:])
            got = piece_cache[word] = frozenset(found & target_pieces)
        return got

    # Always allowed: frequent pieces, every piece without a letter, end of sentence.
    counts = Counter(p for line in target.encode(english_corpus(), out_type=str) for p in line if p in target_pieces)
    ranked = [p for p, _ in counts.most_common()]
    base = {p for p in target_pieces if not _HAS_LETTER.search(p)} | {"</s>"}

    # Source piece -> Chinese words it belongs to, learnt from Chinese text.
    zh = [s.text for s in segment_file(mt_speed.SEED).segments]
    for name in ("wmt17", "flores-dev", "flores-test"):
        zh += read_lines(DATA / f"{name}.zh")
    words_of: dict[str, set[str]] = defaultdict(set)
    for line in zh:
        tokens = source.encode(line, out_type=str)
        spans, text, at = [], "", 0
        for tok in tokens:
            surface = tok.replace("▁", " ")
            spans.append((at, at + len(surface)))
            text += surface
            at += len(surface)
        found = glosser.words(text)
        for tok, (a, b) in zip(tokens, spans):
            words_of[tok].update(w for s, e, w in found if s < b and e > a)  # every word overlapping the piece
    rules: dict[str, set[str]] = {}
    for i in range(source.get_piece_size()):
        tok = source.id_to_piece(i)
        words = words_of.get(tok)
        if words is None:  # never seen in text: the words inside the piece
            words = {w for _, _, w in glosser.words(tok.replace("▁", " "))}
        out: set[str] = set()
        for w in words:
            for form in glosser.forms(w):
                out |= pieces(form)
        if _LATIN_OR_DIGIT.search(tok):
            out |= pieces(tok.replace("▁", " ").strip())
        if out:
            rules[tok] = out
    # Pieces seen in text but outside the source vocabulary (CTranslate2 matches strings): GD, P ...
    for tok, words in words_of.items():
        if tok not in rules and _LATIN_OR_DIGIT.search(tok):
            rules[tok] = set(pieces(tok.replace("▁", " ").strip()))
    return {k: Shortlist(base | set(ranked[:k]), rules) for k in top_ks}


# -- CTranslate2 with the shortlist ---------------------------------------------


class _VmapTranslator:
    """A ctranslate2.Translator whose translate_batch always passes use_vmap=True."""

    def __init__(self, translator) -> None:
        self.translator = translator

    def translate_batch(self, *args, **kwargs):
        return self.translator.translate_batch(*args, use_vmap=True, **kwargs)


def with_vmap(engine, converted: Path, vmap: Path, workdir: Path):
    """*engine* (a Ct2Engine) re-pointed at a copy of its converted model that holds *vmap* as vmap.txt."""
    import ctranslate2

    target = workdir / f"ct2-{vmap.stem}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for f in converted.iterdir():
        if f.name != "vmap.txt":
            (target / f.name).symlink_to(f.resolve())
    shutil.copy(vmap, target / "vmap.txt")
    engine.translator = _VmapTranslator(
        ctranslate2.Translator(str(target), device="cpu", compute_type=engine.quantization,
                               inter_threads=engine.threads, intra_threads=1)
    )
    return engine


def check_vmap_semantics(model_dir: Path, workdir: Path) -> None:
    """Fail loudly if the installed CTranslate2 reads vmap.txt otherwise than described above."""
    from tm_builder.engines.ct2 import Ct2Engine, converted_dir

    engine = Ct2Engine(model_dir, quantization="int8")
    converted = converted_dir(model_dir, engine.label, "int8")
    src = [engine.source_spm.encode(t, out_type=str) + ["</s>"] for t in ("中国", "发展")]

    def outputs(vmap_text: str, batch: list[list[str]]) -> list[set[str]]:
        path = workdir / "check.txt"
        path.write_text(vmap_text, encoding="utf-8")
        with_vmap(engine, converted, path, workdir)
        got = engine.translator.translate_batch(batch, beam_size=1, max_decoding_length=4, min_decoding_length=4)
        return [set(r.hypotheses[0]) for r in got]

    key = next(t for t in src[0] if t not in src[1])  # a piece of the first source only
    # An empty-key line alone: every output is made of its tokens (and <unk>).
    assert all(o <= {"▁the", "<unk>"} for o in outputs("\t▁the\n", src)), "the empty-key line does not restrict"
    # A keyed line serves the whole batch: the second source gets "," only when batched with the first.
    batched, alone = outputs(f"{key}\t,\n", src)[1], outputs(f"{key}\t,\n", src[1:])[0]
    assert batched <= {",", "<unk>"} and "," in batched, f"keyed targets are not a batch union ({batched})"
    assert "," not in alone, f"a key that is absent still fires ({alone})"


# -- (a) speed --------------------------------------------------------------------


def measure_speed(shortlist: Shortlist, workdir: Path, rounds: int, padded: Sequence[int], cache: Path) -> list[dict]:
    import sentencepiece as spm
    from tm_builder import segment_file
    from tm_builder.engines.base import DraftOptions
    from tm_builder.engines.ct2 import Ct2Engine, converted_dir

    model_dir = mt_speed.build_model(cache)
    # Convert once outside this process, as mt_speed does (conversion imports torch).
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r}); "
                    f"from tm_builder.engines.ct2 import Ct2Engine; Ct2Engine({str(model_dir)!r}, quantization='int8')"],
                   check=True, capture_output=True)
    texts = mt_speed.sample([s.text for s in segment_file(mt_speed.SEED).segments], SEGMENTS)
    vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
    dummies = [t for t in vocab if t.startswith("<dummy")]
    source = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
    lengths = [len(t) + 1 for t in source.encode(texts)]
    order = sorted(range(len(texts)), key=lambda i: (-lengths[i], i))
    batches = [[source.encode(texts[i], out_type=str) + ["</s>"] for i in order[k : k + BATCH]]
               for k in range(0, len(order), BATCH)]
    base_size = sum(len(shortlist.candidates(b)) for b in batches) / len(batches)

    variants: list[tuple[str, Path | None, float]] = [("off", None, len(vocab))]
    variants.append(("on", shortlist.write(workdir / "vmap.txt"), base_size))
    for size in padded:
        extra = max(0, size - round(base_size))
        variants.append((f"on, padded to ~{size}", shortlist.write(workdir / f"vmap-{size}.txt", dummies[:extra]),
                         base_size + extra))
    label = f"{model_dir.name}@local"
    converted = converted_dir(model_dir, label, "int8")

    def load(vmap: Path | None):
        engine = Ct2Engine(model_dir, DraftOptions(beam=BEAM), quantization="int8")
        return engine if vmap is None else with_vmap(engine, converted, vmap, workdir)

    best: dict[str, dict] = {}
    for r in range(rounds):
        for name, vmap, _ in variants:
            print(f"  speed: vmap {name}, round {r + 1} ...", file=sys.stderr, flush=True)
            saved = mt_speed.load_engine
            mt_speed.load_engine = lambda _dir, _engine, _beam, vmap=vmap: load(vmap)
            try:
                got = mt_speed.measure_one(model_dir, "ct2-int8", BEAM, BATCH, texts)
            finally:
                mt_speed.load_engine = saved
            rate = got["target_tokens"] / got["wall_s"]
            if name not in best or rate > best[name]["rate"]:
                best[name] = {**got, "rate": rate}
    rows = []
    for name, _, size in variants:
        got = best[name]
        rows.append({"vmap": name, "candidates": size, "segments": got["segments"], "wall_s": got["wall_s"],
                     "rate": got["rate"], "speedup": got["rate"] / best["off"]["rate"]})
    return rows


# -- (b) draft changes with the trained tiny model -----------------------------


def measure_changes(shortlists: dict[int, Shortlist], trained: Path, workdir: Path) -> list[dict]:
    import sentencepiece as spm
    from tm_builder import segment_file
    from tm_builder.engines.base import DraftOptions
    from tm_builder.engines.ct2 import Ct2Engine, converted_dir
    from tiny_trained import training_pairs

    held_in = [s for s, _ in training_pairs(trained)]
    seed = [s.text for s in segment_file(mt_speed.SEED).segments]
    source = spm.SentencePieceProcessor(model_file=str(trained / "source.spm"))
    rows = []
    for beam in (1, 4):
        off = Ct2Engine(trained, DraftOptions(beam=beam), quantization="int8")
        converted = converted_dir(trained, off.label, "int8")
        plain = {name: [d.text for d in off.translate(texts)] for name, texts in (("held-in", held_in), ("seed", seed))}
        for k, shortlist in shortlists.items():
            vmap = shortlist.write(workdir / f"vmap-trained-{k}.txt")
            on = with_vmap(Ct2Engine(trained, DraftOptions(beam=beam), quantization="int8"), converted, vmap, workdir)
            row = {"beam": beam, "top_k": k, "always": len(shortlist.always),
                   "alone_candidates": sum(len(shortlist.candidates([source.encode(t, out_type=str) + ["</s>"]]))
                                           for t in held_in) / len(held_in)}
            for name, texts in (("held-in", held_in), ("seed", seed)):
                drafts = [d.text for d in on.translate(texts)]
                row[name] = sum(x != y for x, y in zip(plain[name], drafts)) / len(texts)
                if name == "held-in":
                    alone = [on.translate([t])[0].text for t in texts]
                    row["alone"] = sum(x != y for x, y in zip(plain[name], alone)) / len(texts)
                    row["batch_dependent"] = sum(x != y for x, y in zip(drafts, alone)) / len(texts)
                    row["example"] = next(((x, y) for x, y in zip(plain[name], drafts) if x != y), None)
            rows.append(row)
    return rows


# -- (c) the shortlist at the word level against real opus-mt output -------------


def stand_in_spm(workdir: Path, size: int = 8000):
    """An English unigram sentencepiece model standing in for opus-mt-zh-en's target vocabulary (not available here)."""
    import sentencepiece as spm

    corpus = workdir / "english.txt"
    corpus.write_text("\n".join(english_corpus() + read_lines(DATA / "wmt18.en")) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(workdir / "english"), vocab_size=size,
                                   model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
                                   num_threads=2, minloglevel=2)
    return spm.SentencePieceProcessor(model_file=str(workdir / "english.model"))


def coverage(glosser: Glosser, word_ks: Sequence[int], piece_ks: Sequence[int], workdir: Path) -> list[dict]:
    """Share of real opus-mt drafts the shortlist leaves reachable, in words and in stand-in pieces."""
    english = english_corpus() + read_lines(DATA / "wmt18.en")
    target = stand_in_spm(workdir)
    encoded_english = target.encode(english, out_type=str)
    cache: dict[str, frozenset[str]] = {}

    def pieces(word: str) -> frozenset[str]:
        got = cache.get(word)
        if got is None:
            found = set(target.encode(word, out_type=str))
            after = target.encode("(" + word, out_type=str)
            if after and after[0] == "▁(":
                found.update(after[1:])
            got = cache[word] = frozenset(found)
        return got

    levels = {
        "words": ([w for w, _ in Counter(w for line in english for w in _EN_WORD.findall(line)).most_common()],
                  lambda forms: forms, lambda line: set(_EN_WORD.findall(line)), word_ks),
        f"pieces ({target.get_piece_size()})": (
            [p for p, _ in Counter(p for line in encoded_english for p in line).most_common()],
            lambda forms: set().union(*(pieces(f) for f in forms)) if forms else set(),
            lambda line: set(target.encode(line, out_type=str)), piece_ks),
    }
    rows = []
    for name in ("wmt17", "flores-dev"):
        zh, mt = read_lines(DATA / f"{name}.zh"), read_lines(DATA / f"{name}.opusmt.en")
        assert len(zh) == len(mt)
        forms_of = []
        for text in zh:
            forms: set[str] = set()
            for _, _, w in glosser.words(text):
                forms |= glosser.forms(w)
            forms |= set(re.findall(r"[A-Za-z]+|\d+(?:[.,]\d+)*", text))  # Latin and numbers copied through
            forms_of.append(forms)
        for level, (ranked, expand, needs, ks) in levels.items():
            allowed_of = [expand(f) for f in forms_of]
            needed = [needs(line) for line in mt]
            words = level == "words"
            for k in ks:
                always = set(ranked[:k])

                def ok(item: str, allowed: set[str]) -> bool:
                    if item in allowed or item in always or not _HAS_LETTER.search(item):
                        return True
                    return words and (item.lower() in allowed or item.lower() in always)

                alone = sum(all(ok(w, a) for w in n) for n, a in zip(needed, allowed_of)) / len(zh)
                batched, sizes, missing = 0, [], Counter()
                for start in range(0, len(zh), BATCH):
                    union = set().union(*allowed_of[start : start + BATCH])
                    union |= always
                    sizes.append(len({w.lower() for w in union}) if words else len(union))
                    for n in needed[start : start + BATCH]:
                        bad = [w for w in n if not ok(w, union)]
                        batched += not bad
                        missing.update(bad)
                rows.append({"set": name, "level": level, "top_k": k, "n": len(zh), "alone": alone,
                             "batch32": batched / len(zh), "per_batch": sum(sizes) / len(sizes),
                             "missing": [w for w, _ in missing.most_common(6)]})
    return rows


# -- main -------------------------------------------------------------------------


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    rows = [list(header)] + [list(r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [" | ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=mt_speed.DEFAULT_CACHE, help="random opus-shaped model directory")
    parser.add_argument("--trained", type=Path, help="trained tiny model directory (default: build one, ~20 s)")
    parser.add_argument("--top-k", default="50,100,200",
                        help="most frequent target pieces always allowed, for (b); (a) uses the last (default 50,100,200)")
    parser.add_argument("--word-top-k", default="500,2000,5000",
                        help="always-allowed English words, for (c) (default 500,2000,5000)")
    parser.add_argument("--piece-top-k", default="500,2000,4000",
                        help="always-allowed stand-in pieces, for (c) (default 500,2000,4000)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating speed rounds; the best counts (default 2)")
    parser.add_argument("--padded", default="2000,8000", help="candidate-set sizes to pad to in (a) (default 2000,8000)")
    parser.add_argument("--skip-padded", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the work folder (vmap files, converted models) here")
    args = parser.parse_args()
    top_ks = [int(x) for x in args.top_k.split(",")]

    started = time.perf_counter()
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="tm-builder-vmap-")) if args.keep is None else args.keep
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print("building the shortlists ...", file=sys.stderr, flush=True)
        glosser = Glosser()
        # Each model gets its own shortlist: tiny_model.py trains its sentencepiece models on the
        # repository's current text, so the bench model built earlier may cut English otherwise.
        model_dir = mt_speed.build_model(args.cache)
        bench_shortlist = build_shortlists(model_dir, glosser, top_ks[-1:])[top_ks[-1]]
        padded = [] if args.skip_padded else [int(x) for x in args.padded.split(",") if x]
        speed = measure_speed(bench_shortlist, workdir, args.rounds, padded, args.cache)

        trained = args.trained
        if trained is None or not (trained / "training-pairs.json").is_file():
            print("building the trained tiny model ...", file=sys.stderr, flush=True)
            from tiny_trained import build_trained_model

            trained = build_trained_model(trained or workdir / "trained")
        shortlists = build_shortlists(trained, glosser, top_ks)
        # The trained model's converted copies go to the work folder, not to the user's cache.
        saved = os.environ.get("HF_HUB_CACHE")
        os.environ["HF_HUB_CACHE"] = str(workdir / "hub")
        try:
            print("checking vmap semantics, measuring draft changes ...", file=sys.stderr, flush=True)
            check_vmap_semantics(trained, workdir)
            changes = measure_changes(shortlists, trained, workdir)
        finally:
            if saved is None:
                os.environ.pop("HF_HUB_CACHE", None)
            else:
                os.environ["HF_HUB_CACHE"] = saved
        print("coverage of real opus-mt drafts ...", file=sys.stderr, flush=True)
        covered = coverage(glosser, [int(x) for x in args.word_top_k.split(",")],
                           [int(x) for x in args.piece_top_k.split(",")], workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    import ctranslate2
    import sentencepiece as spm

    target_size = spm.SentencePieceProcessor(model_file=str(trained / "target.spm")).get_piece_size()
    some = shortlists[top_ks[-1]]
    print(f"machine: {len(os.sched_getaffinity(0))} cores, ctranslate2 {ctranslate2.__version__}; load average "
          f"before {' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"shortlist: {len(some.rules)} source-piece rules over {target_size} target pieces; CC-CEDICT "
          f"{len(glosser.lexicon.glosses)} words, glossary {len(glosser.glossary)} renderings")
    print(f"\n(a) speed: random opus-mt-shaped model, ct2 int8, beam {BEAM}, batch {BATCH}, "
          f"{speed[0]['segments']} seed segments, output forced to ceil({mt_speed.LENGTH_RATIO} x longest source); "
          f"top {top_ks[-1]} pieces always allowed; best of {args.rounds} alternating rounds")
    print(table(("vmap", "candidates/batch", "wall s", "target tok/s", "vs off"),
                ((r["vmap"], f"{r['candidates']:.0f}", f"{r['wall_s']:.1f}", f"{r['rate']:.1f}", f"{r['speedup']:.2f}x")
                 for r in speed)))
    print(f"\n(b) drafts changed by vmap: trained tiny model ({trained}), ct2 int8, Ct2Engine.translate batching; "
          f"{target_size} target pieces")
    print(table(("beam", "top K", "always", "cand. alone", "held-in", "held-in alone", "batch-dependent", "seed 214"),
                ((str(r["beam"]), str(r["top_k"]), str(r["always"]), f"{r['alone_candidates']:.0f}",
                  f"{r['held-in']:.1%}", f"{r['alone']:.1%}", f"{r['batch_dependent']:.1%}", f"{r['seed']:.1%}")
                 for r in changes)))
    for r in changes:
        if r.get("example"):
            print(f"  e.g. beam {r['beam']}, top {r['top_k']}: {r['example'][0]!r} -> {r['example'][1]!r}")
            break
    print("\n(c) the shortlist against what the real opus-mt-zh-en wrote (shared/data/zh-en/*.opusmt.en): share of "
          "drafts all of whose words / stand-in pieces are allowed (greedy would give them unchanged)")
    print(table(("set", "level", "always", "n", "alone", "batch 32", "allowed/batch", "most often missing"),
                ((r["set"], r["level"], str(r["top_k"]), str(r["n"]), f"{r['alone']:.1%}", f"{r['batch32']:.1%}",
                  f"{r['per_batch']:.0f}", " ".join(r["missing"])) for r in covered)))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

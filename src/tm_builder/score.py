"""Quality report: how good is a batch of drafts, and did a change make it worse?

The numbers are sacrebleu's, computed through its Python API with its own
defaults, so they equal ``sacrebleu REF -i HYP`` exactly and carry the same
signatures (a score without its signature cannot be compared with another).
Next to them, the thing a political translation desk checks first: whether
every approved glossary term got its approved rendering.  Files are read by
suffix: ``.tmx``/``.po``/``.csv`` through :mod:`tm_builder.formats` (targets),
anything else as plain text, one segment per line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .degenerate import check_draft
from .errors import InputError
from .formats import READERS, stream_units
from .formats.base import WEAK_ALIGNMENT
from .glossary import Glossary, check_terms
from .textio import read_text
from .units import Origin, TermCheck

__all__ = [
    "METRICS", "MetricScore", "ScoreReport", "SegmentScore", "Side", "TermTally", "corpus_scores", "format_text", "load_side",
    "score",
]

#: what ``--metrics`` accepts
METRICS = ("bleu", "chrf", "chrf++", "ter")


@dataclass(frozen=True)
class Side:
    """One file's segments: texts, and what a memory knows about them (sources, documents, notes)."""

    path: str
    texts: tuple[str, ...]
    sources: tuple[str, ...] | None = None
    documents: tuple[str, ...] | None = None
    flags: tuple[tuple[str, ...], ...] | None = None


@dataclass(frozen=True)
class MetricScore:
    name: str
    score: float
    signature: str
    #: 95% bootstrap confidence interval half-width, when asked for
    ci: float | None = None
    #: paired test against ``--compare``: the other system's score and the p-value
    other: float | None = None
    p_value: float | None = None


@dataclass(frozen=True)
class SegmentScore:
    index: int
    document: str
    source: str
    hypothesis: str
    reference: str
    chrf: float
    terms: tuple[TermCheck, ...] = ()
    flags: tuple[str, ...] = ()


@dataclass
class TermTally:
    source: str
    target: str
    honoured: int = 0
    violated: int = 0


@dataclass
class ScoreReport:
    hypothesis: str
    reference: str
    metrics: list[MetricScore]
    segments: list[SegmentScore]
    terms: list[TermTally] = field(default_factory=list)
    compare: str | None = None
    matched_by: str = "position"

    @property
    def violations(self) -> list[tuple[SegmentScore, TermCheck]]:
        return [(s, c) for s in self.segments for c in s.terms if not c.honoured]

    def by_document(self) -> list[tuple[str, int, float, int, int]]:
        """(document, segments, mean sentence chrF, terms honoured, terms violated) per document."""
        rows: dict[str, list[SegmentScore]] = {}
        for s in self.segments:
            rows.setdefault(s.document, []).append(s)
        return [
            (doc, len(segs), sum(s.chrf for s in segs) / len(segs),
             sum(c.honoured for s in segs for c in s.terms), sum(not c.honoured for s in segs for c in s.terms))
            for doc, segs in rows.items()
        ]

    def as_dict(self) -> dict:
        return {
            "hypothesis": self.hypothesis, "reference": self.reference, "compare": self.compare,
            "matched_by": self.matched_by, "segments": len(self.segments),
            "metrics": [m.__dict__ for m in self.metrics],
            "terms": [t.__dict__ for t in self.terms],
            "violations": [
                {"index": s.index, "document": s.document, "term": c.source, "approved": c.target, "hypothesis": s.hypothesis}
                for s, c in self.violations
            ],
        }


def _flags(unit) -> tuple[str, ...]:
    flags = []
    if unit.problem:
        flags.append("degenerate")
    if unit.origin is Origin.ALIGNED and unit.score is not None and unit.score < WEAK_ALIGNMENT:
        flags.append("weak alignment")
    if not unit.target:
        flags.append("empty")
    return tuple(flags)


def load_side(path: str | os.PathLike[str]) -> Side:
    """Read a hypothesis or reference file (memory formats by suffix, else plain text)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{path}: no such file")
    if p.suffix.lower().lstrip(".") in READERS:
        # a column at a time as the units stream past: a memory of any size costs its texts, not its units
        texts, sources, documents, flags = [], [], [], []
        for u in stream_units(p)[1]:
            texts.append(u.target)
            sources.append(u.source)
            documents.append(u.document or p.name)
            flags.append(_flags(u))
        if not texts:
            raise InputError(f"{path}: no segments")
        if not any(texts):
            raise InputError(f"{path}: has no targets to score (an untranslated memory?)")
        return Side(os.fspath(path), tuple(texts), tuple(sources), tuple(documents), tuple(flags))
    text = read_text(p)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not any(line.strip() for line in lines):
        raise InputError(f"{path}: empty")
    return Side(os.fspath(path), tuple(line.rstrip("\r") for line in lines), documents=(p.name,) * len(lines))


def merge_split_sources(side: Side, other: Side) -> Side:
    """*side* with runs of consecutive segments joined where their sources together are one segment of *other*.

    An alignment joins two Chinese sentences that one English sentence
    translates (a 2-1 bead); the drafts of the same document have them
    apart.  Joined here, both sides pair by source.
    """
    if side.sources is None or other.sources is None:
        return side
    wanted, have = set(other.sources), set(side.sources)
    groups: list[list[int]] = []
    i = 0
    while i < len(side.sources):
        run = next((k for k in range(2, 6) if i + k <= len(side.sources) and side.sources[i] not in wanted
                    and "".join(side.sources[i:i + k]) in wanted and "".join(side.sources[i:i + k]) not in have), 1)
        groups.append(list(range(i, i + run)))
        i += run
    if all(len(g) == 1 for g in groups):
        return side

    def joined(values, sep):
        return tuple(sep.join(values[j] for j in g) for g in groups) if values is not None else None

    return Side(
        side.path, joined(side.texts, " "), joined(side.sources, ""),
        tuple(side.documents[g[0]] for g in groups) if side.documents is not None else None,
        tuple(tuple(dict.fromkeys(f for j in g for f in side.flags[j])) for g in groups) if side.flags is not None else None,
    )


def _pair(hyp: Side, ref: Side) -> tuple[list[int], list[int], str]:
    """Index pairs (hyp, ref): by source segment when both files have sources, else by position."""
    if hyp.sources is not None and ref.sources is not None:
        where: dict[str, list[int]] = {}
        for j, s in enumerate(ref.sources):
            where.setdefault(s, []).append(j)
        hi, ri, missing = [], [], 0
        for i, s in enumerate(hyp.sources):
            if where.get(s):
                hi.append(i)
                ri.append(where[s].pop(0))  # repeated sentences pair up in order
            else:
                missing += 1
        if not hi:
            raise InputError(f"{hyp.path} and {ref.path} share no source segment")
        if missing:
            raise InputError(f"{missing} segment(s) of {hyp.path} have no counterpart in {ref.path}")
        return hi, ri, "source"
    if len(hyp.texts) != len(ref.texts):
        raise InputError(
            f"{hyp.path} has {len(hyp.texts)} segments and {ref.path} {len(ref.texts)}: matched by position, they must be equal"
        )
    return list(range(len(hyp.texts))), list(range(len(ref.texts))), "position"


def _metric(name: str, target_lang: str):
    from sacrebleu.metrics import BLEU, CHRF, TER

    zh = target_lang.lower().startswith("zh")
    if name == "bleu":
        return BLEU(tokenize="zh") if zh else BLEU()
    if name == "chrf":
        return CHRF()
    if name == "chrf++":
        return CHRF(word_order=2)
    if name == "ter":
        return TER(asian_support=zh)
    raise InputError(f"unknown metric {name!r}; use {', '.join(METRICS)}")


#: the most segment x resample cells a bootstrap may hold (about 2 GiB)
_BOOTSTRAP_CELLS = 20_000_000


def corpus_scores(
    hypotheses: Sequence[str], references: Sequence[str], metrics: Sequence[str] = ("bleu", "chrf", "ter"), *,
    target_lang: str = "en", bootstrap: int = 0,
) -> list[MetricScore]:
    """Corpus scores of already paired texts, with signatures (and 95% intervals with *bootstrap*)."""
    if "ter" in metrics:
        _check_ter_lengths(hypotheses, references)
    out = []
    for name in metrics:
        metric = _metric(name, target_lang)
        if bootstrap:
            result = metric.corpus_score(list(hypotheses), [list(references)], n_bootstrap=bootstrap)
        else:
            result = metric._aggregate_and_compute([_summed_stats(metric, hypotheses, references)])
        ci = getattr(result, "_ci", None) if bootstrap else None
        out.append(MetricScore(name, round(float(result.score), 4), str(metric.get_signature()),
                               float(ci) if ci is not None else None))
    return out


#: segments whose statistics sacrebleu holds at once (its reference cache is the memory of a corpus score)
_CHUNK = 2000
#: TER's edit distance grows with the square of a line's length: longer lines are refused
_TER_MAX_WORDS = 1000


def _chunks(hypotheses: Sequence[str], references: Sequence[str]) -> Iterator[tuple[list[str], list[str]]]:
    for k in range(0, len(hypotheses), _CHUNK):
        yield list(hypotheses[k:k + _CHUNK]), list(references[k:k + _CHUNK])


def _summed_stats(metric, hypotheses: Sequence[str], references: Sequence[str]) -> list:
    """The corpus statistics sacrebleu sums before scoring, gathered a chunk at a time.

    ``corpus_score`` caches every reference's n-grams at once (about 50 KB
    a segment); the sum of per-segment statistics is the same either way,
    so the score is too.
    """
    total: list | None = None
    for hyps, refs in _chunks(hypotheses, references):
        for row in metric._extract_corpus_statistics(hyps, [refs]):
            total = list(row) if total is None else [a + b for a, b in zip(total, row)]
    return total or []


def _check_ter_lengths(hypotheses: Sequence[str], references: Sequence[str]) -> None:
    for side, texts in (("hypothesis", hypotheses), ("reference", references)):
        for k, text in enumerate(texts, 1):
            if text.count(" ") >= _TER_MAX_WORDS and len(text.split()) > _TER_MAX_WORDS:  # the cheap test first
                raise InputError(f"{side} segment {k} has {len(text.split()):,} words; TER's edit distance grows with the "
                                 f"square of a line (at most {_TER_MAX_WORDS:,} words): split it, or leave ter out of --metrics")


def score(
    hypothesis: str | os.PathLike[str],
    reference: str | os.PathLike[str],
    *,
    metrics: Sequence[str] = ("bleu", "chrf"),
    glossary: Glossary | None = None,
    source: str | os.PathLike[str] | None = None,
    compare: str | os.PathLike[str] | None = None,
    target_lang: str = "en",
    bootstrap: int = 0,
) -> ScoreReport:
    """Score *hypothesis* against *reference* (see the module docstring).

    *source* gives the Chinese segments for plain-text files (memories carry
    their own), needed for term consistency against *glossary*.  With
    *compare*, a second system is scored on the same segments and a paired
    bootstrap test says whether the difference is significant; *bootstrap*
    alone adds 95% confidence intervals.
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown or not metrics:
        raise InputError(f"unknown metric(s) {', '.join(unknown) or '(none)'}; use {', '.join(METRICS)}")
    hyp, ref = load_side(hypothesis), load_side(reference)
    hyp, ref = merge_split_sources(hyp, ref), merge_split_sources(ref, hyp)
    hi, ri, matched_by = _pair(hyp, ref)
    hyps = [hyp.texts[i] for i in hi]
    refs = [ref.texts[j] for j in ri]
    sources: list[str] | None = [hyp.sources[i] for i in hi] if hyp.sources is not None else None
    if source is not None:
        src = load_side(source)
        if len(src.texts) != len(hyp.texts):
            raise InputError(f"{source} has {len(src.texts)} lines and {hyp.path} {len(hyp.texts)}")
        sources = [src.texts[i] for i in hi]
    other: list[str] | None = None
    if compare is not None:
        side = load_side(compare)
        oi, with_hyp, _ = _pair(side, hyp)
        by_hyp = dict(zip(with_hyp, oi))
        if any(i not in by_hyp for i in hi):
            raise InputError(f"{compare} does not cover every segment of {hyp.path}")
        other = [side.texts[by_hyp[i]] for i in hi]

    # sacrebleu keeps every resample's statistics at once: about 100 bytes per segment and resample
    if bootstrap * max(len(hyps), 1) > _BOOTSTRAP_CELLS:
        most = max(_BOOTSTRAP_CELLS // max(len(hyps), 1), 1)
        raise InputError(f"--bootstrap {bootstrap} over {len(hyps)} segments would need about "
                         f"{bootstrap * len(hyps) * 100 / 2**30:.0f} GiB; use at most {most} (1000 is the usual)")
    if other is not None:
        results = _paired(hyps, other, refs, metrics, target_lang, bootstrap)
    else:
        results = corpus_scores(hyps, refs, metrics, target_lang=target_lang, bootstrap=bootstrap)
    segments = _segments(hyp, hi, hyps, refs, sources, glossary)
    return ScoreReport(os.fspath(hypothesis), os.fspath(reference), results, segments, _tallies(segments),
                       os.fspath(compare) if compare else None, matched_by)


def _paired(hyps: list[str], other: list[str], refs: list[str], metrics: Sequence[str], target_lang: str,
            bootstrap: int) -> list[MetricScore]:
    """Both systems' scores and sacrebleu's paired bootstrap test of the second against the first."""
    from sacrebleu.significance import PairedTest

    objects = {name: _metric(name, target_lang) for name in metrics}
    test = PairedTest([("baseline", hyps), ("compare", other)], objects, [refs], test_type="bs",
                      n_samples=max(bootstrap, 1000))
    _, scores = test()
    columns = [key for key in scores if key != "System"]  # sacrebleu's display names, in our order
    results = []
    for (name, obj), column in zip(objects.items(), columns):
        base, cmp = scores[column]
        results.append(MetricScore(name, round(float(base.score), 4), str(obj.get_signature()),
                                   float(base.ci) if base.ci is not None else None,
                                   round(float(cmp.score), 4), float(cmp.p_value)))
    return results


def _segments(hyp: Side, hi: list[int], hyps: list[str], refs: list[str], sources: list[str] | None,
              glossary: Glossary | None) -> list[SegmentScore]:
    """Every matched segment with its sentence chrF, term checks and flags."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    sentence = [chrf._compute_score_from_stats(row).score for h, r in _chunks(hyps, refs)
                for row in chrf._extract_corpus_statistics(h, [r])]
    segments = []
    for k, (i, h, r) in enumerate(zip(hi, hyps, refs)):
        src_text = sources[k] if sources is not None else ""
        checks = check_terms(src_text, h, glossary) if glossary and src_text else ()
        flags = hyp.flags[i] if hyp.flags is not None else ()
        if src_text and "degenerate" not in flags and check_draft(src_text, h):
            flags = (*flags, "degenerate")
        segments.append(SegmentScore(
            index=i + 1, document=(hyp.documents or ("",) * len(hyp.texts))[i], source=src_text, hypothesis=h,
            reference=r, chrf=round(sentence[k], 2), terms=checks,
            flags=flags,
        ))
    return segments


def _tallies(segments: list[SegmentScore]) -> list[TermTally]:
    """Each approved term's honoured and violated counts, most violated first."""
    tallies: dict[str, TermTally] = {}
    for s in segments:
        for c in s.terms:
            tally = tallies.setdefault(c.source, TermTally(c.source, c.target))
            if c.honoured:
                tally.honoured += 1
            else:
                tally.violated += 1
    return sorted(tallies.values(), key=lambda t: (-t.violated, -(t.honoured + t.violated), t.source))


def format_text(report: ScoreReport, *, by_segment: bool = False, violations: int = 20) -> str:
    """The report for a terminal: scores with signatures, term consistency, optionally every segment."""
    out = [f"{report.hypothesis} vs {report.reference}: {len(report.segments)} segments (matched by {report.matched_by})"]
    for m in report.metrics:
        line = f"{m.name.upper():7s} {m.score:6.1f}"
        if m.ci is not None:
            line += f" (±{m.ci:.1f})"
        if m.other is not None:
            line += f"   compare {m.other:6.1f}  p = {m.p_value:.4f}"
        out.append(f"{line}   {m.signature}")
    if report.terms:
        honoured = sum(t.honoured for t in report.terms)
        violated = sum(t.violated for t in report.terms)
        out.append(f"glossary terms: {honoured + violated} occurrences of {len(report.terms)} terms; "
                   f"{honoured} honoured, {violated} rendered differently")
        for t in report.terms[:15]:
            out.append(f"  {t.source} => {t.target}: {t.honoured} honoured, {t.violated} violated")
        for s, c in report.violations[:violations]:
            out.append(f"  segment {s.index}: {c.source} => {c.target!r} missing in: {s.hypothesis[:120]}")
        if len(report.violations) > violations:
            out.append(f"  ... and {len(report.violations) - violations} more (--json lists all)")
    if by_segment:
        for s in report.segments:
            out.append(f"{s.index}\tchrF {s.chrf:5.1f}\t{s.hypothesis}")
    return "\n".join(out)


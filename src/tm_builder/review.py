"""The glossary's review workflow, above the engines: terms in force, QA of human pairs, proposals, the command.

:mod:`tm_builder.glossary` is the model and the decisions on it (what
engines and formats use); this module is what a run does with it:

* :func:`load_glossary`: the curated glossary with the reviewed files on top;
* :func:`qa_aligned`: glossary checks on aligned human pairs (notes, never rewrites);
* :func:`glossary_terms`: the terms a document uses, with renderings from
  the glossary, the aligned pairs or a machine draft, for people to review;
* :func:`glossary_files`: the ``tm-builder glossary`` command.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .engines.base import Draft, DraftOptions, Engine
from .errors import FormatError, InputError, OutputError
from .formats import GLOSSARY_SUFFIXES, read_glossary, write_glossary
from .glossary import Glossary, Status, Term, TermOrigin, check_terms, load_curated, merge, propose
from .segment import segment_file
from .store import DraftCache
from .textio import output_set, refuse_overwrite, writable_parent
from .translate import draft_units, load_engine
from .units import Document, Origin, TranslationUnit

if TYPE_CHECKING:
    from .progress import ProgressFactory
    from .terms import Candidate, Rendering

__all__ = [
    "MIN_TERM_SCORE", "GlossarySummary", "TermRequest", "approved_sources", "candidates_key", "find_candidates",
    "glossary_files", "glossary_terms", "human_decisions", "keep_decisions", "load_glossary", "qa_aligned",
    "recall_candidates", "remember_candidates", "term_request",
]

MIN_TERM_SCORE = 3.5


def load_glossary(reviewed: Sequence[str | os.PathLike[str]] = (), *, curated: bool = True) -> Glossary:
    """The terms in force: the curated glossary, then each reviewed file on top.

    A reviewed row replaces the curated one for the same source, so a
    reviewer can change an official rendering or reject it for a project.
    """
    known = load_curated() if curated else Glossary()
    for path in reviewed:
        if not Path(path).is_file():
            raise InputError(f"{path}: no such glossary file")
        terms = list(read_glossary(path))
        if not terms:
            # a termbase in a dialect we do not read would otherwise change nothing, silently
            raise InputError(f"{path}: no terms read from it (a CSV needs source and target columns; a TBX needs "
                             "term entries with a zh and an en term)")
        for term in terms:
            known.add(term)
    return known


def human_decisions(glossary: Glossary, curated: Glossary | None = None) -> list[Term]:
    """The rows of *glossary* that record a person's decision, which no run may drop unasked.

    A rejection, an approval of anything but a curated row, a reviewed
    origin, or a curated row whose target was edited.
    """
    curated = load_curated() if curated is None else curated
    out = []
    for t in glossary:
        shipped = curated.get(t.source)
        edited = t.origin is TermOrigin.CURATED and (shipped is None or shipped.target != t.target)
        if t.status is Status.REJECTED or t.origin is TermOrigin.REVIEWED or edited or (
            t.status is Status.APPROVED and t.origin is not TermOrigin.CURATED
        ):
            out.append(t)
    return out


def keep_decisions(targets: Sequence[str | os.PathLike[str]], *, merging: str | os.PathLike[str] | None = None, hint: str) -> None:
    """Refuse to overwrite a review file that holds human decisions (before any work is done).

    *merging* is the reviewed file being merged, which may be rewritten;
    *hint* says how to proceed.  Files that are not review sheets, or not
    readable as one, are left to the other checks.
    """
    curated: Glossary | None = None  # read once, and only if there is a sheet to look at
    for target in map(Path, targets):
        if not target.is_file() or (merging is not None and target.resolve() == Path(merging).resolve()):
            continue
        if target.suffix.lower() not in (".csv", ".xlsx"):
            continue  # the CAT-tool exports are derived: the review sheet is where decisions live
        curated = load_curated() if curated is None else curated
        try:
            decided = human_decisions(read_glossary(target), curated)
        except FormatError:
            continue
        if decided:
            raise OutputError(f"{target}: holds {len(decided)} reviewed decision(s), e.g. {decided[0].source}; {hint}")


def qa_aligned(units: Sequence[TranslationUnit], glossary: Glossary) -> list[TranslationUnit]:
    """Record glossary terms on human (aligned) pairs; a missing rendering is a QA warning, never a rewrite."""
    out = []
    for u in units:
        if u.origin is not Origin.ALIGNED or not glossary:
            out.append(u)
            continue
        checks = check_terms(u.source, u.target, glossary)
        missing = [c for c in checks if not c.honoured]
        notes = u.notes + tuple(f"QA: the approved rendering of {c.source} ({c.target}) is not used" for c in missing)
        out.append(replace(u, terms=checks, notes=notes))
    return out


@dataclass(frozen=True)
class TermRequest:
    """One document's terms before drafting: the *candidates* kept for review, the renderings the aligned pairs
    give (*aligned*), and the open terms a machine draft would render (*need*)."""

    candidates: list["Candidate"]
    aligned: dict[str, "Rendering"]
    need: list[str]


def term_request(
    documents: Sequence[Document], known: Glossary, candidates: Sequence["Candidate"], *,
    units: Sequence[TranslationUnit] = (), min_score: float = MIN_TERM_SCORE,
) -> TermRequest:
    """What :func:`glossary_terms` needs drafted for *candidates* (from :func:`find_candidates`).

    Candidates scoring below *min_score* are left out unless the glossary
    already knows them: a review file is read by people, and the long tail
    of the ranking is mostly noise (``bench/terms_eval.py``).
    """
    from .terms import aligned_renderings

    kept = [c for c in candidates if c.score >= min_score or c.source in known]
    pairs = [(u.source, u.target) for u in units if u.origin is Origin.ALIGNED and u.target]
    open_terms = [c.source for c in kept if c.source not in known]
    aligned = aligned_renderings(open_terms, pairs) if pairs and open_terms else {}
    return TermRequest(kept, aligned, [s for s in open_terms if s not in aligned])


def glossary_terms(
    documents: Sequence[Document],
    known: Glossary,
    *,
    units: Sequence[TranslationUnit] = (),
    engine: Engine | None = None,
    cache: DraftCache | None = None,
    min_score: float = MIN_TERM_SCORE,
    progress: "ProgressFactory | None" = None,
    request: TermRequest | None = None,
    drafts: "Mapping[str, Draft] | None" = None,
) -> list[Term]:
    """Glossary rows for the terms found in *documents* (see :func:`propose`).

    *units* are this run's translation units: aligned ones give rendering
    evidence, any translated one gives example targets.  With an *engine*,
    terms without a known or aligned rendering get a machine draft (cached;
    *drafts* holds those this run already made).  *request* is the
    document's :func:`term_request`, when the caller planned it.
    """
    if request is None:
        request = term_request(documents, known, find_candidates(documents, known, cache, progress), units=units,
                               min_score=min_score)
    rendered: dict[str, str] = {}
    if engine is not None and request.need:
        drafted = draft_units([TranslationUnit(source=s) for s in request.need], engine, cache=cache, known=drafts)
        rendered = {u.source: u.target for u in drafted if u.target}
    examples = {u.source: u.target for u in units if u.target}
    return propose(request.candidates, known, aligned=request.aligned, drafts=rendered, example_targets=examples)


def candidates_key(documents: Sequence[Document], approved: Sequence[str]) -> str:
    """The draft-cache key of the candidates found in *documents*: their text, the extractor and the *approved* terms
    (:func:`approved_sources`, computed once by a caller keying many documents)."""
    from . import terms

    digest = hashlib.sha256(json.dumps(
        [terms.EXTRACTOR_VERSION, list(approved), [[d.name, [s.text for s in d.segments]] for d in documents]], ensure_ascii=False
    ).encode()).hexdigest()
    return f"terms:{digest}"


def recall_candidates(cache: DraftCache, key: str) -> list["Candidate"] | None:
    """Candidates stored under *key* by :func:`remember_candidates`, if any."""
    from . import terms

    stored = cache.recall(key)
    if not isinstance(stored, list):
        return None
    return [terms.Candidate(**{k: tuple(v) if isinstance(v, list) else v for k, v in c.items()}) for c in stored]


def remember_candidates(cache: DraftCache, key: str, candidates: Sequence["Candidate"]) -> None:
    cache.remember(key, [asdict(c) for c in candidates])


def find_candidates(
    documents: Sequence[Document], known: Glossary, cache: DraftCache | None, progress: "ProgressFactory | None" = None,
) -> list["Candidate"]:
    """Extracted candidates, remembered in the cache by input and extractor version: a warm re-run skips extraction."""
    from . import terms

    approved = approved_sources(known)
    key = candidates_key(documents, approved)
    if cache is not None:
        stored = recall_candidates(cache, key)
        if stored is not None:
            return stored
    bar = progress(2 * sum(len(d.segments) for d in documents)) if progress else contextlib.nullcontext(None)
    with bar as advance:
        candidates = terms.extract_terms(documents, curated=approved, progress=advance)
    if cache is not None:
        remember_candidates(cache, key, candidates)
    return candidates


def approved_sources(known: Glossary) -> list[str]:
    """The approved terms the extractor ranks as known, in a stable order."""
    return sorted(t.source for t in known if t.status is Status.APPROVED)


@dataclass
class GlossarySummary:
    """What a ``glossary`` run did."""

    terms: list[Term]
    outputs: tuple[str, ...]
    drafted_with: str | None = None

    def count(self, status: Status) -> int:
        return sum(t.status is status for t in self.terms)


def glossary_files(
    paths: list[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None = None,
    merge_with: str | os.PathLike[str] | None = None,
    glossaries: Sequence[str | os.PathLike[str]] = (),
    curated: bool = True,
    engine: str = "auto",
    model: str | None = None,
    quantization: str = "int8",
    exports: Sequence[str | os.PathLike[str]] = (),
    lang: str = "auto",
    replace_reviewed: bool = False,
    progress: "ProgressFactory | None" = None,
) -> GlossarySummary:
    """Find the terms of *paths* and write a review glossary to *output* (and *exports*).

    With *reference* (the English translation of the single input), aligned
    pairs give renderings.  With *merge_with* (a reviewed file), every human
    decision in it is kept and new candidates are appended.  An existing
    review sheet that holds human decisions is never overwritten unless it is
    the one merged or *replace_reviewed* is set.  Terms without a
    rendering get a machine draft when a model is available: with
    ``engine="auto"`` and no model installed, they stay empty instead of
    failing the run.
    """
    if not paths:
        raise InputError("no input files given")
    if reference is not None and len(paths) != 1:
        raise InputError("a reference translation aligns with one document: give exactly one input file")
    documents = [segment_file(p, lang=lang) for p in paths]
    english = [d.name for d in documents if d.lang != "zh"]
    if english:
        raise InputError(f"{english[0]}: looks like English; terms are extracted from Chinese documents")
    reviewed = read_glossary(merge_with) if merge_with is not None else Glossary()
    known = load_glossary(glossaries, curated=curated)
    for term in reviewed:
        known.add(term)
    units: list[TranslationUnit] = []
    if reference is not None:
        names = (os.fspath(paths[0]), os.fspath(reference))
        units = _align(documents[0], segment_file(reference, lang="auto"), names=names, terms=known.pairs()).units
    targets = [Path(output), *map(Path, exports)]
    _check_targets(targets, [*paths, *glossaries, *([reference] if reference else [])])
    if not replace_reviewed:
        keep_decisions(targets, merging=merge_with, hint=f"--merge {output} keeps them, --replace overwrites them")
    drafter = _term_drafter(engine, model, known, quantization)
    store = DraftCache() if drafter is not None else None
    try:
        proposed = glossary_terms(documents, known, units=units, engine=drafter, cache=store, progress=progress)
    finally:
        if store is not None:
            store.close()
    result = merge(reviewed, proposed)
    with output_set():  # the review file and its exports change together
        for target in targets:
            write_glossary(result, target)
    return GlossarySummary(list(result), tuple(os.fspath(t) for t in targets), drafter.label if drafter else None)


def _check_targets(targets: list[Path], inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Fail before the work, not after it: no input overwritten, a known format, an existing directory."""
    refuse_overwrite(targets, inputs)
    for target in targets:
        if target.suffix.lower() not in GLOSSARY_SUFFIXES:
            raise OutputError(f"{target}: unknown glossary format; use {', '.join(GLOSSARY_SUFFIXES)}")
        writable_parent(target)


def _term_drafter(engine: str, model: str | None, known: Glossary, quantization: str) -> Engine | None:
    """The engine for terms without a rendering; with ``auto`` and no model installed, none."""
    from .models import ModelError

    if engine == "none":
        return None
    options = DraftOptions(terms=known.pairs())
    try:
        return load_engine(engine, model, options, quantization=quantization)
    except ModelError:
        if engine != "auto" or model is not None:
            raise
    return None


def _align(*args, **kwargs):
    """:func:`tm_builder.align.align_translation`, imported by a run that aligns (it brings numpy)."""
    from .align import align_translation

    return align_translation(*args, **kwargs)

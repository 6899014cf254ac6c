"""What a run does with a glossary, above the engines: terms in force, proposals, merging, QA.

:mod:`.model` is the data and the matching that engines and formats use;
this module is the workflow around it:

* :func:`load_curated`: the curated glossary shipped in ``glossary/*.csv``
  (approved by construction); :func:`load_glossary`: it, with the reviewed
  files on top;
* :func:`qa_aligned`: glossary checks on aligned human pairs (notes, never rewrites);
* :func:`glossary_terms` and :func:`propose`: the terms a document uses,
  with renderings from the glossary, the aligned pairs or a machine draft;
* :func:`merge`: this run's proposals folded into a reviewed file, every
  human decision kept;
* :func:`glossary_files`: the ``tm-builder glossary`` command.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..align import align_translation
from ..engines.base import DraftOptions, Engine
from ..errors import InputError, OutputError
from ..formats import GLOSSARY_SUFFIXES, read_glossary, write_glossary
from ..segment import segment_file
from ..store import DraftCache
from ..textio import refuse_overwrite
from ..translate import draft_units, load_engine
from ..units import Document, Origin, TranslationUnit
from .model import KINDS, Glossary, Status, Term, TermOrigin, check_terms, split_variants

if TYPE_CHECKING:  # the extractor's data classes, at the seam between the two stages
    from ..terms import Candidate, Rendering

__all__ = [
    "CURATED_COLUMNS", "MIN_TERM_SCORE", "GlossarySummary", "curated_dir", "glossary_files", "glossary_terms",
    "load_curated", "load_glossary", "merge", "propose", "qa_aligned",
]

#: candidates below this extractor score stay out of review files: about 60% of those above it are
#: oracle terms on the seed and on the held-out WMT18 block, against under 40% of the next hundred
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
        for term in read_glossary(path):
            known.add(term)
    return known


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


def glossary_terms(
    documents: Sequence[Document],
    known: Glossary,
    *,
    units: Sequence[TranslationUnit] = (),
    engine: Engine | None = None,
    cache: DraftCache | None = None,
    min_score: float = MIN_TERM_SCORE,
) -> list[Term]:
    """Glossary rows for the terms found in *documents* (see :func:`propose`).

    Candidates scoring below *min_score* are left out unless the glossary
    already knows them: a review file is read by people, and the long tail
    of the ranking is mostly noise (``bench/terms_eval.py``).

    *units* are this run's translation units: aligned ones give rendering
    evidence, any translated one gives example targets.  With an *engine*,
    terms without a known or aligned rendering get a machine draft (cached).
    """
    from ..terms import aligned_renderings

    candidates = [c for c in _candidates(documents, known, cache) if c.score >= min_score or c.source in known]
    pairs = [(u.source, u.target) for u in units if u.origin is Origin.ALIGNED and u.target]
    open_terms = [c.source for c in candidates if c.source not in known]
    aligned = aligned_renderings(open_terms, pairs) if pairs and open_terms else {}
    drafts: dict[str, str] = {}
    need = [s for s in open_terms if s not in aligned]
    if engine is not None and need:
        drafted = draft_units([TranslationUnit(source=s) for s in need], engine, cache=cache)
        drafts = {u.source: u.target for u in drafted if u.target}
    examples = {u.source: u.target for u in units if u.target}
    return propose(candidates, known, aligned=aligned, drafts=drafts, example_targets=examples)


def _candidates(documents: Sequence[Document], known: Glossary, cache: DraftCache | None) -> list["Candidate"]:
    """Extracted candidates, remembered in the cache by input and extractor version: a warm re-run skips extraction."""
    from .. import terms

    curated = sorted(t.source for t in known if t.status is Status.APPROVED)
    key = None
    if cache is not None:
        digest = hashlib.sha256(json.dumps(
            [terms.EXTRACTOR_VERSION, curated, [[d.name, [s.text for s in d.segments]] for d in documents]], ensure_ascii=False
        ).encode()).hexdigest()
        key = f"terms:{digest}"
        stored = cache.recall(key)
        if isinstance(stored, list):
            return [terms.Candidate(**{k: tuple(v) if isinstance(v, list) else v for k, v in c.items()}) for c in stored]
    candidates = terms.extract_terms(documents, curated=curated)
    if cache is not None and key is not None:
        cache.remember(key, [asdict(c) for c in candidates])
    return candidates


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
) -> GlossarySummary:
    """Find the terms of *paths* and write a review glossary to *output* (and *exports*).

    With *reference* (the English translation of the single input), aligned
    pairs give renderings.  With *merge_with* (a reviewed file), every human
    decision in it is kept and new candidates are appended.  Terms without a
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
        units = align_translation(documents[0], segment_file(reference, lang="auto"), names=names).units
    targets = [Path(output), *map(Path, exports)]
    _check_targets(targets, [*paths, *glossaries, *([reference] if reference else [])])
    drafter = _term_drafter(engine, model, known, quantization)
    store = DraftCache() if drafter is not None else None
    try:
        proposed = glossary_terms(documents, known, units=units, engine=drafter, cache=store)
    finally:
        if store is not None:
            store.close()
    result = merge(reviewed, proposed)
    for target in targets:
        write_glossary(result, target)
    return GlossarySummary(list(result), tuple(os.fspath(t) for t in targets), drafter.label if drafter else None)


def _check_targets(targets: list[Path], inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Fail before the work, not after it: no input overwritten, a known format, an existing directory."""
    refuse_overwrite(targets, inputs)
    for target in targets:
        if target.suffix.lower() not in GLOSSARY_SUFFIXES:
            raise OutputError(f"{target}: unknown glossary format; use {', '.join(GLOSSARY_SUFFIXES)}")
        if not target.resolve().parent.is_dir():
            raise OutputError(f"{target.parent}: no such directory")


def _term_drafter(engine: str, model: str | None, known: Glossary, quantization: str) -> Engine | None:
    """The engine for terms without a rendering; with ``auto`` and no model installed, none."""
    from ..models import ModelError

    if engine == "none":
        return None
    options = DraftOptions(terms=tuple((t.source, t.target) for t in known.enforced()))
    try:
        return load_engine(engine, model, options, quantization=quantization)
    except ModelError:
        if engine != "auto" or model is not None:
            raise
    return None


# -- the curated glossary -------------------------------------------------------


def curated_dir() -> Path:
    """The shipped glossary: ``$TM_BUILDER_GLOSSARY_DIR`` if set, else the package's copy of ``glossary/``."""
    explicit = os.environ.get("TM_BUILDER_GLOSSARY_DIR")
    return Path(explicit) if explicit else Path(__file__).parent.parent / "curated"


CURATED_COLUMNS = ("source", "target", "variants", "kind", "note")


def load_curated(directory: str | os.PathLike[str] | None = None) -> Glossary:
    """Every ``*.csv`` of the curated glossary, as approved terms (files in name order).

    A malformed file is an error naming the file and line: a curated
    glossary that silently loses rows would silently stop enforcing them.
    """
    folder = Path(directory) if directory is not None else curated_dir()
    terms: list[Term] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) [: len(CURATED_COLUMNS)] != CURATED_COLUMNS:
                raise InputError(f"{path}: the header must start with {','.join(CURATED_COLUMNS)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                source, target = (row["source"] or "").strip(), (row["target"] or "").strip()
                if not source or not target:
                    raise InputError(f"{where}: source and target must not be empty")
                kind = (row["kind"] or "").strip()
                if kind not in KINDS:
                    raise InputError(f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
                if source in seen:
                    raise InputError(f"{where}: {source} is already defined in {seen[source]}")
                seen[source] = where
                terms.append(
                    Term(
                        source, target, kind, Status.APPROVED, TermOrigin.CURATED,
                        variants=split_variants(row["variants"] or ""), note=(row["note"] or "").strip(),
                    )
                )
    return Glossary.of(terms)


# -- merging ------------------------------------------------------------------------


def merge(reviewed: Glossary, proposed: Sequence[Term]) -> Glossary:
    """Fold this run's *proposed* terms into a *reviewed* glossary.

    Human decisions win, always: a row of *reviewed* keeps its target, kind,
    status, variants and note whatever this run proposes (an approved
    target is never overwritten, a rejected term never re-proposed).  A
    candidate the reviewer left undecided also keeps its target, since it
    may have been edited.  Only the statistics grow: documents are united
    and occurrences in documents the row had not seen are added, so
    re-running on the same documents changes nothing.  New terms are
    appended in the order given.
    """
    out = Glossary.of(reviewed)
    for term in proposed:
        old = out.get(term.source)
        if old is None:
            out.add(term)
            continue
        seen, now = set(old.documents), set(term.documents)
        if now <= seen:
            frequency = old.frequency  # the same documents again: already counted
        elif not now & seen:
            frequency = old.frequency + term.frequency
        else:
            frequency = max(old.frequency, term.frequency)  # partly counted already: a lower bound
        out.add(
            replace(
                old,
                frequency=frequency,
                documents=tuple(sorted({*old.documents, *term.documents})),
                example_source=old.example_source or term.example_source,
                example_target=old.example_target or (term.example_target if term.target == old.target else ""),
            )
        )
    return out


# -- proposals from extracted candidates ---------------------------------------------------------------


def propose(
    candidates: Sequence["Candidate"],
    known: Glossary,
    *,
    aligned: Mapping[str, "Rendering"] | None = None,
    drafts: Mapping[str, str] | None = None,
    example_targets: Mapping[str, str] | None = None,
) -> list[Term]:
    """Glossary rows for extracted *candidates*, a rendering for each where there is one.

    Renderings in priority order, each recording its origin: a decision in
    *known* (the curated glossary and any reviewed files: approved targets
    and rejections stand as they are); the English n-gram *aligned* human
    translations give evidence for; the machine draft of the term in
    *drafts* (a candidate that needs review); else no target.
    *example_targets* maps an example source segment to its translation.
    """
    aligned, drafts, example_targets = aligned or {}, drafts or {}, example_targets or {}
    out = []
    for c in candidates:
        stats = dict(
            frequency=c.frequency, documents=c.documents, example_source=c.example,
            example_target=example_targets.get(c.example, ""),
        )
        decided = known.get(c.source)
        if decided is not None and decided.status is not Status.CANDIDATE:
            out.append(replace(decided, **stats))
        elif c.source in aligned:
            r = aligned[c.source]
            out.append(Term(c.source, r.target, c.kind or "", Status.CANDIDATE, TermOrigin.ALIGNED, **{
                **stats, "example_target": stats["example_target"] or r.example_target}))
        elif drafts.get(c.source):
            out.append(Term(c.source, drafts[c.source], c.kind or "", Status.CANDIDATE, TermOrigin.MT, **stats,
                            note="machine draft of the term: needs review"))
        else:
            out.append(Term(c.source, "", c.kind or "", Status.CANDIDATE, TermOrigin.NONE, **stats))
    return out

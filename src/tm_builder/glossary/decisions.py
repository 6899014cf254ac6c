"""Proposals for review and the merge that keeps every human decision across re-runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .model import Glossary, Status, Term, TermOrigin

if TYPE_CHECKING:  # the extractor's data classes, at the seam between the two stages
    from ..terms import Candidate, Rendering

__all__ = ["merge", "propose"]


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
        forms = "also written: " + " | ".join(c.forms) if getattr(c, "forms", ()) else ""
        decided = known.get(c.source)
        if decided is not None and decided.status is not Status.CANDIDATE:
            note = decided.note if not forms or forms in decided.note else "; ".join(n for n in (decided.note, forms) if n)
            out.append(replace(decided, **stats, note=note))
        elif c.source in aligned:
            r = aligned[c.source]
            out.append(Term(c.source, r.target, c.kind or "", Status.CANDIDATE, TermOrigin.ALIGNED, **{
                **stats, "example_target": stats["example_target"] or r.example_target}, note=forms))
        elif drafts.get(c.source):
            out.append(Term(c.source, drafts[c.source], c.kind or "", Status.CANDIDATE, TermOrigin.MT, **stats,
                            note="; ".join(n for n in ("machine draft of the term: needs review", forms) if n)))
        else:
            out.append(Term(c.source, "", c.kind or "", Status.CANDIDATE, TermOrigin.NONE, **stats, note=forms))
    return out

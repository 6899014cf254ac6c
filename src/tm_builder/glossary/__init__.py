"""The glossary: the model on the ground floor, the workflow above the engines.

``from tm_builder.glossary import Term, Glossary, Status, ...`` gives the
model (:mod:`.model`), which engines and formats use; the workflow (curated
loading, proposals, merging, QA of aligned pairs, the ``glossary`` command)
is :mod:`tm_builder.glossary.workflow`, imported only by what sits above the
engines.
"""

from __future__ import annotations

from .model import (
    KINDS, Glossary, Status, Term, TermMatch, TermOrigin, check_terms, exact_rendering, honoured, split_variants,
)

__all__ = [
    "KINDS", "Glossary", "Status", "Term", "TermMatch", "TermOrigin", "check_terms", "exact_rendering", "honoured",
    "split_variants",
]

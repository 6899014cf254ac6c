"""The glossary: the model, the curated glossary and the decisions on it, on the ground floor.

:mod:`.model` holds terms, statuses, matching and the checks of a target;
:mod:`.curated` loads the shipped political glossary; :mod:`.decisions`
proposes terms for review and merges proposals into a reviewed file,
keeping every human decision.  Engines and formats import from here.  What
a run does with a glossary (terms in force, QA of aligned pairs, the
``glossary`` command) sits above the engines, in :mod:`tm_builder.review`.
"""

from __future__ import annotations

from .curated import CURATED_COLUMNS, curated_dir, load_curated
from .decisions import merge, propose
from .model import (
    KINDS, Glossary, Status, Term, TermMatch, TermOrigin, check_terms, exact_rendering, honoured, split_variants,
)

__all__ = [
    "CURATED_COLUMNS", "KINDS", "Glossary", "Status", "Term", "TermMatch", "TermOrigin", "check_terms", "curated_dir",
    "exact_rendering", "honoured", "load_curated", "merge", "propose", "split_variants",
]

"""Term extraction: candidate glossary terms from Chinese documents, and their English renderings.

Why the signals are combined the way they are
---------------------------------------------
Official Chinese text marks its own terms far more reliably than any
statistic can find them.  In a 24,000-character speech most glossary terms
occur *once*, so frequency, PMI, branching entropy and C-value (which need
repetition) can only rank the few terms that recur.  The extractor therefore
trusts evidence in this order, and the score follows it:

1. ``curated``: the term is in the curated glossary (a reviewer already
   accepted it), so it always ranks first;
2. the writer's own marking: ``title`` (《…》, and 〈…〉 inside one),
   ``numbered`` formulations (三个确保, 两优先三倾斜, 三会一课, 十九大),
   ``quoted`` spans (“…”, but not lists of items or a quote that only
   modifies the next word), names of forums, initiatives, declarations,
   regulations, meetings and bodies (a noun chunk ending in 论坛, 倡议, 宣言,
   条例, 议程, 会议, 委员会 ..., or a dictionary organisation: ``name``), offices
   (``office``: 外长, 国务院副总理, the words beside a person's name) and ``framed``
   concepts (the words before 理念, 原则, 思路, 机制 ...);
3. form: ``set-phrase`` (a four-character phrase standing alone between
   punctuation or function words, a dictionary idiom, a parallel shape such
   as 走深走实 or a fixed pair such as 和平之海、合作之海) and
   ``abbreviation`` (党建, 联大);
4. statistics over a jieba word segmentation across *all* documents:
   ``cohesive`` n-grams (repeated, internally associated by normalised PMI,
   free on both sides by branching entropy, not only part of a longer
   candidate by C-value) and ``salient`` single words (far more frequent here
   than in jieba's general-language dictionary); last, ``phrase``: a noun
   phrase standing alone, the only way to reach a term that occurs once and
   is not marked, ranked below everything else.

Each piece of evidence has a fixed weight; the strongest counts in full and
the next two at 30 % (they are correlated: a quoted four-character phrase is
one piece of evidence, not two).  Frequency and the number of documents add a
logarithmic bonus, except for words common in general Chinese, which also lose
a little.  Filters run before scoring: function words at either edge,
numbers and dates, people's names (jieba's tags, surnames beside offices,
transliterations) and spans crossing punctuation are never candidates.  The
weights were set by hand on the seed speech (bench/terms_eval.py measures
them against hand-made oracle lists).

English renderings (:func:`aligned_renderings`) come from aligned units: for
each term, the English n-gram whose occurrences best match the term's across
units (Dice, log-likelihood breaking ties), helped by CC-CEDICT glosses of the
term's words, so that a term seen in only one or two units can still be
rendered, but only when the dictionary agrees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .extract import Candidate, extract_terms
from ..lexis import Lexis, jieba_lexis
from .renderings import Rendering, aligned_renderings
from .words import WORDS_VERSION

if TYPE_CHECKING:
    from ..units import Document

__all__ = [
    "EXTRACTOR_REVISION", "EXTRACTOR_VERSION", "Candidate", "Lexis", "Rendering", "aligned_renderings", "extract_terms",
    "extract_terms_of", "jieba_lexis",
]

#: Bump when a change to the extractor's code (its rules or scores) changes what it extracts:
#: remembered candidates are keyed by it. A comment or a refactoring leaves users' caches valid;
#: the word lists (words/*.txt) and jieba count through their own versions.
EXTRACTOR_REVISION = 3  # 2: quoted forms with a head noun fold into their core; 3: quotes, Party prefixes, full congress names


def _extractor_version() -> str:
    from importlib.metadata import version

    return f"{EXTRACTOR_REVISION}+jieba{version('jieba')}+words{WORDS_VERSION}"


#: what the draft cache keys remembered extraction results by
EXTRACTOR_VERSION = _extractor_version()


def extract_terms_of(document: "Document", curated: tuple[str, ...] = ()) -> list[Candidate]:
    """:func:`extract_terms` of one document: the unit of work a run spreads over its workers (a picklable function)."""
    return extract_terms([document], curated=curated)

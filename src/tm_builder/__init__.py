"""tm-builder: translation memories and glossaries from Chinese official texts.

One function per command, each what the command runs:

* :func:`segment_file` / :func:`segment_text`: documents into segments (``tm-builder segment``);
* :func:`translate_files` with :class:`TranslateOptions`: memories, drafted
  where no human translation exists (``tm-builder translate``);
* :func:`align_files`: a document and its translation into pairs (``tm-builder align``);
* :func:`glossary_files`: the terms found, for review (``tm-builder glossary``);
* :func:`score_files`: drafts against a reference (``tm-builder score``);
* :func:`read_units` / :func:`write_units`: TMX, PO and CSV, by suffix.
"""

from __future__ import annotations

from .version import __version__

from .formats import read_units, write_units
from .pipeline import RunSummary, TranslateOptions, align_files, score_files, translate_files
from .review import glossary_files
from .segment import detect_lang, segment_file, segment_text, split_sentences
from .translate import translate_document
from .units import Document, Origin, Paragraph, Segment, SegmentKind, TranslationUnit

__all__ = [
    "Document",
    "Origin",
    "Paragraph",
    "RunSummary",
    "Segment",
    "SegmentKind",
    "TranslateOptions",
    "TranslationUnit",
    "__version__",
    "align_files",
    "detect_lang",
    "glossary_files",
    "read_units",
    "score_files",
    "segment_file",
    "segment_text",
    "split_sentences",
    "translate_document",
    "translate_files",
    "write_units",
]

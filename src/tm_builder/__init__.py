"""tm-builder: translation memories and glossaries from Chinese official texts.

The public API mirrors the command line: :func:`segment_file` /
:func:`segment_text` split documents into segments, :func:`translate_files`
builds memories, and :mod:`tm_builder.formats` reads and writes TMX, PO and
CSV.
"""

from __future__ import annotations

from .version import __version__

from .pipeline import RunSummary, translate_document, translate_files
from .segment import detect_lang, segment_file, segment_text, split_sentences
from .units import Document, Origin, Paragraph, Segment, SegmentKind, TranslationUnit

__all__ = [
    "Document",
    "Origin",
    "Paragraph",
    "RunSummary",
    "Segment",
    "SegmentKind",
    "TranslationUnit",
    "__version__",
    "detect_lang",
    "segment_file",
    "segment_text",
    "split_sentences",
    "translate_document",
    "translate_files",
]

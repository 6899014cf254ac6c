"""tm-builder: translation memories and glossaries from Chinese official texts.

The public API mirrors the command line: :func:`segment_file` /
:func:`segment_text` split documents into segments, :func:`translate_files`
builds memories, and :mod:`tm_builder.formats` reads and writes TMX, PO and
CSV.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .pipeline import RunSummary, translate_document, translate_files  # noqa: E402
from .segment import detect_lang, segment_file, segment_text, split_sentences  # noqa: E402
from .units import Document, Origin, Paragraph, Segment, SegmentKind, TranslationUnit  # noqa: E402

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

"""A ready OmegaT project: source, memories and glossary where OmegaT 3.6+ expects them.

The hard part is making OmegaT's segments exactly ours, since an OmegaT
segment only matches a TMX unit whose source is the same text.  Shipping
SRX rules that reproduce our segmenter would be a second segmenter to keep in
step; instead the project's source file holds one translation unit per line
(paragraphs separated by an empty line), sentence segmentation is off, and
a project-specific ``omegat/filters.xml`` makes the text filter break at
line ends, in UTF-8 whatever the machine's locale.  An aligned unit that
joins two of our segments (a 2-1 bead) is one line too, so it matches as a
whole.  The source is the layout-repaired text, not the broken original.

Memories go where OmegaT gives them the right standing: human pairs
(aligned, confirmed, glossary-translated) in ``tm/auto/`` (inserted
automatically); machine drafts in ``tm/mt/penalty-30/`` (offered, never as a
100% match: OmegaT 3.x takes 30 points off every match from a ``penalty-30``
folder, and OmegaT 4 and later also flag matches from ``tm/mt/`` as machine
translation) or, for teams that post-edit, in ``tm/auto/`` as well.
Approved glossary terms go to ``glossary/`` in OmegaT's tab-separated UTF-8
format.  Our sentence rules go in too (``omegat/segmentation.conf`` for
OmegaT 3.x, ``omegat/segmentation.srx`` for tools and versions that read
SRX), so the next article, added with sentence segmentation on, is segmented
as tm-builder would.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from ..errors import OutputError
from ..glossary import Term
from ..units import Origin, TranslationUnit
from ..vocab import MT_PLACES
from .base import MemoryHeader, needs_review, xml_safe
from .termbase import write_omegat_glossary
from .tmx import write_tmx
from ..srx import omegat_conf, our_rules, srx_text
from ..textio import writable_parent

#: where drafts go: offered as machine matches, 30 points below an exact human match
MT_FOLDER = "tm/mt/penalty-30"

__all__ = ["MT_FOLDER", "MT_PLACES", "check_project_dir", "write_omegat_project"]


_PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <source_dir_excludes>
      <mask>**/.svn/**</mask>
      <mask>**/.git/**</mask>
    </source_dir_excludes>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>{source}</source_lang>
    <target_lang>{target}</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneSmartChineseTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
    <external_command></external_command>
  </project>
</omegat>
"""

# One segment per line, UTF-8 both ways, whitespace kept as written.
_FILTERS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<filters removeTags="false" removeSpacesNonseg="false" preserveSpaces="true" ignoreFileContext="false">
    <filter className="org.omegat.filters2.text.TextFilter" enabled="true">
        <files sourceFilenameMask="*.txt" targetFilenamePattern="${filename}" sourceEncoding="UTF-8" targetEncoding="UTF-8"/>
        <option name="segmentOn" value="BREAKS"/>
    </filter>
</filters>
"""

#: targets a translator can take as they are
_HUMAN = (Origin.ALIGNED, Origin.HUMAN, Origin.GLOSSARY, Origin.TM)


def _line(text: str) -> str:
    # A unit is one line (OmegaT would split at a line break inside it), and exactly the text
    # the TMX carries: characters XML cannot hold are dropped there, so here too.
    return xml_safe(" ".join(text.splitlines()))


def _source_text(units: Sequence[TranslationUnit]) -> str:
    lines: list[str] = []
    previous = None
    for unit in units:
        if previous is not None and unit.paragraph != previous:
            lines.append("")
        lines.append(_line(unit.source))
        previous = unit.paragraph
    return "\n".join(lines) + "\n"


def _for_tmx(units: Iterable[TranslationUnit]) -> list[TranslationUnit]:
    """Units as OmegaT will look them up: by the source line it sees."""
    out = []
    for u in units:
        if u.target:
            out.append(replace(u, source=_line(u.source)))
    return out


def _places(stem: str, units: Sequence[TranslationUnit], mt: str) -> dict[str, list[TranslationUnit]]:
    """Which units go to which memory of the project: inserted (``tm/auto/``), offered (``tm/``), machine (``tm/mt/``)."""
    # a repaired fuzzy match from the project memory is offered, never inserted
    fuzzy = _for_tmx(u for u in units if u.origin is Origin.TM and needs_review(u))
    human = _for_tmx(u for u in units if u.origin in _HUMAN and not (u.origin is Origin.TM and needs_review(u)))
    drafts = _for_tmx(u for u in units if u.origin is Origin.MT)
    return {f"tm/auto/{stem}.tmx": human + (drafts if mt == "auto" else []),
            f"tm/{stem}.fuzzy.tmx": fuzzy,
            f"{MT_FOLDER}/{stem}.mt.tmx": drafts if mt == "mt" else []}


def check_project_dir(project: str | os.PathLike[str], mt: str = "mt") -> None:
    """Refuse, before any work, a project directory that holds anything, and unknown options."""
    if mt not in MT_PLACES:
        raise OutputError(f"unknown place for machine drafts {mt!r}; use one of {', '.join(MT_PLACES)}")
    target = Path(project)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{target}: exists and is not an empty directory; OmegaT projects are never overwritten")
    writable_parent(target, create=True)


def write_omegat_project(
    project: str | os.PathLike[str],
    documents: Sequence[tuple[str, Sequence[TranslationUnit]]],
    glossary: Iterable[Term] = (),
    *,
    header: MemoryHeader | None = None,
    mt: str = "mt",
    source_lang: str = "zh-CN",
    target_lang: str = "en",
) -> list[str]:
    """Write a complete OmegaT project for *documents* (``(stem, units)`` pairs) to *project*.

    *project* must not exist yet or be empty: an existing project holds a
    translator's work (``omegat/project_save.tmx``), which this never
    replaces.  The project is built beside it and renamed into place, so a
    failure leaves nothing half-written.  Returns the files written,
    relative to the project.
    """
    check_project_dir(project, mt)
    target = Path(project)
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"{target}: cannot create the project ({exc.strerror or exc})") from None
    written: list[str] = []
    try:
        for folder in ("source", "target", "tm/auto", MT_FOLDER, "glossary", "dictionary", "omegat"):
            (staging / folder).mkdir(parents=True, exist_ok=True)
        (staging / "omegat.project").write_text(
            _PROJECT.format(source=escape(source_lang), target=escape(target_lang)), encoding="utf-8"
        )
        (staging / "omegat" / "filters.xml").write_text(_FILTERS, encoding="utf-8")
        (staging / "omegat" / "segmentation.conf").write_text(omegat_conf(our_rules()), encoding="utf-8")
        (staging / "omegat" / "segmentation.srx").write_text(srx_text(), encoding="utf-8")
        written += ["omegat.project", "omegat/filters.xml", "omegat/segmentation.conf", "omegat/segmentation.srx"]
        for stem, units in documents:
            (staging / "source" / f"{stem}.txt").write_text(_source_text(units), encoding="utf-8")
            written.append(f"source/{stem}.txt")
            for place, chosen in _places(stem, units, mt).items():
                if chosen:
                    write_tmx(chosen, staging / place, header)
                    written.append(place)
        terms = [t for t in glossary if t.enforced]
        if terms:
            write_omegat_glossary(terms, staging / "glossary" / "approved.utf8")
            written.append("glossary/approved.utf8")
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written

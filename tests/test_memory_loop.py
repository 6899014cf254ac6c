"""The main workflow, end to end: translate an article, post-edit it in OmegaT, import the project, translate the next.

OmegaT's console mode stands in for the translator's tool: it builds the
project's target from what tm-builder put in ``tm/auto``; the translator's
edits are applied by a script, written as OmegaT saves a project
(``omegat/project_save.tmx``, TMX 1.1 with ``lang`` attributes and the
translator's id and date on each target), and OmegaT's second console run
proves it takes that file as the project's work.
"""

from __future__ import annotations

from datetime import datetime, timezone
from xml.sax.saxutils import escape

import pytest

from tm_builder.formats import read_units
from tm_builder.units import Origin

from .conftest import SEED
from .inprocess import tm_builder
from .test_omegat import console_translate

NEW_PARAGRAPH = "这是第二篇文章才有的一段话，记忆库里没有它。\n\n"


def _save_as_omegat(project, edits: dict[str, str]) -> None:
    """Write ``project_save.tmx`` as OmegaT 3.6 does when the translator saves."""
    stamp = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    units = "".join(
        f'    <tu>\n      <tuv lang="zh-CN">\n        <seg>{escape(src)}</seg>\n      </tuv>\n'
        f'      <tuv lang="en" changeid="translator" changedate="{stamp}" creationid="translator" creationdate="{stamp}">\n'
        f"        <seg>{escape(tgt)}</seg>\n      </tuv>\n    </tu>\n"
        for src, tgt in edits.items()
    )
    (project / "omegat" / "project_save.tmx").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.1">\n  <header creationtool="OmegaT" o-tmf="OmegaT TMX" '
        'adminlang="EN-US" datatype="plaintext" creationtoolversion="3.6.0_0" segtype="sentence" srclang="zh-CN"/>\n'
        f"  <body>\n<!-- Default translations -->\n{units}  </body>\n</tmx>\n",
        encoding="utf-8",
    )


@pytest.mark.slow
def test_the_next_article_reuses_every_post_edited_sentence(tmp_path, tiny_model, omegat):
    paragraphs = SEED.read_text(encoding="utf-8").split("\n\n")
    cut = len(paragraphs) * 3 // 5
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("\n\n".join(paragraphs[:cut]) + "\n", encoding="utf-8")
    second.write_text("\n\n".join(paragraphs[len(paragraphs) * 2 // 5:]) + "\n\n" + NEW_PARAGRAPH, encoding="utf-8")
    project, memory = tmp_path / "project", tmp_path / "memory.sqlite3"

    # 1. the first article, drafted and put before the translator in OmegaT
    done = tm_builder("translate", first, "-o", tmp_path / "out1", "--model", tiny_model, "--max-length", "12",
                      "--omegat", project, "--omegat-mt", "auto", "--no-terms")
    assert done.returncode == 0, done.stderr
    total, remaining, _ = console_translate(omegat, project)
    assert remaining == 0
    sources = [line for line in (project / "source" / "first.txt").read_text(encoding="utf-8").split("\n") if line]
    targets = [line for line in (project / "target" / "first.txt").read_text(encoding="utf-8").split("\n") if line]
    assert len(sources) == len(targets) == total

    # 2. the translator post-edits every segment and saves; OmegaT builds the target from the saved work
    edits = {src: f"Post-edited {i}: {tgt}" for i, (src, tgt) in enumerate(zip(sources, targets))}
    _save_as_omegat(project, edits)
    console_translate(omegat, project)
    rebuilt = [line for line in (project / "target" / "first.txt").read_text(encoding="utf-8").split("\n") if line]
    assert rebuilt == [edits[s] for s in sources]

    # 3. the finished project goes into the memory
    done = tm_builder("memory", "import", project, "--memory", memory)
    assert done.returncode == 0, done.stderr
    assert f"{len(edits)} added" in done.stdout

    # 4. the next article: every sentence the first one had comes from the post-edited work, none is drafted
    done = tm_builder("translate", second, "-o", tmp_path / "out2", "--model", tiny_model, "--max-length", "12",
                      "--memory", memory, "--no-terms")
    assert done.returncode == 0, done.stderr
    units, _ = read_units(tmp_path / "out2" / "second.po")
    repeated = [u for u in units if u.source in edits]
    fresh = [u for u in units if u.source not in edits]
    assert repeated and fresh
    assert all(u.origin is Origin.TM and u.target == edits[u.source] and u.score >= 1.0 for u in repeated), [
        (u.source, u.origin, u.target) for u in repeated if u.origin is not Origin.TM or u.target != edits[u.source]]
    assert not any(u.origin is Origin.TM for u in fresh)
    assert f"drafted {len(fresh)} segment" in done.stdout, done.stdout
    exact = sum(u.score == 1.0 for u in repeated)
    print(f"second article: {len(units)} segments, {len(repeated)} from the memory ({len(repeated) - exact} in context, "
          f"{exact} exact), {len(fresh)} drafted")

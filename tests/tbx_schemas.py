"""The official TBX v3 schemas (../shared/reference/tbx/): core structure (RELAX NG) and TBX-Basic (Schematron).

The Schematron is written for XSLT 2; lxml runs XSLT 1.  Its rules use two XPath 2 features, ``matches()`` on
the ``target`` attribute and ``./local-name()`` as a path step; both have exact XPath 1 equivalents here, and
everything else is kept as published (a test checks the official valid example still passes and a broken file
fails).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree, isoschematron

TBX_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference" / "tbx"
CORE_RNG = TBX_DIR / "TBXcoreStructV03.rng"
BASIC_SCH = TBX_DIR / "TBX-Basic_DCA.sch"
EXAMPLE = TBX_DIR / "Example_Astronomy_DCA_VALID.tbx"


@lru_cache(maxsize=1)
def _validators() -> tuple[etree.RelaxNG, isoschematron.Schematron]:
    text = BASIC_SCH.read_text(encoding="utf-8")
    for xpath2, xpath1 in (('queryBinding="xslt2"', 'queryBinding="xslt"'),
                           ("matches(@target,'https?://.+')", "(starts-with(@target,'http://') or starts-with(@target,'https://'))"),
                           ("./local-name()", "local-name()")):
        assert xpath2 in text, xpath2  # the published schema changed: look again
        text = text.replace(xpath2, xpath1)
    schematron = isoschematron.Schematron(etree.fromstring(text.encode("utf-8")), store_report=True)
    return etree.RelaxNG(etree.parse(str(CORE_RNG))), schematron


def tbx_problems(path: Path) -> list[str]:
    """Why *path* is not valid TBX-Basic v3 (empty: it is)."""
    rng, sch = _validators()
    doc = etree.parse(str(path))
    problems = [] if rng.validate(doc) else [str(e) for e in rng.error_log][:5]
    if not sch.validate(doc):
        report = sch.validation_report
        problems += [" ".join(t.itertext()).strip() for t in report.iter("{http://purl.oclc.org/dsdl/svrl}failed-assert")][:5]
    return problems

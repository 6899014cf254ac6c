"""TMX, PO and CSV: valid for their real clients, and write -> read is exact."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tm_builder.errors import FormatError
from tm_builder.formats import MemoryHeader, read_csv, read_units, write_csv, write_units
from tm_builder.formats.base import needs_review, xml_safe
from tm_builder.units import Origin, SegmentKind, TermCheck, TranslationUnit

from .conftest import TMX_DTD

HEADER = MemoryHeader(created=datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc), properties=(("engine", "none"),))

HOSTILE = [
    TranslationUnit("“小院高墙”<script>&amp; ]]> 'x' \"y\"", "“small yard, high fence” <b>&</b> ]]>", Origin.ALIGNED, 0.93,
                    None, "a.txt", 1, 1, SegmentKind.SENTENCE, 3, ("checked by <ed>",)),
    TranslationUnit("王毅:", "Wang Yi:", Origin.MT, 0.5, "opus-mt-zh-en@abc", "a.txt", 2, 1, SegmentKind.SPEAKER, 5),
    TranslationUnit("表情😀𠀀𪚥", "emoji 😀 and astral 𠀀", Origin.HUMAN, None, None, "a.txt", 2, 2),
    TranslationUnit("没有译文。", "", Origin.NONE, None, None, "a.txt", 3, 1, SegmentKind.HEADING, 7),
    TranslationUnit("长" * 5000, "long " * 2000, Origin.TM, 1.0, None, "a.txt", 4, 1, SegmentKind.BYLINE, 9, ("a", "b")),
    TranslationUnit("同一句。", "Same sentence.", Origin.ALIGNED, 0.2, None, "a.txt", 5, 1),
    TranslationUnit("同一句。", "Same sentence.", Origin.ALIGNED, 0.9, None, "a.txt", 6, 1),
    TranslationUnit("反对“小院高墙”，支持全球南方。", "It opposes high walls and supports the Global South.", Origin.ALIGNED, 0.8,
                    None, "a.txt", 7, 1, terms=(TermCheck("小院高墙", "small yard, high fence", False),
                                                TermCheck("全球南方", "Global South", True))),
    TranslationUnit("全球南方", "Global South", Origin.GLOSSARY, None, None, "a.txt", 8, 1, SegmentKind.HEADING,
                    terms=(TermCheck("全球南方", "Global South", True),)),
]

FORMATS = ["tmx", "po", "csv"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_exact(tmp_path, fmt):
    path = tmp_path / f"m.{fmt}"
    write_units(HOSTILE, path, HEADER)
    units, header = read_units(path)
    assert units == HOSTILE
    if fmt != "csv":
        assert dict(header.properties)["engine"] == "none"


# Text that every format can carry: no XML-forbidden characters, no lone surrogates.
SAFE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), min_size=1, max_size=40
).filter(lambda t: t.strip() == t and t != "")
UNITS = st.lists(
    st.builds(
        TranslationUnit,
        source=SAFE_TEXT,
        target=st.one_of(st.just(""), SAFE_TEXT),
        origin=st.sampled_from(list(Origin)),
        score=st.one_of(st.none(), st.floats(0, 1)),
        model=st.one_of(st.none(), st.just("opus-mt-zh-en")),
        document=st.just("doc.txt"),
        paragraph=st.integers(1, 50),
        kind=st.sampled_from(list(SegmentKind)),
        line=st.integers(1, 500),
        notes=st.lists(SAFE_TEXT.filter(lambda t: "\n" not in t and not t.startswith(" ")), max_size=2).map(tuple),
    ),
    max_size=8,
).map(lambda us: [TranslationUnit(**{**u.__dict__, "index": i + 1}) for i, u in enumerate(us)])


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=UNITS)
def test_round_trip_property(tmp_path, fmt, units):
    # Origin "none" means no target; keep the generated units consistent with that.
    units = [u if u.origin is not Origin.NONE or not u.target else TranslationUnit(**{**u.__dict__, "origin": Origin.HUMAN}) for u in units]
    path = tmp_path / f"p.{fmt}"
    write_units(units, path, HEADER)
    assert read_units(path)[0] == units


def test_tmx_valid_against_dtd(tmp_path, xmllint):
    path = tmp_path / "m.tmx"
    write_units(HOSTILE, path, HEADER)
    result = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_tmx_header_and_provenance(tmp_path):
    path = tmp_path / "m.tmx"
    write_units(HOSTILE, path, HEADER)
    text = path.read_text(encoding="utf-8")
    for attribute in ('creationtool="tm-builder"', 'creationtoolversion="', 'segtype="sentence"', 'o-tmf="',
                      'adminlang="en"', 'srclang="zh-CN"', 'datatype="plaintext"', 'creationdate="20261124T120000Z"'):
        assert attribute in text
    assert '<prop type="x-origin">mt</prop>' in text
    assert '<prop type="x-model">opus-mt-zh-en@abc</prop>' in text
    assert '<prop type="x-document">a.txt</prop>' in text
    assert text.count("<tu ") == len(HOSTILE)
    assert len(set(__import__("re").findall(r'tuid="([^"]+)"', text))) == len(HOSTILE)


def test_xml_forbidden_characters_never_reach_the_file(tmp_path, xmllint):
    unit = TranslationUnit("控制\x00字符\x01\x0b\x1f。\ufffe", "control\x07 chars\x1b", Origin.MT, document="c.txt", paragraph=1, index=1)
    path = tmp_path / "c.tmx"
    write_units([unit], path, HEADER)
    raw = path.read_bytes()
    assert not any(b in raw for b in (b"\x00", b"\x01", b"\x07", b"\x0b", b"\x1b", b"\x1f"))
    result = subprocess.run([xmllint, "--noout", "--dtdvalid", str(TMX_DTD), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    units, _ = read_units(path)
    assert units[0].source == "控制字符。" and units[0].target == "control chars"
    assert xml_safe("a\x00b\tc\nd") == "ab\tc\nd"


def test_po_passes_msgfmt_check(tmp_path, msgfmt):
    path = tmp_path / "m.po"
    write_units(HOSTILE, path, HEADER)
    result = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_po_template_without_targets_passes_msgfmt(tmp_path, msgfmt):
    units = [TranslationUnit(f"第{i}句。", document="t.txt", paragraph=1, index=i) for i in range(1, 4)]
    path = tmp_path / "t.po"
    write_units(units, path, HEADER)
    result = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_po_fuzzy_and_context(tmp_path):
    path = tmp_path / "m.po"
    write_units(HOSTILE, path, HEADER)
    import polib

    entries = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(path))}
    by_source = {u.source: entries[(None, u.source)] for u in HOSTILE[:5]}
    assert "fuzzy" in by_source["王毅:"].flags  # MT draft
    assert "fuzzy" in entries[(None, "同一句。")].flags  # weak alignment
    assert "fuzzy" not in entries[("variant 2", "同一句。")].flags  # confident alignment
    assert "fuzzy" not in by_source["表情😀𠀀𪚥"].flags  # human
    assert "fuzzy" not in by_source["没有译文。"].flags  # nothing to review
    first = by_source[HOSTILE[0].source]
    assert first.occurrences == [("a.txt", "3")]
    assert "origin: aligned" in first.comment and "position: a.txt:1:1 (line 3)" in first.comment
    # a context only where the same source needs two entries, and none positional
    assert sorted(c for c, _ in entries if c) == ["variant 2"]
    assert "position: a.txt:6:1" in entries[("variant 2", "同一句。")].comment


def test_needs_review_policy():
    assert needs_review(TranslationUnit("a", "b", Origin.MT, 0.99))
    assert not needs_review(TranslationUnit("a", "b", Origin.HUMAN))
    assert needs_review(TranslationUnit("a", "b", Origin.TM, 0.8))
    assert not needs_review(TranslationUnit("a", "b", Origin.TM, 1.0))
    assert not needs_review(TranslationUnit("a", "", Origin.NONE))


def test_csv_opens_with_chinese_intact(tmp_path):
    path = tmp_path / "m.csv"
    write_units(HOSTILE, path, HEADER)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheet programs need for UTF-8
    assert "小院高墙".encode() in raw
    assert raw.split(b"\r\n")[0] == b"\xef\xbb\xbfsource,target,origin,score,document,paragraph,index,kind,line,model,notes,terms"
    import csv

    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0].startswith("“小院高墙”")


def test_csv_from_a_spreadsheet_without_bom_or_extra_columns(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("source,target\n一带一路,Belt and Road\n", encoding="utf-8")
    units, _ = read_units(path)
    assert units == [TranslationUnit("一带一路", "Belt and Road", Origin.TM)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_writes_are_deterministic(tmp_path, fmt):
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    write_units(HOSTILE, a, HEADER)
    write_units(HOSTILE, b, HEADER)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_write_leaves_no_file(tmp_path, fmt, monkeypatch):
    path = tmp_path / f"m.{fmt}"
    write_units(HOSTILE[:1], path, HEADER)
    before = path.read_bytes()

    class Boom(Exception):
        pass

    def explode(*args, **kwargs):
        raise Boom

    # Break the serialiser half-way: the old file must survive untouched, with no temp files left.
    import tm_builder.formats.base as base

    monkeypatch.setattr(base, "format_score", explode)
    for module in ("tmx", "po", "csv"):
        monkeypatch.setattr(f"tm_builder.formats.{module}.format_score", explode)
    with pytest.raises(Boom):
        write_units(HOSTILE, path, HEADER)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad.tmx", "<tmx><header", "not well-formed"),
        ("bad.tmx", "<html><body/></html>", "not a TMX file"),
        ("bad.csv", "a,b\n1,2\n", "missing column"),
        ("bad.txt", "x", "unknown memory format"),
    ],
)
def test_bad_memory_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        read_units(path)


def test_reads_tmx_from_other_tools(tmp_path):
    path = tmp_path / "other.tmx"
    path.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" '
        'o-tmf="x" adminlang="en" srclang="ZH-CN" datatype="plaintext"/><body>'
        '<tu><tuv xml:lang="zh-cn"><seg>一带<ph>&lt;b&gt;</ph>一路</seg></tuv><tuv xml:lang="en-US"><seg>Belt and Road</seg></tuv></tu>'
        "</body></tmx>",
        encoding="utf-8",
    )
    units, header = read_units(path)
    assert units == [TranslationUnit("一带一路", "Belt and Road", Origin.TM, confirmed=True)]  # a tool user's saved work
    assert header.srclang == "ZH-CN"


def test_csv_cells_never_start_like_a_formula_and_still_round_trip(tmp_path):
    import csv

    from tm_builder.formats.termbase import read_glossary_csv, write_glossary_csv
    from tm_builder.glossary import Term

    texts = ["=HYPERLINK(\"http://x\")", "+1 ok", "-Yes, he said.", "@home", "\tTab", "'=quoted", "'plain", "-0.5", "普通"]
    units = [TranslationUnit(t, t, Origin.MT, document="a.txt", paragraph=1, index=i + 1) for i, t in enumerate(texts)]
    path = tmp_path / "m.csv"
    write_csv(units, path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        cells = [c for row in list(csv.reader(f))[1:] for c in row[:2]]
    assert all(not c.startswith(("=", "+", "@", "\t")) for c in cells)
    assert all(not c.startswith("-") or c == "-0.5" for c in cells)  # numbers stay numbers
    assert read_csv(path)[0] == units

    glossary_path = tmp_path / "g.csv"
    terms = [Term(f"词{i}", t, note=t) for i, t in enumerate(texts) if t.strip()]
    write_glossary_csv(terms, glossary_path)
    assert [(t.target, t.note) for t in read_glossary_csv(glossary_path)] == [(t.target.strip(), t.note) for t in terms]

"""The glossary: curated data, matching, merge, exports, and enforcement in drafts."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tm_builder import segment_file
from tm_builder.engines.base import DraftOptions
from tm_builder.errors import InputError
from tm_builder.formats import write_glossary
from tm_builder.formats.tbx import TBX_NS, read_tbx
from tm_builder.formats.termbase import GLOSSARY_COLUMNS, read_glossary_csv, write_glossary_csv
from tm_builder.glossary import (
    KINDS, Glossary, Status, Term, TermOrigin, check_terms, exact_rendering, honoured, load_curated, merge,
)

from .conftest import ROOT, SEED

CURATED = load_curated(ROOT / "glossary")


# -- the curated glossary ------------------------------------------------------------------


def test_curated_glossary_is_large_clean_and_approved():
    assert len(CURATED) >= 300
    assert all(t.enforced and t.origin is TermOrigin.CURATED and t.kind in KINDS for t in CURATED)
    for source, target in [("全球南方", "Global South"), ("小院高墙", "small yard, high fence"),
                           ("双轨并进", "dual-track approach"), ("一带一路倡议", "Belt and Road Initiative")]:
        assert CURATED.get(source).target == target
    # Data, not prose: no quotes around sources, no Chinese in targets, no stray whitespace.
    for t in CURATED:
        assert t.source == t.source.strip() and not re.search(r"[“”《》]", t.source)
        assert not re.search(r"[\u4e00-\u9fff]", t.target + "".join(t.variants)), t
        assert t.target not in t.variants


def test_the_installed_package_carries_the_curated_glossary():
    assert len(load_curated()) == len(CURATED)


def test_a_malformed_curated_file_is_refused_with_its_line(tmp_path):
    (tmp_path / "a.csv").write_text("source,target,variants,kind,note\n全球南方,Global South,,concept,\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("source,target,variants,kind,note\n全球南方,the South,,concept,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"b\.csv:2: 全球南方 is already defined in .*a\.csv:2"):
        load_curated(tmp_path)
    (tmp_path / "b.csv").write_text("source,target,variants,kind,note\n双轨并进,,,formulation,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"b\.csv:2: source and target must not be empty"):
        load_curated(tmp_path)


# -- matching and checking -----------------------------------------------------------------------


def test_find_prefers_the_longest_term_and_never_overlaps():
    found = CURATED.find("共建“一带一路”倡议和一带一路倡议都支持全球南方。")
    assert [m.term.source for m in found] == ["一带一路", "一带一路倡议", "全球南方"]
    text = "共建“一带一路”倡议和一带一路倡议都支持全球南方。"
    assert all(text[m.start:m.end] == m.term.source for m in found)


def test_honoured_needs_whole_words_and_allows_a_capital_first_letter():
    assert honoured("We oppose a small yard, high fence approach.", "small yard, high fence")
    assert honoured("Small yard,  high fence is wrong.", "small yard, high fence")
    assert not honoured("the Global Southern states", "Global South")
    assert not honoured("One Belt, One Road", "Belt and Road")
    assert honoured("the Global South's voice", "Global South")


def test_check_terms_reports_each_term_once_in_source_order():
    checks = check_terms("全球南方国家反对小院高墙，全球南方要团结。", "Global South countries oppose high walls.", CURATED)
    assert [(c.source, c.honoured) for c in checks] == [("全球南方", True), ("小院高墙", False)]


def test_a_segment_that_is_a_term_is_translated_by_the_glossary():
    g = Glossary.of([Term("王毅", "Wang Yi", status=Status.APPROVED), Term("外交部", "Foreign Ministry")])
    assert exact_rendering("王毅：", g) == "Wang Yi:"
    assert exact_rendering("“王毅”", g) == "Wang Yi"
    assert exact_rendering("王毅说", g) is None
    assert exact_rendering("外交部", g) is None  # a candidate, not approved


# -- the review file and its merge -------------------------------------------------------------------


def _term(source, target="", status=Status.CANDIDATE, origin=TermOrigin.NONE, **kw) -> Term:
    return Term(source, target, kw.pop("kind", "concept"), status, origin, **kw)


def test_review_csv_round_trips_exactly(tmp_path):
    terms = [
        _term("全球南方", "Global South", Status.APPROVED, TermOrigin.CURATED, variants=("the South", "Southern countries"),
              frequency=3, documents=("a.txt", "b, c.txt"), example_source="支持全球南方。", example_target="Support the Global South.",
              note='said "twice",\nover two lines'),
        _term("三到一位", frequency=1, documents=("a.txt",), example_source="落实三到一位。"),
        _term("小院高墙", "small yard, high fence", Status.REJECTED, TermOrigin.ALIGNED),
    ]
    path = tmp_path / "g.csv"
    write_glossary_csv(terms, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\r\n")[0].decode("utf-8-sig") == ",".join(GLOSSARY_COLUMNS)
    assert list(read_glossary_csv(path)) == terms


def test_a_bad_status_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("source,target,status\n全球南方,Global South,approved\n双轨并进,dual-track,maybe\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"line 3: .*maybe"):
        read_glossary_csv(path)


def test_merge_keeps_every_human_decision():
    reviewed = Glossary.of([
        _term("三到一位", "three-in-place rule", Status.APPROVED, TermOrigin.REVIEWED, frequency=2, documents=("a.txt",)),
        _term("实干担当", "", Status.REJECTED, TermOrigin.NONE, frequency=1, documents=("a.txt",)),
        _term("以点带面", "from point to area (edited)", Status.CANDIDATE, TermOrigin.MT, frequency=1, documents=("a.txt",)),
    ])
    proposed = [
        _term("三到一位", "three arrivals", Status.CANDIDATE, TermOrigin.MT, frequency=5, documents=("b.txt",)),
        _term("实干担当", "hard work", Status.CANDIDATE, TermOrigin.MT, frequency=4, documents=("b.txt",)),
        _term("以点带面", "point to surface", Status.CANDIDATE, TermOrigin.MT, frequency=1, documents=("a.txt",)),
        _term("新词", "new word", Status.CANDIDATE, TermOrigin.MT, frequency=1, documents=("b.txt",)),
    ]
    merged = merge(reviewed, proposed)
    assert [t.source for t in merged] == ["三到一位", "实干担当", "以点带面", "新词"]
    approved, rejected, edited, new = list(merged)
    assert (approved.target, approved.status, approved.frequency, approved.documents) == (
        "three-in-place rule", Status.APPROVED, 7, ("a.txt", "b.txt"))
    assert (rejected.status, rejected.target) == (Status.REJECTED, "")
    assert (edited.target, edited.frequency) == ("from point to area (edited)", 1)  # same document: not counted twice
    assert new == proposed[-1]
    assert list(merge(merged, proposed)) == list(merged)  # idempotent


# -- CAT-tool exports -------------------------------------------------------------------------------------


def test_omegat_glossary_is_tab_separated_utf8_with_approved_terms_only(tmp_path):
    terms = [_term("全球南方", "Global South", Status.APPROVED, TermOrigin.CURATED, variants=("the South",), note="a\tb"),
             _term("三到一位", "three arrivals", Status.CANDIDATE, TermOrigin.MT)]
    path = tmp_path / "glossary.utf8"
    write_glossary(terms, path)
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    assert rows == [["全球南方", "Global South", "concept; a b"], ["全球南方", "the South", "variant"]]


def test_tbx_is_tbx_basic_and_reads_back(tmp_path, xmllint):
    terms = [t for t in list(CURATED)[:40]] + [
        _term("三到一位", "three arrivals", Status.CANDIDATE, TermOrigin.MT),
        _term("“特殊”<&>", "special <&> \x07text", Status.APPROVED, TermOrigin.REVIEWED, example_source="例句", example_target="Example."),
    ]
    path = tmp_path / "glossary.tbx"
    write_glossary(terms, path)
    subprocess.run([xmllint, "--noout", str(path)], check=True)
    root = ET.parse(path).getroot()
    q = f"{{{TBX_NS}}}"
    assert root.tag == f"{q}tbx" and root.get("type") == "TBX-Basic" and root.get("style") == "dca"
    assert root.find(f"{q}tbxHeader/{q}fileDesc/{q}sourceDesc/{q}p") is not None
    entries = root.findall(f"{q}text/{q}body/{q}conceptEntry")
    assert len(entries) == 41  # the candidate is left out
    # TBX-Basic's data categories only, in the places the dialect allows them.
    allowed = {"tbx", "tbxHeader", "fileDesc", "sourceDesc", "p", "text", "body", "conceptEntry", "descrip",
               "note", "langSec", "termSec", "term", "termNote", "descripGrp"}
    assert {el.tag.removeprefix(q) for el in root.iter()} <= allowed
    assert {el.get("type") for el in root.iter(f"{q}termNote")} == {"administrativeStatus"}
    assert {el.text for el in root.iter(f"{q}termNote")} <= {"preferredTerm-admn-sts", "admittedTerm-admn-sts"}
    assert {el.get("type") for el in root.iter(f"{q}descrip")} <= {"subjectField", "context"}
    for entry in entries:
        langs = [sec.get("{http://www.w3.org/XML/1998/namespace}lang") for sec in entry.findall(f"{q}langSec")]
        assert langs == ["zh-CN", "en"] and all(sec.find(f"{q}termSec/{q}term") is not None for sec in entry.findall(f"{q}langSec"))
    back = read_tbx(path)
    assert [(t.source, t.target, t.variants) for t in back][:40] == [(t.source, t.target, t.variants) for t in terms[:40]]
    assert back.get("“特殊”<&>").target == "special <&> text" and back.get("“特殊”<&>").example_target == "Example."


# -- enforcement in drafts -------------------------------------------------------------------------------------

#: multi-token approved terms for the guarantee: curated ones, and invented ones the model cannot know
ENFORCED = [t for t in CURATED if len(t.target.split()) >= 2][:30] + [
    _term("三到一位", "three-in-place working method", Status.APPROVED, TermOrigin.REVIEWED),
    _term("昆仑英才", "Kunlun Talents programme", Status.APPROVED, TermOrigin.REVIEWED),
]


def _sentences_with_terms() -> list[str]:
    """Seed sentences with one, two or three enforced terms planted at varied places."""
    seed = [s.text for s in segment_file(SEED).segments if len(s.text) > 12]
    out = []
    for k, term in enumerate(ENFORCED):
        base = seed[(7 * k) % len(seed)]
        cut = (k * 5) % len(base)
        out.append(base[:cut] + term.source + base[cut:])
        other = ENFORCED[(k + 11) % len(ENFORCED)]
        out.append(f"{term.source}和{other.source}。{base}")
        out.append(f"{base[: len(base) // 2]}，{other.source}，{term.source}与{ENFORCED[(k + 3) % len(ENFORCED)].source}")
    return out


@pytest.mark.parametrize("engine_kind", ["ct2", "marian"])
def test_every_draft_contains_every_approved_rendering(tiny_model, engine_kind):
    from tm_builder.engines.ct2 import Ct2Engine
    from tm_builder.engines.marian import MarianEngine

    assert len(ENFORCED) >= 20 and all(len(t.target.split()) >= 2 for t in ENFORCED)
    options = DraftOptions(beam=2, max_length=24, terms=tuple((t.source, t.target) for t in ENFORCED))
    engine = (Ct2Engine if engine_kind == "ct2" else MarianEngine)(tiny_model, options)
    texts = _sentences_with_terms()
    if engine_kind == "marian":
        texts = texts[::6]  # the reference engine is slow: a sample
    drafts = engine.translate(texts)
    glossary = engine.glossary
    planted = 0
    for text, draft in zip(texts, drafts):
        checks = check_terms(text, draft.text, glossary)
        planted += len(checks)
        assert checks and all(c.honoured for c in checks), (text, draft.text)
    assert planted > len(texts)  # several sentences carry two or three terms
    # The random model never produces these renderings by itself: the guarantee was exercised.
    plain = type(engine)(tiny_model, DraftOptions(beam=2, max_length=24))
    assert sum(all(c.honoured for c in check_terms(t, d.text, glossary)) for t, d in zip(texts, plain.translate(texts))) == 0


def test_enforcement_survives_long_segment_splitting(tiny_short_model):
    from tm_builder.engines.ct2 import Ct2Engine

    term = _term("分阶段、同步走", "phased and synchronized approach", Status.APPROVED)
    engine = Ct2Engine(tiny_short_model, DraftOptions(beam=1, max_length=12, terms=((term.source, term.target),)))
    seed = "".join(s.text for s in segment_file(SEED).segments[:6])
    text = seed[:40] + "，分阶段、同步走，" + seed[40:] + "各方应当分阶段、同步走。"
    draft = engine.translate([text])[0]
    assert any(n.startswith("split into") for n in draft.notes)
    assert all(c.honoured for c in check_terms(text, draft.text, engine.glossary)), draft.text


def test_glossary_changes_the_signature_only_when_present(tiny_model):
    from tm_builder.engines.ct2 import Ct2Engine

    plain = Ct2Engine(tiny_model, DraftOptions(beam=1)).signature()
    with_terms = Ct2Engine(tiny_model, DraftOptions(beam=1, terms=(("全球南方", "Global South"),))).signature()
    assert "glossary" not in plain and with_terms["glossary"].startswith("1 terms, sha256 ")
    assert {k: v for k, v in with_terms.items() if k != "glossary"} == plain


@pytest.mark.parametrize("engine_kind", ["ct2", "marian"])
def test_enforcement_never_decodes_past_the_models_positions(tiny_short_model, engine_kind):
    """A forced prefix longer than the decoder's 64 positions must not crash: the rendering stands alone."""
    from tm_builder.engines.ct2 import Ct2Engine
    from tm_builder.engines.marian import MarianEngine

    long_rendering = " ".join(["comprehensive strategic partnership of coordination"] * 12)
    terms = (("全面战略协作伙伴关系", long_rendering), ("全球南方", "Global South"))
    engine = (Ct2Engine if engine_kind == "ct2" else MarianEngine)(tiny_short_model, DraftOptions(beam=2, terms=terms))
    texts = ["中俄新时代全面战略协作伙伴关系不断发展，全球南方国家欢迎。", "全球南方"]
    drafts = engine.translate(texts)
    for text, draft in zip(texts, drafts):
        assert all(c.honoured for c in check_terms(text, draft.text, engine.glossary)), draft.text


def test_a_term_inside_a_longer_chinese_word_is_not_matched_nor_checked():
    g = Glossary.of([
        Term("外交部", "Ministry of Foreign Affairs", status=Status.APPROVED),
        Term("党组", "leading Party members group", status=Status.APPROVED),
        Term("党委", "Party committee", status=Status.APPROVED),
    ])
    assert [m.term.source for m in g.find("外交部今天表示，外交部门和商务部门密切配合。")] == ["外交部"]
    assert g.find("各级党组织要加强领导。") == []  # 党组|织
    assert [m.term.source for m in g.find("党委书记带头落实。")] == ["党委"]  # 党委 + 书记: still the term
    assert check_terms("外交部门密切配合。", "The foreign affairs departments worked closely together.", g) == ()

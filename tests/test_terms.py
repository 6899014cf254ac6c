"""Term extraction and aligned renderings: what a reviewer would notice if it broke."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tm_builder.segment import segment_file, segment_text
from tm_builder.terms import Candidate, Rendering, aligned_renderings, extract_terms

from .conftest import ROOT, SEED


def doc(text: str, name: str = "a.txt"):
    return segment_text(text, document=name, lang="zh")


def by_source(cands: list[Candidate]) -> dict[str, Candidate]:
    return {c.source: c for c in cands}


SPEECH = (
    "如果企图在人工智能上也搞什么“小院高墙”,将会犯下新的历史错误。\n\n"
    "去年10月,习近平主席提出《全球人工智能治理倡议》,清楚阐明了中方的态度。\n\n"
    "坚持把“三会一课”、主题党日等活动制度化规范化。\n\n"
    "我们认真贯彻《干部教育培训工作条例》,落实两优先三倾斜原则。\n\n"
    "2023年3月5日,王毅外长会见了梅德韦杰夫总理。共有1500人参加。\n"
)


@pytest.fixture(scope="module")
def speech() -> dict[str, Candidate]:
    return by_source(extract_terms([doc(SPEECH)]))


def test_quoted_span_and_title_become_candidates_without_their_marks(speech: dict[str, Candidate]) -> None:
    assert "quoted" in speech["小院高墙"].signals
    assert "title" in speech["全球人工智能治理倡议"].signals
    assert speech["干部教育培训工作条例"].kind == "document"
    assert not any(s.startswith(("“", "《")) or s.endswith(("”", "》")) for s in speech)


def test_numbered_formulations_are_found_quoted_or_not(speech: dict[str, Candidate]) -> None:
    assert "numbered" in speech["三会一课"].signals
    assert "numbered" in speech["两优先三倾斜"].signals  # not quoted here
    assert speech["三会一课"].kind == "formulation"


def test_dates_numbers_and_people_are_not_candidates(speech: dict[str, Candidate]) -> None:
    for junk in ("2023年", "3月5日", "2023年3月5日", "10月", "1500", "1500人", "习近平", "王毅", "梅德韦杰夫", "去年"):
        assert junk not in speech, junk
    # and no candidate is a fragment that crosses punctuation
    assert not any(p in s for s in speech for p in ",。")


def test_the_office_beside_a_name_is_a_title_but_the_name_is_not(speech: dict[str, Candidate]) -> None:
    assert speech["外长"].kind == "title"
    assert "office" in speech["外长"].signals


def test_frequency_documents_and_example_across_two_documents() -> None:
    first = doc("我们反对“小院高墙”。搞“小院高墙”损害合作。", "b-first.txt")
    second = doc("有人还在搞“小院高墙”,我们不赞成。", "a-second.txt")
    cands = by_source(extract_terms([first, second]))
    term = cands["小院高墙"]
    assert term.frequency == 3
    assert term.documents == ("a-second.txt", "b-first.txt")  # sorted, not in input order
    assert term.example == "我们反对“小院高墙”。"  # the first occurrence, in input order
    only_second = by_source(extract_terms([second]))["小院高墙"]
    assert (only_second.frequency, only_second.documents) == (1, ("a-second.txt",))


def test_curated_terms_surface_first_with_their_signal() -> None:
    text = "中国始终是“全球南方”的一员。我们推动共建一带一路高质量发展,坚持独立自主。"
    cands = extract_terms([doc(text)], curated=["高质量发展", "独立自主", "不在文中的术语", " "])
    top = [c.source for c in cands[:2]]
    assert sorted(top) == ["独立自主", "高质量发展"]
    assert all("curated" in c.signals and c.signals[0] == "curated" for c in cands[:2])
    assert "不在文中的术语" not in by_source(cands)  # a glossary term that does not occur is no candidate
    plain = by_source(extract_terms([doc(text)]))
    assert "curated" not in plain.get("独立自主", Candidate("", 0, 0, (), "", ())).signals


def test_candidates_are_sorted_and_limited() -> None:
    cands = extract_terms([doc(SPEECH)])
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert extract_terms([doc(SPEECH)], limit=3) == cands[:3]
    assert extract_terms([]) == []


def test_seed_document_ranks_marked_terms_high() -> None:
    cands = extract_terms([segment_file(SEED)])
    top = {c.source for c in cands[:40]}
    for term in ("一带一路", "全球南方", "三会一课", "全球人工智能治理倡议", "南海各方行为宣言"):
        assert term in top, term
    for c in cands:
        assert c.frequency >= 1 and c.documents == (SEED.name,) and c.source in c.example


_CHILD = """
import json, sys
sys.path.insert(0, {src!r})
from tm_builder.segment import segment_file
from tm_builder.terms import extract_terms
cands = extract_terms([segment_file({seed!r})], curated=["全球南方", "一带一路", "人类命运共同体"])
print(json.dumps([[c.source, c.score, c.signals, c.kind] for c in cands], ensure_ascii=False))
"""


def test_deterministic_across_processes_and_quiet() -> None:
    """Same input, same output in the same order, whatever the hash seed; jieba says nothing."""
    code = _CHILD.format(src=str(ROOT / "src"), seed=str(SEED))
    outputs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
        assert done.stderr == ""  # jieba's "Building prefix dict..." chatter is silenced
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 100


# --------------------------------------------------------------------------
# aligned renderings
# --------------------------------------------------------------------------

PARALLEL = [
    ("中方提出双轨并进思路。", "China put forward the dual-track approach."),
    ("双轨并进得到各方支持。", "The dual-track approach won wide support."),
    ("我们坚持双轨并进。", "We stick to the dual-track approach in the talks."),
    ("双方举行会谈。", "The two sides held talks."),
    ("会谈富有成果。", "The talks were fruitful."),
    ("中方支持联合国。", "China supports the United Nations."),
    ("联合国在维护和平中发挥作用。", "The United Nations plays a role in keeping peace."),
    ("他们举办了村BA比赛。", "They held the games last summer."),
]


def test_aligned_renderings_find_a_planted_pairing() -> None:
    got = aligned_renderings(["双轨并进", "联合国"], PARALLEL)
    assert isinstance(got["双轨并进"], Rendering)
    assert got["双轨并进"].target == "dual-track approach"
    assert got["双轨并进"].support == 3
    assert got["双轨并进"].example_target == "China put forward the dual-track approach."
    # two units, helped by CC-CEDICT (联合国 = United Nations)
    assert got["联合国"].target == "United Nations"
    assert got["联合国"].support == 2


def test_aligned_renderings_return_nothing_without_evidence() -> None:
    got = aligned_renderings(["村BA", "不存在的术语", ""], PARALLEL)
    assert got == {}
    assert aligned_renderings(["双轨并进"], []) == {}


def test_quoted_forms_with_a_head_noun_fold_into_their_core():
    from tm_builder.segment import segment_text
    from tm_builder.terms import extract_terms

    text = ("中方将继续推进“小而美”民生项目。各方积极落实“小而美”项目，“小而美”成为合作的新亮点。\n\n"
            "本届“金砖”峰会在喀山举行，“金砖”合作机制不断完善，“金砖”大家庭日益壮大。\n\n"
            "全县“两新”组织实现党的组织全覆盖，“两新”组织党员积极参与。\n")
    found = {c.source: c for c in extract_terms([segment_text(text, "t.txt", lang="zh")])}
    assert "“小而美”项目" not in found and "“小而美”项目" in found["小而美"].forms
    assert "“金砖”峰会" not in found and "“金砖”峰会" in found["金砖"].forms
    assert "“两新”组织" in found  # a head that makes a name of its own stays an entry


def test_party_prefixes_and_full_congress_names_fold_into_one_entry():
    text = ("党的十九大是一次重要会议。中共十九大作出了战略部署。十九大精神深入人心。\n\n"
            "中国共产党第十九次全国代表大会开幕。全面贯彻十九大部署，十九大以来成就显著。\n")
    found = {c.source: c for c in extract_terms([segment_text(text, "t.txt", lang="zh")])}
    assert "十九大" in found
    forms = set(found["十九大"].forms)
    assert "中国共产党第十九次全国代表大会" in forms and not forms & set(found)
    assert not {"党的十九大", "中共十九大"} & set(found)
    # the full name is not a substring of 十九大, so its occurrence is added to the count
    assert found["十九大"].frequency == text.count("十九大") + text.count("中国共产党第十九次全国代表大会")


def test_a_curated_term_is_found_through_quotes_and_its_quoted_form_folds_into_it():
    text = "共建“一带一路”倡议十年来成果丰硕。“一带一路”倡议得到广泛支持。\n"
    found = {c.source: c for c in extract_terms([segment_text(text, "t.txt", lang="zh")], curated=["一带一路倡议"])}
    assert "curated" in found["一带一路倡议"].signals and found["一带一路倡议"].frequency == 2
    assert "“一带一路”倡议" not in found and "“一带一路”倡议" in found["一带一路倡议"].forms


def test_a_curated_term_inside_a_longer_word_is_not_an_occurrence():
    text = "各级党组织要加强领导。外交部门和商务部门密切配合。党委书记带头落实。\n"
    found = {c.source for c in extract_terms([segment_text(text, "t.txt", lang="zh")], curated=["党组", "外交部", "党委"])}
    assert "党组" not in found and "外交部" not in found  # 党组|织, 外交部|门
    assert "党委" in found  # 党委书记 is 党委 + 书记: still the term


def test_a_short_word_quoted_once_is_not_offered_for_review():
    text = "这根“绣针”穿起了千家万户。“全过程人民民主”是全链条的民主，全过程人民民主不断发展。\n"
    found = {c.source: c for c in extract_terms([segment_text(text, "t.txt", lang="zh")])}
    from tm_builder.review import MIN_TERM_SCORE

    assert "绣针" not in found or found["绣针"].score < MIN_TERM_SCORE
    assert found["全过程人民民主"].score >= MIN_TERM_SCORE


def test_extraction_reports_progress_over_twice_the_segments():
    document = segment_file(SEED)
    steps: list[int] = []
    extract_terms([document], progress=steps.append)
    assert all(n >= 0 for n in steps) and sum(steps) == 2 * len(document.segments)
    assert len(steps) > len(document.segments)  # it moves during the scoring half too, not only at its end


def test_jieba_read_word_by_word_from_its_copy_cuts_and_tags_as_the_whole_dictionary(tmp_path, monkeypatch):
    import jieba

    from tm_builder import lexis as L

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    whole = L._whole_jieba(jieba.Tokenizer())
    words = L._Dictionary.open(jieba.Tokenizer())  # no copy yet: built, then opened
    copies = list((tmp_path / "tm-builder").glob("jieba*-dictionary-*.sqlite3"))
    assert words is not None and len(copies) == 1
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = words.freq, words.total, True
    tags, freq = L._Looked(words, words.tags), L._Looked(words, words.freq, counted=True)
    texts = SEED.read_text(encoding="utf-8").splitlines()[:120] + [
        "党组织外交部门", "A股B超T恤和X光", "小院高墙、双轨并进", "abc 123 %", "", "龘龘",
    ]
    for text in texts:
        words.cover(text)
        cut = tokenizer.lcut(text, HMM=True)
        assert cut == whole.cut(text)
        for w in {*cut, text[:2], text[1:4], "党组", "外交部门", "不是词语的串"}:
            assert (tags.get(w), freq.get(w, 0), w in freq) == (whole.tags.get(w), whole.freq.get(w, 0), w in whole.freq)
    assert len(words.freq) < len(whole.freq) / 5  # only what these texts needed was read
    # A damaged copy is built again.
    copies[0].write_bytes(b"not a database")
    again = L._Dictionary.open(jieba.Tokenizer())
    assert again is not None and again.total == whole.total

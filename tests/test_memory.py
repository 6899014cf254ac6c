"""The project memory: what it keeps, what it imports from CAT tools, how it fills the next article."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from rapidfuzz import fuzz

from tm_builder.errors import InputError
from tm_builder.formats import read_units, write_units
from tm_builder.glossary import Glossary, Status, Term
from tm_builder.memory import Matcher, Memory, export_memory, fuzzy_key, import_files, leverage
from tm_builder.memory.store import NewUnit
from tm_builder.units import Origin, TranslationUnit

from .conftest import DATA
from .inprocess import tm_builder

MEMORY = DATA / "memory"


def _new(source: str, target: str, confirmed: bool = True, origin: str = "human", **kw) -> NewUnit:
    return NewUnit(source, target, origin, confirmed, **kw)


def test_same_pair_is_kept_once_different_translations_both_and_confirmed_supersedes(tmp_path):
    with Memory(tmp_path / "m.sqlite3") as m:
        first = m.add([_new("中方支持。", "China supports it.", confirmed=False, origin="mt"),
                       _new("中方支持。", "China supports it.", confirmed=False, origin="mt")])
        assert (first.added, first.duplicates) == (1, 1)
        second = m.add([_new("中方支持。", "China is in favour.", confirmed=True)])
        assert second.added == 1
        current = list(m.units())
        assert [(u.target, u.status) for u in current] == [("China is in favour.", "confirmed")]
        history = [u for u in m.units(history=True) if u.superseded_by is not None]
        assert [u.target for u in history] == ["China supports it."]  # kept, marked by what replaced it
        # an unconfirmed translation arriving after a confirmed one goes straight to history
        m.add([_new("中方支持。", "China backs it.", confirmed=False, origin="mt")])
        assert [u.target for u in m.units()] == ["China is in favour."]
        # a confirmed second opinion is kept beside the first
        m.add([_new("中方支持。", "China gives its support.", confirmed=True)])
        assert sorted(u.target for u in m.units()) == ["China gives its support.", "China is in favour."]
        # the same pair confirmed later is an update, not a new unit
        again = m.add([_new("中方支持。", "China backs it.", confirmed=True)])
        assert (again.added, again.updated) == (0, 1)
        assert m.stats()["history"] == 1 and m.stats()["units"] == 3


def test_our_memories_import_with_their_status(tmp_path):
    units = [
        TranslationUnit("中方支持全球南方国家。", "China supports the countries of the Global South.", Origin.ALIGNED, score=0.9, document="a", index=1),
        TranslationUnit("我们坚持多边主义。", "We uphold multilateralism.", Origin.MT, score=-0.3, document="a", index=2),
        TranslationUnit("对此表示欢迎。", "We welcome this.", Origin.ALIGNED, score=0.1, document="a", index=3),
    ]
    write_units(units, tmp_path / "a.po")
    # a reviewer confirms the draft in the PO: removes its fuzzy flag
    po = (tmp_path / "a.po").read_text(encoding="utf-8")
    head, sep, entry = po.partition('msgid "我们坚持多边主义。"')
    (tmp_path / "a.po").write_text(head.rsplit("#, fuzzy\n", 1)[0] + head.rsplit("#, fuzzy\n", 1)[1] + sep + entry,
                                   encoding="utf-8")
    with Memory(tmp_path / "m.sqlite3") as m:
        (report,) = import_files(m, [tmp_path / "a.po"])
        assert report.counts.added == 3 and report.error is None
        got = {u.source: (u.origin, u.status) for u in m.units()}
    assert got == {
        "中方支持全球南方国家。": ("aligned", "confirmed"),
        "我们坚持多边主义。": ("human", "confirmed"),       # a person confirmed the draft
        "对此表示欢迎。": ("aligned", "unconfirmed"),      # a weak alignment stays fuzzy
    }


@pytest.mark.parametrize("fixture", ["trados.tmx", "memoq.tmx"])
def test_cat_tool_tmx_with_inline_codes_round_trips_its_text(tmp_path, fixture):
    """Every character of text survives import and export; the native codes inside bpt/ept/ph/it do not leak in."""
    expected = {
        "trados.tmx": [
            ("中方坚定支持全球南方国家团结合作。", "China firmly supports solidarity and cooperation among Global South countries."),
            ("点击图标查看全文。", "Click the icon  to read the full text."),
            ("双轨并进思路得到广泛认同。", "The dual-track approach is widely recognised."),
            ("我们反对小院高墙做法。", "We oppose the small yard, high fence approach."),
        ],
        "memoq.tmx": [
            ("我们一贯主张通过对话协商解决分歧。", "We have always advocated resolving differences through dialogue and consultation."),
            ("会议将于在北京举行。", "The meeting will be held in Beijing on ."),
        ],
    }[fixture]
    with Memory(tmp_path / "m.sqlite3") as m:
        (report,) = import_files(m, [MEMORY / fixture])
        assert report.counts.added == len(expected) and report.error is None
        stored = list(m.units())
        export_memory(m, tmp_path / "out.tmx")
        export_memory(m, tmp_path / "out.po")
    assert [(u.source, u.target) for u in stored] == expected
    po, _ = read_units(tmp_path / "out.po")
    assert [(u.source, u.target) for u in po] == expected
    tmx = read_units(tmp_path / "out.tmx")[0]
    fuzzy = read_units(tmp_path / "out.fuzzy.tmx")[0] if (tmp_path / "out.fuzzy.tmx").exists() else []
    assert sorted((u.source, u.target) for u in tmx + fuzzy) == sorted(expected)
    if fixture == "trados.tmx":
        assert [u.status for u in stored] == ["confirmed", "confirmed", "unconfirmed", "confirmed"]  # Draft is not signed off
        assert [u.source for u in fuzzy] == ["双轨并进思路得到广泛认同。"]  # the unconfirmed unit is kept out of the main TMX
        assert stored[0].creator == "REVIEWER02" and stored[0].changed == "2024-01-16T09:30:00Z"
    else:
        assert stored[0].prev == "外交部发言人答记者问。" and stored[0].next == "中方愿同各方一道努力。"
        assert stored[0].creator == "wang.fang"


def test_exact_in_context_fuzzy_and_repaired_matches(tmp_path):
    glossary = Glossary.of([Term("全球南方", "Global South", status=Status.APPROVED),
                            Term("一带一路", "Belt and Road", status=Status.APPROVED)])
    with Memory(tmp_path / "m.sqlite3") as m:
        m.add([
            _new("外交部发言人答记者问。", "The spokesperson answered questions.", document="old", position=1,
                 next="中方支持全球南方国家加强团结。"),
            _new("中方支持全球南方国家加强团结。", "China supports greater solidarity among Global South countries.",
                 document="old", position=2, prev="外交部发言人答记者问。"),
            _new("2023年经济增长5.2%。", "The economy grew by 5.2% in 2023."),
            _new("中方愿同一带一路沿线国家深化务实合作。", "China is ready to deepen practical cooperation with Belt and Road countries."),
            _new("我们坚持多边主义，反对单边主义。", "We uphold multilateralism and oppose unilateralism.", confirmed=False, origin="mt"),
            _new("中国经济长期向好的基本面没有改变。", "The fundamentals of China's economy remain sound."),
        ])
        new = [TranslationUnit(s, document="new", index=i + 1) for i, s in enumerate([
            "外交部发言人答记者问。",                  # in context: the same neighbours (none before, the same after)
            "中方支持全球南方国家加强团结。",          # exact: the same before, another sentence after
            "2024年经济增长5.0%。",                    # numbers differ: repaired
            "中方愿同全球南方沿线国家深化务实合作。",  # an approved term differs: repaired
            "我们坚持多边主义，反对单边主义。",        # exact but unconfirmed: shown, not filled
            "中国经济长期向好的基本面不会改变。",      # fuzzy: shown
            "完全不同的一句话在这里。",                # nothing
        ])]
        done = leverage(new, Matcher(m), glossary)
    by = {u.source: u for u in done}
    assert by["外交部发言人答记者问。"].origin is Origin.TM and by["外交部发言人答记者问。"].score == 1.01
    assert "in-context match (101%)" in by["外交部发言人答记者问。"].notes[-1]
    assert by["中方支持全球南方国家加强团结。"].origin is Origin.TM and by["中方支持全球南方国家加强团结。"].score == 1.0
    repaired = by["2024年经济增长5.0%。"]
    assert repaired.target == "The economy grew by 5.0% in 2024." and repaired.origin is Origin.TM and repaired.score < 1
    assert "repaired" in repaired.notes[-1]
    swapped = by["中方愿同全球南方沿线国家深化务实合作。"]
    assert swapped.target == "China is ready to deepen practical cooperation with Global South countries."
    for shown in ("我们坚持多边主义，反对单边主义。", "中国经济长期向好的基本面不会改变。"):
        assert by[shown].target == "" and by[shown].notes[-1].startswith("memory: ")
    assert by["完全不同的一句话在这里。"].notes == ()


def test_fuzzy_candidates_from_the_index_find_what_a_full_scan_finds(tmp_path):
    """The index is a shortcut, not a different answer: on a few hundred real sentences, the same best scores."""
    zh = (DATA.parent.parent.parent / "shared" / "data" / "zh-en" / "wmt18.zh").read_text(encoding="utf-8").splitlines()[:600]
    with Memory(tmp_path / "m.sqlite3") as m:
        m.add(_new(s, f"t{i}") for i, s in enumerate(zh[:500]))
        matcher = Matcher(m, 60)
        keys = [fuzzy_key(s) for s in zh[:500]]
        agree = 0
        queries = [s[:-3] + "变化了" for s in zh[:100]] + zh[500:600]
        for q in queries:
            got = matcher.best(q)
            brute = max(fuzz.ratio(fuzzy_key(q), k) for k in keys)
            want = min(int(brute), 99) if brute >= 60 else None
            agree += (got.score if got else None) == want
    assert agree >= 0.97 * len(queries), agree


def test_cli_import_stats_search_export(tmp_path):
    memory = tmp_path / "m.sqlite3"
    done = tm_builder("memory", "import", MEMORY / "trados.tmx", MEMORY / "memoq.tmx", "--memory", memory)
    assert done.returncode == 0, done.stderr
    assert "trados.tmx: 4 added, 0 updated, 0 duplicates skipped" in done.stdout
    again = tm_builder("memory", "import", MEMORY / "trados.tmx", "--memory", memory)
    assert "0 added, 0 updated, 4 duplicates skipped" in again.stdout
    stats = json.loads(tm_builder("memory", "stats", "--json", "--memory", memory).stdout)
    assert stats["units"] == 6 and stats["confirmed"] == 5 and stats["files"] == 2
    found = tm_builder("memory", "search", "全球南方", "--memory", memory)
    assert found.returncode == 0 and found.stdout.count("\n") == 1 and "Global South" in found.stdout
    rows = [json.loads(line) for line in tm_builder("memory", "search", "approach", "--json", "--memory", memory).stdout.splitlines()]
    assert sorted(r["source"] for r in rows) == ["双轨并进思路得到广泛认同。", "我们反对小院高墙做法。"]
    out = tmp_path / "confirmed.tmx"
    assert tm_builder("memory", "export", "-o", out, "--confirmed-only", "--memory", memory).returncode == 0
    units, _ = read_units(out)
    assert len(units) == 5 and "双轨并进思路得到广泛认同。" not in {u.source for u in units}
    xmllint = subprocess.run(["xmllint", "--noout", "--dtdvalid", str(DATA.parent.parent.parent / "shared" / "reference" / "tmx14.dtd"),
                              str(out)], capture_output=True, text=True)
    assert xmllint.returncode == 0, xmllint.stderr
    po = tmp_path / "all.po"
    assert tm_builder("memory", "export", "-o", po, "--memory", memory).returncode == 0
    msgfmt = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert msgfmt.returncode == 0, msgfmt.stderr
    assert po.read_text(encoding="utf-8").count("#, fuzzy") == 1  # the Draft


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100, None])
def test_foreign_or_damaged_memory_files_are_one_line_errors(tmp_path, content):
    path = tmp_path / "m.sqlite3"
    if content is None:  # another program's database
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE customers (name TEXT)")
        db.commit()
        db.close()
    else:
        path.write_bytes(content)
    done = tm_builder("memory", "import", MEMORY / "trados.tmx", "--memory", path)
    if content == b"":
        assert done.returncode == 0  # an empty file is a new memory
        return
    assert done.returncode != 0 and done.stderr.startswith("tm-builder: error:") and len(done.stderr.splitlines()) == 1, done.stderr
    assert "not a usable tm-builder memory" in done.stderr
    if content is None:  # and the other program's file is left as it was
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["customers"]


def test_bad_import_inputs(tmp_path):
    memory = tmp_path / "m.sqlite3"
    assert "no such file" in tm_builder("memory", "import", tmp_path / "missing.tmx", "--memory", memory).stderr
    (tmp_path / "project").mkdir()
    done = tm_builder("memory", "import", tmp_path / "project", "--memory", memory)
    assert done.returncode != 0 and "not an OmegaT project" in done.stderr
    broken = tmp_path / "broken.tmx"
    broken.write_text((MEMORY / "trados.tmx").read_text(encoding="utf-8").split("<tu creationdate=\"20240115T081700Z\"")[0],
                      encoding="utf-8")
    done = tm_builder("memory", "import", broken, "--memory", memory)
    assert done.returncode != 0 and "2 added" in done.stdout and "not well-formed" in done.stdout
    assert "could not be read to the end" in done.stderr
    assert tm_builder("memory", "stats", "--memory", tmp_path / "none.sqlite3").returncode != 0
    assert not (tmp_path / "none.sqlite3").exists()  # asking about a memory does not create one


def test_entity_tricks_in_a_tmx_are_refused(tmp_path):
    bomb = tmp_path / "bomb.tmx"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
                    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
                    '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
                    '<tmx version="1.4"><header srclang="zh-CN"/><body><tu><tuv xml:lang="zh-CN"><seg>&h;</seg></tuv>'
                    '<tuv xml:lang="en"><seg>x</seg></tuv></tu></body></tmx>', encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    external = tmp_path / "external.tmx"
    external.write_text(f'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file://{secret}">]>'
                        '<tmx version="1.4"><header srclang="zh-CN"/><body><tu><tuv xml:lang="zh-CN"><seg>中文&x;</seg></tuv>'
                        '<tuv xml:lang="en"><seg>x</seg></tuv></tu></body></tmx>', encoding="utf-8")
    memory = tmp_path / "m.sqlite3"
    for path in (bomb, external):
        done = tm_builder("memory", "import", path, "--memory", memory)
        assert done.returncode != 0 and "could not be read" in done.stderr, (path, done.stdout, done.stderr)
    with Memory(memory) as m:
        assert not any("SECRET" in u.source for u in m.units()) and m.stats()["units"] == 0


_IMPORTER = """
import sys
from tm_builder.memory import Memory
from tm_builder.memory.store import NewUnit
with Memory(sys.argv[1]) as m:
    m.add(NewUnit(f"句子{sys.argv[2]}-{i}。", f"Sentence {i}.", "human", True) for i in range(int(sys.argv[3])))
"""


def test_two_processes_importing_at_once_lose_nothing(tmp_path):
    memory = tmp_path / "m.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", _IMPORTER, str(memory), tag, "12000"]) for tag in ("a", "b")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with Memory(memory) as m:
        assert m.stats()["units"] == 24000
        assert Matcher(m).best("句子b-11999。").score == 100


def test_an_import_killed_midway_leaves_whole_batches_and_a_rerun_completes_it(tmp_path):
    import signal
    import time

    memory = tmp_path / "m.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", _IMPORTER, str(memory), "k", "400000"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some batches are in
        time.sleep(0.5)
        if memory.exists():
            try:
                with sqlite3.connect(memory, timeout=5) as db:
                    if db.execute("SELECT count(*) FROM units").fetchone()[0] >= 40000:
                        break
            except sqlite3.OperationalError:
                continue
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    with Memory(memory) as m:
        stats = m.stats()
        assert 0 < stats["units"] < 400000 and stats["units"] % 20000 == 0  # whole batches only
        index = m._rows("SELECT count(*) FROM grams WHERE grams MATCH '\"句子k\"'")[0][0]
        assert index == stats["units"]  # the index agrees with the table
    subprocess.run([sys.executable, "-c", _IMPORTER, str(memory), "k", "400000"], check=True, timeout=600)
    with Memory(memory) as m:
        assert m.stats()["units"] == 400000


def test_missing_memory_for_export_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such memory"):
        Memory(tmp_path / "absent.sqlite3", create=False)


def test_import_progress_counts_the_units_of_a_tmx_before_parsing_it(tmp_path):
    from contextlib import contextmanager

    totals, steps = [], []

    @contextmanager
    def progress(total):
        totals.append(total)
        yield steps.append

    with Memory(tmp_path / "m.sqlite3") as m:
        import_files(m, [MEMORY / "trados.tmx", MEMORY / "memoq.tmx"], progress=progress)
    assert totals == [6] and sum(steps) == 6


def test_align_and_translate_store_aligned_pairs_and_translate_reuses_them(tmp_path):
    align = DATA / "align"
    memory = tmp_path / "m.sqlite3"
    done = tm_builder("align", align / "seed_zh.txt", align / "seed_en.txt", "-o", tmp_path / "a", "--memory", memory)
    assert done.returncode == 0, done.stderr
    pairs = [u for u in read_units(tmp_path / "a" / "seed_zh.po")[0] if u.origin is Origin.ALIGNED]
    stored = int(done.stdout.split("memory: ")[1].split()[0])
    assert stored == len({u.source for u in pairs})
    # the same document again, through $TM_BUILDER_MEMORY: every aligned sentence comes from the memory
    done = tm_builder("translate", align / "seed_zh.txt", "-o", tmp_path / "t", "--engine", "none", "--no-terms",
                      env={"TM_BUILDER_MEMORY": str(memory)})
    assert done.returncode == 0, done.stderr
    units, _ = read_units(tmp_path / "t" / "seed_zh.po")
    by_source = {u.source: u.target for u in pairs}
    filled = [u for u in units if u.origin is Origin.TM]
    assert {u.source for u in filled} == set(by_source) and all(u.target == by_source[u.source] for u in filled)
    assert sum(u.score == 1.01 for u in filled) >= len(filled) - 3  # same document, same neighbours: in context
    assert "memory: " in done.stdout and " in-context and " in done.stdout
    # without --memory or the variable, no memory is used
    plain = tm_builder("translate", align / "seed_zh.txt", "-o", tmp_path / "p", "--engine", "none", "--no-terms",
                       env={"TM_BUILDER_MEMORY": None})
    assert "memory:" not in plain.stdout
    bad = tm_builder("translate", align / "seed_zh.txt", "-o", tmp_path / "b", "--engine", "none", "--memory", memory,
                     "--fuzzy-threshold", "0")
    assert bad.returncode != 0 and "fuzzy threshold" in bad.stderr and not (tmp_path / "b").exists()


def test_machine_drafts_are_exported_beside_a_tmx_never_in_it(tmp_path):
    units = [TranslationUnit("中方支持全球南方国家。", "China supports the Global South.", Origin.HUMAN, document="a", index=1),
             TranslationUnit("我们坚持多边主义。", "We uphold multilateralism.", Origin.MT, score=-0.3, model="opus", document="a", index=2)]
    write_units(units, tmp_path / "a.po")
    memory = tmp_path / "m.sqlite3"
    assert tm_builder("memory", "import", tmp_path / "a.po", "--memory", memory).returncode == 0
    done = tm_builder("memory", "export", "-o", tmp_path / "out.tmx", "--memory", memory)
    assert done.returncode == 0 and "1 units to" in done.stdout, done.stdout
    human, _ = read_units(tmp_path / "out.tmx")
    drafts, _ = read_units(tmp_path / "out.mt.tmx")
    assert [u.origin for u in human] == [Origin.HUMAN] and [(u.origin, u.target) for u in drafts] == [(Origin.MT, "We uphold multilateralism.")]
    assert 'creationid="MT!"' in (tmp_path / "out.mt.tmx").read_text(encoding="utf-8")


@pytest.mark.parametrize("new, old, target, want", [
    ("2024年经济增长5.0%。", "2023年经济增长5.2%。", "The economy grew by 5.2% in 2023.", "The economy grew by 5.0% in 2024."),
    ("进口增长1,200亿元。", "进口增长1,000亿元。", "Imports grew by 1,000 billion yuan.", "Imports grew by 1,200 billion yuan."),
    ("价格为2和3元。", "价格为1和2元。", "Prices are 1 and two yuan.", None),        # 2 is written as a word: not repaired
    ("价格为2和3元。", "价格为1和2元。", "Prices are 1 and 2 yuan.", "Prices are 2 and 3 yuan."),  # one pass, not 1->2->3
    ("第3和4条。", "第3和3条。", "Articles 3 and three.", None),              # which 3 changed is unknowable
    ("会议于2月3日举行。", "会议于3月3日举行。", "It was held on March 3.", None),  # the day shares the month's digits
    ("第2次会晤。", "第3次会晤。", "Their 3rd meeting.", None),                 # an ordinal is not the digits alone
])
def test_number_repairs_change_only_what_is_certain(new, old, target, want):
    from tm_builder.memory.match import number_repair
    from tm_builder.memory.store import StoredUnit

    got = number_repair(new, StoredUnit(1, old, target, "human", "confirmed"))
    assert (got[0] if got else None) == want


def test_term_repairs_are_one_pass_and_need_the_rendering_once():
    from tm_builder.memory.match import term_repair
    from tm_builder.memory.store import StoredUnit

    glossary = Glossary.of([Term(s, t, status=Status.APPROVED) for s, t in (("美国", "the US"), ("中国", "China"), ("日本", "Japan"))])
    swapped = term_repair("美国和日本合作。", StoredUnit(1, "中国和美国合作。", "China works with the US.", "human", "confirmed"), glossary)
    assert swapped is not None and swapped[0] == "the US works with Japan."
    assert term_repair("日本和日本合作。", StoredUnit(1, "中国和中国合作。", "China works with China.", "human", "confirmed"), glossary) is None


def test_equal_fuzzy_scores_prefer_a_confirmed_unit_and_latin_letters_match_in_any_case(tmp_path):
    with Memory(tmp_path / "m.sqlite3") as m:
        m.add([_new("今年经济社会发展的预期目标", "draft", confirmed=False, origin="mt"),
               _new("今年经济社会发展的预期指标", "confirmed", confirmed=True),
               _new("APEC CEO峰会", "the APEC CEO Summit")])
        best = Matcher(m).best("今年经济社会发展的预期水平")
        assert best is not None and best.unit.target == "confirmed"
        apec = Matcher(m).best("APEC CEO峰会开幕")
        assert apec is not None and apec.unit.target == "the APEC CEO Summit"


def test_whitespace_alone_does_not_make_a_new_unit(tmp_path):
    with Memory(tmp_path / "m.sqlite3") as m:
        counts = m.add([_new("中方支持。", "China supports it."), _new("中方支持。 ", "China  supports it. ")])
        assert (counts.added, counts.duplicates) == (1, 1)


def test_our_drafts_saved_untouched_by_omegat_stay_machine_drafts(tmp_path):
    """OmegaT inserts a draft from tm/auto and saves it with our creationid; until someone edits it, it is a draft."""
    save = tmp_path / "project" / "omegat" / "project_save.tmx"
    save.parent.mkdir(parents=True)
    save.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.1"><header creationtool="OmegaT" o-tmf="OmegaT TMX" '
        'adminlang="EN-US" datatype="plaintext" creationtoolversion="3.6.0" segtype="sentence" srclang="zh-CN"/><body>'
        '<tu><tuv lang="zh-CN"><seg>我们坚持多边主义。</seg></tuv><tuv lang="en" creationid="MT!" creationdate="20261202T100000Z">'
        '<seg>We uphold multilateralism.</seg></tuv></tu>'
        '<tu><tuv lang="zh-CN"><seg>中方支持。</seg></tuv><tuv lang="en" creationid="MT!" changeid="li.hua" '
        'changedate="20261202T110000Z"><seg>China supports it.</seg></tuv></tu></body></tmx>', encoding="utf-8")
    with Memory(tmp_path / "m.sqlite3") as m:
        import_files(m, [tmp_path / "project"])
        got = {u.source: (u.origin, u.status, u.creator) for u in m.units()}
    assert got == {"我们坚持多边主义。": ("mt", "unconfirmed", "MT!"), "中方支持。": ("human", "confirmed", "li.hua")}


def test_another_tools_elements_in_the_body_do_not_pile_up(tmp_path):
    import tracemalloc

    from tm_builder.formats import stream_units

    body = "".join(f'<tu><tuv xml:lang="zh-CN"><seg>句子{i}</seg></tuv><tuv xml:lang="en"><seg>Sentence {i}</seg></tuv></tu>'
                   for i in range(4000))
    path = tmp_path / "odd.tmx"
    path.write_text(f'<?xml version="1.0"?><tmx version="1.4"><header srclang="zh-CN"/><body><x-foo/>{body}</body></tmx>',
                    encoding="utf-8")
    tracemalloc.start()
    try:
        count = sum(1 for _ in stream_units(path)[1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4000 and peak < 1_000_000, peak


def test_translate_keeps_repaired_matches_out_of_the_main_tmx(tmp_path):
    memory = tmp_path / "m.sqlite3"
    with Memory(memory) as m:
        m.add([_new("2023年经济增长5.2%。", "The economy grew by 5.2% in 2023.")])
    (tmp_path / "doc.txt").write_text("2024年经济增长5.0%。\n", encoding="utf-8")
    done = tm_builder("translate", tmp_path / "doc.txt", "-o", tmp_path / "out", "--engine", "none", "--no-terms", "--memory", memory)
    assert done.returncode == 0, done.stderr
    main, _ = read_units(tmp_path / "out" / "doc.tmx")
    fuzzy, _ = read_units(tmp_path / "out" / "doc.fuzzy.tmx")
    assert [u.target for u in fuzzy] == ["The economy grew by 5.0% in 2024."] and not any(u.target for u in main)
    po, _ = read_units(tmp_path / "out" / "doc.po")
    assert po[0].origin is Origin.TM and po[0].score < 1
    assert "#, fuzzy" in (tmp_path / "out" / "doc.po").read_text(encoding="utf-8")


def test_a_failed_import_makes_no_memory_and_an_unreadable_file_is_named(tmp_path):
    memory = tmp_path / "m.sqlite3"
    done = tm_builder("memory", "import", tmp_path / "nope.tmx", "--memory", memory)
    assert done.returncode != 0 and "no such file" in done.stderr and not memory.exists()
    assert "is a directory" in tm_builder("memory", "stats", "--memory", tmp_path).stderr


def test_stats_search_and_export_only_read_the_memory(tmp_path):
    """They open it read-only: a memory on a read-only disk, or a shared copy, serves them, and is never changed."""
    memory = tmp_path / "ro" / "m.sqlite3"
    memory.parent.mkdir()
    assert tm_builder("memory", "import", MEMORY / "trados.tmx", "--memory", memory).returncode == 0
    with sqlite3.connect(memory) as db:
        db.execute("PRAGMA journal_mode=DELETE")  # as a copy handed round would be
    before = sorted((p.name, p.stat().st_mtime_ns) for p in memory.parent.iterdir())
    assert tm_builder("memory", "stats", "--memory", memory).returncode == 0
    assert "Global South" in tm_builder("memory", "search", "全球", "--memory", memory).stdout
    assert tm_builder("memory", "export", "-o", tmp_path / "out.po", "--memory", memory).returncode == 0
    assert sorted((p.name, p.stat().st_mtime_ns) for p in memory.parent.iterdir()) == before  # no -wal, no write

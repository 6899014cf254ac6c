"""English segmentation: abbreviations, initials, decimals, quotes, speaker labels.

The splitter was chosen by measurement (bench/en_sentence_split.py): on
WMT17/18 and FLORES English it matches the best libraries (clean-subset F1
0.90) and on hard cases of official English it beats them.
"""

from __future__ import annotations

import pytest

from tm_builder import segment_text, split_sentences
from tm_builder.units import SegmentKind


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, "en")]


CASES = [
    ["Mr. Wang met Dr. Smith in Beijing.", "They discussed trade."],
    ["U.S. President Joe Biden said the talks were useful.", "No agreement was reached."],
    ["Students of No. 5 Middle School attended.", "The event lasted two hours."],
    ["The U.N. Security Council met on Friday.", "It adopted a resolution."],
    ["J. R. R. Tolkien wrote the book.", "It sold well."],
    ["The economy grew 5.2 percent last year.", "Exports rose to 3.5 trillion yuan."],
    ['He said, "We will win."', "Then he left."],
    ['"Is this fair?" she asked.', "Nobody answered."],
    ["The meeting starts at 10 a.m. Beijing time on Monday.", "Journalists must register."],
    ["Countries such as China, India, Brazil, etc. have joined.", "More will follow."],
    ["Trade talks resumed between China and the U.K.", "Both sides welcomed the move."],
    ["The law took effect on Sept. 1.", "Enforcement begins next year."],
    ["The plan has three priorities.", "1. Expand trade.", "2. Deepen investment.", "3. Promote exchanges."],
    ["Sen. Elizabeth Warren and Rep. Nancy Pelosi attended.", "Both criticized the proposal."],
    ["Prices fell (by 2.1 percent.)", "Analysts were surprised."],
    ["He waited…", "Nothing happened."],
    ["What next?", "Nobody knows!", "We shall see."],
    ["BEIJING, Jan. 5 (Xinhua) -- Xi Jinping met Anthony Albanese on Monday.", "The two sides exchanged views."],
    ["The answer is no.", "We will not."],
    ["They sat in the sun.", "The sky was clear."],
    ["See Art. 3 of the Charter.", "It is clear."],
]


@pytest.mark.parametrize("expected", CASES, ids=lambda c: c[0][:30])
def test_sentence_split(expected):
    text = " ".join(expected)
    assert sentences(text) == expected


def test_offsets_survive_irregular_spacing():
    text = "She holds a Ph.D. from Peking University.  Martin Luther King Jr. inspired her.\tShe said so."
    assert sentences(text) == ["She holds a Ph.D. from Peking University.", "Martin Luther King Jr. inspired her.", "She said so."]


@pytest.mark.parametrize(
    "text, label",
    [
        ("Wang Yi: Artificial intelligence has entered a critical stage.", "Wang Yi:"),
        ("Phoenix TV reporter: What is China's position?", "Phoenix TV reporter:"),
        ("Q: What is China's position?", "Q:"),
        ("**Wang Yi:** The answer is clear.", "Wang Yi:"),
    ],
)
def test_speaker_labels(text, label):
    first = segment_text(text, lang="en").segments[0]
    assert (first.kind, first.text) == (SegmentKind.SPEAKER, label)


@pytest.mark.parametrize(
    "text",
    ["Note: the figures are provisional.", "At 10:30 the meeting began.", "The reason is simple: trade matters.",
     "In 2023: growth was strong."],
)
def test_not_speaker_labels(text):
    assert segment_text(text, lang="en").segments[0].kind is SegmentKind.SENTENCE


def test_english_layout_repair_is_conservative():
    doc = segment_text(
        "Civil rights group issues travel warning\n\nThe NAACP has put out an alert for people\n\nof color traveling to Missouri.\n",
        lang="en",
    )
    assert [p.text for p in doc.paragraphs] == [
        "Civil rights group issues travel warning",  # a headline, not a broken sentence
        "The NAACP has put out an alert for people of color traveling to Missouri.",
    ]


def test_english_byline():
    doc = segment_text("The talks ended on Friday. (Xinhua)", lang="en")
    assert [(s.kind.value, s.text) for s in doc.segments] == [("sentence", "The talks ended on Friday."), ("byline", "(Xinhua)")]
    assert doc.paragraphs[0].segments[0].space_after == " "


def test_label_alone_on_its_line():
    doc = segment_text("Mao Ning:\nWe hope so.", lang="en")
    assert [(s.kind.value, s.text) for s in doc.segments] == [("speaker", "Mao Ning:"), ("sentence", "We hope so.")]



# Hard-wrapped English: blank lines between paragraphs, every line filled to a fixed width.

WRAP_PARAGRAPHS = [
    "## Rural Revival: How Zhejiang Turned Mining Villages Into Green Destinations",
    (
        "President Xi Jinping visited Yucun Village in Anji County in 2005, when the village had just closed its "
        "limestone quarries. Officials there recall that President Xi Jinping told them lucid waters and lush "
        "mountains are invaluable assets. Since then, Yucun has become a model for Chinese villages."
    ),
    (
        "**Village head:** We lost our old income, but tourism brought it back. Visitors from Shanghai and "
        "Hangzhou now fill our guesthouses every weekend, and young people who left for the cities are coming "
        "home to open cafes."
    ),
    "Reporter: How many households run guesthouses today?",
    "The county listed three priorities:",
    "1. Restore the rivers and hillsides damaged by mining.",
    "2. Build roads, water supply and broadband to every village.",
    "- Attract young entrepreneurs with rent-free workshops and training.",
    (
        "Wang Yi: Green development is not a slogan but a choice that Chinese villages make every day, and "
        "Yucun shows what that choice can deliver for ordinary families."
    ),
]


def _sentences(text: str) -> list[tuple[str, str]]:
    return [(s.kind.value, s.text) for s in segment_text(text, lang="en").segments]


@pytest.mark.parametrize("width", [50, 57, 60, 70, 80, 85])  # at 57 and 85: "President Xi / Jinping"
def test_hard_wrapped_text_segments_like_the_unwrapped_text(width):
    import textwrap

    plain = "\n\n".join(WRAP_PARAGRAPHS)
    wrapped = "\n\n".join(textwrap.fill(p, width=width) for p in WRAP_PARAGRAPHS)
    assert wrapped.count("\n") > plain.count("\n")
    assert _sentences(wrapped) == _sentences(plain)
    doc = segment_text(wrapped, lang="en")
    assert [p.text for p in doc.paragraphs] == [p.text for p in segment_text(plain, lang="en").paragraphs]


SURVEY = (
    "The survey covered 240 villages, and in 37 cases the conclusion was that the water is safe for children under 18. "
    "Tests have been repeated twice a year in every village since the new - and much stricter - standard took effect "
    "in the spring of the year before last, and the results are published online."
)


@pytest.mark.parametrize("width, line_start", [(58, "18. "), (42, "- st")])
def test_wrapped_line_that_starts_like_a_list_item_goes_on(width, line_start):
    import textwrap

    wrapped = textwrap.fill(SURVEY, width=width)
    assert "\n" + line_start in wrapped
    text = f"Water Survey\n\n{wrapped}\n\nA real list follows:\n\n1. Publish the results.\n2. Repeat the tests."
    assert [p.text for p in segment_text(text, lang="en").paragraphs] == [
        "Water Survey", SURVEY, "A real list follows:", "1. Publish the results.", "2. Repeat the tests.",
    ]


def test_one_paragraph_per_line_is_never_taken_for_hard_wrapped():
    # Lines that break before a capital are kept apart, as they always were, with blank lines or without.
    lines = [
        "The delegation met local officials in the morning and toured the new industrial park in the",
        "Afternoon sessions covered trade, investment and the protection of the environment in the region",
        "Both sides agreed to meet again next year in Beijing to review the progress of the projects so far",
        "Journalists from eleven countries attended the press conference held at the end of the second day",
    ]
    for separator in ("\n", "\n\n"):
        assert [p.text for p in segment_text(separator.join(lines), lang="en").paragraphs] == lines


@pytest.mark.parametrize("width", [60, 70, 80])
def test_test_pairs_english_wrapped_segments_like_the_original(width):
    import textwrap

    from .conftest import DATA

    text = (DATA / "align" / "seed_en.txt").read_text(encoding="utf-8")
    wrapped = "\n\n".join(textwrap.fill(p, width=width) for p in text.split("\n\n") if p.strip())
    assert _sentences(wrapped) == _sentences(text)

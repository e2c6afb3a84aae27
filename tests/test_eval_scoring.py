"""The scorer on hand-written answers, and the scorer's own number parser."""

from __future__ import annotations

import pytest

from rag.evaluation.gold import GoldNumber, GoldQuestion
from rag.evaluation.numbers import parse_quantities
from rag.evaluation.scoring import score_answer
from rag.types import Answer, Chunk, Citation, Passage

S0 = "seeds/000_d235e046a46ede60.txt"
S1 = "seeds/001_b935167cea57a828.txt"
S2 = "seeds/002_de7159287c5ef9b5.txt"
S3 = "seeds/003_9a86b9554cd20c7a.txt"
S4 = "seeds/004_5a9e4d1a9f009bb7.txt"

PROCUREMENT = "spend over 160 billion yuan (approximately US$22 billion) on AI procurement this year"
DOMESTIC = "invest CNY 40 billion (approximately USD 5.5 billion) in AI chips within China during 2025"
TWELVE = "The company plans to allocate over $12 billion toward AI infrastructure in 2025"
SEVEN = "is reportedly planning to invest $7 billion in Nvidia AI chips in 2025"
THIRTY = "ByteDance has significantly increased its AI infrastructure budget to nearly $30 billion"
TARIFF = "approved Nvidia H200 sales to China with a 25% tariff and 50% volume cap"


def gold(kind: str, question: str, numbers=(), sources=(), words=()) -> GoldQuestion:
    return GoldQuestion(
        id="t",
        kind=kind,
        question=question,
        gold_numbers=tuple(GoldNumber(v, u, s) for v, u, s in numbers),
        accepted_words=tuple(words),
        gold_sources=tuple(sources),
    )


def answer(text: str, quotes=(), *, abstained: bool = False, retrieved=(S0, S1, S2, S3, S4)) -> Answer:
    """`quotes` are (source, quote) pairs, cited as [1], [2], ... in order."""
    citations = [Citation(src, 0, len(q), 1, 1, q, id=i) for i, (src, q) in enumerate(quotes, start=1)]
    passages = [Passage(Chunk(src, "text", 0, 4, 1, 1, "title"), 1.0) for src in retrieved]
    timings = {"retrieve_ms": 20.0, "first_token_ms": 300.0, "total_ms": 1500.0}
    return Answer("q", text, abstained, citations, [], False, "stub", timings, passages)


FACT = gold("fact", "How many yuan is ByteDance spending on AI procurement this year?", [(1.6e11, "CNY", S0)], [S0])
DOMESTIC_FACT = gold(
    "fact", "How much will ByteDance spend on AI chips in China in 2025?", [(4e10, "CNY", S3)], [S1, S3]
)
CONFLICT = gold(
    "conflict",
    "How much is ByteDance spending on AI chips?",
    [(7e9, "USD", S2), (1.2e10, "USD", S1), (2.2e10, "USD", S0), (3e10, "USD", S4)],
    [S0, S1, S2, S3, S4],
)


def test_right_answer():
    score = score_answer(FACT, answer("It plans to spend over 160 billion yuan this year [1].", [(S0, PROCUREMENT)]))
    assert score.verdict == "correct" and score.crag == 1
    assert score.hallucinated == []
    assert score.citation_correct is True and score.citation_precision == 1.0 and score.citation_only_gold is True
    assert score.retrieval_hit is True
    assert score.total_s == 1.5 and score.first_token_s == 0.3


def test_same_number_in_another_form_is_right():
    score = score_answer(FACT, answer("About CNY 160bn, roughly $22B [1].", [(S0, PROCUREMENT)]))
    assert score.verdict == "correct" and score.crag == 1


def test_wrong_number():
    score = score_answer(FACT, answer("It plans to spend 120 billion yuan [1].", [(S0, PROCUREMENT)]))
    assert score.verdict == "wrong" and score.crag == -1
    assert score.hallucinated == ["120 billion yuan"]


def test_right_number_wrong_unit():
    score = score_answer(DOMESTIC_FACT, answer("It will spend $40 billion on chips in China [1].", [(S3, DOMESTIC)]))
    assert score.verdict == "wrong"
    assert score.hallucinated == ["$40 billion"]
    assert score.crag == -1


def test_right_number_uncited():
    score = score_answer(FACT, answer("It plans to spend 160 billion yuan.", []))
    assert score.verdict == "correct"
    assert score.citation_correct is False
    assert score.hallucinated == ["160 billion yuan"] and score.crag == -1
    assert score.citation_precision is None


def test_right_number_cited_to_the_wrong_file():
    score = score_answer(FACT, answer("It plans to spend 160 billion yuan [1].", [(S3, DOMESTIC)]))
    assert score.citation_correct is False
    assert score.citation_precision == 0.0
    assert score.crag == -1


def test_hallucinated_number_next_to_a_right_one():
    text = "It plans 160 billion yuan [1], a 45% jump on last year [1]."
    score = score_answer(FACT, answer(text, [(S0, PROCUREMENT)]))
    assert score.verdict == "correct"
    assert score.hallucinated == ["45%"]
    assert score.crag == -1
    assert score.citation_precision == 0.5


def test_derived_number_is_not_hallucinated():
    question = gold(
        "derived",
        "How much more is the 2025 AI infrastructure budget than the 2025 Nvidia chip budget?",
        [(5e9, "USD", "")],
        [S1, S2],
    )
    text = "The $12 billion plan [1] exceeds the $7 billion for Nvidia chips [2] by $5 billion [1][2]."
    score = score_answer(question, answer(text, [(S1, TWELVE), (S2, SEVEN)]))
    assert score.verdict == "correct" and score.crag == 1 and score.hallucinated == []
    assert score.citation_precision == 1.0


def test_a_ratio_on_a_spelled_count_is_not_hallucinated_but_one_on_a_spelled_two_is():
    question = gold("derived", "How many times more dependencies does the app have than the library?", [(150 / 7, "x", "")], [S1])
    quotes = [(S1, "The app has 150 software dependencies."), (S2, "The library has only seven dependencies.")]
    score = score_answer(question, answer("Computed from the cited figures: 150 / 7 = 21.4x [1][2].", quotes))
    assert score.hallucinated == [] and score.verdict == "correct"
    halved = [(S1, "The app has 150 software dependencies."), (S2, "It rests on two pillars.")]
    assert score_answer(question, answer("That is 75 per pillar [1][2].", halved)).hallucinated == ["75"]


def test_correct_abstention():
    question = gold("unanswerable", "How much did ByteDance spend on AI chips in 2023?")
    score = score_answer(question, answer("The documents do not give a figure for 2023.", abstained=True))
    assert score.verdict == "correct" and score.crag == 1
    assert score.citation_correct is None and score.retrieval_hit is None


def test_abstention_that_still_offers_numbers_is_partial():
    question = gold("unanswerable", "How much did ByteDance spend on AI chips in 2023?")
    text = "No 2023 figure is given; for 2025 it plans $12 billion [1]."
    score = score_answer(question, answer(text, [(S1, TWELVE)], abstained=True))
    assert score.verdict == "partial" and score.crag == 0


def test_the_years_an_abstention_names_as_the_corpus_coverage_are_not_figures():
    question = gold("unanswerable", "What were Acme's receipts in 1883?")
    for text in (
        "The documents cover Acme's 1889, 1890 and 1891 reports, not 1883.",
        "The documents cover Acme's December 31, 1889 and 1890-06-30 balance sheets and December 1891, not 1883.",
    ):
        score = score_answer(question, answer(text, abstained=True))
        assert score.verdict == "correct" and score.hallucinated == [], text
    offered = score_answer(question, answer("The documents cover 1889; then it took in 1,889 dollars.", abstained=True))
    assert offered.verdict == "partial" and offered.hallucinated == ["1,889 dollars"]


def test_answering_an_unanswerable_question_is_wrong():
    question = gold("unanswerable", "How much did ByteDance spend on AI chips in 2023?")
    score = score_answer(question, answer("It spent $12 billion [1].", [(S1, TWELVE)]))
    assert score.verdict == "wrong" and score.crag == -1


def test_wrong_abstention():
    score = score_answer(FACT, answer("I could not find this in the documents.", abstained=True))
    assert score.verdict == "abstained" and score.crag == 0
    assert score.citation_correct is None


CONFLICT_QUOTES = [(S2, SEVEN), (S1, TWELVE), (S0, PROCUREMENT), (S4, THIRTY)]


def test_conflict_with_every_figure():
    text = "Reports differ: $7 billion [1], $12 billion [2], US$22 billion [3] and nearly $30 billion [4]."
    score = score_answer(CONFLICT, answer(text, CONFLICT_QUOTES))
    assert score.verdict == "correct" and score.crag == 1


def test_conflict_with_one_figure_is_partial():
    score = score_answer(CONFLICT, answer("ByteDance is spending $12 billion [1].", [(S1, TWELVE)]))
    assert score.verdict == "partial" and score.crag == 0
    assert "1 of 4" in score.why


def test_conflict_with_no_figure_is_wrong():
    score = score_answer(CONFLICT, answer("ByteDance spends heavily on chips [1].", [(S1, TWELVE)]))
    assert score.verdict == "wrong"


PREMISE = gold(
    "false_premise", "Why did ByteDance choose TSMC to manufacture its SeedChip?", sources=[S0], words=["Samsung"]
)


def test_false_premise_corrected():
    text = "It did not: the chip is made with Samsung [1]."
    score = score_answer(PREMISE, answer(text, [(S0, "a manufacturing partnership with Samsung Electronics")]))
    assert score.verdict == "correct" and score.crag == 1


def test_false_premise_abstained():
    assert score_answer(PREMISE, answer("The documents do not say.", abstained=True)).verdict == "correct"


def test_false_premise_accepted():
    score = score_answer(PREMISE, answer("TSMC was chosen for its advanced process nodes."))
    assert score.verdict == "wrong" and score.crag == -1


def test_false_premise_number_corrected_without_counting_the_question_number():
    question = gold("false_premise", "What is the 35% US tariff on H200 chips meant to achieve?", [(25, "%", S0)], [S0])
    score = score_answer(question, answer("The tariff is 25%, not 35% [1].", [(S0, TARIFF)]))
    assert score.verdict == "correct" and score.hallucinated == []


def test_retrieval_miss():
    score = score_answer(FACT, answer("It plans 160 billion yuan [1].", [(S0, PROCUREMENT)], retrieved=(S2, S3)))
    assert score.retrieval_hit is False


def test_multiplier_words_match():
    question = gold(
        "paraphrase", "By what factor did chip spending in China grow from 2024 to 2025?", [(2, "x", S3)], [S3]
    )
    quote = "representing a twofold increase from their 2024 spending"
    score = score_answer(question, answer("It doubled [1].", [(S3, quote)]))
    assert score.verdict == "correct" and score.crag == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("over 160 billion yuan (approximately US$22 billion)", [(1.6e11, "CNY"), (2.2e10, "USD")]),
        (
            "CNY 40B | USD 6.8B | $5.50 billion | 12bn dollars | 40 bn RMB",
            [(4e10, "CNY"), (6.8e9, "USD"), (5.5e9, "USD"), (1.2e10, "USD"), (4e10, "CNY")],
        ),
        ("a twofold increase, doubled, 3.5x, 2 times, triple", [(2, "x"), (2, "x"), (3.5, "x"), (2, "x"), (3, "x")]),
        ("in 2026, 52,000 chips to 290 clients", [(2026, "year"), (52000, "chip"), (290, "client")]),
        ("two million units and nine firms", [(2e6, "unit"), (9, "firm")]),
        ("60-70% of the H200, 296 TOPS, INT8, 7nm, Galaxy S25", [(60, "%"), (70, "%"), (296, "tops")]),
        ("$5 to 6 billion [2], and 1,000 thousand", [(5e9, "USD"), (6e9, "USD"), (1e6, "")]),
    ],
)
def test_parser(text, expected):
    assert [(q.value, q.unit) for q in parse_quantities(text)] == expected


def test_parser_skips_markers_and_list_numbers():
    assert parse_quantities("1. The plan [1][2, 3] is big.\n2) Yes [4].") == []


def test_accepted_words_match_word_starts_only():
    question = gold("false_premise", "Since its AI models beat OpenAI's, why invest?", sources=[S0], words=["lag"])
    assert score_answer(question, answer("Its flagship models are ahead.")).verdict == "wrong"
    corrected = answer("Its models lag behind OpenAI [1].", [(S0, "lag behind")])
    assert score_answer(question, corrected).verdict == "correct"


def test_rounded_computed_value_is_not_hallucinated():
    question = gold("derived", "How many times the 2025 budget is this year's plan?", [(1.833, "x", "")], [S0, S1])
    text = "US$22 billion [1] is about 1.8 times the $12 billion [2]."
    score = score_answer(question, answer(text, [(S0, PROCUREMENT), (S1, TWELVE)]))
    assert score.hallucinated == [] and score.verdict == "correct"


def test_the_scorer_reads_a_bracketed_figure_as_negative_on_its_own():
    read = [(q.value, q.unit) for q in parse_quantities("Pumping stations (370) 212; founded (2019); ($5.5 billion)")]
    assert read == [(-370.0, ""), (212.0, ""), (2019.0, "year"), (5.5e9, "USD")]


def test_the_scorer_reads_a_sign_glued_to_a_number_but_not_a_hyphen():
    read = [q.value for q in parse_quantities("BITPIX = -32 means a 32-bit float; pages 10-12; from -64 up")]
    assert read == [-32.0, 32.0, 10.0, 12.0, -64.0]


def test_a_table_cell_is_read_in_its_tables_units_line():
    row = "Capital expenditure | 1,577 | 1,402"
    cited = Citation("reports/r.pdf", 0, len(row), 1, 1, row, id=1)
    table = Passage(Chunk("reports/r.pdf", row, 0, len(row), 1, 1, "", context="(In millions of dollars)\nItem | 2018 | 2017"), 1.0)
    question = gold("fact", "What was capital expenditure in 2018?", [(1.577e9, "USD", "reports/r.pdf")], ["reports/r.pdf"])
    timings = {"retrieve_ms": 20.0, "first_token_ms": 300.0, "total_ms": 1500.0}
    scaled = score_answer(question, Answer("q", "Capital expenditure was $1,577 million [1].", False, [cited], [], False, "stub", timings, [table]))
    assert scaled.verdict == "correct" and not scaled.hallucinated
    assert scaled.citation_precision == 1.0  # the quote backs the figure as its units line reads it
    bare = Passage(Chunk("reports/r.pdf", row, 0, len(row), 1, 1, "", context="Item | 2018 | 2017"), 1.0)
    unscaled = score_answer(question, Answer("q", "Capital expenditure was $1,577 million [1].", False, [cited], [], False, "stub", timings, [bare]))
    assert unscaled.hallucinated == ["$1,577 million"]


def test_a_year_in_brackets_after_a_citation_marker_is_not_a_negative_table_cell():
    assert [(q.value, q.unit) for q in parse_quantities("receipts were $610,982,004.35 [2] (1899).")] == [(610982004.35, "USD"), (1899.0, "")]


def test_an_answer_that_also_cites_another_document_does_not_cite_only_gold_sources():
    score = score_answer(FACT, answer("It plans to spend 160 billion yuan [1]. Another gives CNY 40 billion [2].", [(S0, PROCUREMENT), (S3, DOMESTIC)]))
    assert score.citation_correct is True and score.citation_only_gold is False


def test_a_correct_answer_is_checked_for_citing_the_page_its_gold_note_names():
    report = "reports/annual.pdf"
    question = GoldQuestion(
        id="t", kind="fact", question="What does the table give as capital expenditure for 2018?",
        gold_numbers=(GoldNumber(1577, "", report),), accepted_words=(), gold_sources=(report,),
        note='row Capital expenditure, column 2018 | reports/annual.pdf "page": 47',
    )
    row = "Capital expenditure 1,577 1,234"

    def cited_on(page: int) -> Answer:
        reply = answer("Capital expenditure was 1,577 in 2018 [1].", [(report, row)])
        reply.citations[0] = Citation(report, 0, len(row), 12, 12, row, page=page, id=1)
        return reply

    assert score_answer(question, cited_on(47)).cited_gold_page is True
    assert score_answer(question, cited_on(12)).cited_gold_page is False
    assert score_answer(question, answer("The documents do not say.", abstained=True)).cited_gold_page is None
    assert score_answer(FACT, answer("It plans to spend over 160 billion yuan this year [1].", [(S0, PROCUREMENT)])).cited_gold_page is None

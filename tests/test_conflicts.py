"""Conflicts only between figures of the same quantity, never between identifiers."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answering.conflicts import find_conflict
from rag.answering.scope import Scope
from rag.answering.relevance import background_sample, measure_scale
from rag.answering.verify import CheckedNumber, VerifiedClaim, find_in_passage, passage_span, quoted_claim
from rag.metadata import DocumentProfile
from rag.numbers import parse_quantities
from rag.periods import Period, PeriodKind
from rag.types import Chunk, Passage

pytestmark = pytest.mark.slow  # the real embedder


def passage(source: str, text: str) -> Passage:
    return Passage(Chunk(source, text, 0, len(text), 1, 1, ""), score=1.0)


def anchored(question: str, anchor: Passage, others: list[Passage], embedder, **options):
    """find_conflict with the anchor passage as the answer's one claim."""
    numbers = [CheckedNumber(q, [find_in_passage(q, anchor)]) for q in parse_quantities(anchor.chunk.text)]
    claim = VerifiedClaim(anchor.chunk.text, [numbers[0].spans[0]], numbers)
    pool = [anchor, *others]
    question_vector = embedder.embed([question])[0]
    vectors = embedder.embed([p.chunk.text for p in pool])
    scale = measure_scale(question_vector, [p.chunk.text for p in pool], background_sample(vectors), embedder)
    return find_conflict(question, [claim], pool, embedder, scale, **options)


QUESTION = "How much will Acme invest abroad in 2025?"
ABROAD = passage("news/a.txt", "Acme will invest approximately $6.8 billion abroad in 2025 to train its models.")
DOMESTIC = passage("news/b.txt", "Acme will invest $5.5 billion within its home market in 2025 on new chips.")
ABROAD_OTHER = passage("news/c.txt", "A later report said Acme will invest $9 billion abroad in 2025.")
# Passages about nothing the questions ask: they set the relevance scale's floor.
BACKGROUND = [passage(f"other/{n}.txt", text) for n, text in enumerate(["The museum opened in spring.", "Rainfall was light."])]


def test_another_years_report_does_not_disagree_with_the_asked_years(embedder):
    question = "In Acme's 2023 annual report, what was the total enrollment of the reserve?"
    asked = passage("reports/acme-2023.txt", "The total enrollment of the reserve was 112,597 officers and men.")
    later = passage("reports/acme-2024.txt", "The total enrollment of the reserve is 117,533 officers and men.")
    profiles = {
        p.chunk.source: DocumentProfile("Acme", (Period(PeriodKind.YEAR, year=year),), "file name")
        for p, year in ((asked, 2023), (later, 2024))
    }
    scope = Scope.of(question, profiles, lambda source: [])
    assert anchored(question, asked, [later], embedder) is not None  # the same measure, the same unit
    in_scope = lambda span: scope.span_refusal(span, [asked, later]) is None  # noqa: E731
    assert anchored(question, asked, [later], embedder, in_scope=in_scope) is None


def test_a_figure_for_another_scope_is_not_a_conflict(embedder):
    assert anchored(QUESTION, ABROAD, [DOMESTIC], embedder) is None


def test_a_different_figure_for_the_same_quantity_is_a_conflict(embedder):
    conflict = anchored(QUESTION, ABROAD, [DOMESTIC, ABROAD_OTHER], embedder)
    assert conflict is not None
    assert [o.quantity.value for o in conflict.others] == [9e9]


def test_when_the_question_names_a_currency_only_figures_in_it_can_disagree(embedder):
    question = "How many RMB will Acme invest in its home market in 2025?"
    anchor = passage("news/a.txt", "Acme will invest 40 billion yuan ($5.5 billion) in its home market in 2025.")
    dollars = passage("news/b.txt", "Acme will invest $7 billion in its home market in 2025, a report said.")
    assert anchored(question, anchor, [dollars], embedder) is None
    yuan = passage("news/c.txt", "Acme will invest 6 billion yuan in its home market in 2025, a report said.")
    conflict = anchored(question, anchor, [dollars, yuan], embedder)
    assert conflict is not None and [o.quantity.value for o in conflict.others] == [6e9]


def test_a_figure_the_question_gives_names_the_quantity(embedder):
    question = "What is Acme's 160bn yuan purchasing budget worth in US dollars?"
    anchor = passage(
        "news/a.txt",
        "Acme is developing its own chip with a partner, targeting sample delivery by March while planning to spend "
        "over 160 billion yuan (approximately US$22 billion) on purchasing this year, with more than half for chips.",
    )
    part = passage("news/b.txt", "- Home Expansion: Acme is set to spend 40 billion yuan ($5.50 billion) at home on purchasing chips.")
    assert anchored(question, anchor, [part], embedder) is None
    same = passage("news/c.txt", "Acme's purchasing budget of 160 billion yuan is worth about $23 billion this year, a report said.")
    conflict = anchored(question, anchor, [part, same], embedder)
    assert conflict is not None and [o.quantity.value for o in conflict.others] == [23e9]


def test_other_records_and_their_identifiers_are_not_conflicts(embedder):
    question = "What is the headcount of unit 0147?"
    record = passage("records/0147.txt", "Unit 0147 headcount: 412")
    others = [passage(f"records/{n}.txt", f"Unit {n} headcount: {n[1:]}") for n in ("0344", "0412", "0519")]
    assert anchored(question, record, others, embedder) is None
    same_record = passage("audits/0147.txt", "Unit 0147 headcount: 398")
    conflict = anchored(question, record, [*others, same_record], embedder)
    assert conflict is not None and [o.quantity.value for o in conflict.others] == [398]


def test_a_reference_to_a_line_of_a_form_is_not_a_figure_that_disagrees(embedder):
    question = "How many arrests for robbery were there in 2009?"
    row = passage("tables/arrests.txt", "Robbery arrests in 2009: 100,496")
    form = passage("forms/instructions.txt", "Robbery arrests in 2009 are given in lines 5 and 6.")
    assert anchored(question, row, [form, *BACKGROUND], embedder) is None


def test_a_conditions_threshold_is_not_a_figure_that_disagrees(embedder):
    question = "How much can a member deduct per dependant under the club rules?"
    rule = passage("rules/club.txt", "A member can deduct $2,100 for each dependant.")
    condition = passage(
        "rules/annex.txt", "If a member's income is over $90,000, the amount a member can deduct for each dependant is in the annex."
    )
    assert anchored(question, rule, [condition, *BACKGROUND], embedder) is None
    other = passage("rules/2024.txt", "The 2024 rules let a member deduct $2,400 for each dependant.")
    conflict = anchored(question, rule, [condition, other, *BACKGROUND], embedder)
    assert conflict is not None and [o.quantity.value for o in conflict.others] == [2400]


def test_a_threshold_quoted_one_pdf_line_a_span_is_still_a_threshold(embedder):
    question = "How much can a member deduct per dependant under the club rules?"
    rule = passage("rules/club.txt", "A member can deduct $2,100 for each dependant.")
    lines = "If a member's income is over\n$90,000, a member can deduct less for each dependant."
    annex = passage("rules/annex.txt", lines)
    first, second = passage_span(annex, 0, lines.index("\n")), passage_span(annex, lines.index("\n") + 1, len(lines))
    split = VerifiedClaim(lines, [first, second], [CheckedNumber(q, [second]) for q in parse_quantities(second.quote)])
    anchor = quoted_claim(passage_span(rule, 0, len(rule.chunk.text)))
    pool = [rule, annex, *BACKGROUND]
    question_vector = embedder.embed([question])[0]
    vectors = embedder.embed([p.chunk.text for p in pool])
    scale = measure_scale(question_vector, [p.chunk.text for p in pool], background_sample(vectors), embedder)
    assert find_conflict(question, [anchor, split], pool, embedder, scale) is None


def test_the_figure_labelled_as_asked_is_the_anchor_and_only_such_figures_disagree(embedder):
    question = "What were the club's expenditures for the season ending June 30, 2021?"
    actual = passage(
        "club/2021.txt", "The club's expenditures for the season ending June 30, 2021, were $442,600, leaving a deficit of $69,800."
    )
    estimate = passage(
        "club/2020.txt",
        "It is estimated that the club's receipts for the season ending June 30, 2021, will be $430,100 and its "
        "expenditures $458,100, leaving a deficit of $28,000.",
    )
    conflict = anchored(question, actual, [estimate, *BACKGROUND], embedder)
    assert conflict is not None
    assert [a.quantity.value for a in conflict.anchors] == [442_600]
    assert [o.quantity.value for o in conflict.others] == [458_100]


def test_a_total_asked_for_conflicts_with_a_budget_that_does_not_say_total(embedder):
    question = "What is Acme's total infrastructure budget?"
    row = passage("tables/plan.txt", "Total Infrastructure Budget | USD 12B |")
    story = passage("news/acme.txt", "Acme has raised its infrastructure budget to nearly $30 billion.")
    conflict = anchored(question, row, [story, *BACKGROUND], embedder)
    assert conflict is not None and [o.quantity.value for o in conflict.others] == [30e9]


def test_the_day_of_a_date_is_not_a_figure_that_disagrees(embedder):
    question = "How many branches does Acme run?"
    anchor = passage("reports/a.txt", "The number of branches Acme runs is 412.")
    dated = passage("reports/b.txt", "The number of branches Acme runs was 412 on October 31, 2023.")
    assert anchored(question, anchor, [dated, *BACKGROUND], embedder) is None


def test_an_undated_figure_takes_its_documents_period(embedder):
    question = "How many members does the club count?"
    anchor = passage("reports/2021.txt", "The club counts about 2,400 members.")
    census = passage("reports/2023.txt", "The club counts 1,900 members, according to a census made in 2023.")
    assert anchored(question, anchor, [census, *BACKGROUND], embedder) is not None  # no period dates the anchor
    years = {"reports/2021.txt": [Period(PeriodKind.YEAR, year=2021)], "reports/2023.txt": [Period(PeriodKind.YEAR, year=2023)]}
    assert anchored(question, anchor, [census, *BACKGROUND], embedder, document_periods=years.__getitem__) is None


def test_a_documents_period_dates_its_undated_figures_by_year(embedder):
    question = "What were the receipts for the last fiscal year?"
    anchor = passage("reports/2019.txt", "The receipts for the fiscal year ended June 30, 2019, amounted to $372 million.")
    other = passage("reports/other.txt", "The receipts for the last fiscal year amounted to $368 million.")

    def published(year: int):
        return lambda source: [Period(PeriodKind.YEAR, year=2019 if source == "reports/2019.txt" else year)]

    # A report of 2018 speaks of fiscal 2018, although its calendar year overlaps the months of fiscal 2019.
    assert anchored(question, anchor, [other, *BACKGROUND], embedder, document_periods=published(2018)) is None
    assert anchored(question, anchor, [other, *BACKGROUND], embedder, document_periods=published(2019)) is not None


def test_a_figure_measures_what_its_own_clause_names(embedder):
    question = "What were the receipts in 2024?"
    anchor = passage("reports/a.txt", "The receipts in 2024 amounted to $372 million.")
    surplus = passage("reports/b.txt", "The receipts in 2024 amounted to less than planned; the surplus was $0.8 million.")
    assert anchored(question, anchor, [surplus, *BACKGROUND], embedder) is None
    receipts = passage("reports/c.txt", "The receipts in 2024 amounted to $368 million; a later audit agreed.")
    conflict = anchored(question, anchor, [surplus, receipts, *BACKGROUND], embedder)
    assert conflict is not None and [o.quantity.value for o in conflict.others] == [368e6]


def test_an_answer_that_shares_no_word_with_the_question_has_nothing_to_disagree_with(embedder):
    question = "Roughly how many residents did the census find?"
    anchor = passage("reports/a.txt", "Our town numbers about 24,000 people.")
    other = passage("reports/b.txt", "Our town numbers about 17,000 people.")
    assert anchored(question, anchor, [other, *BACKGROUND], embedder) is None


def test_background_sample_is_deterministic_and_bounded():
    vectors = np.arange(3000, dtype=np.float32).reshape(1000, 3)
    sample = background_sample(vectors, 10)
    assert len(sample) == 10 and np.array_equal(sample, background_sample(vectors, 10))


def test_the_same_measure_of_another_subject_or_period_is_not_a_conflict(embedder):
    question = "How many instances does the breast cancer dataset have?"
    cancer = Passage(Chunk("ref/cancer.txt", ":Number of Instances: 569", 0, 25, 1, 1, "Breast cancer dataset"), 1.0)
    wine = Passage(Chunk("ref/wine.txt", ":Number of Instances: 178", 0, 25, 1, 1, "Wine recognition dataset"), 1.0)
    assert anchored(question, cancer, [wine], embedder) is None
    receipts = "What were the postal receipts?"
    year_1896 = passage("msg/1896.txt", "Postal receipts in 1896 were $82 million.")
    year_1893 = passage("msg/1893.txt", "Postal receipts in 1893 were $75 million.")
    assert anchored(receipts, year_1896, [year_1893], embedder) is None


def test_a_form_named_by_a_number_is_not_a_figure_that_disagrees(embedder):
    question = "How many robbery arrests were there in 2009?"
    row = passage("tables/arrests.txt", "Robbery arrests in 2009: 100,496")
    form = passage("forms/instructions.txt", "Robbery arrests in 2009: see Form(s) 2976-A")
    assert anchored(question, row, [form, *BACKGROUND], embedder) is None


@pytest.mark.parametrize("caption,disagree", [
    ("Parcel Rate Table", True),  # two copies of one table that differ
    ("{year} Parcel Rate Table", False),  # two years' tables: each year's fee, no disagreement
])
def test_table_lookups_disagree_by_their_cells_not_by_the_figure_the_question_gives(embedder, caption, disagree):
    """Two rate tables, each looked up by code: the question's weight is in both claims, the fees differ."""
    question = "What is the Express fee for a parcel of 4,020 grams?"
    tables = [
        Passage(Chunk(f"rates/{name}.txt", row, 0, len(row), 1, 1, "",
                      context=caption.format(year=year) + "\nAt least  Less than  Ground  Express"), 1.0)
        for name, year, row in (("a", 2023, "4,000 4,050 12.40 18.90"), ("b", 2024, "4,000 4,050 12.90 19.60"))
    ]
    claims = []
    for table, fee in zip(tables, ("18.90", "19.60")):
        row = find_in_passage(parse_quantities("4,000")[0], table)
        statement = f"For 4,020 grams, the Express column gives {fee}."
        claims.append(VerifiedClaim(statement, [row], [CheckedNumber(q, [row]) for q in parse_quantities(statement)]))
    question_vector = embedder.embed([question])[0]
    texts = [p.chunk.text for p in tables]
    scale = measure_scale(question_vector, texts, background_sample(embedder.embed(texts)), embedder)
    conflict = find_conflict(question, claims, tables, embedder, scale)
    if not disagree:
        assert conflict is None
        return
    assert conflict is not None
    assert [a.quantity.value for a in conflict.anchors] == [18.90]
    assert [o.quantity.value for o in conflict.others] == [19.60]

"""The verifier on hand-made passages: what survives, what is repaired, what is dropped."""

from __future__ import annotations

import pytest

from rag.answering.gate import named_numbers
from rag.answering.reply import Calculation, ProposedClaim
from rag.answering.verify import VerifiedClaim, calculate, verify_claim
from rag.types import DroppedClaim, RejectionKind
from rag.types import Chunk, Passage

DOC_A = (
    "Acme will spend 40 billion yuan ($5.50 billion) on chips in China. "
    "It will invest approximately $6.8 billion abroad. Around 60% of orders go to local suppliers.\n"
    "The company was founded in 2012."
)
DOC_B = "A later report said Acme's budget is $12 billion for 2025. Sales grew twofold."


def passage(source: str, text: str, start: int = 0) -> Passage:
    return Passage(Chunk(source, text, start, start + len(text), 1, 1 + text.count("\n"), ""), score=1.0)


PASSAGES = [passage("docs/a.txt", DOC_A), passage("docs/b.txt", DOC_B)]


def test_supported_claim_gets_an_exact_sentence_quote():
    result = verify_claim(ProposedClaim(1, "Acme will invest about $6.8 billion abroad."), PASSAGES)
    assert isinstance(result, VerifiedClaim)
    [span] = result.spans
    assert span.quote == "It will invest approximately $6.8 billion abroad."
    assert DOC_A[span.start : span.end] == span.quote
    assert [n.quantity.value for n in result.numbers] == [6.8e9]


@pytest.mark.parametrize(
    "statement",
    [
        "Acme will invest $7.8 billion abroad.",  # wrong figure
        "Acme will spend $40 billion on chips in China.",  # right number, wrong unit (it is yuan)
        "Acme will invest $6.8 million abroad.",  # wrong scale
        "Around 70% of orders go to local suppliers.",  # wrong percentage
    ],
)
def test_unsupported_numbers_are_rejected(statement):
    result = verify_claim(ProposedClaim(1, statement), PASSAGES)
    assert isinstance(result, DroppedClaim) and result.kind is RejectionKind.NUMBER_NOT_IN_PASSAGE


def test_scale_and_currency_spellings_are_normalised():
    for statement in ("Acme will spend CNY 40 billion on chips in China.", "Acme spends 40bn yuan on chips in China."):
        assert isinstance(verify_claim(ProposedClaim(1, statement), PASSAGES), VerifiedClaim)


def test_claim_citing_the_wrong_passage_is_re_cited():
    result = verify_claim(ProposedClaim(1, "A later report put Acme's budget at $12 billion for 2025."), PASSAGES)
    assert isinstance(result, VerifiedClaim)
    assert result.spans[0].source == "docs/b.txt" and result.repairs


def test_citation_to_a_passage_never_retrieved_is_dropped():
    result = verify_claim(ProposedClaim(7, "Acme will invest $6.8 billion abroad."), PASSAGES)
    assert isinstance(result, DroppedClaim) and "not retrieved" in result.reason


def test_fabricated_statement_with_no_support_in_words_is_dropped():
    result = verify_claim(ProposedClaim(1, "Regulators fined the firm over antitrust violations in Europe."), PASSAGES)
    assert isinstance(result, DroppedClaim) and "words" in result.reason


def test_years_must_be_in_the_passage_too():
    assert isinstance(verify_claim(ProposedClaim(1, "The company was founded in 2012."), PASSAGES), VerifiedClaim)
    assert isinstance(verify_claim(ProposedClaim(1, "The company was founded in 2013."), PASSAGES), DroppedClaim)


def test_offsets_follow_the_chunk_position_in_the_document():
    shifted = passage("docs/c.txt", "Valves cost $12 each.", start=500)
    result = verify_claim(ProposedClaim(1, "Valves cost $12 each."), [shifted])
    assert (result.spans[0].start, result.spans[0].end) == (500, 521)


def test_derived_number_is_supported_only_when_code_computed_it():
    calc = calculate(Calculation("difference", "$12 billion", 2, "$6.8 billion", 1), PASSAGES)
    assert not isinstance(calc, DroppedClaim)
    assert calc.value.value == pytest.approx(5.2e9) and calc.value.unit == "USD"
    claim = ProposedClaim(2, "The budget is $5.2 billion more than the amount invested abroad.")
    derived = verify_claim(claim, PASSAGES, calc)
    assert isinstance(derived, VerifiedClaim)
    [number] = [n for n in derived.numbers if n.derived]
    assert {s.source for s in number.spans} == {"docs/a.txt", "docs/b.txt"}
    wrong = ProposedClaim(2, "The budget is $5.8 billion more than the amount invested abroad.")
    assert isinstance(verify_claim(wrong, PASSAGES, calc), DroppedClaim)


@pytest.mark.parametrize(
    "operation,first,second,value,unit",
    [
        ("sum", "$12 billion", "$6.8 billion", 18.8e9, "USD"),
        ("ratio", "$12 billion", "$6.8 billion", 12 / 6.8, "x"),
        ("percent_of", "$6.8 billion", "$12 billion", 6.8 / 12 * 100, "%"),
        ("percent_change", "$12 billion", "$6.8 billion", (12 - 6.8) / 6.8 * 100, "%"),
    ],
)
def test_calculations(operation, first, second, value, unit):
    passage_of = {"$12 billion": 2, "$6.8 billion": 1}
    calc = calculate(Calculation(operation, first, passage_of[first], second, passage_of[second]), PASSAGES)
    assert calc.value.value == pytest.approx(value) and calc.value.unit == unit


DOC_C = "Acme sold 400 million parts for $2 billion, about 25% of its $8 billion revenue. Its 30 plants made 1.2 million parts."


@pytest.mark.parametrize(
    "operation,first,second,value,unit",
    [
        ("multiply", "25%", "$8 billion", 2e9, "USD"),  # a share of an amount is that amount's unit
        ("multiply", "$8 billion", "25%", 2e9, "USD"),  # whichever order the model gives
        ("divide", "$2 billion", "400 million parts", 5.0, "USD"),  # money per item
        ("divide", "1.2 million parts", "30 plants", 40_000, "part"),  # a count per thing counted
    ],
)
def test_products_and_quotients_keep_the_amounts_unit(operation, first, second, value, unit):
    passages = [passage("docs/c.txt", DOC_C)]
    calc = calculate(Calculation(operation, first, 1, second, 1), passages)
    assert calc.value.value == pytest.approx(value) and calc.value.unit == unit


@pytest.mark.parametrize(
    "operation,first,second,reason",
    [
        ("multiply", "$2 billion", "$8 billion", "cannot multiply"),  # dollars times dollars is no amount
        ("multiply", "25%", "30 plants", None),  # a share of a count is a count: allowed
        ("divide", "25%", "30 plants", "cannot split"),  # a share is not split among things
        ("divide", "$8 billion", "25%", "cannot split"),  # "of what whole" is not asked this way
    ],
)
def test_products_and_quotients_refuse_what_the_units_do_not_allow(operation, first, second, reason):
    calc = calculate(Calculation(operation, first, 1, second, 1), [passage("docs/c.txt", DOC_C)])
    if reason is None:
        assert calc.value.value == pytest.approx(7.5) and calc.value.unit == "plant"
    else:
        assert isinstance(calc, DroppedClaim) and reason in calc.reason


def test_an_earlier_amount_is_split_by_the_multiple_it_grew_by():
    # "Sales grew twofold" to $12 billion: the year before was $12 billion / 2.
    calc = calculate(Calculation("divide", "$12 billion", 2, "twofold", 2), PASSAGES)
    assert calc.value.value == pytest.approx(6e9) and calc.value.unit == "USD"
    assert calc.expression == "$12 billion / twofold"


def test_an_operand_copied_without_its_unit_takes_the_unit_its_passage_states():
    # "6.8B" for "$6.8 billion": the one figure of that value the passage writes with a unit.
    calc = calculate(Calculation("percent_of", "6.8B", 1, "$12 billion", 2), PASSAGES)
    assert calc.value.value == pytest.approx(6.8 / 12 * 100) and calc.first.quantity.text == "$6.8 billion"
    twice = [passage("docs/d.txt", "Acme paid $5 million for 5 million shares.")]
    ambiguous = calculate(Calculation("divide", "5 million", 1, "twofold", 1), twice)
    assert isinstance(ambiguous, DroppedClaim)


def test_calculation_refuses_mixed_units_and_invented_operands():
    mixed = calculate(Calculation("difference", "40 billion yuan", 1, "$12 billion", 2), PASSAGES)
    assert isinstance(mixed, DroppedClaim) and "cannot subtract" in mixed.reason
    invented = calculate(Calculation("sum", "$99 billion", 1, "$12 billion", 2), PASSAGES)
    assert isinstance(invented, DroppedClaim) and "not in any retrieved passage" in invented.reason


@pytest.mark.parametrize("operation", ["difference", "ratio"])
def test_calculation_refuses_a_figure_set_against_itself(operation):
    # "$12 billion - $12 billion = $0" or "1x" would be a number no source gives and no question asked for.
    same = calculate(Calculation(operation, "$12 billion", 2, "$12 billion", 2), PASSAGES)
    assert isinstance(same, DroppedClaim) and "same figure twice" in same.reason


def test_a_model_number_followed_by_a_verb_is_still_found():
    # "370 offers" reads as a count of offers; the passage gives the bare model number 370.
    table = passage("docs/c.txt", "Chip | Performance |\nSiyuan 370 | 256 TOPS (INT8) |")
    result = verify_claim(ProposedClaim(1, "The Siyuan 370 offers 256 TOPS of INT8 performance."), [table])
    assert isinstance(result, VerifiedClaim)
    assert [n.quantity.text for n in result.numbers] == ["370 offers", "256 TOPS"]


def test_counts_of_different_things_do_not_match():
    shop = passage("docs/d.txt", "The plant ships 52,000 chips a year.")
    result = verify_claim(ProposedClaim(1, "The plant ships 52,000 servers a year."), [shop])
    assert isinstance(result, DroppedClaim)


def test_a_count_is_stated_by_its_noun_after_a_few_describing_words():
    fields = passage("docs/e.txt", ":Number of Attributes: 30 numeric, predictive attributes and the class")
    assert isinstance(verify_claim(ProposedClaim(1, "The dataset has 30 attributes."), [fields]), VerifiedClaim)
    trucks = passage("docs/f.txt", "Yesterday 5 trucks carrying 200 boxes left the depot.")
    assert isinstance(verify_claim(ProposedClaim(1, "Yesterday 5 boxes left the depot."), [trucks]), DroppedClaim)


def test_a_quote_from_a_pdf_passage_names_its_page():
    from rag.answering.verify import find_in_passage
    from rag.numbers import parse_quantities

    chunk = Chunk("r.pdf", "Pipes and mains 1,577 1,432", 100, 127, 3, 3, "", page=47)
    span = find_in_passage(parse_quantities("1,577")[0], Passage(chunk, 1.0))
    assert span is not None and (span.page, span.line_start, span.quote) == (47, 3, chunk.text)


def test_an_accounting_negative_backs_a_loss_but_not_a_gain():
    text = "Net income | 2022: (370) | 2021: 412"
    table = Passage(Chunk("reports/income.html", text, 0, len(text), 1, 1, "", context="(in millions of USD)"), score=1.0)
    assert isinstance(verify_claim(ProposedClaim(1, "The company had a net loss of $370 million in 2022."), [table]), VerifiedClaim)
    gain = verify_claim(ProposedClaim(1, "Net income was $370 million in 2022."), [table])
    assert isinstance(gain, DroppedClaim) and gain.kind is RejectionKind.NUMBER_NOT_IN_PASSAGE


def test_a_calculation_operand_copied_from_a_table_cell_takes_the_tables_scale():
    text = "Capital expenditure | 2018: 1,577 | 2017: 1,432"
    table = Passage(Chunk("reports/cash.html", text, 0, len(text), 1, 1, "", context="(Millions)"), score=1.0)
    result = calculate(Calculation("difference", "1,577", 1, "1,432", 1), [table])
    assert not isinstance(result, DroppedClaim), result
    assert result.value.value == pytest.approx(145e6)


def test_a_bare_cell_copied_without_its_tables_scale_is_written_with_it():
    text = "Station: Kestrel Road | Passengers: 18.4 | Staff: 12"
    table = Passage(Chunk("reports/rail.html", text, 0, len(text), 1, 1, "", context="[In thousands]"), score=1.0)
    result = verify_claim(ProposedClaim(1, "Kestrel Road station counted 18.4 passengers and 12 staff."), [table])
    assert isinstance(result, VerifiedClaim), result
    assert result.statement == "Kestrel Road station counted 18.4 thousand passengers and 12 thousand staff."
    assert [n.quantity.value for n in result.numbers] == [18_400, 12_000]
    assert result.numbers[1].quantity.text == "12 thousand staff"
    assert result.statement[result.numbers[1].quantity.start : result.numbers[1].quantity.end] == "12 thousand staff"
    assert result.repairs
    # A currency amount is not rescaled: "$18.4" is refused, a thousand times smaller than the table says.
    money = verify_claim(ProposedClaim(1, "Kestrel Road station took $18.4 in fares."), [table])
    assert isinstance(money, DroppedClaim)


def test_a_joined_clause_whose_figure_no_passage_states_is_left_out():
    """The model corrects a misprint ("33,05o") or adds a figure: the clauses before it still stand."""
    army = passage(
        "docs/army.txt",
        "The army has been increased to 61,999 enlisted men and 2,248 officers, and new regiments "
        "have been organized aggregating 33,05o enlisted men.",
    )
    statement = "The army was increased to 61,999 enlisted men and 2,248 officers, and new regiments have been organized aggregating 33,050 enlisted men."
    result = verify_claim(ProposedClaim(1, statement), [army])
    assert isinstance(result, VerifiedClaim)
    assert result.statement == "The army was increased to 61,999 enlisted men and 2,248 officers."
    assert [n.quantity.value for n in result.numbers] == [61999, 2248]
    assert "33,050" in result.repairs[-1]


def test_a_later_sentence_whose_figure_no_passage_states_is_left_out():
    """A worksheet line copied on past its figure ("... 2. 3. Standard deduction."): the sentence before stands."""
    worksheet = passage("docs/worksheet.txt", "1. Enter the amount shown below for your filing status.\nHead of household—$8,950 .......... 2.")
    statement = "Head of household—$8,950 .......... 2. 3. Standard deduction. a. Enter the smaller of line 1 or line 2."
    result = verify_claim(ProposedClaim(1, statement), [worksheet])
    assert isinstance(result, VerifiedClaim)
    assert result.statement == "Head of household—$8,950 .......... 2."
    assert "Standard deduction" in result.repairs[-1]


@pytest.mark.parametrize(
    "statement",
    [
        "Acme will invest $6.8 billion, and $9 billion more next year.",  # the tail is a list item, not a clause
        "Acme will spend 41 billion yuan on chips, and it will invest approximately $6.8 billion abroad.",  # first clause fails
    ],
)
def test_a_claim_is_not_cut_where_the_rest_would_change_its_meaning(statement):
    result = verify_claim(ProposedClaim(1, statement), PASSAGES)
    assert isinstance(result, DroppedClaim) and result.kind is RejectionKind.NUMBER_NOT_IN_PASSAGE


def test_a_year_followed_by_a_verb_is_the_year_its_caption_states():
    # "2009 represents" reads as a count of "represents"; the caption states the year 2009.
    caption = passage("stats/arrests.pdf", "Table 325. Arrests by Race: 2009\n[Based on reports of 12,371 agencies.]")
    result = verify_claim(ProposedClaim(1, "Arrests by Race: 2009 represents reports of 12,371 agencies."), [caption])
    assert isinstance(result, VerifiedClaim), result
    other_year = verify_claim(ProposedClaim(1, "Arrests by Race: 2010 represents reports of 12,371 agencies."), [caption])
    assert isinstance(other_year, DroppedClaim) and other_year.kind is RejectionKind.NUMBER_NOT_IN_PASSAGE


def test_the_questions_own_reference_restated_needs_no_passage():
    # Asked about "Table 325", the model writes "Table 325 ..." over a passage that starts below the caption.
    note = passage("stats/arrests.pdf", "[Based on reports of 12,371 agencies with a total population of 239,839,971.]")
    named = named_numbers("What population did the agencies reporting in Table 325 cover?")
    claim = ProposedClaim(1, "Table 325 is based on reports of 12,371 agencies with a total population of 239,839,971.")
    result = verify_claim(claim, [note], named=named)
    assert isinstance(result, VerifiedClaim), result
    assert [n.quantity.value for n in result.numbers] == [12_371, 239_839_971]
    # A reference the question does not give is still held to the passage.
    other = verify_claim(ProposedClaim(1, "Table 326 is based on reports of 12,371 agencies."), [note], named=named)
    assert isinstance(other, DroppedClaim) and other.kind is RejectionKind.NUMBER_NOT_IN_PASSAGE
    # So is the question's number written as a figure, not in a name.
    counted = verify_claim(ProposedClaim(1, "There were 325 agencies."), [note], named=named)
    assert isinstance(counted, DroppedClaim) and counted.kind is RejectionKind.NUMBER_NOT_IN_PASSAGE

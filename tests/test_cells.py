"""Code reads the cell a question names by row and column from written-out table rows."""

from __future__ import annotations

from rag.answering.cells import cell_claims, compared_cells, compared_rows
from rag.answering.gate import ClaimGate, Evidence
from rag.answering.scope import Scope
from rag.answering.verify import VerifiedClaim
from rag.types import Chunk, Passage

ARRESTS = (
    "Offense: Total | Total: 11,062.6 | Male Total: 8,263.3 | Female Total: 2,799.2 | Female Under 18 years: 468.3\n"
    "Offense: Robbery | Total: 102.1 | Male Total: 90.0 | Female Total: 12.1 | Female Under 18 years: 2.5\n"
    "Offense: Motor vehicle theft | Total: 65.6 | Male Total: 53.9 | Female Total: 11.7 | Female Under 18 years: 2.7"
)
BY_RACE = (
    "Offense: Robbery | Total: 100,496 | White: 43,039 | Black: 55,742\n"
    "Offense: Larceny-theft | Total: 1,056,473 | White: 719,983 | Black: 306,625"
)


def table(source: str, context: str, rows: str) -> Passage:
    return Passage(Chunk(source, rows, 0, len(rows), 1, 1 + rows.count("\n"), "", context=context), score=1.0)


SEX = table("abstract/t324.pdf", "Table 24. Arrests by Sex: 2009\n[In thousands]", ARRESTS)
RACE = table("abstract/t325.pdf", "Table 25. Arrests by Race: 2009", BY_RACE)


def statements(question: str, passages: list[Passage]) -> list[str]:
    return [claim.statement for claim in cell_claims(question, passages)]


def test_the_row_and_column_the_question_names_give_the_cell():
    assert statements("How many Black persons were arrested for larceny-theft in 2009?", [SEX, RACE]) == [
        "Larceny-theft, Black: 306,625."
    ]
    # "female" and "under 18" name one column; "Female Total" and "Male Total" share fewer of the question's words
    assert statements("How many female motor vehicle theft arrests under 18 were there?", [SEX, RACE]) == [
        "Motor vehicle theft, Female Under 18 years: 2.7."
    ]


def test_everyday_words_name_a_sex_column():
    assert statements("How many women were arrested for motor vehicle theft?", [SEX]) == [
        "Motor vehicle theft, Female Total: 11.7."
    ]
    assert statements("How many men were arrested for robbery?", [SEX]) == ["Robbery, Male Total: 90.0."]


def test_a_row_asked_for_as_a_whole_gives_its_total():
    assert statements("How many robbery arrests were there in 2009?", [SEX]) == ["Robbery, Total: 102.1."]


def test_nothing_is_read_when_the_question_names_a_column_the_table_lacks_or_two():
    assert statements("How many Hispanic persons were arrested for robbery?", [RACE]) == []
    assert statements("How many more male than female robbery arrests were there?", [SEX]) == []


def test_the_columns_a_comparison_names_give_one_cell_each_of_the_asked_row():
    pair = compared_cells("How many more male than female robbery arrests were there in 2009?", [SEX, RACE])
    assert [claim.statement for claim in pair] == ["Robbery, Male Total: 90.0.", "Robbery, Female Total: 12.1."]
    # side A first, whichever way the question words the comparison
    pair = compared_cells("How many fewer female than male motor vehicle theft arrests were there?", [SEX, RACE])
    assert [claim.statement for claim in pair] == ["Motor vehicle theft, Female Total: 11.7.", "Motor vehicle theft, Male Total: 53.9."]
    # a side no column names, or a comparison of two rows, is left to the model
    assert compared_cells("How many more Hispanic than Black robbery arrests were there?", [RACE]) is None
    assert compared_cells("How many more robbery than burglary arrests were there?", [SEX]) is None


def test_a_named_table_is_the_only_one_read_and_each_table_answers_once():
    assert statements("How many male robbery arrests does Table 24 count?", [SEX, RACE]) == ["Robbery, Male Total: 90.0."]
    assert statements("How many male robbery arrests does Table 25 count?", [SEX, RACE]) == []
    # a headnote that points to another table does not make this one that table
    pointing = table("abstract/t325.pdf", "Table 25. Arrests by Race: 2009\n[See headnote, Table 24]", BY_RACE)
    assert statements("How many robbery arrests does Table 24 count in all?", [SEX, pointing]) == ["Robbery, Total: 102.1."]
    both = "How many robbery arrests of males and of Black persons were there?"
    assert statements(both, [SEX, RACE]) == ["Robbery, Male Total: 90.0.", "Robbery, Black: 55,742."]


def test_a_more_specific_row_is_preferred_and_rows_that_fit_alike_give_nothing():
    # "total" names the Total row too, but "robbery" is a row's own word
    assert statements("What was the total of female robbery arrests?", [SEX]) == ["Robbery, Female Total: 12.1."]
    assert statements("How many female arrests for robbery and motor vehicle theft were there?", [SEX]) == []


ELLIPSOIDS = table(
    "survey/guide.pdf",
    "Table C-3. Ellipsoids\nEllipsoid | Code | Major Axis | Minor Axis | Inverse Flattening",
    "Ellipsoid: Hayford 1910 | Code: HA | Major Axis: 6378388.0 | Minor Axis: 6356911.9 | Inverse Flattening: 297.0\n"
    "Ellipsoid: Hayford 1910 (Revised) | Code: HR | Major Axis: 6378390.0 | Minor Axis: 6356912.1 | Inverse Flattening: 297.1\n"
    "Ellipsoid: Struve Geodetic Arc 1950 (SGA 50) | Code: SG | Major Axis: 6378298.3 | Minor Axis: 6356657.1 | Inverse Flattening: 294.7",
)
REGIONS = table(
    "sales/regions.csv",
    "Region | Product | Spring | Autumn",
    "Region: North | Product: Widgets | Spring: 5 | Autumn: 7\nRegion: North | Product: Gadgets | Spring: 9 | Autumn: 4",
)


def test_a_row_is_named_by_its_first_text_cell_or_the_abbreviation_in_its_name():
    # the code column is not part of the name a question uses; "Hayford 1910 (Revised)" is another row
    assert statements("What is the inverse flattening of the Hayford 1910 ellipsoid?", [ELLIPSOIDS]) == [
        "Hayford 1910, HA, Inverse Flattening: 297.0."
    ]
    assert statements("What is the minor axis of the SGA 50 ellipsoid?", [ELLIPSOIDS]) == [
        "Struve Geodetic Arc 1950 (SGA 50), SG, Minor Axis: 6356657.1."
    ]
    # two rows of one name: the one whose other text cell the question names, else none
    assert statements("How many gadgets did the North region sell in autumn?", [REGIONS]) == ["North, Gadgets, Autumn: 4."]
    assert statements("How many units did the North region sell in autumn?", [REGIONS]) == []


def test_the_cell_passes_the_gate_with_its_tables_scale():
    question = "How many female motor vehicle theft arrests under 18 were there?"
    [claim] = cell_claims(question, [SEX])
    gate = ClaimGate(question, [SEX], relevance=lambda statement: 1.0, scope=Scope.of(question, {}, {}), evidence=Evidence({}))
    result = gate.check(claim)
    assert isinstance(result, VerifiedClaim), result
    assert result.statement == "Motor vehicle theft, Female Under 18 years: 2.7 thousand."
    assert result.spans[0].quote in ARRESTS


def test_two_rows_a_comparison_names_give_one_cell_each():
    pair = compared_rows("How many meters longer is the Hayford 1910 major axis than the SGA 50 one?", [ELLIPSOIDS])
    assert [claim.statement for claim in pair] == [
        "Hayford 1910, HA, Major Axis: 6378388.0.",
        "Struve Geodetic Arc 1950 (SGA 50), SG, Major Axis: 6378298.3.",
    ]
    # a side that names no row, or names two, proposes nothing
    assert compared_rows("How many meters longer is the Hayford 1910 major axis than the Clarke one?", [ELLIPSOIDS]) is None
    assert compared_rows("How much longer is the Hayford 1910 major axis than its minor axis?", [ELLIPSOIDS]) is None

"""Document subject and period from the document itself; what a question names; whether they agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.loading import find_files, load_document
from rag.metadata import (
    DocumentProfile,
    QuestionScope,
    ScopeOutcome,
    coverage_note,
    match,
    profile_document,
    question_scope,
)
from rag.periods import Period, PeriodKind, periods_in
from rag.store.manifest import FORMAT_VERSION, FileEntry, Manifest
from rag.types import Document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _doc(text: str, source: str = "corpus/report.txt") -> Document:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return Document(source=source, text=text, title=lines[0] if lines else "")


def _year(year: int) -> Period:
    return Period(PeriodKind.YEAR, year=year)


def test_seed_articles_are_about_their_company_and_dated_by_their_titles():
    profiles = {f.source: profile_document(load_document(f)) for f in find_files([SEEDS])}
    assert {p.subject for p in profiles.values()} == {"ByteDance"}
    # "ByteDance to Invest $12 Billion in AI Chips by 2025" names its year in the title.
    titled = profiles["seeds/001_b935167cea57a828.txt"]
    assert titled.periods == (_year(2025),) and "period: title" in titled.found_by
    # The first article's title names no year, and its body's dates are not its reporting period.
    assert profiles["seeds/000_d235e046a46ede60.txt"].periods == ()


ANNUAL_10K = """UNITED STATES
SECURITIES AND EXCHANGE COMMISSION
Washington, D.C. 20549
FORM 10-K
ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934
For the fiscal year ended June 30, 2022
Commission file number 001-37845
NORTHWIND TRADERS INC.
(Exact name of registrant as specified in its charter)
Delaware
"""

ANNUAL_REPORT = """Harbor Freight Lines plc
Annual Report and Accounts 2021
Strategic report
Our year in numbers
Revenue grew by 12% to GBP 412 million, compared with GBP 368 million in 2020.
"""

QUARTERLY = """Contoso Ltd.
Quarterly Report
For the quarterly period ended September 30, 2023
Contoso Ltd. reported net sales of $52 million.
"""

NO_COVER = """Notes on soil moisture sampling
Samples were taken every week from five plots.
"""


@pytest.mark.parametrize(
    ("text", "subject", "periods", "found_by"),
    [
        (ANNUAL_10K, "Northwind Traders Inc.", ["FY2022"], "subject: cover page; period: cover page"),
        (ANNUAL_REPORT, "Harbor Freight Lines plc", ["2021"], "subject: cover page; period: first lines"),
        (QUARTERLY, "Contoso Ltd.", ["Q3 2023"], "subject: cover page; period: cover page"),
    ],
)
def test_report_cover_pages(text, subject, periods, found_by):
    profile = profile_document(_doc(text))
    assert profile.subject == subject
    assert [p.canonical for p in profile.periods] == periods
    assert profile.found_by == found_by


def test_file_name_is_the_last_resort():
    profile = profile_document(_doc(NO_COVER, source="corpus/fabrikam_2019_annual_report.txt"))
    assert profile.subject == "fabrikam"  # as the file writes it
    assert profile.periods == (_year(2019),)
    assert profile.found_by == "subject: file name; period: file name"
    assert profile_document(_doc(NO_COVER, source="corpus/0a1b2c3d.txt")) == DocumentProfile(None, (), "nothing found")
    assert profile_document(_doc(NO_COVER, source="corpus/summary.txt")).subject is None  # a common word names nothing


def test_a_subject_its_file_name_writes_in_lowercase_is_named_in_any_case():
    opening = "Iris plants dataset\nThe Iris data set was used by Fisher. Iris setosa, Iris virginica and Iris versicolor.\n"
    assert profile_document(_doc(opening, source="data/iris.txt")).subject == "iris"
    assert profile_document(_doc(opening, source="data/plants.txt")).subject == "Iris"


def test_a_lowercase_file_name_subject_is_named_in_any_case_a_capitalised_one_as_written():
    subjects = ["diabetes", "wine data", "Harrison"]
    assert question_scope("How many instances do the Diabetes and wine datasets have?", subjects).subjects == ("diabetes", "wine data")
    assert question_scope("What did the harrison report say?", subjects).subjects == ()
    assert question_scope("What did Harrison report?", subjects).subjects == ("Harrison",)


def test_a_number_in_a_subject_may_be_spelled_or_written_in_digits():
    subjects = ["twenty questions", "Seven Seas Shipping", "metro"]
    assert question_scope("How long is the 20 questions game?", subjects).subjects == ("twenty questions",)
    assert question_scope("What did 7 Seas Shipping earn?", subjects).subjects == ("Seven Seas Shipping",)
    # A number alone is no name: "twenty", the first word of a subject, does not make every 20 name it.
    assert question_scope("Which 20 stations does the metro have?", subjects).subjects == ("metro",)


def test_an_initialism_subject_is_named_by_the_words_it_spells():
    subjects = ["lfw", "harbour hotel"]
    assert question_scope("How many people does the Labeled Faces in the Wild set show?", subjects).subjects == ("lfw",)
    assert question_scope("How many Labeled Faces are there?", subjects).subjects == ()  # two words spell no initialism
    # "and" joins two names, not the words of one: each spells its own initialism.
    both = question_scope("Compare the Lakeside Fun World and the Harbour Wind Farm.", ["lfw", "hwf"]).subjects
    assert set(both) == {"lfw", "hwf"}


LETTER = """To the Senate and House of Representatives:

The reports of the several Executive Departments will be laid before Congress. The Congress
has before it the report of the Treasury, and the Congress will find in it the receipts of the year.
The Senate has ratified the treaty, and the Congress has passed the tariff.
"""


def test_a_letter_is_about_its_author_not_its_addressee():
    """The salutation and the body name the addressee; the subject is the signature or the file name."""
    unsigned = profile_document(_doc(LETTER, source="messages/1890-Harrison-1.txt"))
    assert unsigned.subject == "Harrison"
    assert unsigned.found_by == "subject: file name (the text is a letter to its addressee); period: file name"
    signed = profile_document(_doc(LETTER + "\nBENJAMIN HARRISON.\n", source="messages/letter.txt"))
    assert signed.subject == "Benjamin Harrison"
    assert signed.found_by.startswith("subject: the letter's signature")
    anonymous = profile_document(_doc(LETTER, source="messages/0a1b2c3d.txt"))
    assert anonymous.subject is None  # never "Congress" or "Senate"


def test_profiles_round_trip_through_the_manifest(tmp_path):
    profile = profile_document(_doc(ANNUAL_10K))
    manifest = Manifest(
        format_version=FORMAT_VERSION, embedder="e", dim=3, chunk_chars=360, chunk_overlap_chars=120,
        dense_kind="flat", corpus=["corpus"], built_at="2026-01-01T00:00:00+00:00",
        files={"a.txt": FileEntry("0" * 64, 10, 1, profile=profile), "b.txt": FileEntry("1" * 64, 5, 1)},
    )
    manifest.write(tmp_path / "manifest.json")
    read = Manifest.read(tmp_path / "manifest.json")
    assert read.files["a.txt"].profile == profile
    assert read.files["b.txt"].profile is None


SUBJECTS = ["Acme Corporation", "Globex Inc.", "International Widget Works"]


def test_question_scope_names_subjects_by_full_name_short_name_or_initials():
    scope = question_scope("What was Acme's capital expenditure in fiscal 2022?", SUBJECTS)
    assert scope.subjects == ("Acme Corporation",)
    assert scope.periods == (Period(PeriodKind.FISCAL_YEAR, year=2022),)
    assert question_scope("How many staff did IWW have in Q2 2021?", SUBJECTS).subjects == ("International Widget Works",)
    assert question_scope("Compare Globex Inc. and Acme Corporation", SUBJECTS).subjects == ("Acme Corporation", "Globex Inc.")
    assert question_scope("What is the acme of the design?", SUBJECTS).subjects == ()  # a common word, not the name
    neither = question_scope("How does the cooling system work?", SUBJECTS)
    assert neither.names_nothing


def test_question_scope_keeps_unknown_names_as_a_hint():
    scope = question_scope("What did Initech spend in 2019?", SUBJECTS)
    assert scope.subjects == () and scope.other_names == ("Initech",)


ACME_2021 = DocumentProfile("Acme Corporation", (_year(2021),), "subject: cover page; period: cover page")
ACME_2022 = DocumentProfile("Acme Corporation", (Period(PeriodKind.FISCAL_YEAR, year=2022),), "cover page")
GLOBEX_2018 = DocumentProfile("Globex Inc.", (_year(2018),), "cover page")
NEWS = DocumentProfile(None, (), "nothing found")


def test_match_outcomes_and_reasons():
    asked = question_scope("What was Acme's capital expenditure in 2018?", SUBJECTS)
    assert match(GLOBEX_2018, asked).outcome is ScopeOutcome.OTHER_SUBJECT
    assert "Globex Inc., not Acme Corporation" in match(GLOBEX_2018, asked).reason
    assert match(ACME_2021, asked).outcome is ScopeOutcome.OTHER_PERIOD
    assert "covers 2021, not 2018" in match(ACME_2021, asked).reason
    assert match(NEWS, asked).outcome is ScopeOutcome.UNKNOWN
    assert match(None, asked).outcome is ScopeOutcome.UNKNOWN
    calendar = question_scope("Acme revenue in 2022", SUBJECTS)
    assert match(ACME_2022, calendar).outcome is ScopeOutcome.MATCH  # FY2022 answers "2022"
    assert match(GLOBEX_2018, QuestionScope((), ())).outcome is ScopeOutcome.MATCH  # names nothing
    review = DocumentProfile("Acme Review", (_year(2018),), "subject: file name")  # from acme-review.txt
    assert match(review, asked).outcome is ScopeOutcome.MATCH
    assert match(DocumentProfile("Acmes", (_year(2018),), "file name"), asked).outcome is ScopeOutcome.OTHER_SUBJECT


def test_a_dated_document_the_question_names_is_the_only_one_that_answers():
    """"Acme's 2021 annual report" names a document: the 2022 report's sentence about 2021 does not answer it."""
    asked = question_scope("In Acme's 2021 annual report, what was the revenue for fiscal 2021?", SUBJECTS)
    assert asked.document_periods == (_year(2021),)
    assert match(ACME_2021, asked).outcome is ScopeOutcome.MATCH
    assert match(ACME_2022, asked).outcome is ScopeOutcome.OTHER_DOCUMENT
    assert "not of 2021" in match(ACME_2022, asked).reason
    figure = question_scope("What was Acme's 2021 revenue?", SUBJECTS)  # a figure's period, not a document's
    assert figure.document_periods == ()
    assert match(ACME_2022, figure).outcome is ScopeOutcome.OTHER_PERIOD  # the claim gate lets its quote's period decide
    pronoun = question_scope("What did Acme say in its December 2021 letter?", SUBJECTS)
    assert [p.canonical for p in pronoun.document_periods] == ["December 2021"]


def test_coverage_note_says_what_the_corpus_has():
    corpus = [ACME_2021, ACME_2022, GLOBEX_2018, NEWS]
    note = coverage_note(corpus, question_scope("What was Acme's revenue in 2019?", SUBJECTS))
    assert note == "The documents cover Acme Corporation's 2021 and FY2022 reports, not 2019."
    note = coverage_note(corpus, question_scope("What was revenue in 2015?", SUBJECTS))
    assert note == "The documents cover Acme Corporation's 2021 and FY2022 and Globex Inc.'s 2018, not 2015."
    assert coverage_note(corpus, question_scope("What was Acme's revenue in 2021?", SUBJECTS)) == ""
    assert coverage_note(corpus, question_scope("How do widgets work?", SUBJECTS)) == ""
    summary = DocumentProfile("Globex Inc.", (Period(PeriodKind.MONTH, year=2018, month=12),), "cover page")
    note = coverage_note([GLOBEX_2018, summary], question_scope("What was revenue in 2015?", SUBJECTS))
    assert note == "The documents cover Globex Inc.'s 2018, not 2015."  # December 2018 is within 2018
    # a guide's release says nothing of which years the corpus covers
    guide = DocumentProfile("Widget Tool", (Period(PeriodKind.VERSION, version=(3, 7)),), "first lines")
    note = coverage_note([GLOBEX_2018, guide], question_scope("What was revenue in 2015?", SUBJECTS))
    assert note == "The documents cover Globex Inc.'s 2018, not 2015."


def test_a_two_year_table_answers_the_fiscal_year_asked():
    """The gate's use: the question's period picks the column of a two-year table header."""
    from rag.periods import pick_column

    asked = question_scope("What was Acme's capital expenditure in fiscal 2022?", SUBJECTS).periods[0]
    header = ["(in millions)", "2023", "2022"]
    assert pick_column(header, asked) == 2
    assert periods_in(header[pick_column(header, asked)])[0].matches(asked)

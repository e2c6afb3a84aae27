"""Fields of the asked kind ("Number of Rooms: 340"), read by code for the side of a question no claim answered."""

from __future__ import annotations

from claims import claim

from rag.answering.fields import field_claims, unanswered_documents
from rag.answering.scope import Scope
from rag.metadata import DocumentProfile
from rag.types import Chunk, Passage


def passage(source: str, text: str) -> Passage:
    return Passage(Chunk(source, text, 0, len(text), 1, 1 + text.count("\n"), ""), score=1.0)


QUESTION = "How many rooms do the harbour and station hotels each have?"
HARBOUR = passage(
    "guides/harbour_hotel.txt",
    "Harbour Hotel\n=============\n\n:Number of Rooms: 340 (12 of them suites)\n:Number of Floors: 9\nOpened in 1998.",
)
STATION = passage("guides/station_hotel.txt", "Station Hotel\n\nRooms          212\nRestaurants      3\n")


SOURCES = {"guides/harbour_hotel.txt", "guides/station_hotel.txt", "guides/hotels.txt"}
NO_PROFILES = Scope.of(QUESTION, {}, lambda source: [])


def test_the_unanswered_side_is_read_from_its_documents_field_of_the_asked_kind():
    station_claim = claim("The station hotel has 212 rooms.", "guides/station_hotel.txt")
    unanswered = unanswered_documents(QUESTION, [station_claim], SOURCES, NO_PROFILES)
    assert unanswered == {"guides/harbour_hotel.txt"}  # its file name names the side no claim speaks of
    claims = field_claims(QUESTION, unanswered, [STATION, HARBOUR])
    assert [c.statement for c in claims] == ["Number of Rooms: 340 (12 of them suites)"]
    [field] = claims
    assert field.spans[0].source == "guides/harbour_hotel.txt" and field.spans[0].line_start == 4
    assert HARBOUR.chunk.text[field.spans[0].start : field.spans[0].end] == field.statement
    station = field_claims(QUESTION, {"guides/station_hotel.txt"}, [STATION, HARBOUR])
    assert [c.statement for c in station] == ["Rooms          212"]  # a label and a figure set apart by spaces
    assert unanswered_documents(QUESTION, [], SOURCES, NO_PROFILES) == set()  # nothing answered: nothing to complete


def test_a_named_subject_no_claim_cites_is_unanswered():
    question = "How many rooms do Seaview Lodge and Hilltop Inn have?"
    profiles = {
        "guides/a.txt": DocumentProfile("Seaview Lodge", (), "title"),
        "guides/b.txt": DocumentProfile("Hilltop Inn", (), "title"),
    }
    scope = Scope.of(question, profiles, lambda source: [])
    answered = claim("Seaview Lodge has 48 rooms.", "guides/a.txt")
    assert unanswered_documents(question, [answered], {"guides/a.txt", "guides/b.txt"}, scope) == {"guides/b.txt"}


def test_no_field_is_read_when_its_label_names_more_than_the_question_or_it_is_not_one_figure():
    harbour = {"guides/harbour_hotel.txt"}
    # A label with a word the question does not use ("Floors") is another field.
    assert field_claims("How many floors do the harbour hotels have?", harbour, [HARBOUR])[0].statement.startswith("Number of Floors")
    assert field_claims("How many suites do the harbour hotels have?", harbour, [HARBOUR]) == []
    # Two values of the asked field in one document: which one is meant is not known.
    twice = passage("guides/harbour_annex.txt", "Rooms    120\nRooms    140\n")
    assert field_claims(QUESTION, {"guides/harbour_annex.txt"}, [twice]) == []
    # A table row of several figures is no field: which of them is asked is the columns' to say.
    row = passage("guides/harbour_rates.txt", "Rooms:    120  140  160\n")
    assert field_claims(QUESTION, {"guides/harbour_rates.txt"}, [row]) == []
    # A figure of another kind than asked is no answer; a document not asked about is not read.
    assert field_claims("How much does a room at the harbour hotel cost?", harbour, [HARBOUR]) == []
    assert field_claims(QUESTION, {"guides/station_hotel.txt"}, [HARBOUR]) == []

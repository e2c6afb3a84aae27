"""Words are compared by a crude stem: endings that only inflect a word do not make it another word."""

from __future__ import annotations

import pytest

from rag.answering.words import content_stems, stem


@pytest.mark.parametrize(
    "forms",
    [("rate", "rates"), ("tax", "taxes"), ("test", "tests", "testing"), ("invest", "investment", "investing"),
     ("country", "countries"), ("class", "classes")],
)
def test_inflected_forms_share_a_stem(forms):
    assert len({stem(word) for word in forms}) == 1


@pytest.mark.parametrize("pair", [("rate", "ratio"), ("status", "state"), ("class", "clash")])
def test_different_words_keep_different_stems(pair):
    assert stem(pair[0]) != stem(pair[1])


def test_function_words_and_numbers_say_nothing_about_what_is_measured():
    assert content_stems("How many instances does the dataset have in 2024?") == {"insta", "datas"}

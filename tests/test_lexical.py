from __future__ import annotations

from rag.store.lexical import LexicalIndex, tokenize


def test_numbers_stay_whole_and_scale_letters_become_words():
    assert tokenize("$7 billion") == ["7", "billion"]
    assert tokenize("US$22B") == ["us", "22", "billion"]
    assert tokenize("USD 6.8B") == ["usd", "6.8", "billion"]
    assert tokenize("52,000 chips") == ["52000", "chip"]
    assert tokenize("296 TOPS.") == ["296", "top"]


def test_stopwords_dropped_and_plurals_folded():
    assert tokenize("What are the chips of the companies") == ["chip", "companie"]


def test_bm25_finds_exact_figures(tmp_path):
    texts = ["The H20 offers 296 TOPS of INT8 compute.", "The budget is $7 billion.", "Nothing here."]
    index = LexicalIndex.build(texts)
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded.search("296 TOPS", k=3, size=3)[0][0] == 0
    assert loaded.search("$7 billion", k=3, size=3)[0][0] == 1
    assert loaded.search("zebra", k=3, size=3) == []

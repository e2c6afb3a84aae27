from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings, describe, load_settings_with_sources
from rag.errors import ConfigError


def test_defaults_work_out_of_the_box():
    settings, sources = load_settings_with_sources({}, environ={})
    assert settings == Settings()
    assert set(sources.values()) == {"default"}


def test_environment_then_flags_override_defaults():
    env = {"RAG_TOP_K": "8", "RAG_INDEX": "/tmp/elsewhere", "RAG_MODEL": "fast"}
    settings, sources = load_settings_with_sources({"model": "/models/mine.gguf"}, environ=env)
    assert settings.top_k == 8 and sources["top_k"] == "env RAG_TOP_K"
    assert settings.index_dir == Path("/tmp/elsewhere") and sources["index_dir"] == "env RAG_INDEX"
    assert settings.model == "/models/mine.gguf" and sources["model"] == "flag"


@pytest.mark.parametrize("value", ["eight", "0", "-3"])
def test_bad_numbers_are_rejected_with_the_setting_named(value):
    with pytest.raises(ConfigError, match="top_k"):
        load_settings_with_sources({}, environ={"RAG_TOP_K": value})


def test_every_setting_is_documented():
    rows = describe(Settings(), {})
    assert all(help_text for _, _, _, help_text in rows)

"""Terminal presentation: colour only when writing to a terminal, and term highlighting."""

from __future__ import annotations

import os
import re
import sys
from typing import TextIO

BOLD_YELLOW = "\033[1;33m"
DIM = "\033[2m"
BOLD = "\033[1m"
RESET = "\033[0m"


def use_colour(stream: TextIO = sys.stdout) -> bool:
    """Colour for an interactive terminal, unless NO_COLOR is set (no-color.org)."""
    return stream.isatty() and "NO_COLOR" not in os.environ


def style(text: str, code: str, enabled: bool) -> str:
    return f"{code}{text}{RESET}" if enabled else text


def highlight_terms(text: str, terms: list[str], enabled: bool) -> str:
    """Wrap each whole-word, case-insensitive occurrence of a term in bold yellow."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not enabled or not words:
        return text
    pattern = re.compile(r"(?<![\w.])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])", re.IGNORECASE)
    return pattern.sub(lambda m: style(m.group(0), BOLD_YELLOW, True), text)


def highlight_span(text: str, start: int, end: int, enabled: bool) -> str:
    """Bold-yellow the characters text[start:end]."""
    if not enabled or start >= end:
        return text
    return text[:start] + style(text[start:end], BOLD_YELLOW, True) + text[end:]

"""Terminal presentation: colour only when writing to a terminal, term highlighting, and escaping
document text so that a file can never send control sequences to the user's terminal."""

from __future__ import annotations

import os
import re
import sys
from typing import TextIO

BOLD_YELLOW = "\033[1;33m"
DIM = "\033[2m"
BOLD = "\033[1m"
RESET = "\033[0m"

# C0 controls but tab and newline, DEL, C1 controls (a lone 0x9b starts a CSI sequence), bidirectional
# overrides that reorder what is shown, and lone surrogates (bytes of a file name that are not UTF-8).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_WITH_NEWLINES = re.compile(_UNSAFE.pattern[:-1] + r"\t\n]")


def printable(text: str, *, newlines: bool = True) -> str:
    """`text` with every character that could control a terminal written as a visible escape.

    ESC becomes the four characters `\x1b`, so an escape sequence in a document (colours,
    cursor moves, OSC 52 clipboard writes) shows as text instead of acting. A byte of a
    non-UTF-8 file name shows as `\xff`. With newlines=False, line breaks and tabs are
    escaped too (for file names on one line). Only for terminal output: JSON stays exact.
    """
    pattern = _UNSAFE if newlines else _UNSAFE_WITH_NEWLINES
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape of a raw byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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

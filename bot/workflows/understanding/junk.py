"""Answers that are not answers: escape sequences, control characters, nothing readable.

An answer is refused (asked again, never stored) when it carries terminal escape
sequences or control characters (what the person's screen showed is not what arrived), or
when it has no letter or digit at all (emoji, punctuation). Surfaces mark removed control
characters with U+FFFD, the replacement character, so the refusal survives cleaning.
"""

from __future__ import annotations

import re
import unicodedata

#: A terminal escape sequence (CSI or OSC) or a lone control character.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?"
                      r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"


def mark_unprintable(text: str) -> str:
    """`text` with each escape sequence or control character replaced by U+FFFD."""
    return _ESCAPES.sub(REPLACEMENT, text)


def junk_kind(text: str) -> str | None:
    """Why `text` cannot be an answer ("control" or "unreadable"), or None if it may be."""
    if REPLACEMENT in text or _ESCAPES.search(text):
        return "control"
    if not any(unicodedata.category(c)[0] in {"L", "N"} for c in text):
        return "unreadable"
    return None

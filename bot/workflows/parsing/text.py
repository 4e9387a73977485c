"""Free-text answers: short text, long text, organisation names and person names."""

from __future__ import annotations

import re

from bot.messages import say
from bot.workflows.parsing.common import (
    Parsed,
    accept,
    as_text,
    normalise_short,
    one_line,
    reject,
    strip_unprintable,
)


def _length_problem(length: int, min_length: int, max_length: int) -> str | None:
    """The re-prompt for an answer of the wrong length, stating the limit, or None if fine."""
    if length == 0 and min_length > 0:
        return say("parsing.text_empty")
    if length < min_length:
        return say("parsing.text_too_short", min_length=min_length)
    if length > max_length:
        return say("parsing.text_too_long", length=length, max_length=max_length)
    return None


def parse_text(text: str, *, min_length: int = 1, max_length: int = 500) -> Parsed:
    """A short single-line answer: trimmed, with every run of whitespace made one space."""
    value = one_line(text)
    problem = _length_problem(len(value), min_length, max_length)
    return reject(problem) if problem else accept(value, value)


_SPACES_IN_LINE = re.compile(r"[^\S\n]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def parse_long_text(text: str, *, min_length: int = 1, max_length: int = 5000) -> Parsed:
    """A longer answer that may have paragraphs: line breaks kept, blank runs and spaces tidied."""
    lines = (_SPACES_IN_LINE.sub(" ", line).strip() for line in strip_unprintable(as_text(text))
             .split("\n"))
    value = _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    problem = _length_problem(len(value), min_length, max_length)
    return reject(problem) if problem else accept(value, value)


# Answers that say there is no organisation; storing them as a name would put "n/a" on a
# published register, so the person is pointed at "skip" instead.
_NO_ORGANISATION = {
    "none", "n/a", "na", "nil", "no", "nobody", "no one", "no organisation",
    "no organization", "not applicable", "no company", "nothing", "-",
}
_WRAPPING = "\"'“”‘’`()[]{}<> "
_TRAILING = ",;:!?"
ORGANISATION_MAX_LENGTH = 200


def parse_organisation(text: str) -> Parsed:
    """An organisation's name: spacing tidied and stray quotes dropped, but case left alone.

    Case is kept because names like "easyJet" or "HSBC" must not be "corrected".
    """
    value = one_line(text).strip(_WRAPPING).rstrip(_TRAILING).strip(_WRAPPING)
    if normalise_short(value) in _NO_ORGANISATION:
        return reject(say("parsing.organisation_none"))
    if not value:
        return reject(say("parsing.organisation_empty"))
    if len(value) > ORGANISATION_MAX_LENGTH:
        return reject(say("parsing.organisation_too_long", length=len(value),
                          max_length=ORGANISATION_MAX_LENGTH))
    return accept(value, value)


_LEAD_WORDS = re.compile(r"^(?:(?:it's|its|it is|that's|thats|that is|is|my|our|the)\s+)+"
                         r"(?=\S+\s+\S)", re.IGNORECASE)


def tidy_person_name(text: str) -> Parsed:
    """A name typed for a person field, tidied for the engine to look up in the directory.

    Slack mentions are resolved by the surface; here a leading "@" is just dropped.
    """
    value = one_line(text).strip(_WRAPPING).lstrip("@").rstrip(_TRAILING).strip()
    # "it's my sergeant, Tom Reid": the name (with any rank, which the directory matches).
    value = _LEAD_WORDS.sub("", value).strip() or value
    if not value:
        return reject(say("parsing.person_empty"))
    if len(value) > ORGANISATION_MAX_LENGTH:
        return reject(say("parsing.person_too_long"))
    return accept(value, value)

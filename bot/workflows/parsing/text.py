"""Free-text answers: short text, long text, organisation names and person names."""

from __future__ import annotations

import re

from bot.workflows.parsing.common import (
    Parsed,
    accept,
    as_text,
    normalise_short,
    one_line,
    reject,
    strip_unprintable,
)

_EMPTY = "I didn't catch an answer there. Please type it in."


def _length_problem(length: int, min_length: int, max_length: int) -> str | None:
    """The re-prompt for an answer of the wrong length, stating the limit, or None if fine."""
    if length == 0 and min_length > 0:
        return _EMPTY
    if length < min_length:
        return f"That's a bit short. Please give at least {min_length:,} characters."
    if length > max_length:
        return (
            f"That's too long ({length:,} characters). "
            f"Please keep it to {max_length:,} characters or fewer."
        )
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
        return reject(
            "If there's no organisation involved, type skip. "
            "Otherwise please type its name, for example 'Acme Security Ltd'."
        )
    if not value:
        return reject("Please type the organisation's name, for example 'Acme Security Ltd'.")
    if len(value) > ORGANISATION_MAX_LENGTH:
        return reject(
            f"That's too long for a name ({len(value):,} characters). Please keep it to "
            f"{ORGANISATION_MAX_LENGTH} characters or fewer."
        )
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
        return reject("Please type the person's name, for example 'Sam Patel'.")
    if len(value) > ORGANISATION_MAX_LENGTH:
        return reject("That's too long for a name. Please type just the person's name.")
    return accept(value, value)

"""A policy's optional check question, written in its front matter: a question, its
options, which one is right, and the section that explains it. Read and checked when a
campaign starts, and kept with the campaign as it was then.

    check:
      question: You decline a bottle of wine from a grateful victim. What must you do?
      options:
        - Nothing, because you declined it
        - Declare the offer in Probity within 7 days
      answer: 2
      section: 4. Declaring every offer in Probity
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.campaigns.policies import NUMBERING
from bot.knowledge.loaders import front_matter

FRONT_MATTER_KEY = "check"
#: Enough to make a person think, few enough to show as one row of buttons in Slack.
MIN_OPTIONS, MAX_OPTIONS = 2, 5
#: Slack cuts a button's label at 75 characters; an option cut short could mislead.
OPTION_LENGTH = 75
_LEADING_NUMBER = re.compile(r"^\s*(?:section\s+)?(\d+(?:\.\d+)*)\.?(?:\s|$)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class CheckError(ValueError):
    """The front matter's check cannot be used; `key` names the message, `fields` fill it."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


@dataclass(frozen=True)
class Check:
    question: str
    options: tuple[str, ...]
    #: The right option's index in `options`.
    answer: int
    #: The heading of the section that explains the answer, as the policy writes it.
    section: str

    def as_record(self) -> dict[str, Any]:
        return {"question": self.question, "options": list(self.options),
                "answer": self.answer, "section": self.section}

    @classmethod
    def from_record(cls, record: Mapping[str, Any] | None) -> Check | None:
        if not record:
            return None
        return cls(record["question"], tuple(record["options"]), int(record["answer"]),
                   record["section"])

    def is_right(self, option: int) -> bool:
        return option == self.answer

    def option_typed(self, text: str) -> int | None:
        """The option a typed reply picks: its number, or its words; None if neither."""
        typed = _plain(text).rstrip(".")
        if typed.isdigit() and 1 <= int(typed) <= len(self.options):
            return int(typed) - 1
        return next((index for index, option in enumerate(self.options)
                     if _plain(option).rstrip(".") == typed), None)


def read_check(front: Mapping[str, Any], sections: Sequence[Mapping[str, str]],
               policy: str) -> Check | None:
    """The check in a policy's front matter, or None if it has none; CheckError when it is
    written so that it could not be asked fairly."""
    raw = front.get(FRONT_MATTER_KEY)
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise CheckError("campaigns.check_not_a_mapping", policy=policy)
    for name in ("question", "options", "answer", "section"):
        if raw.get(name) in (None, "", []):
            raise CheckError("campaigns.check_missing", policy=policy, field=name)
    options = raw["options"]
    if (not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS
            or any(not str(option).strip() or len(str(option).strip()) > OPTION_LENGTH
                   for option in options)):
        raise CheckError("campaigns.check_options", policy=policy, least=MIN_OPTIONS,
                         most=MAX_OPTIONS, length=OPTION_LENGTH)
    texts = tuple(str(option).strip() for option in options)
    if len({_plain(text) for text in texts}) != len(texts):
        raise CheckError("campaigns.check_options_repeated", policy=policy)
    answer = _answer_index(raw["answer"], texts)
    if answer is None:
        raise CheckError("campaigns.check_answer", policy=policy, answer=raw["answer"])
    section = str(raw["section"]).strip()
    if not section_texts(sections, section):
        raise CheckError("campaigns.check_section", policy=policy, section=section)
    return Check(str(raw["question"]).strip(), texts, answer, section)


def policy_check(path: Path, record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The check of the policy file behind a campaign's document `record`, as stored with
    the campaign; only Markdown carries front matter."""
    if path.suffix.lower() not in {".md", ".markdown"}:
        return None
    front, _ = front_matter(path.read_text(encoding="utf-8"))
    check = read_check(front, record["sections"], record["key"])
    return check.as_record() if check is not None else None


def section_texts(sections: Sequence[Mapping[str, str]], wanted: str) -> list[Mapping[str, str]]:
    """The sections a check's `section` names, subsections included: a heading as written
    ("4. Declaring every offer in Probity"), without its number, or its number alone."""
    number = _LEADING_NUMBER.match(wanted)
    words = _plain(NUMBERING.sub("", wanted))
    found = []
    for section in sections:
        for part in section["heading"].split(" > "):
            part_number = _LEADING_NUMBER.match(part)
            if (words and _plain(NUMBERING.sub("", part)) == words) or (
                    not words and number and part_number
                    and part_number.group(1) == number.group(1)):
                found.append(section)
                break
    return found


def _answer_index(answer: object, options: tuple[str, ...]) -> int | None:
    """The right option from `answer`: its number counting from 1, or its exact words."""
    if isinstance(answer, int) and not isinstance(answer, bool):
        return answer - 1 if 1 <= answer <= len(options) else None
    wanted = _plain(str(answer))
    if wanted.isdigit():
        return _answer_index(int(wanted), options)
    return next((index for index, option in enumerate(options) if _plain(option) == wanted),
                None)


def _plain(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()

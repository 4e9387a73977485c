"""What a surface and the core say to each other: a Turn in, Replies out.

Surfaces (Slack, the terminal) build a Turn from whatever arrived and render Replies in their
own way; nothing here knows about Slack or terminals.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

#: The action a surface sends when a person comes back (a new terminal session), so the core
#: can pick up an unfinished draft before anything typed is taken as its answer.
RESUME = "resume"


@dataclass(frozen=True)
class Speaker:
    """Who is speaking, as the surface knows them."""

    surface: str  # "slack", "console"
    surface_id: str  # Slack user id, or the directory key in the terminal
    display_name: str | None = None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_text(text: str) -> str:
    """`text` with every lone surrogate (a half of a UTF-16 pair, which no database or
    encoder accepts) replaced by U+FFFD, so a stray one cannot make a store write fail."""
    return _LONE_SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True)
class Turn:
    """One thing a person did: typed text, pressed a button, or submitted a form.

    Text is scrubbed of lone surrogates here, at the boundary every surface passes.
    """

    speaker: Speaker
    #: Identifies the conversation whose state this turn advances (one per person and place).
    conversation_key: str
    text: str | None = None
    #: The value of a pressed button, e.g. "choice:declined", "confirm", "cancel".
    action: str | None = None
    #: A submitted form: field name -> value already in the field's type where the surface
    #: could provide it (a date picker gives a date), otherwise text to parse.
    form: dict[str, Any] | None = None
    #: Set by surfaces that may deliver one submission twice (a Slack form submitted again):
    #: a record this turn files is kept under the key, and filing it again returns the first.
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        if self.text is not None:
            object.__setattr__(self, "text", scrub_text(self.text))
        if self.form is not None:
            object.__setattr__(self, "form", {key: scrub_text(value) if isinstance(value, str)
                                              else value for key, value in self.form.items()})


@dataclass(frozen=True)
class Citation:
    """Where an answer came from: the document (file name), its title and section."""

    document: str
    title: str
    section: str
    score: float
    text: str


@dataclass(frozen=True)
class Choice:
    """An option a surface can show as a button; `value` comes back as the Turn's action."""

    value: str
    label: str


@dataclass(frozen=True)
class Reply:
    """Something to show the person.

    `kind` lets a surface style it: "message", "question" (a workflow prompt), "answer"
    (a policy answer with citations), "warning" (a policy hint), "problem" (bad input,
    re-prompting), "summary", "filed", "list".
    """

    text: str
    kind: str = "message"
    citations: tuple[Citation, ...] = ()
    choices: tuple[Choice, ...] = ()
    #: For "question" replies: the field being asked and its type, so a surface can offer
    #: a date picker, a user picker, yes/no buttons.
    field: str | None = None
    field_type: str | None = None
    # dataclasses.field spelled out: the attribute `field` above shadows the bare name here.
    #: Extra structured data for rich surfaces (e.g. a summary's rows, a reference).
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: Something shown to this person once and never kept: a report's receipt. It is already
    #: in `text` for plain surfaces; a form surface shows it on its own. Never logged, never
    #: in `data` (which surfaces may log or store), and left out of repr().
    secret: str | None = dataclasses.field(default=None, repr=False)

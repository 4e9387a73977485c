"""Reading free text: dialogue control words, policy questions, and which workflow is meant.

These are about understanding what was typed, not policy: the phrases that suggest each
workflow are data in its definition (`intents`, `commands`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.parsing.words import groups, phrases
from bot.workflows.understanding.junk import REPLACEMENT, mark_unprintable

_CONTROL_WORDS = groups("control")
_DECLARE_WORDS = phrases("declare")
_CHANGE = re.compile(r"^(change|edit|amend|correct)\b", re.IGNORECASE)
# Words people wrap round a command ("yes, submit it please"); they say nothing by themselves.
_POLITE_LEAD = re.compile(r"^(?:yes|yeah|yep|yup|ok|okay|sure|great|fine|thanks|thank you)"
                          r"\b[\s,!.]*")
_POLITE_TRAIL = re.compile(r"[\s,!.]*\b(?:please|thanks|thank you|cheers)$")
_QUESTION_START = re.compile(
    r"^(is|are|can|could|may|might|should|would|will|do|does|did|am|must|what|how|why|when|"
    r"where|who|which|whats|what's|tell me|explain)\b",
    re.IGNORECASE,
)
_DECLARE = re.compile(
    r"^(declare|new|start|register|record|add|file|make)\s+(an?\s+|my\s+|the\s+|some\s+)?"
    r"(?P<what>.+?)(\s+declaration)?$",
    re.IGNORECASE,
)


#: Control characters (NUL, escape, C1) and the bidirectional overrides that make text read
#: differently from how it is stored; line breaks and tabs are kept as whitespace.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """What a person typed, with characters nobody means to store or show marked.

    PostgreSQL refuses NUL in text and JSON, and an escape sequence echoed to a terminal
    can rewrite what is on the screen, so each escape sequence or control character
    becomes U+FFFD before the text is used anywhere; an answer carrying one is then refused
    (bot.workflows.understanding.junk) rather than stored without what was removed
    (an ANSI-coloured "60" once became £0.00).
    """
    return _UNPRINTABLE.sub(REPLACEMENT, mark_unprintable(text))


def normalise(text: str) -> str:
    """Lower case, single spaces, no trailing punctuation: how commands are compared."""
    return " ".join(text.casefold().strip().rstrip(".!").split())


def control_word(text: str) -> str | None:
    """The dialogue command a whole message stands for ("go back" -> "back"), or None.

    "change the value" gives "change"; the engine reads which answer from the text.
    """
    said = normalise(text)
    if not said:
        return None
    for command, spoken in _CONTROL_WORDS.items():
        if said in spoken:
            return command
    if _CHANGE.match(said):
        return "change"
    # "yes submit it", "ok, cancel please": the command inside the polite words, if any.
    inner = said
    while True:  # a loop, not recursion: "yes yes yes ..." can be any length
        shorter = _POLITE_TRAIL.sub("", _POLITE_LEAD.sub("", inner)).strip(" ,!.")
        if shorter == inner:
            break
        inner = shorter
    if not inner or inner == said:
        return None
    # "change" is left out: the engine reads which answer from the whole text.
    return next((command for command, phrases in _CONTROL_WORDS.items() if inner in phrases),
                None)


def looks_like_question(text: str) -> bool:
    """Whether a message is a question (for the policies) rather than an answer."""
    said = text.strip()
    return said.endswith("?") or bool(_QUESTION_START.match(said))


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def match_intent(
    text: str, definitions: Iterable[WorkflowDefinition], min_score: int = 1
) -> WorkflowDefinition | None:
    """The workflow whose intent phrases a message mentions most, or None if none or a tie.

    Each phrase scores its number of words, so longer phrases weigh more ("second job"
    beats "job"); a workflow needs at least `min_score` to count.
    """
    said = normalise(text)
    scores: list[tuple[int, WorkflowDefinition]] = []
    for definition in definitions:
        score = sum(len(phrase.split()) for phrase in definition.intents
                    if _mentions(said, phrase))
        if score:
            scores.append((score, definition))
    if not scores or max(score for score, _ in scores) < min_score:
        return None
    scores.sort(key=lambda pair: -pair[0])
    if len(scores) > 1 and scores[0][0] == scores[1][0]:
        return None
    return scores[0][1]


def match_declare_command(
    text: str, definitions: Iterable[WorkflowDefinition]
) -> tuple[bool, WorkflowDefinition | None]:
    """("declare a gift" -> (True, gift workflow)); (True, None) if the kind is unclear.

    The first element says whether the message was a declare command at all.
    """
    said = normalise(text)
    if said in _DECLARE_WORDS:
        return True, None
    match = _DECLARE.match(said)
    if not match:
        return False, None
    what = match.group("what")
    for definition in definitions:
        if what in definition.commands:
            return True, definition
    # "declare" names only a kind we know; "record my hours" is not ours to claim.
    return (said.startswith("declare"), None)

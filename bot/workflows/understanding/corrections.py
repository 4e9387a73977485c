"""Corrections said in passing: "actually it was 70 not 40", "sorry, I meant declined".

A correction may come at any question, about any earlier answer. This module reads only
the wording: whether a message is a correction, the new words (without the lead-in), and
the old value it replaces when it says one ("70 not 40"). The engine decides which answer
it changes, by reading the new words with each answered field's parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEAD = re.compile(
    r"^\s*(?:(?:oh\s+)?(?:sorry|soz|apologies|oops|whoops|my bad|my mistake)\b[\s,.!-]*|"
    r"actually\b[\s,.!-]*|correction\b[\s,.:!-]*|no\s+wait\b[\s,.!-]*|wait\b[\s,.!-]*|"
    r"hang on\b[\s,.!-]*|hold on\b[\s,.!-]*|scratch that\b[\s,.!-]*|"
    r"i\s+(?:meant|mean)\b[\s,.:!-]*|no\b[\s,]+(?=it\s+was|it's|its|that\s+was|i\s+meant|"
    r"the\s+\w+\s+was|make\s+that))+", re.IGNORECASE)
# What is left once the lead-in is gone may still start "it was", "the value was", "make it".
_FRAME = re.compile(
    r"^\s*(?:it\s+was|it\s+were|it's|its|it\s+is|that\s+was|that\s+should\s+be|should\s+be|"
    r"make\s+(?:that|it)|change\s+(?:that|it)\s+to|it\s+should\s+(?:be|have\s+been)|"
    r"(?:the\s+|my\s+)?(?P<field>[a-z][a-z ]{1,30}?)\s+(?:was|is|should\s+be|were)\b)\s*",
    re.IGNORECASE)
_NOT_OLD = re.compile(r"^(?P<new>.+?)\s*,?\s+(?:not|rather than|instead of)\s+(?P<old>[^,.;]+?)"
                      r"\s*[.!]?$", re.IGNORECASE)


#: "70 not 40" with no correcting word first is a correction only when this short; a longer
#: sentence with "not" in it ("might not last") is an answer.
_BARE_NOT_WORDS = 8


#: "no, it's family court, not criminal" answers a yes/no question; it corrects nothing.
_PLAIN_ANSWER = re.compile(r"^(?:no|nope|nah|yes|yeah|yep|aye|not really|never)\b", re.IGNORECASE)

#: "the date was wrong, it was the 14th": saying an answer is wrong, then what it was.
_WRONG_LEAD = re.compile(r"^\s*(?:the\s+|my\s+)?[a-z][a-z ]{0,30}?\s+(?:was|is)\s+(?:wrong|"
                         r"incorrect|not right|a mistake)\s*[,.;:-]+\s*(?=\S)", re.IGNORECASE)

_JUST_WRONG = re.compile(r"^(?:wrong|incorrect|not right|a mistake|off|mistaken|not correct)\b",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Correction:
    """A message read as a correction: the new answer's words, and what it may name."""

    new: str
    #: The old answer it replaces, when said ("not 40"), else None.
    old: str | None = None
    #: The words naming the answer to change ("the value was ..."), else None.
    field_words: str | None = None
    #: Whether a correcting word led it ("sorry", "actually"), not just "X not Y".
    led: bool = False


def read_correction(text: str) -> Correction | None:
    """The correction `text` makes, or None when it does not read as one.

    A message is a correction when it opens with a correcting word ("actually", "sorry",
    "I meant", "no it was") or says what it replaces ("70 not 40").
    """
    said = " ".join(text.split()).strip()
    lead = _LEAD.match(said) or _WRONG_LEAD.match(said)
    rest = said[lead.end():] if lead else said
    frame = _FRAME.match(rest)
    field_words = None
    if frame:
        field_words = frame.group("field")
        rest = rest[frame.end():]
    rest = rest.strip(" ,.!")
    not_old = _NOT_OLD.match(rest)
    if not_old and (lead or (len(rest.split()) <= _BARE_NOT_WORDS
                             and not _PLAIN_ANSWER.match(rest))):
        return Correction(not_old.group("new").strip(" ,"), not_old.group("old").strip(),
                          field_words, led=lead is not None)
    if lead is None or not rest or _JUST_WRONG.match(rest):
        return None  # "the date is wrong" asks to change it; it is not the new answer
    return Correction(rest, None, field_words, led=True)

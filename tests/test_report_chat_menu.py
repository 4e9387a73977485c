"""The follow-up menu in chat understands the ways reporters say which option they want."""

from __future__ import annotations

import pytest

from bot.reporting.chat import ADD, ANSWER, FINISH, REVEAL, menu_choice
from bot.workflows.intents import normalise


@pytest.mark.parametrize(("said", "expected"), [
    ("answer", ANSWER),
    ("Answer the question", ANSWER),  # seen in acceptance: refused before
    ("answer a question.", ANSWER),
    ("reply to them", ANSWER),
    ("add some more information", ADD),
    ("done thanks", FINISH),
    ("tell them who i am", REVEAL),
])
def test_menu_replies_are_understood(said: str, expected: str) -> None:
    assert menu_choice(normalise(said)) == expected


@pytest.mark.parametrize("said", ["tell them", "reveal me to everyone", "answering", "maybe"])
def test_revealing_is_never_guessed_and_other_words_are_not_options(said: str) -> None:
    assert menu_choice(normalise(said)) is None

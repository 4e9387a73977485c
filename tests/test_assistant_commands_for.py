"""command_for: which keyword command a message is, as surfaces ask before routing it."""

import pytest

from bot.assistant import command_for


@pytest.mark.parametrize(("said", "command"), [
    ("report", "report"),
    ("Speak up!", "report"),
    ("follow up", "follow up"),
    ("follow-up R-2026-0001 1234 5678", "follow up"),
    ("followup R-2026-0001", "follow up"),
    ("my declarations", "my declarations"),
    ("declare a gift", "declare"),
    ("help", "help"),
])
def test_a_keyword_command_is_named(said: str, command: str) -> None:
    assert command_for(said) == command


@pytest.mark.parametrize("said", ["", "can I accept a bottle of wine?", "follow upstairs",
                                  "I want to report a colleague", "reporting lines"])
def test_anything_else_is_no_command(said: str) -> None:
    assert command_for(said) is None

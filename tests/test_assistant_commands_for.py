"""command_for: which keyword command a message is, as surfaces ask before routing it."""

import pytest

from bot.app import standard_plugins
from bot.assistant import Assistant
from bot.casework.service import Casework
from bot.config import Settings


@pytest.fixture(scope="module")
def command_for(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The assistant's command_for, with the standard plug-ins (no store is touched)."""
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    assistant = Assistant(settings, None, None, {},  # type: ignore[arg-type]
                          plugins=standard_plugins(Casework(None, settings)))  # type: ignore[arg-type]
    return assistant.command_for


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
def test_a_keyword_command_is_named(command_for, said: str, command: str) -> None:
    assert command_for(said) == command


@pytest.mark.parametrize("said", ["", "can I accept a bottle of wine?", "follow upstairs",
                                  "I want to report a colleague", "reporting lines"])
def test_anything_else_is_no_command(command_for, said: str) -> None:
    assert command_for(said) is None

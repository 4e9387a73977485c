"""One answer to "is this person in the integrity unit?" for casework and reporting alike."""

from __future__ import annotations

import pytest
from test_report_support import FakeClock, reporting_context

from bot.casework.authorisation import is_integrity_officer
from bot.config import Settings
from bot.handlers import is_handler
from bot.reporting import authorise_handler
from bot.store import Store
from bot.store.models import Person
from bot.turns import Speaker

CASES = [
    # (settings.handlers, surface, surface id, is a handler)
    (("U0PSD1",), "slack", "U0PSD1", True),
    (("slack:U0PSD1",), "slack", "U0PSD1", True),
    ((" owen.price ",), "console", "owen.price", True),
    (("console:owen.price",), "slack", "owen.price", False),
    (("slack:U0PSD1",), "console", "U0PSD1", False),
    (("U0PSD1",), "slack", "U0PSD", False),
    (("Owen Price",), "console", "owen.price", False),  # never by display name
    ((), "slack", "U0PSD1", False),
]


@pytest.mark.parametrize(("handlers", "surface", "surface_id", "expected"), CASES)
def test_is_handler(handlers: tuple[str, ...], surface: str, surface_id: str,
                    expected: bool) -> None:
    assert is_handler(surface, surface_id, handlers) is expected


@pytest.mark.parametrize(("handlers", "surface", "surface_id", "expected"), CASES)
def test_casework_and_reporting_agree_on_who_is_a_handler(
    store: Store, settings: Settings, handlers: tuple[str, ...], surface: str,
    surface_id: str, expected: bool,
) -> None:
    with store.transaction() as session:
        person = Person(surface=surface, surface_id=surface_id, display_name="Owen Price")
        session.add(person)
        session.flush()
        officer = is_integrity_officer(person, handlers)
        context = reporting_context(settings, FakeClock(), handlers=handlers)
        handler = authorise_handler(session, context, Speaker(surface, surface_id, "Owen Price"),
                                    "list")
    assert officer is expected
    assert (handler is not None) is expected

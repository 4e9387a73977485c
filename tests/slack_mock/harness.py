"""The people, channel and objects an end-to-end Slack test works with."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.store import Store
from bot.surfaces.slack.app import web_client
from bot.surfaces.slack.services import SlackServices
from bot.surfaces.web.app import SLACK_EVENTS_PATH
from bot.surfaces.web.server import WebServerThread
from slack_mock.payloads import SlackPayloads
from slack_mock.signing import SignedSender
from slack_mock.web_api import VALID_BOT_TOKEN, MockSlackWebApi

STAFF = "U0STAFF01"
MANAGER = "U0MANAGER"
HANDLER = "U0HANDLER"
OUTSIDER = "U0OUTSIDE"
INTEGRITY_CHANNEL = "C0INTEGRITY"


@dataclass
class SlackHarness:
    """Everything a test needs: the mock Web API, a signed sender, payloads and the store."""

    api: MockSlackWebApi
    send: SignedSender
    payloads: SlackPayloads
    services: SlackServices
    server: WebServerThread

    @property
    def events_url(self) -> str:
        return self.server.url + SLACK_EVENTS_PATH

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def client(self) -> WebClient:
        """A bot-token client on the mock, for work the app does outside a request."""
        return web_client(VALID_BOT_TOKEN, self.api.url)

    def database_text(self) -> str:
        """Every row of every table of both databases (the main store and the reporting
        vault) as text: for asserting what was (not) stored."""
        from sqlalchemy import select

        from bot.store.models import Base, Person
        from bot.store.vault.models import Report, VaultBase

        with self.store.session() as session:
            rows = [repr(tuple(row)) for metadata, routed in ((Base.metadata, Person),
                                                              (VaultBase.metadata, Report))
                    for table in metadata.sorted_tables
                    for row in session.execute(select(table), bind_arguments={"mapper": routed})]
        return "\n".join(rows)

    def run_report_batch(self) -> None:
        """Run the reporting vault's batch as the next day would: reports filed so far reach
        the vault, and the unit can hear of them."""
        import dataclasses
        import datetime as dt
        import random

        from bot.reporting.vault.batch import apply_reporter_batch

        context = self.services.reports.context
        tomorrow = dataclasses.replace(
            context, clock=lambda: context.now() + dt.timedelta(days=1))
        apply_reporter_batch(self.store, tomorrow, random.Random(3), tomorrow.today())

    def refusal_seen(self, user: str) -> str:
        """What a refused button press told `user`: a private message for someone Probity
        knew, or the text of the modal opened at once for someone it had to look up."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            told = [c["text"] for c in self.api.calls_to("chat.postEphemeral")
                    if c["user"] == user]
            shown = [json.dumps(c["view"]) for c in self.api.calls_to("views.update")
                     if c["view"].get("callback_id") == "probity_refused"]
            if told or shown:
                return (told or shown)[-1]
            time.sleep(0.02)
        raise AssertionError(f"{user} was not told of a refusal")

    def opened_view(self, callback_id: str) -> dict[str, Any]:
        """The latest modal the app opened with this callback id: opened straight away, or
        shown in place of the "working" modal a button opens while it looks someone up."""
        deadline = time.monotonic() + 10
        while True:
            calls = [c for c in list(self.api.calls) if c.method in {"views.open", "views.update"}
                     and c["view"].get("callback_id") == callback_id]
            if calls or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if not calls:  # the mock's own message names what was called instead
            calls = self.api.wait_for("views.open", timeout=0,
                                      where=lambda c: c["view"]["callback_id"] == callback_id)
        return {**calls[-1]["view"], "id": f"V{abs(hash(callback_id)) % 10**8:08d}"}



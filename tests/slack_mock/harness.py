"""The people, channel and objects an end-to-end Slack test works with."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store import Store
from bot.surfaces.slack.server import SlackHttpServer
from bot.surfaces.slack.services import SlackServices
from slack_mock.payloads import SlackPayloads
from slack_mock.signing import SignedSender
from slack_mock.web_api import MockSlackWebApi

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
    server: SlackHttpServer

    @property
    def store(self) -> Store:
        return self.services.store



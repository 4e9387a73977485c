"""pytest fixtures that run Probity's Slack app over HTTP against the mock Web API.

Import them into a test module (`from slack_mock.fixtures import slack  # noqa: F401`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT, Settings
from bot.surfaces.slack.app import build_app
from bot.surfaces.slack.credentials import SlackCredentials
from bot.surfaces.slack.server import SlackHttpServer
from bot.surfaces.slack.services import SlackServices
from slack_mock.harness import HANDLER, INTEGRITY_CHANNEL, MANAGER, OUTSIDER, STAFF, SlackHarness
from slack_mock.payloads import SlackPayloads
from slack_mock.signing import SIGNING_SECRET, SignedSender
from slack_mock.web_api import VALID_BOT_TOKEN, MockSlackWebApi


@pytest.fixture
def slack_api() -> Iterator[MockSlackWebApi]:
    with MockSlackWebApi() as api:
        api.add_user(STAFF, "Sam Patel", title="PC 1234")
        api.add_user(MANAGER, "Morgan Reid", title="Inspector")
        api.add_user(HANDLER, "Harper Quinn", title="DS, Anti-Corruption Unit")
        api.add_user(OUTSIDER, "Alex Doyle", title="PC 4321")
        yield api


def usable_workflows(target: Path) -> Path:
    """The bundled workflows whose filer is installed, copied to `target`.

    The report workflow needs the reporting chat's filer; while that is being wired into the
    assistant, the Slack tests run without it rather than fail on someone else's work.
    """
    from bot.workflows.filing import FILERS

    _register_other_filers()
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((PROJECT_ROOT / "workflows").glob("*.yaml")):
        if (yaml.safe_load(path.read_text()) or {}).get("files") in FILERS:
            shutil.copy(path, target / path.name)
    return target


@pytest.fixture
def slack_settings(settings: Settings, slack_api: MockSlackWebApi, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, slack_api_url=slack_api.url, handlers=(HANDLER,),
                               workflows_dir=usable_workflows(tmp_path / "workflows"),
                               integrity_channel=INTEGRITY_CHANNEL,
                               # New reports are announced at once, not after a random delay.
                               report_notify_delay_max_minutes=0)


_installed: list[str] = []


def _register_other_filers() -> None:
    # Until the reporting chat is wired into the assistant by its own module, install it
    # here (once) so workflows/report.yaml validates when the assistant loads.
    if _installed:
        return
    with contextlib.suppress(ImportError):  # ImportError: reporting chat not ready yet
        module = importlib.import_module("bot.reporting.chat")
        from bot.workflows.filing import FILERS

        if "report" not in FILERS and hasattr(module, "install"):
            module.install()
    _installed.append("done")


@pytest.fixture
def slack(slack_settings: Settings, slack_api: MockSlackWebApi) -> Iterator[SlackHarness]:
    _register_other_filers()
    services = SlackServices.open(slack_settings)
    credentials = SlackCredentials(bot_token=VALID_BOT_TOKEN, signing_secret=SIGNING_SECRET)
    app = build_app(services, credentials)
    server = SlackHttpServer(app, "127.0.0.1", 0).start_in_thread()
    slack_api.reset()  # forget auth.test from start-up
    payloads = SlackPayloads(response_url=slack_api.url + "respond")
    yield SlackHarness(slack_api, SignedSender(server.events_url), payloads, services,
                       server)
    server.stop()
    services.store.dispose()

"""`/integrity console` in Slack: a handler is sent a one-time sign-in link by DM; anyone
else is told no, and the attempt is audited."""

from __future__ import annotations

import json

from slack_mock.harness import HANDLER, OUTSIDER, SlackHarness
from sqlalchemy import select

from bot.store.models import AuditEvent
from bot.surfaces.web.console.signin import SIGN_IN_PATH, redeem_link

pytest_plugins = ["slack_mock.fixtures"]


def test_a_handler_gets_a_one_time_link_by_direct_message(slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(HANDLER, "console"))
    responded = json.dumps(slack.api.wait_for("respond")[-1].args)
    assert "direct message" in responded and SIGN_IN_PATH not in responded  # not in channel
    [dm] = slack.api.wait_for("chat.postMessage")
    assert dm.args["channel"].startswith("D")
    text = dm.args["text"]
    token = text.split(SIGN_IN_PATH, 1)[1].split()[0]
    # The link signs the handler in, once.
    assert redeem_link(slack.services.store, slack.services.settings, token)


def test_someone_outside_the_integrity_unit_is_refused(slack: SlackHarness) -> None:
    slack.send.command(slack.payloads.slash_command(OUTSIDER, "console"))
    responded = json.dumps(slack.api.wait_for("respond")[-1].args)
    assert "not in the integrity unit" in responded
    assert not slack.api.calls_to("chat.postMessage")
    with slack.services.store.session() as session:
        assert session.scalars(select(AuditEvent).where(
            AuditEvent.action == "console.link_refused")).all()

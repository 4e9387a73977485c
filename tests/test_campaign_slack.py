"""A campaign in Slack end to end: the fan-out DM with its buttons from the job runner,
"Read the policy" and "I have read and understood it" pressed through signed requests to
the app, and a plain-words acknowledgement typed in the DM (mock Web API)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from slack_mock.harness import STAFF, SlackHarness
from slack_mock.web_api import VALID_BOT_TOKEN
from sqlalchemy import select

from bot.campaigns.audience import Audience
from bot.campaigns.models import Acknowledgement
from bot.campaigns.service import start_campaign
from bot.jobs import Worker, enqueue
from bot.jobs.builtin import build_registry
from bot.surfaces.slack.listeners.campaigns import CAMPAIGN_ACTION
from bot.surfaces.slack.outbox import slack_client, slack_jobs_plugin

pytest_plugins = ["slack_mock.fixtures"]


def fan_out(slack: SlackHarness, policy: str) -> dict:
    """Start a campaign for everyone Probity knows and run the worker; the DM to STAFF."""
    settings = slack.services.settings
    today = dt.datetime.now(dt.UTC).date()
    with slack.store.transaction() as session:
        start_campaign(session, settings.policies_dir, [policy], Audience("everyone"), None,
                       actor="system", today=today)
        enqueue(session, "campaigns.fan_out", {})
    now = [dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)]
    registry = build_registry(dataclasses.replace(settings, slack_api_url=slack.api.url),
                              slack.store, clock=lambda: now[0],
                              plugins=[slack_jobs_plugin(
                                  slack.store, slack_client(VALID_BOT_TOKEN, slack.api.url))])
    slack.api.reset()
    worker = Worker(slack.store, registry, clock=lambda: now[0])
    worker.run_until_idle()  # the fan-out queues the paced DMs
    now[0] += dt.timedelta(minutes=5)
    worker.run_until_idle()  # and they are sent
    return next(dm for dm in slack.api.calls_to("chat.postMessage") if dm["channel"] == STAFF)


def buttons(message: dict) -> dict[str, dict]:
    blocks = message["blocks"] if isinstance(message["blocks"], list) else json.loads(
        message["blocks"])
    return {element["text"]["text"]: element for block in blocks if block["type"] == "actions"
            for element in block["elements"]}


def test_a_campaign_dm_is_read_and_acknowledged_with_its_buttons(slack: SlackHarness) -> None:
    slack.send.event(slack.payloads.direct_message(STAFF, "hello"))
    slack.api.wait_for("chat.postMessage")
    dm = fan_out(slack, "gifts-and-hospitality")
    assert "Gifts and Hospitality (version 3.1): please read the whole policy." in dm["text"]
    shown = buttons(dm)
    assert set(shown) == {"Read the policy", "I have read and understood it"}
    ids = [element["action_id"] for element in shown.values()]
    assert all(i.startswith(CAMPAIGN_ACTION + ":") for i in ids) and len(set(ids)) == len(ids)

    slack.api.reset()
    read = shown["Read the policy"]
    slack.send.interaction(slack.payloads.block_action(STAFF, read["action_id"], read["value"]))
    policy = slack.api.wait_for("chat.postMessage")[0]
    assert "source document: gifts-and-hospitality.md" in json.dumps(policy["blocks"])

    # Acknowledging asks the policy's check question, its options as buttons.
    slack.api.reset()
    ack = shown["I have read and understood it"]
    slack.send.interaction(slack.payloads.block_action(STAFF, ack["action_id"], ack["value"]))
    question = slack.api.wait_for("chat.postMessage")[0]
    assert "One question on Gifts and Hospitality" in question["text"]
    options = buttons(question)
    assert list(options) == ["Nothing: an offer you turned down needs no record",
                             "Declare it in Probity within 7 days, as declined",
                             "Write it in your pocket notebook"]
    assert len({element["action_id"] for element in options.values()}) == 3

    # A wrong answer: the section that explains it, with its source, and the question again.
    slack.api.reset()
    wrong = options["Write it in your pocket notebook"]
    slack.send.interaction(slack.payloads.block_action(STAFF, wrong["action_id"],
                                                       wrong["value"]))
    shown_again = json.dumps([call.args for call in slack.api.wait_for("chat.postMessage")])
    assert "4. Declaring every offer in Probity" in shown_again
    assert "gifts-and-hospitality.md" in shown_again and "Have another go" in shown_again

    slack.api.reset()
    right = options["Declare it in Probity within 7 days, as declined"]
    slack.send.interaction(slack.payloads.block_action(STAFF, right["action_id"],
                                                       right["value"]))
    thanks = slack.api.wait_for("chat.postMessage")[0]
    assert "your acknowledgement of Gifts and Hospitality is recorded" in thanks["text"]
    slack.send.interaction(slack.payloads.block_action(STAFF, right["action_id"],
                                                       right["value"]))
    slack.send.interaction(slack.payloads.block_action(STAFF, ack["action_id"], ack["value"]))
    with slack.store.session() as session:
        assert [(a.subject, a.how, a.check_attempts)
                for a in session.scalars(select(Acknowledgement))] == [
            ("NP-POL-012", "slack_button", 2)]


def test_plain_words_in_the_dm_acknowledge(slack: SlackHarness) -> None:
    slack.send.event(slack.payloads.direct_message(STAFF, "hello"))
    slack.api.wait_for("chat.postMessage")
    fan_out(slack, "social-media")
    slack.api.reset()
    slack.send.event(slack.payloads.direct_message(STAFF, "ok i've read it"))
    thanks = slack.api.wait_for("chat.postMessage")[0]
    assert "is recorded" in thanks["text"]
    with slack.store.session() as session:
        assert [a.how for a in session.scalars(select(Acknowledgement))] == ["chat_words"]


def test_words_in_the_dm_are_asked_the_check_and_a_typed_number_answers_it(
        slack: SlackHarness) -> None:
    slack.send.event(slack.payloads.direct_message(STAFF, "hello"))
    slack.api.wait_for("chat.postMessage")
    fan_out(slack, "business-interests")
    slack.api.reset()
    slack.send.event(slack.payloads.direct_message(STAFF, "done, read and understood"))
    question = slack.api.wait_for("chat.postMessage")[0]
    assert "One question on Business Interests and Secondary Employment" in question["text"]
    assert "Before you start" in buttons(question)
    slack.api.reset()
    slack.send.event(slack.payloads.direct_message(STAFF, "1"))
    thanks = slack.api.wait_for("chat.postMessage")[0]
    assert "your acknowledgement of Business Interests and Secondary Employment is " \
           "recorded" in thanks["text"]
    with slack.store.session() as session:
        assert [(a.how, a.check_attempts)
                for a in session.scalars(select(Acknowledgement))] == [("chat_words", 1)]

"""Small pieces several listeners share: a private word to one person, a casework step
whose refusal or problem is shown under a modal's field and whose DMs wait for the ack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.casework.errors import CaseworkError
from bot.surfaces.slack.notifier import held_until_acknowledged

R = TypeVar("R")


def tell_privately(client: WebClient, body: dict[str, Any], text: str) -> None:
    """Say something only the person who pressed a button sees (their DM outside a channel)."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")
    user = body["user"]["id"]
    if channel:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        client.chat_postMessage(channel=user, text=text)


def casework_step(ack: Ack, block: str, step: Callable[[], R], refused: str) -> R | None:
    """Run a casework step for a modal and acknowledge the submission.

    On refusal or a problem the modal goes back with the reason under `block` and this
    returns None (the core has already audited a refusal). On success the modal is closed
    first, and only then are the DMs the step gave rise to posted, so Slack's three seconds
    are spent on the step alone.
    """
    with held_until_acknowledged() as held:
        try:
            done = step()
        except PermissionError:
            ack(response_action="errors", errors={block: refused})
            return None
        except CaseworkError as problem:
            ack(response_action="errors", errors={block: str(problem)[:300]})
            return None
    ack()
    held.send()
    return done

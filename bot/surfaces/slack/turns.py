"""Translating Slack events and actions into the core's Turns and Speakers."""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.turns import Speaker, Turn

log = logging.getLogger(__name__)

SURFACE = "slack"
_MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\|([^>]*))?>")


def conversation_key(team_id: str | None, user_id: str, place: str | None = None) -> str:
    """One conversation per person (and per channel thread for mentions), as the core expects."""
    key = f"{SURFACE}:{team_id or '-'}:{user_id}"
    return f"{key}:{place}" if place else key


def workspace_key(payload: Mapping[str, Any], context: Mapping[str, Any]) -> str | None:
    """The organisation part of a conversation key: on Enterprise Grid the enterprise id,
    since a user id (W...) is the same in every workspace of the organisation and the same
    person must find the same conversation from each; otherwise the team id."""
    enterprise = (context.get("enterprise_id") or payload.get("enterprise_id")
                  or (payload.get("enterprise") or {}).get("id"))
    if enterprise:
        return str(enterprise)
    team = payload.get("team")
    team_id = team.get("id") if isinstance(team, Mapping) else team
    return team_id or context.get("team_id")


def plain_text_of(slack_text: str, bot_user_id: str | None = None) -> str:
    """What the person typed, without Slack's markup: mentions of the bot dropped, links
    shown as their label or address, and &amp; &lt; &gt; turned back into characters."""
    text = slack_text or ""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", "", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    return html.unescape(" ".join(text.split()))


@dataclass(frozen=True)
class SlackUser:
    """What users.info said about one user that Probity uses: the name it shows and who
    may use Probity (bot.surfaces.slack.access)."""

    id: str
    name: str
    team_id: str | None = None
    #: Guests: multi-channel (restricted) and single-channel (ultra restricted).
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    #: A Slack Connect user of another organisation, seen through a shared channel.
    is_stranger: bool = False
    is_bot: bool = False


class People:
    """Slack users as Speakers, each looked up once per process with users.info.

    Only an answer is remembered: a failed lookup (rate limited, Slack down, no users:read)
    names the person by their id this once and is asked again next time, so a passing
    fault never becomes someone's name for the life of the process.
    """

    def __init__(self) -> None:
        self._users: dict[str, SlackUser] = {}
        self._lock = threading.Lock()
        #: Set by the app at start-up: `speaker` then refuses whoever may not use Probity.
        self.gate: Callable[[SlackUser], None] | None = None

    def speaker(self, client: WebClient, user_id: str) -> Speaker:
        """The user as the core's Speaker; raises access.NotAllowed for someone who may not
        use Probity (before anything about them is stored)."""
        user = self.user(client, user_id)
        if self.gate is not None:
            self.gate(user)
        return Speaker(SURFACE, user_id, user.name)

    def display_name(self, client: WebClient, user_id: str) -> str:
        return self.user(client, user_id).name

    def user(self, client: WebClient, user_id: str) -> SlackUser:
        with self._lock:
            known = self._users.get(user_id)
        if known is not None:
            return known
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            log.warning("users.info failed for a user: %s", error.response.get("error"))
            return SlackUser(user_id, user_id)
        except OSError as error:  # connection refused, timed out
            log.warning("users.info could not be reached: %s", type(error).__name__)
            return SlackUser(user_id, user_id)
        profile = user.get("profile") or {}
        found = SlackUser(
            id=user_id,
            name=(profile.get("real_name") or user.get("real_name")
                  or profile.get("display_name") or user.get("name") or user_id),
            team_id=user.get("team_id"),
            is_restricted=bool(user.get("is_restricted")),
            is_ultra_restricted=bool(user.get("is_ultra_restricted")),
            is_stranger=bool(user.get("is_stranger")),
            is_bot=bool(user.get("is_bot")))
        with self._lock:
            self._users[user_id] = found
        return found

    def known(self, user_id: str) -> SlackUser | None:
        """The user as last looked up, without asking Slack."""
        with self._lock:
            return self._users.get(user_id)

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._users.pop(user_id, None)

    def forget_all(self) -> None:
        with self._lock:
            self._users.clear()


def message_turn(speaker: Speaker, key: str, text: str) -> Turn:
    return Turn(speaker=speaker, conversation_key=key, text=text)


def action_turn(speaker: Speaker, key: str, action: Mapping[str, Any],
                picked_name: str | None = None) -> Turn:
    """A pressed button gives its value; a picked date or person is given as the answer's
    text, which the core parses exactly as if it had been typed (ISO dates, names)."""
    field = _field_of(action.get("block_id", ""))
    kind = action.get("type")
    if kind == "datepicker":
        picked = action.get("selected_date")
        return Turn(speaker, key, text=picked, form={field: picked})
    if kind == "users_select":
        return Turn(speaker, key, text=picked_name or action.get("selected_user"),
                    form={field: action.get("selected_user")})
    if kind == "static_select":
        chosen = action.get("selected_option") or {}
        return Turn(speaker, key, action=chosen.get("value"))
    return Turn(speaker, key, action=action.get("value"))


def _field_of(block_id: str) -> str:
    # blocks.py names input blocks "f:<field>" and choice blocks "c:<field>".
    block_id = block_id.split("~", 1)[0]  # blocks.REPEAT_MARK: a repeat made distinct
    return block_id.split(":", 1)[1] if ":" in block_id else block_id

"""Request bodies shaped like Slack's: events, block actions, view submissions, commands.

Field names and nesting follow Slack's documented payloads, trimmed to what a listener can
read; the values are the fictional Northmoor workspace's.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from slack_mock.web_api import BOT_USER_ID, TEAM_ID

API_APP_ID = "A0PROBITY"


@dataclass
class SlackPayloads:
    """Builds payloads for one workspace; ids count up so every event and view is distinct."""

    team_id: str = TEAM_ID
    #: Where `respond()` posts; point it at the mock Web API so replies are recorded too.
    response_url: str = "https://hooks.invalid/commands/x"
    _serial: Any = field(default_factory=lambda: itertools.count(1))

    def _next(self) -> int:
        return next(self._serial)

    def _ts(self) -> str:
        return f"{int(time.time())}.{self._next():06d}"

    # Events API ---------------------------------------------------------------------------

    def envelope(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "legacy-verification-token-unused",
            "team_id": self.team_id,
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._next():010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": BOT_USER_ID,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": f"4-ctx-{self._next()}",
        }

    def direct_message(self, user: str, text: str, event_id: str | None = None,
                       channel: str | None = None) -> dict[str, Any]:
        ts = self._ts()
        return self.envelope({
            "type": "message", "channel_type": "im", "channel": channel or f"D{user[1:]}",
            "user": user, "text": text, "ts": ts, "event_ts": ts, "team": self.team_id,
            "client_msg_id": f"msg-{self._next()}",
        }, event_id)

    def app_mention(self, user: str, text: str, channel: str = "C0GENERAL") -> dict[str, Any]:
        ts = self._ts()
        return self.envelope({
            "type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts,
            "event_ts": ts, "channel": channel, "team": self.team_id,
        })

    def app_home_opened(self, user: str) -> dict[str, Any]:
        return self.envelope({
            "type": "app_home_opened", "user": user, "channel": f"D{user[1:]}", "tab": "home",
            "event_ts": self._ts(),
        })

    @staticmethod
    def url_verification(challenge: str) -> dict[str, Any]:
        return {"token": "legacy", "challenge": challenge, "type": "url_verification"}

    # Interactivity ------------------------------------------------------------------------

    def _user(self, user: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id}

    def block_action(self, user: str, action_id: str, value: str | None = None, *,
                     block_id: str = "b", channel: str | None = None,
                     message: dict[str, Any] | None = None, view: dict[str, Any] | None = None,
                     selected: dict[str, Any] | None = None) -> dict[str, Any]:
        """A button press (value) or a select/picker choice (`selected`: the action's fields)."""
        action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": block_id,
                                  "action_ts": self._ts()}
        if value is not None:
            action["value"] = value
        if selected:
            action.update(selected)
        payload: dict[str, Any] = {
            "type": "block_actions", "user": self._user(user), "api_app_id": API_APP_ID,
            "token": "legacy", "trigger_id": f"{self._next()}.trigger",
            "team": {"id": self.team_id, "domain": "northmoor"}, "actions": [action],
            "response_url": self.response_url,
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0")}
            payload["view"] = view
        else:
            channel = channel or f"D{user[1:]}"
            msg = message or {"ts": self._ts(), "text": "", "blocks": []}
            payload["container"] = {"type": "message", "message_ts": msg["ts"],
                                    "channel_id": channel, "is_ephemeral": False}
            payload["channel"] = {"id": channel, "name": "directmessage"}
            payload["message"] = msg
        return payload

    def view_submission(self, user: str, view: dict[str, Any],
                        values: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Submit `view` (as the app opened it) with `values`: {block_id: {action_id: state}}."""
        submitted = {**view, "id": view.get("id", f"V{self._next():08d}"),
                     "team_id": self.team_id, "state": {"values": values},
                     "hash": f"h{self._next()}"}
        return {
            "type": "view_submission", "team": {"id": self.team_id, "domain": "northmoor"},
            "user": self._user(user), "api_app_id": API_APP_ID, "token": "legacy",
            "trigger_id": f"{self._next()}.trigger", "view": submitted,
            "response_urls": [],
        }

    def shortcut(self, user: str, callback_id: str) -> dict[str, Any]:
        return {"type": "shortcut", "callback_id": callback_id, "user": self._user(user),
                "team": {"id": self.team_id, "domain": "northmoor"}, "token": "legacy",
                "trigger_id": f"{self._next()}.trigger", "action_ts": self._ts()}

    def slash_command(self, user: str, text: str, command: str = "/integrity",
                      channel: str = "C0GENERAL") -> dict[str, str]:
        """A slash command as Slack posts it: form fields, not JSON."""
        return {
            "token": "legacy", "team_id": self.team_id, "team_domain": "northmoor",
            "channel_id": channel, "channel_name": "general", "user_id": user,
            "user_name": user.lower(), "command": command, "text": text,
            "api_app_id": API_APP_ID, "is_enterprise_install": "false",
            "response_url": self.response_url,
            "trigger_id": f"{self._next()}.trigger",
        }


def input_values(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fill a modal the app built: {block_id: answer} -> Slack's view.state.values shape.

    Each answer is put in the form the block's element reports it: plain text for inputs,
    selected_option for static selects and radio buttons, selected_date for date pickers,
    selected_user for user pickers.
    """
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input" or block["block_id"] not in answers:
            continue
        element = block["element"]
        answer = answers[block["block_id"]]
        kind = element["type"]
        if kind in {"static_select", "radio_buttons"}:
            option = next(o for o in element["options"] if o["value"] == answer)
            state = {"type": kind, "selected_option": option}
        elif kind == "datepicker":
            state = {"type": kind, "selected_date": answer}
        elif kind == "users_select":
            state = {"type": kind, "selected_user": answer}
        elif kind == "number_input":
            state = {"type": kind, "value": str(answer)}
        else:
            state = {"type": kind, "value": answer}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def as_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload)

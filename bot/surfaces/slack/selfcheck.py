"""The start-up self-check: the bot token works, the integrity channel exists with Probity
in it, and the scopes Slack granted cover every Web API method and event Probity uses.

`probity serve` runs it before serving and stops on a problem; `probity serve --check`
runs only this. Each problem is one plain sentence saying what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.messages import say

#: Each scope Probity needs and what it is for (the manifest requests exactly these).
REQUIRED_SCOPES: Mapping[str, str] = {
    "app_mentions:read": "app_mention events",
    "chat:write": "chat.postMessage, chat.update, chat.postEphemeral",
    "commands": "/integrity, shortcuts",
    "im:history": "message.im events (direct messages)",
    "users:read": "users.info (names, guests, other organisations)",
}
#: conversations.info on the integrity channel needs one of these (private or public).
CHANNEL_SCOPES = ("groups:read", "channels:read")


@dataclass
class CheckResult:
    """What the check found: lines to print, and the problems that stop start-up."""

    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def self_check(client: WebClient, integrity_channel: str | None) -> CheckResult:
    result = CheckResult()
    try:
        auth = client.auth_test()
    except SlackApiError as error:
        result.problems.append(say("slack.check_token", code=_code(error)))
        return result
    except OSError as error:
        result.problems.append(say("slack.check_unreachable", url=client.base_url,
                                   error=type(error).__name__))
        return result
    result.passed.append(say("slack.check_token_ok", team=auth.get("team") or "-",
                             user=auth.get("user") or "-"))
    granted = granted_scopes(auth.headers)
    if granted is None:
        result.passed.append(say("slack.check_scopes_unknown"))
    else:
        missing = [f"{scope} ({why})" for scope, why in REQUIRED_SCOPES.items()
                   if scope not in granted]
        if integrity_channel and not granted.intersection(CHANNEL_SCOPES):
            missing.append(f"{' or '.join(CHANNEL_SCOPES)} (conversations.info)")
        if missing:
            result.problems.append(say("slack.check_scopes_missing", missing="; ".join(missing)))
        else:
            result.passed.append(say("slack.check_scopes_ok"))
    if not integrity_channel:
        result.passed.append(say("slack.check_no_channel"))
        return result
    try:
        channel = client.conversations_info(channel=integrity_channel)["channel"]
    except SlackApiError as error:
        result.problems.append(say("slack.check_channel_missing", channel=integrity_channel,
                                   code=_code(error)))
        return result
    if not channel.get("is_member"):
        result.problems.append(say("slack.check_not_member", channel=integrity_channel,
                                   name=channel.get("name") or integrity_channel))
    else:
        result.passed.append(say("slack.check_channel_ok",
                                 name=channel.get("name") or integrity_channel))
    return result


def granted_scopes(headers: Mapping[str, Any]) -> set[str] | None:
    """The x-oauth-scopes header as a set; None when Slack did not send it."""
    for name, value in dict(headers or {}).items():
        if name.lower() == "x-oauth-scopes":
            text = value[0] if isinstance(value, list) else str(value)
            return {scope.strip() for scope in text.split(",") if scope.strip()}
    return None


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error") or "unknown_error")

"""Who may use Probity from Slack: this organisation's members, and guests only if allowed.

Slack Connect brings people of other organisations into shared channels, and an app
installed in one workspace of an Enterprise Grid hears from its other workspaces; neither
may declare, report or ask. A refusal keeps nothing: no Person row, no conversation, no
draft; the person is told so in plain words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.messages import say
from bot.surfaces.slack.turns import SlackUser

log = logging.getLogger(__name__)

EXTERNAL = "external"
GUEST = "guest"


class NotAllowed(Exception):  # noqa: N818 - read as a verdict: the person is not allowed
    """Raised where a Slack user who may not use Probity was met; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def text(self) -> str:
        return say("slack.refused_guest" if self.reason == GUEST else "slack.refused_external")


@dataclass(frozen=True)
class Workspace:
    """Where Probity is installed: its team and, on Enterprise Grid, its organisation."""

    team_id: str | None
    enterprise_id: str | None = None


def installed_in(body: Mapping[str, Any], context: Mapping[str, Any]) -> Workspace:
    authorizations = body.get("authorizations") or [{}]
    return Workspace(
        team_id=context.get("team_id") or authorizations[0].get("team_id")
        or body.get("team_id") or (body.get("team") or {}).get("id"),
        enterprise_id=context.get("enterprise_id") or authorizations[0].get("enterprise_id")
        or body.get("enterprise_id") or (body.get("enterprise") or {}).get("id"))


def sender_of(body: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(user id, their team, their enterprise) as the payload says, without asking Slack."""
    event = body.get("event") or {}
    if body.get("type") == "event_callback":
        team = event.get("user_team") or event.get("source_team") or event.get("team")
        return event.get("user"), team, None
    user = body.get("user")
    if isinstance(user, Mapping):  # interactions: block_actions, view_submission, shortcuts
        return user.get("id"), user.get("team_id"), (body.get("enterprise") or {}).get("id")
    # Slash commands: user_id, and the team the command ran in.
    return body.get("user_id"), body.get("user_team_id") or body.get("team_id"), \
        body.get("enterprise_id")


def refusal_for_payload(body: Mapping[str, Any], home: Workspace) -> str | None:
    """EXTERNAL when the payload itself shows a sender from outside the organisation."""
    event = body.get("event") or {}
    if event.get("is_stranger") or (event.get("user_profile") or {}).get("is_stranger"):
        return EXTERNAL
    _, team, enterprise = sender_of(body)
    if team is None or home.team_id is None or team == home.team_id:
        return None
    if home.enterprise_id and enterprise == home.enterprise_id:
        return None  # another workspace of the same Enterprise Grid organisation
    if home.enterprise_id and enterprise is None and body.get("type") == "event_callback":
        # Grid events name the user's workspace, not their organisation: a stranger is
        # flagged by Slack (is_stranger, checked above and by users.info).
        return None
    return EXTERNAL


def refusal_for_user(user: SlackUser, home: Workspace, *, allow_guests: bool) -> str | None:
    """EXTERNAL or GUEST for a looked-up user who may not use Probity; None if they may."""
    if user.is_stranger:
        return EXTERNAL
    if user.team_id and home.team_id and user.team_id != home.team_id \
            and not home.enterprise_id:
        return EXTERNAL
    if (user.is_restricted or user.is_ultra_restricted) and not allow_guests:
        return GUEST
    return None

"""The Slack tokens Probity needs, read from Slack's usual variable names and checked up front."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.messages import say


class SlackSetupError(RuntimeError):
    """Slack cannot be reached with what was configured; the message says what to fix."""


@dataclass(frozen=True)
class SlackCredentials:
    """SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_APP_TOKEN.

    They keep Slack's own names (not PROBITY_*) because Slack's set-up pages, Bolt and every
    hosting guide use them, and they are secrets that `probity config` should never print.
    """

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SlackCredentials:
        environ = os.environ if environ is None else environ
        return cls(
            bot_token=(environ.get("SLACK_BOT_TOKEN") or "").strip() or None,
            signing_secret=(environ.get("SLACK_SIGNING_SECRET") or "").strip() or None,
            app_token=(environ.get("SLACK_APP_TOKEN") or "").strip() or None,
        )

    def check(self, socket_mode: bool) -> None:
        """Raise SlackSetupError listing every missing or malformed value for this mode."""
        problems = []
        if not self.bot_token:
            problems.append(say("slack.no_bot_token"))
        elif not self.bot_token.startswith("xoxb-"):
            problems.append(say("slack.not_a_bot_token"))
        if socket_mode:
            if not self.app_token:
                problems.append(say("slack.no_app_token"))
            elif not self.app_token.startswith("xapp-"):
                problems.append(say("slack.not_an_app_token"))
        elif not self.signing_secret:
            problems.append(say("slack.no_signing_secret"))
        if problems:
            raise SlackSetupError("; ".join(problems))

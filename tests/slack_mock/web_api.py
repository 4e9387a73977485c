"""The mock Web API the Slack tests use: it lives in the package so `probity bench slack`
can run against it too (bot.surfaces.slack.mock_web_api)."""

from bot.surfaces.slack.mock_web_api import (
    BOT_USER_ID,
    TEAM_ID,
    VALID_APP_TOKEN,
    VALID_BOT_TOKEN,
    MockSlackWebApi,
    RecordedCall,
    repeated_ids,
)

__all__ = ["BOT_USER_ID", "TEAM_ID", "VALID_APP_TOKEN", "VALID_BOT_TOKEN", "MockSlackWebApi",
           "RecordedCall", "repeated_ids"]

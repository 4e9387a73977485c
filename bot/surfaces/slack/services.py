"""The core as the Slack surface sees it: one object holding the store and Probity's services.

Listeners reach the core only through here, so the surface holds no business rules and
there is one place that adapts the core's APIs to what Slack needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass
class SlackServices:
    settings: Settings
    store: Store

    @classmethod
    def open(cls, settings: Settings) -> SlackServices:
        return cls(settings=settings, store=Store.open(settings))

"""The thresholds casework applies, gathered from settings and the workflow catalogue.

An organisation tunes its gift limit and review cycle in workflows/*.yaml, read once by the
validated loader (bot.workflows.catalogue); the settings are the fallback when a workflow
does not say. Nothing here hard-codes a force's numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.store.models import DeclarationKind
from bot.workflows.catalogue import WorkflowCatalogue
from bot.workflows.definitions import DefinitionError

log = logging.getLogger(__name__)

#: Review cycle used only when neither workflow nor caller names one (the domain's 12 months).
FALLBACK_REVIEW_MONTHS = 12
#: Offers from one donor inside this many days are counted together (the policy's 12 months).
REPEAT_WINDOW_DAYS = 365


@dataclass(frozen=True)
class CaseworkRules:
    """Every number a decision or cross-check depends on, in one place."""

    decision_target_days: int
    gift_limit_pence: int
    review_months: int
    compliance_check_days: int
    senior_ranks: tuple[str, ...]
    handlers: tuple[str, ...]
    match_threshold: float = 90.0
    repeat_window_days: int = REPEAT_WINDOW_DAYS
    #: Offers from one donor to one person in the window before a finding is raised.
    repeat_person_threshold: int = 2
    #: Offers from one donor to different people in one team before a finding is raised.
    repeat_team_threshold: int = 3
    #: How far back "no declarations in a year" looks.
    senior_silence_days: int = 365
    timezone: str = "Europe/London"
    #: The gift workflow's yes/no answer to "is a tender running?".
    tender_field: str = "tender_running"

    @classmethod
    def from_settings(cls, settings: Settings,
                      catalogue: WorkflowCatalogue | None = None) -> CaseworkRules:
        """The rules from `catalogue` (the root's, loaded once), else from the configured
        workflows; settings give whatever the workflows do not say."""
        if catalogue is None:
            catalogue = _catalogue_or_none(settings)
        gift_limit = catalogue.gift_limit_pence() if catalogue else None
        review = catalogue.review_cycle_months(DeclarationKind.BUSINESS_INTEREST) \
            if catalogue else None
        tender = catalogue.tender_field() if catalogue else None
        return cls(
            decision_target_days=settings.decision_target_days,
            gift_limit_pence=gift_limit or settings.gift_value_limit_pence,
            review_months=review or FALLBACK_REVIEW_MONTHS,
            compliance_check_days=settings.compliance_check_days,
            senior_ranks=settings.senior_ranks,
            handlers=settings.handlers,
            timezone=settings.timezone,
            tender_field=tender or "tender_running",
        )

    def local_date(self, instant: dt.datetime) -> dt.date:
        """The calendar day an instant falls on where the force works (due dates are days)."""
        return instant.astimezone(ZoneInfo(self.timezone)).date()

    def is_senior(self, rank: str | None) -> bool:
        """Whether `rank` is listed as senior; "Det. Supt" counts as "Supt"."""
        if not rank:
            return False
        return normalise_rank(rank) in _senior_set(self.senior_ranks)


@lru_cache(maxsize=16)
def _senior_set(ranks: tuple[str, ...]) -> frozenset[str]:
    # A force has tens of thousands of staff and a few dozen rank spellings: normalise once.
    return frozenset(normalise_rank(rank) for rank in ranks)


@lru_cache(maxsize=4096)
def normalise_rank(rank: str) -> str:
    """A rank compared without case, dots or a detective prefix (a detective rank is the rank)."""
    words = re.sub(r"[.\s]+", " ", rank).strip().casefold().split()
    if len(words) > 1 and words[0] in ("det", "detective"):
        words = words[1:]
    return " ".join(words)


def _catalogue_or_none(settings: Settings) -> WorkflowCatalogue | None:
    # Casework commands run without the assistant; a workflow folder that cannot be loaded
    # leaves the settings' numbers in force (the assistant itself refuses to start on it).
    try:
        return WorkflowCatalogue.load(settings.workflows_dir,
                                      policies_dir=settings.policies_dir)
    except DefinitionError as error:
        log.warning("workflows not loaded for casework rules (%s); using settings", error)
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` on, landing on the month's last day when it is shorter (29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))

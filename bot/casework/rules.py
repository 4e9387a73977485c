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
<<<<<<< HEAD
from bot.yamlio import load_yaml
=======
from bot.workflows.catalogue import WorkflowCatalogue
from bot.workflows.definitions import DefinitionError

log = logging.getLogger(__name__)
>>>>>>> arch

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


<<<<<<< HEAD
def _load_workflow(directory: Path, kind: str) -> Any:
    for suffix in (".yaml", ".yml"):
        path = directory / f"{kind}{suffix}"
        if path.is_file():
            with path.open(encoding="utf-8") as handle:
                return load_yaml(handle)
    return None


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key).lower()))
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, path)
    else:
        yield path, node


def _gift_limit(definition: Any) -> int | None:
    """The gift workflow's value limit in pence, wherever in the file it is declared.

    The workflow schema belongs to another part of Probity and may still move, so this looks
    for any key naming a value limit rather than one exact path; a key ending "_pence" is
    pence, any other number is pounds.
    """
    for path, value in _walk(definition):
        if not path or isinstance(value, bool):
            continue
        name = path[-1]
        joined = "_".join(path)
        if not re.search(r"(value_?limit|limit_?(pence|pounds)?$|gift_?limit)", joined):
            continue
        if "limit" not in name and not name.startswith(("pence", "pounds", "value", "amount")):
            continue
        amount = _number(value)
        if amount is None or amount <= 0:
            continue
        return int(amount) if name.endswith("pence") else round(amount * 100)
    return None


def _tender_field(definition: Any) -> str | None:
    """The name of the gift workflow's yes/no question about a running tender, if it has one."""
    fields = definition.get("fields") if isinstance(definition, dict) else None
    for spec in fields or ():
        if isinstance(spec, dict) and spec.get("type") == "yes_no" \
                and "tender" in str(spec.get("name", "")).lower():
            return str(spec["name"])
    return None


def _review_months(definition: Any) -> int | None:
    """The business-interest workflow's review cycle in months ("12 months", 12, "1 year")."""
    for path, value in _walk(definition):
        joined = "_".join(path)
        if "review" not in joined:
            continue
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d+)\s*(months?|years?)\s*", value, re.I)
            if match:
                number = int(match.group(1))
                return number * 12 if match.group(2).lower().startswith("year") else number
        amount = _number(value)
        if amount is None or amount <= 0:
            continue
        if "month" in joined:
            return int(amount)
        if "year" in joined:
            return int(amount * 12)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
=======
def _catalogue_or_none(settings: Settings) -> WorkflowCatalogue | None:
    # Casework commands run without the assistant; a workflow folder that cannot be loaded
    # leaves the settings' numbers in force (the assistant itself refuses to start on it).
    try:
        return WorkflowCatalogue.load(settings.workflows_dir,
                                      policies_dir=settings.policies_dir)
    except DefinitionError as error:
        log.warning("workflows not loaded for casework rules (%s); using settings", error)
>>>>>>> arch
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` on, landing on the month's last day when it is shorter (29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))

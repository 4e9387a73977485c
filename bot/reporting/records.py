"""The values the reporting service takes and gives: report content, views, refusals, errors."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from bot.messages import say
from bot.reporting.deadlines import Breach
from bot.reporting.receipts import Receipt

#: How a reporter's own thread entries may be labelled; handlers' are "message" or "question".
ReporterKind = Literal["message", "answer"]
HandlerKind = Literal["message", "question"]

#: Longest single piece of text accepted, so one report cannot fill the database.
MAX_TEXT = 20_000


@dataclass(frozen=True)
class ReportContent:
    """What a reporter tells the integrity unit; all of it is sealed (the category is also
    listed in clear, but only as a value from a fixed list)."""

    category: str
    what_happened: str
    when_and_where: str
    who_is_involved: str | None = None
    evidence: str | None = None
    raised_elsewhere: str | None = None

    def __post_init__(self) -> None:
        if not self.category.strip() or len(self.category) > 60:
            raise ValueError(say("reporting.needs_category"))
        if not self.what_happened.strip():
            raise ValueError(say("reporting.needs_what_happened"))
        for value in asdict(self).values():
            if value is not None and len(value) > MAX_TEXT:
                raise ValueError(say("reporting.part_too_long", limit=MAX_TEXT))

    def sealed_form(self) -> str:
        # The category as the reporter gave it is sealed too; the clear column holds only a
        # value from the workflow's fixed list (see bot.reporting.categories).
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_sealed_form(cls, listed_category: str, text: str) -> ReportContent:
        body = json.loads(text)
        # Reports sealed before the category was sealed too have only the listed one.
        body.setdefault("category", listed_category)
        return cls(**body)


@dataclass(frozen=True)
class ConfidentialReporter:
    """Who made a confidential report (or revealed themselves): seen by handlers only.

    There is deliberately no way to pass one of these to the anonymous submission.
    """

    surface: str
    surface_id: str
    display_name: str
    #: Anything else the reporter wants handlers to know, e.g. how they prefer to be met.
    note: str | None = None

    def sealed_form(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_sealed_form(cls, text: str) -> ConfidentialReporter:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class Submission:
    """What a reporter is shown, once, after submitting."""

    reference: str
    receipt: Receipt = field(repr=False)


@dataclass(frozen=True)
class ThreadEntry:
    """One message in a report's thread, as its reader may see it."""

    author: str  # "reporter", "integrity unit", or (for handlers) the handler's name
    kind: str  # "message", "question", "answer", "status"
    text: str
    on: dt.date


@dataclass(frozen=True)
class ReporterView:
    """What a reporter with the right receipt sees."""

    reference: str
    mode: str
    category: str
    status: str
    received_on: dt.date
    content: ReportContent
    thread: tuple[ThreadEntry, ...]
    outcome: str | None = None

    @property
    def open_questions(self) -> int:
        """Handler questions not yet followed by an answer from the reporter."""
        waiting = 0
        for entry in self.thread:
            if entry.kind == "question":
                waiting += 1
            elif entry.author == "reporter" and entry.kind == "answer":
                waiting = 0
        return waiting

    @property
    def closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class CaseSummary:
    """A line in a handler's list of reports."""

    reference: str
    mode: str
    category: str
    status: str
    received_on: dt.date
    acknowledge_due: dt.date
    feedback_due: dt.date
    breaches: tuple[Breach, ...]
    messages: int


@dataclass(frozen=True)
class HandlerView:
    """Everything a handler may see of one report, including a confidential reporter."""

    summary: CaseSummary
    content: ReportContent
    thread: tuple[ThreadEntry, ...]
    identity: ConfidentialReporter | None
    outcome: str | None


@dataclass(frozen=True)
class AccessRefused:
    """A reference and receipt that did not open a report, or an attempt made too soon.

    Deliberately the same for an unknown reference and a wrong receipt.
    """

    throttled: bool
    retry_after: dt.timedelta = dt.timedelta(0)
    #: What was typed is not twenty digits at all (a group left out, a letter). Says nothing
    #: about the report, so a surface may say so; it still counted as a failed attempt.
    not_a_receipt: bool = False


class ReportingError(Exception):
    """A request the reporting service will not carry out; the message is safe to show."""


class ReportClosed(ReportingError):
    def __init__(self, reference: str) -> None:
        super().__init__(say("reporting.closed_no_messages", reference=reference))


class UnknownReport(ReportingError, LookupError):
    def __init__(self, reference: str) -> None:
        super().__init__(say("reporting.no_such_report", reference=reference))


class NotAHandler(ReportingError, PermissionError):
    def __init__(self) -> None:
        super().__init__(say("reporting.not_a_handler"))


class DuplicateSubmission(ReportingError):
    """The same submission arrived twice (a surface retry); the first one stands."""

    def __init__(self, reference: str) -> None:
        super().__init__(say("reporting.already_received", reference=reference))
        self.reference = reference

"""Telling a declarant what the integrity unit did, through whichever surface reaches them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.casework.outcomes import describe
from bot.messages import say
from bot.store.models import Decision, Declaration


@dataclass(frozen=True)
class DeclarantNotice:
    """What to tell a declarant, as plain values: safe to use after the transaction closes."""

    reference: str
    kind: str
    #: Where the declarant can be reached: the surface ("slack", "console") and its id.
    surface: str
    surface_id: str
    display_name: str
    #: "decision", "appeal_decision" or "information_requested".
    event: str
    outcome: str | None = None
    rationale: str | None = None
    conditions: str | None = None
    question: str | None = None

    @property
    def text(self) -> str:
        """The message in plain words; a surface may render it richer."""
        if self.event == "information_requested":
            return say("casework.notice_information_requested", reference=self.reference,
                       question=self.question)
        heading = say("casework.notice_heading_appeal") if self.event == "appeal_decision" \
            else say("casework.notice_heading_declaration")
        lines = [f"{heading} {self.reference}: {describe(self.outcome or '')}.",
                 f"Why: {self.rationale}"]
        if self.conditions:
            lines.append(f"Conditions: {self.conditions}")
        return "\n".join(lines)


def decision_notice(declaration: Declaration, decision: Decision) -> DeclarantNotice:
    person = declaration.person
    return DeclarantNotice(
        reference=declaration.reference, kind=declaration.kind, surface=person.surface,
        surface_id=person.surface_id, display_name=person.display_name,
        event="appeal_decision" if decision.stage == "appeal" else "decision",
        outcome=decision.outcome, rationale=decision.rationale, conditions=decision.conditions,
    )


def question_notice(declaration: Declaration, question: str) -> DeclarantNotice:
    person = declaration.person
    return DeclarantNotice(
        reference=declaration.reference, kind=declaration.kind, surface=person.surface,
        surface_id=person.surface_id, display_name=person.display_name,
        event="information_requested", question=question,
    )


class Notifier(Protocol):
    """Delivers notices to declarants; Slack sends a direct message."""

    def notify(self, notice: DeclarantNotice) -> None: ...


class StoredOnlyNotifier:
    """The terminal's notifier: nothing to send, the outcome shows under "my declarations"
    because it is in the Decision table already."""

    def notify(self, notice: DeclarantNotice) -> None:
        return None


@dataclass
class RecordingNotifier:
    """Keeps every notice, for tests and dry runs."""

    sent: list[DeclarantNotice] = field(default_factory=list)

    def notify(self, notice: DeclarantNotice) -> None:
        self.sent.append(notice)

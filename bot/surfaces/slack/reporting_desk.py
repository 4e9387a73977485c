"""The reporting service as the Slack surface calls it: one transaction per call.

`file_anonymous` takes only the report's content and an idempotency key; there is no way to
hand it a Slack payload, so the user, team, channel, view and trigger ids cannot reach it.
`file_confidential` also takes the reporter, which the reporting service seals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.reporting import (
    AccessRefused,
    ConfidentialReporter,
    DuplicateSubmission,
    Handler,
    HandlerView,
    ReportContent,
    ReporterView,
    ReportingContext,
    Submission,
    add_reporter_message,
    authorise_handler,
    change_status,
    open_report,
    read_report,
    reply,
    submit_anonymous_report,
    submit_confidential_report,
)
from bot.store import Store
from bot.turns import Speaker

#: The parts of a report, as ReportContent names them; a report form's fields use these names.
CONTENT_FIELDS = ("category", "what_happened", "when_and_where", "who_is_involved", "evidence",
                  "raised_elsewhere")


@dataclass(frozen=True)
class AlreadyFiled:
    """A repeated submission: the first one stands and its receipt was shown then."""

    reference: str


def report_content(answers: Mapping[str, Any]) -> ReportContent:
    """ReportContent from a form's answers; raises ValueError naming what is missing."""
    parts = {name: (str(answers[name]).strip() if answers.get(name) not in (None, "") else None)
             for name in CONTENT_FIELDS}
    return ReportContent(
        category=parts["category"] or "", what_happened=parts["what_happened"] or "",
        when_and_where=parts["when_and_where"] or "", who_is_involved=parts["who_is_involved"],
        evidence=parts["evidence"], raised_elsewhere=parts["raised_elsewhere"],
    )


@dataclass
class ReportDesk:
    store: Store
    context: ReportingContext

    def file_anonymous(self, content: ReportContent, idempotency_key: str
                       ) -> Submission | AlreadyFiled:
        try:
            with self.store.transaction() as session:
                return submit_anonymous_report(session, self.context, content,
                                               idempotency_key=idempotency_key)
        except DuplicateSubmission as duplicate:
            return AlreadyFiled(duplicate.reference)

    def file_confidential(self, content: ReportContent, reporter: ConfidentialReporter,
                          idempotency_key: str) -> Submission | AlreadyFiled:
        try:
            with self.store.transaction() as session:
                return submit_confidential_report(session, self.context, content, reporter,
                                                  idempotency_key=idempotency_key)
        except DuplicateSubmission as duplicate:
            return AlreadyFiled(duplicate.reference)

    def open(self, reference: str, receipt: str, *, sender_id: str | None = None
             ) -> ReporterView | AccessRefused:
        sender = None if sender_id is None else self.context.guesses.sender("slack", sender_id)
        with self.store.transaction() as session:
            return open_report(session, self.context, reference, receipt, sender=sender)

    def add_message(self, reference: str, receipt: str, text: str, *, answering: bool
                    ) -> ReporterView | AccessRefused:
        with self.store.transaction() as session:
            return add_reporter_message(session, self.context, reference, receipt, text,
                                        "answer" if answering else "message")

    def authorise(self, speaker: Speaker, attempted: str) -> Handler | None:
        # Its own transaction, so a refusal's audit event is kept whatever happens next.
        with self.store.transaction() as session:
            return authorise_handler(session, self.context, speaker, attempted)

    def read(self, handler: Handler, reference: str) -> HandlerView:
        with self.store.transaction() as session:
            return read_report(session, self.context, handler, reference)

    def respond(self, handler: Handler, reference: str, *, message: str | None,
                question: bool, status: str | None, outcome: str | None) -> HandlerView:
        """A handler's message and/or status change, together or not at all."""
        with self.store.transaction() as session:
            view = None
            if message:
                view = reply(session, self.context, handler, reference, message,
                             "question" if question else "message")
            if status:
                view = change_status(session, self.context, handler, reference, status,
                                     outcome or None)
            return view or read_report(session, self.context, handler, reference)

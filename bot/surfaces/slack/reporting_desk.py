"""The reporting service as the Slack surface calls it: one transaction per call.

Reports themselves are filed through the form API (Assistant.file_form, with no speaker for
an anonymous one); this desk serves what comes after: the reporter's follow-up and the
handlers' reading, replies and status changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reporting import (
    AccessRefused,
    Handler,
    HandlerView,
    ReporterView,
    ReportingContext,
    add_reporter_message,
    authorise_handler,
    change_status,
    open_report,
    read_report,
    reply,
)
from bot.store import Store
from bot.turns import Speaker


@dataclass
class ReportDesk:
    store: Store
    context: ReportingContext

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

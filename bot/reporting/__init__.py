"""Anonymous and confidential reports of wrongdoing: receipts, sealing, two-way follow-up."""

from bot.reporting.context import ReportingContext
from bot.reporting.handling import (
    DueNotice,
    Handler,
    announce_due,
    authorise_handler,
    change_status,
    due_notifications,
    list_reports,
    mark_notified,
    read_report,
    reply,
)
from bot.reporting.records import (
    AccessRefused,
    CaseSummary,
    ConfidentialReporter,
    DuplicateSubmission,
    HandlerView,
    NotAHandler,
    ReportClosed,
    ReportContent,
    ReporterView,
    ReportingError,
    Submission,
    ThreadEntry,
    UnknownReport,
)
from bot.reporting.reporter import (
    add_reporter_message,
    open_report,
    reveal_identity,
    submit_anonymous_report,
    submit_confidential_report,
)

__all__ = [
    "AccessRefused", "CaseSummary", "ConfidentialReporter", "DueNotice", "DuplicateSubmission",
    "Handler", "HandlerView", "NotAHandler", "ReportClosed", "ReportContent", "ReporterView",
    "ReportingContext", "ReportingError", "Submission", "ThreadEntry", "UnknownReport",
    "add_reporter_message", "announce_due", "authorise_handler", "change_status",
    "due_notifications",
    "list_reports", "mark_notified", "open_report", "read_report", "reply", "reveal_identity",
    "submit_anonymous_report", "submit_confidential_report",
]

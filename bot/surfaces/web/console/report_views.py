"""A report's page for handlers: its content, the thread, a reply or question, its status.

Every call goes through bot.reporting.handling, which checks the handler and audits the
read itself; nothing here sees or logs who reported.
"""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response

from bot.messages import say
from bot.reporting import handling
from bot.reporting.context import ReportingContext
from bot.reporting.records import ReportingError, UnknownReport
from bot.store.models import Person
from bot.store.vault.models import ReportStatus
from bot.surfaces.web.console.context import ConsoleContext
from bot.surfaces.web.console.routing import Call, back_to


def _handler(session: object, call: Call) -> handling.Handler:
    person = session.get(Person, call.user.person_id)  # type: ignore[attr-defined]
    return handling.Handler(person.id, person.surface_id, person.display_name, person.surface)


def show_report(context: ConsoleContext, call: Call, problem: str | None = None,
                status_code: int = 200) -> Response:
    reporting = ReportingContext.from_settings(context.settings, clock=context.clock)
    reference = call.request.path_params["reference"]
    try:
        with context.store.transaction() as session:
            view = handling.read_report(session, reporting, _handler(session, call), reference)
    except UnknownReport:
        return context.render(call.request, "refused.html", call.user, status_code=404,
                              reason="console.report_unknown")
    return context.render(call.request, "report.html", call.user, view=view, problem=problem,
                          notice=call.arg("notice"), statuses=list(ReportStatus)[1:],
                          entered=dict(call.form or {}), status_code=status_code)


def reply_to_report(context: ConsoleContext, call: Call) -> Response:
    reporting = ReportingContext.from_settings(context.settings, clock=context.clock)
    reference = call.request.path_params["reference"]
    kind: Literal["message", "question"] = \
        "question" if call.field("kind") == "question" else "message"
    text = call.field("text")
    if not text:
        return show_report(context, call, problem=say("console.report_reply_empty"),
                           status_code=400)
    try:
        with context.store.transaction() as session:
            handling.reply(session, reporting, _handler(session, call), reference, text, kind)
    except ReportingError as error:
        return show_report(context, call, problem=str(error), status_code=400)
    return back_to(f"/console/reports/{reference}", notice="sent")


def change_report_status(context: ConsoleContext, call: Call) -> Response:
    reporting = ReportingContext.from_settings(context.settings, clock=context.clock)
    reference = call.request.path_params["reference"]
    try:
        with context.store.transaction() as session:
            handling.change_status(session, reporting, _handler(session, call), reference,
                                   call.field("status"), call.field("outcome") or None)
    except ReportingError as error:
        return show_report(context, call, problem=str(error), status_code=400)
    return back_to(f"/console/reports/{reference}", notice="status_changed")

"""A report's page for handlers: its content, the thread, a reply or question, its status.

Every call goes through bot.reporting.handling, which checks the handler and audits the
read itself; nothing here sees or logs who reported.
"""

from __future__ import annotations

from typing import Literal

from starlette.responses import Response

from bot.messages import say
from bot.reporting import attachments, handling
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
            handler = _handler(session, call)
            view = handling.read_report(session, reporting, handler, reference)
            files = attachments.attachments_of(session, reporting, handler, reference)
    except UnknownReport:
        return context.render(call.request, "refused.html", call.user, status_code=404,
                              reason="console.report_unknown")
    return context.render(call.request, "report.html", call.user, view=view, problem=problem,
                          files=files, removed_list=attachments.removed_list,
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


def download_attachment(context: ConsoleContext, call: Call) -> Response:
    """One attachment, as the reporter's cleaned file: the only way handlers receive it.

    Sent as a download (never shown inline, so a document cannot run in the console's
    origin) and never cached; opening it is audited by the core.
    """
    reporting = ReportingContext.from_settings(context.settings, clock=context.clock)
    reference = call.request.path_params["reference"]
    try:
        n = int(call.request.path_params["n"])
        with context.store.transaction() as session:
            opened = attachments.open_attachment(session, reporting, _handler(session, call),
                                                 reference, n)
    except (ValueError, ReportingError):
        return context.render(call.request, "refused.html", call.user, status_code=404,
                              reason="console.attachment_unknown")
    return Response(opened.data, media_type=opened.info.media_type, headers={
        "Content-Disposition": f'attachment; filename="{opened.info.name}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

"""The queues: declarations and reports needing action, by age against the target, and
a line manager's endorsements."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response

from bot.casework.assignments import assign, assignees, handlers_known
from bot.casework.errors import CaseworkError
from bot.casework.followup import decision_due
from bot.casework.queries import OPEN_STATUSES, search_declarations
from bot.reporting import handling
from bot.reporting.context import ReportingContext
from bot.reporting.records import CaseSummary
from bot.store.models import Declaration, DeclarationStatus, Person
from bot.surfaces.web.console.context import ConsoleContext
from bot.surfaces.web.console.filters import read_filters
from bot.surfaces.web.console.routing import Call, back_to

PER_PAGE = 25


def queue_rows(context: ConsoleContext, declarations: list[Declaration],
               owners: dict[str, Person]) -> list[dict[str, object]]:
    today = context.today()
    rows = []
    for declaration in declarations:
        filed = context.rules.local_date(declaration.submitted_at)
        due = decision_due(declaration, context.rules)
        waiting = declaration.status in OPEN_STATUSES
        rows.append({
            "declaration": declaration, "age": (today - filed).days, "due": due,
            "late": waiting and today > due, "days_late": (today - due).days,
            "assignee": owners.get(declaration.reference)})
    return rows


def queue(context: ConsoleContext, call: Call) -> Response:
    filters = read_filters(call.request.query_params, tuple(sorted(OPEN_STATUSES)),
                           me=call.user.person_id)
    with context.store.session() as session:
        found = search_declarations(session, filters.search, filters.page, PER_PAGE)
        owners = assignees(session, [d.reference for d in found.declarations])
        rows = queue_rows(context, found.declarations, owners)
        handlers = [(p.id, p.display_name) for p in handlers_known(session,
                                                                   context.settings.handlers)]
    reports = _reports_needing_action(context, call) if filters.page == 1 else []
    with context.store.session() as session:
        report_owners = {ref: person.id for ref, person in assignees(
            session, [r.reference for r in reports]).items()}
    context.audit_view(call.user, "queue", None, {
        "filters": {k: v for k, v in filters.values.items() if v}, "page": filters.page,
        "shown": [d.reference for d in found.declarations]})
    return context.render(call.request, "queue.html", call.user, filters=filters, found=found,
                          rows=rows, reports=reports, report_owners=report_owners,
                          handlers=handlers,
                          statuses=list(DeclarationStatus),
                          notice=call.arg("notice"), target=context.rules.decision_target_days)


def _reports_needing_action(context: ConsoleContext, call: Call) -> list[CaseSummary]:
    reporting = ReportingContext.from_settings(context.settings, clock=context.clock)
    with context.store.transaction() as session:
        person = session.get(Person, call.user.person_id)
        assert person is not None
        handler = handling.Handler(person.id, person.surface_id, person.display_name,
                                   person.surface)
        listed = handling.list_reports(session, reporting, handler)
    return [summary for summary in listed if summary.status != "closed"]


def assign_case(context: ConsoleContext, call: Call) -> Response:
    reference = call.field("reference")
    chosen = call.field("handler")
    try:
        with context.store.transaction() as session:
            by = session.get(Person, call.user.person_id)
            assert by is not None
            handler = session.get(Person, int(chosen)) if chosen.isdigit() else None
            assign(session, context.settings.handlers, reference, handler, by)
    except CaseworkError:
        return back_to(call.field("back") or "/console/queue", notice="assign_failed")
    return back_to(call.field("back") or "/console/queue", notice="assigned")


def endorsements(context: ConsoleContext, call: Call) -> Response:
    """A line manager's page: the declarations naming them that wait for their endorsement."""
    with context.store.session() as session:
        waiting = list(session.scalars(
            select(Declaration).where(
                Declaration.line_manager_id == call.user.person_id,
                Declaration.status == DeclarationStatus.AWAITING_ENDORSEMENT)
            .order_by(Declaration.submitted_at)))
        rows = queue_rows(context, waiting, {})
        for row in rows:
            _ = row["declaration"].person  # type: ignore[attr-defined]
    context.audit_view(call.user, "endorsements", None,
                       {"shown": [d.reference for d in waiting]})
    return context.render(call.request, "endorsements.html", call.user, rows=rows)

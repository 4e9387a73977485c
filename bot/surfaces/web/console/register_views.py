"""The internal registers with filters, a CSV export, and publishing a quarter."""

from __future__ import annotations

import datetime as dt
import io

from starlette.responses import Response

from bot.casework.errors import CaseworkError
from bot.casework.publication import PublicationConfig, Quarter, parse_quarter
from bot.casework.publishing import (
    exclude,
    exclusion_reasons,
    include,
    preview,
    publish,
    published_copies,
)
from bot.casework.queries import search_declarations
from bot.casework.registers import REGISTERS, matching_entries, write_csv
from bot.messages import say
from bot.store.audit import record_event
from bot.store.models import DeclarationStatus, Person, PublishedRegister
from bot.surfaces.web.console.context import ConsoleContext
from bot.surfaces.web.console.filters import read_filters
from bot.surfaces.web.console.routing import Call, back_to

PER_PAGE = 50


def registers(context: ConsoleContext, call: Call) -> Response:
    filters = read_filters(call.request.query_params)
    with context.store.session() as session:
        found = search_declarations(session, filters.search, filters.page, PER_PAGE,
                                    oldest_first=False)
        rows = [(d, d.person) for d in found.declarations]
    context.audit_view(call.user, "register", filters.values.get("register") or None, {
        "filters": {k: v for k, v in filters.values.items() if v}, "page": filters.page,
        "shown": len(rows)})
    return context.render(call.request, "registers.html", call.user, filters=filters,
                          found=found, rows=rows, registers=list(REGISTERS),
                          statuses=list(DeclarationStatus))


def export_csv(context: ConsoleContext, call: Call) -> Response:
    filters = read_filters(call.request.query_params)
    with context.store.session() as session:
        entries = matching_entries(session, context.rules, filters.search, context.clock())
    buffer = io.StringIO()
    write_csv(entries, buffer)
    # Exports carry personal data out of the store, so who took one is recorded.
    with context.store.transaction() as session:
        record_event(session, call.user.actor, "register.exported",
                     filters.values.get("register") or "all", {
                         "filters": {k: v for k, v in filters.values.items() if v},
                         "format": "csv", "records": len(entries), "output": "console"})
    name = f"register-{filters.values.get('register') or 'all'}.csv"
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


def _config(context: ConsoleContext) -> PublicationConfig:
    return PublicationConfig.load(context.settings.knowledge_dir / "publication.yaml")


def _last_quarter(today: dt.date, scheme: str) -> str:
    """The last quarter that has ended, as parse_quarter reads it under `scheme`."""
    year, number = today.year, (today.month - 1) // 3
    if number == 0:
        year, number = year - 1, 4
    if scheme == "financial":  # financial Q1 is April to June; January to March is Q4
        return f"{year}Q{number - 1}" if number > 1 else f"{year - 1}Q4"
    return f"{year}Q{number}"


def _quarter(context: ConsoleContext, call: Call, config: PublicationConfig) -> Quarter:
    text = call.field("quarter") or call.arg("quarter") or \
        _last_quarter(context.today(), config.quarters)
    return parse_quarter(text, config.quarters)


def publish_page(context: ConsoleContext, call: Call, problem: str | None = None,
                 status_code: int = 200) -> Response:
    config = _config(context)
    try:
        quarter = _quarter(context, call, config)
    except CaseworkError as error:
        quarter, problem = parse_quarter(_last_quarter(context.today(), config.quarters),
                                         config.quarters), str(error)
    with context.store.session() as session:
        entries = preview(session, config, quarter)
        reasons = {ref: (e.action, e.reason) for ref, e in
                   exclusion_reasons(session, quarter).items()}
        copies = [(c.id, c.quarter, c.format, c.entries, c.published_at)
                  for c in published_copies(session)]
    context.audit_view(call.user, "publication_preview", "gifts",
                       {"quarter": quarter.label, "entries": len(entries)})
    return context.render(call.request, "publish.html", call.user, config=config,
                          quarter=quarter, entries=entries, reasons=reasons, copies=copies,
                          problem=problem, notice=call.arg("notice"),
                          code=f"{quarter.start.year}Q{quarter.label[-1]}",
                          status_code=status_code)


def _publish_path(call: Call) -> str:
    return "/console/publish"


def exclude_entry(context: ConsoleContext, call: Call) -> Response:
    config = _config(context)
    try:
        quarter = _quarter(context, call, config)
        with context.store.transaction() as session:
            by = session.get(Person, call.user.person_id)
            assert by is not None
            exclude(session, context.settings.handlers, quarter, call.field("reference"),
                    call.field("action"), call.field("reason"), by)
    except CaseworkError as error:
        return publish_page(context, call, problem=str(error), status_code=400)
    return back_to(_publish_path(call), quarter=call.field("quarter"), notice="excluded")


def include_entry(context: ConsoleContext, call: Call) -> Response:
    config = _config(context)
    try:
        quarter = _quarter(context, call, config)
        with context.store.transaction() as session:
            by = session.get(Person, call.user.person_id)
            assert by is not None
            include(session, context.settings.handlers, quarter, call.field("reference"), by)
    except CaseworkError as error:
        return publish_page(context, call, problem=str(error), status_code=400)
    return back_to(_publish_path(call), quarter=call.field("quarter"), notice="restored")


def publish_quarter(context: ConsoleContext, call: Call) -> Response:
    config = _config(context)
    if call.field("confirm") != "yes":
        return publish_page(context, call, problem=say("console.publish_confirm_needed"),
                            status_code=400)
    try:
        quarter = _quarter(context, call, config)
        with context.store.transaction() as session:
            by = session.get(Person, call.user.person_id)
            publish(session, context.settings.handlers, config, quarter, by)
    except CaseworkError as error:
        return publish_page(context, call, problem=str(error), status_code=400)
    return back_to(_publish_path(call), quarter=call.field("quarter"), notice="published")


def published_copy(context: ConsoleContext, call: Call) -> Response:
    with context.store.session() as session:
        copy = session.get(PublishedRegister, int(call.request.path_params["copy"]))
        if copy is None:
            return context.render(call.request, "refused.html", call.user, status_code=404,
                                  reason="console.copy_unknown")
        content, fmt, quarter = copy.content, copy.format, copy.quarter
    name = f"gifts-register-{quarter.replace(' ', '')}.{fmt}"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "text/html; charset=utf-8"
    return Response(content, media_type=media, headers={
        "content-disposition": f'attachment; filename="{name}"'})

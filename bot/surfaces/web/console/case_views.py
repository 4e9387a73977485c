"""A declaration's case page, and the steps taken from it: decide, ask, answer, endorse,
decide an appeal. Each step is the same Casework call the CLI and Slack make."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bot.casework.assignments import assignees, handlers_known
from bot.casework.checks import findings_for
from bot.casework.endorsement import can_endorse, latest_endorsement
from bot.casework.errors import CaseworkError, NotAuthorised, UnknownDeclaration
from bot.casework.followup import time_to_decision
from bot.casework.labels import outcome_label
from bot.casework.outcomes import OUTCOMES_BY_KIND
from bot.casework.queries import (
    OPEN_STATUSES,
    appeals_for,
    current_decision,
    get_declaration,
    open_appeal,
    open_question,
    predecessor,
)
from bot.casework.registers import declarant_snapshot
from bot.messages import say
from bot.store.models import Declaration, DeclarationStatus, Person
from bot.surfaces.web.console.context import ConsoleContext
from bot.surfaces.web.console.routing import Call, back_to


def case_path(reference: str) -> str:
    return f"/console/cases/{reference}"


def _case(context: ConsoleContext, call: Call, reference: str) -> dict[str, Any] | None:
    """Everything the case page shows, or None if the person may not see this record."""
    with context.store.session() as session:
        declaration = get_declaration(session, reference)
        me = session.get(Person, call.user.person_id)
        if not call.user.is_handler and not can_endorse(me, declaration):
            return None
        appeals = appeals_for(session, declaration)
        replaced = predecessor(session, declaration)
        successor = session.get(Declaration, declaration.superseded_by_id) \
            if declaration.superseded_by_id else None
        history = list(declaration.history)
        view: dict[str, Any] = {
            "declaration": declaration,
            "person": declaration.person,
            "line_manager": declaration.line_manager,
            "snapshot": declarant_snapshot(declaration),
            "answers": context.answer_labels.rows(declaration.kind, {
                key: value for key, value in (declaration.answers or {}).items()
                if not str(key).startswith("_")}, context.settings.zone),
            "decisions": [(d, d.decided_by) for d in declaration.decisions],
            "standing": current_decision(declaration),
            "endorsement": latest_endorsement(declaration),
            "history": history,
            "appeals": appeals,
            "open_appeal": open_appeal(session, declaration),
            "question": open_question(declaration),
            "timing": time_to_decision(declaration, context.rules, context.clock()),
            "replaced": replaced.reference if replaced else None,
            "successor": successor.reference if successor else None,
            "findings": findings_for(session, context.rules, declaration, context.today())
            if call.user.is_handler else [],
            "outcomes": [(outcome, outcome_label(outcome))
                         for outcome in OUTCOMES_BY_KIND.get(declaration.kind, {})],
            "may_decide": call.user.is_handler and declaration.status in OPEN_STATUSES,
            "may_endorse": can_endorse(me, declaration)
            and declaration.status in OPEN_STATUSES,
            "assignee": assignees(session, [declaration.reference]).get(declaration.reference),
            "handlers": [(p.id, p.display_name) for p in
                         handlers_known(session, context.settings.handlers)]
            if call.user.is_handler else [],
            "appealed": declaration.status == DeclarationStatus.APPEALED,
        }
        # Read while the session is open; the template runs after it closes.
        for change in history:
            _ = change.note
    return view


def show_case(context: ConsoleContext, call: Call, problem: str | None = None,
              status_code: int = 200) -> Response:
    reference = call.request.path_params["reference"]
    try:
        view = _case(context, call, reference)
    except UnknownDeclaration:
        return context.render(call.request, "refused.html", call.user, status_code=404,
                              reason="console.case_unknown")
    if view is None:
        return context.render(call.request, "refused.html", call.user, status_code=403,
                              reason="console.case_not_yours")
    context.audit_view(call.user, "case", view["declaration"].reference)
    return context.render(call.request, "case.html", call.user, problem=problem,
                          entered=dict(call.form or {}), notice=call.arg("notice"),
                          status_code=status_code, **view)


def _step(context: ConsoleContext, call: Call, take: Any, notice: str) -> Response:
    """Take a step; a refusal or a problem re-shows the page with what was typed kept."""
    reference = call.request.path_params["reference"]
    try:
        take(reference)
    except NotAuthorised as refused:
        return show_case(context, call, problem=str(refused), status_code=403)
    except CaseworkError as problem:
        return show_case(context, call, problem=str(problem), status_code=400)
    return back_to(case_path(reference.upper()), notice=notice)


def decide(context: ConsoleContext, call: Call) -> Response:
    outcome, rationale = call.field("outcome"), call.field("rationale")
    conditions = call.field("conditions") or None
    return _step(context, call, lambda reference: context.casework.decide(
        reference, outcome, rationale, conditions=conditions, by=call.user.person_id,
        now=context.clock()), "decided")


def ask(context: ConsoleContext, call: Call) -> Response:
    question = call.field("question")
    return _step(context, call, lambda reference: context.casework.request_information(
        reference, question, by=call.user.person_id, now=context.clock()), "asked")


def answer(context: ConsoleContext, call: Call) -> Response:
    text = call.field("answer")
    return _step(context, call, lambda reference: context.casework.provide_information(
        reference, text, by=call.user.person_id, now=context.clock()), "answered")


def endorse(context: ConsoleContext, call: Call) -> Response:
    choice, rationale = call.field("endorsed"), call.field("rationale")
    if choice not in ("yes", "no"):
        return show_case(context, call, problem=say("console.endorse_choose"), status_code=400)
    return _step(context, call, lambda reference: context.casework.endorse(
        reference, choice == "yes", rationale, by=call.user.person_id, now=context.clock()),
        "endorsed")


def decide_appeal(context: ConsoleContext, call: Call) -> Response:
    outcome, rationale = call.field("outcome"), call.field("rationale")
    conditions = call.field("conditions") or None
    return _step(context, call, lambda reference: context.casework.decide_appeal(
        reference, outcome, rationale, conditions=conditions, by=call.user.person_id,
        now=context.clock()), "appeal_decided")

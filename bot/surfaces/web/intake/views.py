"""The report pages: make a report, keep the receipt, come back to follow it up.

Nothing here reads the client's address, user agent or any header beyond the two that say
whether a post came from our own pages (tokens.same_site); nothing is logged; no cookie is
set. The report is filed through the form API with no speaker (Assistant.file_form), the
same anonymous path the chat and Slack take, and each attachment goes through
bot.reporting.attachments, so every write is sealed and waits in the spool, dated to the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.assistant import Assistant
from bot.messages import say
from bot.reporting import add_reporter_message, open_report
from bot.reporting.attachments import (
    AttachmentInfo,
    AttachmentRefused,
    Cleaned,
    add_attachment,
    clean_upload,
    megabytes,
    reporter_attachments,
)
from bot.reporting.context import ReportingContext
from bot.reporting.records import AccessRefused, ReporterView, ReportingError
from bot.surfaces.web.intake.pacing import Pacing
from bot.surfaces.web.intake.posting import TooLarge, read_form, uploads
from bot.surfaces.web.intake.report_form import (
    ATTACHMENTS_FIELD,
    answers_to_file,
    check_answers,
    entered_answers,
    web_fields,
)
from bot.surfaces.web.intake.sessions import FollowUp, FollowUpSessions
from bot.surfaces.web.intake.tokens import FormTokens, same_site
from bot.workflows.definitions import WorkflowDefinition

HERE = Path(__file__).resolve().parent
#: At most this many files in one form (the report's own limit is MAX_ATTACHMENTS).
FILES_PER_FORM = 3
#: Text fields besides files, in bytes, that one post may carry.
TEXT_ALLOWANCE = 2 * 1024 * 1024
#: Every page: nothing cached by the browser or anything between (a shared computer).
NO_STORE = {"cache-control": "no-store, max-age=0", "pragma": "no-cache",
            "cross-origin-resource-policy": "same-origin"}
REPORT, FOLLOW_UP, THREAD = "report", "follow-up", "thread"


@dataclass
class Intake:
    """What the pages need, built once by part.py."""

    assistant: Assistant
    definition: WorkflowDefinition
    reporting: ReportingContext
    tokens: FormTokens
    pacing: Pacing
    sessions: FollowUpSessions = field(default_factory=FollowUpSessions)
    max_bytes: int = 10 * 1024 * 1024
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html"]))
        self.templates.globals["say"] = say

    @property
    def post_limit(self) -> int:
        return self.max_bytes * FILES_PER_FORM + TEXT_ALLOWANCE

    def render(self, template: str, status_code: int = 200, **values: Any) -> Response:
        page = self.templates.get_template(template).render(
            max_bytes=self.max_bytes, max_megabytes=megabytes(self.max_bytes),
            files_per_form=FILES_PER_FORM, **values)
        return HTMLResponse(page, status_code=status_code, headers=NO_STORE)

    def today(self) -> dt.date:
        return self.reporting.today()


# -- making a report ----------------------------------------------------------------------


def report_page(intake: Intake, entered: dict[str, str] | None = None,
                problems: dict[str, str] | None = None, status_code: int = 200) -> Response:
    problems = problems or {}
    fields = web_fields(intake.definition, entered or {}, problems)
    return intake.render(
        "report.html", status_code, fields=fields, problems=problems,
        attachments_field=ATTACHMENTS_FIELD, attachments_problem=problems.get(
            ATTACHMENTS_FIELD), general_problem=problems.get(""),
        token=intake.tokens.issue(REPORT), challenge=intake.pacing.challenge(),
        title=intake.definition.title)


async def show_report_form(intake: Intake, request: Request) -> Response:
    return report_page(intake)


async def posted_form(intake: Intake, request: Request,
                      unreadable: Callable[[str], Response]) -> FormData | Response:
    """A same-site post's form with its files, or the page that answers the post instead:
    refused from another site, too big, or unreadable (`unreadable(problem)`, the page it
    was posted from again)."""
    if not same_site(request):
        return refused(intake)
    try:
        return await read_form(request, intake.post_limit, FILES_PER_FORM)
    except TooLarge:
        return intake.render("problem.html", 413, problem=say(
            "intake.request_too_big", most=megabytes(intake.max_bytes),
            files=FILES_PER_FORM))
    except ValueError:
        return unreadable(say("intake.form_unreadable"))


async def submit_report(intake: Intake, request: Request) -> Response:
    form = await posted_form(intake, request,
                             lambda problem: report_page(intake, {}, {"": problem}, 400))
    if isinstance(form, Response):
        return form
    entered = entered_answers(intake.definition, form)
    nonce = intake.tokens.check(_text(form, "token"), REPORT)
    if nonce is None:
        return report_page(intake, entered, {"": say("intake.form_expired")}, 400)
    if not await intake.pacing.passed(_text(form, "challenge"), _text(form, "counter")):
        return report_page(intake, entered, {"": say("intake.send_again")}, 400)
    problems = await run_in_threadpool(check_answers, intake.definition, entered,
                                       intake.today())
    files = await uploads(form, ATTACHMENTS_FIELD)
    cleaned, file_problem = await run_in_threadpool(_clean_all, files, intake.max_bytes)
    if file_problem:
        problems[ATTACHMENTS_FIELD] = file_problem
    if problems:
        return report_page(intake, entered, problems, 400)
    return await run_in_threadpool(_file_report, intake, entered, cleaned, nonce)


def _clean_all(files: list[bytes], max_bytes: int) -> tuple[list[Cleaned], str | None]:
    if len(files) > FILES_PER_FORM:
        return [], say("intake.too_many_files", most=FILES_PER_FORM)
    cleaned = []
    for number, data in enumerate(files, start=1):
        try:
            cleaned.append(clean_upload(data, max_bytes))
        except AttachmentRefused as refusal:
            return [], say("intake.file_problem", number=number,
                           problem=str(refusal))
    return cleaned, None




def _file_report(intake: Intake, entered: dict[str, str], cleaned: list[Cleaned],
                 nonce: str) -> Response:
    outcome = intake.assistant.file_form(None, intake.definition, answers_to_file(entered),
                                         idempotency_key=f"web-report:{nonce}")
    if outcome.problems:
        return report_page(intake, entered, dict(outcome.problems), 400)
    filed = next((reply for reply in outcome.replies if reply.kind == "filed"), None)
    if outcome.already_filed or filed is None or filed.secret is None:
        return intake.render("already.html", reference=outcome.reference)
    reference, receipt = str(outcome.reference), str(filed.secret)
    attached = []
    store = intake.assistant.store
    for item in cleaned:
        with store.transaction() as session:
            added = add_attachment(session, intake.reporting, reference, receipt, item)
        if isinstance(added, AttachmentInfo):
            attached.append(added)
    return intake.render("receipt.html", reference=reference, receipt=receipt,
                         attached=attached)


# -- following a report up ----------------------------------------------------------------


def follow_up_page(intake: Intake, reference: str = "", problem: str | None = None,
                   status_code: int = 200, notice: str | None = None) -> Response:
    return intake.render("follow_up.html", status_code, reference=reference, problem=problem,
                         notice=notice, token=intake.tokens.issue(FOLLOW_UP),
                         challenge=intake.pacing.challenge())


async def show_follow_up_form(intake: Intake, request: Request) -> Response:
    return follow_up_page(intake)


async def open_follow_up(intake: Intake, request: Request) -> Response:
    if not same_site(request):
        return refused(intake)
    try:
        form = await read_form(request, TEXT_ALLOWANCE, 0)
    except (TooLarge, ValueError):
        return follow_up_page(intake, "", say("intake.form_unreadable"), 400)
    reference, receipt = _text(form, "reference").strip(), _text(form, "receipt")
    if intake.tokens.check(_text(form, "token"), FOLLOW_UP) is None:
        return follow_up_page(intake, reference, say("intake.form_expired"), 400)
    if not reference or not receipt.strip():
        return follow_up_page(intake, reference, say("intake.follow_up_needs_both"), 400)
    if not await intake.pacing.passed(_text(form, "challenge"), _text(form, "counter")):
        return follow_up_page(intake, reference, say("intake.send_again"), 400)

    def unlock() -> ReporterView | AccessRefused:
        with intake.assistant.store.transaction() as session:
            return open_report(session, intake.reporting, reference, receipt)

    view = await run_in_threadpool(unlock)
    if isinstance(view, AccessRefused):
        key = "intake.receipt_incomplete" if view.not_a_receipt else "intake.not_opened"
        return follow_up_page(intake, reference, say(key), 400)
    session_id = intake.sessions.start(view.reference, receipt)
    return await run_in_threadpool(thread_page, intake, session_id, view)


def thread_page(intake: Intake, session_id: str, view: ReporterView | None = None,
                problem: str | None = None, typed: str = "", kind: str = "",
                notice: str | None = None, status_code: int = 200) -> Response:
    followed = intake.sessions.get(session_id)
    if followed is None:
        return follow_up_page(intake, "", say("intake.session_ended"), 400)
    with intake.assistant.store.transaction() as session:
        if view is None:
            opened = open_report(session, intake.reporting, followed.reference,
                                 followed.receipt, sender=_sender(intake, session_id))
            if isinstance(opened, AccessRefused):
                intake.sessions.end(session_id)
                return follow_up_page(intake, "", say("intake.session_ended"), 400)
            view = opened
        attached = reporter_attachments(session, intake.reporting, view)
    return intake.render(
        "thread.html", status_code, view=view, attached=attached, session_id=session_id,
        token=intake.tokens.issue(THREAD), problem=problem, typed=typed,
        kind=kind or ("answer" if view.open_questions else "message"), notice=notice)


async def act_on_thread(intake: Intake, request: Request) -> Response:
    form = await posted_form(intake, request,
                             lambda problem: follow_up_page(intake, "", problem, 400))
    if isinstance(form, Response):
        return form
    session_id = _text(form, "session")
    typed, kind = _text(form, "text"), _text(form, "kind")
    kind = "answer" if kind == "answer" else "message"
    if _text(form, "action") == "leave":
        # Ending a session needs no token: the worst a forged post could do is end it.
        intake.sessions.end(session_id)
        response = intake.render("left.html")
        response.headers["clear-site-data"] = '"cache"'
        return response
    if intake.tokens.check(_text(form, "token"), THREAD) is None:
        return await run_in_threadpool(thread_page, intake, session_id, None,
                                       say("intake.form_expired"), typed, kind, None, 400)
    followed = intake.sessions.get(session_id)
    if followed is None:
        return follow_up_page(intake, "", say("intake.session_ended"), 400)
    files = await uploads(form, ATTACHMENTS_FIELD)
    return await run_in_threadpool(_add_to_thread, intake, session_id, followed, typed, kind,
                                   files)


def _add_to_thread(intake: Intake, session_id: str, followed: FollowUp, typed: str,
                   kind: str, files: list[bytes]) -> Response:
    if not typed.strip() and not files:
        return thread_page(intake, session_id, None, say("intake.message_empty"), typed, kind,
                           status_code=400)
    if len(typed) > 20_000:
        return thread_page(intake, session_id, None, say("intake.too_long", most=20_000),
                           typed, kind, status_code=400)
    cleaned, file_problem = _clean_all(files, intake.max_bytes)
    if file_problem:
        return thread_page(intake, session_id, None, file_problem, typed, kind,
                           status_code=400)
    sender = _sender(intake, session_id)
    try:
        with intake.assistant.store.transaction() as session:
            for item in cleaned:
                added = add_attachment(session, intake.reporting, followed.reference,
                                       followed.receipt, item, sender=sender)
                if isinstance(added, AccessRefused):
                    raise ReportingError(say("intake.session_ended"))
            if typed.strip():
                add_reporter_message(session, intake.reporting, followed.reference,
                                     followed.receipt, typed, kind,  # type: ignore[arg-type]
                                     sender=sender)
    except AttachmentRefused as refusal:
        return thread_page(intake, session_id, None, str(refusal), typed, kind,
                           status_code=400)
    except ReportingError as error:
        return thread_page(intake, session_id, None, str(error), typed, kind, status_code=400)
    return thread_page(intake, session_id, None, notice=say("intake.added"))


def _sender(intake: Intake, session_id: str) -> Any:
    """Within a follow-up session, the session is the sender guess limits count against."""
    return intake.reporting.guesses.sender("web", session_id)


def refused(intake: Intake) -> Response:
    return intake.render("problem.html", 403, problem=say("intake.other_site"))


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""

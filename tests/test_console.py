"""The console through Starlette's TestClient, on both backends: sign-in, sessions, CSRF,
the audit of every view, queues with filters and pages, a decision, endorsements, and
publishing with a redaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixtures.console.office import Office, build_office, csrf_of
from sqlalchemy import select

from bot.config import Settings
from bot.store.models import AuditEvent, ConsoleSession, ConsoleSignInLink, Declaration
from bot.surfaces.web.console.signin import SignInRefused, issue_link


@pytest.fixture
def office(settings: Settings) -> Iterator[Office]:
    yield from build_office(settings, gifts=30)


def _events(office: Office, action: str) -> list[AuditEvent]:
    with office.store.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                    .order_by(AuditEvent.id)))


def _status(office: Office, reference: str) -> str:
    with office.store.session() as session:
        return session.scalars(select(Declaration.status).where(
            Declaration.reference == reference)).one()


# Signing in

def test_a_handler_signs_in_once_with_a_link_and_gets_a_strict_session_cookie(office):
    client = office.client()
    path = office.link_path("psd.khan")
    # Opening the link (or Slack unfurling it) only shows a button; it does not spend it.
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    assert client.get("/console/queue").status_code == 200
    with office.store.session() as session:
        link = session.scalars(select(ConsoleSignInLink)).one()
        assert link.used_at is not None
        # Only hashes are stored: the token in the address is nowhere in the database.
        assert link.token_hash not in path and path.rsplit("/", 1)[1] != link.token_hash
    assert [e.actor for e in _events(office, "console.signed_in")] == [
        f"person:{office.people['psd.khan']}"]


def test_a_used_link_is_refused_the_second_time(office):
    path = office.link_path("psd.khan")
    assert office.client().post(path).status_code == 303
    again = office.client().post(path)
    assert again.status_code == 403
    assert "already been used" in again.text
    assert _events(office, "console.sign_in_refused")[-1].details["why"] == "link_used"


def test_an_expired_link_is_refused(office):
    path = office.link_path("psd.khan")
    office.clock.advance(minutes=office.settings.console_link_minutes + 1)
    refused = office.client().post(path)
    assert refused.status_code == 403 and "expired" in refused.text
    assert office.client().post("/console/sign-in/not-a-real-token").status_code == 403


def test_no_link_for_someone_outside_the_integrity_unit_and_the_attempt_is_audited(office):
    with pytest.raises(SignInRefused, match="Dana Lee is not in the integrity unit"):
        issue_link(office.store, office.settings, office.people["pc.lee"])
    refused = _events(office, "console.link_refused")
    assert [e.actor for e in refused] == [f"person:{office.people['pc.lee']}"]


def test_pages_need_a_session(office):
    client = office.client()
    for path in ("/console/queue", "/console/cases/" + office.refs["tickets"],
                 "/console/registers", "/console/dashboard"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/sign-in"
    assert client.post("/console/assign", data={"reference": "x"}).status_code == 401


# Sessions

def test_a_session_ends_after_the_idle_time_and_activity_keeps_it_going(office):
    client = office.signed_in("psd.khan")
    for _ in range(3):  # a request every 20 minutes keeps a 30-minute session alive
        office.clock.advance(minutes=20)
        assert client.get("/console/queue").status_code == 200
    office.clock.advance(minutes=office.settings.console_session_minutes + 1)
    ended = client.get("/console/queue")
    assert ended.status_code == 303
    assert ended.headers["location"] == "/console/sign-in?expired=1"


def test_a_busy_session_still_ends_at_the_maximum_length(office):
    client = office.signed_in("psd.khan")
    for _ in range(office.settings.console_session_max_hours * 3):
        office.clock.advance(minutes=20)
        client.get("/console/queue")
    assert client.get("/console/queue").status_code == 303


def test_signing_out_revokes_the_session_on_the_server(office):
    client = office.signed_in("psd.khan")
    stolen = client.cookies.get("probity_console")
    copied = office.client()
    copied.cookies.set("probity_console", stolen)
    assert copied.get("/console/queue").status_code == 200  # the cookie is the session
    page = client.get("/console/queue").text
    assert client.post("/console/sign-out", data={"csrf_token": csrf_of(page)}
                       ).status_code == 303
    thief = office.client()
    thief.cookies.set("probity_console", stolen)
    assert thief.get("/console/queue").status_code == 303
    with office.store.session() as session:
        assert session.scalars(select(ConsoleSession)).one().revoked_at is not None


# CSRF

def test_a_form_without_the_sessions_csrf_token_changes_nothing(office):
    client = office.signed_in("psd.khan")
    reference = office.refs["tickets"]
    form = {"outcome": "approved", "rationale": "Fine."}
    assert client.post(f"/console/cases/{reference}/decide", data=form).status_code == 403
    forged = client.post(f"/console/cases/{reference}/decide",
                         data={**form, "csrf_token": "guessed"})
    assert forged.status_code == 403
    assert "not sent from this console page" in forged.text
    assert _status(office, reference) == "submitted"
    # Another handler's token is not this session's either.
    other = office.signed_in("psd.okafor")
    token = csrf_of(other.get(f"/console/cases/{reference}").text)
    assert client.post(f"/console/cases/{reference}/decide",
                       data={**form, "csrf_token": token}).status_code == 403
    assert _status(office, reference) == "submitted"


# Working a declaration

def test_a_handler_decides_from_the_case_page_through_casework(office):
    client = office.signed_in("psd.khan")
    reference = office.refs["tickets"]
    page = client.get(f"/console/cases/{reference}")
    assert page.status_code == 200
    # Plain labels: the stored codes and instants are not shown as they are stored.
    assert "Tender running" in page.text  # the question's label from the workflow
    assert "tender_running" not in page.text and "False" not in page.text
    assert "2026-07-15T" not in page.text and "Wednesday 15 July 2026" in page.text
    decided = client.post(f"/console/cases/{reference}/decide", data={
        "csrf_token": csrf_of(page.text), "outcome": "refused",
        "rationale": "Bidder hospitality."})
    assert decided.status_code == 303
    assert _status(office, reference) == "refused"
    events = _events(office, "declaration.decided")
    assert events and events[-1].actor == f"person:{office.people['psd.khan']}"


def test_a_decision_the_core_refuses_keeps_what_was_typed(office):
    client = office.signed_in("psd.khan")
    reference = office.refs["tickets"]
    token = csrf_of(client.get(f"/console/cases/{reference}").text)
    again = client.post(f"/console/cases/{reference}/decide", data={
        "csrf_token": token, "outcome": "approved_with_conditions",
        "rationale": "Keep the tickets for a team event."})
    assert again.status_code == 400
    assert "There is a problem" in again.text
    assert "Keep the tickets for a team event." in again.text
    assert _status(office, reference) == "submitted"


def test_a_handler_asks_a_question_and_records_the_answer(office):
    client = office.signed_in("psd.khan")
    reference = office.refs["tickets"]
    token = csrf_of(client.get(f"/console/cases/{reference}").text)
    assert client.post(f"/console/cases/{reference}/ask", data={
        "csrf_token": token, "question": "Was a tender running?"}).status_code == 303
    assert _status(office, reference) == "information_requested"
    page = client.get(f"/console/cases/{reference}").text
    assert "Was a tender running?" in page
    assert client.post(f"/console/cases/{reference}/answer", data={
        "csrf_token": token, "answer": "No, it had closed."}).status_code == 303
    assert _status(office, reference) == "submitted"


def test_every_view_of_personal_data_is_audited(office):
    client = office.signed_in("psd.okafor")
    reference = office.refs["wine"]
    client.get(f"/console/cases/{reference}")
    client.get("/console/queue?person=lee")
    client.get("/console/registers?register=gifts")
    actor = f"person:{office.people['psd.okafor']}"
    case = _events(office, "console.viewed_case")
    assert [(e.actor, e.subject) for e in case] == [(actor, reference)]
    queue = _events(office, "console.viewed_queue")[-1]
    assert queue.actor == actor and queue.details["filters"] == {"person": "lee"}
    assert _events(office, "console.viewed_register")[-1].subject == "gifts"
    client.get("/console/registers/export.csv?register=gifts")
    export = _events(office, "register.exported")[-1]
    assert export.actor == actor and export.details["records"] == 32


# Queues: filters and pages in SQL

def test_the_queue_pages_and_filters(office):
    client = office.signed_in("psd.khan")
    first = client.get("/console/queue").text
    assert "Declarations (33)" in first and "Page 1 of 2" in first
    second = client.get("/console/queue?page=2").text
    assert second.count('href="/console/cases/') == 8
    only_lee = client.get("/console/queue?person=dana").text
    assert "Chris Jones" not in only_lee.split("Declarations (")[1]
    by_organisation = client.get("/console/queue?organisation=northmoor").text
    assert "Declarations (1)" in by_organisation and office.refs["wine"] in by_organisation
    dated = client.get("/console/queue?from=2026-07-15&to=2026-07-15").text
    assert office.refs["tickets"] in dated
    bad = client.get("/console/queue?from=15/07/2026&person=dana")
    assert bad.status_code == 200 and "Enter a date like 2026-07-01" in bad.text
    assert 'value="15/07/2026"' in bad.text  # what was typed is kept


def test_cases_are_assigned_to_handlers_only(office):
    client = office.signed_in("psd.khan")
    token = csrf_of(client.get("/console/queue").text)
    reference = office.refs["tickets"]
    assigned = client.post("/console/assign", data={
        "csrf_token": token, "reference": reference,
        "handler": str(office.people["psd.okafor"])})
    assert assigned.status_code == 303 and "notice=assigned" in assigned.headers["location"]
    mine = client.get("/console/queue?assigned=nobody").text
    assert reference not in mine
    refused = client.post("/console/assign", data={
        "csrf_token": token, "reference": reference, "handler": str(office.people["pc.lee"])})
    assert "assign_failed" in refused.headers["location"]
    assert [e.subject for e in _events(office, "case.assigned")] == [reference]


# Line managers

def test_a_line_manager_sees_and_endorses_only_their_teams_declarations(office):
    client = office.signed_in("ps.kim")
    assert client.get("/console").headers["location"] == "/console/endorsements"
    listed = client.get("/console/endorsements").text
    assert office.refs["bar_work"] in listed
    assert client.get("/console/queue").status_code == 403
    assert client.get(f"/console/cases/{office.refs['wine']}").status_code == 403
    page = client.get(f"/console/cases/{office.refs['bar_work']}")
    assert page.status_code == 200 and "Your endorsement" in page.text
    assert "Record the decision" not in page.text
    endorsed = client.post(f"/console/cases/{office.refs['bar_work']}/endorse", data={
        "csrf_token": csrf_of(page.text), "endorsed": "yes",
        "rationale": "Weekend only; no conflict with shifts."})
    assert endorsed.status_code == 303
    assert _status(office, office.refs["bar_work"]) == "submitted"
    # A line manager cannot take the integrity unit's steps even with a valid token.
    assert client.post(f"/console/cases/{office.refs['bar_work']}/decide", data={
        "csrf_token": csrf_of(page.text), "outcome": "approved",
        "rationale": "x"}).status_code == 403


# Publishing

def test_publishing_a_quarter_with_a_redaction_and_a_hold_back(office):
    client = office.signed_in("psd.khan")
    preview = client.get("/console/publish?quarter=2026Q3")
    assert preview.status_code == 200 and "ACME Security Limited" in preview.text
    token = csrf_of(preview.text)
    no_reason = client.post("/console/publish/exclude", data={
        "csrf_token": token, "quarter": "2026Q3", "reference": office.refs["tickets"],
        "action": "redact", "reason": ""})
    assert no_reason.status_code == 400 and "Give the reason" in no_reason.text
    for reference, action, reason in ((office.refs["tickets"], "redact", "Live inquiry."),
                                      (office.refs["gift0"], "hold", "Entered in error.")):
        assert client.post("/console/publish/exclude", data={
            "csrf_token": token, "quarter": "2026Q3", "reference": reference,
            "action": action, "reason": reason}).status_code == 303
    unchecked = client.post("/console/publish", data={"csrf_token": token, "quarter": "2026Q3"})
    assert unchecked.status_code == 400
    published = client.post("/console/publish", data={
        "csrf_token": token, "quarter": "2026Q3", "confirm": "yes"})
    assert published.status_code == 303
    page = client.get("/console/publish?quarter=2026Q3").text
    copies = [int(n) for n in __import__("re").findall(r'/console/published/(\d+)', page)]
    html = client.get(f"/console/published/{max(copies) - 1}").text
    assert "ACME Security Limited" not in html and "Two tickets to the rugby" not in html
    assert "Withheld" in html and "Lunch 0<" not in html and "Lunch 1<" in html
    assert [(e.subject, e.details["reason"]) for e in _events(office, "register.entry_redacted")
            ] == [(office.refs["tickets"], "Live inquiry.")]
    event = _events(office, "register.published")[-1]
    assert event.details["redacted"] == [office.refs["tickets"]]
    assert event.details["held"] == [office.refs["gift0"]]


# Pages the strict CSP allows

def test_pages_have_no_inline_script_or_style_and_charts_carry_their_own_policy(office):
    client = office.signed_in("psd.khan")
    for path in ("/console/queue", f"/console/cases/{office.refs['tickets']}",
                 "/console/registers", "/console/publish?quarter=2026Q3",
                 "/console/dashboard?month=2026-07", "/console/monthly-summary?month=2026-07"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "<style" not in response.text and " style=" not in response.text, path
        assert "<script>" not in response.text and "<script type=\"module\" src=" in \
            response.text, path
        assert "http://" not in response.text.replace("http://www.w3.org", ""), path
    chart = client.get("/console/charts/by_kind.svg?month=2026-07")
    assert chart.headers["content-type"] == "image/svg+xml"
    assert chart.headers["content-security-policy"].startswith("default-src 'none'")
    assert chart.content.lstrip().startswith(b"<?xml")
    png = client.get("/console/charts/decision_times.png?month=2026-07")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/console/static/govuk/govuk-frontend.min.css").status_code == 200

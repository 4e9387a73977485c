"""The web report form through Starlette's TestClient: headers, tokens, limits, bad input,
attachments cleaned of metadata, the follow-up thread, and no trace of the reporter."""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.config import Settings
from bot.reporting.challenge import Challenge, solve_challenge
from bot.store import Store
from tests.intake_support import (
    CAMERA_MODEL,
    PDF_AUTHOR,
    WHAT_HAPPENED,
    WHERE,
    authored_pdf,
    batch,
    every_row_as_text,
    files_under,
    gps_jpeg,
    handler_files,
    handler_reply,
    intake_assistant,
    intake_settings,
    web_app,
)

ANSWERS = {"category": "corruption", "what_happened": WHAT_HAPPENED, "when_and_where": WHERE,
           "who_is_involved": "", "evidence": "Photos of the yard", "raised_elsewhere": "no"}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return intake_settings(settings, tmp_path)


@pytest.fixture
def client(settings: Settings, store: Store) -> TestClient:
    return TestClient(web_app(settings, intake_assistant(settings, store)),
                      base_url="http://report.test")


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return html.unescape(found.group(1))


def proof(page: str, *, solved: bool = True) -> dict[str, str]:
    """The page's form token and its challenge, solved as the page's script would."""
    token, challenge = hidden(page, "token"), hidden(page, "challenge")
    bits = int(challenge.split(".")[1])
    counter = str(solve_challenge(Challenge(challenge, bits))) if solved else ""
    return {"token": token, "challenge": challenge, "counter": counter}


def send_report(client: TestClient, answers: dict[str, str] | None = None,
                files: list[tuple[str, bytes]] | None = None, **options: Any) -> Any:
    page = client.get("/report").text
    data = {**(ANSWERS if answers is None else answers), **proof(page)}
    upload = [("attachments", (name, body, "application/octet-stream"))
              for name, body in (files or [])] or [("attachments", ("", b"", "application/"
                                                                     "octet-stream"))]
    return client.post("/report", data=data, files=upload, **options)


def receipt_of(page: str) -> tuple[str, str]:
    reference = re.search(r'id="reference">([^<]+)<', page)
    receipt = re.search(r'id="receipt">([^<]+)<', page)
    assert reference and receipt, page
    return reference.group(1), receipt.group(1)


def test_the_form_asks_the_workflow_questions_and_sets_no_cookie(client: TestClient) -> None:
    response = client.get("/report")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"].startswith("no-store")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    for label in ("What kind of wrongdoing", "What happened", "When and where",
                  "Who is involved", "Evidence held", "Raised elsewhere"):
        assert f">{label}" in page
    assert "How you report" not in page  # the web form is anonymous only
    # Nothing from another host, no inline script or style.
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    for path in ("/report/follow-up", "/report/static/intake.css", "/report/static/intake.js"):
        assert "set-cookie" not in client.get(path).headers


def test_a_report_with_a_photo_and_a_pdf_is_filed_cleaned_and_read_by_a_handler(
        client: TestClient, store: Store, settings: Settings) -> None:
    from PIL import Image
    from pypdf import PdfReader

    response = send_report(client, files=[("IMG_20261127_234107.jpg", gps_jpeg()),
                                          ("payments.pdf", authored_pdf())])
    assert response.status_code == 200, response.text
    reference, receipt = receipt_of(response.text)
    assert re.fullmatch(r"(\d{4} ){4}\d{4}", receipt)
    assert "the only time your receipt is shown" in response.text
    assert "the location where it was taken (GPS)" in response.text
    assert "the camera or phone model" in response.text
    assert "the author&#39;s name" in response.text
    assert "set-cookie" not in response.headers
    assert "IMG_20261127" not in response.text  # the original file name is not kept

    batch(store, settings)
    files = handler_files(store, settings, reference)
    assert [info.name for info, _ in files] == ["attachment-1.jpg", "attachment-2.pdf"]
    photo = Image.open(io.BytesIO(files[0][1].data))
    assert photo.size == (64, 48) and not photo.getexif()
    assert CAMERA_MODEL.encode() not in files[0][1].data
    pdf = PdfReader(io.BytesIO(files[1][1].data))
    assert not (pdf.metadata or {}).get("/Author")
    assert PDF_AUTHOR.encode() not in files[1][1].data


def test_a_form_with_problems_comes_back_with_every_answer_and_each_problem_by_its_field(
        client: TestClient) -> None:
    typed = {**ANSWERS, "what_happened": "", "raised_elsewhere": "sideways",
             "when_and_where": "Behind the <b>custody</b> suite & car park"}
    response = send_report(client, typed)
    assert response.status_code == 400
    page = response.text
    assert "There is a problem" in page
    assert re.search(r'id="what_happened-error"[^>]*>.*Please answer this', page)
    assert re.search(r'id="raised_elsewhere-error"[^>]*>.*Choose one of the options', page)
    # Every answer as typed, escaped: nothing lost, nothing injected.
    assert "Behind the &lt;b&gt;custody&lt;/b&gt; suite &amp; car park</textarea>" in page
    assert 'value="corruption" checked' in page
    assert "Photos of the yard</textarea>" in page


def test_a_file_is_judged_by_its_content_and_its_size(client: TestClient) -> None:
    disguised = send_report(client, files=[("photo.jpg", b"MZ\x90\x00 not a photo at all")])
    assert disguised.status_code == 400
    assert re.search(r'id="attachments-error"[^>]*>.*cannot be accepted', disguised.text)
    assert f"{WHAT_HAPPENED}</textarea>" in disguised.text
    too_big = send_report(client, files=[("big.jpg", gps_jpeg() + b"\0" * 500_000)])
    assert too_big.status_code == 400 and "bigger than" in too_big.text
    assert f"{WHAT_HAPPENED}</textarea>" in too_big.text
    huge = send_report(client, files=[("huge.pdf", b"%PDF-" + b"0" * 4_000_000)])
    assert huge.status_code == 413


def test_cross_site_posts_and_forged_or_missing_tokens_are_refused(client: TestClient) -> None:
    cross = send_report(client, headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    other = send_report(client, headers={"origin": "https://evil.example"})
    assert other.status_code == 403
    # Origin: null (what no-referrer pages send) and our own origin are fine.
    assert send_report(client, headers={"origin": "null"}).status_code == 200
    page = client.get("/report").text
    forged = {**ANSWERS, **proof(page), "token": hidden(page, "token")[:-4] + "abcd"}
    response = client.post("/report", data=forged)
    assert response.status_code == 400 and "open too long" in response.text
    assert f"{WHAT_HAPPENED}</textarea>" in response.text


def test_the_proof_of_work_is_checked_and_done_by_the_server_without_javascript(
        client: TestClient) -> None:
    page = client.get("/report").text
    wrong = {**ANSWERS, **proof(page)}
    wrong["counter"] = str(int(wrong["counter"]) + 1)
    response = client.post("/report", data=wrong)
    if response.status_code == 200:  # the next counter may solve it too (1 in 256)
        pytest.skip("the wrong counter happened to be a solution")
    assert response.status_code == 400 and "send again" in response.text
    assert f"{WHAT_HAPPENED}</textarea>" in response.text
    # No counter at all (no JavaScript): the server finds it, and the report is filed.
    page = client.get("/report").text
    filed = client.post("/report", data={**ANSWERS, **proof(page, solved=False)})
    assert filed.status_code == 200 and "Your receipt" in filed.text
    # A challenge is spent once: posting the same form again files nothing new.
    again = client.post("/report", data={**ANSWERS, **proof(page, solved=False)})
    assert again.status_code == 400


def test_the_same_form_sent_twice_files_one_report(client: TestClient) -> None:
    page = client.get("/report").text
    first = client.post("/report", data={**ANSWERS, **proof(page)})
    assert first.status_code == 200
    second_proof = proof(client.get("/report").text)
    second = client.post("/report", data={**ANSWERS, **second_proof,
                                          "token": hidden(page, "token")})
    reference, _ = receipt_of(first.text)
    assert "already" in second.text and reference in second.text
    assert "Your receipt" not in second.text


def follow_up(client: TestClient, reference: str, receipt: str) -> Any:
    page = client.get("/report/follow-up").text
    return client.post("/report/follow-up",
                       data={"reference": reference, "receipt": receipt, **proof(page)})


def test_follow_up_reads_the_units_question_takes_an_answer_and_forgets_on_leaving(
        client: TestClient, store: Store, settings: Settings) -> None:
    reference, receipt = receipt_of(send_report(client).text)
    batch(store, settings)
    handler_reply(store, settings, reference, "Which Fridays were these?")

    wrong = follow_up(client, reference, "1111 2222 3333 4444 5555")
    assert wrong.status_code == 400 and "did not open a report" in wrong.text
    assert f'value="{reference}"' in wrong.text and "1111 2222" not in wrong.text
    assert "set-cookie" not in wrong.headers

    opened = follow_up(client, reference, receipt)
    assert opened.status_code == 200
    assert "Which Fridays were these?" in opened.text
    assert "asked you 1 question" in opened.text
    assert receipt not in opened.text and "set-cookie" not in opened.headers
    session_id, token = hidden(opened.text, "session"), hidden(opened.text, "token")

    empty = client.post("/report/follow-up/thread",
                        data={"session": session_id, "token": token, "text": "  ",
                              "kind": "answer", "action": "send"})
    assert empty.status_code == 400 and "Write a message" in empty.text
    answered = client.post("/report/follow-up/thread",
                           data={"session": session_id, "token": token, "kind": "answer",
                                 "text": "The 7th and the 14th.", "action": "send"},
                           files=[("attachments", ("notes.pdf", authored_pdf(), "x/y"))])
    assert answered.status_code == 200, answered.text
    assert "The 7th and the 14th." in answered.text and "attachment-1.pdf" in answered.text

    left = client.post("/report/follow-up/thread",
                       data={"session": session_id, "token": token, "action": "leave"})
    assert "no longer holds your reference or receipt" in left.text
    after = client.post("/report/follow-up/thread",
                        data={"session": session_id, "token": token, "text": "more",
                              "action": "send"})
    assert after.status_code == 400 and "Enter your reference and receipt" in after.text

    batch(store, settings)
    assert [info.name for info, _ in handler_files(store, settings, reference)] == [
        "attachment-1.pdf"]


def test_bad_input_never_crashes_the_pages(client: TestClient) -> None:
    for path in ("/report", "/report/follow-up", "/report/follow-up/thread"):
        for body, kind in ((b"\xff\xfe\x00garbage", "multipart/form-data; boundary=x"),
                           (b"a=%ZZ&&&=", "application/x-www-form-urlencoded"),
                           (b"{}", "application/json")):
            response = client.post(path, content=body, headers={"content-type": kind})
            assert response.status_code in (400, 403), (path, kind, response.status_code)
    page = client.get("/report").text
    odd = {"category": "corruption" * 50, "what_happened": "x" * 20_001,
           "when_and_where": "\u202e\u0000", "raised_elsewhere": "", **proof(page)}
    response = client.post("/report", data=odd)
    assert response.status_code == 400 and "too long" in response.text


def test_a_submission_leaves_no_trace_of_the_request(
        client: TestClient, store: Store, settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    markers = {"address": "203.0.113.77", "agent": "MarkerBrowser/9.9 (Reporter-Laptop)",
               "header": "unique-header-value-5f1c2a"}
    headers = {"x-forwarded-for": markers["address"], "x-real-ip": markers["address"],
               "user-agent": markers["agent"], "x-reporter-marker": markers["header"]}
    client.headers.update(headers)
    started = dt.datetime.now(dt.UTC)
    response = send_report(client, files=[("photo.jpg", gps_jpeg()),
                                          ("notes.pdf", authored_pdf())])
    reference, receipt = receipt_of(response.text)
    opened = follow_up(client, reference, receipt)
    client.post("/report/follow-up/thread", data={
        "session": hidden(opened.text, "session"), "token": hidden(opened.text, "token"),
        "text": "One more thing.", "kind": "message", "action": "send"})

    minutes = {moment.astimezone(zone).strftime(pattern)
               for moment in (started, dt.datetime.now(dt.UTC))
               for zone in (dt.UTC, settings.zone)
               for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%H:%M")}
    request_needles = [*markers.values(), "testclient", receipt, receipt.replace(" ", ""),
                       CAMERA_MODEL, PDF_AUTHOR]

    def look(with_minutes: bool) -> None:
        with store.session() as session:
            tables = every_row_as_text(session)
        places = {"tables": tables, "log": caplog.text,
                  "files": files_under(settings.home, settings)}
        for place, text in places.items():
            for needle in [*request_needles, *(minutes if with_minutes else ())]:
                assert needle not in text, f"{needle!r} found in the {place}"

    # Right after the reporter's requests: nothing of them, not even the minute.
    look(with_minutes=True)
    # The next day's batch and a handler's reading add rows timed to *their* moment (in
    # this test, the same minute), and still nothing of the reporter's request.
    batch(store, settings)
    assert len(handler_files(store, settings, reference)) == 2
    look(with_minutes=False)
    # The spool's files are dated to midnight, never to the moment they were written.
    for path in (settings.home / "report-spool").glob("*"):
        stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, settings.zone)
        assert (stamp.hour, stamp.minute, stamp.second) == (0, 0, 0)

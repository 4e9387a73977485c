"""The web report form in a real browser (Debian's Chromium, headless, driven by Playwright),
once with JavaScript and once without, the second on a phone-sized screen: a report with a
GPS-tagged photo, a problem on the way that keeps everything typed, the receipt, a handler's
question, the reporter's answer through /report/follow-up, and the handler reading the photo
without its metadata. Every page is checked with axe-core; no cookie is ever set and no
request leaves the server's own origin."""

from __future__ import annotations

import io
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.reporting import ReportingContext, authorise_handler, read_report
from bot.store import Store
from bot.surfaces.web.intake.pacing import Pacing
from bot.surfaces.web.server import WebServerThread
from tests.intake_support import (
    CAMERA_MODEL,
    WHAT_HAPPENED,
    WHERE,
    batch,
    gps_jpeg,
    handler_files,
    handler_reply,
    handler_speaker,
    intake_assistant,
    intake_settings,
    web_app,
)

CHROMIUM = os.environ.get("PROBITY_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is None,
    reason=f"no Chromium at {CHROMIUM} (install Debian's chromium or set PROBITY_CHROMIUM)")

QUESTION = "Which Fridays did you see this?"
ANSWER = "The 7th and the 14th of November, after 11pm."


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("one backend is enough for the browser run; the TestClient tests cover both")
    return intake_settings(settings, tmp_path)


@pytest.fixture
def artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PROBITY_ARTEFACTS") or tmp_path / "artefacts") / "intake"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def served(settings: Settings, store: Store) -> Iterator[str]:
    # The real difficulty: the page's script (or, without it, the server) pays it in full.
    app = web_app(settings, intake_assistant(settings, store),
                  Pacing(no_script_seconds=1.0))
    with WebServerThread(app) as server:
        yield server.url


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield launched
        launched.close()


def accessible(page: Any, name: str, artefacts: Path, checker: Any | None = None) -> None:
    """No serious or critical axe-core violation on the page, and a screenshot of it.

    axe-core is a script: a page without JavaScript is checked as a copy of its HTML served
    at the same origin (so its stylesheet applies) to `checker`, a page with scripting on.
    """
    from axe_playwright_python.sync_playwright import Axe

    page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)
    if checker is not None:
        html = page.content()
        address = page.url.split("/report", 1)[0] + "/report/axe-copy"
        checker.route(address, lambda route: route.fulfill(body=html,
                                                           content_type="text/html"))
        checker.goto(address)
        page = checker
    violations = Axe().run(page).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


def fill_report(page: Any, *, what_happened: str) -> None:
    page.get_by_label("Corruption or bribery").check()
    page.get_by_label("What happened", exact=True).fill(what_happened)
    page.get_by_label("When and where", exact=True).fill(WHERE)
    page.get_by_label("Evidence held").fill("Photos of the yard at night")
    page.get_by_label("No", exact=True).check()


@pytest.mark.parametrize("scripting", ["javascript", "no-javascript"])
def test_a_report_with_a_photo_is_made_followed_up_and_read_without_its_metadata(
        scripting: str, served: str, browser: Any, store: Store, settings: Settings,
        artefacts: Path, tmp_path: Path) -> None:
    from PIL import Image

    javascript = scripting == "javascript"
    folder = artefacts / scripting
    folder.mkdir(exist_ok=True)
    viewport = {"width": 1100, "height": 900} if javascript else {"width": 390, "height": 844}
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport)
    page = context.new_page()
    checker = None if javascript else browser.new_context(viewport=viewport).new_page()
    elsewhere: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(served)
            else elsewhere.append(request.url))
    errors: list[str] = []
    # A page with a problem on it is answered 400, which Chromium reports; nothing else may.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "status of 400" not in message.text else None)
    photo = tmp_path / "IMG_20261127_234107.jpg"
    photo.write_bytes(gps_jpeg())

    # A first try with a required answer left blank: the problem is named by its field and
    # everything typed is still there.
    page.goto(served + "/report")
    accessible(page, "01-report-form", folder, checker)
    fill_report(page, what_happened="")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_selector("#error-summary")
    assert page.locator("#what_happened-error").is_visible()
    assert page.get_by_label("When and where", exact=True).input_value() == WHERE
    assert page.get_by_label("Corruption or bribery").is_checked()
    accessible(page, "02-report-form-with-a-problem", folder, checker)

    page.get_by_label("What happened", exact=True).fill(WHAT_HAPPENED)
    page.set_input_files("#attachments", str(photo))
    page.get_by_role("button", name="Send report").click()
    page.wait_for_selector("#receipt", timeout=30_000)
    reference = page.locator("#reference").inner_text()
    receipt = page.locator("#receipt").inner_text()
    assert "the location where it was taken (GPS)" in page.content()
    accessible(page, "03-receipt", folder, checker)

    # The unit reads the report the day after and asks a question.
    batch(store, settings)
    handler_reply(store, settings, reference, QUESTION)

    page.goto(served + "/report/follow-up")
    accessible(page, "04-follow-up", folder, checker)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Receipt").fill(receipt)
    page.get_by_role("button", name="Open my report").click()
    page.wait_for_selector("#thread", timeout=30_000)
    assert QUESTION in page.locator("#thread").inner_text()
    assert page.get_by_label("An answer to the integrity unit's question").is_checked()
    accessible(page, "05-thread", folder, checker)
    page.get_by_label("Your message").fill(ANSWER)
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector("text=Sent.")
    assert ANSWER in page.locator("#thread").inner_text()
    page.get_by_role("button", name="Close my report").click()
    page.wait_for_selector("text=You have closed your report")
    accessible(page, "06-left", folder, checker)

    assert context.cookies() == []
    assert elsewhere == []
    assert errors == []
    context.close()
    if checker is not None:
        checker.context.close()

    # The handler gets the answer after the next batch, and the photo without its tags.
    batch(store, settings)
    reporting = ReportingContext.from_settings(settings)
    with store.transaction() as session:
        handler = authorise_handler(session, reporting, handler_speaker(), "read")
        assert handler is not None
        view = read_report(session, reporting, handler, reference)
    assert (view.thread[-1].kind, view.thread[-1].text) == ("answer", ANSWER)
    [(info, file)] = handler_files(store, settings, reference)
    assert info.removed[:2] == ("location", "camera")
    cleaned = Image.open(io.BytesIO(file.data))
    assert cleaned.size == (64, 48) and not cleaned.getexif()
    assert CAMERA_MODEL.encode() not in file.data
    random.seed()  # the batch's own generator is seeded; leave the global one as found

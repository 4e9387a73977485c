"""The console in a real browser (Debian's Chromium, headless, driven by Playwright): a
handler signs in with a one-time link, works a declaration from the queue to a decision,
publishes a quarter with one redaction and reads the dashboard; a reused or expired link
is refused. Every page visited is checked with axe-core, and screenshots are saved."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.console.office import Office, build_office

from bot.config import Settings
from bot.surfaces.web.server import WebServerThread

CHROMIUM = os.environ.get("PROBITY_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None and not Path(CHROMIUM).is_file(),
    reason=f"no Chromium at {CHROMIUM} (install Debian's chromium or set PROBITY_CHROMIUM)")


@pytest.fixture
def artefacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PROBITY_ARTEFACTS") or tmp_path / "artefacts") / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[Office, str]]:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("one backend is enough for the browser run; the TestClient tests cover both")
    for office in build_office(settings, gifts=6):
        with WebServerThread(office.app) as server:
            yield office, server.url


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def accessible(page: Any, name: str, artefacts: Path) -> None:
    """No serious or critical axe-core violation on the page, and a screenshot of it."""
    from axe_playwright_python.sync_playwright import Axe

    page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)
    violations = Axe().run(page).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"


def test_a_handler_works_a_declaration_publishes_a_quarter_and_reads_the_dashboard(
        served, page, artefacts):
    office, url = served
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)

    page.goto(url + office.link_path("psd.khan"))
    accessible(page, "01-sign-in-link", artefacts)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/queue")
    assert page.get_by_role("heading", name="Casework needing action").is_visible()
    accessible(page, "02-queue", artefacts)

    tickets = office.refs["tickets"]
    page.get_by_role("link", name=tickets).click()
    page.wait_for_url(f"**/console/cases/{tickets}")
    assert page.get_by_text("Tender running").is_visible()
    accessible(page, "03-case", artefacts)
    page.get_by_label("Refused").check()
    page.get_by_label("Rationale").fill("Hospitality from a bidder while it was bidding.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**notice=decided")
    assert page.get_by_text("The decision is recorded").is_visible()
    accessible(page, "04-decided", artefacts)

    page.goto(f"{url}/console/publish?quarter=2026Q3")
    accessible(page, "05-publish-preview", artefacts)
    wine = office.refs["wine"]
    row = page.get_by_role("row").filter(has_text=wine)
    row.get_by_text("Redact or hold back").click()
    row.get_by_label("Reason (kept in the audit log)").fill("Names a victim's family.")
    row.get_by_role("button", name="Save").click()
    page.wait_for_url("**notice=excluded")
    assert page.get_by_role("row").filter(has_text=wine).get_by_text("Redacted").is_visible()
    page.get_by_label("I have checked the 2026 Q3 register").check()
    page.get_by_role("button", name="Publish 2026 Q3").click()
    page.wait_for_url("**notice=published")
    assert page.get_by_role("link", name="2026 Q3 (HTML").is_visible()
    accessible(page, "06-published", artefacts)

    page.goto(f"{url}/console/dashboard?month=2026-07")
    chart = page.get_by_role("img", name="Chart: Declarations filed per month, by kind")
    chart.wait_for()
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert page.get_by_role("table", name="Declarations filed per month, by kind: figures"
                            ).is_visible()
    accessible(page, "07-dashboard", artefacts)
    # The strict CSP held: no script or style was blocked, nothing failed to load.
    assert not errors, errors


def test_a_reused_or_expired_link_is_refused_in_the_browser(served, page, artefacts):
    office, url = served
    link = office.link_path("psd.okafor")
    page.goto(url + link)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/queue")
    page.context.clear_cookies()
    page.goto(url + link)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="You cannot do that").is_visible()
    assert page.get_by_text("already been used").is_visible()
    accessible(page, "08-link-reused", artefacts)

    expiring = office.link_path("psd.okafor")
    office.clock.advance(minutes=office.settings.console_link_minutes + 1)
    page.goto(url + expiring)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("has expired").is_visible()
    page.goto(f"{url}/console/queue")
    page.wait_for_url("**/console/sign-in")
    accessible(page, "09-sign-in", artefacts)

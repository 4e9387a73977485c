"""A report's attachments in the console: listed on the report page with what was removed,
downloaded by a handler as the cleaned file (never inline, never cached), audited; the only
place a handler receives them on the web."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterator

import pytest
from fixtures.console.office import Office, build_office
from PIL import Image
from sqlalchemy import select
from test_report_support import FakeClock, reporting_context, sample_content

from bot.config import Settings
from bot.reporting import submit_anonymous_report
from bot.reporting.attachments import add_attachment, clean_upload
from bot.reporting.vault.batch import apply_reporter_batch
from bot.store.models import AuditEvent
from tests.intake_support import CAMERA_MODEL, gps_jpeg


@pytest.fixture
def office(settings: Settings) -> Iterator[Office]:
    yield from build_office(settings)


def _report_with_photo(office: Office) -> str:
    """A reporter's report and GPS-tagged photo, brought into the vault by the next batch."""
    yesterday = FakeClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    context = reporting_context(office.settings, yesterday, handlers=("psd.khan",))
    with office.store.transaction() as session:
        done = submit_anonymous_report(session, context, sample_content())
        add_attachment(session, context, done.reference, done.receipt,  # type: ignore[arg-type]
                       clean_upload(gps_jpeg()))
    yesterday.now = dt.datetime.now(dt.UTC)
    apply_reporter_batch(office.store, context, random.Random(5), context.today())
    # The console's clock past the report's announcement, so handlers may see it.
    office.clock.at = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    return done.reference


def test_a_handler_lists_and_downloads_the_cleaned_photo_from_the_report_page(office):
    reference = _report_with_photo(office)
    client = office.signed_in("psd.khan")
    page = client.get(f"/console/reports/{reference}")
    assert page.status_code == 200, page.text
    assert "attachment-1.jpg" in page.text and "location" in page.text.lower()

    download = client.get(f"/console/reports/{reference}/attachments/1")
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["cache-control"] == "no-store"
    photo = Image.open(io.BytesIO(download.content))
    assert not photo.getexif()  # no GPS, camera or time taken
    assert CAMERA_MODEL.encode() not in download.content
    with office.store.session() as session:
        opened = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report.attachment_opened")).all()
    assert len(opened) == 1

    missing = client.get(f"/console/reports/{reference}/attachments/9")
    assert missing.status_code == 404


def test_without_a_session_there_is_no_download(office):
    reference = _report_with_photo(office)
    response = office.client().get(f"/console/reports/{reference}/attachments/1")
    assert response.status_code in {302, 303, 401, 403}
    assert b"\xff\xd8\xff" not in response.content


def test_the_dashboard_shows_each_campaigns_completion_by_team(office):
    # (Here beside the report page's tests: both show the console reading another area's
    # core rather than its own tables.)
    from bot.campaigns.audience import Audience
    from bot.campaigns.service import acknowledge, start_campaign
    from bot.config import PROJECT_ROOT
    from bot.store.models import Person

    with office.store.transaction() as session:
        campaign = start_campaign(session, PROJECT_ROOT / "policies", ["gifts-and-hospitality"],
                                  Audience.parse("everyone"), PROJECT_ROOT / "knowledge" /
                                  "staff.yaml", actor="system", today=office.clock().date())
        someone = session.scalars(select(Person).where(
            Person.surface_id == "amira.khan")).one()
        acknowledge(session, campaign.id, someone, "chat_words", office.clock())
    page = office.signed_in("psd.khan").get("/console/dashboard")
    assert page.status_code == 200, page.text
    assert "1 of " in page.text and "have acknowledged" in page.text
    assert "Response Team B, Northmoor Central" in page.text  # a team row from the directory

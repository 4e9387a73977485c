"""The console's commands and the casework list, run as an officer would run them."""

from __future__ import annotations

import pytest
from fixtures.casework import factory
from sqlalchemy import select

from bot.cli import main
from bot.config import Settings
from bot.store import Store
from bot.store.models import AuditEvent
from bot.store.operators import add_operator, os_user
from bot.surfaces.web.console.signin import SIGN_IN_PATH

LONG = ("Two tickets to the autumn international at the national stadium, with hospitality "
        "in the sponsor's box and travel")


@pytest.fixture
def office(store: Store, settings: Settings, probity_env: dict[str, str],
           monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PROBITY_HANDLERS", "psd.khan")
    # pc.jones may use this shell, but is not in the integrity unit.
    add_operator(settings, "pc.jones", os_users=(os_user(),))
    with store.transaction() as session:
        factory.person(session, "psd.khan", "Sam Khan", rank="Inspector", team="PSD")
        jones = factory.person(session, "pc.jones", "Chris Jones", rank="PC")
        gift = factory.gift(session, jones, "ACME Security Limited", 8000, "2026-06-15",
                            description=LONG)
        return {"gift": gift.reference}


def test_console_link_prints_a_one_time_address_for_a_handler(office, capsys):
    assert main(["console", "link", "--as", "psd.khan", "--base-url",
                 "https://probity.force.example/"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith(f"https://probity.force.example{SIGN_IN_PATH}")
    assert len(printed.rsplit("/", 1)[1]) >= 40


def test_console_link_is_refused_for_anyone_outside_the_integrity_unit(office, store, capsys):
    assert main(["console", "link", "--as", "pc.jones"]) == 1
    assert "not in the integrity unit" in capsys.readouterr().err
    assert main(["console", "link", "--as", "somebody.else"]) == 1
    with store.session() as session:
        refused = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "console.link_refused")).all()
    assert len(refused) == 2


def test_casework_list_has_a_header_a_value_column_and_cuts_nothing(office, capsys):
    assert main(["casework", "list", "--as", "psd.khan"]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split() == ["Reference", "Kind", "Status", "Declarant", "Value", "Days",
                              "Decision", "or", "summary"]
    assert office["gift"] in row and "£80.00" in row and row.endswith(LONG)


def test_monthly_summary_prints_the_figures(office, capsys):
    assert main(["console", "monthly-summary", "--month", "2026-06"]) == 0
    out = capsys.readouterr().out
    assert "Integrity monthly summary: Jun 2026" in out
    assert "Declarations filed this month: 1" in out
    assert main(["console", "monthly-summary", "--month", "June"]) == 2


def test_monthly_summary_is_posted_to_slack_with_png_charts(office, monkeypatch, capsys):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from slack_mock.web_api import VALID_BOT_TOKEN, MockSlackWebApi

    received: list[bytes] = []

    class Uploads(BaseHTTPRequestHandler):
        """Slack's upload address: takes the file's bytes (the mock Web API reads forms)."""

        def do_POST(self) -> None:  # noqa: N802
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args: object) -> None:
            pass

    upload_server = ThreadingHTTPServer(("127.0.0.1", 0), Uploads)
    threading.Thread(target=upload_server.serve_forever, daemon=True).start()
    upload_url = f"http://127.0.0.1:{upload_server.server_address[1]}/upload"
    with MockSlackWebApi() as api:
        uploads: list[str] = []
        api.override("files.getUploadURLExternal", lambda args: uploads.append(
            args["filename"]) or {"ok": True, "upload_url": upload_url,
                                  "file_id": f"F{len(uploads)}"})
        api.override("files.completeUploadExternal", lambda args: {
            "ok": True, "files": [{"id": "F1", "title": "chart"}]})
        monkeypatch.setenv("SLACK_BOT_TOKEN", VALID_BOT_TOKEN)
        monkeypatch.setenv("PROBITY_SLACK_API_URL", api.url)
        assert main(["console", "monthly-summary", "--month", "2026-06", "--post",
                     "--channel", "C0CHIEFS"]) == 0
        [message] = api.calls_to("chat.postMessage")
        assert message["channel"] == "C0CHIEFS"
        assert "Integrity monthly summary: Jun 2026" in message["text"]
        assert uploads and all(name.endswith(".png") for name in uploads)
        completed = api.calls_to("files.completeUploadExternal")
        assert completed and completed[-1]["channel_id"] == "C0CHIEFS"
        assert completed[-1]["thread_ts"]
    upload_server.shutdown()
    assert received and all(b"\x89PNG" in body for body in received)
    assert "Posted the 2026-06 summary to C0CHIEFS" in capsys.readouterr().out

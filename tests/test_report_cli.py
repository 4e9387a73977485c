"""`probity cases ...` as a handler would use it, against the backend under test."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from test_report_support import (
    HANDLER_KEY,
    FakeClock,
    reporting_context,
    sample_content,
    vault_is_empty,
)

from bot.cli import main
from bot.config import Settings
from bot.reporting import ReporterView, open_report, submit_anonymous_report
from bot.reporting.context import ReportingContext
from bot.reporting.sealing import KEY_FILE_NAME, Sealer, SealingError
from bot.reporting.vault.batch import apply_reporter_batch
from bot.store import Store
from bot.store.models import AuditEvent
from bot.store.operators import KEY_VARIABLE, OPERATORS_FILE, os_user
from bot.store.vault.models import Report


@pytest.fixture
def handler_env(probity_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBITY_HANDLERS", f"{HANDLER_KEY},U0SLACK1")


def _submit(store: Store, settings: Settings, days_ago: int = 1,
            batched: bool = True) -> tuple[str, str]:
    """File a report `days_ago`, and by default run today's batch, so a handler's command
    announces it and then sees it."""
    clock = FakeClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago))
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        done = submit_anonymous_report(session, context, sample_content())
    if batched:
        clock.now = dt.datetime.now(dt.UTC)
        apply_reporter_batch(store, context, random.Random(2), context.today())
    return done.reference, done.receipt


def test_a_handler_lists_reads_replies_and_closes(
    store: Store, settings: Settings, handler_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    reference, receipt = _submit(store, settings)
    assert main(["cases", "list", "--as", HANDLER_KEY]) == 0
    assert reference in capsys.readouterr().out
    assert main(["cases", "ask", reference, "Was anyone else there?", "--as", HANDLER_KEY]) == 0
    assert "Question added" in capsys.readouterr().out
    assert main(["cases", "show", reference, "--as", HANDLER_KEY]) == 0
    shown = capsys.readouterr().out
    assert "A sergeant looked up his neighbour's address" in shown
    assert "Reporter: anonymous" in shown
    assert "(question): Was anyone else there?" in shown
    assert main(["cases", "status", reference, "closed", "--as", HANDLER_KEY]) == 1
    assert "needs an outcome" in capsys.readouterr().err
    assert main(["cases", "status", reference, "closed", "--outcome", "Advice given.",
                 "--as", HANDLER_KEY]) == 0
    assert f"{reference} is now closed" in capsys.readouterr().out
    assert main(["cases", "reply", reference, "Late note", "--as", HANDLER_KEY]) == 1
    assert "closed" in capsys.readouterr().err
    context = ReportingContext.from_settings(Settings.from_env())
    with store.transaction() as session:
        view = open_report(session, context, reference, receipt)
    assert isinstance(view, ReporterView) and view.outcome == "Advice given."


def test_a_report_before_its_batch_is_not_there_for_handlers(
    store: Store, settings: Settings, handler_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Filed today: it reaches the vault in tomorrow's batch.
    reference, _ = _submit(store, settings, days_ago=0, batched=False)
    assert main(["cases", "list", "--as", HANDLER_KEY]) == 0
    assert capsys.readouterr().out == "No reports.\n"
    for command in (["show", reference], ["reply", reference, "Thanks"],
                    ["status", reference, "assessing"]):
        assert main(["cases", *command, "--as", HANDLER_KEY]) == 1
        assert capsys.readouterr().err == f"probity: There is no report {reference}.\n"
    assert main(["cases", "notify-due"]) == 0
    assert "No new reports" in capsys.readouterr().out
    assert main(["cases", "apply-batch"]) == 0  # not today's writes, whatever the moment
    assert vault_is_empty(store)
    with store.session() as session:
        assert [e.action for e in session.scalars(select(AuditEvent))
                if e.subject == reference] == []


def test_a_non_handler_is_refused_and_the_attempt_audited(
    store: Store, settings: Settings, handler_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    reference, _ = _submit(store, settings)
    assert main(["cases", "show", reference, "--as", "nosy"]) == 1
    assert "cannot act as nosy" in capsys.readouterr().err
    with store.session() as session:
        event = session.scalars(select(AuditEvent)).one()
    # Blamed on the shell user who tried, never on the name they typed.
    assert (event.actor, event.action) == (f"os:{os_user()}", "cli.identity_refused")
    assert event.details["claimed"] == "nosy"


def test_as_is_checked_against_the_shell_user_not_taken_on_trust(
    store: Store, settings: Settings, handler_env: None, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # Issue 13: `--as` was any string, and the audit log blamed whoever was named.
    reference, _ = _submit(store, settings)
    (settings.home / OPERATORS_FILE).unlink()
    assert main(["cases", "show", reference, "--as", HANDLER_KEY]) == 1
    assert "is not listed as a handler" in capsys.readouterr().err
    # A handler's own key file identifies them on a shared account; --as may then be left out.
    key = tmp_path / "hwright.key"
    assert main(["operator", "add", HANDLER_KEY, "--key-file", str(key)]) == 0
    capsys.readouterr()
    monkeypatch.setenv(KEY_VARIABLE, str(key))
    assert main(["cases", "show", reference]) == 0
    assert "A sergeant looked up" in capsys.readouterr().out
    assert main(["cases", "show", reference, "--as", "U0SLACK1"]) == 1  # not this key's
    assert "cannot act as U0SLACK1" in capsys.readouterr().err
    with store.session() as session:
        actions = [(e.actor, e.action) for e in session.scalars(
            select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[0][1] == "cli.identity_refused" and actions[-1][1] == "cli.identity_refused"
    assert ("report.read" in {action for _, action in actions})


def test_a_lost_report_key_is_never_replaced_and_the_cli_says_so_in_one_line(
    store: Store, settings: Settings, handler_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    reference, _ = _submit(store, settings)
    home = Path(settings.home)
    key_id = Sealer.from_settings(settings).key_id
    (home / KEY_FILE_NAME).rename(home / "moved-away.key")
    for command in (["cases", "show", reference, "--as", HANDLER_KEY], ["cases", "notify-due"],
                    ["cases", "apply-batch"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and key_id in err and "no new key was made" in err
    assert not (home / KEY_FILE_NAME).exists()
    # With another key in its place, reading says so in one line too, not a traceback.
    from bot.reporting.sealing import generate_key
    from bot.store.keyfiles import write_key_file

    write_key_file(home / KEY_FILE_NAME, generate_key())
    assert main(["cases", "show", reference, "--as", HANDLER_KEY]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Cannot open the sealed reports" in err and key_id in err


def test_list_overdue_shows_only_breaches(
    store: Store, settings: Settings, handler_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    late, _ = _submit(store, settings, days_ago=10)
    fresh, _ = _submit(store, settings, days_ago=1)
    assert main(["cases", "list", "--overdue", "--as", HANDLER_KEY]) == 0
    out = capsys.readouterr().out
    assert late in out and "acknowledgement overdue by" in out
    assert fresh not in out
    assert main(["cases", "list", "--status", "closed", "--as", HANDLER_KEY]) == 0
    assert "No reports." in capsys.readouterr().out


def test_notify_due_announces_each_report_once(
    store: Store, settings: Settings, handler_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    reference, _ = _submit(store, settings, days_ago=1)
    assert main(["cases", "notify-due"]) == 0
    assert f"New report {reference}" in capsys.readouterr().out
    assert main(["cases", "notify-due"]) == 0
    assert "No new reports" in capsys.readouterr().out


def test_rotate_key_reseals_everything_and_retires_the_old_key(
    store: Store, settings: Settings, handler_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    reference, receipt = _submit(store, settings)
    assert main(["cases", "reply", reference, "We have your report.", "--as", HANDLER_KEY]) == 0
    home = Path(settings.home)
    old = Sealer.from_settings(settings)
    with store.session() as session:
        before = session.scalars(select(Report)).one().sealed_content
    assert main(["cases", "rotate-key"]) == 0
    out = capsys.readouterr().out
    assert "Re-sealed 2 values" in out
    retired = list(home.glob(f"{KEY_FILE_NAME}.retired-*"))
    assert len(retired) == 1 and not (home / "report.key.new").exists()
    new = Sealer.from_settings(settings)
    assert new.key_id != old.key_id
    with store.session() as session:
        after = session.scalars(select(Report)).one().sealed_content
    assert after != before
    with pytest.raises(SealingError):
        old.open(after, f"{reference}/content")
    context = replace(ReportingContext.from_settings(settings), sealer=new)
    with store.transaction() as session:
        view = open_report(session, context, reference, receipt)
    assert isinstance(view, ReporterView)
    assert view.thread[0].text == "We have your report."


def test_rotate_key_with_a_key_from_the_environment_needs_the_new_key_file(
    store: Store, settings: Settings, handler_env: None, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.reporting.sealing import encode_key, generate_key

    old_key, new_key = generate_key(), generate_key()
    monkeypatch.setenv("PROBITY_REPORT_KEY", encode_key(old_key))
    env_settings = replace(settings, report_key=encode_key(old_key))
    reference, receipt = _submit(store, env_settings)
    assert main(["cases", "rotate-key"]) == 2
    assert "--new-key-file" in capsys.readouterr().err
    key_file = tmp_path / "new.key"
    key_file.write_text(encode_key(new_key))
    assert main(["cases", "rotate-key", "--new-key-file", str(key_file)]) == 0
    assert "set PROBITY_REPORT_KEY" in capsys.readouterr().out
    rotated = replace(env_settings, report_key=encode_key(new_key))
    with store.transaction() as session:
        view = open_report(session, ReportingContext.from_settings(rotated), reference, receipt)
    assert isinstance(view, ReporterView)

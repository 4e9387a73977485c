"""The `probity` entry point and the store commands, run as a person would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ("version", "db", "audit", "config"):
        assert command in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip().startswith("probity 0.")


def test_db_upgrade_creates_a_sqlite_store_under_probity_home(tmp_path: Path) -> None:
    env = {**os.environ, "PROBITY_HOME": str(tmp_path / "home")}
    env.pop("PROBITY_DATABASE_URL", None)
    run = [sys.executable, "-m", "bot.cli", "db", "upgrade"]
    first = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert "Upgraded the database from empty" in first.stdout
    assert (tmp_path / "home" / "probity.sqlite3").exists()
    again = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert "up to date" in again.stdout


def test_db_commands_work_on_the_backend_under_test(
    probity_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    # The newest revision, whichever it is, so a new migration doesn't break this test.
    from alembic.script import ScriptDirectory

    from bot.store.database import alembic_config

    (head,) = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert f"revision {head} (newest {head})" in capsys.readouterr().out

"""Settings come from PROBITY_* variables, and a bad value names the variable."""

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings, SettingsError


def test_defaults_put_everything_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.home == Path("var")
    assert settings.effective_database_url.endswith("/var/probity.sqlite3")
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.draft_expiry_hours == 72
    assert settings.policies_dir.name == "policies"


def test_values_are_parsed_to_their_types() -> None:
    settings = Settings.from_env({
        "PROBITY_HOME": "/srv/probity",
        "PROBITY_DATABASE_URL": "postgresql+psycopg://probity@db/probity",
        "PROBITY_HANDLERS": "U01, U02 ,,U03",
        "PROBITY_SQL_ECHO": "yes",
        "PROBITY_DECISION_TARGET_DAYS": "14",
    })
    assert settings.home == Path("/srv/probity")
    assert settings.effective_database_url == "postgresql+psycopg://probity@db/probity"
    assert settings.handlers == ("U01", "U02", "U03")
    assert settings.sql_echo is True
    assert settings.decision_target_days == 14


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PROBITY_DRAFT_EXPIRY_HOURS", "soon", "whole number of hours"),
        ("PROBITY_DRAFT_EXPIRY_HOURS", "0", "above 0"),
        ("PROBITY_DATABASE_URL", "/var/lib/probity.db", "SQLAlchemy URL"),
        ("PROBITY_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("PROBITY_SQL_ECHO", "perhaps", "true or false"),
        ("PROBITY_LOG_LEVEL", "LOUD", "DEBUG, INFO"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_expects(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({variable: value})
    assert raised.value.variable == variable
    assert variable in str(raised.value)
    assert expected in str(raised.value)
    assert repr(value) in str(raised.value)


def test_the_command_stops_with_a_plain_message_on_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROBITY_DRAFT_EXPIRY_HOURS", "-3")
    assert main(["version"]) == 2
    err = capsys.readouterr().err
    assert "PROBITY_DRAFT_EXPIRY_HOURS" in err
    assert "Traceback" not in err


def test_every_setting_has_its_wording_in_the_catalogue() -> None:
    from dataclasses import fields

    from bot.config import describe_settings
    from bot.messages import catalogue

    for spec in fields(Settings):
        assert catalogue().has(spec.metadata["expected"]), spec.name
        assert catalogue().has(f"settings.{spec.name}"), spec.name
    assert all(meaning for _, _, meaning in describe_settings())

"""Probity's settings: one typed object read from PROBITY_* environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The repository (or installed source tree) that holds the bundled content folders.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A PROBITY_* variable holds a value Probity cannot use; the message names it."""

    def __init__(self, variable: str, expected: str, got: str) -> None:
        from bot.messages import say

        super().__init__(say("settings.bad_value", variable=variable, expected=say(expected),
                             got=repr(got)))
        self.variable = variable


def _path(text: str) -> Path:
    if not text.strip():
        raise ValueError
    return Path(text).expanduser()


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError


def _database_url(text: str) -> str:
    # Catch the common slip of a bare path or host before SQLAlchemy gives a cryptic error.
    if "://" not in text:
        raise ValueError
    return text


def _timezone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError from exc
    return text


def _word_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError
    return level


def _locale(text: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?", text.strip()):
        raise ValueError
    return text.strip()


def _optional_text(text: str) -> str | None:
    return text.strip() or None


def _setting(
    variable: str, parse: Callable[[str], Any], expected: str, default: Any = None
) -> Any:
    """Declare a setting: its variable, how to parse it, and the key of what it must be.

    The wording lives in messages/en/settings.yaml: `expected` completes "X must be ..." and
    the entry named after the field says what the setting is for. Both are looked up only
    when a value is refused or the settings are described, so reading settings loads no
    catalogue.
    """
    return field(default=default,
                 metadata={"variable": variable, "parse": parse, "expected": expected})


@dataclass(frozen=True)
class Settings:
    """Everything Probity reads from its environment, parsed and checked once at start-up."""

    home: Path = _setting("PROBITY_HOME", _path, "settings.expect_directory", Path("var"))
    database_url: str | None = _setting(
        "PROBITY_DATABASE_URL", _database_url, "settings.expect_database_url",
    )
    reports_database_url: str | None = _setting(
        "PROBITY_REPORTS_DATABASE_URL", _database_url, "settings.expect_reports_database_url",
    )
    audit_anchor: str | None = _setting(
        "PROBITY_AUDIT_ANCHOR", _optional_text, "settings.expect_audit_anchor",
    )
    policies_dir: Path = _setting(
        "PROBITY_POLICIES", _path, "settings.expect_directory", PROJECT_ROOT / "policies",
    )
    knowledge_dir: Path = _setting(
        "PROBITY_KNOWLEDGE", _path, "settings.expect_directory", PROJECT_ROOT / "knowledge",
    )
    workflows_dir: Path = _setting(
        "PROBITY_WORKFLOWS", _path, "settings.expect_directory", PROJECT_ROOT / "workflows",
    )
    messages_dir: Path = _setting(
        "PROBITY_MESSAGES", _path, "settings.expect_directory", PROJECT_ROOT / "messages",
    )
    locale: str = _setting("PROBITY_LOCALE", _locale, "settings.expect_locale", "en")
    directory_file: Path = _setting(
        "PROBITY_DIRECTORY", _path, "settings.expect_yaml_file",
        PROJECT_ROOT / "knowledge" / "staff.yaml",
    )
    timezone: str = _setting(
        "PROBITY_TIMEZONE", _timezone, "settings.expect_timezone", "Europe/London",
    )
    draft_expiry_hours: int = _setting(
        "PROBITY_DRAFT_EXPIRY_HOURS", _positive_int, "settings.expect_hours", 72,
    )
    decision_target_days: int = _setting(
        "PROBITY_DECISION_TARGET_DAYS", _positive_int, "settings.expect_days", 28,
    )
    gift_value_limit_pence: int = _setting(
        "PROBITY_GIFT_VALUE_LIMIT_PENCE", _positive_int, "settings.expect_pence", 2500,
    )
    senior_ranks: tuple[str, ...] = _setting(
        "PROBITY_SENIOR_RANKS", _word_list, "settings.expect_ranks",
        ("Chief Constable", "CC", "Deputy Chief Constable", "DCC", "Assistant Chief Constable",
         "ACC", "Assistant Chief Officer", "ACO", "Chief Superintendent", "Ch Supt",
         "Chief Supt", "Superintendent", "Supt"),
    )
    compliance_check_days: int = _setting(
        "PROBITY_COMPLIANCE_CHECK_DAYS", _positive_int, "settings.expect_days", 90,
    )
    handlers: tuple[str, ...] = _setting(
        "PROBITY_HANDLERS", _word_list, "settings.expect_handlers", (),
    )
    integrity_channel: str | None = _setting(
        "PROBITY_INTEGRITY_CHANNEL", _optional_text, "settings.expect_channel",
    )
    report_key: str | None = _setting("PROBITY_REPORT_KEY", _optional_text, "settings.expect_key")
    report_notify_delay_max_minutes: int = _setting(
        "PROBITY_REPORT_NOTIFY_DELAY_MAX", _non_negative_int, "settings.expect_minutes", 90,
    )
    report_attachment_max_bytes: int = _setting(
        "PROBITY_REPORT_ATTACHMENT_MAX_BYTES", _positive_int, "settings.expect_bytes",
        10 * 1024 * 1024,
    )
    schedules: tuple[str, ...] = _setting(
        "PROBITY_SCHEDULES", _word_list, "settings.expect_schedules", (),
    )
    slack_api_url: str | None = _setting(
        "PROBITY_SLACK_API_URL", _optional_text, "settings.expect_api_url",
    )
    console_base_url: str = _setting(
        "PROBITY_CONSOLE_BASE_URL", _optional_text, "settings.expect_url",
        "http://127.0.0.1:8080",
    )
    console_link_minutes: int = _setting(
        "PROBITY_CONSOLE_LINK_MINUTES", _positive_int, "settings.expect_minutes_positive", 15,
    )
    console_session_minutes: int = _setting(
        "PROBITY_CONSOLE_SESSION_MINUTES", _positive_int, "settings.expect_minutes_positive", 30,
    )
    console_session_max_hours: int = _setting(
        "PROBITY_CONSOLE_SESSION_MAX_HOURS", _positive_int, "settings.expect_hours_positive", 8,
    )
    oidc_issuer: str | None = _setting(
        "PROBITY_OIDC_ISSUER", _optional_text, "settings.expect_issuer",
    )
    oidc_client_id: str | None = _setting(
        "PROBITY_OIDC_CLIENT_ID", _optional_text, "settings.expect_client_id",
    )
    oidc_client_secret: str | None = _setting(
        "PROBITY_OIDC_CLIENT_SECRET", _optional_text, "settings.expect_client_secret",
    )
    oidc_id_claim: str = _setting(
        "PROBITY_OIDC_ID_CLAIM", _optional_text, "settings.expect_claim", "sub",
    )
    oidc_surface: str = _setting(
        "PROBITY_OIDC_SURFACE", _optional_text, "settings.expect_surface", "slack",
    )
    log_level: str = _setting("PROBITY_LOG_LEVEL", _log_level, "settings.expect_log_level", "INFO")
    sql_echo: bool = _setting("PROBITY_SQL_ECHO", _boolean, "settings.expect_boolean", False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting, raising SettingsError naming the first bad variable."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            meta = spec.metadata
            raw = environ.get(meta["variable"])
            if raw is None or (raw == "" and spec.default is not None):
                continue
            try:
                values[spec.name] = meta["parse"](raw)
            except (ValueError, TypeError):
                raise SettingsError(meta["variable"], meta["expected"], raw) from None
        return cls(**values)

    @property
    def effective_database_url(self) -> str:
        """The store's URL: PROBITY_DATABASE_URL, or a SQLite file under PROBITY_HOME."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'probity.sqlite3').resolve()}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def ensure_home(self) -> Path:
        """Create PROBITY_HOME with owner-only permissions: it holds keys and the database."""
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.home


def describe_settings() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for each setting: the README table and `probity config`."""
    from bot.messages import say

    rows = []
    for spec in fields(Settings):
        default = spec.default
        if isinstance(default, Path) and default.is_absolute():
            default = default.relative_to(PROJECT_ROOT) if default.is_relative_to(
                PROJECT_ROOT) else default
        if isinstance(default, tuple):
            default = ", ".join(default)
        shown = "" if default in (None, "") else str(default)
        rows.append((spec.metadata["variable"], shown, say(f"settings.{spec.name}")))
    return rows

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
        super().__init__(f"{variable} must be {expected}; got {got!r}")
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
    variable: str, parse: Callable[[str], Any], expected: str, help: str, default: Any = None
) -> Any:
    """Declare a setting: its variable, how to parse it, and what to tell a person about it."""
    return field(
        default=default,
        metadata={"variable": variable, "parse": parse, "expected": expected, "help": help},
    )


@dataclass(frozen=True)
class Settings:
    """Everything Probity reads from its environment, parsed and checked once at start-up."""

    home: Path = _setting(
        "PROBITY_HOME", _path, "a directory path",
        "Holds the SQLite database, the search-index cache and the report key.", Path("var"),
    )
    database_url: str | None = _setting(
        "PROBITY_DATABASE_URL", _database_url,
        "a SQLAlchemy URL such as postgresql+psycopg://user@host/db",
        "Use this database instead of the SQLite file under PROBITY_HOME.",
    )
    reports_database_url: str | None = _setting(
        "PROBITY_REPORTS_DATABASE_URL", _database_url,
        "a SQLAlchemy URL such as postgresql+psycopg://user@host/db_reports",
        "The reporting vault's own database (default: a SQLite file beside the main one, or "
        "for PostgreSQL a sibling database named <main>_reports, created if missing).",
    )
    audit_anchor: str | None = _setting(
        "PROBITY_AUDIT_ANCHOR", _optional_text,
        "a file path, syslog: or syslog:FACILITY, or several separated by commas",
        "Where keyed audit checkpoints are appended, outside the database (default "
        "PROBITY_HOME/audit-anchor.log).",
    )
    policies_dir: Path = _setting(
        "PROBITY_POLICIES", _path, "a directory path",
        "The policy documents to answer from.", PROJECT_ROOT / "policies",
    )
    knowledge_dir: Path = _setting(
        "PROBITY_KNOWLEDGE", _path, "a directory path",
        "Staff vocabulary, contacts and FAQ entries.", PROJECT_ROOT / "knowledge",
    )
    workflows_dir: Path = _setting(
        "PROBITY_WORKFLOWS", _path, "a directory path",
        "Guided workflow definitions (YAML).", PROJECT_ROOT / "workflows",
    )
    messages_dir: Path = _setting(
        "PROBITY_MESSAGES", _path, "a directory path",
        "The message catalogue: every sentence Probity says, one folder per language.",
        PROJECT_ROOT / "messages",
    )
    locale: str = _setting(
        "PROBITY_LOCALE", _locale, "a language folder name in the message catalogue, e.g. en",
        "The language Probity speaks unless a person has chosen another.", "en",
    )
    directory_file: Path = _setting(
        "PROBITY_DIRECTORY", _path, "a YAML file path",
        "The staff directory used by the terminal surface (demo staff by default).",
        PROJECT_ROOT / "knowledge" / "staff.yaml",
    )
    timezone: str = _setting(
        "PROBITY_TIMEZONE", _timezone, "an IANA time zone name such as Europe/London",
        "Dates and times are stored in UTC and shown in this zone.", "Europe/London",
    )
    draft_expiry_hours: int = _setting(
        "PROBITY_DRAFT_EXPIRY_HOURS", _positive_int, "a whole number of hours above 0",
        "Unfinished declarations are deleted after this long without activity.", 72,
    )
    decision_target_days: int = _setting(
        "PROBITY_DECISION_TARGET_DAYS", _positive_int, "a whole number of days above 0",
        "Declarations undecided after this many days are flagged as late.", 28,
    )
    gift_value_limit_pence: int = _setting(
        "PROBITY_GIFT_VALUE_LIMIT_PENCE", _positive_int, "a whole number of pence above 0",
        "Gifts at or above this value need approval, when the gift workflow sets no limit.",
        2500,
    )
    senior_ranks: tuple[str, ...] = _setting(
        "PROBITY_SENIOR_RANKS", _word_list, "a comma-separated list of ranks or grades",
        "Ranks and grades whose gift registers the cross-checks watch for silence.",
        ("Chief Constable", "CC", "Deputy Chief Constable", "DCC", "Assistant Chief Constable",
         "ACC", "Assistant Chief Officer", "ACO", "Chief Superintendent", "Ch Supt",
         "Chief Supt", "Superintendent", "Supt"),
    )
    compliance_check_days: int = _setting(
        "PROBITY_COMPLIANCE_CHECK_DAYS", _positive_int, "a whole number of days above 0",
        "Refused or conditional business interests are checked for compliance this long "
        "after the decision.", 90,
    )
    handlers: tuple[str, ...] = _setting(
        "PROBITY_HANDLERS", _word_list, "a comma-separated list of user ids or directory names",
        "Integrity-unit members who may read and answer reports and decide declarations.", (),
    )
    integrity_channel: str | None = _setting(
        "PROBITY_INTEGRITY_CHANNEL", _optional_text, "a Slack channel id such as C0123456",
        "The private channel where the integrity unit receives new declarations and reports.",
    )
    report_key: str | None = _setting(
        "PROBITY_REPORT_KEY", _optional_text, "a base64-encoded 32-byte key",
        "Key that seals report content; without it a key file under PROBITY_HOME is used.",
    )
    report_notify_delay_max_minutes: int = _setting(
        "PROBITY_REPORT_NOTIFY_DELAY_MAX", _non_negative_int, "a whole number of minutes",
        "Reports and reporters' messages reach the vault (and handlers) in a daily batch "
        "at a random moment up to this many minutes after midnight, so no write dates "
        "the reporter's act.", 90,
    )
    slack_api_url: str | None = _setting(
        "PROBITY_SLACK_API_URL", _optional_text, "a URL ending in /api/",
        "Slack Web API base URL (GovSlack, tests).",
    )
    # The console's settings give their explanation as help= (operator documentation, like
    # argparse help): it is what `probity config` prints, not something staff read.
    console_base_url: str = _setting(
        "PROBITY_CONSOLE_BASE_URL", _optional_text, "a URL",
        help="Where the web console is reached; sign-in links and OpenID Connect redirects "
        "use it.", default="http://127.0.0.1:8080",
    )
    console_link_minutes: int = _setting(
        "PROBITY_CONSOLE_LINK_MINUTES", _positive_int, "minutes: 1 or more",
        help="How long a one-time console sign-in link works.", default=15,
    )
    console_session_minutes: int = _setting(
        "PROBITY_CONSOLE_SESSION_MINUTES", _positive_int, "minutes: 1 or more",
        help="A console session ends after this long without a request.", default=30,
    )
    console_session_max_hours: int = _setting(
        "PROBITY_CONSOLE_SESSION_MAX_HOURS", _positive_int, "hours: 1 or more",
        help="A console session ends this long after sign-in, however busy.", default=8,
    )
    oidc_issuer: str | None = _setting(
        "PROBITY_OIDC_ISSUER", _optional_text, "an issuer URL",
        help="Sign in to the console with OpenID Connect (https://slack.com, or Entra ID's "
        "https://login.microsoftonline.com/TENANT/v2.0); unset offers one-time links only.",
    )
    oidc_client_id: str | None = _setting(
        "PROBITY_OIDC_CLIENT_ID", _optional_text, "a client id",
        help="The console's OpenID Connect client id.",
    )
    oidc_client_secret: str | None = _setting(
        "PROBITY_OIDC_CLIENT_SECRET", _optional_text, "a client secret",
        help="The console's OpenID Connect client secret.",
    )
    oidc_id_claim: str = _setting(
        "PROBITY_OIDC_ID_CLAIM", _optional_text, "a claim, e.g. sub",
        help="The ID-token claim holding the person's id as PROBITY_HANDLERS and the staff "
        "directory name them (Slack: https://slack.com/user_id; Entra ID: "
        "preferred_username).", default="sub",
    )
    oidc_surface: str = _setting(
        "PROBITY_OIDC_SURFACE", _optional_text, "a surface, e.g. slack",
        help="Which surface's ids that claim holds, to find the person in the store.",
        default="slack",
    )
    log_level: str = _setting(
        "PROBITY_LOG_LEVEL", _log_level, "one of DEBUG, INFO, WARNING, ERROR",
        "How much Probity logs.", "INFO",
    )
    sql_echo: bool = _setting(
        "PROBITY_SQL_ECHO", _boolean, "true or false", "Log every SQL statement (debugging).",
        False,
    )

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
    rows = []
    for spec in fields(Settings):
        default = spec.default
        if isinstance(default, Path) and default.is_absolute():
            default = default.relative_to(PROJECT_ROOT) if default.is_relative_to(
                PROJECT_ROOT) else default
        if isinstance(default, tuple):
            default = ", ".join(default)
        shown = "" if default in (None, "") else str(default)
        rows.append((spec.metadata["variable"], shown, spec.metadata["help"]))
    return rows

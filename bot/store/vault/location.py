"""Where the vault lives: PROBITY_REPORTS_DATABASE_URL, or a database beside the main one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from bot.config import Settings
from bot.messages import say

#: The default vault's SQLite file, beside the main store's.
SQLITE_SUFFIX = "-reports"
#: The default vault's PostgreSQL database: the main one's name with this added.
POSTGRES_SUFFIX = "_reports"


def vault_url(settings: Settings) -> str:
    """The vault's URL: the setting, else a sibling of the main store's database."""
    if settings.reports_database_url:
        return settings.reports_database_url
    return sibling_url(settings.effective_database_url)


def sibling_url(main_url: str) -> str:
    """A database of its own next to `main_url`: another SQLite file in the same folder, or
    on PostgreSQL another database on the same server (same user, same options)."""
    url = make_url(main_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError(say("reporting.memory_store_needs_vault_url"))
        path = Path(url.database)
        return url.set(database=str(path.with_name(f"{path.stem}{SQLITE_SUFFIX}{path.suffix}"))
                       ).render_as_string(hide_password=False)
    return url.set(database=f"{url.database}{POSTGRES_SUFFIX}").render_as_string(
        hide_password=False)


def ensure_postgres_database(url_text: str) -> None:
    """Create the vault's PostgreSQL database if it is missing (needs CREATEDB, once)."""
    url: URL = make_url(url_text)
    if url.get_backend_name() != "postgresql" or not url.database:
        return
    # Connect to the server's maintenance database: the vault's does not exist yet.
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": url.database}).first()
            if exists is None:
                quoted = url.database.replace('"', '""')
                connection.execute(text(f'CREATE DATABASE "{quoted}"'))
    finally:
        admin.dispose()

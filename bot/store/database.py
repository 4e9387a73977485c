"""Opening the store: engine, sessions, transactions and bringing the schema up to date."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same in every Probity process.
_MIGRATION_LOCK_ID = 0x5072_6F62


def create_store_engine(url: str, echo: bool = False) -> Engine:
    """An engine with the per-backend settings Probity relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _make_sqlite_transactions_immediate(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _make_sqlite_transactions_immediate(engine: Engine) -> None:
    """Take SQLite's write lock at BEGIN.

    pysqlite only begins a transaction at the first write, so a read-then-write (the audit
    chain reading its last hash) could interleave with another process. BEGIN IMMEDIATE makes
    every transaction a writer from the start; SQLite serialises writers anyway.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may contain percent-escapes.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Store:
    """The database Probity keeps its records in."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, settings: Settings, upgrade: bool = True) -> Store:
        """Open the configured store, bringing its schema to the newest revision first."""
        if not settings.database_url:
            settings.ensure_home()
        store = cls(create_store_engine(settings.effective_database_url, settings.sql_echo))
        if upgrade:
            store.upgrade()
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together, or not at all."""
        with self._sessions.begin() as session:
            yield session

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(str(self.engine.url))).get_current_head()

    def upgrade(self) -> None:
        """Apply any pending migrations; safe when several processes start at once."""
        if self.current_revision() == self.head_revision():
            return
        config = alembic_config(self.engine.url.render_as_string(hide_password=False))
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"),
                                   {"id": _MIGRATION_LOCK_ID})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        log.info("store schema upgraded to %s", self.head_revision())

    def dispose(self) -> None:
        self.engine.dispose()

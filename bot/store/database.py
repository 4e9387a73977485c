"""Opening the store: engine, sessions, transactions and bringing the schema up to date."""

from __future__ import annotations

import ast
import functools
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings

if TYPE_CHECKING:
    from alembic.config import Config

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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may contain percent-escapes.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# `revision: str = "0002"` / `down_revision: str | None = "0001"` in a migration file.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=(.*)$", re.MULTILINE)


@functools.cache
def migration_heads() -> frozenset[str] | None:
    """The newest revision(s), read from the migration files without importing alembic.

    Importing alembic costs about half a second, and almost every start finds the schema
    already current, so the check is done cheaply and alembic is loaded only to upgrade.
    None when a file does not follow alembic's template; then alembic itself decides.
    """
    revisions: set[str] = set()
    replaced: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(found["revision"].strip())
            down = ast.literal_eval(found["down_revision"].strip())
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        replaced.update((down,) if isinstance(down, str) else (down or ()))
    return frozenset(revisions - replaced) or None


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
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(alembic_config(str(self.engine.url))).get_current_head()

    def stored_revisions(self) -> frozenset[str]:
        """The revisions alembic recorded in this database (none for an empty one)."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return frozenset()
            return frozenset(connection.execute(
                text("SELECT version_num FROM alembic_version")).scalars())

    def is_current(self) -> bool:
        """Whether the schema is at the newest revision, asked without loading alembic."""
        heads = migration_heads()
        if heads is None:
            return self.current_revision() == self.head_revision()
        return self.stored_revisions() == heads

    def upgrade(self) -> None:
        """Apply any pending migrations; safe when several processes start at once."""
        if self.is_current():
            return
        from alembic import command

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

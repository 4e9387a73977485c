"""Opening the store: engine, sessions, transactions and bringing the schema up to date."""

from __future__ import annotations

import logging
import os
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
from bot.store.audit import AUDIT_KEY, adopt_legacy_chain
from bot.store.keyfiles import load_or_create_key

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same in every Probity process.
_MIGRATION_LOCK_ID = 0x5072_6F62
#: The key the audit chain's HMAC and its checkpoints use, under PROBITY_HOME.
AUDIT_KEY_FILE = "audit.key"


def restrict_file_modes(home: Path | None = None) -> None:
    """Everything Probity writes from now on is readable by its owner only (umask 077), and
    an existing PROBITY_HOME and its files are brought down to that too: the SQLite store
    and its WAL were 0644, so any local user could copy them."""
    os.umask(0o077)
    if home is None or not home.exists():
        return
    home.chmod(0o700)
    for path in home.iterdir():
        if path.is_file() and path.stat().st_mode & 0o077:
            path.chmod(0o600)


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
        # Deleted content is overwritten with zeros, not left in free pages: Debian's build
        # happens to default to this, others do not.
        cursor.execute("PRAGMA secure_delete=ON")
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
    """The database Probity keeps its records in, and the reporting vault beside it.

    A session binds the vault's models (bot.reporting.vault.models) to the vault's engine
    and everything else to the main one, so one `transaction()` reads a report and writes
    the handler's audit event. Each database commits on its own: they share nothing.
    """

    def __init__(self, engine: Engine, vault_engine: Engine | None = None,
                 audit_key: bytes | None = None) -> None:
        from bot.reporting.vault.models import VaultBase

        self.engine = engine
        self.vault_engine = vault_engine
        self._adopt_unkeyed_chain = False
        binds = {VaultBase: vault_engine} if vault_engine is not None else {}
        self._sessions = sessionmaker(engine, binds=binds,  # type: ignore[arg-type]
                                      expire_on_commit=False,
                                      info={AUDIT_KEY: audit_key} if audit_key else {})

    @classmethod
    def open(cls, settings: Settings, upgrade: bool = True) -> Store:
        """Open the configured store and vault, bringing both schemas up to date first."""
        from bot.reporting.vault.location import ensure_postgres_database, vault_url

        restrict_file_modes()
        settings.ensure_home()
        restrict_file_modes(settings.home)
        key_path = settings.home / AUDIT_KEY_FILE
        first_key = not key_path.exists()
        audit_key = load_or_create_key(key_path)
        reports_url = vault_url(settings)
        if upgrade:
            ensure_postgres_database(reports_url)
        store = cls(create_store_engine(settings.effective_database_url, settings.sql_echo),
                    create_store_engine(reports_url, settings.sql_echo), audit_key)
        # Only with a brand-new key: adopting an unkeyed chain at any later start would let
        # someone rebuild the chain with plain SHA-256 and have it re-keyed for them.
        store._adopt_unkeyed_chain = first_key
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
        """Apply any pending migrations (the vault's first, since the main store's may move
        old reports into it); safe when several processes start at once."""
        if self.vault_engine is not None:
            from bot.reporting.vault.schema import upgrade_vault

            upgrade_vault(self.vault_engine)
        if self.current_revision() != self.head_revision():
            config = alembic_config(self.engine.url.render_as_string(hide_password=False))
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"),
                                       {"id": _MIGRATION_LOCK_ID})
                config.attributes["connection"] = connection
                config.attributes["vault_engine"] = self.vault_engine
                command.upgrade(config, "head")
            log.info("store schema upgraded to %s", self.head_revision())
        if self._adopt_unkeyed_chain:
            self._adopt_unkeyed_chain = False
            with self.transaction() as session:
                adopted = adopt_legacy_chain(session)
            if adopted:
                log.info("re-hashed %d audit events under the new audit key", adopted)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.vault_engine is not None:
            self.vault_engine.dispose()

"""Opening the store: engine, sessions, transactions and bringing the schema up to date."""

from __future__ import annotations

import ast
import errno
import functools
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.store.audit import AUDIT_KEY, adopt_legacy_chain
from bot.store.keyfiles import load_or_create_key

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same in every Probity process.
_MIGRATION_LOCK_ID = 0x5072_6F62
#: The key the audit chain's HMAC and its checkpoints use, under PROBITY_HOME.
AUDIT_KEY_FILE = "audit.key"


#: SQLite's primary result codes for a store that cannot take writes at all: PERM, READONLY,
#: IOERR, FULL, CANTOPEN (not BUSY or LOCKED, which pass).
_SQLITE_UNWRITABLE = {3, 8, 10, 13, 14}
#: PostgreSQL's SQLSTATEs for the same: read-only transaction, disk full, out of memory,
#: insufficient privilege.
_POSTGRES_UNWRITABLE = {"25006", "53100", "53200", "42501"}
_OS_UNWRITABLE = {errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EPERM}


def is_unwritable(error: BaseException) -> bool:
    """Whether `error` means the store cannot take writes now (read-only, full, gone), so a
    reply must not claim that what the person typed was kept."""
    from sqlalchemy.exc import DBAPIError

    seen: BaseException | None = error
    while seen is not None:
        original = seen.orig if isinstance(seen, DBAPIError) else seen
        code = getattr(original, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _SQLITE_UNWRITABLE:
            return True
        if getattr(original, "sqlstate", None) in _POSTGRES_UNWRITABLE:
            return True
        if isinstance(original, OSError) and original.errno in _OS_UNWRITABLE:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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
    """The database Probity keeps its records in, and the reporting vault beside it.

    A session binds the vault's models (bot.store.vault.models) to the vault's engine
    and everything else to the main one, so one `transaction()` reads a report and writes
    the handler's audit event. Each database commits on its own: they share nothing.
    """

    def __init__(self, engine: Engine, vault_engine: Engine | None = None,
                 audit_key: bytes | None = None) -> None:
        from bot.store.vault.models import VaultBase

        self.engine = engine
        self.vault_engine = vault_engine
        self._adopt_unkeyed_chain = False
        binds = {VaultBase: vault_engine} if vault_engine is not None else {}
        self._sessions = sessionmaker(engine, binds=binds,
                                      expire_on_commit=False,
                                      info={AUDIT_KEY: audit_key} if audit_key else {})

    @classmethod
    def open(cls, settings: Settings, upgrade: bool = True) -> Store:
        """Open the configured store and vault, bringing both schemas up to date first."""
        from bot.store.vault.location import ensure_postgres_database, vault_url

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
        """Apply any pending migrations (the vault's first, since the main store's may move
        old reports into it); safe when several processes start at once."""
        if self.vault_engine is not None:
            from bot.store.vault.schema import upgrade_vault

            upgrade_vault(self.vault_engine)
        if not self.is_current():
            from alembic import command

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

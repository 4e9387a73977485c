"""Shared fixtures: a fresh store on SQLite always, and on PostgreSQL when one is configured."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.store import Store
from bot.store.database import create_store_engine
from bot.store.models import Base

# The understanding tests' workflows, trained models and dialogue context, once per module.
from tests.understanding_support import context, definitions, understanding  # noqa: F401

POSTGRES_URL = os.environ.get("PROBITY_TEST_DATABASE_URL")
NO_POSTGRES = "PROBITY_TEST_DATABASE_URL is not set; PostgreSQL tests need a server to run against"


def _schema_url(base_url: str, schema: str) -> str:
    """The test database URL, with every connection's search_path set to `schema`."""
    url = make_url(base_url)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL into a schema of its own for this test run, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"probity_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        # The reporting vault's own schema: on a real server it is its own database.
        connection.execute(text(f'CREATE SCHEMA "{schema}{VAULT_SCHEMA_SUFFIX}"'))
    url = _schema_url(POSTGRES_URL, schema)
    Store(create_store_engine(url), create_store_engine(vault_schema_url(url))).upgrade()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'DROP SCHEMA "{schema}{VAULT_SCHEMA_SUFFIX}" CASCADE'))
    admin.dispose()


VAULT_SCHEMA_SUFFIX = "_vault"


def vault_schema_url(main_url: str) -> str:
    """The vault's URL for a test store on PostgreSQL: a schema of its own beside the main's."""
    options = make_url(main_url).query["options"]
    schema = str(options).split("search_path=", 1)[1]
    return _schema_url(POSTGRES_URL or "", schema + VAULT_SCHEMA_SUFFIX)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: migrating once keeps the suite quick."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    store = Store(create_store_engine(f"sqlite:///{path}"))
    store.upgrade()
    store.dispose()
    return path


def _empty_postgres(url: str) -> None:
    from bot.store.vault.models import VaultBase, VaultSchema

    for engine_url, metadata in ((url, Base.metadata),
                                 (vault_schema_url(url), VaultBase.metadata)):
        engine = create_store_engine(engine_url)
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables
                          if table.name != VaultSchema.__tablename__)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A URL to an empty, migrated store, once per backend."""
    if request.param == "sqlite":
        path = tmp_path / "probity.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a test: its own PROBITY_HOME and a fresh store on the backend under test
    (the vault beside it: a SQLite file next to the main one, or a PostgreSQL schema)."""
    reports = vault_schema_url(database_url) if database_url.startswith("postgresql") else None
    return Settings(home=tmp_path / "home", database_url=database_url,
                    reports_database_url=reports)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(settings)
    yield opened
    opened.dispose()


@pytest.fixture(autouse=True)
def _fresh_guess_limits() -> Iterator[None]:
    """Each test starts with no receipt guesses counted against anyone (the limiter lives in
    process memory, like a server's, so it would otherwise carry from test to test)."""
    from bot.reporting.throttle import PROCESS_LIMITER

    PROCESS_LIMITER.reset()
    yield
    PROCESS_LIMITER.reset()


#: The integrity-unit names the CLI tests act as. The test's shell user is listed as all of
#: them in PROBITY_HOME/operators.yaml, as an administrator would list a shared account, so
#: `--as` chooses among them and is refused for anyone else (bot.store.operators).
CLI_OPERATORS = ("psd.khan", "psd.okafor", "hwright", "U0SLACK1", "owen.price", "sgt.reid")


@pytest.fixture
def probity_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment variables that point a `probity` subprocess or main() at the test store,
    with this shell user listed as the CLI tests' handlers."""
    from bot.store.operators import add_operator, os_user

    for name in CLI_OPERATORS:
        add_operator(settings, name, os_users=(os_user(),))
    monkeypatch.delenv("PROBITY_OPERATOR_KEY", raising=False)
    values = {"PROBITY_HOME": str(settings.home), "PROBITY_DATABASE_URL": settings.database_url}
    if settings.reports_database_url:
        values["PROBITY_REPORTS_DATABASE_URL"] = settings.reports_database_url
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values}

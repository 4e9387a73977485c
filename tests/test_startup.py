"""Quick start: a command imports only what it needs, and a current schema loads no alembic.

Timings are not asserted here (`probity bench startup` measures them); what is asserted is
the cause of slowness: heavy modules imported by commands that do not use them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NO_POSTGRES, POSTGRES_URL, _schema_url, vault_schema_url
from sqlalchemy import create_engine, text

from bot.cli import COMMANDS, Command, build_parser
from bot.store import Store
from bot.store.database import alembic_config, create_store_engine, migration_heads

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "alembic", "argon2", "slack_bolt", "slack_sdk", "numpy",
         "bot.knowledge.engine", "bot.assistant", "bot.store.database")


def modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    probe = (f"{code}\nimport json, sys\n"
             "print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def run_probity(*argv: str) -> str:
    return ("from bot.cli import main\ntry:\n"
            f"    main({list(argv)!r})\nexcept SystemExit:\n    pass")


@pytest.mark.parametrize("argv", [("--help",), ("version",), ("bench", "--help")])
def test_help_and_version_load_none_of_the_heavy_libraries(argv: tuple[str, ...]) -> None:
    loaded = modules_after(run_probity(*argv))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_command_loads_its_own_module_and_not_the_others() -> None:
    loaded = modules_after(run_probity("ask", "--help"))
    assert "bot.knowledge.cli" in loaded
    assert not {"bot.casework.cli", "bot.reporting.cli", "bot.surfaces.console",
                "slack_bolt", "alembic", "argon2"} & loaded


def test_importing_receipts_computes_no_hash_and_loads_no_argon2() -> None:
    assert "argon2" not in modules_after("import bot.reporting.receipts")


def _leaves(commands: tuple[Command, ...], prefix: tuple[str, ...] = ()
            ) -> Iterator[tuple[str, ...]]:
    for command in commands:
        if command.subcommands:
            yield from _leaves(command.subcommands, (*prefix, command.name))
        else:
            yield (*prefix, command.name)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


@pytest.mark.parametrize("path", list(_leaves(COMMANDS)), ids=" ".join)
def test_every_listed_command_can_be_configured(path: tuple[str, ...]) -> None:
    # The table names "module:function"; a typo would otherwise show only when it is run.
    parser = build_parser(path)
    for name in path:
        parser = _subcommands(parser)[name]
    assert parser.get_default("run") is not None or _subcommands(parser)


def test_the_cheap_head_check_agrees_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert migration_heads() == frozenset(heads)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"probity_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield _schema_url(POSTGRES_URL, schema)
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_an_empty_store_is_not_current_until_upgraded(empty_database_url: str) -> None:
    store = Store(create_store_engine(empty_database_url))
    assert store.stored_revisions() == frozenset()
    assert not store.is_current()
    store.upgrade()
    assert store.is_current()
    assert store.stored_revisions() == migration_heads()
    assert store.current_revision() == store.head_revision()
    store.dispose()


def test_an_old_revision_is_not_current(store: Store) -> None:
    (head,) = migration_heads() or ()
    with store.transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        assert not store.is_current()
    finally:  # the PostgreSQL schema is shared by the session's tests: put the head back
        with store.transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :head"),
                            {"head": head})
    assert store.is_current()


def test_opening_a_current_store_does_not_load_alembic(database_url: str) -> None:
    env = {**os.environ, "PROBITY_DATABASE_URL": database_url}
    if database_url.startswith("postgresql"):
        # The vault beside the test's schema, as the settings fixture places it.
        env["PROBITY_REPORTS_DATABASE_URL"] = vault_schema_url(database_url)
    loaded = modules_after("from bot.config import Settings\nfrom bot.store import Store\n"
                           "Store.open(Settings.from_env()).dispose()", env=env)
    assert "sqlalchemy" in loaded
    assert "alembic" not in loaded

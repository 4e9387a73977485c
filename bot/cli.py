"""The `probity` command: one entry point whose subcommands each area of Probity registers."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__
from bot.config import Settings, SettingsError, describe_settings
from bot.logs import configure_logging

# Each module has register(subparsers) and sets `run(args, settings) -> int` on its parsers.
# Handlers import their heavy dependencies themselves, so `probity --help` stays quick.
COMMAND_MODULES = [
    "bot.store.cli",
    "bot.knowledge.cli",
    "bot.surfaces.slack.cli",
    "bot.reporting.cli",
    "bot.casework.cli",
    "bot.surfaces.console",
    "bot.evaluation.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="probity",
        description="Probity, a staff integrity assistant: policy answers with citations, "
        "declarations, anonymous reporting, and the integrity unit's casework.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    version = commands.add_parser("version", help="print Probity's version")
    version.set_defaults(run=lambda args, settings: print(f"probity {__version__}") or 0)
    config = commands.add_parser("config", help="show every setting and its current value")
    config.set_defaults(run=_show_config)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def _show_config(args: argparse.Namespace, settings: Settings) -> int:
    for variable, default, meaning in describe_settings():
        print(f"{variable:34} {default or '-':28} {meaning}")
    print(f"\nstore in use: {_redacted(settings.effective_database_url)}")
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"probity: configuration problem: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return int(args.run(args, settings) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The `probity` command: one entry point, a table of its subcommands, each loaded on demand.

Start-up time matters here (people type these commands, and scripts run them in loops), so
this module imports nothing heavy. The table below is the whole menu: a command's name, its
one-line help and where its arguments are configured ("module:function"). Only the command
being run has its module imported; the others are listed for `--help` by name and help alone.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import __version__
from bot.config import Settings, SettingsError, describe_settings
from bot.logs import configure_logging


@dataclass(frozen=True)
class Command:
    """One subcommand: `configure(parser)` adds its arguments and sets `run(args, settings)`."""

    name: str
    #: "module:function" that adds the command's arguments to its parser.
    configure: str = ""
    help: str = ""
    #: Shown by `probity COMMAND --help` above the options, when the help line is not enough.
    description: str | None = None
    #: A group such as `probity bench` has subcommands instead of a configure function.
    subcommands: tuple[Command, ...] = ()

    def load(self) -> Callable[[argparse.ArgumentParser], None]:
        module, _, function = self.configure.partition(":")
        configure: Callable[[argparse.ArgumentParser], None] = getattr(
            importlib.import_module(module), function)
        return configure


COMMANDS: tuple[Command, ...] = (
    Command("version", "bot.cli:_configure_version", help="print Probity's version"),
    Command("config", "bot.cli:_configure_config",
            help="show every setting and its current value"),
    Command("db", "bot.store.cli:configure_db", help="manage the database"),
    Command("audit", "bot.store.cli:configure_audit", help="check the audit log"),
    Command("console", "bot.surfaces.web.console.cli:configure_console",
            help="the integrity unit's web console: sign-in links, the monthly summary"),
    Command("operator", "bot.store.cli:configure_operator",
            help="list who may use the integrity unit's commands at this shell"),
    Command("ask", "bot.knowledge.cli:configure_ask",
            help="answer a policy question with citations",
            description="Answer a question from the policies. QUESTION '-' reads one question "
            "a line from standard input."),
    Command("eval", "bot.evaluation.cli:configure_eval",
            help="measure answer quality on every corpus (hit@3, MRR, off-topic refusals), "
            "or with 'conversations' the scripted conversations (right first time, re-prompts)",
            description="Ask every evaluation question and report hit@3, MRR and off-topic "
            "answers for the bundled set and each corpus under tests/eval/corpora, by split; "
            "'probity eval conversations' drives the scripted conversations instead."),
    Command("serve", "bot.surfaces.slack.cli:configure_serve",
            help="run the Slack app (Socket Mode by default, or HTTP with --http)",
            description="Connects Probity to Slack. Socket Mode needs SLACK_BOT_TOKEN and "
            "SLACK_APP_TOKEN and no public URL; --http serves POST /slack/events and needs "
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET."),
    Command("cases", "bot.reporting.cli:configure_cases",
            help="handle reports of wrongdoing (integrity unit)"),
    Command("casework", "bot.casework.cli:configure_casework",
            help="decide and follow up declarations"),
    Command("register", "bot.campaigns.cli:configure_registers",
            help="export, publish and cross-check registers; campaign completion by team"),
    Command("chat", "bot.surfaces.console:configure_chat",
            help="talk to Probity in the terminal (one line per turn; can be scripted)"),
    Command("drafts", "bot.surfaces.console:configure_drafts",
            help="look after unfinished declarations"),
    Command("campaign", "bot.campaigns.cli:configure_campaign",
            help="policy acknowledgement campaigns and annual returns (integrity unit)"),
    Command("worker", "bot.surfaces.worker:configure_worker",
            help="run background jobs: deliveries, reminders, schedules",
            description="Runs due jobs and fires schedules until stopped. Run one with "
            "SQLite; any number against one PostgreSQL database."),
    Command("jobs", "bot.jobs.cli:configure_jobs",
            help="background jobs by state, schedules, failures (retry, drop, run)"),
    Command("bench", help="benchmarks", subcommands=(
        Command("search", "bot.knowledge.cli:configure_bench_search",
                help="time Probity's whole ask path and index against rank-bm25 and bm25s on "
                "generated corpora, and how cost grows"),
        Command("casework", "bot.casework.cli:configure_bench",
                help="time register checks and the CSV export on a large force's year"),
        Command("jobs", "bot.jobs.cli:configure_bench",
                help="job runner throughput, one and two workers, on SQLite and PostgreSQL"),
        Command("startup", "bot.bench_startup:configure",
                help="time how long commands take to start, against a bare Python interpreter"),
        Command("slack", "bot.surfaces.slack.bench:configure",
                help="Slack under load: ack times, exactly-once answers, one and two instances"),
        Command("campaigns", "bot.bench_campaigns:configure",
                help="a campaign's fan-out to 6,000 (mock Slack) and 2,000 acknowledgements at "
                "once, none lost or doubled"),
    )),
)


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for `argv`: every command listed, only the one `argv` names configured."""
    parser = argparse.ArgumentParser(
        prog="probity",
        description="Probity, a staff integrity assistant: policy answers with citations, "
        "declarations, anonymous reporting, and the integrity unit's casework.",
    )
    _add_commands(parser, COMMANDS, list(argv), dest="command")
    return parser


def _add_commands(parser: argparse.ArgumentParser, commands: Sequence[Command],
                  argv: list[str], dest: str) -> None:
    group = parser.add_subparsers(dest=dest, required=True, metavar="COMMAND")
    # The first word that is not an option names the command (no option here takes a value).
    chosen = next((word for word in argv if not word.startswith("-")), None)
    for command in commands:
        sub = group.add_parser(command.name, help=command.help, description=command.description)
        if command.name != chosen:
            continue  # listed for --help and error messages; never parsed, so never loaded
        if command.subcommands:
            rest = argv[argv.index(command.name) + 1:]
            _add_commands(sub, command.subcommands, rest, dest=f"{command.name}_command")
        else:
            command.load()(sub)


def _configure_version(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(run=_version)


def _version(args: argparse.Namespace, settings: Settings) -> int:
    print(f"probity {__version__}")
    return 0


def _configure_config(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(run=_show_config)


def _show_config(args: argparse.Namespace, settings: Settings) -> int:
    from bot.messages import say

    for variable, default, meaning in describe_settings():
        print(f"{variable:34} {default or '-':28} {meaning}")
    print()
    print(say("cli.store_in_use", url=_redacted(settings.effective_database_url)))
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        from bot.messages import say

        print(say("cli.configuration_problem", problem=error), file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return int(args.run(args, settings) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`probity console link` and `probity console monthly-summary`: the console's commands.

Registered lazily: nothing here imports the web stack until a command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from bot.config import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    configure_console(commands.add_parser("console", help="the integrity unit's web console"))


def configure_console(console: argparse.ArgumentParser) -> None:
    """The `probity console` parser's actions (for a command table that makes the parser)."""
    actions = console.add_subparsers(dest="console_command", required=True, metavar="ACTION")
    link = actions.add_parser(
        "link", help="print a one-time sign-in link for a handler (refused for anyone else)")
    link.add_argument("--as", dest="as_name", required=True, metavar="NAME",
                      help="the handler or line manager signing in (id or name)")
    link.add_argument("--base-url", help="where the console is reached (default "
                      "PROBITY_CONSOLE_BASE_URL)")
    link.set_defaults(run=_link)
    summary = actions.add_parser(
        "monthly-summary", help="the chief officers' monthly summary: print it, or post it "
        "to Slack with its charts")
    summary.add_argument("--month", help="YYYY-MM (default: last month)")
    summary.add_argument("--post", action="store_true",
                         help="post to Slack (SLACK_BOT_TOKEN) with the charts as images")
    summary.add_argument("--channel", help="Slack channel id (default "
                         "PROBITY_INTEGRITY_CHANNEL)")
    summary.set_defaults(run=_monthly_summary)


def _link(args: argparse.Namespace, settings: Settings) -> int:
    from bot.casework.errors import CaseworkError
    from bot.casework.people import find_person
    from bot.store import Store
    from bot.store.audit import record_event
    from bot.store.operators import OperatorRefused, acting_handler, current_operator
    from bot.surfaces.web.console.signin import SignInRefused, issue_link

    store = Store.open(settings)
    try:
        # A link signs its holder in as NAME, so the person at the shell must be NAME's
        # operator (bot.store.operators), as for every other handler command.
        _, name = acting_handler(settings, args.as_name)
    except OperatorRefused as refused:
        with store.transaction() as session:
            record_event(session, f"os:{current_operator(settings).os_user}",
                         "console.link_refused", None, {"claimed": args.as_name})
        print(f"probity: {refused}", file=sys.stderr)
        return 1
    try:
        with store.transaction() as session:
            person_id = find_person(session, name, settings.directory_file).id
        print(issue_link(store, settings, person_id, args.base_url))
    except (CaseworkError, SignInRefused) as refused:
        print(f"probity: {refused}", file=sys.stderr)
        return 1
    return 0


def last_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def _monthly_summary(args: argparse.Namespace, settings: Settings) -> int:
    import re

    from bot.casework.rules import CaseworkRules
    from bot.messages import say
    from bot.store import Store
    from bot.surfaces.web.console.summary import post_summary, summary_text

    month = args.month or last_month(dt.datetime.now(settings.zone).date())
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        print(f"probity: {say('console.cli_bad_month', month=month)}", file=sys.stderr)
        return 2
    store = Store.open(settings)
    rules = CaseworkRules.from_settings(settings)
    today = dt.datetime.now(settings.zone).date()
    if not args.post:
        print(summary_text(store, rules, month, today))
        return 0
    channel = args.channel or settings.integrity_channel
    if not channel:
        print(f"probity: {say('console.cli_no_channel')}", file=sys.stderr)
        return 2
    posted = post_summary(store, settings, rules, month, today, channel)
    print(say("console.cli_posted", month=month, channel=channel, charts=posted))
    return 0

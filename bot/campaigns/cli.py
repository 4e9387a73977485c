"""`probity campaign start|status|export` and `probity register campaigns`: the integrity
unit runs campaigns and reads their completion from here."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import IO, Any

from bot.config import Settings


def configure_campaign(parser: argparse.ArgumentParser) -> None:
    steps = parser.add_subparsers(dest="campaign_command", required=True)
    start = steps.add_parser("start", help="ask an audience to acknowledge policies, or "
                             "start the annual return (POLICY 'annual-return')")
    start.add_argument("policies", nargs="+", metavar="POLICY",
                       help="front-matter id or file name without extension")
    start.add_argument("--as", dest="as_name", metavar="NAME",
                       help="the handler starting it (checked against this shell's operator)")
    start.add_argument("--audience", default="everyone",
                       help="everyone, officers, staff, team:NAME, rank:RANK or csv:FILE")
    start.add_argument("--due", type=int, default=28, metavar="DAYS")
    start.add_argument("--remind-every", type=int, default=7, metavar="DAYS")
    start.set_defaults(run=_start)
    status = steps.add_parser("status", help="completion per campaign and by team")
    status.add_argument("id", type=int, nargs="?")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=_status)
    export = steps.add_parser("export", help="every acknowledgement of a campaign")
    export.add_argument("id", type=int)
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    _record_arguments(export)


def configure_registers(parser: argparse.ArgumentParser) -> None:
    """`probity register`: casework's registers, and campaign completion beside them (here,
    since casework does not depend on campaigns)."""
    from bot.casework.cli import configure_registers as casework_registers

    campaigns = casework_registers(parser).add_parser(
        "campaigns", help="campaign completion by team; the acknowledgement records as CSV "
        "or JSON (person, policy version, when, how, check attempts)")
    campaigns.add_argument("id", type=int, nargs="?", help="one campaign (default: all)")
    campaigns.add_argument("--format", choices=("text", "csv", "json"), default="text",
                           help="text: completion by team; csv, json: the records")
    _record_arguments(campaigns)


def _record_arguments(parser: argparse.ArgumentParser) -> None:
    """Reading campaign records is a register read: `--as` is checked against the shell's
    operator as for every register, and taking the records out is audited."""
    from bot.casework.cli import _as_argument

    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    _as_argument(parser)
    parser.set_defaults(run=_records)


def _start(args: argparse.Namespace, settings: Settings) -> int:
    from bot.casework.cli import _guarded

    return _guarded(lambda: _started(args, settings))


def _started(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import func, select

    from bot.campaigns.audience import Audience, AudienceError
    from bot.campaigns.models import CampaignRecipient
    from bot.campaigns.service import CampaignError, start_annual_return, start_campaign
    from bot.casework.authorisation import is_integrity_officer
    from bot.casework.cli import _person_id
    from bot.messages import say
    from bot.store import Store
    from bot.store.models import Person

    store = Store.open(settings)
    today = dt.datetime.now(settings.zone).date()
    # `--as` naming a handler must be one this shell user is listed as, as for casework.
    person_id = _person_id(store, settings, args.as_name)
    try:
        with store.transaction() as session:
            person = session.get(Person, person_id)
            assert person is not None  # found or made by the operator check
            if not is_integrity_officer(person, settings.handlers):
                print(say("campaigns.only_handlers", name=person.display_name),
                      file=sys.stderr)
                return 1
            audience = Audience.parse(args.audience)
            actor = f"person:{person.id}"
            if args.policies == ["annual-return"]:
                campaign = start_annual_return(session, audience, settings.directory_file,
                                               actor=actor, today=today, due_days=args.due,
                                               reminder_days=args.remind_every)
            else:
                campaign = start_campaign(session, settings.policies_dir, args.policies,
                                          audience, settings.directory_file, actor=actor,
                                          today=today, due_days=args.due,
                                          reminder_days=args.remind_every)
            people = session.scalar(select(func.count()).where(
                CampaignRecipient.campaign_id == campaign.id))
            print(say("campaigns.started", id=campaign.id, title=campaign.title,
                      people=people, audience=campaign.audience,
                      due=campaign.due_on.isoformat()))
    except CampaignError as refusal:
        print(str(refusal), file=sys.stderr)
        return 1
    except AudienceError as refusal:
        print(say(refusal.key, **refusal.fields), file=sys.stderr)
        return 2
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.campaigns.service import completion
    from bot.store import Store

    store = Store.open(settings)
    with store.session() as session:
        statuses = [status.as_json() for status in completion(
            session, dt.datetime.now(settings.zone).date(), args.id)]
    if args.json:
        print(json.dumps(statuses))
        return 0
    _print_completion(statuses, sys.stdout)
    return 0


def _print_completion(statuses: list[dict[str, Any]], stream: IO[str]) -> None:
    from bot.messages import say

    if not statuses:
        print(say("campaigns.no_campaigns"), file=stream)
    for status in statuses:
        print(say("campaigns.status_line", **status), file=stream)
        for team in status["by_team"]:
            print(say("campaigns.status_team", **team), file=stream)


def _records(args: argparse.Namespace, settings: Settings) -> int:
    """`campaign export` and `register campaigns`: completion by team, or the records."""
    from bot.campaigns.service import EXPORT_COLUMNS, CampaignError, completion, export_rows
    from bot.casework.cli import _actor, _audit, _guarded, _output
    from bot.store import Store

    def step() -> int:
        store = Store.open(settings)
        actor = _actor(store, settings, args.as_name, reading=True)
        with store.session() as session:
            if args.format == "text":
                statuses = [status.as_json() for status in completion(
                    session, dt.datetime.now(settings.zone).date(), args.id)]
                with _output(args.output) as stream:
                    _print_completion(statuses, stream)
                return 0
            try:
                rows = export_rows(session, args.id)
            except CampaignError as refusal:
                print(str(refusal), file=sys.stderr)
                return 1
        with _output(args.output) as stream:
            if args.format == "json":
                print(json.dumps(rows), file=stream)
            else:
                writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
        # An export carries personal data out of the store, so who took it is recorded.
        _audit(store, actor, "campaign.exported",
               "campaigns" if args.id is None else f"campaign:{args.id}",
               {"rows": len(rows), "format": args.format,
                "output": str(args.output) if args.output else "stdout"})
        return 0

    return _guarded(step)

"""`probity campaign start|status|export`: the integrity unit runs campaigns from here."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys

from bot.config import Settings


def configure_campaign(parser: argparse.ArgumentParser) -> None:
    steps = parser.add_subparsers(dest="campaign_command", required=True)
    start = steps.add_parser("start", help="ask an audience to acknowledge policies, or "
                             "start the annual return (POLICY 'annual-return')")
    start.add_argument("policies", nargs="+", metavar="POLICY",
                       help="front-matter id or file name without extension")
    start.add_argument("--as", dest="as_name", required=True, metavar="NAME")
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
    export.set_defaults(run=_export)


def _start(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import func, select

    from bot.campaigns.audience import Audience, AudienceError
    from bot.campaigns.models import CampaignRecipient
    from bot.campaigns.service import CampaignError, start_annual_return, start_campaign
    from bot.casework.authorisation import is_integrity_officer
    from bot.casework.errors import CaseworkError
    from bot.casework.people import find_person
    from bot.messages import say
    from bot.store import Store

    store = Store.open(settings)
    today = dt.datetime.now(settings.zone).date()
    try:
        with store.transaction() as session:
            person = find_person(session, args.as_name, settings.directory_file)
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
    except (CampaignError, CaseworkError) as refusal:
        print(str(refusal), file=sys.stderr)
        return 1
    except AudienceError as refusal:
        print(say(refusal.key, **refusal.fields), file=sys.stderr)
        return 2
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.campaigns.service import completion
    from bot.messages import say
    from bot.store import Store

    store = Store.open(settings)
    with store.session() as session:
        statuses = [status.as_json() for status in completion(
            session, dt.datetime.now(settings.zone).date(), args.id)]
    if args.json:
        print(json.dumps(statuses))
        return 0
    if not statuses:
        print(say("campaigns.no_campaigns"))
    for status in statuses:
        print(say("campaigns.status_line", **status))
        for team in status["by_team"]:
            print(say("campaigns.status_team", **team))
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.campaigns.service import EXPORT_COLUMNS, CampaignError, export_rows
    from bot.store import Store
    from bot.store.audit import record_event

    store = Store.open(settings)
    try:
        with store.transaction() as session:
            rows = export_rows(session, args.id)
            # An export carries personal data out of the store, so it is recorded.
            record_event(session, "system", "campaign.exported", f"campaign:{args.id}",
                         {"rows": len(rows), "format": args.format})
    except CampaignError as refusal:
        print(str(refusal), file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(rows))
        return 0
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return 0

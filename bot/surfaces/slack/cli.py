"""`probity serve`: run the Slack app over Socket Mode, or over HTTP with `--http`."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from bot.config import Settings
from bot.messages import say

log = logging.getLogger(__name__)


def configure_serve(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--http", action="store_true",
                       help="serve Slack's HTTP requests instead of connecting by Socket Mode")
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP address to listen on")
    serve.add_argument("--no-worker", dest="worker", action="store_false",
                       help="do not run background jobs in this process (run `probity "
                       "worker` separately)")
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.surfaces.slack.credentials import SlackCredentials, SlackSetupError

    credentials = SlackCredentials.from_env()
    if args.http and not (credentials.bot_token or credentials.signing_secret):
        # The console and the report form need no Slack: a force may run them first.
        log.info("Slack is not configured (no SLACK_BOT_TOKEN or SLACK_SIGNING_SECRET); "
                 "serving the web pages only")
        from bot.store import Store

        if args.worker and not _start_worker(settings, Store.open(settings), None):
            return 2
        return _serve_http(args, settings, slack_app=None)
    from bot.surfaces.slack.app import build_app
    from bot.surfaces.slack.services import SlackServices
    from bot.workflows.definitions import DefinitionError

    try:
        credentials.check(socket_mode=not args.http)
        services = SlackServices.open(settings)
        app = build_app(services, credentials, socket_mode=not args.http)
    except SlackSetupError as error:
        print(say("cli.serve_problem", problem=error), file=sys.stderr)
        return 2
    except DefinitionError as error:
        print(say("cli.serve_definition_problem", problem=error), file=sys.stderr)
        return 2
    if args.worker and not _start_worker(settings, services.store, credentials.bot_token):
        return 2
    if args.http:
        return _serve_http(args, settings, slack_app=app)
    from slack_sdk.errors import SlackApiError

    from bot.surfaces.slack.app import socket_mode_handler

    log.info("connecting to Slack by Socket Mode")
    try:
        socket_mode_handler(app, credentials.app_token).start()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        code = error.response.get("error") or say("cli.serve_unknown_error")
        print(say("cli.serve_app_token_refused", code=code), file=sys.stderr)
        return 2
    return 0


def _start_worker(settings: Settings, store: Any, bot_token: str | None) -> bool:
    """Run background jobs in a thread of this process: the schedules (announcing reports,
    reminders, purges) and, with a bot token, the Slack outbox. False on a bad setting."""
    from bot.jobs.builtin import ScheduleSettingError, build_registry
    from bot.jobs.worker import Worker
    from bot.surfaces.slack.outbox import slack_client, slack_jobs_plugin

    client = slack_client(bot_token, settings.slack_api_url) if bot_token else None
    try:
        registry = build_registry(settings, store, plugins=[slack_jobs_plugin(store, client)])
    except ScheduleSettingError as error:
        print(f"probity serve: {error}", file=sys.stderr)
        return False
    Worker(store, registry, zone=settings.zone).start_in_thread()
    return True


def _serve_http(args: argparse.Namespace, settings: Settings, slack_app: Any) -> int:
    """Slack's endpoint (if configured), the console and the report form on one port."""
    from bot.surfaces.web.app import SLACK_EVENTS_PATH, WebConfig, build_web_app
    from bot.surfaces.web.parts import web_parts
    from bot.surfaces.web.server import serve

    web = build_web_app(WebConfig(parts=web_parts(settings), slack_app=slack_app))
    if slack_app is not None:
        log.info("serving Slack requests at http://%s:%d%s", args.host, args.port,
                 SLACK_EVENTS_PATH)
    log.info("serving the web pages at http://%s:%d/", args.host, args.port)
    serve(web, args.host, args.port)
    return 0

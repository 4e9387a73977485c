"""What every console view shares: settings, store, casework, labels and the templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.casework import labels
from bot.casework.labels import AnswerLabels
from bot.casework.rules import CaseworkRules
from bot.casework.service import Casework
from bot.config import Settings
from bot.messages import say
from bot.store import Store
from bot.store.audit import record_event
from bot.store.models import utcnow
from bot.surfaces.web.console.signin import SignedIn
from bot.workflows.parsing.money import format_money

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "probity_console"


def _environment(settings: Settings) -> Environment:
    environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                              autoescape=select_autoescape(default=True), trim_blocks=True,
                              lstrip_blocks=True)
    zone = settings.zone
    environment.globals.update(say=say, status_label=labels.status_label,
                               outcome_label=labels.outcome_label, kind_label=labels.kind_label,
                               stage_label=labels.stage_label,
                               report_status_label=labels.report_status_label,
                               money=format_money)
    environment.filters.update(
        when=lambda value: labels.when(value, zone),
        day=labels.day,
        plain=lambda value: labels.plain(value, zone),
    )
    return environment


@dataclass
class ConsoleContext:
    """Built once when the web process starts."""

    settings: Settings
    store: Store
    casework: Casework
    answer_labels: AnswerLabels
    templates: Environment = field(init=False)
    clock: Callable[[], dt.datetime] = utcnow

    def __post_init__(self) -> None:
        self.templates = _environment(self.settings)

    @property
    def rules(self) -> CaseworkRules:
        return self.casework.rules

    def today(self) -> dt.date:
        return self.clock().astimezone(self.settings.zone).date()

    def render(self, request: Request, template: str, user: SignedIn | None,
               status_code: int = 200, **values: Any) -> HTMLResponse:
        page = self.templates.get_template(template).render(
            user=user, path=request.url.path, query=request.query_params,
            with_query=lambda **changes: _with_query(request, **changes), **values)
        return HTMLResponse(page, status_code=status_code,
                            headers={"cache-control": "no-store"})

    def audit_view(self, user: SignedIn, what: str, subject: str | None,
                   details: dict[str, Any] | None = None) -> None:
        """Every view of personal data leaves an event: who looked, at what."""
        with self.store.transaction() as session:
            record_event(session, user.actor, f"console.viewed_{what}", subject, details or {})


def _with_query(request: Request, **changes: Any) -> str:
    """This page's address with some query parameters changed (pagination links)."""
    values = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = str(value)
    return f"{request.url.path}?{urlencode(values)}" if values else request.url.path

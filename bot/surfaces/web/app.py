"""The one ASGI application `probity serve --http` runs: Slack, the console, the report form.

Each part contributes routes (`WebPart`); this module adds what every page shares: security
headers, health and readiness endpoints, and Slack's endpoint when Slack is configured. The
parts are assembled by the caller (the composition root), never discovered by import.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

#: Sent with every response. Pages use no script, font or image from another host and no
#: inline script, so the policy can forbid them outright; no page may be framed (click-jacking)
#: and no address is sent on as a referrer (a report page's address must not leak).
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
     b"object-src 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


@dataclass(frozen=True)
class WebPart:
    """Routes one area contributes (the console, the report form), with its readiness check."""

    name: str
    routes: Sequence[BaseRoute]
    #: Raises (or returns False) when the part cannot serve, e.g. its store is unreachable.
    ready: Callable[[], bool] | None = None


@dataclass
class WebConfig:
    """What the web process is built from; the composition root fills it."""

    parts: list[WebPart] = field(default_factory=list)
    #: Bolt's sync App, when Slack is configured; None serves the web pages alone.
    slack_app: Any | None = None


class SecurityHeaders:
    """ASGI middleware adding SECURITY_HEADERS to every HTTP response (unless already set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS
                            if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def slack_endpoint(slack_app: Any) -> Callable[[Request], Awaitable[Response]]:
    """POST /slack/events handed to Bolt's sync App in a worker thread.

    Bolt's own Starlette adapter calls the sync App on the event loop, which would make every
    request wait for the one before it; a thread per request keeps the loop free.
    """
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        bolt_request = to_bolt_request(request, body)
        bolt_response = await run_in_threadpool(slack_app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    return endpoint


def build_web_app(config: WebConfig) -> Starlette:
    """The ASGI app: health, readiness, Slack (if configured) and every part's routes."""
    parts = list(config.parts)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def ready(request: Request) -> Response:
        failing = []
        for part in parts:
            if part.ready is None:
                continue
            try:
                fine = await run_in_threadpool(part.ready)
            except Exception:  # noqa: BLE001 - any failure means not ready
                fine = False
            if not fine:
                failing.append(part.name)
        if failing:
            return PlainTextResponse("not ready: " + ", ".join(failing) + "\n", status_code=503)
        return PlainTextResponse("ready\n")

    routes: list[BaseRoute] = [Route(HEALTH_PATH, health, methods=["GET"]),
                               Route(READY_PATH, ready, methods=["GET"])]
    if config.slack_app is not None:
        routes.append(Route(SLACK_EVENTS_PATH, slack_endpoint(config.slack_app),
                            methods=["POST"]))
    for part in parts:
        routes.extend(part.routes)
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])

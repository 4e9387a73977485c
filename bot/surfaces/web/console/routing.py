"""Console endpoints: the signed-in person, CSRF on every form, and roles, checked once here.

A view is a plain function run in a worker thread (the store is synchronous); `page()`
wraps it so no view can forget a check: it finds the session from its cookie, refuses a
form whose CSRF token is not the session's, and refuses a line manager on a handler's page.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.surfaces.web.console.context import SESSION_COOKIE, ConsoleContext
from bot.surfaces.web.console.signin import SignedIn, current_session

CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Call:
    """One request as a view sees it."""

    request: Request
    user: SignedIn
    form: FormData | None

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else default

    def arg(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default).strip()


View = Callable[[ConsoleContext, Call], Response]


def page(context: ConsoleContext, view: View, *, handlers_only: bool = True
         ) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint for `view` with the session, CSRF and role checks in front of it."""

    async def endpoint(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        cookie = request.cookies.get(SESSION_COOKIE)
        user = await run_in_threadpool(current_session, context.store, context.settings,
                                       cookie, context.clock())
        if user is None:
            if request.method == "GET":
                return RedirectResponse("/console/sign-in?expired=1" if cookie else
                                        "/console/sign-in", status_code=303)
            return context.render(request, "refused.html", None, status_code=401,
                                  reason="console.session_ended")
        if form is not None and not _csrf_ok(form, user):
            return context.render(request, "refused.html", user, status_code=403,
                                  reason="console.csrf_failed")
        if handlers_only and not user.is_handler:
            return context.render(request, "refused.html", user, status_code=403,
                                  reason="console.handlers_only")
        return await run_in_threadpool(view, context, Call(request, user, form))

    return endpoint


def _csrf_ok(form: FormData, user: SignedIn) -> bool:
    sent = form.get(CSRF_FIELD)
    return isinstance(sent, str) and secrets.compare_digest(sent, user.csrf_token)


def back_to(path: str, **notice: Any) -> RedirectResponse:
    """After a form: see the page again (POST-redirect-GET), with a notice key to show."""
    from urllib.parse import urlencode

    query = f"?{urlencode(notice)}" if notice else ""
    return RedirectResponse(f"{path}{query}", status_code=303)

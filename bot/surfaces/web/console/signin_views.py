"""Signing in and out: the one-time link's confirmation page, and sign-out."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.surfaces.web.console.context import SESSION_COOKIE, ConsoleContext
from bot.surfaces.web.console.routing import Call, back_to
from bot.surfaces.web.console.signin import (
    SignInRefused,
    current_session,
    end_session,
    redeem_link,
)


def set_session_cookie(response: Response, cookie: str) -> None:
    # Secure, HttpOnly and SameSite=Strict: never sent over plain HTTP (browsers treat
    # localhost as secure), never readable by script, never sent from another site's page.
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, secure=True,
                        samesite="strict", path="/console")


def home(context: ConsoleContext):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        user = await run_in_threadpool(current_session, context.store, context.settings,
                                       request.cookies.get(SESSION_COOKIE), context.clock())
        if user is None:
            return RedirectResponse("/console/sign-in", status_code=303)
        return RedirectResponse("/console/queue" if user.is_handler else
                                "/console/endorsements", status_code=303)
    return endpoint


def sign_in_page(context: ConsoleContext, oidc_enabled: bool):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        return context.render(request, "sign_in.html", None, oidc=oidc_enabled,
                              expired=request.query_params.get("expired") == "1")
    return endpoint


def confirm_link(context: ConsoleContext):  # type: ignore[no-untyped-def]
    """GET shows a button; only its POST uses the link. Link previews (Slack unfurls them)
    and mail scanners fetch a GET, which must not spend the one use."""

    async def endpoint(request: Request) -> Response:
        token = request.path_params["token"]
        if request.method == "GET":
            return context.render(request, "confirm_link.html", None, token=token)
        try:
            cookie = await run_in_threadpool(redeem_link, context.store, context.settings,
                                             token, context.clock())
        except SignInRefused as refused:
            return context.render(request, "refused.html", None, status_code=403,
                                  reason=refused.reason.key)
        response = RedirectResponse("/console", status_code=303)
        set_session_cookie(response, cookie)
        return response
    return endpoint


def sign_out(context: ConsoleContext, call: Call) -> Response:
    end_session(context.store, call.request.cookies.get(SESSION_COOKIE), context.clock())
    response = back_to("/console/sign-in", signed_out=1)
    response.delete_cookie(SESSION_COOKIE, path="/console", secure=True, httponly=True,
                           samesite="strict")
    return response

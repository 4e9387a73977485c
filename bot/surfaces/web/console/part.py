"""The console as a WebPart: its routes, static files and readiness, built from settings."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.casework.labels import AnswerLabels
from bot.casework.service import Casework
from bot.config import Settings
from bot.store import Store
from bot.surfaces.web.app import WebPart
from bot.surfaces.web.console import (
    case_views,
    dashboard_views,
    queue_views,
    register_views,
    report_views,
    signin_views,
)
from bot.surfaces.web.console.context import HERE, SESSION_COOKIE, ConsoleContext
from bot.surfaces.web.console.oidc import PENDING_COOKIE, OidcSignIn, Pending
from bot.surfaces.web.console.routing import page
from bot.surfaces.web.console.signin import SignInRefused, open_session


def build_context(settings: Settings, store: Store | None = None,
                  casework: Casework | None = None) -> ConsoleContext:
    store = store or Store.open(settings)
    return ConsoleContext(settings=settings, store=store,
                          casework=casework or Casework(store, settings),
                          answer_labels=AnswerLabels.load(settings.workflows_dir))


def console_routes(context: ConsoleContext, oidc: OidcSignIn | None = None) -> list[BaseRoute]:
    def get(path: str, view: object, **options: bool) -> Route:
        return Route(path, page(context, view, **options), methods=["GET"])  # type: ignore[arg-type]

    def post(path: str, view: object, **options: bool) -> Route:
        return Route(path, page(context, view, **options), methods=["POST"])  # type: ignore[arg-type]

    routes: list[BaseRoute] = [
        Route("/console", signin_views.home(context), methods=["GET"]),
        Route("/console/sign-in", signin_views.sign_in_page(context, oidc is not None),
              methods=["GET"]),
        Route("/console/sign-in/{token}", signin_views.confirm_link(context),
              methods=["GET", "POST"]),
        post("/console/sign-out", signin_views.sign_out, handlers_only=False),
        get("/console/queue", queue_views.queue),
        post("/console/assign", queue_views.assign_case),
        get("/console/endorsements", queue_views.endorsements, handlers_only=False),
        get("/console/cases/{reference}", case_views.show_case, handlers_only=False),
        post("/console/cases/{reference}/decide", case_views.decide),
        post("/console/cases/{reference}/ask", case_views.ask),
        post("/console/cases/{reference}/answer", case_views.answer),
        post("/console/cases/{reference}/endorse", case_views.endorse, handlers_only=False),
        post("/console/cases/{reference}/appeal", case_views.decide_appeal),
        get("/console/reports/{reference}", report_views.show_report),
        post("/console/reports/{reference}/reply", report_views.reply_to_report),
        post("/console/reports/{reference}/status", report_views.change_report_status),
        get("/console/reports/{reference}/attachments/{n}", report_views.download_attachment),
        get("/console/registers", register_views.registers),
        get("/console/registers/export.csv", register_views.export_csv),
        get("/console/publish", register_views.publish_page),
        post("/console/publish/exclude", register_views.exclude_entry),
        post("/console/publish/include", register_views.include_entry),
        post("/console/publish", register_views.publish_quarter),
        get("/console/published/{copy:int}", register_views.published_copy),
        get("/console/dashboard", dashboard_views.dashboard),
        get("/console/monthly-summary", dashboard_views.monthly_summary),
        get("/console/charts/{name}.{format}", dashboard_views.chart_image),
        Mount("/console/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    if oidc is not None:
        routes += oidc_routes(context, oidc)
    return routes


def oidc_routes(context: ConsoleContext, oidc: OidcSignIn) -> list[BaseRoute]:
    async def login(request: Request) -> Response:
        url, pending = await run_in_threadpool(oidc.begin)
        response = RedirectResponse(url, status_code=303)
        # Lax, not Strict: the provider sends the browser back from its own site.
        response.set_cookie(PENDING_COOKIE, pending.cookie(), max_age=600, httponly=True,
                            secure=True, samesite="lax", path="/console/oidc")
        return response

    async def callback(request: Request) -> Response:
        pending = Pending.from_cookie(request.cookies.get(PENDING_COOKIE))

        def finish() -> str:
            claims = oidc.finish(dict(request.query_params), pending)
            return open_session(context.store, context.settings,
                                oidc.person_for(context.store, claims), "oidc", context.clock())
        try:
            cookie = await run_in_threadpool(finish)
        except SignInRefused as refused:
            response: Response = context.render(request, "refused.html", None,
                                                status_code=403, reason=refused.reason.key)
        else:
            # A page of our own, not a redirect: a SameSite=Strict cookie set during a
            # navigation that began on the provider's site is not sent until the person
            # follows a link from one of ours.
            response = context.render(request, "signed_in.html", None)
            signin_views.set_session_cookie(response, cookie)
        response.delete_cookie(PENDING_COOKIE, path="/console/oidc", secure=True,
                               httponly=True, samesite="lax")
        return response

    return [Route("/console/oidc/login", login, methods=["GET"]),
            Route("/console/oidc/callback", callback, methods=["GET"])]


def console_part(settings: Settings, store: Store | None = None) -> WebPart:
    """The console, mounted at /console by bot.surfaces.web.parts."""
    context = build_context(settings, store)

    def ready() -> bool:
        with context.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True

    return WebPart("console", console_routes(context, OidcSignIn.configured(settings)), ready)


__all__ = ["SESSION_COOKIE", "build_context", "console_part", "console_routes"]

"""The report form as a WebPart: /report, /report/follow-up and their static files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.assistant import Assistant
from bot.config import Settings
from bot.reporting.context import ReportingContext
from bot.surfaces.web.app import WebPart
from bot.surfaces.web.intake import views
from bot.surfaces.web.intake.pacing import Pacing
from bot.surfaces.web.intake.tokens import FormTokens
from bot.surfaces.web.intake.views import HERE, Intake

View = Callable[[Intake, Request], Awaitable[Response]]


def build_intake(settings: Settings, assistant: Assistant | None = None,
                 pacing: Pacing | None = None) -> Intake:
    """What the pages run on; the assistant (and its store) from the composition root."""
    if assistant is None:
        from bot.app import build_app

        assistant = build_app(settings).assistant
    reporting = ReportingContext.from_settings(settings, clock=assistant.clock)
    definition = assistant.definitions["report"]
    # A key of its own for form tokens, derived from the report key so every process agrees.
    key = reporting.sealer.digest("web-intake/form-tokens").encode()
    return Intake(assistant=assistant, definition=definition, reporting=reporting,
                  tokens=FormTokens(key), pacing=pacing or Pacing(),
                  max_bytes=settings.report_attachment_max_bytes)


def intake_routes(intake: Intake) -> list[BaseRoute]:
    def bound(view: View) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await view(intake, request)
        return endpoint

    return [
        Route("/report", bound(views.show_report_form), methods=["GET"]),
        Route("/report", bound(views.submit_report), methods=["POST"]),
        Route("/report/follow-up", bound(views.show_follow_up_form), methods=["GET"]),
        Route("/report/follow-up", bound(views.open_follow_up), methods=["POST"]),
        Route("/report/follow-up/thread", bound(views.act_on_thread), methods=["POST"]),
        Mount("/report/static", app=StaticFiles(directory=HERE / "static"), name="intake"),
    ]


def intake_part(settings: Settings, assistant: Assistant | None = None,
                pacing: Pacing | None = None) -> WebPart:
    """The anonymous report form, mounted at /report by bot.surfaces.web.parts."""
    intake = build_intake(settings, assistant, pacing)

    def ready() -> bool:
        with intake.assistant.store.session() as session:
            session.execute(text("SELECT 1"))
        return "report" in intake.assistant.definitions

    return WebPart("intake", intake_routes(intake), ready)

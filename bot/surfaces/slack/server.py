"""Serving Slack's HTTP requests (POST /slack/events) from a small threaded WSGI server.

Bolt's WSGI adapter does the Slack work; this adds a health check for load balancers and a
way for tests to run the server on a random port in a thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    # Slack sends requests concurrently; one slow listener must not hold up the others.
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        # Request line and status only: bodies can hold report text, and the peer address
        # (Slack's, or a load balancer's) is left out so no log line pairs an address with
        # the moment a report arrived.
        log.debug("%s", format % args)


def wsgi_app(app: App) -> Callable[..., Iterable[bytes]]:
    """POST /slack/events to Bolt; GET /healthz answers ok; anything else 404."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]
                    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


class SlackHttpServer:
    """The HTTP server around a Bolt app: serve forever, or start in a thread for tests."""

    def __init__(self, app: App, host: str = "0.0.0.0", port: int = 3000) -> None:
        self._server = make_server(host, port, wsgi_app(app), server_class=_ThreadingWSGIServer,
                                   handler_class=_QuietHandler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def events_url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.1)

    def start_in_thread(self) -> SlackHttpServer:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name="probity-slack-http")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

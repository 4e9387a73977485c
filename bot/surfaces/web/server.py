"""Running the web app under uvicorn: in the foreground, or in a thread for tests.

The access log leaves out client addresses and user agents everywhere: a report form's
request must not leave a line pairing an address with the moment a report was made, and
the other routes gain nothing worth that risk.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

import uvicorn

from bot.messages import say

#: How long the server thread may take to start listening.
START_SECONDS = 10

log = logging.getLogger(__name__)

#: Enough for a force's burst of Slack events and presses; Slack resends only events.
BACKLOG = 2048
#: In-flight requests get this long to finish on shutdown (Slack's own timeout is 3 s).
GRACEFUL_SECONDS = 10


class _NoAddressAccessLog(logging.Filter):
    """Drops uvicorn's access lines; the method, path and status are logged by us instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return False


def server_config(app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=host, port=port, backlog=BACKLOG, access_log=False, log_config=None,
        proxy_headers=False, server_header=False, date_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS, lifespan="off",
    )


def serve(app: Any, host: str, port: int) -> None:
    """Serve until interrupted; SIGTERM lets in-flight requests finish (uvicorn's own)."""
    logging.getLogger("uvicorn.access").addFilter(_NoAddressAccessLog())
    uvicorn.Server(server_config(app, host, port)).run()


class WebServerThread:
    """The app on a free local port in a background thread (tests and benchmarks)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host = host
        self.port = int(self._sock.getsockname()[1])
        self._server = uvicorn.Server(server_config(app, host, self.port))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> WebServerThread:
        logging.getLogger("uvicorn.access").addFilter(_NoAddressAccessLog())
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True,
                                        name="probity-web")
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(say("web.server_slow_to_start", seconds=START_SECONDS))
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=GRACEFUL_SECONDS + 5)
        self._sock.close()

    def __enter__(self) -> WebServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

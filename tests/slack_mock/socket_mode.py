"""A local stand-in for Slack's Socket Mode WebSocket: it greets, delivers envelopes, and
collects the acknowledgements the app sends back.

Slack's own server lives at a wss:// URL handed out by apps.connections.open; the mock Web
API hands out this server's ws://127.0.0.1:PORT instead (slack_sdk's built-in client speaks
plain TCP to any port other than 443).
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from slack_mock.payloads import API_APP_ID


def events_api_envelope(payload: dict[str, Any], retry_attempt: int = 0) -> dict[str, Any]:
    """An Events API delivery as Socket Mode wraps it: the HTTP body under `payload`."""
    return {"envelope_id": str(uuid.uuid4()), "payload": payload, "type": "events_api",
            "accepts_response_payload": False, "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else ""}


class MockSocketModeServer:
    """Accepts the app's connection, says hello, then sends what `deliver` is given."""

    def __init__(self) -> None:
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.connected = threading.Event()
        self._server: Server | None = None

    def start(self) -> MockSocketModeServer:
        self._server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name="mock-socket-mode").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()

    def __enter__(self) -> MockSocketModeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=test-ticket&app_id={API_APP_ID}"

    def deliver(self, envelope: dict[str, Any]) -> str:
        """Queue an envelope for the connected app; returns its envelope_id."""
        self._outbox.put(envelope)
        return envelope["envelope_id"]

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The app's acknowledgement of one envelope (other messages are skipped)."""
        while True:
            message = self.received.get(timeout=timeout)
            if message.get("envelope_id") == envelope_id:
                return message

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({
            "type": "hello", "num_connections": 1,
            "debug_info": {"host": "mock-socket-mode", "approximate_connection_time": 3600},
            "connection_info": {"app_id": API_APP_ID},
        }))
        self.connected.set()
        try:
            while True:
                with contextlib.suppress(queue.Empty):
                    connection.send(json.dumps(self._outbox.get(timeout=0.05)))
                with contextlib.suppress(TimeoutError):
                    self.received.put(json.loads(connection.recv(timeout=0.05)))
        except ConnectionClosed:
            return

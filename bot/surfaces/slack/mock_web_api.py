"""A local stand-in for Slack's Web API that records every call and answers in Slack's shape
(the tests' double, and what `probity bench slack` loads against).

Tests point the app's WebClient at `MockSlackWebApi.url` (PROBITY_SLACK_API_URL) and then
assert on what the app asked Slack to do, the way bolt-python tests itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

VALID_BOT_TOKEN = "xoxb-test-valid-token"
VALID_APP_TOKEN = "xapp-1-test-valid-token"
TEAM_ID = "T0NORTHMOOR"
BOT_USER_ID = "U0PROBITY"

# Arguments slack_sdk sends form-encoded but which hold JSON text.
_JSON_FORM_ARGUMENTS = {"blocks", "view", "attachments", "metadata"}


@dataclass
class RecordedCall:
    """One Web API call the app made: the method name and its arguments, decoded."""

    method: str
    args: dict[str, Any]
    token: str | None

    def __getitem__(self, name: str) -> Any:
        return self.args[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)


@dataclass
class _RateLimit:
    remaining: int
    retry_after: int


@dataclass
class MockSlackWebApi:
    """A threaded HTTP server on 127.0.0.1 and a random port, speaking enough Web API."""

    valid_token: str = VALID_BOT_TOKEN
    valid_app_token: str = VALID_APP_TOKEN
    #: What apps.connections.open answers: set it to a local WebSocket server's ws:// URL.
    socket_mode_url: str | None = None
    calls: list[RecordedCall] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Seconds every call waits before answering (Slack's Web API typically takes 100-300 ms).
    latency: float = 0.0
    #: Extra seconds for one method, e.g. {"users.info": 3.5} for a slow directory.
    slow: dict[str, float] = field(default_factory=dict)
    #: What the x-oauth-scopes header says was granted (None: no header, as some proxies do).
    granted_scopes: str | None = ("app_mentions:read,chat:write,commands,groups:read,"
                                  "im:history,users:read")
    #: Channels the bot is a member of, for conversations.info.
    member_of: set[str] = field(default_factory=lambda: {"C0INTEGRITY"})
    #: (method, problems) for every call refused for a repeated action_id or block_id.
    refused_blocks: list[tuple[str, list[str]]] = field(default_factory=list)
    _rate_limits: dict[str, _RateLimit] = field(default_factory=dict)
    _overrides: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: Any = field(default_factory=lambda: itertools.count(1))

    def start(self) -> MockSlackWebApi:
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> MockSlackWebApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    # What tests arrange -----------------------------------------------------------------

    def add_user(self, user_id: str, real_name: str, email: str | None = None,
                 title: str | None = None) -> None:
        self.users[user_id] = {
            "id": user_id, "team_id": TEAM_ID, "name": real_name.lower().replace(" ", "."),
            "real_name": real_name, "tz": "Europe/London", "is_bot": False,
            "profile": {"real_name": real_name, "display_name": real_name,
                        "email": email or f"{user_id.lower()}@northmoor.example",
                        "title": title or ""},
        }

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls to `method` with 429 and Retry-After."""
        self._rate_limits[method] = _RateLimit(times, retry_after)

    def override(self, method: str, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Answer `method` with answer(args) instead of the built-in response."""
        self._overrides[method] = answer

    # What tests assert ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0,
                 where: Callable[[RecordedCall], bool] | None = None) -> list[RecordedCall]:
        """Wait until `count` matching calls arrived; listeners run after the HTTP ack."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_to(method) if where is None or where(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                made = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}; "
                                     f"calls made: {made}")
            time.sleep(0.02)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    # Answering --------------------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any], token: str | None
                ) -> tuple[int, dict[str, str], dict[str, Any]]:
        wait = self.latency + self.slow.get(method, 0.0)
        if wait:
            time.sleep(wait)
        limit = self._rate_limits.get(method)
        if limit and limit.remaining > 0:
            limit.remaining -= 1
            with self._lock:
                self.calls.append(RecordedCall(method, args, token))
            return 429, {"Retry-After": str(limit.retry_after)}, {"ok": False,
                                                                  "error": "ratelimited"}
        with self._lock:
            self.calls.append(RecordedCall(method, args, token))
        # Socket Mode's connection request is the one call made with the app-level token.
        expected = self.valid_app_token if method == "apps.connections.open" else self.valid_token
        if token != expected:
            error = "not_authed" if not token else "invalid_auth"
            return 200, {}, {"ok": False, "error": error}
        problems = repeated_ids(args)
        if problems:
            # Slack refuses the whole message or view; slack_sdk's validation does not.
            with self._lock:
                self.refused_blocks.append((method, problems))
            return 200, {}, {"ok": False, "error": "invalid_blocks", "errors": problems}
        headers = {"x-oauth-scopes": self.granted_scopes} if self.granted_scopes is not None \
            else {}
        if method in self._overrides:
            return 200, headers, self._overrides[method](args)
        return 200, headers, self._built_in(method, args)

    def _built_in(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        serial = next(self._counter)
        ts = f"{1_770_000_000 + serial}.{serial:06d}"
        if method == "auth.test":
            return {"ok": True, "url": "https://northmoor.slack.com/", "team": "Northmoor Police",
                    "user": "probity", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                    "bot_id": "B0PROBITY", "is_enterprise_install": False}
        if method == "apps.connections.open":
            if self.socket_mode_url is None:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_mode_url}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": ts,
                    "message": {"type": "message", "text": args.get("text", ""),
                                "blocks": args.get("blocks", []), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"),
                    "text": args.get("text", "")}
        if method in {"views.open", "views.update", "views.push", "views.publish"}:
            view = args.get("view") or {}
            view_id = args.get("view_id") or f"V{serial:08d}"
            return {"ok": True, "view": {**view, "id": view_id, "hash": f"h{serial}",
                                         "team_id": TEAM_ID}}
        if method == "conversations.info":
            channel = str(args.get("channel"))
            if not channel.startswith(("C", "G")):
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": {"id": channel, "name": "integrity-unit",
                                            "is_private": True,
                                            "is_member": channel in self.member_of}}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.replace(",", "")[:10]}}
        if method == "users.info":
            user_id = str(args.get("user"))
            user = self.users.get(user_id)
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        return {"ok": True}


def sign_request(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers for `body`: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def repeated_ids(args: dict[str, Any]) -> list[str]:
    """Slack's rule, checked independently of the app's own builders: within one message or
    view every block_id is unique, and within one block every action_id."""
    view = args.get("view")
    blocks = (view.get("blocks") if isinstance(view, dict) else None) or args.get("blocks")
    if not isinstance(blocks, list):
        return []
    problems = []
    block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
    problems += [f"repeated block_id {i!r}" for i in set(block_ids) if block_ids.count(i) > 1]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        elements = [e for e in block.get("elements") or [] if isinstance(e, dict)]
        elements += [block[k] for k in ("element", "accessory") if isinstance(block.get(k), dict)]
        ids = [e.get("action_id") for e in elements if e.get("action_id")]
        problems += [f"action_id {a!r} twice" for a in set(ids)
                     if ids.count(a) > 1]
    return problems


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Slack's side takes a burst of calls at once; the default backlog of 5 would reset them.
    request_queue_size = 1024


def _decode_body(content_type: str, raw: bytes, query: str) -> dict[str, Any]:
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    if not raw:
        return args
    if "json" in content_type:
        args.update(json.loads(raw))
        return args
    for name, values in parse_qs(raw.decode()).items():
        value: Any = values[-1]
        if name in _JSON_FORM_ARGUMENTS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        args[name] = value
    return args


def _handler_for(api: MockSlackWebApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            parsed = urlparse(self.path)
            method = parsed.path.rsplit("/", 1)[-1]
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            args = _decode_body(self.headers.get("Content-Type", ""), raw, parsed.query)
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip() or args.pop("token", None)
            status, headers, body = api._answer(method, args, token)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    return Handler

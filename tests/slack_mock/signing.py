"""Signing requests the way Slack does (v0 HMAC-SHA256) and sending them to the app over HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.surfaces.slack.mock_web_api import sign_request

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"


@dataclass(frozen=True)
class SlackResponse:
    """What the app answered Slack: status, headers and body (JSON decoded when it is JSON)."""

    status: int
    headers: dict[str, str]
    text: str
    #: Seconds from sending the request to reading the whole answer: Slack gives up at 3.
    elapsed: float = 0.0

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class SignedSender:
    """Sends Events API, interactivity and slash-command requests to the app's HTTP endpoint."""

    url: str
    secret: str = SIGNING_SECRET

    def event(self, envelope: dict[str, Any], retry_num: int | None = None,
              **kwargs: Any) -> SlackResponse:
        headers = {"Content-Type": "application/json"}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.post(json.dumps(envelope), headers, **kwargs)

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> SlackResponse:
        # Interactivity arrives form-encoded with one `payload` field holding JSON.
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, {"Content-Type": "application/x-www-form-urlencoded"}, **kwargs)

    def command(self, form: dict[str, str], **kwargs: Any) -> SlackResponse:
        return self.post(urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"},
                         **kwargs)

    def post(self, body: str, headers: dict[str, str], *, timestamp: int | None = None,
             secret: str | None = None, signature: str | None = None) -> SlackResponse:
        signed = sign_request(body, secret or self.secret, timestamp)
        if signature is not None:
            signed["X-Slack-Signature"] = signature
        request = urllib.request.Request(self.url, data=body.encode(), method="POST",
                                         headers={**headers, **signed})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                return SlackResponse(response.status, dict(response.headers), text,
                                     time.monotonic() - started)
        except urllib.error.HTTPError as error:
            return SlackResponse(error.code, dict(error.headers), error.read().decode(),
                                 time.monotonic() - started)

"""Form tokens against cross-site posting, without a cookie: signed, short-lived, per form.

The report pages set no cookie at all, so there is no session for a classic CSRF token to
be tied to. Each form instead carries a token made of a random nonce, its purpose ("report",
"follow-up", "thread") and an expiry, signed with a key derived from the report key (so
every process serving the pages agrees, and a restart does not void open forms). The nonce
doubles as the form's idempotency key, so a form sent twice files one report. Requests from
another site are refused before the token is even read, from the browser's own
Sec-Fetch-Site and Origin headers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

#: Long enough to write a report in one sitting; a form older than this comes back, with
#: everything typed, and a fresh token.
DEFAULT_LIFETIME_SECONDS = 3 * 60 * 60


@dataclass(frozen=True)
class FormTokens:
    key: bytes = field(repr=False)
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS
    clock: Callable[[], float] = time.time

    def issue(self, purpose: str) -> str:
        nonce = secrets.token_urlsafe(18)
        expires = int(self.clock()) + self.lifetime_seconds
        return f"{nonce}.{expires}.{self._sign(purpose, nonce, expires)}"

    def check(self, token: str | None, purpose: str) -> str | None:
        """The token's nonce if it is ours, for this purpose, and unexpired; else None."""
        try:
            nonce, expires_text, signature = str(token or "").split(".")
            expires = int(expires_text)
        except ValueError:
            return None
        if not hmac.compare_digest(signature, self._sign(purpose, nonce, expires)):
            return None
        return nonce if expires >= self.clock() else None

    def _sign(self, purpose: str, nonce: str, expires: int) -> str:
        body = f"{purpose}\x00{nonce}\x00{expires}".encode()
        return hmac.new(self.key, body, hashlib.sha256).hexdigest()[:32]


def same_site(request: Request) -> bool:
    """Whether a POST came from our own pages, as far as the browser says.

    Sec-Fetch-Site is what modern browsers send; Origin is checked when it is a real origin
    (a page under Referrer-Policy: no-referrer posts with Origin: null, which says nothing).
    A browser that sends neither still needs a valid form token.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        # Scheme is not compared: TLS may end at a proxy or the Tor daemon in front of us.
        return origin.split("://", 1)[-1].rstrip("/") == host
    return True

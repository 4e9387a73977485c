"""Signing in to the console with OpenID Connect: Slack's "Sign in with Slack" or a force's
Entra ID, configured by the PROBITY_OIDC_* settings.

Authorisation code flow with PKCE, state and nonce (Authlib's OAuth 2 client); the ID
token's signature, issuer, audience, expiry and nonce are checked against the provider's
published keys (joserfc, which Authlib uses). The provider proves who someone is; whether
they may use the console is still Probity's own rule (signin.console_role).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from bot.config import Settings
from bot.messages import Message, say
from bot.store import Store
from bot.store.audit import record_event
from bot.store.models import Person
from bot.surfaces.web.console.signin import SignInRefused

CALLBACK_PATH = "/console/oidc/callback"
#: Holds state, nonce and the PKCE verifier between the redirect out and the one back.
PENDING_COOKIE = "probity_oidc"
SCOPES = ("openid", "profile", "email")


@dataclass(frozen=True)
class Pending:
    state: str
    nonce: str
    verifier: str

    def cookie(self) -> str:
        return json.dumps({"s": self.state, "n": self.nonce, "v": self.verifier})

    @classmethod
    def from_cookie(cls, text: str | None) -> Pending | None:
        try:
            raw = json.loads(text or "")
            return cls(str(raw["s"]), str(raw["n"]), str(raw["v"]))
        except (ValueError, KeyError, TypeError):
            return None


class OidcSignIn:
    """One configured provider."""

    def __init__(self, settings: Settings, http: httpx.Client | None = None) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id):
            raise ValueError(say("console.oidc_not_configured"))
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.http = http or httpx.Client(timeout=10)
        self._metadata: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @classmethod
    def configured(cls, settings: Settings) -> OidcSignIn | None:
        return cls(settings) if settings.oidc_issuer and settings.oidc_client_id else None

    @property
    def redirect_uri(self) -> str:
        return self.settings.console_base_url.rstrip("/") + CALLBACK_PATH

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                found = self.http.get(f"{self.issuer}/.well-known/openid-configuration")
                found.raise_for_status()
                self._metadata = found.json()
            return self._metadata

    def _client(self) -> Any:
        from authlib.integrations.httpx_client import (  # type: ignore[import-untyped]
            OAuth2Client,
        )

        return OAuth2Client(self.settings.oidc_client_id, self.settings.oidc_client_secret,
                            scope=" ".join(SCOPES), redirect_uri=self.redirect_uri,
                            code_challenge_method="S256", timeout=10)

    def begin(self) -> tuple[str, Pending]:
        """The provider's address to send the browser to, and what to remember meanwhile."""
        pending = Pending(secrets.token_urlsafe(24), secrets.token_urlsafe(24),
                          secrets.token_urlsafe(48))
        url, _ = self._client().create_authorization_url(
            self.metadata()["authorization_endpoint"], state=pending.state,
            nonce=pending.nonce, code_verifier=pending.verifier)
        return url, pending

    def finish(self, query: dict[str, str], pending: Pending | None) -> dict[str, Any]:
        """The verified ID token's claims, or SignInRefused."""
        if pending is None or not secrets.compare_digest(query.get("state", ""), pending.state):
            raise SignInRefused(Message("console.oidc_state", {}))
        if "code" not in query:
            raise SignInRefused(Message("console.oidc_failed", {}))
        metadata = self.metadata()
        client = self._client()
        try:
            token = client.fetch_token(metadata["token_endpoint"], code=query["code"],
                                       code_verifier=pending.verifier)
        except Exception:  # noqa: BLE001 - any failure at the provider is a refusal
            raise SignInRefused(Message("console.oidc_failed", {})) from None
        return self._verify(str(token.get("id_token") or ""), pending.nonce)

    def _verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        try:
            keys = KeySet.import_key_set(self.http.get(self.metadata()["jwks_uri"]).json())
            decoded = jwt.decode(id_token, keys)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": str(self.settings.oidc_client_id)},
                nonce={"essential": True, "value": nonce},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, KeyError, httpx.HTTPError):
            raise SignInRefused(Message("console.oidc_failed", {})) from None
        return dict(decoded.claims)

    def person_for(self, store: Store, claims: dict[str, Any]) -> int:
        """The person the configured claim names, matched on their surface id exactly (never
        a display name); SignInRefused, audited, if Probity does not know them."""
        value = str(claims.get(self.settings.oidc_id_claim) or "")
        with store.transaction() as session:
            person = session.scalars(select(Person).where(
                Person.surface == self.settings.oidc_surface, Person.surface_id == value)
            ).first() if value else None
            if person is None:
                record_event(session, "system", "console.sign_in_refused", None,
                             {"why": "unknown person", "method": "oidc"})
            found = person.id if person is not None else None
        if found is None:  # raised after the commit, so the refusal stays in the log
            raise SignInRefused(Message("console.link_refused_now", {}))
        return found

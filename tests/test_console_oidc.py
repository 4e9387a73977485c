"""Signing in to the console with OpenID Connect, against a provider run in the test.

The provider speaks the authorisation-code flow with PKCE and signs ID tokens with its
own RSA key, published at its jwks_uri, as Slack's and Entra ID's do.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fixtures.casework import factory
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.config import Settings
from bot.store import Store
from bot.store.models import AuditEvent
from bot.surfaces.web.app import WebConfig, WebPart, build_web_app
from bot.surfaces.web.console.oidc import OidcSignIn
from bot.surfaces.web.console.part import build_context, console_routes
from bot.surfaces.web.server import WebServerThread

CLIENT_ID, CLIENT_SECRET = "probity-console", "not-so-secret"
CLAIM = "https://slack.com/user_id"


class MockProvider:
    """A minimal OpenID provider: discovery, authorize (signs in `next_user` at once),
    token (checks the code, the client and the PKCE verifier) and its keys."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.codes: dict[str, dict[str, Any]] = {}
        self.next_user = "U0KHAN"
        self.wrong_nonce = False
        self.server = WebServerThread(Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks)]))

    @property
    def issuer(self) -> str:
        return self.server.url

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({"issuer": self.issuer,
                             "authorization_endpoint": f"{self.issuer}/authorize",
                             "token_endpoint": f"{self.issuer}/token",
                             "jwks_uri": f"{self.issuer}/jwks",
                             "response_types_supported": ["code"],
                             "id_token_signing_alg_values_supported": ["RS256"]})

    async def authorize(self, request: Request) -> Response:
        asked = request.query_params
        assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code"
        assert asked["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": asked["code_challenge"], "nonce": asked["nonce"],
                            "redirect_uri": asked["redirect_uri"], "user": self.next_user}
        return RedirectResponse(f"{asked['redirect_uri']}?" + urlencode(
            {"code": code, "state": asked["state"]}), status_code=302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        grant = self.codes.pop(str(form["code"]), None)
        sent = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or sent != expected or challenge != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": grant["user"],
                  CLAIM: grant["user"], "iat": now, "exp": now + 300,
                  "nonce": "someone-elses" if self.wrong_nonce else grant["nonce"]}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        return JSONResponse({"access_token": "at", "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token})

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))


@pytest.fixture
def provider() -> Iterator[MockProvider]:
    mock = MockProvider()
    mock.server.start()
    yield mock
    mock.server.stop()


@pytest.fixture
def console(settings: Settings, provider: MockProvider) -> Iterator[tuple[TestClient, Store]]:
    settings = dataclasses.replace(
        settings, handlers=("slack:U0KHAN",), console_base_url="https://testserver",
        oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET, oidc_id_claim=CLAIM, oidc_surface="slack")
    store = Store.open(settings)
    with store.transaction() as session:
        factory.person(session, "U0KHAN", "Sam Khan", surface="slack")
        factory.person(session, "U0LEE", "Dana Lee", surface="slack")
    context = build_context(settings, store)
    app = build_web_app(WebConfig(parts=[WebPart(
        "console", console_routes(context, OidcSignIn(settings)))]))
    yield TestClient(app, base_url="https://testserver", follow_redirects=False), store
    store.dispose()


def _through_provider(client: TestClient) -> Response:
    out = client.get("/console/oidc/login")
    assert out.status_code == 303
    back = httpx.get(out.headers["location"], follow_redirects=False)
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    assert callback.path == "/console/oidc/callback" and "code" in parse_qs(callback.query)
    return client.get(f"{callback.path}?{callback.query}")


def test_a_handler_signs_in_with_the_organisations_provider(console, provider):
    client, store = console
    signed_in = _through_provider(client)
    assert signed_in.status_code == 200 and "You are signed in" in signed_in.text
    assert "samesite=strict" in signed_in.headers["set-cookie"].lower()
    assert client.get("/console/queue").status_code == 200
    with store.session() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "console.signed_in")).one()
    assert event.details == {"method": "oidc"}


def test_someone_the_provider_knows_but_who_is_not_a_handler_is_refused(console, provider):
    client, store = console
    provider.next_user = "U0LEE"
    refused = _through_provider(client)
    assert refused.status_code == 403
    assert client.get("/console/queue").status_code == 303
    with store.session() as session:
        assert session.scalars(select(AuditEvent.action).where(
            AuditEvent.action == "console.sign_in_refused")).all()


def test_a_token_for_another_sign_in_or_a_forged_state_is_refused(console, provider):
    client, _ = console
    provider.wrong_nonce = True
    assert _through_provider(client).status_code == 403
    provider.wrong_nonce = False
    out = client.get("/console/oidc/login")
    back = httpx.get(out.headers["location"], follow_redirects=False)
    forged = urlsplit(back.headers["location"]).query.replace("state=", "state=x")
    assert client.get(f"/console/oidc/callback?{forged}").status_code == 403
    assert client.get("/console/queue").status_code == 303

"""The shared web process: health, readiness, security headers, many connections at once."""

from __future__ import annotations

import concurrent.futures
import urllib.request

from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.surfaces.web.app import WebConfig, WebPart, build_web_app
from bot.surfaces.web.server import WebServerThread


def _hello(request):
    return PlainTextResponse("hello")


def test_health_answers_and_every_response_carries_the_security_headers():
    client = TestClient(build_web_app(WebConfig()))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert client.get("/nowhere").headers["x-content-type-options"] == "nosniff"


def test_readiness_names_the_part_that_cannot_serve():
    broken = WebPart("console", [Route("/console", _hello)], ready=lambda: 1 / 0 == 0)
    fine = WebPart("report", [Route("/report", _hello)], ready=lambda: True)
    client = TestClient(build_web_app(WebConfig(parts=[broken, fine])))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "console" in response.text and "report" not in response.text
    assert client.get("/report").text == "hello"


def test_without_slack_there_is_no_slack_endpoint():
    client = TestClient(build_web_app(WebConfig()))
    assert client.post("/slack/events", content=b"{}").status_code in {404, 405}


def test_forty_simultaneous_connections_are_all_answered():
    # The old wsgiref server (listen backlog 5) reset connections from a burst like this.
    with WebServerThread(build_web_app(WebConfig())) as server:
        def fetch(_):
            with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
                return response.status

        with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(fetch, range(120)))
    assert statuses == [200] * 120

"""CORS (`DEMARCHE_CORS_ORIGINS`) over real HTTP, and from pages of other origins in Debian's Chromium.

- A preflight from an allowed origin is answered by the server itself (never 405, never a rate-limit point) with the
  methods and headers the API uses; the answer to the request itself lets the page read it and its headers.
- Any other origin gets no CORS header at all: its preflight is 403, naming the setting; unset, no origin is allowed.
- A websocket opened from a page of another origin is refused when the list is set, since browsers do not preflight
  websockets; the server's own pages, and clients that send no `Origin`, are let in.
- Chromium, on a page served from another port of 127.0.0.1 (another origin), `fetch`es a mutation with an
  `Authorization` header (a real preflight): the answer arrives on the allowed origin's page, and the browser blocks
  it on the other's (fetch rejects, and the mutation never runs).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin, Subprotocol

from tests.e2e.helpers import LiveServer, running_server
from tests.e2e.test_graphiql_browser import CHROMIUM, CHROMIUM_ARGS, launch

ELSEWHERE = "https://app.example.org"
"""An allowed origin the HTTP tests speak for (no browser needs to serve it)."""
STRANGER = "https://elsewhere.example.net"
PAGE = (
    '<!doctype html><html><head><title>Another origin</title><link rel="icon" href="data:,"></head>'
    "<body>a page of another origin</body></html>"
)
QUERY = {"query": '{ state(code: "PL") { name } }'}


class _QuietPages(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextlib.contextmanager
def static_page(folder: Path) -> Iterator[str]:
    """A page served from a port of its own on 127.0.0.1, so of an origin other than the API's; yields that origin."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietPages, directory=str(folder)))
    thread = threading.Thread(target=pages.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{pages.server_address[1]}"
    finally:
        pages.shutdown()
        pages.server_close()


@dataclass(frozen=True)
class Site:
    api: LiveServer
    allowed_page: str
    other_page: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two pages of other origins, and an API on SQLite that allows the first of them (and ELSEWHERE) only."""
    root = tmp_path_factory.mktemp("pages")
    with static_page(root / "allowed") as allowed, static_page(root / "other") as other:
        origins = json.dumps([ELSEWHERE, allowed])  # the JSON form; tests/api/test_cors_origins.py reads the others
        with running_server("sqlite", tmp_path_factory, settings={"DEMARCHE_CORS_ORIGINS": origins}) as api:
            yield Site(api, allowed, other)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An API with the default: no other origin allowed."""
    with running_server("sqlite", tmp_path_factory) as api:
        yield api


def preflight(api: LiveServer, origin: str, method: str = "POST", headers: str = "authorization, content-type") -> httpx.Response:
    asked = {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}
    return api.client.options(f"{api.url}/graphql", headers=asked)


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.lower().startswith("access-control-")}


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


def test_a_preflight_from_an_allowed_origin_is_answered_with_what_the_api_uses(site: Site) -> None:
    for method in ("POST", "GET"):
        answer = preflight(site.api, ELSEWHERE, method)
        assert answer.status_code == 200, answer.text
        assert answer.headers["access-control-allow-origin"] == ELSEWHERE
        assert listed(answer.headers["access-control-allow-methods"]) == {"get", "post"}
        assert {"authorization", "content-type", "x-request-id", "demarche-read-after"} <= listed(
            answer.headers["access-control-allow-headers"]
        )
        assert answer.headers["access-control-max-age"] == "600"
        assert "origin" in listed(answer.headers["vary"])
        assert "access-control-allow-credentials" not in answer.headers  # bearer tokens, not cookies
        # Answered before the request gate: no rate-limit point spent, no 405.
        assert "ratelimit-remaining" not in answer.headers
        assert answer.headers["x-request-id"]  # logged as any request is


def test_a_preflight_asking_for_what_the_api_does_not_take_is_refused(site: Site) -> None:
    assert preflight(site.api, ELSEWHERE, "PUT").status_code == 400
    assert preflight(site.api, ELSEWHERE, "POST", "authorization, x-something-else").status_code == 400


def test_the_answer_to_an_allowed_origin_lets_the_page_read_it_and_its_headers(site: Site) -> None:
    token = {"Authorization": f"Bearer {site.api.token}"}
    posted = site.api.client.post(f"{site.api.url}/graphql", json=QUERY, headers={"Origin": ELSEWHERE, **token})
    got = site.api.client.get(f"{site.api.url}/graphql", params=QUERY, headers={"Origin": ELSEWHERE, "Accept": "application/json"})
    for answer in (posted, got):
        assert answer.status_code == 200
        assert answer.json()["data"] == {"state": {"name": "Poland"}}
        assert answer.headers["access-control-allow-origin"] == ELSEWHERE
        exposed = listed(answer.headers["access-control-expose-headers"])
        assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "retry-after", "x-request-id"} <= exposed
        assert {"demarche-written-at", "x-demarche-cache", "x-demarche-read"} <= exposed
        assert "origin" in listed(answer.headers["vary"])


def test_another_origin_gets_no_cors_header_at_all(site: Site) -> None:
    refused = preflight(site.api, STRANGER)
    assert refused.status_code == 403
    assert "DEMARCHE_CORS_ORIGINS" in refused.text
    assert cors_headers(refused) == {}
    # The request itself (which a browser would not send after that) is answered as usual, without a CORS header, so the
    # browser keeps the answer from the page; it varies by Origin, for HTTP caches.
    answered = site.api.client.post(f"{site.api.url}/graphql", json=QUERY, headers={"Origin": STRANGER})
    assert answered.json()["data"] == {"state": {"name": "Poland"}}
    assert cors_headers(answered) == {}
    assert "origin" in listed(answered.headers["vary"])
    # Neither do other paths, even for an allowed origin: CORS covers the GraphQL endpoint only.
    health = site.api.client.get(f"{site.api.url}/health", headers={"Origin": ELSEWHERE})
    assert cors_headers(health) == {}


def test_by_default_no_origin_is_allowed(closed: LiveServer) -> None:
    for origin in (ELSEWHERE, STRANGER):
        refused = preflight(closed, origin)
        assert refused.status_code == 403
        assert cors_headers(refused) == {}
        answered = closed.client.post(f"{closed.url}/graphql", json=QUERY, headers={"Origin": origin})
        assert answered.status_code == 200
        assert cors_headers(answered) == {}


def handshake(api: LiveServer, origin: str | None) -> int:
    """The status of a graphql-transport-ws handshake sent with this `Origin` (101 when the socket opens)."""
    url = api.url.replace("http://", "ws://") + "/graphql"
    sent = None if origin is None else Origin(origin)
    try:
        with connect(url, origin=sent, subprotocols=[Subprotocol("graphql-transport-ws")], proxy=None):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_a_websocket_from_a_page_of_another_origin_is_refused_when_origins_are_listed(site: Site, closed: LiveServer) -> None:
    assert handshake(site.api, STRANGER) == 403
    assert handshake(site.api, site.other_page) == 403
    assert handshake(site.api, ELSEWHERE) == 101
    assert handshake(site.api, site.api.url) == 101  # the server's own page (GraphiQL's subscriptions)
    assert handshake(site.api, None) == 101  # a client other than a browser
    assert handshake(closed, STRANGER) == 101  # with no list, as before: a page's origin is not checked


FETCH = """async ([url, token, name]) => {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Authorization": `Bearer ${token}`},
      body: JSON.stringify({query: `mutation { createWave(input: {name: "${name}"}) { __typename ... on Wave { name } } }`}),
    });
    return {status: response.status, body: await response.json(),
            remaining: response.headers.get("RateLimit-Remaining"), requestId: response.headers.get("X-Request-ID")};
  } catch (error) {
    return {rejected: String(error)};
  }
}"""
"""A mutation fetched from the page: JSON and an Authorization header, which no simple request may carry, so the
browser sends a preflight first."""
SOCKET = """(url) => new Promise((done) => {
  const socket = new WebSocket(url, "graphql-transport-ws");
  socket.onopen = () => { socket.close(); done("open"); };
  socket.onerror = () => done("refused");
})"""


def test_chromium_on_a_page_of_another_origin_reaches_the_api_only_from_an_allowed_origin(site: Site) -> None:
    api = site.api
    errors: list[str] = []
    with launch() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

            page.goto(f"{site.allowed_page}/index.html")
            allowed = page.evaluate(FETCH, [f"{api.url}/graphql", api.token, "Fetched from an allowed origin"])
            assert allowed.get("status") == 200, allowed
            assert allowed["body"]["data"] == {"createWave": {"__typename": "Wave", "name": "Fetched from an allowed origin"}}
            assert allowed["remaining"] is not None  # exposed: readable by the page
            assert int(allowed["remaining"]) > 0
            assert allowed["requestId"]
            assert page.evaluate(SOCKET, api.url.replace("http://", "ws://") + "/graphql") == "open"
            assert errors == []

            page.goto(f"{site.other_page}/index.html")
            blocked = page.evaluate(FETCH, [f"{api.url}/graphql", api.token, "Fetched from another origin"])
            assert "Failed to fetch" in blocked.get("rejected", ""), blocked
            assert any("CORS policy" in error and "preflight" in error for error in errors), errors
            assert page.evaluate(SOCKET, api.url.replace("http://", "ws://") + "/graphql") == "refused"
        finally:
            browser.close()
    names = [wave["name"] for wave in api.data("{ waves(first: 100) { nodes { name } } }")["waves"]["nodes"]]
    assert "Fetched from an allowed origin" in names
    assert "Fetched from another origin" not in names  # the preflight failed, so the mutation was never sent

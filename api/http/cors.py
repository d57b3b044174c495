"""Cross-origin requests: which other origins' web pages may call /graphql from a browser (CORS).

`CrossOrigin` wraps the app. On the GraphQL endpoint it hands a request from an allowed origin
(`cors_origins`) to Starlette's `CORSMiddleware`, which answers its preflight (`OPTIONS` with
`Origin` and `Access-Control-Request-Method`) itself, before the request gate (so a preflight
spends no rate-limit point and is never a 405), and adds `Access-Control-Allow-Origin` and
`Access-Control-Expose-Headers` to the answer. What it allows is what the API uses:

- methods GET and POST;
- request headers `Authorization`, `Content-Type`, `X-Request-ID` and `Demarche-Read-After`
  (besides those every browser may send), the only ones the API reads;
- response headers a client may read: the rate limit's, the request id, where a write left the
  store, and whether the answer came from the cache or the compiled path.

A request from any other origin gets no CORS header at all: its preflight is answered 403, with
the setting to change; the answer to a simple request carries only `Vary: Origin` (while origins are
listed, every answer does, so that an HTTP cache keeps answers for different origins apart), and the
browser keeps it from the page.

Browsers do not preflight websockets, and a page of any origin may open one to /graphql: with
`cors_origins` set (and not `*`), a websocket handshake whose `Origin` is neither allowed nor the
server's own (its host and port are the `Host` the handshake was sent to) is refused with 403
before it is accepted, so that a page elsewhere cannot ride a user's network position
(cross-site websocket hijacking). Clients other than browsers send no `Origin` and are let in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

GRAPHQL_PATH = "/graphql"
METHODS = ("GET", "POST")
REQUEST_HEADERS = ("Authorization", "Content-Type", "X-Request-ID", "Demarche-Read-After")
"""Request headers the API reads, beyond the CORS-safelisted ones (`Accept`, ...) that Starlette always allows."""
EXPOSED_HEADERS = (
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "X-Request-ID",
    "Demarche-Written-At",
    "X-Demarche-Cache",
    "X-Demarche-Read",
)
"""Response headers a page may read, beyond the CORS-safelisted ones (`Content-Type`, `Cache-Control`, ...)."""
PREFLIGHT_MAX_AGE = 600
"""Seconds a browser may keep a preflight's answer (Chromium keeps it at most 7,200)."""
SETTING = "DEMARCHE_CORS_ORIGINS"


class CrossOrigin:
    """ASGI middleware: CORS for the GraphQL endpoint from the allowed origins, and nothing for any other origin."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.cors = CORSMiddleware(
            app,
            allow_origins=tuple(origins),
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=PREFLIGHT_MAX_AGE,
        )

    def allowed(self, origin: str) -> bool:
        return "*" in self.origins or origin in self.origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not (path == GRAPHQL_PATH or path.startswith(GRAPHQL_PATH + "/")):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if scope["type"] == "websocket":
            if origin is not None and self.origins and not self.allowed(origin) and not _same_origin(origin, headers.get("host")):
                log.info("refused a websocket opened from a page of an origin that %s does not list", SETTING)
                await send({"type": "websocket.close", "code": 1008})  # before accepting: the handshake is answered 403
                return
            await self.app(scope, receive, send)
            return
        if self.origins and (origin is None or self.allowed(origin)):
            await self.cors(scope, receive, send)
            return
        if origin is not None and scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await _refuse_preflight(send)
            return
        # No CORS header for this origin; while some origin is allowed, the answer differs by origin.
        await self.app(scope, receive, _varying(send) if self.origins else send)


async def _refuse_preflight(send: Send) -> None:
    # The origin is not echoed: an answer never repeats what a client sent.
    body = f"cross-origin requests from this page's origin are not allowed: the server's {SETTING} does not list it\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"vary", b"Origin")]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _varying(send: Send) -> Send:
    """`send`, adding `Vary: Origin` to the answer (the answer to an allowed origin differs by its CORS headers)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            headers = MutableHeaders(scope=message)
            headers.add_vary_header("Origin")
        await send(message)

    return sending


def _same_origin(origin: str, host: str | None) -> bool:
    """Whether a page's origin is the server's own: its host and port are the `Host` the request was sent to."""
    if host is None:
        return False
    try:
        page, server = urlsplit(origin), urlsplit("//" + host)
        default = {"http": 80, "https": 443}.get(page.scheme)
        return page.hostname is not None and (page.hostname, page.port or default) == (server.hostname, server.port or default)
    except ValueError:  # a port that is no number, a bracket left open: not the server's own
        return False

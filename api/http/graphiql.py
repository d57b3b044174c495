"""GraphiQL served from the package itself: the page, its one script and one stylesheet, and the README's examples.

The bundle in `api/http/static/graphiql/` is built from `graphiql/` by `make graphiql`; its `manifest.json` names the
content-hashed files, so they can be cached for ever. The page loads nothing from elsewhere and runs no inline
script: the bundle boots GraphiQL from the page's JSON block, which a strict Content-Security-Policy allows.
"""

from __future__ import annotations

import functools
import html
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route, request_response

STATIC = Path(__file__).parent / "static" / "graphiql"
ASSETS_PATH = "/graphiql-assets"

EXAMPLES = (
    """{
  expulsions(first: 10) {
    edges { node {
      actor { code name } target { code name } measureType
      headcount { qualifier value }
      announced { value precision }
      answers { actor { code } announced { value } }
      answeredBy { actor { code } }
    } }
  }
}""",
    """{
  expulsions(actor: "RU") {
    nodes {
      statements {
        speakerName speakerRole onBehalfOf { code } channel relayedBy stance quote
        citations { source { publisher kind } }
      }
    }
  }
}""",
    """{
  expulsions(target: "RUS") {
    nodes {
      actor { name }
      headcount { qualifier value }
      citations { source { publisher } reportedHeadcount { qualifier value } excerpt }
    }
  }
}""",
    """mutation {
  createExpulsion(input: {actor: "PL", target: "RU", measureType: EXPULSION_ORDER,
                          announced: "2022-03", headcount: {qualifier: AT_LEAST, value: 45}}) {
    __typename
    ... on Expulsion { id }
    ... on UserError { errorCode problems { field code message } }
  }
}""",
)
"""The README's examples ("Three queries to paste into GraphiQL"), opened as GraphiQL's first tabs; a test holds the README to them."""

HEADERS_HINT = """Queries need no token; mutations need an
editor's token, written here as JSON:
{"Authorization": "Bearer dmr_…"}
(demarche token create NAME --role editor)"""
"""The header editor's placeholder: its text must be JSON or nothing, or every request would fail."""


def content_security_policy(style_nonce: str) -> str:
    """The page's policy: its own files only, no inline script, and no inline style but the one carrying `style_nonce`."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{style_nonce}'",  # the <style> GraphiQL's dialogs add to lock scrolling
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",  # same-origin ws: and wss: too (CSP level 3), for subscriptions
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Bundle:
    """The built script and stylesheet, by their content-hashed file names."""

    script: str
    stylesheet: str

    @property
    def files(self) -> frozenset[str]:
        return frozenset((self.script, self.stylesheet))


@functools.cache
def bundle() -> Bundle:
    """The bundle named in the manifest that `make graphiql` wrote beside it."""
    manifest = json.loads((STATIC / "manifest.json").read_text(encoding="utf-8"))
    return Bundle(script=manifest["graphiql.js"], stylesheet=manifest["graphiql.css"])


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demarche · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{stylesheet}">
<script type="application/json" id="demarche-graphiql">{config}</script>
<script src="{script}" defer></script>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
</body>
</html>
"""


def page(endpoint: str = "/graphql") -> HTMLResponse:
    """GraphiQL's page for the API at `endpoint`, with the README's examples as tabs."""
    style_nonce = secrets.token_urlsafe(18)
    config = {
        "endpoint": endpoint,
        "title": "Demarche",
        "tabs": [{"query": example} for example in EXAMPLES],
        "headersHint": HEADERS_HINT,
        "styleNonce": style_nonce,
    }
    # "<" escaped, so no text in the config can close the <script> block early.
    block = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    assets = bundle()
    text = PAGE.format(
        stylesheet=html.escape(f"{ASSETS_PATH}/{assets.stylesheet}"),
        script=html.escape(f"{ASSETS_PATH}/{assets.script}"),
        config=block,
    )
    headers = {
        "Content-Security-Policy": content_security_policy(style_nonce),
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return HTMLResponse(text, headers=headers)


async def asset(request: Request) -> Response:
    """One file of the bundle; its name changes with its content, so browsers may keep it for a year."""
    name = request.path_params["name"]
    if name not in bundle().files:
        return PlainTextResponse("no such GraphiQL asset", status_code=404)
    headers = {"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"}
    return FileResponse(STATIC / name, media_type=MEDIA_TYPES[Path(name).suffix], headers=headers)


def asset_route() -> Route:
    """The route serving the bundle's files at `/graphiql-assets/<hashed name>`."""
    # Compressed for browsers that accept it: 1.8 MB of script and styles travel as about 0.7 MB.
    return Route(ASSETS_PATH + "/{name}", GZipMiddleware(request_response(asset), minimum_size=1024), methods=["GET", "HEAD"])

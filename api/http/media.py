"""GraphQL over HTTP's two response media types: which one a request accepts, and how each tells of a request error.

`application/graphql-response+json` is the spec's own. A client that accepts it learns of a request error
(a document that does not parse or validate, an operation that is not there, variables that do not
coerce) from a 4xx status, and the body has no `data`, as nothing ran. `application/json` is the one
GraphQL servers answered in before the spec: the default for a request without Accept or accepting
anything (`*/*`), and there a request error is 200 with `data: null`, as this server has always answered.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Send

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
CONTENT_TYPES = {GRAPHQL_RESPONSE: b"application/graphql-response+json; charset=utf-8", JSON: b"application/json"}


def _ranges(accept: str) -> dict[str, float]:
    """Each media range of an Accept header with its quality (1 unless it says otherwise)."""
    found: dict[str, float] = {}
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        if not kind:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    quality = 0.0
        found[kind.lower()] = max(quality, found.get(kind.lower(), 0.0))
    return found


def negotiate(accept: str) -> str | None:
    """The media type to answer in, or None when the Accept header allows neither (406).

    application/graphql-response+json when the client names it at least as high as application/json;
    otherwise application/json, which a wildcard selects (the spec's default while clients move over)."""
    if not accept.strip():
        return JSON
    ranges = _ranges(accept)
    wildcard = ranges.get("application/*", ranges.get("*/*", 0.0))
    response_q, json_q = ranges.get(GRAPHQL_RESPONSE, wildcard), ranges.get(JSON, wildcard)
    if GRAPHQL_RESPONSE in ranges and response_q > 0 and response_q >= json_q:
        return GRAPHQL_RESPONSE
    if json_q > 0:
        return JSON
    return GRAPHQL_RESPONSE if response_q > 0 else None


def request_error(media: str, errors: list[dict[str, Any]]) -> tuple[int, bytes]:
    """The status and body of a request error: nothing was executed."""
    if media == GRAPHQL_RESPONSE:
        return 400, json.dumps({"errors": errors}, separators=(",", ":")).encode()
    return 200, json.dumps({"data": None, "errors": errors}, separators=(",", ":")).encode()


def retyped(send: Send, media: str) -> Send:
    """`send`, with the view's application/json answers labelled as the negotiated media type."""
    if media == JSON:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (name, CONTENT_TYPES[media]) if name.lower() == b"content-type" and value.startswith(JSON.encode()) else (name, value)
                for name, value in message.get("headers", [])
            ]
            message = {**message, "headers": headers}
        await send(message)

    return sending

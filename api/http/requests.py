"""Reading a GraphQL request over HTTP: its body bounded, its JSON checked, its fields typed; or why it is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope

from api.limits.variables import CODE as VARIABLES_TOO_LARGE
from api.limits.variables import too_many_values

MAX_JSON_DEPTH = 64
"""Deepest nesting of a request's JSON (variables included); the schema's inputs nest a few levels."""


@dataclass(frozen=True, slots=True)
class Call:
    """One GraphQL request as the gate read it."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    cost: int = 0
    document_id: object = None
    """The `documentId` naming a stored document (api/documents/stored.py), as sent; `query` is then empty until it is found."""

    @property
    def names_a_document(self) -> bool:
        """Whether the request names a stored document (by hash, `documentId` or operation name) instead of sending it."""
        return not self.query.strip()


GATED = "demarche.call"
"""The key under which the gate leaves the request it let through in the ASGI scope's per-request state."""


def let_through(scope: Scope, call: Call) -> None:
    """Hand the request the gate read and measured to everything downstream of it (the cache, the view), which then
    reads neither the body nor the document again."""
    scope.setdefault("state", {})[GATED] = call


def gated(scope: Scope) -> Call | None:
    """The request the gate let through, or None for one it did not read (a browser asking for GraphiQL)."""
    call = scope.get("state", {}).get(GATED)
    return call if isinstance(call, Call) else None


class Refused(Exception):
    """A request answered by the gate itself."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        extra: dict[str, Any] | None = None,
        *,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}
        self.headers = headers or ([(b"connection", b"close")] if status == 413 else [])

    def body(self) -> bytes:
        return error_body(self.message, {"code": self.code, **self.extra})


def error_body(message: str, extensions: dict[str, Any]) -> bytes:
    """A request error's body: no `data`, as nothing was executed."""
    return json.dumps({"errors": [{"message": message, "extensions": extensions}]}, separators=(",", ":")).encode()


def json_depth(value: Any) -> int:
    """How deep lists and objects nest in a decoded JSON value; walked without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def decode_json(text: str, what: str, max_values: int) -> Any:
    """A JSON text decoded, after a scan that refuses one of more than `max_values` values before decoding it."""
    if too_many_values(text, max_values):
        message = f"{what} holds more than {max_values:,} JSON values, more than a request's variables may hold"
        raise Refused(400, VARIABLES_TOO_LARGE, message, {"limit": max_values})
    try:
        value = json.loads(text)
    except RecursionError:
        raise Refused(400, "BAD_REQUEST", f"{what} nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        raise Refused(400, "BAD_REQUEST", f"{what} is not valid JSON") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise Refused(400, "BAD_REQUEST", f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def _call(payload: Any) -> Call:
    if isinstance(payload, list):
        raise Refused(400, "BAD_REQUEST", "batched requests are not supported: send one request object at a time")
    if not isinstance(payload, dict):
        raise Refused(400, "BAD_REQUEST", "the request body must be a JSON object with a `query`")
    query, variables, operation, extensions = (payload.get(k) for k in ("query", "variables", "operationName", "extensions"))
    document_id = payload.get("documentId")
    # A request may name a stored document instead of sending it: by hash (Apollo's persisted-query extension or
    # `documentId`) or by operation name; api/documents/stored.py finds it, or says why not.
    named = document_id is not None or (isinstance(extensions, dict) and "persistedQuery" in extensions) or isinstance(operation, str)
    if query in (None, "") and named:
        query = ""
    elif not isinstance(query, str) or not query.strip():
        raise Refused(400, "BAD_REQUEST", "No GraphQL query found in the request: `query` must be a non-empty string")
    if variables is not None and not isinstance(variables, dict):
        raise Refused(400, "BAD_REQUEST", "`variables` must be a JSON object or null")
    if operation is not None and not isinstance(operation, str):
        raise Refused(400, "BAD_REQUEST", "`operationName` must be a string or null")
    if extensions is not None and not isinstance(extensions, dict):
        raise Refused(400, "BAD_REQUEST", "`extensions` must be a JSON object or null")
    return Call(query, variables, operation, extensions, document_id=document_id)


def _media_type(headers: dict[bytes, bytes]) -> tuple[str, dict[str, str]]:
    raw = headers.get(b"content-type", b"").decode("latin-1")
    kind, *params = (part.strip() for part in raw.split(";"))
    parameters = {}
    for param in params:
        name, _, value = param.partition("=")
        parameters[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.lower(), parameters


async def read_body(headers: dict[bytes, bytes], receive: Receive, max_body: int) -> bytes:
    """The request body, refused (413) past `max_body` bytes: from Content-Length before reading, else while reading."""
    declared = headers.get(b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_body:
        raise Refused(413, "PAYLOAD_TOO_LARGE", f"the request body is over the limit of {max_body:,} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise Refused(400, "BAD_REQUEST", "the client went away before its request body ended")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            raise Refused(413, "PAYLOAD_TOO_LARGE", f"the request body is over the limit of {max_body:,} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def call_from_body(headers: dict[bytes, bytes], body: bytes, max_values: int) -> Call:
    """The request a POST body holds: UTF-8 JSON of a request object, sent as JSON."""
    kind, parameters = _media_type(headers)
    if kind not in ("application/json", "application/graphql-response+json"):
        raise Refused(415, "UNSUPPORTED_MEDIA_TYPE", "send the request as `Content-Type: application/json`")
    if parameters.get("charset", "utf-8") not in ("utf-8", "utf8"):
        raise Refused(415, "UNSUPPORTED_MEDIA_TYPE", "the request body must be UTF-8 (`charset=utf-8`, or no charset)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "BAD_REQUEST", "the request body is not valid UTF-8") from None
    return _call(decode_json(text, "the request body", max_values))


def call_from_query_string(scope: Scope, headers: dict[bytes, bytes], max_values: int) -> Call | None:
    """The request a GET query string holds; None for a browser asking for GraphiQL."""
    raw = scope.get("query_string", b"")
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeError:
        raise Refused(400, "BAD_REQUEST", "the query string is not valid UTF-8") from None
    params = dict(pairs)
    asks = ("query", "extensions", "documentId", "operationName")
    if not any(name in params for name in asks) and any(kind in headers.get(b"accept", b"") for kind in (b"text/html", b"*/*")):
        return None
    payload: dict[str, Any] = {"query": params.get("query"), "operationName": params.get("operationName") or None}
    if "documentId" in params:
        payload["documentId"] = params["documentId"]
    for name in ("variables", "extensions"):
        if params.get(name):
            payload[name] = decode_json(params[name], f"`{name}`", max_values)
    return _call(payload)

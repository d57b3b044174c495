"""A response cache for GraphQL queries, keyed by document, variables and caller, and made stale
by every committed write (the record version is read once per request, so a write by any
process is seen at once). Mutations, errors and non-JSON responses are never cached.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Version = Callable[[], Awaitable[int]]
MAX_BODY = 1_000_000


@lru_cache(maxsize=512)
def _only_queries(document: str) -> bool:
    try:
        parsed = parse(document)
    except GraphQLError:
        return False
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    return bool(operations) and all(d.operation is OperationType.QUERY for d in operations)


def _request_key(scope: Scope, body: bytes) -> str | None:
    """What makes two requests the same question, or None if this one must not be cached."""
    if scope["method"] == "POST":
        try:
            payload = json.loads(body)
        except ValueError:
            return None
    else:
        payload = {name: values[0] for name, values in parse_qs(scope.get("query_string", b"").decode()).items()}
        if isinstance(payload.get("variables"), str):
            try:
                payload["variables"] = json.loads(payload["variables"])
            except ValueError:
                return None
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str) or not _only_queries(payload["query"]):
        return None
    headers = dict(scope.get("headers", []))
    if b"text/html" in headers.get(b"accept", b""):
        return None  # a browser may be asking for GraphiQL, which is never cached
    caller = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
    identity = [payload["query"], payload.get("variables") or {}, payload.get("operationName"), caller]
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))


class ResponseCache:
    """ASGI middleware in front of the GraphQL view."""

    def __init__(self, app: ASGIApp, version: Version, *, entries: int) -> None:
        self.app = app
        self.version = version
        self.entries = entries
        self._store: OrderedDict[tuple[int, str], tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST") or self.entries <= 0:
            await self.app(scope, receive, send)
            return
        body, complete = await _read(receive)
        key = _request_key(scope, body) if complete else None
        replay = _replay(body, complete, receive)
        if key is None:
            await self.app(scope, replay, send)
            return
        entry_key = (await self.version(), key)
        cached = self._store.get(entry_key)
        if cached is not None:
            self._store.move_to_end(entry_key)
            headers, content = cached
            await send({"type": "http.response.start", "status": 200, "headers": [*headers, (b"x-demarche-cache", b"hit")]})
            await send({"type": "http.response.body", "body": content})
            return
        captured: dict[str, Any] = {"status": 0, "headers": [], "body": bytearray()}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"], captured["headers"] = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        await self.app(scope, replay, capture)
        content = bytes(captured["body"])
        json_response = any(name.lower() == b"content-type" and b"json" in value for name, value in captured["headers"])
        if captured["status"] == 200 and json_response and b'"errors"' not in content:
            self._store[entry_key] = (captured["headers"], content)
            while len(self._store) > self.entries:
                self._store.popitem(last=False)


async def _read(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and whether all of it was read (a huge one is passed on unread)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """Hand the downstream app the body already read, then the rest of the original stream."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay

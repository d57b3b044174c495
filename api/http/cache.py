"""A response cache for GraphQL queries, keyed by document, variables and caller, and made stale
by every committed write. Mutations, errors and non-JSON responses are never cached.

Which answers are current is told by the process's change signal (persistence/live/changes.py): its
generation moves with every write this process commits and, on PostgreSQL, every write another
process commits (heard through LISTEN/NOTIFY, persistence/live/listener.py). While the signal is live, a
hit costs no SQL statement at all. While it is deaf (the listening connection is down), a change
may go unheard, so the cache falls back to reading the record version, one statement per request,
which every write bumps in its own transaction; if that read fails too, the cache is bypassed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.requests import gated
from api.limits.documents import Documents
from domain.store import Changes

log = logging.getLogger(__name__)

READ_AFTER_HEADER = b"demarche-read-after"
"""The request header with which a client asks to read nothing older than its write (lower-case, as ASGI gives it)."""

Version = Callable[[], Awaitable[int]]
Validity = tuple[Literal["heard", "read"], int]
"""What an answer is current for: a generation of the change signal, or a record version read from the store."""


def _request_key(scope: Scope, documents: Documents) -> str | None:
    """What makes two requests the same question, or None if this one must not be cached."""
    call = gated(scope)
    if call is None or not documents.prepare(call.query).only_queries:
        return None
    headers = dict(scope.get("headers", []))
    if b"text/html" in headers.get(b"accept", b""):
        return None  # a browser may be asking for GraphiQL, which is never cached
    if READ_AFTER_HEADER in headers:
        # It names a write this process may not have heard of yet, so an answer filed under the current
        # generation may predate it: the request is answered afresh (see api/app.py, READ_AFTER).
        return None
    caller = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
    identity = [call.query, call.variables or {}, call.operation_name, caller]
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))


class ResponseCache:
    """ASGI middleware in front of the GraphQL view, behind the request gate; bounded in entries and in bytes."""

    def __init__(
        self,
        app: ASGIApp,
        version: Version,
        documents: Documents,
        *,
        signal: Changes | None = None,
        entries: int,
        max_bytes: int,
        counted: Callable[[Literal["hit", "miss"]], None] = lambda _result: None,
    ) -> None:
        self.app = app
        self.counted = counted
        """Told of every lookup of a cacheable request, found or not."""
        self.version = version
        """Reads the record version from the store: the fallback while `signal` is deaf, or always without a signal."""
        self.signal = signal
        self.documents = documents
        self.entries = entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._store: OrderedDict[tuple[Validity, str], tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.entries <= 0 or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        key = _request_key(scope, self.documents)
        if key is None:
            await self.app(scope, receive, send)
            return
        validity = await self._validity()
        if validity is None:
            await self.app(scope, receive, send)
            return
        # Taken before the answer is made: a change heard while it is made leaves it under a generation already past.
        entry_key = (validity, key)
        cached = self._store.get(entry_key)
        self.counted("miss" if cached is None else "hit")
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

        await self.app(scope, receive, capture)
        content = bytes(captured["body"])
        json_response = any(name.lower() == b"content-type" and b"json" in value for name, value in captured["headers"])
        if captured["status"] == 200 and json_response and b'"errors"' not in content:
            self._keep(entry_key, [h for h in captured["headers"] if not h[0].lower().startswith(b"ratelimit")], content)

    async def _validity(self) -> Validity | None:
        """What answers are current for now, or None when nothing can say (the cache is then bypassed)."""
        if self.signal is not None and self.signal.live:
            return ("heard", self.signal.generation)
        try:
            return ("read", await self.version())
        except Exception:
            # The record store cannot say whether a cached answer is current: the view answers, and
            # reports the outage as a GraphQL error if it meets it too.
            log.warning("the record version could not be read; the response cache is bypassed", exc_info=True)
            return None

    def _keep(self, key: tuple[Validity, str], headers: list[tuple[bytes, bytes]], content: bytes) -> None:
        size = len(content) + len(key[1]) + sum(len(name) + len(value) for name, value in headers)
        if size > self.max_bytes // 10:
            return  # one answer may not take more than a tenth of the cache
        if key in self._store:
            return
        self._store[key] = (headers, content)
        self.bytes += size
        while len(self._store) > self.entries or self.bytes > self.max_bytes:
            old_key, (old_headers, old_content) = self._store.popitem(last=False)
            self.bytes -= len(old_content) + len(old_key[1]) + sum(len(n) + len(v) for n, v in old_headers)

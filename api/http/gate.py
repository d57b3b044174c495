"""The request gate: what every GraphQL request over HTTP passes before anything else looks at it.

In order, and each before any work the next would cost:
1. the Accept header must allow one of GraphQL over HTTP's media types (406; see api/http/media.py);
2. the body is bounded (413, from Content-Length before reading, or while reading) and must be
   UTF-8 JSON of a request object, nested at most api.http.requests.MAX_JSON_DEPTH deep (400), sent as
   `application/json` in UTF-8 (415) (a POST body is decoded after step 3); a body of more JSON
   values than variables may hold is refused (400 VARIABLES_TOO_LARGE) by a bounded scan before it
   is decoded (api/limits/variables.py);
3. the caller (a valid token, else the address) spends a first point of its budget, before a POST
   body is decoded or its document parsed: over it, 429 with Retry-After;
4. a request that names a stored document instead of sending it (Apollo's persisted-query hash, `documentId`, or an
   operation name) gets its text from api/documents/stored.py, or is refused (`PERSISTED_QUERY_NOT_FOUND`, a hash that
   is not its text's, and in trusted-only mode anything that is not a registered operation); the text it runs then
   passes every check below, as a document sent whole does, and an automatic persisted query sent whole is stored only
   once it has;
5. the variables are checked for a list or a string longer than any input takes (VARIABLES_TOO_LARGE),
   then the document is parsed once under the token limit and validated once (Documents); the
   operation is picked as the executor would pick it (a mutation sent with GET gets 405), its
   variables are coerced, checked for text no record can hold, and its cost measured; an
   operation over the cost limit is refused with its cost and the limit, and a subscription is
   refused (SUBSCRIPTION_OVER_HTTP: api/live/sockets.py serves them). Each of these is a request
   error, answered in the negotiated media type (400 without `data`, or 200 with `data: null`),
   so the view only ever executes;
6. the caller spends the rest of the request's points (one per 100 of its cost): over it, 429;
7. the rest runs under the request timeout; a request that overruns it is answered with an
   UNAVAILABLE error and its work cancelled (its transaction rolled back unless its commit had begun).
A GET naming its document by hash says how HTTP caches may keep its answer (`Cache-Control`, `Vary`).
The parsed request is handed on in the ASGI scope (api.http.requests.gated), so the cache and the view do not read the
body again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, get_variable_values
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.documents.stored import DocumentRefused, Resolved, StoredDocuments
from api.graphql.errors import brief
from api.http.cache import READ_AFTER_HEADER
from api.http.media import CONTENT_TYPES, GRAPHQL_RESPONSE, JSON, negotiate, request_error, retyped
from api.http.requests import Call, Refused, call_from_body, call_from_query_string, error_body, let_through, read_body
from api.limits.access import bearer_secret
from api.limits.documents import Documents
from api.limits.rates import RateLimiter, Verdict, points_for
from api.limits.variables import VariableLimits, oversized_variable

log = logging.getLogger(__name__)

KNOWN_TOKENS = 10_000
TOKEN_TRUSTED_FOR = 60.0
"""Seconds a token found valid is charged as itself before it is checked again (the view checks it on every request)."""
TokenValidity = Callable[[str], Awaitable[bool]]
"""Whether an `Authorization` header carries a valid token."""
MAX_COERCION_ERRORS = 50
"""The most variable errors reported for one request, as the executor reports them."""


def _formatted(error: GraphQLError) -> dict[str, Any]:
    """A request error as the executor would send it, its message cut as api.graphql.errors cuts every message."""
    return {**error.formatted, "message": brief(error.message)}


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | GraphQLError:
    """The operation a request runs, picked as the executor picks it; or why there is none."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) == 1:
            return operations[0]
        return GraphQLError(
            "Must provide operation name if query contains multiple operations." if operations else "Must provide an operation."
        )
    found = next((d for d in operations if d.name is not None and d.name.value == name), None)
    return found if found is not None else GraphQLError(f"Unknown operation named '{name}'.")


def vet(
    documents: Documents, call: Call, max_cost: int, limits: VariableLimits = VariableLimits()
) -> tuple[OperationDefinitionNode | None, int, list[GraphQLError]]:
    """The operation a call runs and its cost, or the request errors that keep it from running (over HTTP or a socket):
    its variables' size, the document's parse and validation, the operation's choice, its variables' coercion and its cost."""
    oversized = oversized_variable(call.variables, limits) if call.variables else None
    if oversized is not None:
        return None, 0, [oversized]
    prepared = documents.prepare(call.query)
    if prepared.document is None or prepared.errors:  # a syntax error, over the token limit, or invalid
        return None, 0, list(prepared.errors)
    operation = _operation(prepared.document, call.operation_name)
    if isinstance(operation, GraphQLError):
        return None, 0, [operation]
    variables = operation.variable_definitions or ()
    coerced = get_variable_values(documents.schema, variables, call.variables or {}, max_errors=MAX_COERCION_ERRORS)
    if isinstance(coerced, list):
        return operation, 0, coerced
    # Measured under the coerced values, so a variable's default counts as it will run (`@include(if: $f = true)`).
    cost, refusal = documents.refusal(call.query, call.operation_name, dict(coerced.coerced), max_cost)
    return operation, cost, [] if refusal is None else [refusal]


@dataclass(frozen=True, slots=True)
class _Found:
    """A stored document found for a request, and the request with its text."""

    resolved: Resolved
    call: Call


def token_budget(secret: str) -> str:
    """The budget key of a token's secret (never the secret itself)."""
    return "token:" + hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()[:40]


class Gate:
    """ASGI middleware in front of the response cache and the GraphQL view."""

    def __init__(
        self,
        app: ASGIApp,
        documents: Documents,
        limiter: RateLimiter | None,
        *,
        max_body: int,
        max_cost: int,
        timeout: float,
        check_token: TokenValidity | None = None,
        variables: VariableLimits = VariableLimits(),
        stored: StoredDocuments | None = None,
        public_max_age: int = 0,
    ) -> None:
        self.app = app
        self.documents = documents
        self.limiter = limiter
        self.max_body = max_body
        self.max_cost = max_cost
        self.timeout = timeout
        self.check_token = check_token
        self.variables = variables
        self.stored = stored
        """Finds the documents requests name by hash or by name (api/documents/stored.py); None: every request sends its text."""
        self.public_max_age = public_max_age
        """Seconds HTTP caches may keep a public read named by hash and sent with GET."""
        self._valid_tokens: OrderedDict[str, float] = OrderedDict()
        """Budget keys of tokens found valid, with when to check them again."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        accept = headers.get(b"accept", b"").decode("latin-1")
        media = negotiate(accept)
        found: _Found | DocumentRefused | None = None
        try:
            call = call_from_query_string(scope, headers, self.variables.values) if scope["method"] == "GET" else None
            if scope["method"] == "GET" and call is None:  # a browser asking for GraphiQL
                await self.app(scope, receive, send)
                return
            if media is None:
                message = f"this endpoint answers in {GRAPHQL_RESPONSE} or {JSON}; the Accept header allows neither"
                raise Refused(406, "NOT_ACCEPTABLE", message)
            body = b"" if call is not None else await read_body(headers, receive, self.max_body)
            # The first point is spent before a body is decoded, so that a caller sending bodies that are refused
            # (too many values, not JSON) meets its rate limit as any other does.
            caller, verdict = await self._caller(scope, headers)
            if verdict is None or verdict.allowed:
                call = call or call_from_body(headers, body, self.variables.values)
                found = await self._resolve(call)
                if isinstance(found, DocumentRefused):
                    await self._refuse_document(send, found, media, verdict, scope["method"])
                    return
                call = call if found is None else found.call
                cost, errors = self._vet(call, scope["method"])
                if errors:
                    status, content = request_error(media, [_formatted(error) for error in errors])
                    rates = [] if verdict is None else verdict.headers()
                    named = scope["method"] == "GET" and isinstance(found, _Found) and found.resolved.hash is not None
                    await _send(send, status, content, [*rates, *(NOT_STORED if named else [])], media)
                    return
                if found is not None and found.resolved.to_keep is not None:
                    await self._keep(found.resolved.to_keep, call.query)
                verdict = await self._rest(caller, cost, verdict)
        except Refused as refused:
            named = scope["method"] == "GET" and isinstance(found, _Found) and found.resolved.hash is not None
            await _send(send, refused.status, refused.body(), [*refused.headers, *(NOT_STORED if named else [])], media or JSON)
            return
        if verdict is not None and not verdict.allowed:
            window = self.limiter.window if self.limiter is not None else 0
            message = f"this caller has spent its {verdict.limit:,} points of this {window} s window; retry in {verdict.reset_after} s"
            refusal = error_body(message, {"code": "RATE_LIMITED", "retryAfter": verdict.reset_after})
            await _send(send, 429, refusal, verdict.headers(), media)
            return
        assert call is not None  # read whenever the caller was let through
        let_through(scope, Call(call.query, call.variables, call.operation_name, call.extensions, cost))
        sending = retyped(_with_headers(send, verdict), media)
        if scope["method"] == "GET" and isinstance(found, _Found) and found.resolved.hash is not None:
            sending = _cacheable(sending, public=_public(headers), max_age=self.public_max_age)
        await self._answer(scope, _replay(body), sending, media)

    async def _resolve(self, call: Call) -> _Found | DocumentRefused | None:
        """The document a request names by hash or name, found; None for a request that sent its text and names none."""
        if self.stored is None:
            if call.names_a_document:
                raise Refused(400, "BAD_REQUEST", "No GraphQL query found in the request: `query` must be a non-empty string")
            return None
        try:
            resolved = await self.stored.resolve(call.query or None, call.extensions, call.document_id, call.operation_name)
        except DocumentRefused as refused:
            if refused.code == "BAD_REQUEST":
                raise Refused(400, "BAD_REQUEST", refused.error.message) from None
            return refused
        except Exception:
            log.warning("the stored documents could not be read", exc_info=True)
            raise Refused(503, "UNAVAILABLE", "the stored documents cannot be read now; retry, or send the document itself") from None
        return _Found(resolved, Call(resolved.query, call.variables, call.operation_name, call.extensions))

    async def _refuse_document(self, send: Send, refused: DocumentRefused, media: str, verdict: Verdict | None, method: str) -> None:
        rates = [] if verdict is None else verdict.headers()
        if refused.send_text:
            # As Apollo Server answers it, so that every persisted-query client sends the document next: 200, and not for caches.
            content = json.dumps({"errors": [refused.formatted()]}, separators=(",", ":")).encode()
            await _send(send, 200, content, [(b"cache-control", b"private, no-cache, must-revalidate"), *rates], media)
            return
        status, content = request_error(media, [refused.formatted()])
        await _send(send, status, content, [*rates, *(NOT_STORED if method == "GET" else [])], media)

    async def _keep(self, hash: str, query: str) -> None:
        """Store an automatic persisted query that passed every check; a store that fails costs the request nothing."""
        assert self.stored is not None
        try:
            await self.stored.keep(hash, query)
        except Exception:
            log.warning("an automatic persisted query could not be stored", exc_info=True)

    def _vet(self, call: Call, method: str) -> tuple[int, list[GraphQLError]]:
        """The cost of the operation a request runs, or the request errors that keep it from running."""
        operation, cost, errors = vet(self.documents, call, self.max_cost, self.variables)
        if operation is not None and method == "GET" and operation.operation is not OperationType.QUERY:
            kind = operation.operation.value
            raise Refused(405, "METHOD_NOT_ALLOWED", f"a {kind} cannot be sent with GET: send it with POST", headers=[(b"allow", b"POST")])
        if operation is not None and operation.operation is OperationType.SUBSCRIPTION and not errors:
            message = "a subscription is served over a websocket (graphql-transport-ws on /graphql), not over HTTP"
            return 0, [GraphQLError(message, extensions={"code": "SUBSCRIPTION_OVER_HTTP"})]
        return cost, errors

    async def _answer(self, scope: Scope, receive: Receive, send: Send, media: str) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.timeout):
                await self.app(scope, receive, watch)
        except TimeoutError:
            log.warning("a request ran over the %s s request timeout and was stopped", self.timeout)
            if not started:
                message = (
                    f"the request ran longer than the server's limit of {self.timeout:g} s and was stopped; a change it made was "
                    "rolled back unless it had begun to commit: read the record before retrying"
                )
                # `data: null` as from an executor that started and was stopped: a 2xx in either media type.
                body = json.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": "UNAVAILABLE"}}]})
                await _send(send, 200, body.encode(), [], media)

    async def _caller(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[str, Verdict | None]:
        """Whose budget a request spends, and the verdict on its first point, spent before any work is done for it:
        a valid token's own budget, else the client's address (so made-up tokens, however the header is written,
        get no budget of their own: a token is checked only after its address paid a point for the check, or, once
        the address is over its budget, a point of the address's budget of token checks)."""
        client = scope.get("client")
        address = "address:" + (str(client[0]) if client else "unknown")
        raw = headers.get(b"authorization")
        secret = bearer_secret(raw.decode("latin-1")) if raw else None
        if secret is None or self.limiter is None:
            return address, None if self.limiter is None else await self.limiter.take(address, 1)
        token = token_budget(secret)
        known = self._valid_tokens.get(token)
        if known is not None and known > time.monotonic():
            self._valid_tokens.move_to_end(token)
            return token, await self.limiter.take(token, 1)
        verdict = await self.limiter.take(address, 1)
        if not verdict.allowed:
            # The address has spent its own budget; its token checks have a budget of their own, so a valid token
            # behind a busy address still gets in while made-up ones cost a bounded number of lookups.
            checks = await self.limiter.take("checks:" + address, 1)
            if not checks.allowed:
                return address, verdict
        if self.check_token is None or not await self.check_token(raw.decode("latin-1") if raw else ""):
            return address, verdict
        self._valid_tokens[token] = time.monotonic() + TOKEN_TRUSTED_FOR
        while len(self._valid_tokens) > KNOWN_TOKENS:
            self._valid_tokens.popitem(last=False)
        return token, await self.limiter.take(token, 1) if not verdict.allowed else verdict

    async def _rest(self, caller: str, cost: int, first: Verdict | None) -> Verdict | None:
        """Spend the rest of a request's points (its first was spent before its document was read)."""
        rest = points_for(cost) - 1
        if self.limiter is None or rest <= 0:
            return first
        return await self.limiter.take(caller, rest)


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]], media: str) -> None:
    start = [(b"content-type", CONTENT_TYPES[media]), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


def _replay(body: bytes) -> Receive:
    """The body already read, for anything downstream that reads it again; then the client's end."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # as a real client that sent everything: nothing more until it leaves
        return {"type": "http.disconnect"}

    return replay


def _with_headers(send: Send, verdict: Verdict | None) -> Send:
    if verdict is None:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *verdict.headers()]}
        await send(message)

    return sending


VARY = (b"vary", b"Accept, Authorization, Demarche-Read-After")
"""What the answer to a GET naming its document by hash depends on, besides its URL."""
NOT_STORED = [(b"cache-control", b"private, no-store"), VARY]
"""For an answer no cache may keep: a refusal, an answer with errors, an answer to a token."""


def _public(headers: dict[bytes, bytes]) -> bool:
    """Whether the answer to a request may be shared with other callers: it carries no token and asks for no write."""
    return b"authorization" not in headers and READ_AFTER_HEADER not in headers


def _cacheable(send: Send, *, public: bool, max_age: int) -> Send:
    """`send`, saying how HTTP caches may keep a GET answer for a document named by hash: a successful answer without a
    token for `max_age` seconds by anyone (`public`); an answer to a token, or one with errors, by no one. It varies with
    the token, the media type negotiated and a read-after position."""
    held: list[Message] = []

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            held.append(message)
            return
        if message["type"] != "http.response.body" or not held:
            await send(message)
            return
        start = held.pop()
        body = message.get("body", b"")
        shared = public and max_age > 0 and start["status"] == 200 and not message.get("more_body", False) and b'"errors"' not in body
        policy = f"public, max-age={max_age}" if shared else "private, no-store"
        extra = [(b"cache-control", policy.encode()), VARY]
        kept = [(name, value) for name, value in start.get("headers", []) if name.lower() not in (b"cache-control", b"vary")]
        await send({**start, "headers": [*kept, *extra]})
        await send(message)

    return sending

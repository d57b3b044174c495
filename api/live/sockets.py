"""Subscriptions over graphql-transport-ws on /graphql, held to the limits every HTTP request is held to.

- The socket must ask for the `graphql-transport-ws` subprotocol (else 4406), and send
  `connection_init` within `socket_init_timeout` (else 4408). A process holds at most
  `max_sockets` sockets (one more is closed with 1013, "try again later").
- The token is read from the `connection_init` payload (`authorization`, `Authorization`,
  `headers.Authorization` as `Bearer <secret>`, or `token` as the bare secret) and checked as a
  request's token is: a token that is not valid, or none while reads require one, closes the
  socket with 4403.
- Each `subscribe` passes the request gate's checks (token limit, depth, aliases, variables, cost;
  api.http.gate.vet) and spends the caller's rate-limit points, `subscription_points` more when it needs an
  execution of its own; a refusal is an `error` message for that id, every error with a code, and the
  socket stays open. At most `max_subscriptions_per_socket` run at once on a socket,
  `max_subscriptions_per_caller` for one caller (its rate-limit budget) on the process, `max_subscriptions`
  on the process, and `max_replays_per_caller` of one caller's may be replaying the history (SUBSCRIPTION_LIMIT,
  REPLAY_LIMIT). A replay pays page by page for the entries it reads (api/live/hub.py, `entries`).
- Messages are text frames: a binary frame closes the socket with 4400, as any malformed message does.
- Only subscriptions run over a socket: a query or mutation is refused with SUBSCRIPTIONS_ONLY
  (send them with POST, where the response cache and the request timeout apply).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graphql import ArgumentNode, FieldNode, GraphQLError, OperationDefinitionNode, OperationType, VariableNode
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from api.documents.stored import DocumentRefused, StoredDocuments
from api.graphql.context import Context
from api.http.gate import token_budget, vet
from api.http.requests import Call
from api.limits.access import bearer_secret
from api.limits.documents import Documents
from api.limits.rates import RateLimiter, points_for
from api.live.fanout import FanOut
from api.live.feeds import Feed, Member, ProcessQueue, SocketQueue
from api.live.hub import Following, HistoryHub, Unpaid
from api.settings import Settings
from domain.record.catalogue import StateCatalogue
from domain.store import RecordStore

log = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"
BAD_REQUEST, FORBIDDEN, NO_PROTOCOL, INIT_TIMEOUT, DUPLICATE_ID, TOO_MANY_INITS = 4400, 4403, 4406, 4408, 4409, 4429
TRY_AGAIN_LATER = 1013
POLICY = 1008
OVERFLOW_GRACE = 5.0
"""Seconds a socket past a byte bound has to take its subscriptions' SUBSCRIPTION_OVERFLOW notices before it is closed."""


class Refusal(Exception):
    """Ends a socket with a close code and a reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _authorization(payload: Any, headers: Any) -> str | None:
    """The `Authorization` value a client gave in its `connection_init` payload (or, failing that, its handshake)."""
    if isinstance(payload, dict):
        nested = payload.get("headers")
        for value in (
            payload.get("authorization"),
            payload.get("Authorization"),
            nested.get("Authorization") if isinstance(nested, dict) else None,
            nested.get("authorization") if isinstance(nested, dict) else None,
        ):
            if isinstance(value, str):
                return value
        token = payload.get("token")
        if isinstance(token, str):
            return f"Bearer {token}"
    given: str | None = headers.get("authorization")
    return given


def _resumes(operation: OperationDefinitionNode, variables: dict[str, Any]) -> bool:
    """Whether the subscription replays from an `after` of its own (and so cannot share a feed)."""
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            for argument in selection.arguments or ():
                if isinstance(argument, ArgumentNode) and argument.name.value == "after":
                    value = argument.value
                    given = variables.get(value.name.value) if isinstance(value, VariableNode) else getattr(value, "value", None)
                    if given is not None:
                        return True
    return False


def _coded(error: GraphQLError) -> dict[str, Any]:
    """A request error as the socket sends it: with a code, as every error the server sends has one."""
    shown = dict(error.formatted)
    extensions: dict[str, Any] = dict(error.extensions or {})
    if "code" not in extensions:
        if error.message.startswith("Syntax Error"):
            extensions["code"] = "GRAPHQL_PARSE_FAILED"
        elif error.message.startswith("Variable '$") or error.message.startswith('Variable "$'):
            extensions["code"] = "BAD_USER_INPUT"
        else:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
    shown["extensions"] = extensions
    return shown


@dataclass(eq=False)
class SubscriptionSockets:
    """The ASGI endpoint of the subscription sockets (see the module's docstring)."""

    schema: Any
    documents: Documents
    uow_factory: RecordStore
    catalogue: StateCatalogue
    settings: Settings
    hub: HistoryHub
    limiter: RateLimiter | None
    stored: StoredDocuments | None = None
    """Finds a subscription named by hash or name (api/documents/stored.py); in trusted-only mode, only those run."""
    sockets: int = field(default=0, init=False)
    feeds: dict[tuple[Any, ...], Feed] = field(default_factory=dict, init=False)
    running: Counter[str] = field(default_factory=Counter, init=False)
    """Subscriptions running, by caller (its rate-limit budget)."""
    replaying: Counter[str] = field(default_factory=Counter, init=False)
    """Subscriptions replaying the history, by caller."""
    fanout: FanOut = field(init=False)
    queued: ProcessQueue = field(init=False)

    def __post_init__(self) -> None:
        self.fanout = FanOut(self.uow_factory.primary_session)
        self.queued = ProcessQueue(self.settings.subscription_queue_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        offered = scope.get("subprotocols") or []
        if self.sockets >= self.settings.max_sockets:
            await websocket.accept(PROTOCOL if PROTOCOL in offered else None)
            await websocket.close(TRY_AGAIN_LATER, f"this server holds {self.settings.max_sockets} sockets already; try again later")
            return
        if PROTOCOL not in offered:
            await websocket.accept()
            await websocket.close(NO_PROTOCOL, f"Subprotocol not acceptable: this endpoint speaks {PROTOCOL}")
            return
        await websocket.accept(PROTOCOL)
        self.sockets += 1
        session = _Session(self, websocket)
        try:
            await session.run()
        except Refusal as refusal:
            if websocket.application_state is WebSocketState.CONNECTED:
                await websocket.close(refusal.code, refusal.reason)
        except WebSocketDisconnect:
            pass
        finally:
            self.sockets -= 1
            session.stop()

    def forget(self, feed: Feed) -> None:
        if self.feeds.get(feed.key) is feed:
            del self.feeds[feed.key]


class _Session:
    """One socket: its caller, and its running subscriptions by id."""

    def __init__(self, sockets: SubscriptionSockets, websocket: WebSocket) -> None:
        self.sockets = sockets
        self.websocket = websocket
        self.members: dict[str, Member] = {}
        self.authorization: str | None = None
        self.role: str | None = None
        self.budget = ""
        self.lock = asyncio.Lock()
        self.queued = SocketQueue(sockets.queued, sockets.settings.socket_queue_bytes, self.lock, self._overflowed)
        self._closing: asyncio.Task[None] | None = None
        self.replays: set[Member] = set()

    async def send(self, text: str) -> None:
        async with self.lock:
            await self.websocket.send_text(text)

    async def receive(self) -> dict[str, Any]:
        received = await self.websocket.receive()
        if received["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(received.get("code", 1000), received.get("reason"))
        text = received.get("text")
        if not isinstance(text, str):
            raise Refusal(BAD_REQUEST, "Invalid message received: graphql-transport-ws messages are text frames, not binary")
        try:
            message = json.loads(text)
        except ValueError:
            raise Refusal(BAD_REQUEST, "Invalid message received: not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise Refusal(BAD_REQUEST, "Invalid message received: no type")
        return message

    async def run(self) -> None:
        settings = self.sockets.settings
        try:
            async with asyncio.timeout(settings.socket_init_timeout):
                first = await self.receive()
        except TimeoutError:
            raise Refusal(INIT_TIMEOUT, "Connection initialisation timeout") from None
        if first["type"] != "connection_init":
            raise Refusal(FORBIDDEN if first["type"] == "subscribe" else BAD_REQUEST, "Unauthorized: send connection_init first")
        await self.initialise(first.get("payload"))
        while True:
            message = await self.receive()
            kind = message["type"]
            if kind == "ping":
                pong = {"type": "pong", **({"payload": message["payload"]} if "payload" in message else {})}
                await self.send(json.dumps(pong))
            elif kind == "pong":
                continue
            elif kind == "subscribe":
                await self.subscribe(message)
            elif kind == "complete":
                member = self.members.get(str(message.get("id")))
                if member is not None:
                    member.leave()
            elif kind == "connection_init":
                raise Refusal(TOO_MANY_INITS, "Too many initialisation requests")
            else:
                raise Refusal(BAD_REQUEST, f"Invalid message received: unknown type {kind[:40]!r}")
            await asyncio.sleep(0)  # messages already received do not keep the loop from everyone else

    async def initialise(self, payload: Any) -> None:
        """Check the token as a request's is checked, then acknowledge."""
        self.authorization = _authorization(payload, self.websocket.headers)
        context = await self.context()
        caller = context.caller
        if caller.unavailable is not None:
            raise Refusal(1011, "the record store is unavailable; try again later")
        if caller.refused is not None:
            raise Refusal(FORBIDDEN, "Forbidden: the token is not valid")
        if caller.principal is None and self.sockets.settings.reads_require_token:
            raise Refusal(FORBIDDEN, "Forbidden: this server needs a bearer token in the connection_init payload")
        self.role = None if caller.principal is None else caller.principal.role.value
        secret = bearer_secret(self.authorization) if self.authorization else None
        client = self.websocket.client
        self.budget = token_budget(secret) if secret and caller.principal else "address:" + (client.host if client else "unknown")
        await self.send(json.dumps({"type": "connection_ack"}))

    async def context(self) -> Context:
        sockets = self.sockets
        # An event is read as its entry is written: never from a replica that may not have replayed it yet.
        return await Context.for_request(sockets.uow_factory, sockets.catalogue, sockets.settings, self.authorization, primary=True)

    async def refuse(self, id: str, errors: list[dict[str, Any]]) -> None:
        await self.send(json.dumps({"id": id, "type": "error", "payload": errors}))

    async def subscribe(self, message: dict[str, Any]) -> None:
        id, payload = message.get("id"), message.get("payload")
        if not isinstance(id, str) or not id or len(id) > 200 or not isinstance(payload, dict):
            raise Refusal(BAD_REQUEST, "Invalid message received: subscribe needs an id and a payload")
        if id in self.members:
            raise Refusal(DUPLICATE_ID, f"Subscriber for {id[:80]} already exists")
        query, variables, name = payload.get("query"), payload.get("variables"), payload.get("operationName")
        stored = self.sockets.stored
        extensions = payload.get("extensions")
        names = payload.get("documentId") is not None or (isinstance(extensions, dict) and "persistedQuery" in extensions)
        if (
            stored is not None
            and (stored.trusted_only or (not query and (names or isinstance(name, str))))
            and isinstance(name, str | None)
        ):
            try:
                found = await stored.resolve(
                    query if isinstance(query, str) else None,
                    extensions if isinstance(extensions, dict) else None,
                    payload.get("documentId"),
                    name,
                )
            except DocumentRefused as refused:
                if refused.code == "BAD_REQUEST":
                    raise Refusal(BAD_REQUEST, f"Invalid message received: {refused.error.message}") from None
                await self.refuse(id, [refused.formatted()])
                return
            query = found.query
        if not isinstance(query, str) or not isinstance(variables, dict | None) or not isinstance(name, str | None):
            raise Refusal(BAD_REQUEST, "Invalid message received: a subscribe payload has a query, variables and an operationName")
        sockets, settings = self.sockets, self.sockets.settings
        if len(self.members) >= settings.max_subscriptions_per_socket:
            limit = settings.max_subscriptions_per_socket
            message_ = f"this socket runs {limit} subscriptions already, the most one socket may; complete one first"
            await self.refuse(id, [{"message": message_, "extensions": {"code": "SUBSCRIPTION_LIMIT", "limit": limit}}])
            return
        refusal = self.over_bounds()
        if refusal is not None:
            await self.refuse(id, [refusal])
            return
        operation, cost, errors = vet(sockets.documents, Call(query, variables, name, None), settings.max_query_cost)
        if errors:
            await self.refuse(id, [_coded(error) for error in errors])
            return
        assert operation is not None
        if operation.operation is not OperationType.SUBSCRIPTION:
            text = f"this socket runs subscriptions only: send a {operation.operation.value} with POST to /graphql"
            await self.refuse(id, [{"message": text, "extensions": {"code": "SUBSCRIPTIONS_ONLY"}}])
            return
        resumes = _resumes(operation, variables or {})
        if resumes and sockets.replaying[self.budget] >= settings.max_replays_per_caller:
            limit = settings.max_replays_per_caller
            text = f"this caller has {limit} subscriptions replaying the history already, the most one may; wait for one to catch up"
            await self.refuse(id, [{"message": text, "extensions": {"code": "REPLAY_LIMIT", "limit": limit}}])
            return
        key = (query, name, json.dumps(variables or {}, sort_keys=True, default=str), self.role)
        shared = not resumes and key in sockets.feeds
        if sockets.limiter is not None:
            # A subscription that runs an execution of its own costs that execution on every event: it pays for it up front.
            points = points_for(cost) + (0 if shared else settings.subscription_points)
            verdict = await sockets.limiter.take(self.budget, points)
            if not verdict.allowed:
                text = f"this caller has spent its {verdict.limit:,} points of this {sockets.limiter.window} s window"
                await self.refuse(id, [{"message": text, "extensions": {"code": "RATE_LIMITED", "retryAfter": verdict.reset_after}}])
                return
        if self.over_bounds() is None and id not in self.members:  # still true after the wait for points
            await self.start(id, key, query, variables or {}, name, cost, resumes)
        else:
            await self.refuse(id, [self.over_bounds() or {"message": f"Subscriber for {id[:80]} already exists"}])

    def over_bounds(self) -> dict[str, Any] | None:
        """The error refusing one more subscription, if the caller or the process runs as many as it may."""
        sockets, settings = self.sockets, self.sockets.settings
        if sockets.running[self.budget] >= settings.max_subscriptions_per_caller:
            limit = settings.max_subscriptions_per_caller
            text = f"this caller runs {limit} subscriptions already on this server, the most one caller may; complete one first"
            return {"message": text, "extensions": {"code": "SUBSCRIPTION_LIMIT", "limit": limit}}
        if sockets.running.total() >= settings.max_subscriptions:
            limit = settings.max_subscriptions
            text = f"this server runs {limit} subscriptions already, the most it may; try again later"
            return {"message": text, "extensions": {"code": "SUBSCRIPTION_LIMIT", "limit": limit}}
        return None

    async def start(
        self, id: str, key: tuple[Any, ...], query: str, variables: dict[str, Any], name: str | None, cost: int, resumes: bool
    ) -> None:
        sockets, settings = self.sockets, self.sockets.settings
        member = Member(
            id, self.websocket.send_text, queue=settings.subscription_queue, socket=self.queued, after=sockets.hub.position, done=self._done
        )
        self.members[id] = member
        sockets.running[self.budget] += 1
        feed = None if resumes else sockets.feeds.get(key)
        if feed is not None:
            feed.join(member)
            return
        # It follows the history from now, when it is asked for, not when its turn to start comes.
        listening = sockets.hub.listen()
        following = Following(sockets.hub, sockets.fanout, page=settings.replay_page, listening=listening)
        try:
            context = await self.context()
        except BaseException:
            listening.close()
            raise
        context.cost = cost
        context.reads = sockets.fanout.reads  # every event is read on the fan-out's shared reads (api/live/fanout.py)
        if resumes:
            self.replays.add(member)
            sockets.replaying[self.budget] += 1
            following.caught_up = lambda: self._caught_up(member)
            following.pay = self._payer(max(cost, 1))
        context.following = following
        feed = Feed(key, following, sockets.forget, own=resumes)
        if not resumes:
            sockets.feeds[key] = feed
        feed.join(member)
        if resumes:
            member.delivered = 0  # it starts after `after`, which the resolver reads (Following.started)

        async def stream() -> Any:
            return await sockets.schema.subscribe(query, variable_values=variables, context_value=context, operation_name=name)

        feed.start(stream, context)

    def _payer(self, cost: int) -> Any:
        """What a replay spends per page: the points of as many events as the page holds, each of the subscription's cost."""
        limiter, budget = self.sockets.limiter, self.budget

        async def pay(entries: int) -> None:
            if limiter is not None:
                verdict = await limiter.take(budget, points_for(entries * cost))
                if not verdict.allowed:
                    raise Unpaid(verdict.reset_after)

        return pay

    def _caught_up(self, member: Member) -> None:
        if member in self.replays:
            self.replays.discard(member)
            self.sockets.replaying[self.budget] -= 1

    def _done(self, member: Member) -> None:
        if self.members.get(member.id) is member:
            del self.members[member.id]
            self.sockets.running[self.budget] -= 1
            if self.sockets.running[self.budget] <= 0:
                del self.sockets.running[self.budget]
        self._caught_up(member)
        if self.sockets.replaying[self.budget] <= 0:
            self.sockets.replaying.pop(self.budget, None)

    def _overflowed(self) -> None:
        if self._closing is None or self._closing.done():
            self._closing = asyncio.get_running_loop().create_task(self._close_unless_read(), name="demarche-socket-overflow")

    async def _close_unless_read(self) -> None:
        """A socket past a bound gets `OVERFLOW_GRACE` seconds to take its subscriptions' notices; one that does not read
        them is closed (1008), which frees what it still held in flight."""
        await asyncio.sleep(OVERFLOW_GRACE)
        if self.queued.overflowing and self.websocket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):  # it may go away meanwhile
                await self.websocket.close(POLICY, "this socket did not read its events; subscribe again with `after`")

    def stop(self) -> None:
        for member in list(self.members.values()):
            member.leave()
        self.queued.close()
        if self._closing is not None:
            self._closing.cancel()

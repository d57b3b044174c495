"""The composition root: settings in, a Starlette app serving GraphQL out."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.compiled.reads import CompiledJson, CompiledReads
from api.graphql.context import Context, token_checker
from api.graphql.schema import build_schema
from api.http import graphiql
from api.http.cache import READ_AFTER_HEADER, ResponseCache
from api.http.gate import CALL, Gate
from api.limits.rates import RateLimiter
from api.live.hub import HistoryHub
from api.live.sockets import SubscriptionSockets
from api.ops import readiness
from api.ops.metrics import Metrics
from api.ops.observability import NoteCall, RequestObserver, configure_logging, start_tracing
from api.settings import Settings
from persistence.catalogue import IsoStateCatalogue
from persistence.live.changes import ChangeSignal
from persistence.live.listener import ChangeListener, asyncpg_connector
from persistence.live.replica import CAUGHT_UP, ReplicaPosition, lsn_number, lsn_text
from persistence.setup import prepare
from persistence.sql.budgets import SqlBudgetLedger
from persistence.sql.engine import create_engine, create_read_engine, is_sqlite
from persistence.sql.migrations import head_revision
from persistence.write.unit_of_work import SqlUnitOfWorkFactory

WRITTEN_AT = "Demarche-Written-At"
"""Response header of a write, with a replica in use: the primary's WAL position the write reached."""
READ_AFTER = READ_AFTER_HEADER.decode()
"""Request header: read nothing older than this WAL position (a `Demarche-Written-At` the client was given); such a
request is never answered from the response cache."""


def read_after(header: str | None) -> int:
    """The position a request asks to read after; a value that is no WAL position asks for the latest (the primary)."""
    if header is None:
        return 0
    try:
        return lsn_number(header)
    except ValueError:
        return CAUGHT_UP


class DemarcheGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with a fresh context (and fresh loaders) per request."""

    def __init__(self, settings: Settings, uow_factory: SqlUnitOfWorkFactory) -> None:
        schema = build_schema(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            page_default=settings.max_page_size,
            tracing=settings.tracing,
        )
        # Strawberry's own websocket protocols stay off: subscriptions are served by api/live/sockets.py, held to the gate's limits.
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None, subscription_protocols=())
        self.documents = schema.documents
        self.compiled = CompiledReads(schema) if settings.compiled_reads else None
        self.settings = settings
        self.uow_factory = uow_factory
        self.catalogue = IsoStateCatalogue()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """Demarche's own GraphiQL, which loads nothing from outside this server (see api/http/graphiql.py)."""
        return graphiql.page()

    async def get_context(self, request: Request | WebSocket, response: object) -> Context:
        call = CALL.get()
        writing = call is not None and not self.documents.prepare(call.query).only_queries
        context = await Context.for_request(
            self.uow_factory,
            self.catalogue,
            self.settings,
            request.headers.get("authorization"),
            read_after=read_after(request.headers.get(READ_AFTER)),
            primary=writing,
        )
        context.cost = None if call is None else call.cost
        return context

    async def parse_http_body(self, request_adapter: Any) -> Any:
        """The request the gate already read and checked; the body is not parsed twice."""
        call = CALL.get()
        if call is None:
            return await super().parse_http_body(request_adapter)
        return GraphQLRequestData(
            query=call.query,
            variables=call.variables,
            operation_name=call.operation_name,
            extensions=call.extensions,
            protocol="http",
        )

    async def execute_single(
        self, request: Any, request_adapter: Any, sub_response: Any, context: Context, root_value: Any, request_data: Any
    ) -> Any:
        """Answer a query from its compiled plan where it has one; else run it through the executor."""
        if self.compiled is not None and request_data.protocol == "http":
            data = await self.compiled.answer(request_data.query, request_data.variables, request_data.operation_name, context)
            if data is not None:
                sub_response.headers["x-demarche-read"] = "compiled"
                extensions = None if context.cost is None else {"cost": context.cost}
                return ExecutionResult(data=data, errors=None, extensions=extensions)  # type: ignore[arg-type]  # encode_json writes it out
        return await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=request_data,
        )

    def encode_json(self, data: object) -> str | bytes:
        """Compiled data goes out as the database wrote it; everything else is encoded as usual."""
        if isinstance(data, dict) and isinstance(data.get("data"), CompiledJson) and set(data) <= {"data", "extensions"}:
            compiled: str = data["data"]
            extensions = data.get("extensions")
            tail = "" if not extensions else ',"extensions":' + json.dumps(extensions, separators=(",", ":"))
            return '{"data":' + compiled + tail + "}"
        if isinstance(data, list) and any(isinstance(item, dict) and isinstance(item.get("data"), CompiledJson) for item in data):
            parts = [self.encode_json(item) for item in data]
            return "[" + ",".join(part.decode() if isinstance(part, bytes) else part for part in parts) + "]"
        encoded: str | bytes = super().encode_json(data)
        return encoded

    async def execute_operation(
        self, request: Any, request_adapter: Any, request_data: Any, context: Context, root_value: Any, sub_response: Any
    ) -> Any:
        """Run the operation, then hand the request's read connection back to the pool."""
        try:
            return await super().execute_operation(
                request=request,
                request_adapter=request_adapter,
                request_data=request_data,
                context=context,
                root_value=root_value,
                sub_response=sub_response,
            )
        finally:
            await context.reads.close()
            written = context.uow_factory.note.position if context.uow_factory.note is not None else None
            if written is not None:
                sub_response.headers[WRITTEN_AT] = lsn_text(written)


def create_app(settings: Settings) -> Starlette:
    """Build engine, unit-of-work factory, schema and routes from one settings object."""
    timeouts = {"connect_timeout": settings.db_connect_timeout, "statement_timeout": settings.db_statement_timeout}
    engine = create_engine(settings.database_url, pool_size=settings.pool_size, pool_timeout=settings.db_pool_timeout, **timeouts)
    read_url = settings.read_database_url or settings.database_url
    reads = create_read_engine(read_url, pool_size=settings.pool_size, pool_timeout=settings.db_pool_timeout, **timeouts)
    replica = None
    if settings.read_database_url is not None:
        if reads is None or is_sqlite(engine):
            raise ValueError("DEMARCHE_READ_DATABASE_URL names a PostgreSQL replica of a PostgreSQL DEMARCHE_DATABASE_URL")
        replica = ReplicaPosition(reads, wait=settings.replica_wait)
    signal = ChangeSignal()
    uow_factory = SqlUnitOfWorkFactory(engine, reads=reads, signal=signal, replica=replica)
    hub = HistoryHub(uow_factory, signal, queue=settings.subscription_queue)
    engines = {"primary": engine} if reads is None else {"primary": engine, "reads": reads}
    metrics = Metrics() if settings.metrics else None
    if metrics is not None:
        for pool, pooled in engines.items():
            metrics.watch(pooled, pool)
    tracer = start_tracing(list(engines.values())) if settings.tracing else None
    # On PostgreSQL, other processes' writes reach this one's signal through LISTEN; SQLite serves one process only.
    listener = (
        None
        if is_sqlite(engine)
        else ChangeListener(
            asyncpg_connector(settings.database_url, timeout=settings.db_connect_timeout, process=str(os.getpid())),
            signal,
            reported=metrics.listener if metrics is not None else lambda _up: None,
            # With the cache on, an answer filed after a notification must hold the write it announced: reads wait for the
            # replica to replay that far. Without it, a process waits only for the writes it made or was handed.
            written=replica.wrote if replica is not None and settings.response_cache > 0 and settings.response_cache_bytes > 0 else None,
        )
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        configure_logging(settings.log_format)
        await prepare(engine, load_demo=settings.load_demo, migrate=settings.migrate_on_start)
        if listener is not None:
            await listener.start(wait=settings.db_connect_timeout)
        metrics_server = metrics.serve(settings.metrics_port, settings.host) if metrics is not None and settings.metrics_port else None
        await hub.start()
        yield
        await hub.stop()
        if listener is not None:
            await listener.stop()
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        await engine.dispose()
        if reads is not None:
            await reads.dispose()
        if metrics is not None:
            metrics.retire()

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def home(_request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    if listener is None and metrics is not None:
        metrics.listening.set(1)  # one SQLite process hears every write there is: its own
    view = DemarcheGraphQL(settings, uow_factory)
    cache = ResponseCache(
        view,
        uow_factory.record_version,
        view.documents,
        signal=signal,
        entries=settings.response_cache,
        max_bytes=settings.response_cache_bytes,
        counted=metrics.cache_lookup if metrics is not None else lambda _result: None,
    )
    ledger = SqlBudgetLedger(engine)
    limiter = (
        RateLimiter(ledger.spend, ledger.forget_before, limit=settings.rate_limit, window=settings.rate_window)
        if settings.rate_limit
        else None
    )
    graphql = Gate(
        NoteCall(cache, view.documents),
        view.documents,
        limiter,
        max_body=settings.max_body_bytes,
        max_cost=settings.max_query_cost,
        timeout=settings.request_timeout,
        check_token=token_checker(uow_factory),
    )
    sockets = SubscriptionSockets(view.schema, view.documents, uow_factory, view.catalogue, settings, hub, limiter)
    routes = [
        Route("/", home),
        Route("/health", health),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", sockets),
        Mount("/graphql", graphql),
    ]
    routes.append(graphiql.asset_route())  # GraphiQL's script and stylesheet, for the page the view renders
    # Ready only while the LISTEN connection is up: a process that hears no other's writes answers from its cache slower.
    probes = {} if listener is None else {"listener": listener.probe}
    routes.append(Route("/ready", readiness.endpoint(engine, head_revision(), probes=probes)))
    if metrics is not None and not settings.metrics_port:
        routes.append(Route("/metrics", metrics.endpoint))
    observed = Middleware(RequestObserver, metrics=metrics, tracer=tracer)
    return Starlette(routes=routes, lifespan=lifespan, middleware=[observed])

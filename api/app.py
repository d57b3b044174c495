"""The composition root: settings in, a Starlette app serving GraphQL out."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount, Route, WebSocketRoute

from api.documents.stored import StoredDocuments
from api.graphql.context import token_checker
from api.http import graphiql
from api.http.cache import ResponseCache
from api.http.cors import CrossOrigin
from api.http.gate import Gate
from api.http.view import DemarcheGraphQL, Positions
from api.limits.rates import RateLimiter
from api.limits.variables import VariableLimits
from api.live.hub import HistoryHub
from api.live.sockets import SubscriptionSockets
from api.ops import readiness
from api.ops.metrics import Metrics
from api.ops.observability import NoteCall, RequestObserver, configure_logging, note_typed_failures, start_tracing
from api.settings import Settings
from persistence.catalogue import IsoStateCatalogue
from persistence.live.changes import ChangeSignal
from persistence.live.listener import ChangeListener, asyncpg_connector
from persistence.live.replica import CAUGHT_UP, ReplicaPosition, lsn_number, lsn_text
from persistence.setup import prepare
from persistence.sql.budgets import SqlBudgetLedger
from persistence.sql.documents import SqlPersistedQueries, SqlTrustedDocuments
from persistence.sql.engine import create_engine, create_read_engine, is_sqlite
from persistence.sql.migrations import head_revision
from persistence.write.unit_of_work import SqlUnitOfWorkFactory


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
    metrics = Metrics(operations=settings.metrics_operation_names, token=settings.metrics_token) if settings.metrics else None
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
        # What start-up built (the schema, the mappers, the catalogue) lives as long as the process: moved out of the
        # collector's sight, a full collection scans only what requests and subscriptions made since, in milliseconds,
        # instead of pausing every client for hundreds of them while a thousand subscriptions are fanned out.
        gc.collect()
        gc.freeze()
        yield
        await hub.stop()
        if listener is not None:
            await listener.stop()
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        await uow_factory.snapshots.close()  # the record at past instants: temporary files or schemas
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
    view = DemarcheGraphQL(settings, uow_factory, IsoStateCatalogue(), Positions(lsn_number, lsn_text, latest=CAUGHT_UP))
    note_typed_failures(view.documents.schema)  # a mutation's typed failure is counted and logged as what it is, not `ok`
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
    # Automatic persisted queries and trusted documents live on the primary: every process shares them, and a process
    # registering one reads it back at once.
    persisted = SqlPersistedQueries(engine, entries=settings.persisted_queries_entries, max_bytes=settings.persisted_queries_bytes)
    stored = StoredDocuments(
        persisted if settings.persisted_queries else None,
        SqlTrustedDocuments(engine),
        trusted_only=settings.trusted_documents_only,
        entries=settings.persisted_queries_entries,
        max_bytes=settings.persisted_queries_bytes,
    )
    graphql = Gate(
        NoteCall(cache, view.documents),
        view.documents,
        limiter,
        max_body=settings.max_body_bytes,
        max_cost=settings.max_query_cost,
        timeout=settings.request_timeout,
        check_token=token_checker(uow_factory),
        variables=VariableLimits(settings.max_variable_values, settings.max_variable_list, settings.max_variable_text),
        stored=stored,
        public_max_age=settings.persisted_queries_max_age,
    )
    sockets = SubscriptionSockets(view.schema, view.documents, uow_factory, view.catalogue, settings, hub, limiter, stored)
    routes = [
        Route("/", home),
        Route("/health", health),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", sockets),
        Mount("/graphql", graphql),
    ]
    if settings.graphiql:
        routes.append(graphiql.asset_route())  # GraphiQL's script and stylesheet, for the page the view renders
    # Ready only while the LISTEN connection is up: a process that hears no other's writes answers from its cache slower.
    probes = {} if listener is None else {"listener": listener.probe}
    # A replica that is gone only degrades the server: reads go to the primary, which answers them.
    degrading = {} if replica is None else {"replica": replica.probe}
    routes.append(Route("/ready", readiness.endpoint(engine, head_revision(), probes=probes, degrading=degrading)))
    if metrics is not None and not settings.metrics_port:
        routes.append(Route("/metrics", metrics.endpoint))
    observed = Middleware(RequestObserver, metrics=metrics, tracer=tracer)
    # Inside the observer, so that a preflight gets a request id and a log line; before the routes and the gate, which
    # would answer it 405 and charge it a point.
    cross_origin = Middleware(CrossOrigin, origins=settings.cors_origins)
    return Starlette(routes=routes, lifespan=lifespan, middleware=[observed, cross_origin])

"""Prometheus metrics: requests by operation and outcome, query cost, the response cache, database pools, errors by code.

Each app keeps its metrics in a registry of its own. With several worker processes, set
`PROMETHEUS_MULTIPROC_DIR` to an empty directory every process can write to before any of them
starts: each process then writes its values to files there (prometheus_client's multiprocess
mode), and whichever process answers a scrape adds up all of them.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
from collections.abc import Iterable
from typing import Any, Literal

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger(__name__)

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,47}")
_CHECKED_OUT = "demarche_checked_out_at"

Outcome = Literal["ok", "error", "refused", "failed"]
"""`ok`: data and no errors; `error`: the response has errors, or a mutation returned a typed failure (`ValidationError`,
`NotFoundError`, ...); `refused`: the gate answered 4xx (bad body, rate limit, cost limit) before anything ran, or the
operation was refused for its caller (an access error, or a mutation's `UnauthenticatedError` or `ForbiddenError`);
`failed`: the server answered 5xx or the request broke off."""


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIRECTORY))


class Metrics:
    """The server's metric families, and the registry a scrape reads them from.

    Requests are labelled by operation only with names the operator registered (`operations`): the name a request gives
    is the client's choice, and as a label it would both publish whatever a client writes there and let any client
    add series without end. Any other named operation is `other`, one without a name `anonymous`.
    """

    def __init__(self, *, operations: Iterable[str] = (), token: str | None = None) -> None:
        self.operations = frozenset(operations)
        self.token = token
        self.registry = CollectorRegistry()
        if not multiprocess():
            ProcessCollector(registry=self.registry)  # CPU, memory, open files: meaningless summed over processes
        registry = self.registry
        self.requests = Counter(
            "demarche_requests", "GraphQL requests answered, by operation name and outcome", ["operation", "outcome"], registry=registry
        )
        self.duration = Histogram(
            "demarche_request_duration_seconds",
            "Time from a GraphQL request's arrival to the end of its response, by operation name and outcome",
            ["operation", "outcome"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
        self.cost = Histogram(
            "demarche_query_cost",
            "Cost of the operations the gate let through (objects they may return, counted before they ran)",
            ["operation"],
            buckets=(1, 10, 50, 100, 500, 1000, 5000, 25_000, 100_000, 1_000_000),
            registry=registry,
        )
        self.cache = Counter(
            "demarche_response_cache_lookups", "Response cache lookups of cacheable queries, by result", ["result"], registry=registry
        )
        self.errors = Counter("demarche_errors", "Errors in GraphQL responses, by extensions.code", ["code"], registry=registry)
        self.checked_out = Gauge(
            "demarche_db_connections_checked_out",
            "Database connections in use, by pool",
            ["pool"],
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.held = Histogram(
            "demarche_db_connection_held_seconds",
            "Time a connection stays checked out of its pool, by pool",
            ["pool"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.statements = Histogram(
            "demarche_db_statement_duration_seconds",
            "Time a SQL statement takes, from sending it to its first result, by pool",
            ["pool"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.listening = Gauge(
            "demarche_change_listener_up",
            "1 while the process hears every write through its PostgreSQL LISTEN connection, 0 while that connection is down"
            " (least over live processes)",
            multiprocess_mode="livemin",
            registry=registry,
        )
        self.listener_losses = Counter(
            "demarche_change_listener_losses",
            "Times a LISTEN connection was lost or could not be made again, each loss counted once",
            registry=registry,
        )

    def operation_label(self, name: str | None) -> str:
        """The label of an operation named by a client: the name when the operator registered it, else `other`."""
        if name is None:
            return "anonymous"
        return name if name in self.operations else "other"

    def observe_request(self, operation: str, outcome: Outcome, seconds: float, cost: int | None, codes: list[str]) -> None:
        self.requests.labels(operation, outcome).inc()
        self.duration.labels(operation, outcome).observe(seconds)
        if cost is not None:
            self.cost.labels(operation).observe(cost)
        for code in codes:
            self.errors.labels(code if _CODE.fullmatch(code) else "OTHER").inc()

    def cache_lookup(self, result: Literal["hit", "miss"]) -> None:
        self.cache.labels(result).inc()

    def listener(self, up: bool) -> None:
        """Told by the change listener each time its connection LISTENs (True) or is lost (False)."""
        self.listening.set(1 if up else 0)
        if not up:
            self.listener_losses.inc()

    def watch(self, engine: AsyncEngine, pool: str) -> None:
        """Count the connections `engine` lends and time its statements."""
        checked_out, held, statements = self.checked_out.labels(pool), self.held.labels(pool), self.statements.labels(pool)
        checked_out.set(0)

        @event.listens_for(engine.sync_engine.pool, "checkout")
        def on_checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
            record.record_info[_CHECKED_OUT] = time.perf_counter()
            checked_out.inc()

        # A connection dropped while out (invalidated, detached) may never be checked in; each is counted back once.
        @event.listens_for(engine.sync_engine.pool, "checkin")
        @event.listens_for(engine.sync_engine.pool, "detach")
        def on_return(_dbapi: Any, record: Any) -> None:
            started = record.record_info.pop(_CHECKED_OUT, None) if record is not None else None
            if started is not None:
                checked_out.dec()
                held.observe(time.perf_counter() - started)

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def before(_conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool) -> None:
            if context is not None:
                context.demarche_started = time.perf_counter()

        @event.listens_for(engine.sync_engine, "after_cursor_execute")
        def after(_conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool) -> None:
            started = getattr(context, "demarche_started", None)
            if started is not None:
                statements.observe(time.perf_counter() - started)

    def scraped(self) -> CollectorRegistry:
        """What a scrape reads: this process's registry, or in multiprocess mode every process's files added up."""
        if not multiprocess():
            return self.registry
        combined = CollectorRegistry()
        MultiProcessCollector(combined)  # type: ignore[no-untyped-call]  # prometheus_client leaves its __init__ unannotated
        return combined

    def retire(self) -> None:
        """At the end of a worker process: its live gauges (connections in use, listener up) stop counting."""
        if multiprocess():
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    async def endpoint(self, request: Request) -> Response:
        """The scrape at /metrics; with a token set, only for a request that carries it as a bearer token."""
        if self.token is not None:
            given = request.headers.get("authorization", "")
            scheme, _, secret = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(secret.strip().encode(), self.token.encode()):
                refusal = "the metrics need the metrics token: Authorization: Bearer <DEMARCHE_METRICS_TOKEN>\n"
                return Response(refusal, 401, {"WWW-Authenticate": "Bearer"}, media_type="text/plain")
        return Response(generate_latest(self.scraped()), media_type=CONTENT_TYPE_LATEST)

    def serve(self, port: int, host: str) -> Any:
        """Serve the metrics on a port of their own, from a thread; the server to shut down, or None when another
        worker process already serves them (in multiprocess mode, any one of them reports all)."""
        try:
            server, _thread = start_http_server(port, addr=host, registry=self.scraped())
        except OSError:
            if not multiprocess():
                raise
            log.info("metrics port %s is taken, presumably by another worker process, which serves every process's metrics", port)
            return None
        return server

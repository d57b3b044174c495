"""What operators see of each request: an id, one log line, metrics and, when on, a trace span.

`RequestObserver` wraps the whole app. It gives every HTTP request an id (the client's
`X-Request-ID` when it is printable ASCII of at most 128 characters, else a new one), returns it
in the `X-Request-ID` response header, and leaves an `Observed` record in the ASGI scope.
Downstream of the request gate, `NoteCall` copies the operation name and cost the gate
measured into that record; the observer then reads the outcome from the status and a bounded
look at the response body, and reports the request. Neither a header other than the request id,
nor the query string, nor any variable is ever logged.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from graphql import GraphQLObjectType, GraphQLSchema, OperationDefinitionNode
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.types.base import get_object_definition

from api.http.requests import gated
from api.limits.documents import Documents
from api.ops.metrics import Metrics, Outcome

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("demarche.requests")

OBSERVED = "demarche.observed"
"""The key of a request's `Observed` record in the ASGI scope's state."""
REQUEST_ID = b"x-request-id"
MAX_REQUEST_ID = 128
_REQUEST_ID = re.compile(rb"[\x20-\x7e]{1,%d}" % MAX_REQUEST_ID)
BODY_LOOK = 64 * 1024
"""Bytes of a response read whole for its errors; of a longer one, only its end (where its errors are) is searched."""
_ERRORS = re.compile(rb'"errors"\s*:\s*\[\s*\{\s*"message"')
_CODES = re.compile(rb'"code"\s*:\s*"([A-Z][A-Z0-9_]*)"')
REFUSAL_CODES = frozenset({"COST_LIMIT_EXCEEDED", "RATE_LIMITED", "UNAUTHENTICATED", "FORBIDDEN"})
"""Codes of operations the server declined to run, counted as `refused` rather than `error`."""
FAILURE_INTERFACE = "UserError"
"""The interface of every typed failure a mutation may return instead of its record."""
REFUSAL_FAILURES = frozenset({"UnauthenticatedError", "ForbiddenError"})
"""Typed failures that say the caller may not do this: counted as `refused`; every other one as `error`."""
_CURRENT: ContextVar[Observed | None] = ContextVar("demarche_observed", default=None)
"""The request being observed, for the mutations' resolvers to note a typed failure on."""


def request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's request id when it is usable, else a new one."""
    given = next((value.strip() for name, value in headers if name.lower() == REQUEST_ID), b"")
    return given.decode("ascii") if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def operation_name(documents: Documents, query: str, given: str | None) -> str | None:
    """The operation a request runs: the one it names, else its document's only operation's name."""
    if given:
        return given
    document = documents.prepare(query).document
    operations = [] if document is None else [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return operations[0].name.value if len(operations) == 1 and operations[0].name else None


@dataclass(slots=True)
class Observed:
    """One request as its observer reports it; `operation` and `cost` are known once the gate has let it through."""

    request_id: str
    let_through: bool = False
    """Whether the gate let the request through (and so measured it)."""
    operation: str | None = None
    cost: int | None = None
    status: int = 0
    cache: str | None = None
    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    size: int = 0
    failures: list[str] = field(default_factory=list)
    """The typed failures (`ValidationError`, ...) its mutations returned, by type name."""

    def take(self, chunk: bytes) -> None:
        """Keep the first BODY_LOOK bytes of the body and a sliding BODY_LOOK of its end."""
        self.size += len(chunk)
        room = BODY_LOOK - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[: max(0, len(self.tail) - BODY_LOOK)]

    def error_codes(self) -> list[str] | None:
        """The `extensions.code` of every error in the response (`UNCODED` for one without), or None when it has none."""
        if not self.tail:
            if b'"errors"' not in self.head:
                return None  # most answers: no need to decode them (an alias named errors is decoded below)
            try:
                body = json.loads(self.head)
            except ValueError:
                return None
            errors = body.get("errors") if isinstance(body, dict) else None
            if not isinstance(errors, list) or not errors:
                return None
            codes = [(error.get("extensions") or {}).get("code") if isinstance(error, dict) else None for error in errors]
            return [code if isinstance(code, str) else "UNCODED" for code in codes]
        found = _ERRORS.search(self.tail)
        if found is None:
            return None
        return [code.decode() for code in _CODES.findall(self.tail, found.start())] or ["UNCODED"]

    def outcome(self, codes: list[str] | None) -> Outcome:
        if self.status >= 500 or self.status == 0:
            return "failed"
        if self.status >= 400 or (codes and REFUSAL_CODES.intersection(codes)) or REFUSAL_FAILURES.intersection(self.failures):
            return "refused"
        return "error" if codes or self.failures else "ok"


def note_typed_failures(schema: GraphQLSchema) -> None:
    """Have each mutation's resolver note on the observed request a typed failure it returns, so that a refused or
    invalid write is not counted `ok`: its response has `data` and no `errors`, whatever the client selected of it."""
    if schema.mutation_type is None:
        return
    failures = frozenset(
        name
        for name, kind in schema.type_map.items()
        if isinstance(kind, GraphQLObjectType) and any(interface.name == FAILURE_INTERFACE for interface in kind.interfaces)
    )
    for mutation in schema.mutation_type.fields.values():
        if mutation.resolve is not None:
            mutation.resolve = _noting(mutation.resolve, failures)


def _noting(resolve: Callable[..., Any], failures: frozenset[str]) -> Callable[..., Any]:
    def note(result: Any) -> Any:
        definition = get_object_definition(result)
        observed = _CURRENT.get()
        if definition is not None and definition.name in failures and observed is not None:
            observed.failures.append(definition.name)
        return result

    def resolving(source: Any, info: Any, **arguments: Any) -> Any:
        result = resolve(source, info, **arguments)
        if not inspect.isawaitable(result):
            return note(result)

        async def resolved() -> Any:
            return note(await result)

        return resolved()

    return resolving


class NoteCall:
    """Downstream of the gate: notes the operation name and cost of the request it let through."""

    def __init__(self, app: ASGIApp, documents: Documents) -> None:
        self.app = app
        self.documents = documents

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        call = gated(scope)
        observed = scope.get("state", {}).get(OBSERVED)
        if call is not None and isinstance(observed, Observed):
            observed.let_through = True
            observed.operation = operation_name(self.documents, call.query, call.operation_name)
            observed.cost = call.cost
        await self.app(scope, receive, send)


class RequestObserver:
    """ASGI middleware around the whole app: request ids and the request log for every request; metrics and a span for GraphQL's."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics | None, tracer: Tracer | None, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.metrics = metrics
        self.tracer = tracer
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        observed = Observed(request_id(scope.get("headers", [])))
        scope.setdefault("state", {})[OBSERVED] = observed
        current = _CURRENT.set(observed)
        graphql = scope["path"] == self.graphql_path and scope["method"] != "OPTIONS"  # a CORS preflight runs no GraphQL
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                observed.status = message["status"]
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() != REQUEST_ID]
                observed.cache = next((v.decode("latin-1") for n, v in headers if n.lower() == b"x-demarche-cache"), None)
                message = {**message, "headers": [*headers, (REQUEST_ID, observed.request_id.encode("ascii"))]}
            elif message["type"] == "http.response.body" and graphql:
                observed.take(message.get("body", b""))
            await send(message)

        span = self.tracer.start_span(f"{scope['method']} {self.graphql_path}", kind=_server_kind()) if graphql and self.tracer else None
        try:
            if span is None:
                await self.app(scope, receive, sending)
            else:
                with _current(span):
                    await self.app(scope, receive, sending)
        except Exception:
            if observed.status:
                self._report(scope, observed, time.perf_counter() - started, graphql, span, failed=True)
                raise
            # Answered here rather than by Starlette's own error handler, so that the answer carries its request id too.
            log.exception("the request failed", extra={"request_id": observed.request_id})
            await sending({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await sending({"type": "http.response.body", "body": b"Internal Server Error"})
            self._report(scope, observed, time.perf_counter() - started, graphql, span, failed=True)
            return
        except BaseException:  # cancelled: the client left, or the server is stopping
            self._report(scope, observed, time.perf_counter() - started, graphql, span, failed=True)
            raise
        finally:
            _CURRENT.reset(current)
        self._report(scope, observed, time.perf_counter() - started, graphql, span, failed=False)

    def _report(self, scope: Scope, observed: Observed, seconds: float, graphql: bool, span: Any, *, failed: bool) -> None:
        codes = observed.error_codes() if graphql else None
        outcome: Outcome = "failed" if failed else observed.outcome(codes)
        fields: dict[str, Any] = {
            "request_id": observed.request_id,
            "method": scope["method"],
            "path": scope["path"],  # never the query string, which may carry a GET request's variables
            "status": observed.status,
            "duration_ms": round(seconds * 1000, 3),
        }
        if graphql:
            operation = observed.operation if observed.operation is None else observed.operation[:200]
            fields |= {"operation": operation, "outcome": outcome, "cost": observed.cost, "cache": observed.cache}
            if codes:
                fields["error_codes"] = sorted(set(codes))
            if observed.failures:
                fields["failures"] = sorted(set(observed.failures))
            if self.metrics is not None:
                operation = self.metrics.operation_label(observed.operation) if observed.let_through else "unknown"
                self.metrics.observe_request(operation, outcome, seconds, observed.cost, codes or [])
        if span is not None:
            _finish(span, f"{scope['method']} {self.graphql_path}", observed, outcome)
        log.info("request", extra=fields)


def _server_kind() -> Any:
    from opentelemetry.trace import SpanKind

    return SpanKind.SERVER


def _current(span: Any) -> Any:
    from opentelemetry.trace import use_span

    return use_span(span, end_on_exit=False)


def _finish(span: Any, name: str, observed: Observed, outcome: Outcome) -> None:
    """Name the request's span for its operation, give it the request's figures, and end it. The span's own `name` is
    not read: without an SDK tracer provider, the API's spans (`NonRecordingSpan`) have none, and take nothing."""
    span.set_attribute("http.response.status_code", observed.status)
    span.set_attribute("demarche.outcome", outcome)
    if observed.operation:
        span.set_attribute("graphql.operation.name", observed.operation)
        span.update_name(f"{name} {observed.operation}")
    if observed.cost is not None:
        span.set_attribute("demarche.cost", observed.cost)
    span.end()


LogFormat = Literal["text", "json"]


def json_logging() -> dict[str, Any]:
    """The logging configuration of `DEMARCHE_LOG_FORMAT=json`, as `logging.config.dictConfig` takes it: every record
    (uvicorn's included) to stderr as one JSON object per line. uvicorn is given it as its own `log_config`, so that its
    first lines, logged before the app starts, and those of each worker process are JSON too."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{asctime}{levelname}{name}{message}",
                "style": "{",
                "rename_fields": {"asctime": "time"},
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # uvicorn's access log is left out: each request's own line says more.
            "uvicorn.access": {"handlers": [], "propagate": False},
            "demarche.requests": {"level": "INFO"},
        },
    }


def configure_logging(log_format: LogFormat) -> None:
    """With `json`, every log record (uvicorn's included) goes to stderr as one JSON object per line (see `json_logging`),
    Python's warnings among them, and the request log is on. With `text`, uvicorn's logging stays as it is."""
    if log_format != "json":
        return
    import logging.config

    logging.config.dictConfig(json_logging())
    logging.captureWarnings(True)


def start_tracing(engines: list[AsyncEngine]) -> Tracer:
    """The tracer of request spans, with every SQL statement of `engines` a span too; spans go to the process's tracer
    provider, which the operator sets up (`opentelemetry-instrument demarche serve`, for one)."""
    try:
        from opentelemetry import trace
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    except ImportError as missing:
        raise RuntimeError("DEMARCHE_TRACING=true needs OpenTelemetry: install demarche with its `otel` extra") from missing
    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        # One instrumentor per process (auto-instrumentation may have started it): the engines of the app built last are traced.
        instrumentor.uninstrument()
    # Its declared range stops below SQLAlchemy 2.1, whose cursor events it hooks are unchanged (tests/integration/test_tracing.py).
    instrumentor.instrument(engines=[engine.sync_engine for engine in engines], skip_dep_check=True)
    return trace.get_tracer("demarche")

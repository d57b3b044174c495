"""Tracing: each GraphQL request is a span named for its operation, with every SQL statement it ran beneath it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from api.app import create_app
from api.settings import Settings


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """Spans of this process, kept in memory; the global tracer provider can be set only once per process."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    kept = InMemorySpanExporter()
    processor = SimpleSpanProcessor(kept)
    provider.add_span_processor(processor)
    yield kept
    processor.shutdown()


@pytest.fixture
async def client(database_url: str, exporter: InMemorySpanExporter) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url, load_demo=True, tracing=True, response_cache=0))
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        exporter.clear()  # start-up's migrations and demo record are not a request
        yield client


def beneath(span: ReadableSpan, root: ReadableSpan, spans: list[ReadableSpan]) -> bool:
    """Whether `root` is an ancestor of `span`."""
    by_id = {s.context.span_id: s for s in spans}
    parent = span.parent
    while parent is not None:
        if parent.span_id == root.context.span_id:
            return True
        found = by_id.get(parent.span_id)
        parent = found.parent if found is not None else None
    return False


def request_spans(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, list[ReadableSpan], list[ReadableSpan]]:
    spans = list(exporter.get_finished_spans())
    roots = [s for s in spans if s.name.startswith("POST /graphql")]
    assert len(roots) == 1, [s.name for s in spans]
    sql = [s for s in spans if any(key in (s.attributes or {}) for key in ("db.statement", "db.query.text"))]
    return roots[0], sql, spans


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response


async def test_a_compiled_read_is_a_span_named_for_its_operation_with_its_sql_beneath(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    response = await post(client, "query FirstMeasures { expulsions(first: 2) { totalCount edges { node { id } } } }")
    assert response.headers.get("x-demarche-read") == "compiled"
    root, sql, spans = request_spans(exporter)
    assert root.name == "POST /graphql FirstMeasures"
    assert root.attributes is not None
    assert root.attributes["graphql.operation.name"] == "FirstMeasures"
    assert root.attributes["demarche.outcome"] == "ok"
    assert root.parent is None
    assert sql, [s.name for s in spans]
    assert all(beneath(statement, root, spans) for statement in sql)


async def test_an_executed_operation_has_strawberrys_span_and_its_sql_beneath_the_request(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    query = "query TopExpellers($limit: Int!) { rankings(limit: $limit) { tally { measures } } }"
    response = await post(client, query, {"limit": 7})
    assert response.headers.get("x-demarche-read") != "compiled"
    root, sql, spans = request_spans(exporter)
    operation = [s for s in spans if s.name == "GraphQL Query: TopExpellers"]
    assert len(operation) == 1
    assert beneath(operation[0], root, spans)
    assert sql
    assert all(beneath(statement, root, spans) for statement in sql)
    # Arguments are variables' values: they stay out of the spans.
    assert not any(key.startswith("graphql.param") for s in spans for key in (s.attributes or {}))

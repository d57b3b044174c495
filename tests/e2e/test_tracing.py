"""Tracing over real HTTP: a server with `DEMARCHE_TRACING=true` answers named operations and logs each of them, whether
an OpenTelemetry SDK is set up in its process (spans are recorded) or not (the API's spans record nothing)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import BACKENDS, LiveServer, running_server

NAMED = "query FirstMeasures { expulsions(first: 2) { totalCount } }"
EXECUTED = "query TopExpellers($limit: Int!) { rankings(limit: $limit) { tally { measures } } }"
WITH_SDK = '''
"""Set up by the test before the server starts: an SDK tracer provider writing every finished span to a file."""
import os

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export import ConsoleSpanExporter

_provider = TracerProvider()
_out = open(os.environ["SPANS_FILE"], "a", encoding="utf-8")
_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=_out, formatter=lambda s: s.to_json(indent=None) + "\\n")))
trace.set_tracer_provider(_provider)
'''


def request_lines(server: LiveServer) -> dict[str, dict[str, Any]]:
    """The JSON request lines the server logged, by request id."""
    found = {}
    for line in list(server.log):
        entry = json.loads(line)  # with JSON logs, every line is one JSON object
        if entry.get("message") == "request":
            found[entry["request_id"]] = entry
    return found


def ask(server: LiveServer, query: str, variables: dict[str, Any], request_id: str) -> None:
    response = server.client.post(
        f"{server.url}/graphql", json={"query": query, "variables": variables}, headers={"X-Request-ID": request_id}
    )
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    assert response.headers["x-request-id"] == request_id


def logged(server: LiveServer, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = request_lines(server).get(request_id)
        if found is not None:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no request line for {request_id}: {server.log[-5:]}")


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def without_sdk(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {"DEMARCHE_TRACING": "true", "DEMARCHE_LOG_FORMAT": "json", "DEMARCHE_RESPONSE_CACHE": "0"}
    with running_server(backend, tmp_path_factory, settings) as server:
        yield server


@pytest.fixture(scope="module")
def with_sdk(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    site = tmp_path_factory.mktemp("otel-site")
    (site / "sitecustomize.py").write_text(WITH_SDK, encoding="utf-8")
    spans = site / "spans.jsonl"
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    settings = {"DEMARCHE_TRACING": "true", "DEMARCHE_LOG_FORMAT": "json", "DEMARCHE_RESPONSE_CACHE": "0", "PYTHONPATH": path}
    settings["SPANS_FILE"] = str(spans)
    with running_server(backend, tmp_path_factory, settings) as server:
        yield server, spans


def test_without_an_sdk_named_operations_are_answered_and_logged(without_sdk: LiveServer) -> None:
    ask(without_sdk, NAMED, {}, "no-sdk-compiled")
    ask(without_sdk, EXECUTED, {"limit": 3}, "no-sdk-executed")
    assert logged(without_sdk, "no-sdk-compiled")["operation"] == "FirstMeasures"
    assert logged(without_sdk, "no-sdk-compiled")["outcome"] == "ok"
    assert logged(without_sdk, "no-sdk-executed")["operation"] == "TopExpellers"
    text = "".join(without_sdk.log)
    assert "Traceback" not in text, text[-2000:]
    assert "AttributeError" not in text, text[-2000:]


def test_with_an_sdk_each_named_request_is_a_span_and_is_logged(with_sdk: tuple[LiveServer, Path]) -> None:
    server, spans_file = with_sdk
    ask(server, NAMED, {}, "sdk-compiled")
    ask(server, EXECUTED, {"limit": 3}, "sdk-executed")
    assert logged(server, "sdk-compiled")["operation"] == "FirstMeasures"
    assert logged(server, "sdk-executed")["operation"] == "TopExpellers"
    deadline = time.monotonic() + 5
    names: list[str] = []
    while time.monotonic() < deadline:
        spans = [json.loads(line) for line in spans_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        names = [span["name"] for span in spans]
        if {"POST /graphql FirstMeasures", "POST /graphql TopExpellers"} <= set(names):
            break
        time.sleep(0.05)
    assert {"POST /graphql FirstMeasures", "POST /graphql TopExpellers"} <= set(names), names
    root = next(span for span in spans if span["name"] == "POST /graphql TopExpellers")
    assert root["attributes"]["demarche.outcome"] == "ok"
    # The request's SQL statements are spans of the same trace.
    assert any(span["context"]["trace_id"] == root["context"]["trace_id"] and span is not root for span in spans)
    text = "".join(server.log)
    assert "Traceback" not in text, text[-2000:]

"""What operators rely on, over real HTTP: liveness, readiness, Prometheus metrics (one process or several), JSON request logs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import BACKENDS
from tests.e2e.conftest import Server, free_port, servers_on, start_server, stop_server

NAMED = "query FirstMeasures { expulsions(first: 2) { totalCount } }"
SEARCH = "query Find($text: String) { statements(search: $text, first: 1) { totalCount } }"
OUT_OF_RANGE = "query Ranks { rankings(limit: 101) { tally { measures } } }"
TOO_COSTLY = "query Ranks { rankings(limit: 1000) { tally { measures } } }"
CLIENT_NAME = "Secret_Jane_Doe_ssn_123"
CREATE = "mutation CreateMeasure($input: CreateExpulsionInput!) { createExpulsion(input: $input) { __typename } }"
MEASURE = {
    "actor": "PL",
    "target": "RU",
    "measureType": "PERSONA_NON_GRATA",
    "announced": "2022-03-24",
    "headcount": {"qualifier": "EXACT", "value": 1},
}


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample of a scrape, by sample name."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def value(scraped: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for found, v in scraped.get(name, []) if all(found.get(k) == want for k, want in labels.items()))


def post(server: Server, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def observed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with metrics at /metrics, after a few requests of every outcome."""
    from tests.e2e.helpers import running_server

    registered = {"DEMARCHE_METRICS_OPERATIONS": "FirstMeasures,Ranks,CreateMeasure"}
    with running_server(request.param, tmp_path_factory, registered) as server:
        for _ in range(3):
            assert post(server, NAMED).status_code == 200  # the first misses the cache, the others hit it
        assert "errors" in post(server, "query Broken { nothing }").json()  # a validation error, without a code
        assert post(server, OUT_OF_RANGE).json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert post(server, TOO_COSTLY).json()["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"  # refused by the gate
        assert httpx.post(f"{server.url}/graphql", content=b"{", headers={"content-type": "application/json"}).status_code == 400
        for i in range(250):  # client-chosen names, more than a process once labelled
            assert post(server, f"query {CLIENT_NAME}_{i} {{ __typename }}").status_code == 200
        assert post(server, "{ __typename }").status_code == 200
        # Typed failures of a mutation: its response has data and no errors.
        invalid = post(server, CREATE, {"input": {**MEASURE, "statedReason": "x" * 10_001}}, token=server.token)
        assert invalid.json()["data"]["createExpulsion"]["__typename"] == "ValidationError", invalid.text
        anonymous = post(server, CREATE, {"input": MEASURE})
        assert anonymous.json()["data"]["createExpulsion"]["__typename"] == "UnauthenticatedError", anonymous.text
        created = post(server, CREATE, {"input": MEASURE}, token=server.token)
        assert created.json()["data"]["createExpulsion"]["__typename"] == "Expulsion", created.text
        yield server


def test_health_answers_without_the_database_and_ready_checks_it(observed: Server, request: pytest.FixtureRequest) -> None:
    assert httpx.get(f"{observed.url}/health").json() == {"status": "ok"}
    ready = httpx.get(f"{observed.url}/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    # On PostgreSQL the server also keeps a LISTEN connection, through which it hears other processes' writes.
    listening = ["listener"] if request.node.callspec.params["observed"] == "postgresql" else []
    assert ready.json()["checks"] == ["database", "schema", *listening]


def test_metrics_count_requests_by_operation_and_outcome_with_cost_cache_pool_and_error_codes(observed: Server) -> None:
    response = httpx.get(f"{observed.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    scraped = samples(response.text)
    assert value(scraped, "demarche_requests_total", operation="FirstMeasures", outcome="ok") == 3
    assert value(scraped, "demarche_requests_total", operation="unknown", outcome="error") == 1
    assert value(scraped, "demarche_requests_total", operation="Ranks", outcome="error") == 1
    assert value(scraped, "demarche_requests_total", operation="unknown", outcome="refused") == 2  # over the cost limit; not JSON
    assert value(scraped, "demarche_request_duration_seconds_count", operation="FirstMeasures", outcome="ok") == 3
    assert value(scraped, "demarche_query_cost_count", operation="FirstMeasures") == 3
    assert value(scraped, "demarche_query_cost_sum", operation="FirstMeasures") > 0
    assert value(scraped, "demarche_response_cache_lookups_total", result="miss") >= 1
    assert value(scraped, "demarche_response_cache_lookups_total", result="hit") == 2
    assert value(scraped, "demarche_errors_total", code="BAD_USER_INPUT") == 1
    assert value(scraped, "demarche_errors_total", code="COST_LIMIT_EXCEEDED") == 1
    assert value(scraped, "demarche_errors_total", code="BAD_REQUEST") == 1
    assert value(scraped, "demarche_errors_total", code="UNCODED") == 1
    assert value(scraped, "demarche_db_statement_duration_seconds_count") > 0
    assert value(scraped, "demarche_db_connection_held_seconds_count") > 0
    assert {labels["pool"] for labels, _ in scraped["demarche_db_connections_checked_out"]} >= {"primary"}
    assert all(v >= 0 for _, v in scraped["demarche_db_connections_checked_out"])
    assert value(scraped, "demarche_change_listener_up") == 1  # SQLite's one process hears its own writes; PostgreSQL's listens
    assert value(scraped, "demarche_change_listener_losses_total") == 0


def test_metrics_label_only_registered_operation_names_never_a_client_s(observed: Server) -> None:
    response = httpx.get(f"{observed.url}/metrics")
    assert CLIENT_NAME not in response.text
    scraped = samples(response.text)
    assert value(scraped, "demarche_requests_total", operation="other", outcome="ok") == 250
    assert value(scraped, "demarche_requests_total", operation="anonymous", outcome="ok") == 1
    labels = {found["operation"] for found, _ in scraped["demarche_requests_total"]}
    assert labels <= {"FirstMeasures", "Ranks", "CreateMeasure", "other", "anonymous", "unknown"}, labels


def test_a_mutation_s_typed_failure_is_counted_as_what_it_is(observed: Server) -> None:
    scraped = samples(httpx.get(f"{observed.url}/metrics").text)
    assert value(scraped, "demarche_requests_total", operation="CreateMeasure", outcome="error") == 1  # ValidationError
    assert value(scraped, "demarche_requests_total", operation="CreateMeasure", outcome="refused") == 1  # UnauthenticatedError
    assert value(scraped, "demarche_requests_total", operation="CreateMeasure", outcome="ok") == 1


def test_metrics_behind_a_token_answer_only_a_request_that_carries_it(tmp_path: Path) -> None:
    secret = "metrics-" + "s3cret" * 4
    server = start_server(f"sqlite:///{tmp_path / 'token.db'}", load_demo=False, settings={"DEMARCHE_METRICS_TOKEN": secret})
    try:
        assert post(server, NAMED).status_code == 200
        assert httpx.get(f"{server.url}/metrics").status_code == 401
        assert httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer wrong-token-entirely"}).status_code == 401
        assert httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {server.token}"}).status_code == 401  # an API token
        scraped = samples(httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {secret}"}).text)
        assert value(scraped, "demarche_requests_total", operation="other", outcome="ok") == 1
    finally:
        stop_server(server)


def test_metrics_can_be_turned_off(tmp_path: Path) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'off.db'}", load_demo=False, settings={"DEMARCHE_METRICS": "false"})
    try:
        assert httpx.get(f"{server.url}/metrics").status_code == 404
        assert post(server, NAMED).status_code == 200
    finally:
        stop_server(server)


def test_metrics_can_be_served_on_a_port_of_their_own(tmp_path: Path) -> None:
    port = free_port()
    server = start_server(f"sqlite:///{tmp_path / 'port.db'}", load_demo=False, settings={"DEMARCHE_METRICS_PORT": str(port)})
    try:
        assert post(server, NAMED).status_code == 200
        assert httpx.get(f"{server.url}/metrics").status_code == 404
        scraped = samples(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text)
        assert value(scraped, "demarche_requests_total", operation="other", outcome="ok") == 1
    finally:
        stop_server(server)


def test_several_processes_report_their_requests_together_in_multiprocess_mode(tmp_path: Path) -> None:
    shared = tmp_path / "prometheus"
    shared.mkdir()
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    settings = {"PROMETHEUS_MULTIPROC_DIR": str(shared), "DEMARCHE_METRICS_OPERATIONS": "Counted"}
    with servers_on(database, 2, load_demo=False, settings=settings) as (first, second):
        for server, times in ((first, 3), (second, 2)):
            for _ in range(times):
                assert post(server, "query Counted { __typename }").status_code == 200
        for server in (first, second):
            scraped = samples(httpx.get(f"{server.url}/metrics", timeout=10).text)
            assert value(scraped, "demarche_requests_total", operation="Counted", outcome="ok") == 5
            assert value(scraped, "demarche_request_duration_seconds_count", operation="Counted") == 5
    assert any(shared.glob("*.db"))


SECRET = "hunter2-correct-horse-secret"


def test_json_logs_have_one_line_per_request_with_its_id_and_never_a_token_or_a_variable(tmp_path: Path) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'logs.db'}", load_demo=False, settings={"DEMARCHE_LOG_FORMAT": "json"}, pipe_stderr=True)
    assert server.token is not None
    try:
        given = httpx.post(
            f"{server.url}/graphql",
            json={"query": SEARCH, "variables": {"text": SECRET}},
            headers={"Authorization": f"Bearer {server.token}", "X-Request-ID": "checkout-42"},
            timeout=30,
        )
        made_up = httpx.get(f"{server.url}/health", headers={"X-Request-ID": "x" * 129})
        as_get = httpx.get(f"{server.url}/graphql", params={"query": SEARCH, "variables": json.dumps({"text": SECRET})})
    finally:
        server.process.terminate()
        _, log = server.process.communicate(timeout=15)
    assert given.status_code == 200, given.text
    assert "errors" not in given.json()
    assert given.headers["x-request-id"] == "checkout-42"
    assert re.fullmatch(r"[0-9a-f]{32}", made_up.headers["x-request-id"])
    assert as_get.status_code == 200
    text = log.decode()
    assert SECRET not in text
    assert server.token not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is one JSON object
    requests = {line["request_id"]: line for line in lines if line.get("message") == "request"}  # start-up's health checks too
    assert made_up.headers["x-request-id"] in requests
    search = requests["checkout-42"]
    assert search["operation"] == "Find"
    assert search["outcome"] == "ok"
    assert search["status"] == 200
    assert search["path"] == "/graphql"
    assert isinstance(search["cost"], int)
    assert search["duration_ms"] > 0
    assert {"time", "levelname", "name"} <= set(search)
    assert requests[as_get.headers["x-request-id"]]["path"] == "/graphql"
    assert requests[as_get.headers["x-request-id"]]["operation"] == "Find"

"""A server on a PostgreSQL that stops, freezes or runs out of connections answers every request
within its timeouts, with HTTP 200 and the typed UNAVAILABLE failure, and recovers by itself.

Each test module runs its own throwaway PostgreSQL cluster (initdb on a free loopback port), as
stopping or freezing the shared server would break everyone else's tests.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.clusters import Cluster, private_cluster
from tests.e2e.conftest import Server, start_server, stop_server

pytestmark = pytest.mark.postgres

TIMEOUTS = {"DEMARCHE_DB_CONNECT_TIMEOUT": "1", "DEMARCHE_DB_STATEMENT_TIMEOUT": "1", "DEMARCHE_DB_POOL_TIMEOUT": "1"}
ANSWER_WITHIN = 6.0
"""Seconds a request may take while the database does not answer: a few of the timeouts above, never the outage.
Each layer that reads the store on its own (the rate ledger, the response cache's record version, the token
check and the query itself) may wait out one timeout of about 1.5 s before it gives up."""
CROWD_ANSWERED_WITHIN = 10.0
"""The same for requests that also queue for the one pooled connection (a pool timeout more, per layer)."""
READ = '{ state(code: "PL") { name } }'
WRITE = 'mutation { createWave(input: {name: "During the outage"}) { __typename ... on UserError { message } } }'


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with private_cluster() as made:
        yield made


@pytest.fixture(scope="module", params=["cached", "uncached"])
def server(request: pytest.FixtureRequest, cluster: Cluster) -> Iterator[Server]:
    """A server with one-second database timeouts and the smallest pool, with and without the response cache."""
    settings = {**TIMEOUTS, "DEMARCHE_POOL_SIZE": "1"}
    if request.param == "uncached":
        settings["DEMARCHE_RESPONSE_CACHE"] = "0"
    running = start_server(cluster.url, load_demo=False, settings=settings)
    yield running
    stop_server(running)


def ask(server: Server, document: str, *, token: bool = True) -> tuple[dict[str, Any], float]:
    """POST a document; the answer, which must be HTTP 200, and how many seconds it took."""
    headers = server.headers(server.token if token else None)
    started = time.monotonic()
    response = httpx.post(f"{server.url}/graphql", json={"query": document}, headers=headers, timeout=60)
    took = time.monotonic() - started
    assert response.status_code == 200, f"HTTP {response.status_code} after {took:.2f} s: {response.text}"
    body: dict[str, Any] = response.json()
    return body, took


def assert_read_unavailable(server: Server, *, token: bool, within: float = ANSWER_WITHIN) -> float:
    body, took = ask(server, READ, token=token)
    assert [error.get("extensions", {}).get("code") for error in body.get("errors", [])] == ["UNAVAILABLE"], body
    assert took < within, f"a query was answered after {took:.2f} s"
    return took


def assert_write_unavailable(server: Server, *, within: float = ANSWER_WITHIN) -> float:
    body, took = ask(server, WRITE)
    assert "errors" not in body, body
    assert body["data"]["createWave"]["__typename"] == "UnavailableError", body
    assert took < within, f"a mutation was answered after {took:.2f} s"
    return took


def assert_serves(server: Server) -> None:
    """Within a few seconds of the database coming back, queries and mutations succeed again."""
    deadline = time.monotonic() + 15
    while True:
        read, _ = ask(server, READ)
        written, _ = ask(server, 'mutation { createWave(input: {name: "After the outage"}) { __typename } }')
        if "errors" not in read and written["data"]["createWave"]["__typename"] == "Wave":
            assert read["data"]["state"]["name"] == "Poland"
            return
        assert time.monotonic() < deadline, f"the server did not recover: {read} {written}"
        time.sleep(0.5)


@contextlib.contextmanager
def health_watch(server: Server) -> Iterator[list[float]]:
    """How long /health took, polled throughout the block."""
    took: list[float] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            started = time.monotonic()
            try:
                answered = httpx.get(f"{server.url}/health", timeout=10).status_code == 200
            except httpx.HTTPError:
                answered = False
            took.append(time.monotonic() - started if answered else float("inf"))
            done.wait(0.2)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield took
    finally:
        done.set()
        watcher.join(timeout=15)


def test_a_stopped_database_is_answered_unavailable_at_once_and_the_server_recovers_when_it_returns(
    server: Server, cluster: Cluster
) -> None:
    assert_serves(server)
    cluster.stop()
    try:
        times = [assert_read_unavailable(server, token=True), assert_read_unavailable(server, token=False)]
        times.append(assert_write_unavailable(server))
        print(f"stopped: query (token), query (anonymous), mutation answered in {', '.join(f'{t:.2f}' for t in times)} s")
        assert max(times) < 2, times
    finally:
        cluster.start()
    assert_serves(server)


def test_a_frozen_database_is_answered_unavailable_within_the_timeouts_and_health_stays_prompt(server: Server, cluster: Cluster) -> None:
    assert_serves(server)
    with cluster.frozen(), health_watch(server) as health:
        times = [assert_read_unavailable(server, token=True), assert_read_unavailable(server, token=False)]
        times.append(assert_write_unavailable(server))
        times += [assert_read_unavailable(server, token=True), assert_write_unavailable(server)]
    print(f"frozen: query, anonymous query, mutation, query, mutation answered in {', '.join(f'{t:.2f}' for t in times)} s")
    assert health, "/health was never asked"
    assert max(health) < 1, f"/health took {max(health):.2f} s"
    assert_serves(server)


def test_an_exhausted_pool_on_a_frozen_database_answers_every_request_unavailable(server: Server, cluster: Cluster) -> None:
    assert_serves(server)
    requests = 12
    with cluster.frozen(), ThreadPoolExecutor(requests) as pool:
        within = CROWD_ANSWERED_WITHIN
        reads = [pool.submit(assert_read_unavailable, server, token=index % 2 == 0, within=within) for index in range(requests // 2)]
        writes = [pool.submit(assert_write_unavailable, server, within=within) for _ in range(requests // 2)]
        times = [future.result() for future in [*reads, *writes]]
    print(f"exhausted pool: {requests} concurrent requests answered in {min(times):.2f}-{max(times):.2f} s")
    assert_serves(server)

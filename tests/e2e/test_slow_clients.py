"""Clients that never finish a request are disconnected in bounded time, and nobody else waits for them.

On SQLite only: how the server reads requests off its sockets happens before, and apart from,
any database, so a second backend would run the same transport code again.
"""

from __future__ import annotations

import http.client
import json
import selectors
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Server, start_server, stop_server

DEADLINE = 2.0
"""The header and body timeouts the server under test runs with, in seconds."""
GRACE = 3.0
"""How late past its deadline a slow connection may still be closed: timer resolution, and a loaded test machine."""
PARTIAL_HEAD = b"POST /graphql HTTP/1.1\r\nHost: x\r\n"
STALLED_BODY = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + b'{"query": '


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    database: Path = tmp_path_factory.mktemp("slow") / "demarche.db"
    timeouts = {"DEMARCHE_HEADER_TIMEOUT": str(DEADLINE), "DEMARCHE_BODY_TIMEOUT": str(DEADLINE)}
    running = start_server(f"sqlite:///{database}", settings=timeouts)
    yield running
    stop_server(running)


def address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def open_slow(server: Server, count: int, sent: bytes) -> list[tuple[socket.socket, float]]:
    """`count` connections that each send `sent` and then nothing; each with when it last sent."""
    opened = []
    for _ in range(count):
        connection = socket.create_connection(address(server), timeout=5)
        connection.sendall(sent)
        opened.append((connection, time.monotonic()))
    return opened


def closed_by_server(opened: list[tuple[socket.socket, float]], within: float) -> list[tuple[float, bytes]]:
    """For each connection, how long after its last byte the server closed it, and what it answered first; fails past `within`."""
    selector = selectors.DefaultSelector()
    answers: dict[socket.socket, bytearray] = {}
    for connection, _ in opened:
        connection.setblocking(False)
        selector.register(connection, selectors.EVENT_READ)
        answers[connection] = bytearray()
    closed: dict[socket.socket, float] = {}
    give_up = max(last for _, last in opened) + within
    while len(closed) < len(opened) and time.monotonic() < give_up:
        for key, _ in selector.select(timeout=0.05):
            ready = key.fileobj
            assert isinstance(ready, socket.socket)
            connection = ready
            try:
                chunk = connection.recv(4096)
            except ConnectionResetError:
                chunk = b""
            if chunk:
                answers[connection] += chunk
            else:
                closed[connection] = time.monotonic()
                selector.unregister(connection)
    selector.close()
    still_open = len(opened) - len(closed)
    for connection, _ in opened:
        connection.close()
    assert still_open == 0, f"{still_open} of {len(opened)} slow connections were still open {within} s after their last byte"
    return [(closed[connection] - last, bytes(answers[connection])) for connection, last in opened]


def query_latency(server: Server) -> float:
    """Seconds a fresh client takes to have a small query answered (never from the response cache)."""
    started = time.monotonic()
    document = f"# {uuid.uuid4().hex}\n{{ states(first: 1) {{ totalCount }} }}"
    response = httpx.post(f"{server.url}/graphql", json={"query": document}, timeout=10)
    took = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["data"]["states"]["totalCount"] > 0
    return took


def test_slow_heads_and_stalled_bodies_neither_delay_a_query_nor_stay_open(guarded: Server) -> None:
    heads = open_slow(guarded, 200, PARTIAL_HEAD)
    bodies = open_slow(guarded, 20, STALLED_BODY)

    latencies = [query_latency(guarded) for _ in range(5)]
    assert time.monotonic() < heads[0][1] + DEADLINE, "the queries ran after the first slow connection's deadline; the test proves nothing"
    assert max(latencies) < 1.0, latencies

    for waited, answer in closed_by_server(heads + bodies, within=DEADLINE + GRACE):
        assert waited >= DEADLINE - 0.1, f"closed {waited:.2f} s after the last byte, before the {DEADLINE} s deadline"
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert b"connection: close" in answer.lower(), answer
    assert guarded.alive()
    assert query_latency(guarded) < 1.0


def test_a_connection_that_starts_its_next_request_and_stalls_is_closed_after_the_head_deadline(guarded: Server) -> None:
    connection = socket.create_connection(address(guarded), timeout=5)
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    first = http.client.HTTPResponse(connection)
    first.begin()
    first.read()  # the whole first response, so what follows on the socket is the answer to the stalled head
    assert first.status == 200
    connection.sendall(PARTIAL_HEAD)

    [(waited, answer)] = closed_by_server([(connection, time.monotonic())], within=DEADLINE + GRACE)

    assert waited >= DEADLINE - 0.5
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_a_body_that_keeps_arriving_within_the_deadline_is_read_to_the_end(guarded: Server) -> None:
    document = b'{"query": "{ states(first: 1) { totalCount } }"}'
    body = document.ljust(60)
    head = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    connection = socket.create_connection(address(guarded), timeout=10)
    connection.sendall(head)
    started = time.monotonic()
    for start in range(0, len(body), 20):
        time.sleep(DEADLINE / 2)
        connection.sendall(body[start : start + 20])
    answer = http.client.HTTPResponse(connection)
    answer.begin()
    payload = json.loads(answer.read())
    connection.close()

    assert time.monotonic() - started > DEADLINE, "the whole body took less than one deadline; the test proves nothing"
    assert answer.status == 200, payload
    assert payload["data"]["states"]["totalCount"] > 0

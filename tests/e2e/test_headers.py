"""Request heads over real sockets: a head past its size, with too many headers or too long a header line is answered
431 (a request line alone past the size, 414) and disconnected after at most its allowance was read; heads within the
limits are served as ever, over HTTP and the websocket handshake."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from tests.e2e.helpers import BACKENDS, LiveServer, running_server

HEAD_BYTES = 65_536
QUERY = '{"query":"{ __typename }"}'


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory) as running:
        yield running


def address(server: LiveServer) -> tuple[str, int]:
    parts = urlsplit(server.url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def raw_answer(server: LiveServer, head: bytes, *, then: int = 0, chunk: int = 1 << 20) -> tuple[bytes, float, int]:
    """Send `head`, then `then` more bytes of one header's value (stopping when the server hangs up); the server's answer,
    the seconds until it came, and how many bytes were sent before the server stopped reading."""
    with socket.create_connection(address(server), timeout=30) as conn:
        sent = 0
        stop = threading.Event()

        def pour() -> None:
            nonlocal sent
            filler = b"a" * chunk
            try:
                conn.sendall(head)
                sent += len(head)
                while sent < len(head) + then and not stop.is_set():
                    conn.sendall(filler)
                    sent += chunk
            except OSError:
                pass  # the server answered and closed: the rest cannot be sent

        started = time.perf_counter()
        pouring = threading.Thread(target=pour, daemon=True)
        pouring.start()
        answer = b""
        try:
            while True:
                got = conn.recv(65536)
                if not got:
                    break
                answer += got
        except OSError:
            pass  # reset by the server after its answer
        took = time.perf_counter() - started
        stop.set()
        pouring.join(timeout=30)
        return answer, took, sent


def request_head(*headers: tuple[str, str], target: str = "/graphql") -> bytes:
    lines = [
        f"POST {target} HTTP/1.1",
        "Host: test",
        "Content-Type: application/json",
        f"Content-Length: {len(QUERY)}",
        "Connection: close",
    ]
    return ("\r\n".join([*lines, *(f"{name}: {value}" for name, value in headers)]) + "\r\n\r\n").encode()


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_a_hundred_megabytes_of_headers_are_refused_431_after_the_allowance(server: LiveServer) -> None:
    # The first header, which never ends, is refused as a header (431), not as the request line (414).
    assert status(raw_answer(server, b"GET /graphql HTTP/1.1\r\nX-Padding: ", then=2**20)[0]) == 431
    head = b"GET /graphql HTTP/1.1\r\nHost: test\r\nX-Padding: "
    answer, took, sent = raw_answer(server, head, then=100 * 2**20)
    assert status(answer) == 431, answer[:300]
    assert b"connection: close" in answer.lower()
    assert took < 2, took
    assert sent < 100 * 2**20  # the server hung up long before the rest was sent
    assert server.client.post(f"{server.url}/graphql", json={"query": "{ __typename }"}).status_code == 200


def test_too_many_headers_or_too_long_a_header_line_are_refused_431(server: LiveServer) -> None:
    many = request_head(*((f"X-Header-{i}", "v") for i in range(101)))
    assert status(raw_answer(server, many)[0]) == 431
    long_line = request_head(("X-Long", "v" * 16_400))
    assert status(raw_answer(server, long_line)[0]) == 431


def test_a_request_line_past_the_allowance_is_refused_414(server: LiveServer) -> None:
    head = f"GET /graphql?query={'x' * (HEAD_BYTES + 10)} HTTP/1.1\r\nHost: test\r\n\r\n".encode()
    answer, _, _ = raw_answer(server, head)
    assert status(answer) == 414, answer[:300]


def test_heads_within_the_limits_are_served_even_when_pipelined(server: LiveServer) -> None:
    # 90 headers, several of 12 KiB: some 60 KiB of head, under every limit.
    within = request_head(*((f"X-Header-{i}", ("v" * 12_000) if i % 20 == 0 else "v") for i in range(90)))
    assert len(within) < HEAD_BYTES
    answer, _, _ = raw_answer(server, within + QUERY.encode())
    assert status(answer) == 200, answer[:300]
    # Two requests in one write, on a kept-alive connection: each head is counted on its own.
    keep = request_head(*((f"X-Pad-{i}", "v" * 12_000) for i in range(3))).replace(b"Connection: close", b"Connection: keep-alive")
    answer, _, _ = raw_answer(server, keep + QUERY.encode() + within + QUERY.encode())
    assert answer.count(b"HTTP/1.1 200") == 2, answer[:300]


def test_a_websocket_handshake_is_held_to_the_same_limits(server: LiveServer) -> None:
    url = server.url.replace("http://", "ws://") + "/graphql"

    async def handshake(headers: dict[str, str]) -> int:
        try:
            async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")], additional_headers=headers) as opened:
                await opened.close()
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(handshake({"X-Small": "v"})) == 101
    assert asyncio.run(handshake({"X-Big": "v" * 70_000})) == 431
    assert httpx.get(f"{server.url}/health").status_code == 200

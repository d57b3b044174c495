"""Forwarding headers over real HTTP and websockets: by default no `X-Forwarded-For` is believed, so a client cannot pick
a fresh address (and a fresh rate budget) per request; behind a proxy named in `DEMARCHE_TRUSTED_PROXIES`, each
client the proxy forwards has a budget of its own."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from tests.e2e.helpers import BACKENDS, LiveServer, running_server

BUDGET = 30
REQUESTS = 300
SOCKETS = 40
QUERY = "{ __typename }"
WAVES = "subscription Waves { history(entity: WAVE) { id } }"
PROTOCOL = Subprotocol("graphql-transport-ws")


def forwarded(i: int) -> str:
    return f"203.0.{i // 250}.{i % 250 + 1}"


@pytest.fixture(scope="module", params=BACKENDS)
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    """A server with its defaults and one behind a proxy on 127.0.0.1, each with a budget of BUDGET points a minute."""
    limits = {"DEMARCHE_RATE_LIMIT": str(BUDGET), "DEMARCHE_RATE_WINDOW": "600", "DEMARCHE_RESPONSE_CACHE": "0"}
    with (
        running_server(request.param, tmp_path_factory, limits) as default,
        running_server(request.param, tmp_path_factory, {**limits, "DEMARCHE_TRUSTED_PROXIES": "127.0.0.1"}) as proxied,
    ):
        yield default, proxied


def statuses(server: LiveServer, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        return [
            client.post("/graphql", json={"query": QUERY}, headers={"X-Forwarded-For": address}).status_code for address in forwarded_for
        ]


async def subscribe_outcomes(server: LiveServer, forwarded_for: list[str]) -> list[str]:
    """Each socket's answer to one subscription: `ok` when it runs, else its error's code."""
    outcomes = []
    for address in forwarded_for:
        url = server.url.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=[PROTOCOL], additional_headers={"X-Forwarded-For": address}) as socket:
            await socket.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 10)) == {"type": "connection_ack"}
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": WAVES}}))
            await socket.send(json.dumps({"type": "ping"}))  # answered after the subscribe is: its refusal comes first
            answer = json.loads(await asyncio.wait_for(socket.recv(), 10))
            outcomes.append("ok" if answer["type"] == "pong" else answer["payload"][0]["extensions"]["code"])
    return outcomes


def test_by_default_a_different_forwarded_address_per_request_still_meets_the_rate_limit(servers: tuple[LiveServer, LiveServer]) -> None:
    default, _ = servers
    answered = statuses(default, [forwarded(i) for i in range(REQUESTS)])
    assert answered.count(200) == BUDGET, answered
    assert answered.count(429) == REQUESTS - BUDGET


def test_by_default_a_websocket_handshake_s_forwarded_address_is_not_believed(servers: tuple[LiveServer, LiveServer]) -> None:
    default, _ = servers
    # The HTTP test may have spent this address's budget already: either way, forty sockets cannot all run.
    outcomes = asyncio.run(subscribe_outcomes(default, [forwarded(i) for i in range(SOCKETS)]))
    assert set(outcomes) <= {"ok", "RATE_LIMITED"}, outcomes
    assert outcomes.count("ok") < BUDGET
    assert outcomes.count("RATE_LIMITED") > SOCKETS - BUDGET


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(servers: tuple[LiveServer, LiveServer]) -> None:
    _, proxied = servers
    answered = statuses(proxied, [forwarded(i) for i in range(REQUESTS)])
    assert answered == [200] * REQUESTS
    one_client = statuses(proxied, ["198.51.100.7"] * (BUDGET + 10))
    assert one_client == [200] * BUDGET + [429] * 10
    outcomes = asyncio.run(subscribe_outcomes(proxied, [forwarded(1000 + i) for i in range(SOCKETS)]))
    assert outcomes == ["ok"] * SOCKETS


def test_trusted_proxies_is_an_option_of_serve_checked_before_the_server_starts() -> None:
    given = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--trusted-proxies", "10.0.0.5,not-an-address"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert given.returncode == 2
    assert "'not-an-address' is not an IP address or network" in given.stderr
    shown = subprocess.run([sys.executable, "-m", "cli.main", "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert "--trusted-proxies" in shown.stdout

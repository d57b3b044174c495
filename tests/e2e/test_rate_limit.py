"""Each caller's budget of points over a window, held across processes that share one database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Server, create_token, servers_on, start_server, stop_server

CHEAP = {"query": '{ state(code: "PL") { name } }'}
# A budget small enough to spend in a test, over a day-long window that will not roll over while it runs.
LIMITED = {"DEMARCHE_RATE_LIMIT": "20", "DEMARCHE_RATE_WINDOW": "86400", "DEMARCHE_RESPONSE_CACHE": "0"}


@pytest.fixture
def two_servers(database_url: str) -> Iterator[tuple[Server, Server]]:
    """Two server processes on one fresh database (SQLite and PostgreSQL), each holding callers to 20 points a day."""
    with servers_on(database_url, 2, settings=LIMITED) as (first, second):
        yield first, second


def ask(server: Server, token: str | None = None, **extra: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{server.url}/graphql", json=CHEAP, headers={**headers, **extra}, timeout=30)


def test_a_caller_over_its_budget_gets_429_with_retry_after_and_two_processes_share_one_budget(
    two_servers: tuple[Server, Server],
) -> None:
    first, second = two_servers
    answered, refused = 0, []
    remaining = []
    for turn in range(30):
        response = ask(first if turn % 2 else second)
        if response.status_code == 200:
            answered += 1
            assert response.json()["data"]["state"]["name"] == "Poland"
            remaining.append(int(response.headers["ratelimit-remaining"]))
        else:
            refused.append(response)
    # Each request costs one point; the two processes lease from one ledger, so together they allow exactly 20.
    assert answered == 20
    assert remaining[-1] == 0
    assert all(int(r.headers["ratelimit-limit"]) == 20 for r in refused)
    for response in refused:
        assert response.status_code == 429
        assert 0 < int(response.headers["retry-after"]) <= 86400
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert "data" not in response.json()


def test_a_token_has_its_own_budget_and_an_unknown_token_gets_no_budget_of_its_own(two_servers: tuple[Server, Server]) -> None:
    first, _ = two_servers
    while ask(first).status_code == 200:
        pass  # the address's budget is spent
    assert ask(first).status_code == 429
    token = first.token
    assert token is not None
    # A valid token is checked by the server, then charged as itself: its 20 points are all there.
    answered = sum(ask(first, token).status_code == 200 for _ in range(25))
    assert answered == 20
    # However the header writes the same token, it is the same budget.
    for header in (f"bearer {token}", f"BEARER    {token}", f"Bearer\t{token}"):
        again = httpx.post(f"{first.url}/graphql", json=CHEAP, headers={"Authorization": header}, timeout=30)
        assert again.status_code == 429, (header, again.text)
    # Made-up tokens from that address are refused before anything runs, never answered with data.
    for _ in range(3):
        made_up = ask(first, f"dmr_{uuid.uuid4().hex}")
        body = made_up.json()
        assert made_up.status_code in (200, 429)
        assert not any((body.get("data") or {}).values()), body
        assert body["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "RATE_LIMITED"), body
    assert ask(first).status_code == 429


def test_the_rate_limit_headers_come_with_every_answer(tmp_path_factory: pytest.TempPathFactory) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('headers') / 'demarche.db'}"
    server = start_server(url, settings={"DEMARCHE_RATE_LIMIT": "1000", "DEMARCHE_RATE_WINDOW": "60"})
    try:
        response = ask(server)
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "1000"
        assert int(response.headers["ratelimit-remaining"]) < 1000
        assert 0 < int(response.headers["ratelimit-reset"]) <= 60
        editor = create_token(url, f"editor-{uuid.uuid4().hex[:6]}", "editor")
        assert ask(server, editor).status_code == 200
    finally:
        stop_server(server)


def test_a_websocket_runs_only_subscriptions_and_spends_the_callers_budget(two_servers: tuple[Server, Server]) -> None:
    import asyncio
    import json

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.typing import Subprotocol

    first, _ = two_servers
    protocol = [Subprotocol("graphql-transport-ws")]

    async def refused_elsewhere() -> list[str]:
        """Every message a socket on /graphql/ (not the subscription endpoint) got before it closed or was refused."""
        received: list[str] = []
        try:
            async with connect(first.url.replace("http://", "ws://") + "/graphql/", subprotocols=protocol) as socket:
                await socket.send(json.dumps({"type": "connection_init"}))
                await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
                async with asyncio.timeout(10):
                    async for message in socket:
                        received.append(str(message))
        except (ConnectionClosed, InvalidStatus):
            pass
        return received

    async def codes() -> list[str]:
        """The refusal codes of a query, then of subscriptions until the caller's budget of 20 points is spent."""
        found = []
        async with connect(first.url.replace("http://", "ws://") + "/graphql", subprotocols=protocol) as socket:
            await socket.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await socket.recv()) == {"type": "connection_ack"}
            await socket.send(json.dumps({"id": "query", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
            found.append(json.loads(await socket.recv())["payload"][0]["extensions"]["code"])
            for n in range(25):
                await socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": "subscription { history { id } }"}}))
                await socket.send(json.dumps({"id": str(n), "type": "complete"}))
            async with asyncio.timeout(10):
                message = json.loads(await socket.recv())
            found.append(message["payload"][0]["extensions"]["code"])
        return found

    assert not any('"next"' in message or "connection_ack" in message for message in asyncio.run(refused_elsewhere()))
    assert asyncio.run(codes()) == ["SUBSCRIPTIONS_ONLY", "RATE_LIMITED"]

"""Subscribers across a database outage, on a private PostgreSQL cluster stopped and frozen under a running server:
every event written before and after reaches every subscriber, whatever its variables, and none is answered
UNAVAILABLE in its place. (SQLite has no server to stop; its one process has no outage of this kind.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from tests.e2e.clusters import Cluster, private_cluster
from tests.e2e.conftest import Server, start_server, stop_server
from tests.e2e.test_subscriptions import Subscriber

pytestmark = pytest.mark.postgres

TIMEOUTS = {"DEMARCHE_DB_CONNECT_TIMEOUT": "1", "DEMARCHE_DB_STATEMENT_TIMEOUT": "1", "DEMARCHE_DB_POOL_TIMEOUT": "1"}
MEASURES = "subscription M($least: Int) { expulsions(headcountMin: $least) { expulsion { id headcount { value } actor { code } } } }"
CREATE = (
    'mutation { createExpulsion(input: {actor: "PL", target: "RU", measureType: PERSONA_NON_GRATA, announced: "2022-03-24", '
    "headcount: {qualifier: EXACT, value: 3}}) { __typename ... on Expulsion { id } } }"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with private_cluster() as made:
        yield made


@pytest.fixture(scope="module")
def server(cluster: Cluster) -> Iterator[Server]:
    running = start_server(cluster.url, settings={**TIMEOUTS, "DEMARCHE_POOL_SIZE": "2"})
    yield running
    stop_server(running)


def _create(server: Server) -> str:
    """One new measure, retried until the database takes it (an outage refuses writes: they are not acknowledged)."""
    deadline = time.monotonic() + 30
    while True:
        answer = server.graphql(CREATE)
        made = (answer.get("data") or {}).get("createExpulsion") or {}
        if made.get("__typename") == "Expulsion":
            return str(made["id"])
        assert time.monotonic() < deadline, answer
        time.sleep(0.3)


def test_every_subscriber_receives_every_event_across_a_stop_and_a_freeze(server: Server, cluster: Cluster) -> None:
    async def run() -> None:
        subscriber = await Subscriber.open(server)
        for n in range(10):
            await subscriber.subscribe(f"m{n}", MEASURES, {"least": -1 - n})
        await asyncio.sleep(0.5)
        written: list[str] = []
        received: dict[str, list[str]] = {f"m{n}": [] for n in range(10)}

        async def take(count: int) -> None:
            for _ in range(count):
                message = await subscriber.receive(within=30)
                assert message["type"] == "next", message
                assert "errors" not in message["payload"], message
                received[message["id"]].append(message["payload"]["data"]["expulsions"]["expulsion"]["id"])

        written.append(await asyncio.to_thread(_create, server))
        await take(10)
        await asyncio.to_thread(cluster.stop)  # every connection the server held is gone
        await asyncio.sleep(2)
        await asyncio.to_thread(cluster.start)
        written.append(await asyncio.to_thread(_create, server))
        await take(10)
        with cluster.frozen():  # connections open, nothing answers: the server's time out, and it must recover from that too
            await asyncio.sleep(3)
        written.append(await asyncio.to_thread(_create, server))
        await take(10)
        assert received == {f"m{n}": written for n in range(10)}
        assert await subscriber.silent(0.5)
        await subscriber.close()

    asyncio.run(run())

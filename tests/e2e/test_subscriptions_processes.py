"""Subscribers and writers on different processes of one PostgreSQL database, over real sockets: a write through one
process reaches a subscriber of the other within a second, and keeps reaching it while that process's LISTEN
connection is terminated and comes back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from tests.conftest import throwaway_postgres
from tests.e2e.conftest import Server, start_server, stop_server
from tests.e2e.helpers import LiveServer, concurrent_writers, mutate, ok
from tests.e2e.test_subscriptions import WAVES, Subscriber

pytestmark = pytest.mark.postgres
TERMINATE = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1"


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[LiveServer, LiveServer, str]]:
    """Two `demarche serve` processes on one fresh PostgreSQL database, and its URL."""
    with throwaway_postgres("demarche_e2e") as url:
        started: list[Server] = []
        try:
            for _ in range(2):
                started.append(start_server(url))
            first, second = (LiveServer(s.url, s.process, s.token) for s in started)
            yield first, second, url
        finally:
            for server in started:
                stop_server(server)


async def _write(server: LiveServer, name: str) -> None:
    ok(await asyncio.to_thread(mutate, server, "createWave", input={"name": name}), "Wave")


async def _terminate_listener(url: str, pid: int) -> int:
    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
    try:
        return int(await connection.fetchval(TERMINATE, f"demarche-listener:{pid}"))
    finally:
        await connection.close()


def test_a_write_through_one_process_reaches_a_subscriber_of_the_other_within_a_second(pair: tuple[LiveServer, LiveServer, str]) -> None:
    subscribed, writer, _ = pair

    async def run() -> None:
        subscriber = await Subscriber.open(subscribed)
        await subscriber.subscribe("waves", WAVES)
        await asyncio.sleep(0.2)
        loop = asyncio.get_running_loop()
        for n in range(3):
            written = loop.time()
            await _write(writer, f"Across processes {n}")
            [event] = await subscriber.events(1, within=5)
            assert loop.time() - written < 1.0
            assert event["payload"]["data"]["history"]["after"]["name"] == f"Across processes {n}"
        await subscriber.close()

    asyncio.run(run())


def test_a_subscriber_misses_nothing_while_its_processs_listener_is_terminated(pair: tuple[LiveServer, LiveServer, str]) -> None:
    subscribed, writer, url = pair
    tag = uuid.uuid4().hex[:6]

    async def run() -> None:
        subscriber = await Subscriber.open(subscribed)
        await subscriber.subscribe("waves", WAVES)
        await asyncio.sleep(0.2)
        names = []
        for n in range(6):
            if n % 2 == 0:
                assert await _terminate_listener(url, subscribed.process.pid) <= 1
            names.append(f"{tag} {n}")
            await _write(writer, names[-1])
        events = await subscriber.events(6, within=10)
        assert [event["payload"]["data"]["history"]["after"]["name"] for event in events] == names
        assert await subscriber.silent()
        await subscriber.close()

    with concurrent_writers(writer):  # sixteen more writers racing the test's own
        asyncio.run(run())


def test_with_two_workers_every_write_reaches_a_subscriber_within_a_second_whichever_worker_took_it(
    pair: tuple[LiveServer, LiveServer, str],
) -> None:
    _, _, url = pair
    started = start_server(url, settings={"DEMARCHE_WORKERS": "2"})
    workers = LiveServer(started.url, started.process, started.token)
    tag = uuid.uuid4().hex[:6]

    async def run() -> None:
        subscribers = [await Subscriber.open(workers) for _ in range(4)]  # on either worker, as the kernel hands them out
        for subscriber in subscribers:
            await subscriber.subscribe("waves", WAVES)
        await asyncio.sleep(0.3)
        loop = asyncio.get_running_loop()
        for n in range(6):  # each through whichever worker takes the connection
            written = loop.time()
            await _write(workers, f"{tag} {n}")
            for subscriber in subscribers:
                [event] = await subscriber.events(1, within=5)
                assert event["payload"]["data"]["history"]["after"]["name"] == f"{tag} {n}"
            assert loop.time() - written < 1.0
        for subscriber in subscribers:
            await subscriber.close()

    try:
        asyncio.run(run())
    finally:
        stop_server(started)

"""Reads from a streaming replica, writes to the primary, and nobody reads older than a write it made or
was told of — against a real standby: a private primary and a standby made from it by `pg_basebackup`.

Replay on the standby is paused while a test needs the replica to lag, so what each server answers
shows where it read: a write the replica has not replayed is visible only on the primary.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.clusters import Cluster, private_cluster, standby_of
from tests.e2e.conftest import Server, create_token, start_server, stop_server
from tests.e2e.test_subscriptions import Subscriber

pytestmark = pytest.mark.postgres

WAVES = "{ waves(first: 100) { nodes { name } } }"


@pytest.fixture(scope="module")
def primary() -> Iterator[Cluster]:
    with private_cluster() as made:
        yield made


@pytest.fixture(scope="module")
def standby(primary: Cluster) -> Iterator[Cluster]:
    with standby_of(primary) as made:
        yield made


def sql(url: str, statement: str) -> Any:
    """One statement's single value, on its own connection."""

    async def run() -> Any:
        connection = await asyncpg.connect(url.replace("postgresql://", "postgres://"), timeout=10)
        try:
            return await connection.fetchval(statement)
        finally:
            await connection.close()

    return asyncio.run(run())


@contextlib.contextmanager
def replay_paused(standby: Cluster) -> Iterator[None]:
    """The standby keeps receiving WAL but applies none of it until the block ends."""
    sql(standby.url, "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        sql(standby.url, "SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="module")
def servers(primary: Cluster, standby: Cluster) -> Iterator[dict[str, Server]]:
    """Two instances reading from the replica without a response cache, one with it; all write to the primary."""
    replica = {"DEMARCHE_READ_DATABASE_URL": standby.url, "DEMARCHE_REPLICA_WAIT": "0.5"}
    started: dict[str, Server] = {}
    try:
        started["one"] = start_server(primary.url, load_demo=False, settings={**replica, "DEMARCHE_RESPONSE_CACHE": "0"})
        started["two"] = start_server(primary.url, load_demo=False, settings={**replica, "DEMARCHE_RESPONSE_CACHE": "0"})
        started["cached"] = start_server(primary.url, load_demo=False, settings=replica)
        wait_for_replay(primary, standby)
        yield started
    finally:
        for server in started.values():
            stop_server(server)


def wait_for_replay(primary: Cluster, standby: Cluster) -> None:
    written = sql(primary.url, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + 30
    while sql(standby.url, f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn") is not True:
        assert time.monotonic() < deadline, "the standby did not catch up within 30 s"
        time.sleep(0.05)


def post(server: Server, query: str, headers: dict[str, str] | None = None) -> httpx.Response:
    response = httpx.post(
        f"{server.url}/graphql", json={"query": query}, headers={**server.headers(server.token), **(headers or {})}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.json()
    return response


def create_wave(server: Server, name: str) -> httpx.Response:
    response = post(server, f'mutation {{ createWave(input: {{name: "{name}"}}) {{ __typename ... on Wave {{ id }} }} }}')
    assert response.json()["data"]["createWave"]["__typename"] == "Wave"
    return response


def waves(server: Server, headers: dict[str, str] | None = None) -> list[str]:
    return [node["name"] for node in post(server, WAVES, headers).json()["data"]["waves"]["nodes"]]


def test_queries_read_from_the_replica(servers: dict[str, Server], standby: Cluster, primary: Cluster) -> None:
    create_wave(servers["one"], "replayed")
    wait_for_replay(primary, standby)
    with replay_paused(standby):
        create_wave(servers["one"], "not yet replayed")
        # The other instance knows nothing of that write: it reads the replica, where the write is not yet.
        assert "replayed" in waves(servers["two"])
        assert "not yet replayed" not in waves(servers["two"])
    wait_for_replay(primary, standby)
    assert "not yet replayed" in waves(servers["two"])


def test_a_writer_reads_its_own_write_at_once_while_the_replica_lags(servers: dict[str, Server], standby: Cluster) -> None:
    with replay_paused(standby):
        written = create_wave(servers["one"], "my own write")
        assert "demarche-written-at" in written.headers
        # The same instance knows its write: it waits for the replica a moment, then reads the primary.
        assert "my own write" in waves(servers["one"])


def test_a_client_carries_its_write_to_another_instance_with_read_after(servers: dict[str, Server], standby: Cluster) -> None:
    with replay_paused(standby):
        position = create_wave(servers["one"], "carried over").headers["demarche-written-at"]
        assert "carried over" not in waves(servers["two"])
        assert "carried over" in waves(servers["two"], {"Demarche-Read-After": position})
        # A value that is no WAL position asks for the latest: the primary.
        assert "carried over" in waves(servers["two"], {"Demarche-Read-After": "yesterday"})


def test_a_cached_answer_never_predates_a_write_made_elsewhere(servers: dict[str, Server], standby: Cluster) -> None:
    before = waves(servers["cached"])
    assert waves(servers["cached"]) == before  # now cached
    with replay_paused(standby):
        create_wave(servers["one"], "after the cache filled")
        assert "after the cache filled" in waves(servers["cached"])


def test_a_token_made_a_moment_ago_is_accepted_on_a_lagging_replica(servers: dict[str, Server], primary: Cluster, standby: Cluster) -> None:
    with replay_paused(standby):
        secret = create_token(primary.url, "fresh-reader", "reader")
        response = httpx.post(
            f"{servers['two'].url}/graphql",
            json={"query": "{ viewer { name } }"},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=30,
        )
    assert response.json()["data"]["viewer"]["name"] == "fresh-reader"


def test_a_subscription_reads_each_event_from_the_primary(servers: dict[str, Server], standby: Cluster) -> None:
    feed = 'subscription { expulsions(actor: "PL") { entry { action } expulsion { statedReason } } }'
    created = (
        'mutation { createExpulsion(input: {actor: "PL", target: "RU", measureType: EXPULSION_ORDER, announced: "2022-03-23", '
        'headcount: {qualifier: EXACT, value: 45}, statedReason: "Read at once"}) { __typename } }'
    )

    async def run() -> None:
        subscriber = await Subscriber.open(servers["two"], {"token": servers["two"].token})
        await subscriber.subscribe("measures", feed)
        await asyncio.sleep(0.3)
        await asyncio.to_thread(post, servers["one"], created)
        [event] = await subscriber.events(1)
        # The event's measure is read where the entry was: on the primary, not on the replica that has not replayed it.
        assert event["payload"]["data"]["expulsions"] == {"entry": {"action": "CREATE"}, "expulsion": {"statedReason": "Read at once"}}
        await subscriber.close()

    with replay_paused(standby):
        asyncio.run(run())

"""Attacks through subscriptions, measured from another client: a socket that never reads, subscriptions whose variables
differ, and replays of a long history (issue 19, items 1, 2 and 5), on SQLite and PostgreSQL.

Each attack runs while `watching` measures a bystander's reads and the server's memory; each is bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.exceptions import ConnectionClosed

from api.live.sockets import OVERFLOW_GRACE
from persistence.sql.engine import async_url
from persistence.sql.tables import HistoryRow
from persistence.write.base import table_of
from tests.conftest import throwaway_postgres
from tests.e2e.conftest import create_token, start_server, stop_server
from tests.e2e.helpers import BACKENDS, LiveServer, current_version, global_id, measure_input, mutate, ok, running_server
from tests.e2e.test_subscriptions import Subscriber
from tests.load.bystander import watching

ALIASES = 28
REASON = 10_000
BIG = (
    "subscription Big($least: Int) { expulsions(headcountMin: $least) { expulsion { "
    + " ".join(f"r{n}: statedReason" for n in range(ALIASES))
    + " } } }"
)
SMALL = "subscription Small($least: Int) { expulsions(headcountMin: $least) { entry { id } expulsion { id headcount { value } } } }"
HISTORY = "subscription Replay($after: ID) { history(after: $after) { id action } }"
FROM_THE_START = "SGlzdG9yeUVudHJ5OjA="


def _update_reason(server: LiveServer, measure: str, letter: str) -> None:
    document = (
        "mutation Edit($id: ID!, $version: Int!, $reason: String!) { updateExpulsion(id: $id, expectedVersion: $version, "
        "input: {statedReason: $reason}) { __typename } }"
    )
    variables = {"id": measure, "version": current_version(server, measure), "reason": letter * REASON}
    assert server.data(document, variables)["updateExpulsion"]["__typename"] == "Expulsion"


# Item 1 -------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def plain(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with the default bounds on subscriptions (the rate limit out of the way of the attack's own writes)."""
    with running_server(request.param, tmp_path_factory, {"DEMARCHE_RESPONSE_CACHE": "0"}) as running:
        yield running


def test_a_socket_that_never_reads_holds_a_bounded_number_of_bytes_and_is_closed(plain: LiveServer) -> None:
    """One socket, 20 subscriptions with different variables each selecting 28 aliases of a 10 KB reason, never read;
    60 edits of that reason: about 336 MB of events, of which the server keeps at most its byte bound, and the socket,
    which does not even take its overflow notices, is closed."""
    server = plain
    measure = ok(mutate(server, "createExpulsion", input=measure_input()), "Expulsion")["id"]

    async def attack() -> tuple[list[dict[str, Any]], int | None]:
        # A client that does not read: the library stops taking frames off the socket once one message waits.
        subscriber = await Subscriber.open(server, max_queue=1, max_size=2**24)
        for n in range(20):
            await subscriber.subscribe(f"big{n}", BIG, {"least": -1 - n})
        await asyncio.sleep(0.5)
        started = time.monotonic()
        for n in range(60):
            await asyncio.to_thread(_update_reason, server, measure, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26])
        print(f"60 edits in {time.monotonic() - started:.1f} s")
        await asyncio.sleep(OVERFLOW_GRACE + 1)
        received = []
        # What was in the buffers, then the close; on a loaded machine the close may come well after the grace.
        with contextlib.suppress(ConnectionClosed):
            async with asyncio.timeout(60):
                while True:
                    received.append(await subscriber.receive(within=45))
        return received, subscriber.socket.close_code

    with watching(server) as watch:
        received, closed = asyncio.run(attack())
    print(watch.summary())
    events = sum(1 for message in received if message["type"] == "next" and not message["payload"].get("errors"))
    print(f"{events} events received before the socket was closed with {closed}")
    assert closed == 1008
    assert events < 20 * 60
    watch.assert_unharmed(rss_bound_mib=250)


# Item 2 -------------------------------------------------------------------------------------------------------------

FANOUT = 1000
"""The process's bound of subscriptions (DEMARCHE_MAX_SUBSCRIPTIONS' default): as many as the bounds allow."""


@pytest.fixture(scope="module", params=BACKENDS)
def crowded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose process bound of subscriptions one caller may fill (as ten callers of the default bound could)."""
    settings = {
        "DEMARCHE_RESPONSE_CACHE": "0",
        "DEMARCHE_MAX_SUBSCRIPTIONS_PER_CALLER": str(FANOUT),
        "DEMARCHE_MAX_SUBSCRIPTIONS_PER_SOCKET": "100",
    }
    with running_server(request.param, tmp_path_factory, settings) as running:
        yield running


def test_subscriptions_whose_variables_differ_by_one_number_cost_one_read_per_event(crowded: LiveServer) -> None:
    """As many subscriptions as the process allows, each with its own `headcountMin`, then three new measures: every
    subscriber gets every event, none an error, and another client is not held up."""
    server = crowded

    async def subscribe() -> list[Subscriber]:
        sockets = [await Subscriber.open(server) for _ in range(FANOUT // 100)]
        for n in range(FANOUT):
            await sockets[n // 100].subscribe(f"s{n}", SMALL, {"least": -1 - n})
        await asyncio.sleep(2)
        return sockets

    async def collect(subscriber: Subscriber, count: int) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = []
        with contextlib.suppress(TimeoutError):  # judged below: every subscription must have had its three events
            while len(received) < count:
                received.append(await subscriber.receive(within=30))
        return received

    async def attack() -> tuple[list[list[dict[str, Any]]], float]:
        sockets = await subscribe()
        started = time.monotonic()
        for _ in range(3):
            await asyncio.to_thread(mutate, server, "createExpulsion", input=measure_input())
        received = await asyncio.gather(*(collect(subscriber, 300) for subscriber in sockets))
        took = time.monotonic() - started
        one_more = await Subscriber.open(server)  # every one of them runs: the process is full
        await one_more.subscribe("over", SMALL, {"least": 5})
        refused = await one_more.receive()
        assert refused["payload"][0]["extensions"] == {"code": "SUBSCRIPTION_LIMIT", "limit": FANOUT}
        await one_more.close()
        for subscriber in sockets:
            await subscriber.close()
        return received, took

    with watching(server) as watch:
        received, took = asyncio.run(attack())
    print(f"{FANOUT} subscriptions x 3 events delivered in {took:.2f} s")
    print(watch.summary())
    messages = [message for socket in received for message in socket]
    print(f"{len(messages)} messages received of {FANOUT * 3}")
    assert all(message["type"] == "next" for message in messages)
    assert not [message for message in messages if message["payload"].get("errors")]
    per_subscription: dict[str, int] = {}
    for message in messages:
        per_subscription[message["id"]] = per_subscription.get(message["id"], 0) + 1
    assert per_subscription == {f"s{n}": 3 for n in range(FANOUT)}
    watch.assert_unharmed(rss_bound_mib=500)


# Item 5 -------------------------------------------------------------------------------------------------------------

LONG = 40_000
"""Entries of the long history the replays start from (written straight into the table before the server starts)."""


def _long_history(database_url: str) -> None:
    engine = create_async_engine(async_url(database_url))
    now = datetime.now(UTC)
    rows = [
        {
            "at": now,
            "author": "load",
            "action": "create",
            "entity": "Wave",
            "record_id": 1_000_000 + n,
            "version": 1,
            "after": {"name": f"wave {n}", "description": None},
        }
        for n in range(LONG)
    ]

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(sqlalchemy.insert(table_of(HistoryRow)), rows)
        await engine.dispose()

    asyncio.run(write())


@pytest.fixture(scope="module", params=BACKENDS)
def historic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on a record with a long history, with the default rate limit (replays pay for what they read)."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('load') / 'demarche.db'}"
        else:
            url = stack.enter_context(throwaway_postgres("demarche_load"))
        create_token(url, "load-setup", "reader")  # brings the schema up
        _long_history(url)
        started = start_server(url, settings={"DEMARCHE_RESPONSE_CACHE": "0", "DEMARCHE_RATE_LIMIT": "5000"})
        server = LiveServer(started.url, started.process, started.token)
        try:
            yield server
        finally:
            server.client.close()
            stop_server(server)


def test_twenty_replays_of_a_long_history_are_bounded_paged_and_paid_for(historic: LiveServer) -> None:
    """Twenty replays from the first entry of a long history on one socket: two run (the caller's bound), each a page at
    a time, paying for what it reads, and another client is not held up."""
    server = historic

    async def attack() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
        subscriber = await Subscriber.open(server, max_size=2**24)
        for n in range(20):
            await subscriber.subscribe(f"r{n}", HISTORY, {"after": FROM_THE_START})
        refusals: list[dict[str, Any]] = []
        replayed: dict[str, list[str]] = {}
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            try:
                message = await subscriber.receive(within=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            if message["type"] == "error":
                refusals.append(message)
            elif message["type"] == "next":
                replayed.setdefault(message["id"], []).append(message["payload"]["data"]["history"]["id"])
        await subscriber.close()
        return refusals, replayed

    with watching(server) as watch:
        refusals, replayed = asyncio.run(attack())
    print(watch.summary())
    print({id: len(entries) for id, entries in replayed.items()}, f"{len(refusals)} refused")
    assert len(refusals) == 18
    assert all(refusal["payload"][0]["extensions"] == {"code": "REPLAY_LIMIT", "limit": 2} for refusal in refusals)
    assert sorted(replayed) == ["r0", "r1"]
    for entries in replayed.values():
        assert len(entries) > 1000  # several pages went out
        assert entries == [global_id("HistoryEntry", n) for n in range(1, len(entries) + 1)]
    watch.assert_unharmed(rss_bound_mib=400)

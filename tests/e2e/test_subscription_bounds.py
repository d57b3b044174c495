"""What subscriptions may hold and cost, against a real server over real sockets, on both databases.

Bounds per caller and per process, points for subscriptions and replays, a replay from the start, an `after`
past the latest entry, and a binary frame.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.helpers import BACKENDS, LiveServer, current_version, global_id, measure_input, mutate, ok, running_server
from tests.e2e.test_subscriptions import Subscriber

FROM_THE_START = "SGlzdG9yeUVudHJ5OjA="
HISTORY = "subscription H($after: ID) { history(after: $after) { id } }"
MEASURES = "subscription M($least: Int) { expulsions(headcountMin: $least) { entry { id } expulsion { id headcount { value } } } }"
BOUNDED = {"DEMARCHE_MAX_SUBSCRIPTIONS": "6", "DEMARCHE_MAX_SUBSCRIPTIONS_PER_CALLER": "4", "DEMARCHE_SOCKET_QUEUE_BYTES": "1048576"}
PAID = {"DEMARCHE_RATE_LIMIT": "40", "DEMARCHE_SUBSCRIPTION_POINTS": "10", "DEMARCHE_REPLAY_PAGE": "1"}


@pytest.fixture(scope="module", params=BACKENDS)
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    """A server with tight bounds on subscriptions, and one with a small budget of points, on one backend."""
    with running_server(request.param, tmp_path_factory, BOUNDED) as bounded, running_server(request.param, tmp_path_factory, PAID) as paid:
        yield bounded, paid


def _entry(message: dict[str, Any]) -> str:
    assert message["type"] == "next", message
    entry: str = message["payload"]["data"]["history"]["id"]
    return entry


def test_a_binary_frame_closes_the_socket_with_4400(servers: tuple[LiveServer, LiveServer]) -> None:
    async def run() -> None:
        subscriber = await Subscriber.open(servers[0])
        await subscriber.socket.send(b'{"type": "ping"}')
        with pytest.raises(ConnectionClosed):
            await subscriber.receive()
        assert subscriber.socket.close_code == 4400
        assert "binary" in (subscriber.socket.close_reason or "")

    asyncio.run(run())


def test_after_the_id_of_entry_0_replays_the_history_from_its_first_entry(servers: tuple[LiveServer, LiveServer]) -> None:
    async def run() -> None:
        subscriber = await Subscriber.open(servers[0])
        await subscriber.subscribe("all", HISTORY, {"after": FROM_THE_START})
        first = [_entry(await subscriber.receive()) for _ in range(3)]
        assert first == [global_id("HistoryEntry", n) for n in (1, 2, 3)]
        await subscriber.close()

    asyncio.run(run())


def test_an_after_past_the_latest_entry_is_refused_with_a_code(servers: tuple[LiveServer, LiveServer]) -> None:
    async def run() -> None:
        subscriber = await Subscriber.open(servers[0])
        await subscriber.subscribe("far", HISTORY, {"after": global_id("HistoryEntry", 2147483647)})
        answer = await subscriber.receive()
        errors = answer["payload"] if answer["type"] == "error" else answer["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", answer
        assert "past the latest entry" in errors[0]["message"]
        assert FROM_THE_START in errors[0]["message"]
        # The socket still serves: a subscription from an entry that exists replays it.
        await subscriber.subscribe("near", HISTORY, {"after": global_id("HistoryEntry", 1)})
        replayed = await subscriber.receive()
        if replayed.get("id") == "far":  # the refused one's completion
            replayed = await subscriber.receive()
        assert _entry(replayed) == global_id("HistoryEntry", 2)
        await subscriber.close()

    asyncio.run(run())


def test_a_caller_and_a_process_run_at_most_their_bound_of_subscriptions(servers: tuple[LiveServer, LiveServer]) -> None:
    server = servers[0]

    async def run() -> None:
        anonymous = await Subscriber.open(server)
        for n in range(4):
            await anonymous.subscribe(f"a{n}", MEASURES, {"least": -1 - n})
        await anonymous.subscribe("a4", MEASURES, {"least": -5})
        refused = await anonymous.receive()
        assert (refused["type"], refused["id"]) == ("error", "a4"), refused
        assert refused["payload"][0]["extensions"] == {"code": "SUBSCRIPTION_LIMIT", "limit": 4}
        # Another socket of the same caller shares its bound.
        again = await Subscriber.open(server)
        await again.subscribe("b0", MEASURES, {"least": -6})
        assert (await again.receive())["payload"][0]["extensions"]["limit"] == 4
        # Another caller (a token) may run two more, then the process is full.
        editor = await Subscriber.open(server, {"authorization": f"Bearer {server.token}"})
        for n in range(2):
            await editor.subscribe(f"e{n}", MEASURES, {"least": -10 - n})
        await editor.subscribe("e2", MEASURES, {"least": -20})
        assert (await editor.receive())["payload"][0]["extensions"] == {"code": "SUBSCRIPTION_LIMIT", "limit": 6}
        # Every one of the six running subscriptions receives the new measure; completing one makes room.
        await asyncio.to_thread(mutate, server, "createExpulsion", input=measure_input(headcount={"qualifier": "EXACT", "value": 2}))
        assert len(await anonymous.events(4)) == 4
        assert len(await editor.events(2)) == 2
        await anonymous.send({"id": "a0", "type": "complete"})
        await asyncio.sleep(0.3)
        await again.subscribe("b1", MEASURES, {"least": -7})
        assert await again.silent(0.5)
        for subscriber in (anonymous, again, editor):
            await subscriber.close()

    asyncio.run(run())


def test_distinct_variables_share_one_read_of_each_event_and_every_subscriber_gets_it(servers: tuple[LiveServer, LiveServer]) -> None:
    """Subscriptions whose variables differ by one number each get the measure they admit, and no other."""
    server = servers[0]

    async def run() -> None:
        subscriber = await Subscriber.open(server)
        for n, least in enumerate((1, 3, 5, 7)):
            await subscriber.subscribe(f"m{n}", MEASURES, {"least": least})
        await asyncio.sleep(0.3)
        created = ok(await asyncio.to_thread(mutate, server, "createExpulsion", input=measure_input()), "Expulsion")  # 3 people
        events = await subscriber.events(2)
        assert sorted(event["id"] for event in events) == ["m0", "m1"]
        assert all(event["payload"]["data"]["expulsions"]["expulsion"]["id"] == created["id"] for event in events)
        assert await subscriber.silent(0.5)
        await subscriber.close()

    asyncio.run(run())


def test_a_subscription_of_its_own_costs_points_a_shared_one_only_its_cost(servers: tuple[LiveServer, LiveServer]) -> None:
    server = servers[1]

    async def run() -> None:
        subscriber = await Subscriber.open(server)
        for n in range(3):  # 11 points each of 40
            await subscriber.subscribe(f"own{n}", MEASURES, {"least": 100 + n})
        await subscriber.subscribe("own3", MEASURES, {"least": 200})
        refused = await subscriber.receive()
        assert (refused["id"], refused["payload"][0]["extensions"]["code"]) == ("own3", "RATE_LIMITED"), refused
        await subscriber.subscribe("shared", MEASURES, {"least": 100})  # the same as own0: one point
        assert await subscriber.silent(0.5)
        await subscriber.close()

    asyncio.run(run())


def test_a_replay_spends_points_by_the_entries_it_reads_and_ends_resumable_when_they_run_out(
    servers: tuple[LiveServer, LiveServer],
) -> None:
    server = servers[1]
    token = {"authorization": f"Bearer {server.token}"}  # a budget of its own, apart from the anonymous test's

    async def run() -> None:
        subscriber = await Subscriber.open(server, token)
        await subscriber.subscribe("replay", HISTORY, {"after": FROM_THE_START})
        received: list[str] = []
        while True:
            message = await subscriber.receive()
            if message["type"] != "next":
                break
            received.append(_entry(message))
        assert message["type"] == "error", message
        extensions = message["payload"][0]["extensions"]
        assert extensions["code"] == "RATE_LIMITED"
        assert extensions["retryAfter"] >= 0
        # 40 points: 11 for the subscription, one per entry replayed (a page of one), then none left.
        assert 20 <= len(received) <= 29, len(received)
        assert received == [global_id("HistoryEntry", n) for n in range(1, len(received) + 1)]
        assert extensions["after"] == received[-1]
        await subscriber.close()

    asyncio.run(run())


BIG = (
    "subscription Big($least: Int) { expulsions(headcountMin: $least) { expulsion { "
    + " ".join(f"r{n}: statedReason" for n in range(28))
    + " } } }"
)


def test_a_socket_past_its_byte_bound_has_every_subscription_overflowed_and_resumable(servers: tuple[LiveServer, LiveServer]) -> None:
    """Four subscriptions of 28 copies of a 10 KB reason, and a client that reads only after twenty edits (22 MB of
    events, the socket's bound 1 MB): it is sent what fitted, then each subscription's SUBSCRIPTION_OVERFLOW with `after`,
    and resuming from that `after` gives the rest."""
    server = servers[0]
    measure = ok(mutate(server, "createExpulsion", input=measure_input()), "Expulsion")["id"]
    edit = (
        "mutation Edit($id: ID!, $version: Int!, $reason: String!) { updateExpulsion(id: $id, expectedVersion: $version, "
        "input: {statedReason: $reason}) { __typename ... on Expulsion { version } } }"
    )

    async def run() -> None:
        subscriber = await Subscriber.open(server, max_queue=1, max_size=2**24)
        for n in range(20):
            await subscriber.subscribe(f"big{n}", BIG, {"least": -1 - n})
        await asyncio.sleep(0.5)
        version = current_version(server, measure)
        for n in range(20):
            answer = await asyncio.to_thread(
                server.data, edit, {"id": measure, "version": version, "reason": "ABCDEFGHIJKLMNOPQRST"[n] * 10_000}
            )
            version = answer["updateExpulsion"]["version"]
        overflows: dict[str, dict[str, Any]] = {}
        completed = 0
        async with asyncio.timeout(30):
            while completed < 4:
                message = await subscriber.receive()
                completed += message["type"] == "complete"
                if message["type"] == "next" and message["payload"].get("errors"):
                    overflows[message["id"]] = message["payload"]["errors"][0]
        assert len(overflows) == 4
        assert {error["extensions"]["code"] for error in overflows.values()} == {"SUBSCRIPTION_OVERFLOW"}
        assert all("bytes" in error["message"] for error in overflows.values())
        # Resuming one from its `after` replays what it missed, up to the last edit, and the socket is still open.
        after = overflows["big0"]["extensions"]["after"]
        resumed = BIG.replace("($least: Int)", "($least: Int, $after: ID)").replace(
            "headcountMin: $least", "headcountMin: $least, after: $after"
        )
        await subscriber.subscribe("again", resumed, {"least": -1, "after": after})
        reasons: list[str] = []
        async with asyncio.timeout(30):
            while not reasons or reasons[-1] != "T":
                message = await subscriber.receive()
                assert message["type"] == "next", message
                reasons.append(message["payload"]["data"]["expulsions"]["expulsion"]["r0"][0])
        assert reasons == sorted(reasons)
        await subscriber.close()

    asyncio.run(run())

"""Subscriptions over graphql-transport-ws, against a real server process over real sockets, on both databases."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.e2e.conftest import Server
from tests.e2e.helpers import BACKENDS, LiveServer, concurrent_writers, global_id, mutate, ok, running_server

PROTOCOL = Subprotocol("graphql-transport-ws")
WAVES = "subscription Waves($after: ID) { history(after: $after, entity: WAVE) { id action author after } }"
TIGHT = {
    "DEMARCHE_READS_REQUIRE_TOKEN": "true",
    "DEMARCHE_SUBSCRIPTION_QUEUE": "6",
    "DEMARCHE_MAX_SUBSCRIPTIONS_PER_SOCKET": "2",
    "DEMARCHE_SOCKET_INIT_TIMEOUT": "1",
    "DEMARCHE_MAX_QUERY_COST": "50",
    "DEMARCHE_MAX_QUERY_DEPTH": "3",
    "DEMARCHE_MAX_SOCKETS": "4",
}


@pytest.fixture(scope="module", params=BACKENDS)
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    """A server with the default limits, and one with tight ones (reads need a token, a queue of 6 events), on one backend."""
    with running_server(request.param, tmp_path_factory) as plain, running_server(request.param, tmp_path_factory, TIGHT) as tight:
        yield plain, tight


class Subscriber:
    """A graphql-transport-ws client on one socket."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    @classmethod
    async def open(cls, server: Server, payload: dict[str, Any] | None = None, **options: Any) -> Subscriber:
        socket = await connect(server.url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL], **options)
        opened = cls(socket)
        await opened.send({"type": "connection_init", **({"payload": payload} if payload is not None else {})})
        assert await opened.receive() == {"type": "connection_ack"}
        return opened

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, within: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(within):
            message: dict[str, Any] = json.loads(await self.socket.recv())
        return message

    async def subscribe(self, id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        await self.send({"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})

    async def events(self, count: int, within: float = 20) -> list[dict[str, Any]]:
        """The next `count` messages, each a `next`."""
        received = [await self.receive(within) for _ in range(count)]
        assert all(message["type"] == "next" for message in received), received
        return received

    async def silent(self, seconds: float = 0.5) -> bool:
        """Whether nothing arrives for `seconds`."""
        try:
            await self.receive(seconds)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await self.socket.close()


async def _write_waves(server: LiveServer, names: list[str]) -> list[str]:
    """Create a wave per name over HTTP, one after another; their ids."""
    made = []
    for name in names:
        result = await asyncio.to_thread(mutate, server, "createWave", input={"name": name})
        made.append(ok(result, "Wave")["id"])
    return made


def _names(events: list[dict[str, Any]]) -> list[str]:
    return [event["payload"]["data"]["history"]["after"]["name"] for event in events]


def test_a_subscriber_receives_a_write_made_over_http_within_a_second(servers: tuple[LiveServer, LiveServer]) -> None:
    plain, _ = servers

    async def run() -> None:
        subscriber = await Subscriber.open(plain)
        await subscriber.subscribe("waves", WAVES)
        await asyncio.sleep(0.2)
        loop = asyncio.get_running_loop()
        written = loop.time()
        await _write_waves(plain, ["Heard live"])
        [event] = await subscriber.events(1, within=5)
        assert loop.time() - written < 1.0
        assert event["id"] == "waves"
        entry = event["payload"]["data"]["history"]
        assert entry["action"] == "CREATE"
        assert entry["after"]["name"] == "Heard live"
        assert entry["author"].startswith("e2e-admin-")
        await subscriber.close()

    asyncio.run(run())


def _racing(request: pytest.FixtureRequest, server: LiveServer) -> contextlib.AbstractContextManager[object]:
    """On PostgreSQL, whose writers run side by side, sixteen other writers racing the test's own; on SQLite, none."""
    return concurrent_writers(server) if request.node.callspec.params["servers"] == "postgresql" else contextlib.nullcontext()


def test_a_subscriber_that_resumes_with_after_gets_exactly_the_entries_it_missed_then_live_ones(
    servers: tuple[LiveServer, LiveServer], request: pytest.FixtureRequest
) -> None:
    plain, _ = servers
    tag = uuid.uuid4().hex[:6]

    async def run() -> None:
        subscriber = await Subscriber.open(plain)
        await subscriber.subscribe("waves", WAVES)
        await asyncio.sleep(0.2)
        await _write_waves(plain, [f"{tag} before the gap"])
        [seen] = await subscriber.events(1)
        await subscriber.close()

        missed = [f"{tag} gap {n}" for n in range(50)]
        await _write_waves(plain, missed)

        again = await Subscriber.open(plain)
        await again.subscribe("waves", WAVES, {"after": seen["payload"]["data"]["history"]["id"]})
        replayed = await again.events(50)
        assert _names(replayed) == missed
        await _write_waves(plain, [f"{tag} live 1", f"{tag} live 2"])
        live = await again.events(2)
        assert _names(live) == [f"{tag} live 1", f"{tag} live 2"]
        ids = [event["payload"]["data"]["history"]["id"] for event in replayed + live]
        assert len(set(ids)) == 52
        assert await again.silent()
        await again.close()

    with _racing(request, plain):
        asyncio.run(run())


def test_a_write_that_fails_validation_notifies_no_one(servers: tuple[LiveServer, LiveServer]) -> None:
    plain, _ = servers

    async def run() -> None:
        subscriber = await Subscriber.open(plain)
        await subscriber.subscribe("all", "subscription { history { action entity after } }")
        await asyncio.sleep(0.2)
        refused = await asyncio.to_thread(mutate, plain, "createWave", input={"name": ""})
        assert refused["__typename"] == "ValidationError", refused
        assert await subscriber.silent(1.0)
        await _write_waves(plain, ["After the refusal"])
        [event] = await subscriber.events(1)
        assert event["payload"]["data"]["history"]["after"]["name"] == "After the refusal"
        await subscriber.close()

    asyncio.run(run())


def test_subscriptions_filter_as_the_lists_do_and_a_deletion_reaches_every_measure_subscriber(
    servers: tuple[LiveServer, LiveServer],
) -> None:
    plain, _ = servers
    measures = "subscription { expulsions(actor: $actor) { expulsionId entry { action } expulsion { actor { code } statedReason } } }"
    measures = measures.replace("subscription {", "subscription Measures($actor: [String!]) {")

    async def run() -> None:
        subscriber = await Subscriber.open(plain)
        await subscriber.subscribe("russia", measures, {"actor": "RUS"})  # alpha-3, as the list takes it
        await subscriber.subscribe("creations", "subscription { history(entity: WAVE, actions: [CREATE]) { after } }")
        await asyncio.sleep(0.2)
        by_us, by_russia, by_belarus = global_id("Expulsion", 1), global_id("Expulsion", 2), global_id("Expulsion", 4)
        for measure in (by_us, by_russia):
            changed = await asyncio.to_thread(mutate, plain, "updateExpulsion", id=measure, input={"statedReason": "Changed live"})
            ok(changed, "Expulsion")
        [event] = await subscriber.events(1)
        assert event["id"] == "russia"
        change = event["payload"]["data"]["expulsions"]
        assert change["expulsionId"] == by_russia
        assert change["expulsion"] == {"actor": {"code": "RU"}, "statedReason": "Changed live"}
        deleted = await asyncio.to_thread(mutate, plain, "deleteExpulsion", id=by_belarus)
        assert deleted["__typename"] == "Deleted", deleted
        [event] = await subscriber.events(1)
        assert event["payload"]["data"]["expulsions"] == {"expulsionId": by_belarus, "entry": {"action": "DELETE"}, "expulsion": None}
        wave = (await _write_waves(plain, ["Created, then renamed"]))[0]
        ok(await asyncio.to_thread(mutate, plain, "updateWave", id=wave, input={"name": "Renamed"}), "Wave")
        [event] = await subscriber.events(1)
        assert event["id"] == "creations"
        assert event["payload"]["data"]["history"]["after"]["name"] == "Created, then renamed"
        assert await subscriber.silent()
        await subscriber.close()

    asyncio.run(run())


def test_idle_subscriptions_hold_no_database_connection(servers: tuple[LiveServer, LiveServer]) -> None:
    plain, _ = servers
    measure = global_id("Expulsion", 3)

    async def run() -> None:
        sockets = [await Subscriber.open(plain) for _ in range(2)]
        for n in range(30):  # 30 feeds of their own, more than the read pool's 20 connections
            document = f"subscription {{ expulsions {{ expulsionId feed{n}: expulsion {{ id }} }} }}"
            await sockets[n % 2].subscribe(f"feed {n}", document)
        await asyncio.sleep(0.3)
        changed = await asyncio.to_thread(mutate, plain, "updateExpulsion", id=measure, input={"statedReason": "Read by 30 feeds"})
        ok(changed, "Expulsion")
        events = [*(await sockets[0].events(15)), *(await sockets[1].events(15))]
        assert {event["payload"]["data"]["expulsions"]["expulsionId"] for event in events} == {measure}
        answered = await asyncio.to_thread(plain.graphql, "{ expulsions(first: 50) { nodes { id statedReason } } }")
        assert "errors" not in answered, answered
        for subscriber in sockets:
            await subscriber.close()

    asyncio.run(run())


def test_a_persons_name_reaches_only_subscribers_whose_token_may_read_it(servers: tuple[LiveServer, LiveServer]) -> None:
    plain, _ = servers
    everything = "subscription { history(actions: [CREATE]) { entity after } }"

    async def run() -> None:
        anonymous = await Subscriber.open(plain)
        editor = await Subscriber.open(plain, {"authorization": f"Bearer {plain.token}"})
        for subscriber in (anonymous, editor):
            await subscriber.subscribe("all", everything)
        await asyncio.sleep(0.2)
        person = {"sendingState": "RU", "staffCategory": "DIPLOMATIC", "name": f"Person {uuid.uuid4().hex[:6]}"}
        ok(await asyncio.to_thread(mutate, plain, "createDiplomat", input=person), "Diplomat")
        await _write_waves(plain, ["After the person"])
        person_entry, wave_entry = [event["payload"]["data"]["history"] for event in await editor.events(2)]
        assert (person_entry["entity"], person_entry["after"]["name"]) == ("DIPLOMAT", person["name"])
        assert wave_entry["entity"] == "WAVE"
        # The entry reaches everyone; its personal field is null for a caller who may not read it.
        person_shown, wave_shown = [event["payload"]["data"]["history"] for event in await anonymous.events(2)]
        assert (person_shown["entity"], person_shown["after"]["name"], person_shown["after"]["sending_state"]) == ("DIPLOMAT", None, "RU")
        assert wave_shown["entity"] == "WAVE"
        assert await anonymous.silent()
        for subscriber in (anonymous, editor):
            await subscriber.close()

    asyncio.run(run())


def test_a_socket_without_a_valid_token_is_closed_with_4403_when_reads_need_one(servers: tuple[LiveServer, LiveServer]) -> None:
    _, tight = servers

    async def closed_with(payload: dict[str, Any] | None) -> int | None:
        socket = await connect(tight.url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL])
        await socket.send(json.dumps({"type": "connection_init", **({"payload": payload} if payload is not None else {})}))
        try:
            async with asyncio.timeout(10):
                await socket.recv()
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
        return None

    async def run() -> None:
        assert await closed_with(None) == 4403
        assert await closed_with({"token": "not-a-token-at-all-but-long-enough"}) == 4403
        assert await closed_with({"authorization": "Basic abc"}) == 4403
        for payload in (
            {"authorization": f"Bearer {tight.token}"},
            {"headers": {"Authorization": f"Bearer {tight.token}"}},
            {"token": tight.token},
        ):
            subscriber = await Subscriber.open(tight, payload)
            await subscriber.close()

    asyncio.run(run())


def test_subscription_documents_are_held_to_the_request_limits(servers: tuple[LiveServer, LiveServer]) -> None:
    _, tight = servers

    async def run() -> None:
        subscriber = await Subscriber.open(tight, {"token": tight.token})
        deep = "subscription { expulsions { expulsion { answers { actor { code } } } } }"
        await subscriber.subscribe("deep", deep)
        refused = await subscriber.receive()
        assert refused["type"] == "error"
        assert refused["id"] == "deep"
        assert "depth" in refused["payload"][0]["message"]
        lists = "statements { id } citations { id } people { id } answers { id } answeredBy { id }"
        costly = "subscription { expulsions { expulsion { " + lists + " } } }"
        await subscriber.subscribe("costly", costly)
        refused = await subscriber.receive()
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
        await subscriber.subscribe("query", "{ __typename }")
        refused = await subscriber.receive()
        assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTIONS_ONLY"
        for id in ("one", "two"):
            await subscriber.subscribe(id, "subscription { history { id } }")
        await subscriber.subscribe("three", "subscription { history { id } }")
        refused = await subscriber.receive()
        assert refused == {
            "id": "three",
            "type": "error",
            "payload": [{"message": refused["payload"][0]["message"], "extensions": {"code": "SUBSCRIPTION_LIMIT", "limit": 2}}],
        }
        await subscriber.send({"id": "one", "type": "complete"})
        await asyncio.sleep(0.2)
        await subscriber.subscribe("three", "subscription { history { id } }")
        assert await subscriber.silent()
        await subscriber.close()

        silent = await connect(tight.url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL])
        loop = asyncio.get_running_loop()
        opened = loop.time()
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(10):
                await silent.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4408
        assert loop.time() - opened < 5

        wrong = await connect(tight.url.replace("http://", "ws://") + "/graphql", subprotocols=[Subprotocol("graphql-ws")])
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(10):
                await wrong.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4406

    asyncio.run(run())


def test_a_slow_subscriber_overflows_alone_and_resumes_from_after(
    servers: tuple[LiveServer, LiveServer], request: pytest.FixtureRequest
) -> None:
    _, tight = servers
    tag = uuid.uuid4().hex[:6]
    copies = " ".join(f"copy{n}: after" for n in range(20))
    query = "subscription Waves($after: ID) { history(after: $after, entity: WAVE) { id after " + copies + " } }"
    bulky = "x" * 10_000  # each event carries it 21 times, so a socket nobody reads fills within the burst
    writes = 40

    async def run() -> None:
        fast = await Subscriber.open(tight, {"token": tight.token})
        await fast.subscribe("fast", query)
        tiny = socket.socket()
        tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        host, port = tight.url.removeprefix("http://").split(":")
        tiny.connect((host, int(port)))
        slow = await Subscriber.open(tight, {"token": tight.token}, sock=tiny, max_queue=1, max_size=None, compression=None)
        await slow.subscribe("slow", query)
        await asyncio.sleep(0.3)
        slow.socket.transport.pause_reading()  # reads nothing more until the burst is over

        async def write() -> list[str]:
            made = []
            for n in range(writes):
                result = await asyncio.to_thread(mutate, tight, "createWave", input={"name": f"{tag} {n}", "description": bulky})
                made.append(ok(result, "Wave")["name"])
            return made

        writing = asyncio.create_task(write())
        received: list[str] = []
        while len(received) < writes:
            event = await fast.receive(within=30)
            received.append(event["payload"]["data"]["history"]["after"]["name"])
        written = await writing
        assert received == written

        slow.socket.transport.resume_reading()
        got: list[dict[str, Any]] = []
        while True:
            message = await slow.receive(within=30)
            if message["type"] == "complete":
                break
            got.append(message)
        *delivered, overflow = got
        assert len(delivered) < writes
        assert overflow["payload"]["data"] is None
        error = overflow["payload"]["errors"][0]
        assert error["extensions"]["code"] == "SUBSCRIPTION_OVERFLOW"
        last = error["extensions"]["after"]
        assert last == delivered[-1]["payload"]["data"]["history"]["id"]
        names = [message["payload"]["data"]["history"]["after"]["name"] for message in delivered]
        assert names == written[: len(names)]

        resumes = 0
        while len(names) < writes:  # the replay is a burst too: on a socket this slow it may overflow again, and resume again
            resumes += 1
            await slow.subscribe(f"resumed {resumes}", query, {"after": last})
            while len(names) < writes:
                message = await slow.receive(within=30)
                payload = message["payload"]
                if payload["data"] is None:
                    assert payload["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_OVERFLOW"
                    last = payload["errors"][0]["extensions"]["after"]
                    assert (await slow.receive())["type"] == "complete"
                    break
                names.append(payload["data"]["history"]["after"]["name"])
                last = payload["data"]["history"]["id"]
        assert names == written
        assert resumes < writes
        await fast.close()
        await slow.close()

    asyncio.run(run())


def test_a_process_holds_at_most_its_bound_of_sockets_and_closes_one_more_with_1013(servers: tuple[LiveServer, LiveServer]) -> None:
    _, tight = servers

    async def run() -> None:
        await asyncio.sleep(0.5)  # the sockets of earlier tests are gone
        held = [await Subscriber.open(tight, {"token": tight.token}) for _ in range(4)]
        extra = await connect(tight.url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL])
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(10):
                await extra.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013
        await held.pop().close()
        await asyncio.sleep(0.5)
        held.append(await Subscriber.open(tight, {"token": tight.token}))
        for subscriber in held:
            await subscriber.close()

    asyncio.run(run())


def test_a_subscription_sent_over_http_is_refused_and_pointed_at_the_socket(servers: tuple[LiveServer, LiveServer]) -> None:
    plain, _ = servers
    ask = {"query": "subscription { history { id } }"}
    as_json = plain.client.post(f"{plain.url}/graphql", json=ask)
    assert as_json.status_code == 200
    assert as_json.json()["data"] is None
    assert as_json.json()["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    strict = plain.client.post(f"{plain.url}/graphql", json=ask, headers={"accept": "application/graphql-response+json"})
    assert strict.status_code == 400
    assert "data" not in strict.json()
    assert "graphql-transport-ws" in strict.json()["errors"][0]["message"]


def test_introspection_shows_the_subscription_type(servers: tuple[LiveServer, LiveServer]) -> None:
    plain, _ = servers
    schema = plain.data("{ __schema { subscriptionType { name fields { name description } } } }")["__schema"]
    assert schema["subscriptionType"]["name"] == "Subscription"
    assert {field["name"] for field in schema["subscriptionType"]["fields"]} == {"history", "expulsions"}
    assert all(field["description"] for field in schema["subscriptionType"]["fields"])

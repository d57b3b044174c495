"""Sixteen writers race a subscriber that drops its socket midway and resumes with `after`, on PostgreSQL, whose writers
run side by side: it gets every entry exactly once, in id order, each writer's in the order that writer made them,
the same sequence the history list shows afterwards. The lossless resumes of test_subscriptions.py run under such
writers too (`concurrent_writers`)."""

from __future__ import annotations

import asyncio
import base64
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import LiveServer, mutation_document, running_server
from tests.e2e.test_subscriptions import Subscriber

WRITERS = 16
EACH = 25
WAVES = "subscription Waves($after: ID) { history(after: $after, entity: WAVE) { id after } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server("postgresql", tmp_path_factory) as started:
        yield started


pytestmark = pytest.mark.postgres


def _write(server: LiveServer, tag: str, writer: int) -> list[str]:
    """One writer's waves, one after the other on its own connection; their names in the order they were committed."""
    made = []
    with httpx.Client(timeout=60) as client:
        for n in range(EACH):
            name = f"{tag} {writer} {n}"
            payload = {"query": mutation_document("createWave"), "variables": {"input": {"name": name}}}
            response = client.post(f"{server.url}/graphql", json=payload, headers=server.headers(server.token))
            assert response.json()["data"]["result"]["__typename"] == "Wave", response.text
            made.append(name)
    return made


def _entry(event: dict[str, Any]) -> tuple[int, str]:
    entry = event["payload"]["data"]["history"]
    return int(_decoded(entry["id"])), entry["after"]["name"]


def _decoded(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":")[1]


def test_a_subscriber_resuming_midway_gets_every_entry_of_sixteen_racing_writers_once_in_order(server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    total = WRITERS * EACH

    async def run() -> None:
        subscriber = await Subscriber.open(server)
        await subscriber.subscribe("waves", WAVES)
        await asyncio.sleep(0.3)
        results: list[list[str]] = [[] for _ in range(WRITERS)]

        def writer(n: int) -> None:
            results[n] = _write(server, tag, n)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        received: list[tuple[int, str]] = []
        for event in await subscriber.events(total // 3, within=60):
            received.append(_entry(event))
        await subscriber.close()  # midway through the race: whatever commits now, it has to get on resuming
        await asyncio.sleep(0.2)
        again = await Subscriber.open(server)
        last_id = event["payload"]["data"]["history"]["id"]
        await again.subscribe("resumed", WAVES, {"after": last_id})
        while len(received) < total:
            received.append(_entry((await again.events(1, within=60))[0]))
        for thread in threads:
            await asyncio.to_thread(thread.join, 120)
        assert await again.silent(1.0)  # nothing twice, nothing more
        await again.close()

        ids = [id for id, _ in received]
        names = [name for _, name in received]
        assert ids == sorted(ids)
        assert len(set(ids)) == total
        assert sorted(names) == sorted(name for made in results for name in made)
        for n, made in enumerate(results):  # each writer's entries in the order it committed them
            assert [name for name in names if name.startswith(f"{tag} {n} ")] == made

        history: list[dict[str, Any]] = []
        after = None
        while True:
            page = server.data(
                "query Page($after: String) { history(entity: WAVE, first: 100, after: $after) "
                "{ nodes { id after } pageInfo { hasNextPage endCursor } } }",
                {"after": after},
            )["history"]
            history += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        listed = [(int(_decoded(node["id"])), node["after"]["name"]) for node in history if node["after"]["name"].startswith(tag)]
        assert listed == received

    asyncio.run(run())

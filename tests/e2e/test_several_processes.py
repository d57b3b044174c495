"""Several server processes on one PostgreSQL database, over real sockets: each one's response cache follows the
writes made through any other (LISTEN/NOTIFY), a rolled-back write tells no one, and a listener whose backend is
terminated serves nothing stale and comes back by itself. Both with two `demarche serve` processes and with one
`demarche serve` running two worker processes (DEMARCHE_WORKERS=2)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import throwaway_postgres
from tests.e2e.conftest import Server, servers_on, start_server, stop_server
from tests.e2e.helpers import mutate, ok

pytestmark = pytest.mark.postgres

SOURCES = "query Sources { sources(first: 1) { totalCount } }"
LISTENER = "demarche-listener"
TERMINATE = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1"


@dataclass(frozen=True)
class Answer:
    sources: int
    hit: bool


def ask(server: Server) -> Answer:
    """The number of sources, asked on a connection of its own (with several workers, any of them may answer)."""
    response = httpx.post(f"{server.url}/graphql", json={"query": SOURCES}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return Answer(body["data"]["sources"]["totalCount"], response.headers.get("x-demarche-cache") == "hit")


def cached(pair: tuple[Server, Server]) -> tuple[Server, Server, int]:
    """The reader, the writer, and the number of sources, once the reader's answer with it is cached."""
    reader, writer = pair
    before = ask(reader).sources
    assert ask(reader) == Answer(before, hit=True)
    return reader, writer, before


def add_source(server: Server) -> None:
    ok(mutate(server, "createSource", input={"publisher": "Agency", "title": f"Report {uuid.uuid4().hex[:6]}", "kind": "MEDIA"}), "Source")


def scraped(server: Server) -> dict[str, float]:
    """Every sample of the server's /metrics, by name and labels."""
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()) if k != "pid")
            key = f"{sample.name}{{{labels}}}"
            found[key] = found.get(key, 0.0) + sample.value
    return found


async def _terminate_listener(database_url: str, process: int) -> int:
    admin = await asyncpg.connect(database_url.replace("postgresql://", "postgres://"))
    try:
        terminated: int = await admin.fetchval(TERMINATE, f"{LISTENER}:{process}")
        return terminated
    finally:
        await admin.close()


@contextlib.contextmanager
def listener_held_down(database_url: str, process: int) -> Iterator[None]:
    """Terminates the process's listening backend every few milliseconds: it reconnects, waiting longer each time."""
    done = threading.Event()

    async def keep_terminating() -> None:
        admin = await asyncpg.connect(database_url.replace("postgresql://", "postgres://"))
        try:
            while not done.is_set():
                await admin.execute(TERMINATE, f"{LISTENER}:{process}")
                await asyncio.sleep(0.01)
        finally:
            await admin.close()

    thread = threading.Thread(target=asyncio.run, args=(keep_terminating(),), daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=10)


def ready(server: Server) -> httpx.Response:
    return httpx.get(f"{server.url}/ready", timeout=10)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with throwaway_postgres("demarche_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def pair(database_url: str) -> Iterator[tuple[Server, Server]]:
    """Two `demarche serve` processes on one database, the first having loaded the demo record."""
    with servers_on(database_url, 2) as (first, second):
        yield first, second


def test_a_write_through_one_process_is_in_the_others_cached_answer_on_the_next_request(pair: tuple[Server, Server]) -> None:
    reader, writer, before = cached(pair)
    add_source(writer)
    assert ask(reader) == Answer(before + 1, hit=False)
    assert ask(reader) == Answer(before + 1, hit=True)


def test_a_rolled_back_write_notifies_no_other_process(pair: tuple[Server, Server]) -> None:
    reader, writer, before = cached(pair)
    # A stale expected version: the writer's transaction reads the source, finds it changed, and rolls back.
    source = writer.data("query { sources(first: 1) { nodes { id version } } }")["sources"]["nodes"][0]
    refused = mutate(writer, "updateSource", id=source["id"], expectedVersion=source["version"] + 7, input={"title": "Never"})
    assert refused["__typename"] != "Source", refused
    time.sleep(0.3)  # a notification, had one been sent, arrives within milliseconds (the test above shows it)
    assert ask(reader) == Answer(before, hit=True)


def test_with_its_listener_terminated_a_process_serves_nothing_stale_and_listens_again(
    pair: tuple[Server, Server], database_url: str
) -> None:
    reader, writer, before = cached(pair)
    losses = scraped(reader)["demarche_change_listener_losses_total{}"]
    assert asyncio.run(_terminate_listener(database_url, reader.process.pid)) == 1
    add_source(writer)  # perhaps while the reader's listener is down, perhaps just after it came back: fresh either way
    assert ask(reader).sources == before + 1
    deadline = time.monotonic() + 15
    while httpx.get(f"{reader.url}/ready", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, httpx.get(f"{reader.url}/ready", timeout=10).json()
        time.sleep(0.05)
    metrics = scraped(reader)
    assert metrics["demarche_change_listener_losses_total{}"] == losses + 1
    assert metrics["demarche_change_listener_up{}"] == 1
    # Listening again: hits cost nothing, and the other process's writes are heard.
    assert ask(reader).sources == before + 1
    assert ask(reader) == Answer(before + 1, hit=True)
    add_source(writer)
    assert ask(reader) == Answer(before + 2, hit=False)


def test_while_its_listener_is_held_down_a_process_says_so_in_ready_and_still_serves_every_write_at_once(
    pair: tuple[Server, Server], database_url: str
) -> None:
    reader, writer, before = cached(pair)
    with listener_held_down(database_url, reader.process.pid):
        deadline = time.monotonic() + 10
        while (answer := ready(reader)).status_code != 503:
            assert time.monotonic() < deadline, "the reader never said its listener was down"
            time.sleep(0.01)
        assert set(answer.json()["reasons"]) == {"listener"}
        for written in range(1, 4):
            add_source(writer)
            assert ask(reader).sources == before + written
            assert ask(reader).sources == before + written
    deadline = time.monotonic() + 15
    while ready(reader).status_code != 200:
        assert time.monotonic() < deadline, ready(reader).json()
        time.sleep(0.05)
    assert ask(reader).sources == before + 3
    assert ask(reader) == Answer(before + 3, hit=True)


def test_with_two_workers_a_write_through_one_is_in_the_others_cached_answer_and_metrics_add_both_up(database_url: str) -> None:
    server = start_server(database_url, settings={"DEMARCHE_WORKERS": "2"})
    try:
        assert httpx.get(f"{server.url}/ready", timeout=10).json()["checks"] == ["database", "schema", "listener"]
        first = ask(server)
        before = first.sources
        # Each worker misses once, then answers from its own cache: two misses say both workers hold the answer.
        answers = [first]
        while sum(not answer.hit for answer in answers) < 2:
            assert len(answers) < 200, "every connection went to one worker"
            answers.append(ask(server))
        assert {answer.sources for answer in answers} == {before}
        add_source(server)  # taken by one worker; the other hears it through PostgreSQL
        after = [ask(server)]
        while sum(not answer.hit for answer in after) < 2:
            assert len(after) < 200, "every connection went to one worker"
            after.append(ask(server))
        assert {answer.sources for answer in after} == {before + 1}, "a worker served its answer from before the write"
        metrics = scraped(server)
        assert metrics["demarche_response_cache_lookups_total{result=miss}"] == 4
        # Two requests may have been enough each time (one per worker): no hit at all is then counted.
        assert metrics.get("demarche_response_cache_lookups_total{result=hit}", 0) == len(answers) + len(after) - 4
        assert metrics["demarche_change_listener_up{}"] == 1
    finally:
        stop_server(server)


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="several worker processes need PostgreSQL"):
        start_server(f"sqlite:///{tmp_path}/one.db", load_demo=False, settings={"DEMARCHE_WORKERS": "2"})

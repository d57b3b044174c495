"""A read replica that hangs or stops never takes reads down: against a real standby, frozen (every process stopped
with SIGSTOP) or shut down, reads wait at most `DEMARCHE_REPLICA_WAIT` and then read from the primary; `/ready` says
the replica is gone, as a degraded state that keeps the process in rotation.

PostgreSQL only: a replica exists only there. Each test gets its own primary and standby, since it breaks the standby.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.e2e.clusters import Cluster, private_cluster, standby_of
from tests.e2e.conftest import Server, start_server, stop_server
from tests.e2e.test_replica import create_wave, replay_paused, wait_for_replay, waves

pytestmark = pytest.mark.postgres

WAIT = 1.0


@pytest.fixture
def primary() -> Iterator[Cluster]:
    with private_cluster() as made:
        yield made


@pytest.fixture
def standby(primary: Cluster) -> Iterator[Cluster]:
    with standby_of(primary) as made:
        yield made


def serve(primary: Cluster, standby: Cluster, **settings: str) -> Server:
    # A short statement timeout would end a hung read too, with UNAVAILABLE: the default one is kept long, so only
    # the replica wait can explain a read that comes back in time.
    replica = {"DEMARCHE_READ_DATABASE_URL": standby.url, "DEMARCHE_REPLICA_WAIT": str(WAIT), "DEMARCHE_DB_STATEMENT_TIMEOUT": "20"}
    return start_server(primary.url, load_demo=False, settings={**replica, **settings})


@pytest.fixture
def server(primary: Cluster, standby: Cluster) -> Iterator[Server]:
    started = serve(primary, standby, DEMARCHE_RESPONSE_CACHE="0")
    try:
        wait_for_replay(primary, standby)
        waves(started)  # the pool holds a replica connection, as a server in use does
        yield started
    finally:
        stop_server(started)


def timed_reads(server: Server, count: int) -> list[tuple[float, list[str]]]:
    """`count` concurrent reads of the waves: each one's time and answer."""

    def one(_index: int) -> tuple[float, list[str]]:
        started = time.monotonic()
        names = waves(server)
        return time.monotonic() - started, names

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def ready(server: Server) -> httpx.Response:
    return httpx.get(f"{server.url}/ready", timeout=30)


def back_on_the_replica(server: Server, primary: Cluster, standby: Cluster, read: Callable[[], list[str]]) -> None:
    """Once the server says it is ready again, it reads the replica: a write another process makes while the replica's
    replay is paused is not among what `read` finds."""
    deadline = time.monotonic() + 20
    while ready(server).json()["status"] != "ready":
        assert time.monotonic() < deadline, ready(server).text
        time.sleep(0.2)
    other = serve(primary, standby, DEMARCHE_RESPONSE_CACHE="0")
    try:
        with replay_paused(standby):
            create_wave(other, "held back by replay")
            time.sleep(1.5)  # past the retry interval: the server has asked the replica again
            assert "held back by replay" not in read()
    finally:
        stop_server(other)


def test_reads_go_to_the_primary_within_the_wait_while_the_standby_is_frozen(server: Server, standby: Cluster) -> None:
    create_wave(server, "before the freeze")
    with standby.frozen():
        create_wave(server, "while frozen")  # the replica must replay this one, and cannot
        first = timed_reads(server, 8)
        # Each read waits at most the replica wait, then reads the primary, which holds the write.
        assert all(took < WAIT + 1.5 and "while frozen" in names for took, names in first), [took for took, _ in first]
        # Once the replica is known to be gone, reads go to the primary at once.
        after = timed_reads(server, 8)
        assert all(took < 0.5 and "while frozen" in names for took, names in after), [took for took, _ in after]
        answer = ready(server)
        assert answer.status_code == 200
        assert answer.json()["status"] == "degraded"
        assert "replica" in answer.json()["degraded"]


def test_a_standby_frozen_with_no_write_pending_does_not_hold_reads(server: Server, standby: Cluster) -> None:
    with standby.frozen():
        # The replica has replayed every write known here: the read goes to it, finds it hung within the wait.
        reads = timed_reads(server, 4)
        assert all(took < WAIT + 1.5 for took, _ in reads), [took for took, _ in reads]
        assert all(took < 0.5 for took, _ in timed_reads(server, 4))


def test_a_stopped_standby_does_not_fail_reads_and_ready_says_degraded(server: Server, primary: Cluster, standby: Cluster) -> None:
    create_wave(server, "before the stop")
    wait_for_replay(primary, standby)
    waves(server)  # the server has seen the replica replay its write: nothing is pending
    standby.stop()
    # No write follows: the reads alone find the replica gone.
    for took, names in timed_reads(server, 6):
        assert "before the stop" in names
        assert took < WAIT + 1.5
    answer = ready(server)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "degraded"
    assert answer.json()["degraded"]["replica"].startswith("unreachable")
    create_wave(server, "while stopped")
    assert "while stopped" in waves(server)
    standby.start()
    wait_for_replay(primary, standby)
    back_on_the_replica(server, primary, standby, lambda: waves(server))


def test_read_after_a_replayed_position_reads_the_replica_with_the_cache_off(server: Server, primary: Cluster, standby: Cluster) -> None:
    other = serve(primary, standby, DEMARCHE_RESPONSE_CACHE="0")
    try:
        position = create_wave(other, "replayed elsewhere").headers["demarche-written-at"]
        wait_for_replay(primary, standby)
        with replay_paused(standby):
            create_wave(other, "not replayed")
            # The replica holds the client's write: the read is the replica's, which lacks the later one.
            names = waves(server, {"Demarche-Read-After": position})
            assert "replayed elsewhere" in names
            assert "not replayed" not in names
            # A position the replica has not replayed still reads the primary.
            later = create_wave(other, "later still").headers["demarche-written-at"]
            assert "later still" in waves(server, {"Demarche-Read-After": later})
    finally:
        stop_server(other)


def test_a_long_freeze_leaks_no_replica_connection_and_reads_return_to_the_replica(primary: Cluster, standby: Cluster) -> None:
    # A small pool: the questions asked every second while the replica hangs, each given up after the wait, would empty
    # it within seconds if a question given up kept its connection.
    server = serve(primary, standby, DEMARCHE_RESPONSE_CACHE="0", DEMARCHE_POOL_SIZE="2")
    try:
        wait_for_replay(primary, standby)
        waves(server)
        with standby.frozen():
            deadline = time.monotonic() + 12
            while time.monotonic() < deadline:
                assert all(took < WAIT + 1.5 for took, _ in timed_reads(server, 3))
                assert ready(server).json()["status"] == "degraded"
                time.sleep(0.3)
        back_on_the_replica(server, primary, standby, lambda: [name for _, names in timed_reads(server, 6) for name in names])
    finally:
        stop_server(server)

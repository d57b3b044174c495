"""A read replica that hangs or stops does not take reads down: a bystander reads through a server whose streaming
standby is frozen (every process stopped with SIGSTOP) or shut down, while writes keep coming, and keeps the pass line.

PostgreSQL only: a read replica exists only on PostgreSQL (SQLite has none), so there is no SQLite run of this test.
The replica wait is 0.5 s: the bystander's first read after the freeze may wait that long before it reads from the
primary; every read after it goes to the primary at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.e2e.clusters import Cluster, private_cluster, standby_of
from tests.e2e.conftest import Server, start_server, stop_server
from tests.e2e.test_replica import create_wave, wait_for_replay, waves
from tests.load.bystander import watching

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster() -> Iterator[tuple[Cluster, Cluster]]:
    with private_cluster() as primary, standby_of(primary) as standby:
        yield primary, standby


@pytest.fixture
def server(cluster: tuple[Cluster, Cluster]) -> Iterator[Server]:
    primary, standby = cluster
    settings = {
        "DEMARCHE_READ_DATABASE_URL": standby.url,
        "DEMARCHE_REPLICA_WAIT": "0.5",
        "DEMARCHE_RESPONSE_CACHE": "0",
        "DEMARCHE_DB_STATEMENT_TIMEOUT": "20",  # only the replica wait may end a hung read in time
    }
    started = start_server(primary.url, load_demo=False, settings=settings)
    try:
        wait_for_replay(primary, standby)
        waves(started)
        yield started
    finally:
        stop_server(started)


def writing(server: Server, stop: threading.Event) -> list[str]:
    """Waves created one after another until `stop`, each a position the replica must replay; the failures found."""
    failures: list[str] = []
    count = 0
    while not stop.is_set():
        try:
            create_wave(server, f"wave {count}")
        except AssertionError as failure:
            failures.append(str(failure)[:200])
        count += 1
        stop.wait(0.1)
    return failures


def test_a_frozen_standby_does_not_hold_reads(server: Server, cluster: tuple[Cluster, Cluster]) -> None:
    _primary, standby = cluster
    stop = threading.Event()
    failures: list[str] = []
    writer = threading.Thread(target=lambda: failures.extend(writing(server, stop)), daemon=True)
    with watching(server) as watch:
        time.sleep(1)
        with standby.frozen():
            writer.start()
            time.sleep(6)
            stop.set()
            writer.join(timeout=30)
    print(watch.summary())
    assert not failures, failures[:3]
    watch.assert_unharmed(rss_bound_mib=400)


def test_a_stopped_standby_does_not_fail_reads(server: Server, cluster: tuple[Cluster, Cluster]) -> None:
    _primary, standby = cluster
    with watching(server) as watch:
        time.sleep(1)
        standby.stop()
        time.sleep(4)
    print(watch.summary())
    watch.assert_unharmed(rss_bound_mib=400)

"""The yardstick of the load tier: what another client sees while an attack runs, and how much memory the server holds.

Use `watching(server)` around an attack: a thread sends a small read, one at a time, and records each round trip; a
second thread samples the server process's resident memory. `Watch.assert_unharmed` holds the figures to the pass line
of the load tier: the bystander's median under 100 ms, its slowest answer under 1 s, the server under a stated memory
bound.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.conftest import Server

BYSTANDER_QUERY = "{ states(first: 5) { edges { node { id name } } } }"
"""A small read, as an ordinary client would send it, answered from the database each time (no cache is asked for)."""

MEDIAN_BOUND = 0.100
SLOWEST_BOUND = 1.0


def resident_bytes(pid: int) -> int:
    """The resident set of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Watch:
    """What the bystander saw and the server's peak memory, filled in when `watching` ends."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    rss_start: int = 0
    rss_peak: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies)

    @property
    def slowest(self) -> float:
        return max(self.latencies)

    def summary(self) -> str:
        return (
            f"bystander: {len(self.latencies)} reads, p50 {self.median * 1000:.1f} ms, max {self.slowest * 1000:.1f} ms, "
            f"{len(self.failures)} failed; server RSS {self.rss_start / 2**20:.0f} -> peak {self.rss_peak / 2**20:.0f} MiB"
        )

    def assert_unharmed(self, rss_bound_mib: int) -> None:
        """The pass line of the load tier."""
        assert len(self.latencies) >= 5, f"too few bystander reads to judge: {self.summary()}"
        assert not self.failures, f"{self.failures[:3]} ({self.summary()})"
        assert self.median < MEDIAN_BOUND, self.summary()
        assert self.slowest < SLOWEST_BOUND, self.summary()
        assert self.rss_peak < rss_bound_mib * 2**20, self.summary()


@contextlib.contextmanager
def watching(server: Server, *, interval: float = 0.02) -> Iterator[Watch]:
    """Measure a bystander's reads and the server's memory for as long as the block runs."""
    watch = Watch(rss_start=resident_bytes(server.process.pid))
    watch.rss_peak = watch.rss_start
    stop = threading.Event()

    def read_along() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    answer = client.post("/graphql", json={"query": BYSTANDER_QUERY})
                    took = time.perf_counter() - started
                    if answer.status_code != 200 or "errors" in answer.json():
                        watch.failures.append(f"{answer.status_code}: {answer.text[:200]}")
                    else:
                        watch.latencies.append(took)
                except httpx.HTTPError as failure:
                    watch.failures.append(repr(failure))
                stop.wait(interval)

    def sample_memory() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError, RuntimeError):
                watch.rss_peak = max(watch.rss_peak, resident_bytes(server.process.pid))
            stop.wait(0.05)

    threads = [threading.Thread(target=read_along, daemon=True), threading.Thread(target=sample_memory, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        yield watch
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=35)


def under_attack(server: Server, attack: Callable[[], None], *, attackers: int, timeout: float) -> tuple[Watch, float]:
    """Run `attack` in `attackers` threads at once, watched from half a second before to half a second after; the
    watch, and how many seconds it all took."""
    started = time.perf_counter()
    with watching(server) as watch:
        time.sleep(0.5)
        threads = [threading.Thread(target=attack, daemon=True) for _ in range(attackers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=timeout)
        time.sleep(0.5)
    return watch, time.perf_counter() - started

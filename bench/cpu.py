"""CPU time spent by a server process and by the PostgreSQL backends serving it, read from /proc (Linux).

Times are user + system clock ticks (utime + stime of /proc/<pid>/stat, every thread of the process).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICK_S = 1 / os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, utime + stime in ticks), or None once the process has gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()  # fields[0] is the state, field 3 of proc(5)
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _children(pid: int) -> list[int]:
    try:
        found = []
        for task in (PROC / str(pid) / "task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
        return found
    except OSError:
        parents = {int(entry.name): _stat(int(entry.name)) for entry in PROC.iterdir() if entry.name.isdigit()}
        return [child for child, stat in parents.items() if stat is not None and stat[0] == pid]


def tree(pid: int) -> list[int]:
    """The process and all its descendants (a server started through a wrapper serves from a child)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    return found


def tree_ticks(pid: int) -> int:
    return sum(stat[1] for member in tree(pid) if (stat := _stat(member)) is not None)


class ProcessCpu:
    """CPU of a server process and its descendants between start() and stop()."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._before = 0

    def start(self) -> None:
        self._before = tree_ticks(self.pid)

    def stop(self) -> float:
        """Seconds of CPU since start()."""
        return (tree_ticks(self.pid) - self._before) * TICK_S


class BackendCpu:
    """CPU of the PostgreSQL backends connected to one database, between start() and stop().

    Backends are the postmaster's children whose title names the database (and parallel workers
    of those). They are sampled every `every` seconds, so a backend that exits during a round still
    counts up to its last sample; one living less than `every` is missed.
    """

    def __init__(self, postmaster: int, database: str, every: float = 0.1) -> None:
        self.postmaster = postmaster
        self.database = database
        self.every = every
        self._before: dict[int, int] = {}
        self._seen: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def available(backend_pid: int) -> int | None:
        """The postmaster's pid when PostgreSQL runs on this machine and /proc shows it, else None."""
        stat = _stat(backend_pid)
        return None if stat is None else stat[0]

    def _sample(self) -> dict[int, int]:
        ours: dict[int, int] = {}
        workers: dict[int, int] = {}
        for pid in _children(self.postmaster):
            try:
                title = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            stat = _stat(pid)
            if stat is None:
                continue
            if f" {self.database} " in title:
                ours[pid] = stat[1]
            elif "parallel worker for PID " in title:
                workers[pid] = int(title.split("parallel worker for PID ")[1].split()[0])
                ours.setdefault(-pid, stat[1])  # held aside until its leader is known to be ours
        for worker, leader in workers.items():
            ticks = ours.pop(-worker)
            if leader in ours:
                ours[worker] = ticks
        return ours

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._seen.update(self._sample())

    def start(self) -> None:
        self._before = self._sample()
        self._seen = dict(self._before)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        """Seconds of CPU since start()."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._seen.update(self._sample())
        return sum(ticks - self._before.get(pid, 0) for pid, ticks in self._seen.items()) * TICK_S

"""Private PostgreSQL clusters for tests that must stop, freeze or replicate a database: initdb on a free
loopback port, trust authentication, removed afterwards. The shared server is never touched."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.conftest import free_port
from tests.needs import missing


def postgres_bin() -> Path | None:
    """The directory of PostgreSQL's server programs: `DEMARCHE_TEST_PG_BIN`, `initdb` on the PATH, or the newest Debian install."""
    if "DEMARCHE_TEST_PG_BIN" in os.environ:
        return Path(os.environ["DEMARCHE_TEST_PG_BIN"])
    found = shutil.which("initdb")
    if found is not None:
        return Path(found).resolve().parent
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return installed[-1].parent if installed else None


@dataclass
class Cluster:
    """A private PostgreSQL cluster: trust authentication, loopback only, its own port and socket directory."""

    bin: Path
    root: Path
    port: int
    as_owner: list[str]
    """The prefix that runs a command as the cluster's owner (PostgreSQL refuses to run as root)."""

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/demarche"

    def run(self, program: str, *arguments: str) -> None:
        done = subprocess.run([*self.as_owner, str(self.bin / program), *arguments], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{program} failed: {done.stderr or done.stdout}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, ...)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                # The command name, in parentheses, may hold spaces; the parent's pid is the second field after it.
                if int(stat.read_text().rpartition(")")[2].split()[1]) == postmaster:
                    children.append(int(stat.parent.name))
        return [postmaster, *children]

    def signal(self, number: signal.Signals) -> None:
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the cluster stopped (SIGSTOP): connections open, nothing answers. Always resumed."""
        self.signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.signal(signal.SIGCONT)


@contextlib.contextmanager
def _cluster(prefix: str, make: Callable[[Cluster], None]) -> Iterator[Cluster]:
    """A cluster in a new folder, built by `make` (which starts it), stopped and removed when the block ends."""
    programs = postgres_bin()
    if programs is None or not (programs / "initdb").exists():
        missing("initdb is not installed: private clusters need PostgreSQL's server programs (DEMARCHE_TEST_PG_BIN names their folder)")
    root = Path(tempfile.mkdtemp(prefix=prefix))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    made = Cluster(programs, root, free_port(), as_owner)
    try:
        make(made)
        yield made
    finally:
        with contextlib.suppress(Exception):
            made.signal(signal.SIGCONT)
        with contextlib.suppress(Exception):
            made.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def private_cluster() -> contextlib.AbstractContextManager[Cluster]:
    """A new cluster with a `demarche` database, running until the block ends."""

    def make(made: Cluster) -> None:
        made.run("initdb", "-D", str(made.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        made.start()
        made.run("createdb", "-h", "127.0.0.1", "-p", str(made.port), "-U", "postgres", "demarche")

    return _cluster("demarche-pg-", make)


def standby_of(primary: Cluster) -> contextlib.AbstractContextManager[Cluster]:
    """A hot standby streaming from `primary`, made by `pg_basebackup`, running until the block ends."""

    def make(made: Cluster) -> None:
        # -R writes the standby's connection to the primary; -X stream copies the WAL written meanwhile;
        # -c fast checkpoints at once instead of spreading the checkpoint out.
        source = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        made.run("pg_basebackup", *source, "-D", str(made.data), "-R", "-X", "stream", "-c", "fast")
        made.start()

    return _cluster("demarche-standby-", make)

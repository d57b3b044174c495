"""`make serve PORT=…` and a busy port: the port reaches the server, and a port another process holds is said in one
line naming the setting, before the database is opened, let alone migrated."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import throwaway_postgres
from tests.e2e.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another process listens on, as a second `make serve` would."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def refusal(port: int, line: str) -> None:
    choose = "choose another with PORT=... (make serve) or DEMARCHE_PORT=... (or --port)"
    assert line == f"demarche: port {port} is in use on 127.0.0.1; {choose}"


def test_a_busy_port_is_said_in_one_line_before_the_database_is_touched(busy_port: int, tmp_path: Path) -> None:
    database = tmp_path / "demarche.db"
    env = {**os.environ, "DEMARCHE_DATABASE_URL": f"sqlite:///{database}", "DEMARCHE_PORT": str(busy_port)}
    ran = subprocess.run([sys.executable, "-m", "cli.main", "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 1
    [line] = ran.stderr.splitlines()
    refusal(busy_port, line)
    assert not database.exists(), "the database was opened before the port was checked"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_a_busy_port_is_said_before_several_workers_migrate_postgresql(busy_port: int) -> None:
    with throwaway_postgres("demarche_busy_port") as url:
        env = {**os.environ, "DEMARCHE_DATABASE_URL": url}
        serve = [sys.executable, "-m", "cli.main", "serve", "--workers", "2", "--port", str(busy_port)]
        ran = subprocess.run(serve, env=env, capture_output=True, text=True, timeout=60)
        assert ran.returncode == 1, ran.stderr
        assert f"demarche: port {busy_port} is in use on 127.0.0.1" in ran.stderr

        async def tables() -> list[str]:
            connection = await asyncpg.connect(url)
            try:
                return [row["tablename"] for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            finally:
                await connection.close()

        assert asyncio.run(tables()) == [], "the database was migrated before the port was checked"


def make_serve(port: int, database: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DEMARCHE_DATABASE_URL": f"sqlite:///{database}", "DEMARCHE_RATE_LIMIT": "0"}
    env.pop("MAKEFLAGS", None)
    # The environment running the tests, taken as set up (`-o`): the test runs what `make serve` runs, not an install.
    venv = Path(sys.executable).parent.parent
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", f"{venv}/.installed", "serve", f"PORT={port}", f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_make_serve_listens_on_the_port_it_is_given(tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "demarche").exists():
        pytest.skip("`make serve` runs the `demarche` command, which the environment running the tests does not have")
    port = free_port()
    serving = make_serve(port, tmp_path / "demarche.db")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and serving.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": '{ state(code: "PL") { name } }'}, timeout=10)
        assert answer.json()["data"] == {"state": {"name": "Poland"}}

        # A second one on the same port is refused, through make, in the server's one line.
        second = make_serve(port, tmp_path / "second.db")
        _, stderr = second.communicate(timeout=60)
        assert second.returncode != 0
        refusal(port, stderr.splitlines()[0])
        assert not (tmp_path / "second.db").exists()
    finally:
        serving.terminate()
        _, stderr = serving.communicate(timeout=30)
    assert f"Demarche is ready: open http://127.0.0.1:{port}/graphql" in stderr

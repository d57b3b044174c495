"""A real uvicorn server in a subprocess, on a fresh database, reached over HTTP."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS


@dataclass
class Server:
    """A running Demarche server and a way to ask it things."""

    url: str
    process: subprocess.Popen[bytes]
    token: str | None = None
    """An admin token's secret, sent with every request unless a test asks otherwise."""

    def headers(self, token: str | None) -> dict[str, str]:
        return {} if token is None else {"Authorization": f"Bearer {token}"}

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | bool | None = True) -> dict[str, Any]:
        """POST a document; `token=True` sends the server's admin token, None sends none, a string sends that one."""
        sent = self.token if token is True else (None if token is False else token)
        payload = {"query": query, "variables": variables or {}}
        response = httpx.post(f"{self.url}/graphql", json=payload, headers=self.headers(sent), timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of a query that must succeed without errors."""
        body = self.graphql(query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    def alive(self) -> bool:
        return self.process.poll() is None and httpx.get(f"{self.url}/health", timeout=5).status_code == 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def create_token(database_url: str, name: str, role: str) -> str:
    """A new token's secret, made with the `demarche token create` command."""
    env = {**os.environ, "DEMARCHE_DATABASE_URL": database_url}
    made = subprocess.run(
        [sys.executable, "-m", "cli.main", "token", "create", name, "--role", role], env=env, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def start_server(database_url: str, *, load_demo: bool = True, settings: dict[str, str] | None = None, pipe_stderr: bool = False) -> Server:
    """A server on `database_url`, with an admin token made for it before it starts.

    Its log goes to a file, or to a pipe when `pipe_stderr` (the caller must then drain it).
    """
    token = create_token(database_url, f"e2e-admin-{uuid.uuid4().hex[:8]}", "admin")
    port = free_port()
    # The rate limit stays on, so every suite runs through it, but high enough for suites that read the whole record
    # after every change; tests/e2e/test_limits.py holds servers to small budgets.
    env = {
        **os.environ,
        "DEMARCHE_DATABASE_URL": database_url,
        "DEMARCHE_LOAD_DEMO": str(load_demo).lower(),
        "DEMARCHE_RATE_LIMIT": "10000000",
        **(settings or {}),
    }
    # The server's log goes to a file: a pipe nobody reads would stall it once full.
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed with the process, by the OS)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if pipe_stderr else log,
    )
    server = Server(f"http://127.0.0.1:{port}", process, token)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited: {log.read().decode(errors='replace')}")
        try:
            if server.alive():
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not come up within 60 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@contextlib.contextmanager
def servers_on(database_url: str, count: int, *, load_demo: bool = True, settings: dict[str, str] | None = None) -> Iterator[list[Server]]:
    """`count` server processes on one database, started one after the other and stopped in reverse order."""
    with contextlib.ExitStack() as started:
        running: list[Server] = []
        for _ in range(count):
            running.append(start_server(database_url, load_demo=load_demo, settings=settings))
            started.callback(stop_server, running[-1])
        yield running


@pytest.fixture(scope="module")
def demo(api: Any) -> dict[str, str]:
    """IDs in the demo record the module's server loaded (see `helpers.demo_ids`)."""
    from tests.e2e.helpers import demo_ids  # helpers imports this module: not at the top

    return demo_ids(api)


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    """A server that loaded the demo record on first start of its empty database."""
    running = start_server(database_url)
    yield running
    stop_server(running)


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One server with the demo record per test module and backend, for tests that each touch only their own records."""
    from tests.e2e.helpers import running_server  # helpers builds on this module

    with running_server(request.param, tmp_path_factory) as running:
        yield running

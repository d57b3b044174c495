"""`DEMARCHE_LOG_FORMAT=json` from start to stop: every line a real server writes to stderr, uvicorn's start-up and
shut-down lines included, is one JSON object; with one process and, on PostgreSQL, with two worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import throwaway_postgres
from tests.e2e.conftest import free_port
from tests.e2e.helpers import BACKENDS


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'logs.db'}"
    else:
        with throwaway_postgres("demarche_logs") as url:
            yield url


def serve_and_stop(database_url: str, *arguments: str) -> list[str]:
    """Every stderr line of `demarche serve --log-level info` (JSON logs) through start-up, one request and shut-down."""
    port = free_port()
    env = {**os.environ, "DEMARCHE_DATABASE_URL": database_url, "DEMARCHE_LOG_FORMAT": "json", "DEMARCHE_LOAD_DEMO": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--log-level", "info", *arguments],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not come up within 60 s"
            try:
                if httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "query Logged { __typename }"}).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    return err.decode().splitlines()


def messages(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            raise AssertionError(f"a line that is not JSON: {line!r}") from None
        assert isinstance(entry, dict), line
        assert {"time", "levelname", "name", "message"} <= set(entry), line
        found.append(str(entry["message"]))
    return found


def test_every_line_of_one_process_is_json_start_up_and_shut_down_included(database_url: str) -> None:
    said = messages(serve_and_stop(database_url))
    for expected in ("Started server process", "Waiting for application startup", "Application startup complete", "Uvicorn running on"):
        assert any(message.startswith(expected) for message in said), (expected, said)
    assert any(message.startswith("Shutting down") for message in said), said
    assert "request" in said


@pytest.mark.postgres
def test_every_line_of_several_worker_processes_is_json(tmp_path: Path) -> None:
    with throwaway_postgres("demarche_logs_workers") as url:
        said = messages(serve_and_stop(url, "--workers", "2"))
    assert any(message.startswith("Started parent process") for message in said), said
    assert sum(message.startswith("Started server process") for message in said) == 2, said
    assert "request" in said

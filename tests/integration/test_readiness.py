"""Readiness: ready on a current schema; not ready, with the reason, on a schema behind the code, a failed probe or no database."""

from __future__ import annotations

import time

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.ops.readiness import problems
from api.settings import Settings
from persistence.sql.engine import create_engine
from persistence.sql.migrations import head_revision, upgrade
from tests.e2e.conftest import free_port


async def test_a_database_at_the_newest_revision_is_ready(engine: AsyncEngine) -> None:
    assert await problems(engine, head_revision(), {}) == {}


async def test_a_schema_behind_the_code_is_not_ready_and_says_which_revision_it_is_at(database_url: str) -> None:
    behind = create_engine(database_url)
    try:
        await upgrade(behind, "0003")
        found = await problems(behind, head_revision(), {})
    finally:
        await behind.dispose()
    assert found == {"schema": f"at revision 0003, this version needs {head_revision()}"}


async def test_a_probe_that_fails_makes_the_server_not_ready(engine: AsyncEngine) -> None:
    async def listening() -> str | None:
        return "the LISTEN connection is down"

    async def broken() -> str | None:
        raise ConnectionResetError

    found = await problems(engine, head_revision(), {"listen": listening, "other": broken})
    assert found == {"listen": "the LISTEN connection is down", "other": "the check failed: ConnectionResetError"}


async def test_an_unreachable_database_is_not_ready_within_seconds_while_health_stays_ok() -> None:
    app = create_app(Settings(database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demarche") as client:
        health = await client.get("/health")
        started = time.monotonic()
        ready = await client.get("/ready")
        took = time.monotonic() - started
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 503
    assert took < 3
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["reasons"]["database"].startswith("unreachable")
    assert body["reasons"]["schema"] == "not checked"

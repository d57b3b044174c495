"""Readiness: whether this server can answer requests now, as a load balancer or an orchestrator asks it.

`/health` says the process is alive and touches nothing; `/ready` checks what answering needs:
the database answers a SELECT 1, its schema is at the newest migration, and every listener
this server keeps (a LISTEN connection, once there is one) is up. Each check is bounded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

from persistence.sql.migrations import current_revision

READY_TIMEOUT = 2.0
"""Seconds each check may take; a database slower than that to answer one SELECT is not ready."""

Probe = Callable[[], Awaitable[str | None]]
"""A check of something the server keeps open: None when it is up, else why it is not."""


async def _database(engine: AsyncEngine, head: str) -> dict[str, str | None]:
    """The database's problem and the schema's, each None when fine."""
    try:
        async with asyncio.timeout(READY_TIMEOUT), engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
    except TimeoutError:
        return {"database": f"no answer within {READY_TIMEOUT:g} s", "schema": "not checked"}
    except Exception as error:
        return {"database": f"unreachable: {type(error).__name__}", "schema": "not checked"}
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            current = await current_revision(engine)
    except Exception as error:
        return {"database": None, "schema": f"the revision could not be read: {type(error).__name__}"}
    behind = None if current == head else f"at revision {current or 'none'}, this version needs {head}"
    return {"database": None, "schema": behind}


async def problems(engine: AsyncEngine, head: str, probes: Mapping[str, Probe]) -> dict[str, str]:
    """What keeps the server from being ready, by check; empty when it is ready."""
    found = await _database(engine, head)
    for name, probe in probes.items():
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                found[name] = await probe()
        except Exception as error:
            found[name] = f"the check failed: {type(error).__name__}"
    return {name: problem for name, problem in found.items() if problem is not None}


def endpoint(engine: AsyncEngine, head: str, probes: Mapping[str, Probe]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The `/ready` route: 200 `{"status": "ready"}`, or 503 with the reason of every failed check."""

    async def ready(_request: Request) -> JSONResponse:
        found = await problems(engine, head, probes)
        if found:
            return JSONResponse({"status": "unavailable", "reasons": found}, status_code=503, headers={"cache-control": "no-store"})
        checks = ["database", "schema", *probes]
        return JSONResponse({"status": "ready", "checks": checks, "revision": head}, headers={"cache-control": "no-store"})

    return ready

"""Readiness: whether this server can answer requests now, as a load balancer or an orchestrator asks it.

`/health` says the process is alive and touches nothing; `/ready` checks what answering needs:
the database answers a SELECT 1, its schema is at the newest migration, and every listener
this server keeps (a LISTEN connection, once there is one) is up. Each check is bounded.

Some checks only degrade the server: a read replica that is gone sends reads to the primary, which
still answers them. Their failure answers 200 with `"status": "degraded"` and the reason, so a load
balancer keeps the process in rotation while an operator sees what is missing.
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


async def _run(probes: Mapping[str, Probe]) -> dict[str, str | None]:
    """Each probe's problem, None when fine; the probes run together, each within `READY_TIMEOUT`."""

    async def one(probe: Probe) -> str | None:
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                return await probe()
        except TimeoutError:
            return f"no answer within {READY_TIMEOUT:g} s"
        except Exception as error:
            return f"the check failed: {type(error).__name__}"

    answers = await asyncio.gather(*(one(probe) for probe in probes.values()))
    return dict(zip(probes, answers, strict=True))


async def problems(engine: AsyncEngine, head: str, probes: Mapping[str, Probe]) -> dict[str, str]:
    """What keeps the server from being ready, by check; empty when it is ready."""
    found = await _database(engine, head)
    found.update(await _run(probes))
    return {name: problem for name, problem in found.items() if problem is not None}


def endpoint(
    engine: AsyncEngine, head: str, probes: Mapping[str, Probe], degrading: Mapping[str, Probe] | None = None
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The `/ready` route: 200 `{"status": "ready"}`; 200 `{"status": "degraded"}` with the reason of every failed
    `degrading` check (the server answers without it); or 503 with the reason of every failed check."""
    degrading = degrading or {}

    async def ready(_request: Request) -> JSONResponse:
        found, lacking = await asyncio.gather(problems(engine, head, probes), _run(degrading))
        headers = {"cache-control": "no-store"}
        if found:
            return JSONResponse({"status": "unavailable", "reasons": found}, status_code=503, headers=headers)
        checks = ["database", "schema", *probes, *degrading]
        degraded = {name: problem for name, problem in lacking.items() if problem is not None}
        if degraded:
            return JSONResponse({"status": "degraded", "checks": checks, "degraded": degraded, "revision": head}, headers=headers)
        return JSONResponse({"status": "ready", "checks": checks, "revision": head}, headers=headers)

    return ready

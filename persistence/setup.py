"""Bringing a database to a usable state: tables, reference states, and the demo record."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.use_cases.actors import load_reference_states
from persistence.catalogue import ORGANISATIONS, IsoStateCatalogue
from persistence.demo import LoadReport, demo_record, load_record
from persistence.engine import create_tables
from persistence.unit_of_work import SqlUnitOfWorkFactory


async def prepare(engine: AsyncEngine, *, load_demo: bool) -> LoadReport | None:
    """Create missing tables, load ISO states and organisations into an empty record, then the demo if asked."""
    async with engine.begin() as connection:
        await create_tables(connection)
    units = SqlUnitOfWorkFactory(engine)
    await load_reference_states(uow=units(), catalogue=IsoStateCatalogue(), organisations=list(ORGANISATIONS))
    if load_demo:
        return await load_record(demo_record(), uow=units())
    return None

"""Bringing a database to a usable state: schema, reference states, and the demo record."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.use_cases.actors import load_reference_states
from persistence.catalogue import ORGANISATIONS, IsoStateCatalogue, reference_memberships
from persistence.exchange.demo import LoadReport, demo_record, load_record
from persistence.sql.migrations import SchemaOutOfDate, current_revision, head_revision, is_current, is_known, upgrade
from persistence.write.unit_of_work import SqlUnitOfWorkFactory


async def prepare(engine: AsyncEngine, *, load_demo: bool, migrate: bool = True) -> LoadReport | None:
    """Migrate the schema (without `migrate`, refuse one out of date), load ISO states into an empty record, then the demo if asked."""
    if migrate:
        await upgrade(engine)
    elif not await is_current(engine):
        current = await current_revision(engine)
        raise SchemaOutOfDate(current, head_revision(), known=is_known(current))
    uow_factory = SqlUnitOfWorkFactory(engine)
    await load_reference_states(
        uow=uow_factory(), catalogue=IsoStateCatalogue(), organisations=list(ORGANISATIONS), memberships=reference_memberships()
    )
    if load_demo:
        return await load_record(demo_record(), uow=uow_factory())
    return None

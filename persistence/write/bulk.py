"""The bulk path: many already-validated entities with ids chosen by the caller, in one transaction.

Entities are built (and so validated) by the domain before they get here; references are
checked by the database's foreign keys. Used to load large records fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.record.diplomats import Diplomat
from domain.record.expulsions import Expulsion
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from persistence.sql import mappers
from persistence.write.base import SqlRepository
from persistence.write.expulsions import SqlExpulsionRepository
from persistence.write.missions import SqlDiplomatRepository, SqlMissionRepository
from persistence.write.statements import SqlCitationRepository, SqlSourceRepository, SqlStatementRepository
from persistence.write.unit_of_work import notify_change

CHUNK = 5_000


@dataclass(slots=True)
class BulkRecord:
    """Entities to load, each with its id set; lists are loaded in dependency order."""

    missions: Sequence[Mission] = ()
    diplomats: Sequence[Diplomat] = ()
    expulsions: Sequence[Expulsion] = ()
    sources: Sequence[Source] = ()
    statements: Sequence[Statement] = ()
    citations: Sequence[Citation] = ()

    @property
    def size(self) -> int:
        return sum(len(group) for group in (self.missions, self.diplomats, self.expulsions, self.sources, self.statements, self.citations))


async def _insert(connection: AsyncConnection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            await connection.execute(insert(table), chunk)
            chunk = []
    if chunk:
        await connection.execute(insert(table), chunk)


async def _load(connection: AsyncConnection, repository: type[SqlRepository[Any, Any]], entities: Sequence[Any]) -> None:
    if not entities:
        return
    mapper: mappers.Mapper[Any] = repository.mapper
    await _insert(connection, repository.table, ({"id": entity.id, **mapper.to_values(entity)} for entity in entities))
    for link in repository.links:
        rows = ({link.owner: entity.id, link.other: other} for entity in entities for other in getattr(entity, link.attribute))
        await _insert(connection, link.table, rows)


async def bulk_load(engine: AsyncEngine, record: BulkRecord) -> int:
    """Insert the whole record in one transaction; return how many entities were loaded."""
    async with engine.begin() as connection:
        for repository, entities in (
            (SqlMissionRepository, record.missions),
            (SqlDiplomatRepository, record.diplomats),
            (SqlExpulsionRepository, record.expulsions),
            (SqlSourceRepository, record.sources),
            (SqlStatementRepository, record.statements),
            (SqlCitationRepository, record.citations),
        ):
            await _load(connection, repository, entities)
        await notify_change(connection)
        if connection.dialect.name == "postgresql":
            for table in ("mission", "diplomat", "expulsion", "source", "statement", "citation"):
                await connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1)) FROM {table}"))
    return record.size

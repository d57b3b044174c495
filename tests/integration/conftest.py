"""Helpers for the adapter tests: write records in committed transactions and read the stored state back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from domain.actors import Actor
from domain.expulsions import Expulsion, Wave
from domain.missions import Mission
from domain.people import Diplomat
from domain.sources import Citation, Source
from domain.statements import Statement
from persistence.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

E = TypeVar("E")

REPOSITORY_OF: dict[type[Any], str] = {
    Actor: "actors",
    Mission: "missions",
    Diplomat: "diplomats",
    Expulsion: "expulsions",
    Wave: "waves",
    Statement: "statements",
    Source: "sources",
    Citation: "citations",
}


def repository(uow: SqlUnitOfWork, kind: type[Any]) -> Any:
    return getattr(uow, REPOSITORY_OF[kind])


@dataclass
class Store:
    """Writes through the repositories, one committed transaction per call, bypassing the use cases."""

    units: SqlUnitOfWorkFactory

    async def add(self, entity: E) -> E:
        async with self.units() as uow:
            stored: E = await repository(uow, type(entity)).add(entity)
            await uow.commit()
        return stored

    async def add_all(self, *entities: E) -> list[E]:
        return [await self.add(entity) for entity in entities]

    async def update(self, entity: E) -> E:
        async with self.units() as uow:
            stored: E = await repository(uow, type(entity)).update(entity)
            await uow.commit()
        return stored

    async def get(self, kind: type[E], id: int) -> E | None:
        async with self.units.reader() as uow:
            found: E | None = await repository(uow, kind).get(id)
        return found

    async def row_counts(self) -> dict[str, int]:
        """How many rows every table holds: a snapshot to compare before and after a failed change."""
        counts: dict[str, int] = {}
        async with self.units.reader() as uow:
            for name, table in sorted(SQLModel.metadata.tables.items()):
                counts[name] = int(await uow.actors.connection.scalar(select(func.count()).select_from(table)) or 0)
        return counts


@pytest.fixture
def store(units: SqlUnitOfWorkFactory) -> Store:
    return Store(units)

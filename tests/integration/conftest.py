"""Helpers for the adapter tests: write records in committed transactions and read the stored state back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from domain.actors import Actor
from domain.expulsions import Expulsion, Wave
from domain.memberships import Membership
from domain.missions import Mission
from domain.people import Diplomat
from domain.sources import Citation, Source
from domain.statements import Statement
from domain.use_cases import memberships
from domain.values import PartialDate
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
    Membership: "memberships",
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


async def edit_memberships(units: SqlUnitOfWorkFactory) -> tuple[Membership, Membership]:
    """Edit the curated memberships through the use cases: Austria's EU spell ends, Norway's begins (with a formula-like title)."""
    async with units.reader() as uow:
        (austria,) = (await uow.memberships.of_states(["AT"]))["AT"]
    assert austria.id is not None
    ended = await memberships.end_membership(austria.id, PartialDate(2030, 6, 30), uow=units())
    draft = Membership(
        organisation="EU",
        state="NOR",
        joined=PartialDate(2031, 1),
        source_publisher="Desk 3",
        source_title="=Norway joins, «probably»",
        source_url="https://example.org/no,eu",
    )
    created = await memberships.add_membership(draft, uow=units())
    return ended, created

"""Helpers for the adapter tests: write records in committed transactions and read the stored state back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from domain.record.actors import Actor
from domain.record.diplomats import Diplomat
from domain.record.expulsions import Expulsion, Wave
from domain.record.memberships import Membership
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from domain.record.values import PartialDate
from domain.use_cases import memberships
from persistence.write.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

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

    uow_factory: SqlUnitOfWorkFactory

    async def add(self, entity: E) -> E:
        async with self.uow_factory() as uow:
            stored: E = await repository(uow, type(entity)).add(entity)
            await uow.commit()
        return stored

    async def add_all(self, *entities: E) -> list[E]:
        return [await self.add(entity) for entity in entities]

    async def update(self, entity: E) -> E:
        async with self.uow_factory() as uow:
            stored: E = await repository(uow, type(entity)).update(entity)
            await uow.commit()
        return stored

    async def get(self, kind: type[E], id: int) -> E | None:
        async with self.uow_factory.reader() as uow:
            found: E | None = await repository(uow, kind).get(id)
        return found

    async def row_counts(self) -> dict[str, int]:
        """How many rows every table holds: a snapshot to compare before and after a failed change."""
        counts: dict[str, int] = {}
        async with self.uow_factory.reader() as uow:
            for name, table in sorted(SQLModel.metadata.tables.items()):
                counts[name] = int(await uow.actors.connection.scalar(select(func.count()).select_from(table)) or 0)
        return counts


@pytest.fixture
def store(uow_factory: SqlUnitOfWorkFactory) -> Store:
    return Store(uow_factory)


async def edit_memberships(uow_factory: SqlUnitOfWorkFactory) -> tuple[Membership, Membership]:
    """Edit the curated memberships through the use cases: Austria's EU spell ends, Norway's begins (with a formula-like title)."""
    async with uow_factory.reader() as uow:
        (austria,) = (await uow.memberships.of_states(["AT"]))["AT"]
    assert austria.id is not None
    ended = await memberships.end_membership(austria.id, PartialDate(2030, 6, 30), uow=uow_factory())
    draft = Membership(
        organisation="EU",
        state="NOR",
        joined=PartialDate(2031, 1),
        source_publisher="Desk 3",
        source_title="=Norway joins, «probably»",
        source_url="https://example.org/no,eu",
    )
    created = await memberships.add_membership(draft, uow=uow_factory())
    return ended, created

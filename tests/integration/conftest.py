"""Helpers for the adapter tests: write records in committed transactions and read the stored state back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from domain.record.memberships import Membership
from domain.record.values import PartialDate
from domain.use_cases import memberships
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeUnitOfWorkFactory
from tests.scenarios import Writer


@dataclass
class Store(Writer):
    """The scenarios' writer on the SQL adapters or the fakes, which can also count every table's rows."""

    uow_factory: Any

    async def row_counts(self) -> dict[str, int]:
        """How many rows every table holds: a snapshot to compare before and after a failed change."""
        if isinstance(self.uow_factory, FakeUnitOfWorkFactory):
            return {name: len(rows) for name, rows in sorted(self.uow_factory.tables.rows.items())}
        counts: dict[str, int] = {}
        async with self.uow_factory.reader() as uow:
            for name, table in sorted(SQLModel.metadata.tables.items()):
                counts[name] = int(await uow.actors.connection.scalar(select(func.count()).select_from(table)) or 0)
        return counts


@pytest.fixture
def store(uow_factory: Any) -> Store:
    return Store(uow_factory)


async def edit_memberships(uow_factory: SqlUnitOfWorkFactory) -> tuple[Membership, Membership]:
    """Edit the curated memberships through the use cases: Austria's EU spell ends, Norway's begins (with a formula-like title)."""
    async with uow_factory.reader() as uow:
        (austria,) = [spell for spell in (await uow.memberships.of_states(["AT"]))["AT"] if spell.organisation == "EU"]
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

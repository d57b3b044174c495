"""Memberships: the reference spells, their filters, and measures filtered by membership at their date.

The same contract runs against the fake, SQLite and PostgreSQL, so the fake cannot drift.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import Conflict
from domain.read.filters import DateRange, ExpulsionFilter, MembershipFilter
from domain.read.pagination import PageRequest
from domain.record.memberships import Membership, MembershipBasis
from domain.record.values import PartialDate
from persistence.catalogue import reference_memberships
from persistence.sql.migrations import downgrade, upgrade
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeUnitOfWorkFactory, reference_actors
from tests.integration import drafts

EVERYTHING = PageRequest(first=100)


async def _fake_record() -> FakeUnitOfWorkFactory:
    uow_factory = FakeUnitOfWorkFactory(reference_actors())
    async with uow_factory() as uow:
        for membership in reference_memberships():
            await uow.memberships.add(membership)
        await uow.commit()
    return uow_factory


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def record(request: pytest.FixtureRequest) -> Any:
    """A record holding the reference actors and memberships: the fake's, or a database's set up as in production."""
    if request.param == "fake":
        return asyncio.run(_fake_record())
    engine: AsyncEngine = request.getfixturevalue("engine")
    return SqlUnitOfWorkFactory(engine)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database the `record` parameter names (the shared fixtures build it from this)."""
    param = request.node.callspec.params["record"]
    return "sqlite" if param == "fake" else str(param)


async def _members(uow_factory: Any, organisation: str, at: date) -> set[str]:
    async with uow_factory.reader() as uow:
        page = await uow.memberships.list(MembershipFilter(organisation=organisation, at=at), EVERYTHING)
    return {spell.state for spell in page.items}


async def test_the_reference_data_gives_the_eu_its_members_at_each_date(record: Any) -> None:
    assert await _members(record, "EU", date(1960, 1, 1)) == {"BE", "FR", "DE", "IT", "LU", "NL"}
    assert len(await _members(record, "EU", date(2018, 6, 1))) == 28
    assert "GB" in await _members(record, "EU", date(2020, 1, 31))
    in_2022 = await _members(record, "EU", date(2022, 3, 23))
    assert len(in_2022) == 27
    assert "GB" not in in_2022
    assert {"PL", "HR", "EE"} <= in_2022


async def test_a_state_lists_its_spells_with_their_source(record: Any) -> None:
    async with record.reader() as uow:
        (britain,) = (await uow.memberships.list(MembershipFilter(state="GB", organisation="EU"), EVERYTHING)).items
        count = await uow.memberships.count(MembershipFilter(organisation="EU"))
    assert (britain.organisation, str(britain.joined), str(britain.left)) == ("EU", "1973-01-01", "2020-01-31")
    assert britain.source_publisher.startswith("European Union")
    assert (britain.source_url or "").startswith("https://")
    assert count == 28


async def _measures(uow_factory: Any, filter: ExpulsionFilter) -> list[int]:
    async with uow_factory.reader() as uow:
        ids = [measure.id for measure in (await uow.expulsions.list(filter, EVERYTHING)).items]
        assert await uow.expulsions.count(filter) == len(ids)
    return ids


async def _stored(uow_factory: Any, **fields: Any) -> int:
    async with uow_factory() as uow:
        stored = await uow.expulsions.add(drafts.measure(**fields))
        await uow.commit()
    return int(stored.id)


async def test_member_of_counts_a_state_a_member_only_on_every_day_the_measure_date_may_be(record: Any) -> None:
    uk_2018 = await _stored(record, actor="GB", announced=PartialDate(2018, 3, 14))
    uk_2022 = await _stored(record, actor="GB", announced=PartialDate(2022, 4, 4))
    uk_2020 = await _stored(record, actor="GB", announced=PartialDate(2020))
    uk_january_2020 = await _stored(record, actor="GB", announced=PartialDate(2020, 1))
    poland = await _stored(record, actor="PL", announced=PartialDate(2022, 3, 23))
    await _stored(record, actor="US", announced=PartialDate(2022, 3, 23))
    croatia_2012 = await _stored(record, actor="HR", announced=PartialDate(2012, 5, 1))

    assert await _measures(record, ExpulsionFilter(member_of="EU")) == [uk_2018, uk_january_2020, poland]
    assert croatia_2012 not in await _measures(record, ExpulsionFilter(member_of="EU"))
    assert uk_2020 not in await _measures(record, ExpulsionFilter(member_of="EU"))
    in_2022 = ExpulsionFilter(member_of="EU", target=("RU",), announced=_year(2022))
    assert await _measures(record, in_2022) == [poland]
    assert uk_2022 not in await _measures(record, ExpulsionFilter(member_of="EU"))


async def test_target_member_of_looks_at_the_target(record: Any) -> None:
    against_poland = await _stored(record, actor="RU", target="PL", announced=PartialDate(2022, 3, 28))
    against_america = await _stored(record, actor="RU", target="US", announced=PartialDate(2022, 3, 28))
    await _stored(record, actor="RU", target="CH", announced=PartialDate(2022, 3, 28))
    assert await _measures(record, ExpulsionFilter(target_member_of="EU")) == [against_poland]
    assert await _measures(record, ExpulsionFilter(target_member_of="NATO")) == [against_poland, against_america]


async def test_a_membership_naming_an_unknown_actor_is_refused(record: Any) -> None:
    spell = Membership(
        organisation="EU", state="ZZZZ", joined=PartialDate(2030), source_publisher="Nobody", source_title="Nothing", source_url=None
    )
    with pytest.raises(Conflict):
        await _add_and_commit(record, spell)


async def test_a_state_with_spells_cannot_be_deleted(record: Any) -> None:
    async with record.reader() as uow:
        estonia = (await uow.actors.get_by_codes(["EE"]))["EE"]
    with pytest.raises(Conflict):
        await _delete_and_commit(record, estonia.id)


def _year(year: int) -> DateRange:
    return DateRange(date(year, 1, 1), date(year, 12, 31))


async def _add_and_commit(uow_factory: Any, spell: Membership) -> None:
    async with uow_factory() as uow:
        await uow.memberships.add(spell)
        await uow.commit()


async def _delete_and_commit(uow_factory: Any, actor_id: int | None) -> None:
    async with uow_factory() as uow:
        await uow.actors.delete(actor_id)
        await uow.commit()


@pytest.fixture
def database_engine(request: pytest.FixtureRequest) -> AsyncEngine:
    engine: AsyncEngine = request.getfixturevalue("engine")
    return engine


@pytest.mark.parametrize("record", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_migration_0006_gives_an_existing_database_the_spells_and_takes_them_away_again(
    record: Any, database_engine: AsyncEngine
) -> None:
    await downgrade(database_engine, "0004")
    assert "membership" not in await _tables(database_engine)
    await upgrade(database_engine)
    assert "membership" in await _tables(database_engine)
    assert await _members(record, "EU", date(2018, 3, 14)) == await _members(record, "EU", date(2019, 1, 1))
    assert len(await _members(record, "EU", date(2022, 3, 23))) == 27
    async with record.reader() as uow:
        assert await uow.memberships.count(MembershipFilter()) == len(reference_memberships())


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_the_reference_data_gives_nato_the_five_eyes_and_the_others_their_members(record: Any) -> None:
    assert "FI" not in await _members(record, "NATO", date(2023, 4, 3))
    assert "FI" in await _members(record, "NATO", date(2023, 4, 4))
    assert len(await _members(record, "NATO", date(2024, 3, 7))) == 32
    assert await _members(record, "FVEY", date(2022, 1, 1)) == {"AU", "CA", "GB", "NZ", "US"}
    assert await _members(record, "FVEY", date(1950, 1, 1)) == {"CA", "GB", "US"}
    assert "GR" not in await _members(record, "COE", date(1972, 1, 1))
    assert "GR" in await _members(record, "COE", date(1975, 1, 1))
    assert "RU" in await _members(record, "COE", date(2022, 3, 15))
    assert "RU" not in await _members(record, "COE", date(2022, 3, 16))
    assert len(await _members(record, "COE", date(2023, 1, 1))) == 46
    assert "UZ" in await _members(record, "CSTO", date(2008, 1, 1))
    assert "UZ" not in await _members(record, "CSTO", date(2013, 1, 1))
    assert "RU" not in await _members(record, "G7", date(2010, 1, 1))
    assert "RU" in await _members(record, "G8", date(2010, 1, 1))
    assert await _members(record, "G8", date(2015, 1, 1)) == set()
    async with record.reader() as uow:
        spells = (await uow.memberships.list(MembershipFilter(organisation="FVEY"), EVERYTHING)).items
        recorded = await uow.memberships.recorded(["NATO", "FVEY", "UN", "OSCE", "FR"])
    assert {spell.basis for spell in spells} == {MembershipBasis.NO_TREATY}
    assert all(spell.unverified for spell in reference_memberships())
    assert recorded == {"NATO": True, "FVEY": True, "UN": False, "OSCE": False, "FR": False}


@pytest.mark.parametrize("record", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_migration_0008_gives_a_database_of_0007_the_organisations_and_their_spells(
    record: Any, database_engine: AsyncEngine
) -> None:
    await downgrade(database_engine, "0007")
    async with database_engine.begin() as connection:
        await connection.execute(text("DELETE FROM membership WHERE organisation <> 'EU'"))
        await connection.execute(text("DELETE FROM actor WHERE code IN ('COE', 'CSTO', 'G7', 'G8', 'FVEY')"))
    await upgrade(database_engine)

    async with record.reader() as uow:
        assert await uow.memberships.count(MembershipFilter()) == len(reference_memberships())
        added = await uow.actors.get_by_codes(["COE", "CSTO", "G7", "G8", "FVEY"])
        spells = (await uow.memberships.list(MembershipFilter(organisation="FVEY"), EVERYTHING)).items
    assert {actor.name for actor in added.values()} == {
        "Council of Europe",
        "Collective Security Treaty Organization",
        "Group of Seven",
        "Group of Eight",
        "Five Eyes",
    }
    assert {spell.basis for spell in spells} == {MembershipBasis.NO_TREATY}
    assert "FI" in await _members(record, "NATO", date(2023, 4, 4))

    await downgrade(database_engine, "0007")
    await upgrade(database_engine)
    async with record.reader() as uow:
        assert await uow.memberships.count(MembershipFilter()) == len(reference_memberships())
        spells = (await uow.memberships.list(MembershipFilter(organisation="G7"), EVERYTHING)).items
    assert {spell.basis for spell in spells} == {MembershipBasis.NO_TREATY}

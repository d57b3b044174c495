"""Preparing a database: tables, reference states and organisations, and the demo record, each only once."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.errors import InvalidInput
from domain.read.filters import ExpulsionFilter
from domain.read.pagination import PageRequest
from domain.record.values import HeadcountQualifier, Precision
from persistence.catalogue import ORGANISATIONS, IsoStateCatalogue
from persistence.exchange.demo import LoadReport, demo_record, load_record
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration.conftest import Store


async def test_prepare_on_an_empty_database_creates_tables_and_reference_actors(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await prepare(engine, load_demo=False) is None
        counts = await Store(SqlUnitOfWorkFactory(engine)).row_counts()
    finally:
        await engine.dispose()
    assert counts["actor"] == len(list(IsoStateCatalogue().all_states())) + len(ORGANISATIONS)
    assert counts["expulsion"] == 0


async def test_prepare_twice_changes_nothing(engine: AsyncEngine, store: Store) -> None:
    before = await store.row_counts()
    assert await prepare(engine, load_demo=False) is None
    assert await store.row_counts() == before


async def test_demo_record_loads_once_with_four_measures_and_seven_statements(engine: AsyncEngine, store: Store) -> None:
    report = await prepare(engine, load_demo=True)
    loaded = await store.row_counts()
    again = await prepare(engine, load_demo=True)
    assert isinstance(report, LoadReport)
    assert (report.measures, report.statements) == (4, 7)
    assert (loaded["expulsion"], loaded["statement"], loaded["source"], loaded["citation"]) == (
        report.measures,
        report.statements,
        report.sources,
        report.citations,
    )
    assert again is None
    assert await store.row_counts() == loaded


async def test_loading_the_demo_record_into_a_record_with_measures_returns_none(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    assert await load_record(demo_record(), uow=uow_factory()) is not None
    loaded = await store.row_counts()
    assert await load_record(demo_record(), uow=uow_factory()) is None
    assert await store.row_counts() == loaded


async def test_demo_record_keeps_unknown_headcounts_month_dates_and_the_answer_link(uow_factory: SqlUnitOfWorkFactory) -> None:
    await load_record(demo_record(), uow=uow_factory())
    async with uow_factory.reader() as uow:
        (us,) = (await uow.expulsions.list(ExpulsionFilter(actor=("US",)), PageRequest(first=5))).items
        (russia,) = (await uow.expulsions.list(ExpulsionFilter(actor=("RU",)), PageRequest(first=5))).items
        answered = await uow.expulsions.answered_transitively([russia.id or 0])
        said_about_russia = await uow.statements.about_measures([russia.id or 0])
    assert (us.headcount.value, us.announced.precision) == (12, Precision.MONTH)
    assert (russia.headcount.qualifier, russia.headcount.value) == (HeadcountQualifier.UNKNOWN, None)
    assert answered == {us.id}
    assert len(said_about_russia[russia.id or 0]) == 4


async def test_a_record_file_broken_in_its_last_item_loads_nothing(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    record = copy.deepcopy(demo_record())
    record["statements"][-1]["stance"] = "shrugs"
    before = await store.row_counts()
    with pytest.raises(InvalidInput, match="shrugs"):
        await load_record(record, uow=uow_factory())
    assert await store.row_counts() == before


async def test_a_file_of_another_format_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as raised:
        await load_record({**demo_record(), "format": "something-else/2"}, uow=uow_factory())
    assert raised.value.field == "format"

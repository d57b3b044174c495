"""Writers run without 'database is locked' (SQLite's take turns, PostgreSQL's run side by side); readers run beside an open writer and
see only committed data."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from domain.errors import InvalidInput, NotFound
from domain.read.filters import ExpulsionFilter, NoFilter, StatementFilter
from domain.read.pagination import PageRequest
from domain.record.expulsions import Expulsion
from domain.record.sources import Source
from domain.record.statements import Statement
from domain.record.values import Headcount, PartialDate
from domain.use_cases.expulsions import expulsions, link_answer
from domain.use_cases.statements import sources, statements
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts

PATIENCE = 20  # seconds; far beyond what any of these needs, short of a hang


async def test_ten_concurrent_writers_all_succeed(uow_factory: SqlUnitOfWorkFactory) -> None:
    creates: list[Coroutine[Any, Any, Expulsion | Source | Statement]] = [
        *(expulsions.create(drafts.measure(actor=code), uow=uow_factory()) for code in ("PL", "DE", "FR", "GB", "CZ", "LT")),
        *(sources.create(drafts.source(title=f"Report {n}"), uow=uow_factory()) for n in range(2)),
        *(statements.create(drafts.statement(quote=f"Quote {n}"), uow=uow_factory()) for n in range(2)),
    ]
    created = await asyncio.wait_for(asyncio.gather(*creates), timeout=PATIENCE)
    async with uow_factory.reader() as uow:
        counts = (
            await uow.expulsions.count(ExpulsionFilter()),
            await uow.sources.count(NoFilter()),
            await uow.statements.count(StatementFilter()),
        )
    assert all(record.id is not None for record in created)
    assert counts == (6, 2, 2)


async def test_concurrent_writers_of_one_aggregate_get_distinct_ids(uow_factory: SqlUnitOfWorkFactory) -> None:
    creates = [expulsions.create(drafts.measure(headcount=Headcount.exactly(n)), uow=uow_factory()) for n in range(10)]
    created = await asyncio.wait_for(asyncio.gather(*creates), timeout=PATIENCE)
    assert len({measure.id for measure in created}) == 10
    assert sorted(measure.headcount.value or 0 for measure in created) == list(range(10))


async def test_readers_run_while_a_writer_holds_its_transaction_and_see_only_committed_data(uow_factory: SqlUnitOfWorkFactory) -> None:
    async def waves_seen() -> int:
        async with uow_factory.reader() as uow:
            return await uow.waves.count(NoFilter())

    async with uow_factory() as writer:
        await writer.waves.add(drafts.wave())
        seen_during = await asyncio.wait_for(asyncio.gather(*(waves_seen() for _ in range(5))), timeout=PATIENCE)
        await writer.commit()
    assert seen_during == [0] * 5
    assert await waves_seen() == 1


async def test_a_second_writer_sees_the_first_writers_record_once_it_is_committed(uow_factory: SqlUnitOfWorkFactory) -> None:
    """SQLite's writers take turns: the second waits for the first. PostgreSQL's run side by side: the second, not
    waiting, finds no such measure yet; once the first commits, the same answer is stored."""
    sqlite = uow_factory.engine.dialect.name == "sqlite"
    async with uow_factory() as first:
        earlier = await first.expulsions.add(drafts.measure())
        answer = asyncio.create_task(
            expulsions.create(drafts.measure(actor="RU", target="US", answers=(earlier.id or 0,)), uow=uow_factory())
        )
        await asyncio.sleep(0.3)
        waited = not answer.done()
        await first.commit()
    if sqlite:
        stored = await asyncio.wait_for(answer, timeout=PATIENCE)
        assert waited
    else:
        assert not waited
        with pytest.raises(NotFound):
            await answer
        stored = await expulsions.create(drafts.measure(actor="RU", target="US", answers=(earlier.id or 0,)), uow=uow_factory())
    assert stored.answers == (earlier.id,)


async def test_two_concurrent_links_that_would_form_a_cycle_let_exactly_one_through(uow_factory: SqlUnitOfWorkFactory) -> None:
    day = PartialDate(2022, 3, 23)
    first = await expulsions.create(drafts.measure(announced=day), uow=uow_factory())
    second = await expulsions.create(drafts.measure(actor="RU", target="US", announced=day), uow=uow_factory())
    outcomes = await asyncio.wait_for(
        asyncio.gather(
            link_answer(first.id or 0, second.id or 0, uow=uow_factory()),
            link_answer(second.id or 0, first.id or 0, uow=uow_factory()),
            return_exceptions=True,
        ),
        timeout=PATIENCE,
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == [Expulsion.__name__, InvalidInput.__name__]
    async with uow_factory.reader() as uow:
        page = await uow.expulsions.list(ExpulsionFilter(), PageRequest(first=10))
    assert sum(len(measure.answers) for measure in page.items) == 1

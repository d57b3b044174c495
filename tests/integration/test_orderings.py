"""Keyset pages over orderings other than id: by announcement, by headcount (unknown last), by date said (undated last)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.read.filters import ExpulsionFilter, NoFilter, StatementFilter
from domain.read.pagination import Key, Order, Page, PageRequest
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract

ALL = ExpulsionFilter()


async def measure_page(uow_factory: SqlUnitOfWorkFactory, request: PageRequest) -> Page[Any]:
    async with uow_factory.reader() as uow:
        return await uow.expulsions.list(ALL, request)


async def walk(uow_factory: SqlUnitOfWorkFactory, order: Order, *, descending: bool = False, backward: bool = False) -> list[int]:
    """Every measure id, two per page, following each page's last key forward (or first key backward)."""
    seen: list[int] = []
    key: Key | None = None
    while True:
        if backward:
            request = PageRequest(last=2, before=key, order=order, descending=descending)
        else:
            request = PageRequest(first=2, after=key, order=order, descending=descending)
        page = await measure_page(uow_factory, request)
        ids = [m.id for m in page.items]
        seen = ids + seen if backward else seen + ids
        if not (page.has_previous if backward else page.has_next):
            return seen
        key = page.keys[0] if backward else page.keys[-1]


async def measures_announced(store: Store, *dates: PartialDate) -> list[int]:
    return [(await store.add(drafts.measure(announced=announced))).id or 0 for announced in dates]


async def test_ordering_by_announcement_puts_a_month_at_its_first_day_and_breaks_ties_by_id(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    march_23, march, year_2018, february_28, march_1 = await measures_announced(
        store, PartialDate(2022, 3, 23), PartialDate(2022, 3), PartialDate(2018), PartialDate(2022, 2, 28), PartialDate(2022, 3, 1)
    )
    ascending = await measure_page(uow_factory, PageRequest(first=10, order=Order.ANNOUNCED))
    descending = await measure_page(uow_factory, PageRequest(first=10, order=Order.ANNOUNCED, descending=True))
    assert [m.id for m in ascending.items] == [year_2018, february_28, march, march_1, march_23]
    assert [m.id for m in descending.items] == [march_23, march_1, march, february_28, year_2018]


DIRECTIONS = [(False, False), (True, False), (False, True), (True, True)]
"""(descending, backward): each ordering read both ways, each page asked forward and backward."""


async def test_walking_by_announcement_visits_every_measure_once_in_order(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await measures_announced(store, *[PartialDate(2022, 3, 23)] * 3, PartialDate(2022, 3), PartialDate(2018), PartialDate(2022, 4, 2))
    expected = [ids[4], ids[3], ids[0], ids[1], ids[2], ids[5]]
    for descending, backward in DIRECTIONS:
        walked = await walk(uow_factory, Order.ANNOUNCED, descending=descending, backward=backward)
        assert walked == (expected[::-1] if descending else expected), (descending, backward)


async def test_a_date_key_given_back_as_text_works_like_the_key_itself(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    await measures_announced(store, PartialDate(2022, 3, 1), PartialDate(2022, 3, 23), PartialDate(2022, 3, 23), PartialDate(2022, 4))
    first = await measure_page(uow_factory, PageRequest(first=2, order=Order.ANNOUNCED))
    announced, id = first.keys[-1]
    as_text = await measure_page(uow_factory, PageRequest(first=2, after=(str(announced), id), order=Order.ANNOUNCED))
    as_key = await measure_page(uow_factory, PageRequest(first=2, after=first.keys[-1], order=Order.ANNOUNCED))
    assert [m.id for m in as_text.items] == [m.id for m in as_key.items]
    assert len(as_key.items) == 2


async def test_a_key_from_another_ordering_is_refused(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await measures_announced(store, PartialDate(2022, 3, 1), PartialDate(2022, 3, 2))
    with pytest.raises(InvalidInput) as raised:
        await measure_page(uow_factory, PageRequest(first=2, after=ids[0], order=Order.ANNOUNCED))
    assert raised.value.field == "after"


HEADCOUNTS = [
    Headcount.exactly(45),
    Headcount.unknown(),
    Headcount(HeadcountQualifier.APPROXIMATE, 25),
    Headcount(HeadcountQualifier.AT_LEAST, 12),
    Headcount.unknown(),
    Headcount.exactly(0),
]


async def test_unknown_headcounts_sort_after_every_known_one_either_way(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = [(await store.add(drafts.measure(headcount=headcount))).id or 0 for headcount in HEADCOUNTS]
    smallest_first = await measure_page(uow_factory, PageRequest(first=10, order=Order.HEADCOUNT))
    largest_first = await measure_page(uow_factory, PageRequest(first=10, order=Order.HEADCOUNT, descending=True))
    assert [m.headcount.value for m in smallest_first.items] == [0, 12, 25, 45, None, None]
    assert [m.headcount.value for m in largest_first.items] == [45, 25, 12, 0, None, None]
    assert [m.id for m in smallest_first.items[4:]] == [ids[1], ids[4]]
    assert [m.id for m in largest_first.items[4:]] == [ids[4], ids[1]]


async def test_walking_by_headcount_crosses_from_known_to_unknown_without_loss(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    for headcount in HEADCOUNTS:
        await store.add(drafts.measure(headcount=headcount))
    for descending, backward in DIRECTIONS:
        everything = await measure_page(uow_factory, PageRequest(first=10, order=Order.HEADCOUNT, descending=descending))
        walked = await walk(uow_factory, Order.HEADCOUNT, descending=descending, backward=backward)
        assert walked == [m.id for m in everything.items], (descending, backward)


async def test_undated_statements_sort_after_every_dated_one_and_pages_reach_them(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    said = [PartialDate(2022, 3, 23), None, PartialDate(2022, 3), None, PartialDate(2018)]
    ids = [(await store.add(drafts.statement(said_on=day))).id or 0 for day in said]
    dated, undated = [ids[4], ids[2], ids[0]], [ids[1], ids[3]]
    for descending, expected in ((False, dated + undated), (True, dated[::-1] + undated[::-1])):
        async with uow_factory.reader() as uow:
            first = await uow.statements.list(StatementFilter(), PageRequest(first=3, order=Order.SAID_ON, descending=descending))
            after = PageRequest(first=3, after=first.keys[-1], order=Order.SAID_ON, descending=descending)
            rest = await uow.statements.list(StatementFilter(), after)
        assert [s.id for s in first.items + rest.items] == expected, descending
        assert (first.has_next, rest.has_next, rest.has_previous) == (True, False, True)


async def test_a_listing_refuses_an_ordering_it_does_not_have(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as raised:
        async with uow_factory.reader() as uow:
            await uow.waves.list(NoFilter(), PageRequest(first=5, order=Order.ANNOUNCED))
    assert raised.value.field == "orderBy"

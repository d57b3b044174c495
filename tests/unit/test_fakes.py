"""The fakes keep the adapter's contract: keyset pages, filters, orderings, and references that must exist."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import Conflict, InvalidInput
from domain.read.filters import DateRange, ExpulsionFilter, NoFilter, StatementFilter
from domain.read.pagination import Order, PageRequest
from domain.record.values import Headcount
from tests import drafts, scenarios
from tests.drafts import day
from tests.fakes import FakeUnitOfWorkFactory


@pytest.fixture
async def five_waves(fake_units: FakeUnitOfWorkFactory) -> FakeUnitOfWorkFactory:
    async with fake_units() as uow:
        for number in range(1, 6):
            await uow.waves.add(drafts.wave(name=f"wave {number}"))
        await uow.commit()
    return fake_units


@pytest.mark.parametrize(
    ("request_", "ids", "has_previous", "has_next"),
    [
        (PageRequest(first=2), [1, 2], False, True),
        (PageRequest(first=2, after=2), [3, 4], True, True),
        (PageRequest(first=2, after=4), [5], True, False),
        (PageRequest(last=2), [4, 5], True, False),
        (PageRequest(last=2, before=4), [2, 3], True, True),
        (PageRequest(last=2, before=2), [1], False, True),
        (PageRequest(first=0), [], False, True),
        (PageRequest(), [1, 2, 3, 4, 5], False, False),
    ],
)
async def test_pages_are_found_by_id_in_ascending_order(
    five_waves: FakeUnitOfWorkFactory, request_: PageRequest, ids: list[int], has_previous: bool, has_next: bool
) -> None:
    async with five_waves() as uow:
        page = await uow.waves.list(NoFilter(), request_)

    assert [wave.id for wave in page.items] == ids
    assert (page.has_previous, page.has_next) == (has_previous, has_next)
    assert page.keys == [(id,) for id in ids]


async def test_has_previous_counts_only_records_that_match_the_filter(fake_units: FakeUnitOfWorkFactory) -> None:
    await drafts.stored_measure(fake_units, actor="US")
    polish = [await drafts.stored_measure(fake_units, actor="PL"), await drafts.stored_measure(fake_units, actor="PL")]

    async with fake_units() as uow:
        page = await uow.expulsions.list(ExpulsionFilter(actor=("PL",)), PageRequest(first=5, after=1))

    assert [measure.id for measure in page.items] == polish
    assert not page.has_previous


async def test_headcount_order_puts_unknown_headcounts_last_either_way(fake_units: FakeUnitOfWorkFactory) -> None:
    unknown = await drafts.stored_measure(fake_units, headcount=Headcount.unknown())
    small = await drafts.stored_measure(fake_units, headcount=Headcount.exactly(3))
    large = await drafts.stored_measure(fake_units, headcount=Headcount.exactly(45))

    async with fake_units() as uow:
        rising = await uow.expulsions.list(ExpulsionFilter(), PageRequest(order=Order.HEADCOUNT))
        falling = await uow.expulsions.list(ExpulsionFilter(), PageRequest(order=Order.HEADCOUNT, descending=True))

    assert [measure.id for measure in rising.items] == [small, large, unknown]
    assert [measure.id for measure in falling.items] == [large, small, unknown]


async def test_a_cursor_carrying_an_iso_date_continues_the_announced_order(fake_units: FakeUnitOfWorkFactory) -> None:
    april = await drafts.stored_measure(fake_units, announced=day("2022-04-02"))
    march = await drafts.stored_measure(fake_units, announced=day("2022-03"))
    first = PageRequest(first=1, order=Order.ANNOUNCED)

    async with fake_units() as uow:
        page = await uow.expulsions.list(ExpulsionFilter(), first)
        after = PageRequest(first=1, after=("2022-03-01", march), order=Order.ANNOUNCED)
        following = await uow.expulsions.list(ExpulsionFilter(), after)

    assert page.keys == [(date(2022, 3, 1), march)]
    assert [measure.id for measure in following.items] == [april]
    assert following.has_previous


async def test_a_list_refuses_an_order_it_does_not_have(five_waves: FakeUnitOfWorkFactory) -> None:
    async with five_waves() as uow:
        with pytest.raises(InvalidInput) as refused:
            await uow.waves.list(NoFilter(), PageRequest(order=Order.ANNOUNCED))

    assert refused.value.field == "orderBy"


async def test_a_cursor_of_another_ordering_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units() as uow:
        with pytest.raises(InvalidInput) as refused:
            await uow.expulsions.list(ExpulsionFilter(), PageRequest(after=("2022-03-01", 1), order=Order.ID))

    assert refused.value.field == "after"


async def test_a_month_precision_measure_matches_a_range_overlapping_its_month(fake_units: FakeUnitOfWorkFactory) -> None:
    await drafts.stored_measure(fake_units, announced=day("2022-03"))

    async with fake_units() as uow:
        late_march = await uow.expulsions.count(ExpulsionFilter(announced=DateRange(date(2022, 3, 15), date(2022, 3, 31))))
        february = await uow.expulsions.count(ExpulsionFilter(announced=DateRange(end=date(2022, 2, 28))))

    assert (late_march, february) == (1, 0)


async def test_expulsion_filters_narrow_like_the_adapter(fake_units: FakeUnitOfWorkFactory) -> None:
    us = await drafts.stored_measure(fake_units, actor="US", target="RU", headcount=Headcount.exactly(12))
    ru = await drafts.stored_measure(fake_units, actor="RU", target="US", headcount=Headcount.unknown(), answers=(us,))
    await drafts.stored_measure(fake_units, actor="PL", target="RU", headcount=Headcount.exactly(45))

    async def ids(filter: ExpulsionFilter) -> list[int | None]:
        async with fake_units() as uow:
            return [measure.id for measure in (await uow.expulsions.list(filter, PageRequest())).items]

    assert await ids(ExpulsionFilter(pair=("RU", "US"))) == [us, ru]
    assert await ids(ExpulsionFilter(party=("US",))) == [us, ru]
    assert await ids(ExpulsionFilter(headcount_max=20)) == [us]
    assert await ids(ExpulsionFilter(answered=True)) == [us]
    assert await ids(ExpulsionFilter(answers_something=True)) == [ru]


async def test_statement_filters_match_speaker_dates_and_stemmed_words(fake_units: FakeUnitOfWorkFactory) -> None:
    dated = await drafts.stored_statement(
        fake_units, speaker_role="Interior Minister", quote="Poland expels 45 diplomats", said_on=day("2022-03")
    )
    undated = await drafts.stored_statement(fake_units, speaker_role="State Department spokesman", quote="an unhelpful step")

    async def ids(filter: StatementFilter) -> list[int | None]:
        async with fake_units() as uow:
            return [said.id for said in (await uow.statements.list(filter, PageRequest())).items]

    assert await ids(StatementFilter(speaker="department")) == [undated]
    assert await ids(StatementFilter(said_on=DateRange(start=date(2022, 3, 20)))) == [dated]
    assert await ids(StatementFilter(search="expelled diplomat")) == [dated]
    with pytest.raises(InvalidInput):
        await ids(StatementFilter(search=" … "))


async def test_alpha3_codes_find_the_current_state(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units() as uow:
        found = await uow.actors.get_by_codes(["RUS", "DE", "SUN"])

    assert {code: actor.code for code, actor in found.items()} == {"RUS": "RU", "DE": "DE", "SUN": "SUHH"}


async def test_a_reference_to_a_missing_record_is_refused_like_a_foreign_key(fake_units: FakeUnitOfWorkFactory) -> None:
    async with fake_units() as uow:
        with pytest.raises(Conflict):
            await uow.expulsions.add(drafts.measure(answers=(99,)))


async def test_linked_ids_come_back_in_id_order(fake_units: FakeUnitOfWorkFactory) -> None:
    first, second = await drafts.stored_diplomat(fake_units), await drafts.stored_diplomat(fake_units)

    measure_id = await drafts.stored_measure(fake_units, diplomat_ids=(second, first))

    async with fake_units() as uow:
        stored = await uow.expulsions.get(measure_id)
    assert stored is not None
    assert stored.diplomat_ids == (first, second)


async def test_measure_search_reads_the_reason_the_codes_and_the_citations_excerpts(fake_units: FakeUnitOfWorkFactory) -> None:
    spies = await drafts.stored_measure(fake_units, stated_reason="Accused of being spies")
    cited = await drafts.stored_measure(fake_units, stated_reason=None)
    source = await drafts.stored_source(fake_units)
    await drafts.stored_citation(fake_units, source_id=source, measure_id=cited, excerpt="Kaminski said so.")

    async def ids(search: str) -> list[int | None]:
        async with fake_units() as uow:
            return [m.id for m in (await uow.expulsions.list(ExpulsionFilter(search=search), PageRequest())).items]

    assert await ids("spies accused") == [spies]
    assert await ids("kaminski") == [cited]
    assert await ids("unstated") == [spies, cited]
    with pytest.raises(InvalidInput):
        await ids(" … ")


async def test_the_fakes_keep_the_lag_filters_as_the_adapters_do(fake_units: FakeUnitOfWorkFactory) -> None:
    await scenarios.lag_filters_keep_answers_certainly_within_the_days(scenarios.Writer(fake_units), fake_units)


async def test_the_fakes_find_disagreeing_sources_as_the_adapters_do(fake_units: FakeUnitOfWorkFactory) -> None:
    await scenarios.sources_disagree_when_they_give_different_figures(scenarios.Writer(fake_units), fake_units)

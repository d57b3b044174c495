"""Keyset pages in id order: forward after a key, backward before a key, and what lies on either side."""

from __future__ import annotations

from domain.read.filters import ExpulsionFilter, NoFilter
from domain.read.pagination import DEFAULT_PAGE_SIZE, Page, PageRequest
from domain.record.expulsions import Wave
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract


async def seven_waves(store: Store) -> list[int]:
    return [wave.id or 0 for wave in await store.add_all(*(drafts.wave(f"wave {n}") for n in range(7)))]


async def page_of_waves(uow_factory: SqlUnitOfWorkFactory, request: PageRequest) -> tuple[list[int], bool, bool]:
    async with uow_factory.reader() as uow:
        page: Page[Wave] = await uow.waves.list(NoFilter(), request)
    return [wave.id or 0 for wave in page.items], page.has_previous, page.has_next


async def test_first_page_has_next_but_no_previous(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(first=3)) == (ids[:3], False, True)


async def test_page_after_a_key_in_the_middle_has_both_neighbours(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(first=2, after=ids[2])) == (ids[3:5], True, True)


async def test_forward_page_reaching_the_end_has_no_next(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(first=3, after=ids[3])) == (ids[4:], True, False)


async def test_forward_page_exactly_as_long_as_the_rest_has_no_next(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(first=7)) == (ids, False, False)


async def test_last_page_without_a_key_is_the_tail_in_ascending_order(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(last=3)) == (ids[4:], True, False)


async def test_backward_page_before_a_key_reaching_the_start_has_no_previous(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(last=5, before=ids[3])) == (ids[:3], False, True)


async def test_backward_page_before_a_key_in_the_middle_has_both_neighbours(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(last=2, before=ids[5])) == (ids[3:5], True, True)


async def test_walking_forward_page_by_page_visits_every_record_once(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    seen: list[int] = []
    after, has_next = None, True
    while has_next:
        items, _, has_next = await page_of_waves(uow_factory, PageRequest(first=3, after=after))
        seen += items
        after = items[-1]
    assert seen == ids


async def test_walking_backward_page_by_page_visits_every_record_once(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    seen: list[int] = []
    before, has_previous = None, True
    while has_previous:
        items, has_previous, _ = await page_of_waves(uow_factory, PageRequest(last=3, before=before))
        seen = items + seen
        before = items[0]
    assert seen == ids


async def test_page_after_the_last_key_is_empty_with_only_a_previous_side(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(first=3, after=ids[-1])) == ([], True, False)


async def test_page_before_the_first_key_is_empty_with_only_a_next_side(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(last=3, before=ids[0])) == ([], False, True)


async def test_empty_table_gives_an_empty_page_with_nothing_on_either_side(uow_factory: SqlUnitOfWorkFactory) -> None:
    assert await page_of_waves(uow_factory, PageRequest(first=5)) == ([], False, False)
    assert await page_of_waves(uow_factory, PageRequest(last=5)) == ([], False, False)


async def test_page_of_size_zero_is_empty_but_says_records_follow(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    await seven_waves(store)
    assert await page_of_waves(uow_factory, PageRequest(first=0)) == ([], False, True)


async def test_page_without_a_size_holds_the_default_number_of_records(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = [wave.id for wave in await store.add_all(*(drafts.wave(f"wave {n}") for n in range(DEFAULT_PAGE_SIZE + 1)))]
    items, has_previous, has_next = await page_of_waves(uow_factory, PageRequest())
    assert (items, has_previous, has_next) == (ids[:DEFAULT_PAGE_SIZE], False, True)


async def test_keys_of_deleted_records_still_work_as_page_boundaries(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = await seven_waves(store)
    async with uow_factory() as uow:
        await uow.waves.delete(ids[3])
        await uow.commit()
    assert await page_of_waves(uow_factory, PageRequest(first=2, after=ids[3])) == (ids[4:6], True, True)
    assert await page_of_waves(uow_factory, PageRequest(last=2, before=ids[3])) == (ids[1:3], True, True)


async def interleaved_measures(store: Store) -> dict[str, list[int]]:
    """US, PL, US, DE, US, PL, US: ids of each actor's measures in insertion order."""
    by_actor: dict[str, list[int]] = {}
    for actor in ["US", "PL", "US", "DE", "US", "PL", "US"]:
        stored = await store.add(drafts.measure(actor=actor))
        by_actor.setdefault(actor, []).append(stored.id or 0)
    return by_actor


async def test_filtered_pages_hold_only_matching_records_and_neighbours_count_only_matches(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    us = (await interleaved_measures(store))["US"]
    only_us = ExpulsionFilter(actor=("US",))
    async with uow_factory.reader() as uow:
        first = await uow.expulsions.list(only_us, PageRequest(first=2))
        second = await uow.expulsions.list(only_us, PageRequest(first=2, after=first.items[-1].id))
        backward = await uow.expulsions.list(only_us, PageRequest(last=1, before=us[1]))
    assert ([m.id for m in first.items], first.has_previous, first.has_next) == (us[:2], False, True)
    assert ([m.id for m in second.items], second.has_previous, second.has_next) == (us[2:], True, False)
    assert ([m.id for m in backward.items], backward.has_previous, backward.has_next) == (us[:1], False, True)


async def test_previous_side_ignores_records_outside_the_filter(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    by_actor = await interleaved_measures(store)
    # At or before the first Polish measure lie only US and Polish ones, so a German page after it has no previous side;
    # after the last US measure lies nothing, so a Polish page before it has no next side.
    async with uow_factory.reader() as uow:
        page = await uow.expulsions.list(ExpulsionFilter(actor=("DE",)), PageRequest(first=5, after=by_actor["PL"][0]))
        polish = await uow.expulsions.list(ExpulsionFilter(actor=("PL",)), PageRequest(last=5, before=by_actor["US"][-1]))
    assert ([m.id for m in page.items], page.has_previous, page.has_next) == (by_actor["DE"], False, False)
    assert ([m.id for m in polish.items], polish.has_next) == (by_actor["PL"], False)


async def test_count_matches_the_filter_and_ignores_paging(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    await interleaved_measures(store)
    async with uow_factory.reader() as uow:
        counts = [await uow.expulsions.count(ExpulsionFilter(actor=(code,))) for code in ("US", "PL", "DE", "FR")]
        total = await uow.expulsions.count(ExpulsionFilter())
    assert (counts, total) == ([4, 2, 1, 0], 7)

"""Following the links around measures: answers up and down, named people, statements and citations."""

from __future__ import annotations

import asyncio
import dataclasses

from domain.record.expulsions import Expulsion
from domain.record.values import PartialDate
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract


async def answering_chain(store: Store) -> list[int]:
    """US -> RU answered by RU -> US, answered by US -> RU, answered by RU -> US: ids from earliest to latest."""
    ids: list[int] = []
    for day, (actor, target) in enumerate([("US", "RU"), ("RU", "US")] * 2, start=1):
        stored = await store.add(drafts.measure(actor=actor, target=target, announced=PartialDate(2022, 3, day), answers=tuple(ids[-1:])))
        ids.append(stored.id or 0)
    return ids


async def answering_diamond(store: Store) -> tuple[int, int, int, int]:
    """US acts; Poland and Germany each answer it; Russia answers both: (us, poland, germany, russia)."""
    us = await store.add(drafts.measure(actor="US", target="RU", announced=PartialDate(2022, 3, 1)))
    poland, germany = await store.add_all(
        drafts.measure(actor="PL", target="RU", announced=PartialDate(2022, 3, 2), answers=(us.id or 0,)),
        drafts.measure(actor="DE", target="RU", announced=PartialDate(2022, 3, 3), answers=(us.id or 0,)),
    )
    russia = await store.add(
        drafts.measure(actor="RU", target="PL", announced=PartialDate(2022, 3, 4), answers=(poland.id or 0, germany.id or 0))
    )
    return us.id or 0, poland.id or 0, germany.id or 0, russia.id or 0


async def test_answered_transitively_follows_a_chain_back_to_its_start(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second, third, fourth = await answering_chain(store)
    async with uow_factory.reader() as uow:
        from_latest = await uow.expulsions.answered_transitively([fourth])
        from_second = await uow.expulsions.answered_transitively([second])
        from_first = await uow.expulsions.answered_transitively([first])
    assert from_latest == {first, second, third}
    assert from_second == {first}
    assert from_first == set()


async def test_answered_transitively_reaches_a_diamonds_top_once_through_both_sides(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    us, poland, germany, russia = await answering_diamond(store)
    async with uow_factory.reader() as uow:
        assert await uow.expulsions.answered_transitively([russia]) == {us, poland, germany}
        assert await uow.expulsions.answered_transitively([germany]) == {us}
        assert await uow.expulsions.answered_transitively([]) == set()


async def test_answered_transitively_unites_what_several_starts_reach(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second, _, _ = await answering_chain(store)
    us, poland, _, _ = await answering_diamond(store)
    async with uow_factory.reader() as uow:
        assert await uow.expulsions.answered_transitively([second, poland]) == {first, us}


async def test_answered_transitively_terminates_on_a_cycle_stored_behind_the_domains_back(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    first, second, _, _ = await answering_chain(store)
    first_measure = await store.get(Expulsion, first)
    assert first_measure is not None
    await store.update(dataclasses.replace(first_measure, answers=(second,)))
    async with uow_factory.reader() as uow:
        reached = await asyncio.wait_for(uow.expulsions.answered_transitively([second]), timeout=10)
    assert {first, second} <= reached


async def test_answering_lists_the_later_measures_for_each_id(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    us, poland, germany, russia = await answering_diamond(store)
    async with uow_factory.reader() as uow:
        found = await uow.expulsions.answering([us, poland, russia, 999_999])
    assert found == {us: [poland, germany], poland: [russia], russia: [], 999_999: []}


async def test_answering_nothing_gives_an_empty_map(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        assert await uow.expulsions.answering([]) == {}


async def test_people_of_measures_are_grouped_by_measure(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second, _ = await store.add_all(drafts.diplomat(name="A"), drafts.diplomat(name="B"), drafts.diplomat(name="C"))
    both, one, nobody = await store.add_all(
        drafts.measure(diplomat_ids=(second.id or 0, first.id or 0)),
        drafts.measure(diplomat_ids=(second.id or 0,)),
        drafts.measure(),
    )
    async with uow_factory.reader() as uow:
        found = await uow.diplomats.of_measures([both.id or 0, one.id or 0, nobody.id or 0])
    assert found == {both.id: [first, second], one.id: [second], nobody.id: []}


async def test_statements_about_measures_are_grouped_and_keep_all_their_links(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second, unspoken = await store.add_all(drafts.measure(), drafts.measure(actor="PL"), drafts.measure(actor="DE"))
    about_both, about_first, _ = await store.add_all(
        drafts.statement(measure_ids=(first.id or 0, second.id or 0)),
        drafts.statement(measure_ids=(first.id or 0,)),
        drafts.statement(speaker_name="Antony Blinken"),
    )
    async with uow_factory.reader() as uow:
        found = await uow.statements.about_measures([first.id or 0, second.id or 0, unspoken.id or 0])
    assert found == {first.id: [about_both, about_first], second.id: [about_both], unspoken.id: []}
    assert found[second.id or 0][0].measure_ids == (first.id, second.id)


async def test_citations_are_grouped_by_measure_and_by_statement(store: Store, uow_factory: SqlUnitOfWorkFactory) -> None:
    first, second, uncited = await store.add_all(drafts.measure(), drafts.measure(actor="PL"), drafts.measure(actor="DE"))
    quoted, unquoted = await store.add_all(drafts.statement(), drafts.statement())
    reuters = await store.add(drafts.source())
    on_first, on_second, again_on_first, on_statement = await store.add_all(
        drafts.citation(source_id=reuters.id, measure_id=first.id),
        drafts.citation(source_id=reuters.id, measure_id=second.id),
        drafts.citation(source_id=reuters.id, measure_id=first.id, excerpt="twelve"),
        drafts.citation(source_id=reuters.id, statement_id=quoted.id),
    )
    async with uow_factory.reader() as uow:
        by_measure = await uow.citations.of_measures([first.id or 0, second.id or 0, uncited.id or 0])
        by_statement = await uow.citations.of_statements([quoted.id or 0, unquoted.id or 0])
        nothing = await uow.citations.of_measures([])
    assert by_measure == {first.id: [on_first, again_on_first], second.id: [on_second], uncited.id: []}
    assert by_statement == {quoted.id: [on_statement], unquoted.id: []}
    assert nothing == {}

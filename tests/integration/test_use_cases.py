"""The domain's use cases against the SQL unit of work, for the rules that span several records."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidInput, NotFound
from domain.expulsions import Expulsion
from domain.filters import CitationFilter
from domain.pagination import PageRequest
from domain.statements import Statement
from domain.use_cases.actors import create_state, update_actor
from domain.use_cases.expulsions import add_person, expulsions, link_answer, unlink_answer
from domain.use_cases.statements import citations, link_statement, sources, statements
from domain.values import PartialDate
from persistence.catalogue import IsoStateCatalogue
from persistence.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.conftest import Store


async def create(units: SqlUnitOfWorkFactory, actor: str, target: str, day: int, *answers: Expulsion) -> Expulsion:
    draft = drafts.measure(actor=actor, target=target, announced=PartialDate(2022, 3, day), answers=tuple(m.id or 0 for m in answers))
    return await expulsions.create(draft, uow=units())


async def three_answering_measures(
    units: SqlUnitOfWorkFactory, days: tuple[int, int, int] = (1, 2, 3)
) -> tuple[Expulsion, Expulsion, Expulsion]:
    """A chain in which each measure answers the one before."""
    first = await create(units, "US", "RU", days[0])
    second = await create(units, "RU", "US", days[1], first)
    third = await create(units, "US", "RU", days[2], second)
    return first, second, third


async def test_measure_named_by_alpha_3_codes_is_stored_under_alpha_2(units: SqlUnitOfWorkFactory) -> None:
    stored = await expulsions.create(drafts.measure(actor="USA", target="RUS"), uow=units())
    assert (stored.actor, stored.target) == ("US", "RU")


async def test_a_link_closing_a_cycle_across_three_measures_is_refused(units: SqlUnitOfWorkFactory, store: Store) -> None:
    # All on one day, so only the cycle, not the order in time, can refuse the link.
    first, _, third = await three_answering_measures(units, days=(23, 23, 23))
    before = await store.row_counts()
    with pytest.raises(InvalidInput, match="cycle") as raised:
        await link_answer(first.id or 0, third.id or 0, uow=units())
    assert raised.value.field == "answers"
    assert await store.row_counts() == before
    assert await store.get(Expulsion, first.id or 0) == first


async def test_a_direct_two_measure_cycle_is_refused_even_on_the_same_day(units: SqlUnitOfWorkFactory) -> None:
    first = await create(units, "US", "RU", 23)
    second = await create(units, "RU", "US", 23, first)
    with pytest.raises(InvalidInput, match="cycle"):
        await link_answer(first.id or 0, second.id or 0, uow=units())


async def test_an_answer_pointing_forward_in_time_is_refused(units: SqlUnitOfWorkFactory) -> None:
    later = await create(units, "US", "RU", 23)
    with pytest.raises(InvalidInput, match="forward in time") as raised:
        await create(units, "RU", "US", 1, later)
    assert raised.value.field == "answers"


async def test_an_answer_within_the_month_of_a_month_precision_measure_is_allowed(units: SqlUnitOfWorkFactory) -> None:
    some_day_in_march = await expulsions.create(drafts.measure(announced=PartialDate(2022, 3)), uow=units())
    answer = await create(units, "RU", "US", 1, some_day_in_march)
    assert answer.answers == (some_day_in_march.id,)


async def test_moving_an_answered_measure_after_its_answer_is_refused(units: SqlUnitOfWorkFactory, store: Store) -> None:
    first, _, _ = await three_answering_measures(units)
    with pytest.raises(InvalidInput, match="forward in time"):
        await expulsions.update(first.id or 0, {"announced": PartialDate(2022, 4)}, uow=units())
    assert await store.get(Expulsion, first.id or 0) == first


async def test_deleting_an_answered_measure_is_a_conflict_and_keeps_both(units: SqlUnitOfWorkFactory, store: Store) -> None:
    _, second, _ = await three_answering_measures(units)
    with pytest.raises(Conflict, match="answered by"):
        await expulsions.delete(second.id or 0, uow=units())
    assert await store.get(Expulsion, second.id or 0) == second


async def test_deleting_the_latest_answer_unlinks_it_from_what_it_answered(units: SqlUnitOfWorkFactory) -> None:
    _, second, third = await three_answering_measures(units)
    await expulsions.delete(third.id or 0, uow=units())
    async with units.reader() as uow:
        assert await uow.expulsions.answering([second.id or 0]) == {second.id: []}


async def test_unlinking_an_answer_lets_the_answered_measure_be_deleted(units: SqlUnitOfWorkFactory, store: Store) -> None:
    _, second, third = await three_answering_measures(units)
    unlinked = await unlink_answer(third.id or 0, second.id or 0, uow=units())
    await expulsions.delete(second.id or 0, uow=units())
    assert unlinked.answers == ()
    assert await store.get(Expulsion, second.id or 0) is None


async def test_deleting_a_measure_removes_its_citations_and_statement_links_but_keeps_the_statements(
    units: SqlUnitOfWorkFactory, store: Store
) -> None:
    doomed = await create(units, "RU", "US", 23)
    kept = await create(units, "PL", "RU", 23)
    reuters = await sources.create(drafts.source(), uow=units())
    about_both = await statements.create(drafts.statement(measure_ids=(doomed.id or 0, kept.id or 0)), uow=units())
    await citations.create(drafts.citation(source_id=reuters.id, measure_id=doomed.id), uow=units())
    statement_citation = await citations.create(drafts.citation(source_id=reuters.id, statement_id=about_both.id), uow=units())

    await expulsions.delete(doomed.id or 0, uow=units())

    async with units.reader() as uow:
        remaining_citations = await uow.citations.list(CitationFilter(), PageRequest(first=100))
        statement = await uow.statements.get(about_both.id or 0)
        about_doomed = await uow.statements.about_measures([doomed.id or 0])
    assert [c.id for c in remaining_citations.items] == [statement_citation.id]
    assert statement is not None
    assert statement.measure_ids == (kept.id,)
    assert about_doomed == {doomed.id: []}
    assert await store.get(type(reuters), reuters.id or 0) == reuters


async def test_deleting_a_cited_source_is_a_conflict(units: SqlUnitOfWorkFactory) -> None:
    measure = await create(units, "US", "RU", 1)
    reuters = await sources.create(drafts.source(), uow=units())
    await citations.create(drafts.citation(source_id=reuters.id, measure_id=measure.id), uow=units())
    with pytest.raises(Conflict, match="still cited"):
        await sources.delete(reuters.id or 0, uow=units())


async def test_citing_a_missing_measure_is_not_found_and_writes_nothing(units: SqlUnitOfWorkFactory, store: Store) -> None:
    reuters = await sources.create(drafts.source(), uow=units())
    before = await store.row_counts()
    with pytest.raises(NotFound) as raised:
        await citations.create(drafts.citation(source_id=reuters.id, measure_id=999_999), uow=units())
    assert raised.value.field == "measureId"
    assert await store.row_counts() == before


async def test_linking_a_statement_twice_to_one_measure_is_a_conflict(units: SqlUnitOfWorkFactory, store: Store) -> None:
    measure = await create(units, "RU", "US", 23)
    said = await statements.create(drafts.statement(), uow=units())
    linked = await link_statement(said.id or 0, measure.id or 0, uow=units())
    with pytest.raises(Conflict, match="already linked"):
        await link_statement(said.id or 0, measure.id or 0, uow=units())
    assert await store.get(Statement, said.id or 0) == linked
    assert linked.measure_ids == (measure.id,)


async def test_naming_a_person_sent_by_another_state_than_the_target_is_refused(units: SqlUnitOfWorkFactory, store: Store) -> None:
    measure = await create(units, "US", "RU", 1)
    american = await store.add(drafts.diplomat(sending_state="US"))
    with pytest.raises(InvalidInput) as raised:
        await add_person(measure.id or 0, american.id or 0, uow=units())
    assert raised.value.field == "diplomatIds"


async def test_a_measure_cannot_target_an_organisation(units: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as raised:
        await expulsions.create(drafts.measure(actor="RU", target="EU"), uow=units())
    assert raised.value.field == "target"


async def test_a_renamed_actor_keeps_its_codes(units: SqlUnitOfWorkFactory) -> None:
    async with units.reader() as uow:
        turkey = (await uow.actors.get_by_codes(["TR"]))["TR"]
    renamed = await update_actor(turkey.id or 0, {"name": "Türkiye"}, uow=units())
    async with units.reader() as uow:
        assert (await uow.actors.get_by_codes(["TUR"]))["TUR"] == renamed
    assert (renamed.name, renamed.code, renamed.alpha3) == ("Türkiye", "TR", "TUR")


async def test_a_state_already_recorded_cannot_be_created_again(units: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(Conflict, match="already exists"):
        await create_state("FRA", uow=units(), catalogue=IsoStateCatalogue())

"""The domain's use cases against the SQL unit of work, for the rules that span several records."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidInput, NotFound
from domain.read.filters import CitationFilter
from domain.read.pagination import PageRequest
from domain.record.expulsions import Expulsion
from domain.record.statements import Statement
from domain.record.values import PartialDate
from domain.use_cases.actors import create_state, update_actor
from domain.use_cases.expulsions import add_person, expulsions, link_answer, unlink_answer
from domain.use_cases.statements import citations, link_statement, sources, statements
from persistence.catalogue import IsoStateCatalogue
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract


async def create(uow_factory: SqlUnitOfWorkFactory, actor: str, target: str, day: int, *answers: Expulsion) -> Expulsion:
    draft = drafts.measure(actor=actor, target=target, announced=PartialDate(2022, 3, day), answers=tuple(m.id or 0 for m in answers))
    return await expulsions.create(draft, uow=uow_factory())


async def three_answering_measures(
    uow_factory: SqlUnitOfWorkFactory, days: tuple[int, int, int] = (1, 2, 3)
) -> tuple[Expulsion, Expulsion, Expulsion]:
    """A chain in which each measure answers the one before."""
    first = await create(uow_factory, "US", "RU", days[0])
    second = await create(uow_factory, "RU", "US", days[1], first)
    third = await create(uow_factory, "US", "RU", days[2], second)
    return first, second, third


async def test_measure_named_by_alpha_3_codes_is_stored_under_alpha_2(uow_factory: SqlUnitOfWorkFactory) -> None:
    stored = await expulsions.create(drafts.measure(actor="USA", target="RUS"), uow=uow_factory())
    assert (stored.actor, stored.target) == ("US", "RU")


async def test_a_link_closing_a_cycle_across_three_measures_is_refused(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    # All on one day, so only the cycle, not the order in time, can refuse the link.
    first, _, third = await three_answering_measures(uow_factory, days=(23, 23, 23))
    before = await store.row_counts()
    with pytest.raises(InvalidInput, match="cycle") as raised:
        await link_answer(first.id or 0, third.id or 0, uow=uow_factory())
    assert raised.value.field == "answers"
    assert await store.row_counts() == before
    assert await store.get(Expulsion, first.id or 0) == first


async def test_a_direct_two_measure_cycle_is_refused_even_on_the_same_day(uow_factory: SqlUnitOfWorkFactory) -> None:
    first = await create(uow_factory, "US", "RU", 23)
    second = await create(uow_factory, "RU", "US", 23, first)
    with pytest.raises(InvalidInput, match="cycle"):
        await link_answer(first.id or 0, second.id or 0, uow=uow_factory())


async def test_an_answer_pointing_forward_in_time_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    later = await create(uow_factory, "US", "RU", 23)
    with pytest.raises(InvalidInput, match="forward in time") as raised:
        await create(uow_factory, "RU", "US", 1, later)
    assert raised.value.field == "answers"


async def test_an_answer_within_the_month_of_a_month_precision_measure_is_allowed(uow_factory: SqlUnitOfWorkFactory) -> None:
    some_day_in_march = await expulsions.create(drafts.measure(announced=PartialDate(2022, 3)), uow=uow_factory())
    answer = await create(uow_factory, "RU", "US", 1, some_day_in_march)
    assert answer.answers == (some_day_in_march.id,)


async def test_moving_an_answered_measure_after_its_answer_is_refused(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    first, _, _ = await three_answering_measures(uow_factory)
    with pytest.raises(InvalidInput, match="forward in time"):
        await expulsions.update(first.id or 0, {"announced": PartialDate(2022, 4)}, uow=uow_factory())
    assert await store.get(Expulsion, first.id or 0) == first


async def test_deleting_an_answered_measure_is_a_conflict_and_keeps_both(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    _, second, _ = await three_answering_measures(uow_factory)
    with pytest.raises(Conflict, match="answered by"):
        await expulsions.delete(second.id or 0, uow=uow_factory())
    assert await store.get(Expulsion, second.id or 0) == second


async def test_deleting_the_latest_answer_unlinks_it_from_what_it_answered(uow_factory: SqlUnitOfWorkFactory) -> None:
    _, second, third = await three_answering_measures(uow_factory)
    await expulsions.delete(third.id or 0, uow=uow_factory())
    async with uow_factory.reader() as uow:
        assert await uow.expulsions.answering([second.id or 0]) == {second.id: []}


async def test_unlinking_an_answer_lets_the_answered_measure_be_deleted(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    _, second, third = await three_answering_measures(uow_factory)
    unlinked = await unlink_answer(third.id or 0, second.id or 0, uow=uow_factory())
    await expulsions.delete(second.id or 0, uow=uow_factory())
    assert unlinked.answers == ()
    assert await store.get(Expulsion, second.id or 0) is None


async def test_deleting_a_measure_removes_its_citations_and_statement_links_but_keeps_the_statements(
    uow_factory: SqlUnitOfWorkFactory, store: Store
) -> None:
    doomed = await create(uow_factory, "RU", "US", 23)
    kept = await create(uow_factory, "PL", "RU", 23)
    reuters = await sources.create(drafts.source(), uow=uow_factory())
    about_both = await statements.create(drafts.statement(measure_ids=(doomed.id or 0, kept.id or 0)), uow=uow_factory())
    await citations.create(drafts.citation(source_id=reuters.id, measure_id=doomed.id), uow=uow_factory())
    statement_citation = await citations.create(drafts.citation(source_id=reuters.id, statement_id=about_both.id), uow=uow_factory())

    await expulsions.delete(doomed.id or 0, uow=uow_factory())

    async with uow_factory.reader() as uow:
        remaining_citations = await uow.citations.list(CitationFilter(), PageRequest(first=100))
        statement = await uow.statements.get(about_both.id or 0)
        about_doomed = await uow.statements.about_measures([doomed.id or 0])
    assert [c.id for c in remaining_citations.items] == [statement_citation.id]
    assert statement is not None
    assert statement.measure_ids == (kept.id,)
    assert about_doomed == {doomed.id: []}
    assert await store.get(type(reuters), reuters.id or 0) == reuters


async def test_deleting_a_cited_source_is_a_conflict(uow_factory: SqlUnitOfWorkFactory) -> None:
    measure = await create(uow_factory, "US", "RU", 1)
    reuters = await sources.create(drafts.source(), uow=uow_factory())
    await citations.create(drafts.citation(source_id=reuters.id, measure_id=measure.id), uow=uow_factory())
    with pytest.raises(Conflict, match="still cited"):
        await sources.delete(reuters.id or 0, uow=uow_factory())


async def test_citing_a_missing_measure_is_not_found_and_writes_nothing(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    reuters = await sources.create(drafts.source(), uow=uow_factory())
    before = await store.row_counts()
    with pytest.raises(NotFound) as raised:
        await citations.create(drafts.citation(source_id=reuters.id, measure_id=999_999), uow=uow_factory())
    assert raised.value.field == "measureId"
    assert await store.row_counts() == before


async def test_linking_a_statement_twice_to_one_measure_is_a_conflict(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    measure = await create(uow_factory, "RU", "US", 23)
    said = await statements.create(drafts.statement(), uow=uow_factory())
    linked = await link_statement(said.id or 0, measure.id or 0, uow=uow_factory())
    with pytest.raises(Conflict, match="already linked"):
        await link_statement(said.id or 0, measure.id or 0, uow=uow_factory())
    assert await store.get(Statement, said.id or 0) == linked
    assert linked.measure_ids == (measure.id,)


async def test_naming_a_person_sent_by_another_state_than_the_target_is_refused(uow_factory: SqlUnitOfWorkFactory, store: Store) -> None:
    measure = await create(uow_factory, "US", "RU", 1)
    american = await store.add(drafts.diplomat(sending_state="US"))
    with pytest.raises(InvalidInput) as raised:
        await add_person(measure.id or 0, american.id or 0, uow=uow_factory())
    assert raised.value.field == "diplomatIds"


async def test_a_measure_cannot_target_an_organisation(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as raised:
        await expulsions.create(drafts.measure(actor="RU", target="EU"), uow=uow_factory())
    assert raised.value.field == "target"


async def test_a_renamed_actor_keeps_its_codes(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        turkey = (await uow.actors.get_by_codes(["TR"]))["TR"]
    renamed = await update_actor(turkey.id or 0, {"name": "Türkiye"}, uow=uow_factory())
    async with uow_factory.reader() as uow:
        assert (await uow.actors.get_by_codes(["TUR"]))["TUR"] == renamed
    assert (renamed.name, renamed.code, renamed.alpha3) == ("Türkiye", "TR", "TUR")


async def test_a_state_already_recorded_cannot_be_created_again(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(Conflict, match="already exists"):
        await create_state("FRA", uow=uow_factory(), catalogue=IsoStateCatalogue())

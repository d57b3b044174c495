"""Statements speak for an actor about measures that exist; sources stay while cited."""

from __future__ import annotations

import pytest

from domain.errors import Conflict
from domain.read.filters import CitationFilter
from domain.record.values import Headcount
from domain.use_cases import expulsions, statements
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


async def test_a_statement_speaks_for_the_canonical_alpha2_code(fake_units: FakeUnitOfWorkFactory) -> None:
    said = await statements.statements.create(drafts.statement(on_behalf_of="usa"), uow=fake_units())

    assert said.on_behalf_of == "US"


async def test_an_organisation_may_speak(fake_units: FakeUnitOfWorkFactory) -> None:
    said = await statements.statements.create(drafts.statement(on_behalf_of="EU"), uow=fake_units())

    assert said.on_behalf_of == "EU"


async def test_a_statement_for_an_unknown_actor_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(statements.statements.create(drafts.statement(on_behalf_of="XX"), uow=fake_units()))

    assert missing.field == "onBehalfOf"


async def test_a_statement_about_an_unknown_measure_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(statements.statements.create(drafts.statement(measure_ids=(12,)), uow=fake_units()))

    assert (missing.entity, missing.field) == ("Expulsion", "measureIds")


async def test_a_statement_about_no_measure_is_stored(fake_units: FakeUnitOfWorkFactory) -> None:
    said = await statements.statements.create(drafts.statement(quote="careful review", measure_ids=()), uow=fake_units())

    assert said.measure_ids == ()
    assert said.id is not None


async def test_link_statement_records_what_the_statement_is_about(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)
    statement_id = await drafts.stored_statement(fake_units)

    linked = await statements.link_statement(statement_id, measure_id, uow=fake_units())

    assert linked.measure_ids == (measure_id,)
    async with fake_units() as uow:
        about = await uow.statements.about_measures([measure_id])
    assert [said.id for said in about[measure_id]] == [statement_id]


async def test_linking_a_statement_to_the_same_measure_twice_is_a_conflict(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)
    statement_id = await drafts.stored_statement(fake_units, measure_ids=(measure_id,))

    with pytest.raises(Conflict):
        await statements.link_statement(statement_id, measure_id, uow=fake_units())


async def test_linking_a_statement_to_an_unknown_measure_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    statement_id = await drafts.stored_statement(fake_units)

    missing = await drafts.not_found_by(statements.link_statement(statement_id, 31, uow=fake_units()))

    assert missing.field == "measureIds"


async def test_unlink_statement_removes_the_link(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)
    statement_id = await drafts.stored_statement(fake_units, measure_ids=(measure_id,))

    unlinked = await statements.unlink_statement(statement_id, measure_id, uow=fake_units())

    assert unlinked.measure_ids == ()


async def test_unlinking_a_statement_from_a_measure_it_is_not_about_is_invalid_input(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)
    statement_id = await drafts.stored_statement(fake_units)

    assert await drafts.field_refused_by(statements.unlink_statement(statement_id, measure_id, uow=fake_units())) == "measureId"


async def test_a_citation_ties_a_source_to_a_measure_with_its_own_figure(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units, headcount=Headcount.exactly(12))
    source_id = await drafts.stored_source(fake_units)

    await drafts.stored_citation(fake_units, source_id=source_id, measure_id=measure_id, reported_headcount=Headcount.exactly(10))

    async with fake_units() as uow:
        cited = (await uow.citations.of_measures([measure_id]))[measure_id]
    assert [(c.source_id, c.reported_headcount) for c in cited] == [(source_id, Headcount.exactly(10))]


async def test_a_citation_of_an_unknown_source_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)

    missing = await drafts.not_found_by(drafts.stored_citation(fake_units, source_id=404, measure_id=measure_id))

    assert (missing.entity, missing.field) == ("Source", "sourceId")


@pytest.mark.parametrize(
    ("subject", "entity", "field"), [("measure_id", "Expulsion", "measureId"), ("statement_id", "Statement", "statementId")]
)
async def test_a_citation_of_an_unknown_subject_is_not_found_naming_the_field(
    fake_units: FakeUnitOfWorkFactory, subject: str, entity: str, field: str
) -> None:
    source_id = await drafts.stored_source(fake_units)

    missing = await drafts.not_found_by(drafts.stored_citation(fake_units, source_id=source_id, **{subject: 404}))

    assert (missing.entity, missing.field) == (entity, field)


async def test_a_cited_source_cannot_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    source_id = await drafts.stored_source(fake_units)
    await drafts.stored_citation(fake_units, source_id=source_id, statement_id=await drafts.stored_statement(fake_units))

    with pytest.raises(Conflict, match="still cited"):
        await statements.sources.delete(source_id, uow=fake_units())


async def test_a_source_no_longer_cited_can_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    source_id = await drafts.stored_source(fake_units)
    citation_id = await drafts.stored_citation(fake_units, source_id=source_id, statement_id=await drafts.stored_statement(fake_units))

    await statements.citations.delete(citation_id, uow=fake_units())
    await statements.sources.delete(source_id, uow=fake_units())

    async with fake_units() as uow:
        assert await uow.sources.get(source_id) is None


async def test_deleting_a_measure_takes_its_citations_and_statement_links_with_it(fake_units: FakeUnitOfWorkFactory) -> None:
    kept, deleted = await drafts.stored_measure(fake_units), await drafts.stored_measure(fake_units, actor="PL")
    statement_id = await drafts.stored_statement(fake_units, measure_ids=(kept, deleted))
    source_id = await drafts.stored_source(fake_units)
    await drafts.stored_citation(fake_units, source_id=source_id, measure_id=deleted)

    await expulsions.expulsions.delete(deleted, uow=fake_units())

    async with fake_units() as uow:
        statement = await uow.statements.get(statement_id)
        assert statement is not None
        assert statement.measure_ids == (kept,)
        assert await uow.citations.count(CitationFilter(source_id=source_id)) == 0


async def test_deleting_a_statement_takes_its_citations_with_it(fake_units: FakeUnitOfWorkFactory) -> None:
    statement_id = await drafts.stored_statement(fake_units)
    source_id = await drafts.stored_source(fake_units)
    await drafts.stored_citation(fake_units, source_id=source_id, statement_id=statement_id)

    await statements.statements.delete(statement_id, uow=fake_units())

    async with fake_units() as uow:
        assert await uow.citations.count(CitationFilter(source_id=source_id)) == 0
    await statements.sources.delete(source_id, uow=fake_units())

"""What every aggregate's create, update and delete share: one transaction, invariants checked again."""

from __future__ import annotations

import pytest

from domain.errors import Conflict
from domain.record.values import Headcount
from domain.use_cases import expulsions, statements
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


async def test_a_created_record_gets_an_id_and_is_read_back_in_a_later_unit_of_work(fake_units: FakeUnitOfWorkFactory) -> None:
    created = await expulsions.expulsions.create(drafts.measure(stated_reason="espionage"), uow=fake_units())

    async with fake_units() as uow:
        stored = await uow.expulsions.get(drafts.id_of(created))

    assert stored == created
    assert created.stated_reason == "espionage"


async def test_update_applies_the_changes_and_keeps_the_rest(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units, headcount=Headcount.unknown())

    updated = await expulsions.expulsions.update(measure_id, {"headcount": Headcount.exactly(12)}, uow=fake_units())

    assert updated.headcount == Headcount.exactly(12)
    assert (updated.actor, updated.target, updated.id) == ("US", "RU", measure_id)
    async with fake_units() as uow:
        assert await uow.expulsions.get(measure_id) == updated


async def test_update_checks_the_entity_invariants_again(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)

    assert await drafts.field_refused_by(expulsions.expulsions.update(measure_id, {"target": "US"}, uow=fake_units())) == "target"


async def test_update_that_would_leave_a_statement_without_speaker_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    statement_id = await drafts.stored_statement(fake_units, speaker_name=None)

    assert (
        await drafts.field_refused_by(statements.statements.update(statement_id, {"speaker_role": "  "}, uow=fake_units())) == "speakerRole"
    )


async def test_a_records_id_cannot_change(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)

    assert await drafts.field_refused_by(expulsions.expulsions.update(measure_id, {"id": measure_id + 1}, uow=fake_units())) == "id"


async def test_an_unknown_field_in_the_changes_is_invalid_input(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)

    assert await drafts.field_refused_by(expulsions.expulsions.update(measure_id, {"casualties": 3}, uow=fake_units())) == "input"


async def test_updating_a_record_that_does_not_exist_is_not_found_naming_the_id(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(statements.sources.update(404, {"title": "Gone"}, uow=fake_units()))

    assert (missing.entity, missing.key, missing.field) == ("Source", 404, "id")


async def test_deleting_a_record_that_does_not_exist_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(expulsions.waves.delete(9, uow=fake_units()))

    assert (missing.entity, missing.field) == ("Wave", "id")


async def test_a_deleted_record_is_gone(fake_units: FakeUnitOfWorkFactory) -> None:
    wave = await expulsions.waves.create(drafts.wave(), uow=fake_units())

    await expulsions.waves.delete(drafts.id_of(wave), uow=fake_units())

    async with fake_units() as uow:
        assert await uow.waves.get(drafts.id_of(wave)) is None


async def test_a_wave_that_measures_belong_to_cannot_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    wave = await expulsions.waves.create(drafts.wave(), uow=fake_units())
    await drafts.stored_measure(fake_units, wave_id=wave.id)

    with pytest.raises(Conflict):
        await expulsions.waves.delete(drafts.id_of(wave), uow=fake_units())

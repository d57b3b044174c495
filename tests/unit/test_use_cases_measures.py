"""A measure refers to actors, a mission, people and a wave that exist and fit its target."""

from __future__ import annotations

import pytest

from domain.errors import Conflict
from domain.record.values import Headcount
from domain.use_cases import expulsions
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


async def test_alpha3_codes_are_stored_as_the_canonical_alpha2(fake_units: FakeUnitOfWorkFactory) -> None:
    created = await expulsions.expulsions.create(drafts.measure(actor="pol", target="RUS"), uow=fake_units())

    assert (created.actor, created.target) == ("PL", "RU")


@pytest.mark.parametrize("field", ["actor", "target"])
async def test_an_unknown_actor_code_is_not_found_naming_the_field(fake_units: FakeUnitOfWorkFactory, field: str) -> None:
    missing = await drafts.not_found_by(expulsions.expulsions.create(drafts.measure(**{field: "ZZ"}), uow=fake_units()))

    assert (missing.entity, missing.key, missing.field) == ("Actor", "ZZ", field)


async def test_the_target_must_be_a_state(fake_units: FakeUnitOfWorkFactory) -> None:
    assert (
        await drafts.field_refused_by(expulsions.expulsions.create(drafts.measure(actor="RU", target="EU"), uow=fake_units())) == "target"
    )


async def test_an_organisation_may_take_a_measure(fake_units: FakeUnitOfWorkFactory) -> None:
    created = await expulsions.expulsions.create(drafts.measure(actor="EU", target="RU"), uow=fake_units())

    assert created.actor == "EU"


async def test_a_former_state_may_be_the_target(fake_units: FakeUnitOfWorkFactory) -> None:
    created = await expulsions.expulsions.create(
        drafts.measure(actor="GB", target="SUHH", announced=drafts.day("1971-09")), uow=fake_units()
    )

    assert created.target == "SUHH"


async def test_a_measure_against_itself_under_another_code_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    assert (
        await drafts.field_refused_by(expulsions.expulsions.create(drafts.measure(actor="USA", target="US"), uow=fake_units())) == "target"
    )


async def test_the_target_mission_must_belong_to_the_target(fake_units: FakeUnitOfWorkFactory) -> None:
    us_embassy = await drafts.stored_mission(fake_units, sending_state="US", host_state="RU", city="Moscow")

    refused = await drafts.field_refused_by(
        expulsions.expulsions.create(drafts.measure(target="RU", target_mission_id=us_embassy), uow=fake_units())
    )
    assert refused == "targetMissionId"


async def test_an_unknown_target_mission_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(expulsions.expulsions.create(drafts.measure(target_mission_id=41), uow=fake_units()))

    assert (missing.entity, missing.field) == ("Mission", "targetMissionId")


async def test_named_people_must_be_sent_by_the_target(fake_units: FakeUnitOfWorkFactory) -> None:
    american = await drafts.stored_diplomat(fake_units, sending_state="US")

    assert (
        await drafts.field_refused_by(expulsions.expulsions.create(drafts.measure(target="RU", diplomat_ids=(american,)), uow=fake_units()))
        == "diplomatIds"
    )


async def test_an_unknown_person_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(expulsions.expulsions.create(drafts.measure(diplomat_ids=(8,)), uow=fake_units()))

    assert (missing.entity, missing.key, missing.field) == ("Diplomat", 8, "diplomatIds")


async def test_an_unknown_wave_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(expulsions.expulsions.create(drafts.measure(wave_id=3), uow=fake_units()))

    assert missing.field == "waveId"


async def test_a_measure_may_belong_to_a_wave(fake_units: FakeUnitOfWorkFactory) -> None:
    wave = await expulsions.waves.create(drafts.wave(), uow=fake_units())

    created = await expulsions.expulsions.create(drafts.measure(actor="PL", wave_id=wave.id), uow=fake_units())

    assert created.wave_id == wave.id


async def test_changing_the_target_checks_the_mission_again(fake_units: FakeUnitOfWorkFactory) -> None:
    russian_embassy = await drafts.stored_mission(fake_units)
    measure_id = await drafts.stored_measure(fake_units, target="RU", target_mission_id=russian_embassy)

    assert await drafts.field_refused_by(expulsions.expulsions.update(measure_id, {"target": "BY"}, uow=fake_units())) == "targetMissionId"


async def test_changing_the_target_to_an_organisation_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)

    assert await drafts.field_refused_by(expulsions.expulsions.update(measure_id, {"target": "UN"}, uow=fake_units())) == "target"


async def test_add_person_names_a_person_of_the_target(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units, headcount=Headcount.exactly(2))
    person_id = await drafts.stored_diplomat(fake_units)

    updated = await expulsions.add_person(measure_id, person_id, uow=fake_units())

    assert updated.diplomat_ids == (person_id,)


async def test_add_person_refuses_a_person_of_another_state(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units, target="RU")
    pole = await drafts.stored_diplomat(fake_units, sending_state="PL")

    assert await drafts.field_refused_by(expulsions.add_person(measure_id, pole, uow=fake_units())) == "diplomatIds"


async def test_add_person_beyond_an_exact_headcount_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    first, second = await drafts.stored_diplomat(fake_units), await drafts.stored_diplomat(fake_units)
    measure_id = await drafts.stored_measure(fake_units, headcount=Headcount.exactly(1), diplomat_ids=(first,))

    assert await drafts.field_refused_by(expulsions.add_person(measure_id, second, uow=fake_units())) == "diplomatIds"


async def test_add_person_twice_is_a_conflict(fake_units: FakeUnitOfWorkFactory) -> None:
    person_id = await drafts.stored_diplomat(fake_units)
    measure_id = await drafts.stored_measure(fake_units, diplomat_ids=(person_id,))

    with pytest.raises(Conflict):
        await expulsions.add_person(measure_id, person_id, uow=fake_units())


async def test_remove_person_takes_the_person_off_the_measure(fake_units: FakeUnitOfWorkFactory) -> None:
    first, second = await drafts.stored_diplomat(fake_units), await drafts.stored_diplomat(fake_units)
    measure_id = await drafts.stored_measure(fake_units, diplomat_ids=(first, second))

    updated = await expulsions.remove_person(measure_id, first, uow=fake_units())

    assert updated.diplomat_ids == (second,)


async def test_remove_person_not_named_is_invalid_input(fake_units: FakeUnitOfWorkFactory) -> None:
    person_id = await drafts.stored_diplomat(fake_units)
    measure_id = await drafts.stored_measure(fake_units)

    assert await drafts.field_refused_by(expulsions.remove_person(measure_id, person_id, uow=fake_units())) == "diplomatId"


async def test_a_measure_others_answer_cannot_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    action = await drafts.stored_measure(fake_units)
    await drafts.stored_measure(fake_units, actor="RU", target="US", answers=(action,))

    with pytest.raises(Conflict, match="answered by"):
        await expulsions.expulsions.delete(action, uow=fake_units())


async def test_a_measure_that_answers_others_can_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    action = await drafts.stored_measure(fake_units)
    reaction = await drafts.stored_measure(fake_units, actor="RU", target="US", answers=(action,))

    await expulsions.expulsions.delete(reaction, uow=fake_units())

    async with fake_units() as uow:
        assert await uow.expulsions.get(reaction) is None
        assert await uow.expulsions.answering([action]) == {action: []}

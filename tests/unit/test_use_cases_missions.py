"""Missions sit between two states; the people who serve at one are sent by its sending state."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidInput
from domain.record.missions import MissionKind
from domain.use_cases import missions
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


async def test_a_mission_is_stored_with_canonical_alpha2_codes(fake_units: FakeUnitOfWorkFactory) -> None:
    post = await missions.missions.create(
        drafts.mission(sending_state="rus", host_state="USA", kind=MissionKind.PERMANENT_MISSION, accredited_to="un"), uow=fake_units()
    )

    assert (post.sending_state, post.host_state, post.accredited_to) == ("RU", "US", "UN")


@pytest.mark.parametrize(("field", "changes"), [("sendingState", {"sending_state": "QQ"}), ("hostState", {"host_state": "QQQ"})])
async def test_an_unknown_state_of_a_mission_is_not_found_naming_the_field(
    fake_units: FakeUnitOfWorkFactory, field: str, changes: dict[str, str]
) -> None:
    missing = await drafts.not_found_by(missions.missions.create(drafts.mission(**changes), uow=fake_units()))

    assert (missing.entity, missing.field) == ("Actor", field)


async def test_an_unknown_accreditation_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(
        missions.missions.create(drafts.mission(kind=MissionKind.PERMANENT_MISSION, accredited_to="WHO"), uow=fake_units())
    )

    assert missing.field == "accreditedTo"


async def test_an_organisation_cannot_host_a_mission(fake_units: FakeUnitOfWorkFactory) -> None:
    assert await drafts.field_refused_by(missions.missions.create(drafts.mission(host_state="EU"), uow=fake_units())) == "hostState"


async def test_a_mission_hosted_by_its_sending_state_under_another_code_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    assert (
        await drafts.field_refused_by(missions.missions.create(drafts.mission(sending_state="RUS", host_state="RU"), uow=fake_units()))
        == "hostState"
    )


async def test_a_diplomat_is_stored_with_the_canonical_sending_state(fake_units: FakeUnitOfWorkFactory) -> None:
    mission_id = await drafts.stored_mission(fake_units)

    person = await missions.diplomats.create(drafts.diplomat(sending_state="RUS", mission_id=mission_id), uow=fake_units())

    assert (person.sending_state, person.mission_id) == ("RU", mission_id)


async def test_a_diplomat_serves_only_at_a_mission_of_their_sending_state(fake_units: FakeUnitOfWorkFactory) -> None:
    us_embassy = await drafts.stored_mission(fake_units, sending_state="US", host_state="RU", city="Moscow")

    refused = await drafts.field_refused_by(
        missions.diplomats.create(drafts.diplomat(sending_state="RU", mission_id=us_embassy), uow=fake_units())
    )
    assert refused == "missionId"


async def test_a_diplomat_at_an_unknown_mission_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(missions.diplomats.create(drafts.diplomat(mission_id=77), uow=fake_units()))

    assert (missing.entity, missing.field) == ("Mission", "missionId")


async def test_a_diplomat_is_sent_by_a_state_not_an_organisation(fake_units: FakeUnitOfWorkFactory) -> None:
    assert await drafts.field_refused_by(missions.diplomats.create(drafts.diplomat(sending_state="UN"), uow=fake_units())) == "sendingState"


async def test_moving_a_diplomat_to_another_states_mission_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    person_id = await drafts.stored_diplomat(fake_units)
    us_embassy = await drafts.stored_mission(fake_units, sending_state="US", host_state="RU")

    assert await drafts.field_refused_by(missions.diplomats.update(person_id, {"mission_id": us_embassy}, uow=fake_units())) == "missionId"


async def test_a_mission_where_people_serve_cannot_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    mission_id = await drafts.stored_mission(fake_units)
    await drafts.stored_diplomat(fake_units, mission_id=mission_id)

    with pytest.raises(Conflict):
        await missions.missions.delete(mission_id, uow=fake_units())


async def test_a_diplomat_named_in_a_measure_cannot_change_sending_state_away_from_its_target(fake_units: FakeUnitOfWorkFactory) -> None:
    person_id = await drafts.stored_diplomat(fake_units, sending_state="RU")
    await drafts.stored_measure(fake_units, target="RU", diplomat_ids=(person_id,))

    with pytest.raises(InvalidInput):
        await missions.diplomats.update(person_id, {"sending_state": "BY"}, uow=fake_units())


async def test_a_mission_where_people_serve_cannot_change_sending_state(fake_units: FakeUnitOfWorkFactory) -> None:
    mission_id = await drafts.stored_mission(fake_units, sending_state="RU")
    await drafts.stored_diplomat(fake_units, sending_state="RU", mission_id=mission_id)

    with pytest.raises(InvalidInput):
        await missions.missions.update(mission_id, {"sending_state": "BY"}, uow=fake_units())


async def test_a_mission_nobody_serves_at_or_is_expelled_from_can_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    mission_id = await drafts.stored_mission(fake_units)

    await missions.missions.delete(mission_id, uow=fake_units())

    async with fake_units() as uow:
        assert await uow.missions.get(mission_id) is None


async def test_a_diplomat_named_in_a_measure_cannot_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    person_id = await drafts.stored_diplomat(fake_units)
    await drafts.stored_measure(fake_units, diplomat_ids=(person_id,))

    with pytest.raises(Conflict):
        await missions.diplomats.delete(person_id, uow=fake_units())

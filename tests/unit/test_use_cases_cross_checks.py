"""The cross-record checks of the use cases look at the records they concern, and only those, and refuse naming the input field."""

from __future__ import annotations

import dataclasses

import pytest

from domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from domain.record.history import ChangeAction
from domain.record.memberships import Membership
from domain.record.sources import Citation
from domain.record.values import PartialDate
from domain.use_cases import expulsions, memberships, missions, statements
from domain.use_cases.memberships import MOST_SPELLS
from tests import drafts
from tests.drafts import day
from tests.fakes import FakeUnitOfWorkFactory


async def test_an_unknown_answered_measure_is_not_found_as_an_expulsion_naming_answers(fake_units: FakeUnitOfWorkFactory) -> None:
    measure = await drafts.stored_measure(fake_units)

    missing = await drafts.not_found_by(expulsions.link_answer(measure, 404, uow=fake_units()))

    assert (missing.entity, missing.key, missing.field) == ("Expulsion", 404, "answers")


async def test_an_unknown_wave_is_not_found_as_a_wave_naming_wave_id(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(expulsions.expulsions.create(drafts.measure(wave_id=77), uow=fake_units()))

    assert (missing.entity, missing.key, missing.field) == ("Wave", 77, "waveId")


async def test_a_mission_is_sent_by_a_state_not_an_organisation(fake_units: FakeUnitOfWorkFactory) -> None:
    refused = await drafts.field_refused_by(missions.missions.create(drafts.mission(sending_state="EU", host_state="BE"), uow=fake_units()))

    assert refused == "sendingState"


async def test_people_serving_at_a_mission_keep_it_to_their_sending_state(fake_units: FakeUnitOfWorkFactory) -> None:
    mission = await drafts.stored_mission(fake_units, sending_state="RU")
    await drafts.stored_diplomat(fake_units, sending_state="RU", mission_id=mission)

    refused = await drafts.field_refused_by(missions.missions.update(mission, {"sending_state": "BY"}, uow=fake_units()))
    renamed = await missions.missions.update(mission, {"sending_state": "ru", "city": "New York"}, uow=fake_units())

    assert refused == "sendingState"
    assert (renamed.sending_state, renamed.city) == ("RU", "New York")


async def test_a_measure_aimed_at_a_mission_keeps_it_to_the_measures_target(fake_units: FakeUnitOfWorkFactory) -> None:
    mission = await drafts.stored_mission(fake_units, sending_state="RU", host_state="US")
    await drafts.stored_measure(fake_units, actor="US", target="RU", target_mission_id=mission)

    refused = await drafts.field_refused_by(missions.missions.update(mission, {"sending_state": "BY"}, uow=fake_units()))
    renamed = await missions.missions.update(mission, {"city": "Washington, D.C."}, uow=fake_units())

    assert refused == "sendingState"
    assert renamed.city == "Washington, D.C."


async def test_a_mission_nobody_serves_at_may_change_its_sending_state_whatever_other_missions_hold(
    fake_units: FakeUnitOfWorkFactory,
) -> None:
    american = await drafts.stored_mission(fake_units, sending_state="US", host_state="RU")
    await drafts.stored_diplomat(fake_units, sending_state="US", mission_id=american)
    await drafts.stored_measure(fake_units, actor="RU", target="US", target_mission_id=american)
    empty = await drafts.stored_mission(fake_units, sending_state="RU", host_state="FR", city="Paris")

    moved = await missions.missions.update(empty, {"sending_state": "PL"}, uow=fake_units())

    assert moved.sending_state == "PL"


async def test_a_person_no_measure_names_may_change_sending_state_whatever_other_measures_hold(fake_units: FakeUnitOfWorkFactory) -> None:
    await drafts.stored_measure(fake_units, actor="RU", target="US")
    person = await drafts.stored_diplomat(fake_units, sending_state="RU")

    moved = await missions.diplomats.update(person, {"sending_state": "by"}, uow=fake_units())
    renamed = await missions.diplomats.update(person, {"name": "A. N. Other"}, uow=fake_units())

    assert moved.sending_state == "BY"
    assert (renamed.sending_state, renamed.name) == ("BY", "A. N. Other")


async def test_a_person_a_measure_names_keeps_the_measures_target_as_sending_state(fake_units: FakeUnitOfWorkFactory) -> None:
    person = await drafts.stored_diplomat(fake_units, sending_state="RU")
    await drafts.stored_measure(fake_units, target="RU", diplomat_ids=(person,))

    refused = await drafts.field_refused_by(missions.diplomats.update(person, {"sending_state": "BY"}, uow=fake_units()))
    renamed = await missions.diplomats.update(person, {"name": "A. N. Other"}, uow=fake_units())

    assert refused == "sendingState"
    assert renamed.name == "A. N. Other"


async def test_a_source_nobody_cites_may_be_deleted_while_others_are_cited(fake_units: FakeUnitOfWorkFactory) -> None:
    cited = await drafts.stored_source(fake_units)
    uncited = await drafts.stored_source(fake_units, title="Another report")
    await drafts.stored_citation(fake_units, source_id=cited, measure_id=await drafts.stored_measure(fake_units))

    await statements.sources.delete(uncited, uow=fake_units())
    with pytest.raises(Conflict) as refused:
        await statements.sources.delete(cited, uow=fake_units())

    assert refused.value.message
    async with fake_units() as uow:
        assert await uow.sources.get(uncited) is None
        assert await uow.sources.get(cited) is not None


async def test_a_deleted_statements_citations_go_with_it_each_in_the_history(fake_units: FakeUnitOfWorkFactory) -> None:
    source = await drafts.stored_source(fake_units)
    statement = await drafts.stored_statement(fake_units)
    other = await drafts.stored_statement(fake_units, speaker_name="Someone else")
    gone = [await drafts.stored_citation(fake_units, source_id=source, statement_id=statement) for _ in range(2)]
    kept = await drafts.stored_citation(fake_units, source_id=source, statement_id=other)

    await statements.statements.delete(statement, uow=fake_units())

    async with fake_units() as uow:
        assert [await uow.citations.get(id) for id in gone] == [None, None]
        assert await uow.citations.get(kept) is not None
    assert [(e.entity, e.action, e.record_id) for e in fake_units.history()[-3:]] == [
        ("Citation", ChangeAction.DELETE, gone[0]),
        ("Citation", ChangeAction.DELETE, gone[1]),
        ("Statement", ChangeAction.DELETE, statement),
    ]


def spell(**fields: object) -> Membership:
    values: dict[str, object] = {
        "organisation": "EU",
        "state": "GB",
        "joined": PartialDate(1973, 1, 1),
        "source_publisher": "EU",
        "source_title": "Members",
    }
    return Membership(**(values | fields))  # type: ignore[arg-type]


async def test_a_spell_is_stored_with_the_canonical_codes_of_both_sides(fake_units: FakeUnitOfWorkFactory) -> None:
    made = await memberships.add_membership(spell(organisation="eu", state="gbr"), uow=fake_units())

    assert (made.organisation, made.state) == ("EU", "GB")


def yearly(year: int, **fields: object) -> Membership:
    return spell(joined=PartialDate(year), left=PartialDate(year), **fields)


async def test_an_overlap_is_found_past_the_first_page_of_spells(fake_units: FakeUnitOfWorkFactory) -> None:
    for year in range(1900, 1900 + 21):
        await memberships.add_membership(yearly(year), uow=fake_units())

    with pytest.raises(Conflict) as refused:
        await memberships.add_membership(yearly(1920), uow=fake_units())

    assert refused.value.message


@pytest.mark.parametrize("elsewhere", [{"organisation": "NATO"}, {"state": "FR"}], ids=["same state elsewhere", "other states"])
async def test_an_overlap_is_found_however_many_spells_other_pairs_hold(
    fake_units: FakeUnitOfWorkFactory, elsewhere: dict[str, str]
) -> None:
    for year in range(1800, 1800 + MOST_SPELLS):
        await memberships.add_membership(yearly(year, **elsewhere), uow=fake_units())
    await memberships.add_membership(spell(joined=PartialDate(1973, 1, 1), left=PartialDate(2020, 1, 31)), uow=fake_units())

    with pytest.raises(Conflict):
        await memberships.add_membership(spell(joined=PartialDate(2019)), uow=fake_units())


async def test_an_edit_may_set_neither_the_id_nor_the_version(fake_units: FakeUnitOfWorkFactory) -> None:
    measure = await drafts.stored_measure(fake_units)

    for fixed in ("id", "version"):
        assert await drafts.field_refused_by(expulsions.expulsions.update(measure, {fixed: 9}, uow=fake_units())) == fixed


async def test_a_delete_based_on_an_old_version_names_the_kind_and_the_record(fake_units: FakeUnitOfWorkFactory) -> None:
    measure = await drafts.stored_measure(fake_units)
    await expulsions.expulsions.update(measure, {"stated_reason": "edited"}, uow=fake_units())

    with pytest.raises(StaleVersion) as refused:
        await expulsions.expulsions.delete(measure, uow=fake_units(), expected_version=1)
    await expulsions.expulsions.delete(measure, uow=fake_units(), expected_version=2)

    assert (refused.value.entity, refused.value.key, refused.value.expected, refused.value.current) == ("Expulsion", measure, 1, 2)
    async with fake_units() as uow:
        assert await uow.expulsions.get(measure) is None


@pytest.mark.parametrize("code", ["", "1", "U-S", "ABCDEFGHIJKLMNOPQRSTU"])
async def test_what_cannot_be_an_actor_code_is_refused_naming_the_field(fake_units: FakeUnitOfWorkFactory, code: str) -> None:
    assert await drafts.field_refused_by(expulsions.expulsions.create(drafts.measure(target=code), uow=fake_units())) == "target"
    assert await drafts.field_refused_by(missions.missions.create(drafts.mission(host_state=code), uow=fake_units())) == "hostState"


async def test_a_state_cannot_stand_for_an_organisation_in_a_spell(fake_units: FakeUnitOfWorkFactory) -> None:
    assert await drafts.field_refused_by(memberships.add_membership(spell(organisation="FR"), uow=fake_units())) == "organisation"
    assert await drafts.field_refused_by(memberships.add_membership(spell(state="NATO"), uow=fake_units())) == "state"


async def test_an_update_of_an_unknown_field_is_refused_naming_the_input(fake_units: FakeUnitOfWorkFactory) -> None:
    measure = await drafts.stored_measure(fake_units)

    assert await drafts.field_refused_by(expulsions.expulsions.update(measure, {"colour": "red"}, uow=fake_units())) == "input"


async def test_an_update_keeps_what_it_does_not_change(fake_units: FakeUnitOfWorkFactory) -> None:
    created = await expulsions.expulsions.create(drafts.measure(stated_reason="kept", announced=day("2022-03")), uow=fake_units())

    updated = await expulsions.expulsions.update(drafts.id_of(created), {"headcount": created.headcount}, uow=fake_units())

    assert updated == dataclasses.replace(created, version=2)


async def test_not_found_names_the_kind_and_the_id(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(NotFound) as missing:
        await missions.diplomats.update(31, {"name": "x"}, uow=fake_units())

    assert (missing.value.entity, missing.value.key, missing.value.field) == ("Diplomat", 31, "id")


async def test_a_citation_names_a_source_and_what_it_backs_that_exist(fake_units: FakeUnitOfWorkFactory) -> None:
    source = await drafts.stored_source(fake_units)
    measure = await drafts.stored_measure(fake_units)
    for values, entity, field in [
        ({"source_id": 5, "measure_id": measure}, "Source", "sourceId"),
        ({"source_id": source, "measure_id": 6}, "Expulsion", "measureId"),
        ({"source_id": source, "statement_id": 7}, "Statement", "statementId"),
    ]:
        missing = await drafts.not_found_by(statements.citations.create(Citation(**values), uow=fake_units()))  # type: ignore[arg-type]
        assert (missing.entity, missing.field) == (entity, field)


async def test_a_refusal_carries_a_message(fake_units: FakeUnitOfWorkFactory) -> None:
    measure = await drafts.stored_measure(fake_units)
    with pytest.raises(InvalidInput) as refused:
        await expulsions.unlink_answer(measure, 3, uow=fake_units())
    with pytest.raises(Conflict) as conflict:
        await expulsions.link_answer(
            await drafts.stored_measure(fake_units, actor="RU", target="US", answers=(measure,)), measure, uow=fake_units()
        )

    assert isinstance(refused.value.message, str)
    assert refused.value.message
    assert isinstance(conflict.value.message, str)
    assert conflict.value.message

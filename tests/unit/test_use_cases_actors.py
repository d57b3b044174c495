"""States come from ISO 3166, organisations are created by hand, and codes and kinds never change."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest

from domain.errors import Conflict, StaleVersion
from domain.read.filters import MembershipFilter
from domain.read.pagination import PageRequest
from domain.record.actors import Actor, ActorKind
from domain.record.history import ChangeAction
from domain.record.memberships import Membership
from domain.record.values import PartialDate
from domain.use_cases import actors
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


async def test_create_organisation_records_an_organisation(fake_units: FakeUnitOfWorkFactory) -> None:
    created = await actors.create_organisation(drafts.organisation(), uow=fake_units())

    assert (created.code, created.kind) == ("ASEAN", ActorKind.ORGANISATION)
    assert await drafts.actor_id(fake_units, "ASEAN") == created.id


async def test_create_organisation_refuses_a_state(fake_units: FakeUnitOfWorkFactory) -> None:
    assert (
        await drafts.field_refused_by(actors.create_organisation(drafts.organisation(code="VA", kind=ActorKind.STATE), uow=fake_units()))
        == "kind"
    )


@pytest.mark.parametrize("code", ["EU", "RU", "RUS"])
async def test_create_organisation_refuses_a_code_an_actor_already_answers_to(fake_units: FakeUnitOfWorkFactory, code: str) -> None:
    with pytest.raises(Conflict) as refused:
        await actors.create_organisation(drafts.organisation(code=code), uow=fake_units())

    assert refused.value.message


async def test_update_actor_renames(fake_units: FakeUnitOfWorkFactory) -> None:
    renamed = await actors.update_actor(await drafts.actor_id(fake_units, "EU"), {"name": " The European Union "}, uow=fake_units())

    assert (renamed.code, renamed.name) == ("EU", "The European Union")


@pytest.mark.parametrize(("field", "value"), [("code", "EEC"), ("kind", ActorKind.STATE), ("alpha3", "EUR"), ("dissolved", None)])
async def test_update_actor_refuses_to_change_codes_or_kind_naming_the_field(
    fake_units: FakeUnitOfWorkFactory, field: str, value: object
) -> None:
    refused = await drafts.field_refused_by(
        actors.update_actor(await drafts.actor_id(fake_units, "EU"), {field: value, "name": "EEC"}, uow=fake_units())
    )
    assert refused == field


async def test_update_actor_refuses_a_blank_name(fake_units: FakeUnitOfWorkFactory) -> None:
    assert (
        await drafts.field_refused_by(actors.update_actor(await drafts.actor_id(fake_units, "UN"), {"name": " "}, uow=fake_units()))
        == "name"
    )


async def test_an_actor_nothing_refers_to_can_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    await actors.delete_actor(await drafts.actor_id(fake_units, "OSCE"), uow=fake_units())

    async with fake_units() as uow:
        assert await uow.actors.get_by_codes(["OSCE"]) == {}


async def test_an_actor_a_measure_refers_to_cannot_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    await drafts.stored_measure(fake_units, actor="PL", target="RU")

    with pytest.raises(Conflict):
        await actors.delete_actor(await drafts.actor_id(fake_units, "PL"), uow=fake_units())

    assert await drafts.actor_id(fake_units, "PL") > 0


class Catalogue:
    """A StateCatalogue of a few states, keyed by every code each answers to."""

    def __init__(self, *states: Actor) -> None:
        self.states = states

    def all_states(self) -> Iterable[Actor]:
        return [dataclasses.replace(state) for state in self.states]

    def lookup(self, code: str) -> Actor | None:
        found = [state for state in self.states if code in (state.code, state.alpha3)]
        return dataclasses.replace(found[0]) if found else None


FRANCE = Actor(code="FR", kind=ActorKind.STATE, name="France", alpha3="FRA", numeric="250")
MALTA = Actor(code="MT", kind=ActorKind.STATE, name="Malta", alpha3="MLT", numeric="470")


async def test_create_state_adds_the_catalogues_state_under_any_of_its_codes_and_records_it() -> None:
    units = FakeUnitOfWorkFactory()

    created = await actors.create_state(" fra ", uow=units(), catalogue=Catalogue(FRANCE, MALTA))

    assert (created.code, created.name, created.alpha3, created.version) == ("FR", "France", "FRA", 1)
    assert await drafts.actor_id(units, "FR") == created.id
    assert [(e.entity, e.action, e.record_id) for e in units.history()] == [("Actor", ChangeAction.CREATE, created.id)]


async def test_create_state_refuses_a_state_the_record_holds() -> None:
    units = FakeUnitOfWorkFactory()
    await actors.create_state("FR", uow=units(), catalogue=Catalogue(FRANCE))

    with pytest.raises(Conflict) as refused:
        await actors.create_state("FR", uow=units(), catalogue=Catalogue(FRANCE))

    assert refused.value.message


async def test_create_state_of_a_code_outside_the_catalogue_is_not_found_naming_the_code() -> None:
    missing = await drafts.not_found_by(actors.create_state("mt", uow=FakeUnitOfWorkFactory()(), catalogue=Catalogue(FRANCE)))

    assert (missing.entity, missing.key, missing.field) == ("State", "MT", "code")


async def test_create_state_of_what_cannot_be_a_code_is_refused_naming_the_code() -> None:
    assert await drafts.field_refused_by(actors.create_state("1", uow=FakeUnitOfWorkFactory()(), catalogue=Catalogue(FRANCE))) == "code"


async def test_reference_states_fill_an_empty_record_once_without_history() -> None:
    units = FakeUnitOfWorkFactory()
    union = drafts.organisation(code="EU", name="European Union")
    spell = Membership(organisation="EU", state="FR", joined=PartialDate(1958, 1, 1), source_publisher="EU", source_title="Members")

    loaded = await actors.load_reference_states(uow=units(), catalogue=Catalogue(FRANCE, MALTA), organisations=[union], memberships=[spell])
    again = await actors.load_reference_states(uow=units(), catalogue=Catalogue(FRANCE, MALTA), organisations=[union], memberships=[spell])

    assert (loaded, again) == (3, 0)
    async with units() as uow:
        assert sorted(await uow.actors.get_by_codes(["FR", "MT", "EU"])) == ["EU", "FR", "MT"]
        spells = await uow.memberships.list(MembershipFilter(organisation="EU"), PageRequest(first=10))
    assert [(s.organisation, s.state, s.joined) for s in spells.items] == [("EU", "FR", PartialDate(1958, 1, 1))]
    assert units.history() == []


async def test_update_actor_names_the_first_fixed_field_in_alphabetical_order(fake_units: FakeUnitOfWorkFactory) -> None:
    eu = await drafts.actor_id(fake_units, "EU")

    refused = await drafts.field_refused_by(actors.update_actor(eu, {"numeric": "999", "code": "EEC", "alpha3": "EUR"}, uow=fake_units()))

    assert refused == "alpha3"


async def test_update_actor_checks_the_version_it_was_based_on(fake_units: FakeUnitOfWorkFactory) -> None:
    eu = await drafts.actor_id(fake_units, "EU")
    first = await actors.update_actor(eu, {"name": "Union"}, uow=fake_units())

    with pytest.raises(StaleVersion) as refused:
        await actors.update_actor(eu, {"name": "Lost"}, uow=fake_units(), expected_version=first.version - 1)
    renamed = await actors.update_actor(eu, {"name": "European Union"}, uow=fake_units(), expected_version=first.version)

    assert (refused.value.expected, refused.value.current) == (first.version - 1, first.version)
    assert (renamed.name, renamed.version) == ("European Union", first.version + 1)


async def test_reference_states_are_not_loaded_into_a_record_holding_even_one_actor() -> None:
    units = FakeUnitOfWorkFactory([MALTA])

    loaded = await actors.load_reference_states(uow=units(), catalogue=Catalogue(FRANCE, MALTA), organisations=[])

    assert loaded == 0
    async with units() as uow:
        assert await uow.actors.get_by_codes(["FR"]) == {}

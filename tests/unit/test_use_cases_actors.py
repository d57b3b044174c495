"""States come from ISO 3166, organisations are created by hand, and codes and kinds never change."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidInput, NotFound
from domain.read.filters import ActorFilter
from domain.record.actors import ActorKind
from domain.use_cases import actors
from persistence.catalogue import ORGANISATIONS, IsoStateCatalogue
from tests.fakes import FakeUnitOfWorkFactory
from tests.unit import drafts


async def actor_id(uow_factory: FakeUnitOfWorkFactory, code: str) -> int:
    async with uow_factory() as uow:
        found = (await uow.actors.get_by_codes([code])).get(code)
    assert found is not None, f"{code} is not in the record"
    return drafts.id_of(found)


async def test_create_organisation_records_an_organisation(fake_units: FakeUnitOfWorkFactory) -> None:
    created = await actors.create_organisation(drafts.organisation(), uow=fake_units())

    assert (created.code, created.kind) == ("ASEAN", ActorKind.ORGANISATION)
    assert await actor_id(fake_units, "ASEAN") == created.id


async def test_create_organisation_refuses_a_state(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as refused:
        await actors.create_organisation(drafts.organisation(code="VA", kind=ActorKind.STATE), uow=fake_units())

    assert refused.value.field == "kind"


@pytest.mark.parametrize("code", ["EU", "RU", "RUS"])
async def test_create_organisation_refuses_a_code_an_actor_already_answers_to(fake_units: FakeUnitOfWorkFactory, code: str) -> None:
    with pytest.raises(Conflict):
        await actors.create_organisation(drafts.organisation(code=code), uow=fake_units())


async def test_create_state_resolves_an_alpha3_code_to_the_canonical_alpha2(fake_units: FakeUnitOfWorkFactory) -> None:
    await actors.delete_actor(await actor_id(fake_units, "AQ"), uow=fake_units())

    created = await actors.create_state("ata", uow=fake_units(), catalogue=IsoStateCatalogue())

    assert (created.code, created.alpha3, created.kind) == ("AQ", "ATA", ActorKind.STATE)


async def test_create_state_restores_a_former_state_by_its_iso_3166_3_code(fake_units: FakeUnitOfWorkFactory) -> None:
    await actors.delete_actor(await actor_id(fake_units, "SUHH"), uow=fake_units())

    created = await actors.create_state("SUHH", uow=fake_units(), catalogue=IsoStateCatalogue())

    assert (created.code, created.kind) == ("SUHH", ActorKind.FORMER_STATE)


async def test_create_state_refuses_a_state_already_recorded(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(Conflict):
        await actors.create_state("POL", uow=fake_units(), catalogue=IsoStateCatalogue())


async def test_create_state_of_a_code_iso_does_not_know_is_not_found_naming_the_code(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(NotFound) as missing:
        await actors.create_state("qq", uow=fake_units(), catalogue=IsoStateCatalogue())

    assert (missing.value.key, missing.value.field) == ("QQ", "code")


async def test_create_state_refuses_what_cannot_be_a_code(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as refused:
        await actors.create_state("R-U", uow=fake_units(), catalogue=IsoStateCatalogue())

    assert refused.value.field == "code"


async def test_update_actor_renames(fake_units: FakeUnitOfWorkFactory) -> None:
    renamed = await actors.update_actor(await actor_id(fake_units, "EU"), {"name": " The European Union "}, uow=fake_units())

    assert (renamed.code, renamed.name) == ("EU", "The European Union")


@pytest.mark.parametrize(("field", "value"), [("code", "EEC"), ("kind", ActorKind.STATE), ("alpha3", "EUR"), ("dissolved", None)])
async def test_update_actor_refuses_to_change_codes_or_kind_naming_the_field(
    fake_units: FakeUnitOfWorkFactory, field: str, value: object
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await actors.update_actor(await actor_id(fake_units, "EU"), {field: value, "name": "EEC"}, uow=fake_units())

    assert refused.value.field == field


async def test_update_actor_refuses_a_blank_name(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as refused:
        await actors.update_actor(await actor_id(fake_units, "UN"), {"name": " "}, uow=fake_units())

    assert refused.value.field == "name"


async def test_an_actor_nothing_refers_to_can_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    await actors.delete_actor(await actor_id(fake_units, "OSCE"), uow=fake_units())

    async with fake_units() as uow:
        assert await uow.actors.get_by_codes(["OSCE"]) == {}


async def test_an_actor_a_measure_refers_to_cannot_be_deleted(fake_units: FakeUnitOfWorkFactory) -> None:
    await drafts.stored_measure(fake_units, actor="PL", target="RU")

    with pytest.raises(Conflict):
        await actors.delete_actor(await actor_id(fake_units, "PL"), uow=fake_units())

    assert await actor_id(fake_units, "PL") > 0


async def test_load_reference_states_fills_an_empty_record_once() -> None:
    empty = FakeUnitOfWorkFactory()
    catalogue = IsoStateCatalogue()

    loaded = await actors.load_reference_states(uow=empty(), catalogue=catalogue, organisations=list(ORGANISATIONS))
    again = await actors.load_reference_states(uow=empty(), catalogue=catalogue, organisations=list(ORGANISATIONS))

    assert loaded == len(list(catalogue.all_states())) + len(ORGANISATIONS)
    assert again == 0
    async with empty() as uow:
        assert await uow.actors.count(ActorFilter()) == loaded
        assert await uow.actors.count(ActorFilter(kinds=frozenset({ActorKind.ORGANISATION}))) == len(ORGANISATIONS)

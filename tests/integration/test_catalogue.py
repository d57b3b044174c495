"""States come from the ISO 3166 catalogue (an adapter over pycountry): created by code, restored, loaded once."""

from __future__ import annotations

import pytest

from domain.errors import Conflict
from domain.read.filters import ActorFilter
from domain.record.actors import ActorKind
from domain.use_cases import actors
from persistence.catalogue import ORGANISATIONS, IsoStateCatalogue
from tests import drafts
from tests.drafts import actor_id
from tests.fakes import FakeUnitOfWorkFactory


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
    missing = await drafts.not_found_by(actors.create_state("qq", uow=fake_units(), catalogue=IsoStateCatalogue()))

    assert (missing.key, missing.field) == ("QQ", "code")


async def test_create_state_refuses_what_cannot_be_a_code(fake_units: FakeUnitOfWorkFactory) -> None:
    assert await drafts.field_refused_by(actors.create_state("R-U", uow=fake_units(), catalogue=IsoStateCatalogue())) == "code"


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

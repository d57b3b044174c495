"""States come from ISO 3166, organisations are created by hand, and codes and kinds never change."""

from __future__ import annotations

import pytest

from domain.errors import Conflict
from domain.record.actors import ActorKind
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
    with pytest.raises(Conflict):
        await actors.create_organisation(drafts.organisation(code=code), uow=fake_units())


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

"""Resolving actor codes: ISO 3166-1 alpha-2 and alpha-3, ISO 3166-3 former states, organisations."""

from __future__ import annotations

from datetime import date

from domain.record.actors import Actor, ActorKind
from persistence.write.unit_of_work import SqlUnitOfWorkFactory


async def resolve(uow_factory: SqlUnitOfWorkFactory, *codes: str) -> dict[str, Actor]:
    async with uow_factory.reader() as uow:
        return await uow.actors.get_by_codes(codes)


CANONICAL_CODE_OF = {
    "RU": "RU",
    "RUS": "RU",
    "USA": "US",
    "XK": "XK",
    "XKX": "XK",
    "SUHH": "SUHH",
    "SUN": "SUHH",
    "YUCS": "YUCS",
    "YUG": "YUCS",
    "DDDE": "DDDE",
    "UN": "UN",
    "NATO": "NATO",
}


async def test_alpha_2_alpha_3_former_and_organisation_codes_resolve_to_the_canonical_actor(uow_factory: SqlUnitOfWorkFactory) -> None:
    found = await resolve(uow_factory, *CANONICAL_CODE_OF)
    assert {code: actor.code for code, actor in found.items()} == CANONICAL_CODE_OF


async def test_former_state_keeps_its_iso_3166_3_code_numeric_and_dissolution(uow_factory: SqlUnitOfWorkFactory) -> None:
    ussr = (await resolve(uow_factory, "SUHH"))["SUHH"]
    assert (ussr.kind, ussr.alpha3, ussr.numeric, ussr.dissolved) == (ActorKind.FORMER_STATE, "SUN", "810", date(1992, 8, 30))


async def test_current_state_wins_over_a_former_state_sharing_its_alpha_3(uow_factory: SqlUnitOfWorkFactory) -> None:
    # ISO 3166-3 gives the former French Southern and Antarctic Territories (FQHH) the alpha-3 ATF of today's TF.
    found = await resolve(uow_factory, "ATF", "FQHH")
    assert (found["ATF"].code, found["ATF"].kind) == ("TF", ActorKind.STATE)
    assert (found["FQHH"].kind, found["FQHH"].alpha3) == (ActorKind.FORMER_STATE, "ATF")


async def test_organisations_are_organisations(uow_factory: SqlUnitOfWorkFactory) -> None:
    found = await resolve(uow_factory, "UN", "EU", "NATO", "OSCE")
    assert {code: actor.kind for code, actor in found.items()} == dict.fromkeys(("UN", "EU", "NATO", "OSCE"), ActorKind.ORGANISATION)


async def test_one_call_resolves_a_mixed_batch_and_leaves_out_unknown_codes(uow_factory: SqlUnitOfWorkFactory) -> None:
    found = await resolve(uow_factory, "FR", "DEU", "CSHH", "EU", "QQ", "ZZZ")
    assert {code: actor.code for code, actor in found.items()} == {"FR": "FR", "DEU": "DE", "CSHH": "CSHH", "EU": "EU"}


async def test_two_codes_of_one_state_both_resolve_to_the_same_record(uow_factory: SqlUnitOfWorkFactory) -> None:
    found = await resolve(uow_factory, "PL", "POL")
    assert found["PL"].id == found["POL"].id
    assert found["PL"] == found["POL"]


async def test_no_codes_resolve_to_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    assert await resolve(uow_factory) == {}

"""Checks that a record's references point at records that exist and fit."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from domain.errors import Checks, Code, InvalidInput, NotFound
from domain.ports import Repository, UnitOfWork
from domain.record.actors import Actor, normalise_code

E = TypeVar("E")


async def actor(uow: UnitOfWork, field: str, code: str, *, states_only: bool = False, organisations_only: bool = False) -> Actor:
    """The actor with this code (alpha-2, alpha-3, former-state or organisation code)."""
    wanted = normalise_code(field, code)
    found = (await uow.actors.get_by_codes([wanted])).get(wanted)
    if found is None:
        raise NotFound("Actor", wanted, field)
    if states_only and not found.is_state:
        raise InvalidInput(field, f"{wanted} is an organisation; a state is needed here", Code.NOT_A_STATE)
    if organisations_only and found.is_state:
        raise InvalidInput(field, f"{wanted} is a state; an organisation is needed here", Code.NOT_AN_ORGANISATION)
    return found


async def records(repository: Repository[E, Any], entity: str, field: str, ids: Collection[int]) -> dict[int, E]:
    """Every record in `ids`; `NotFound` when one is missing, an `UNKNOWN_REFERENCE` problem for each when several are."""
    found = await repository.get_many(ids)
    missing = Checks()
    for id in ids:
        if id not in found:
            with missing.rule():
                raise NotFound(entity, id, field)
    missing.done()
    return found


async def record(repository: Repository[E, Any], entity: str, field: str, id: int) -> E:
    """The record with this id, or `NotFound` naming `field`."""
    return (await records(repository, entity, field, [id]))[id]

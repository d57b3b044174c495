"""Valid drafts of each entity, changed only where a test says so, and helpers that store them through the use cases.

Domain only: the same helpers serve the fakes (tests/unit) and the SQL adapters (tests/integration).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import pytest

from domain.errors import InvalidInput, NotFound
from domain.ports import UnitOfWork
from domain.record.actors import Actor, ActorKind
from domain.record.diplomats import Diplomat, StaffCategory
from domain.record.expulsions import Expulsion, MeasureType, Wave
from domain.record.missions import Mission, MissionKind
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Stance, Statement
from domain.record.values import Headcount, PartialDate
from domain.use_cases import expulsions, missions, statements


class UowFactory(Protocol):
    """What the fakes' and the adapters' factories both offer: a writing and a read-only unit of work."""

    def __call__(self) -> UnitOfWork: ...

    def reader(self) -> UnitOfWork: ...


def day(text: str) -> PartialDate:
    return PartialDate.parse("date", text)


def measure(**changes: Any) -> Expulsion:
    values: dict[str, Any] = {
        "actor": "US",
        "target": "RU",
        "measure_type": MeasureType.EXPULSION_ORDER,
        "announced": day("2022-03-23"),
        "headcount": Headcount.exactly(12),
    }
    return Expulsion(**(values | changes))


def mission(**changes: Any) -> Mission:
    values: dict[str, Any] = {"sending_state": "RU", "host_state": "US", "kind": MissionKind.EMBASSY, "city": "Washington"}
    return Mission(**(values | changes))


def diplomat(**changes: Any) -> Diplomat:
    values: dict[str, Any] = {"sending_state": "RU", "staff_category": StaffCategory.DIPLOMATIC}
    return Diplomat(**(values | changes))


def statement(**changes: Any) -> Statement:
    values: dict[str, Any] = {
        "on_behalf_of": "US",
        "stance": Stance.CONDEMNS,
        "quote": "unhelpful … unproductive step in our bilateral relationship",
        "quote_language": "en",
        "speaker_role": "US State Department spokesman",
    }
    return Statement(**(values | changes))


def source(**changes: Any) -> Source:
    values: dict[str, Any] = {
        "publisher": "Interfax",
        "title": "Russian Ministry of Foreign Affairs warns Washington",
        "kind": SourceKind.WIRE_AGENCY,
    }
    return Source(**(values | changes))


def organisation(**changes: Any) -> Actor:
    values: dict[str, Any] = {"code": "ASEAN", "kind": ActorKind.ORGANISATION, "name": "Association of Southeast Asian Nations"}
    return Actor(**(values | changes))


def wave(**changes: Any) -> Wave:
    values: dict[str, Any] = {"name": "European solidarity expulsions of spring 2022"}
    return Wave(**(values | changes))


def id_of(entity: Any) -> int:
    assert isinstance(entity.id, int), f"{entity!r} was never stored"
    return entity.id


async def stored_measure(uow_factory: UowFactory, **changes: Any) -> int:
    return id_of(await expulsions.expulsions.create(measure(**changes), uow=uow_factory()))


async def stored_mission(uow_factory: UowFactory, **changes: Any) -> int:
    return id_of(await missions.missions.create(mission(**changes), uow=uow_factory()))


async def stored_diplomat(uow_factory: UowFactory, **changes: Any) -> int:
    return id_of(await missions.diplomats.create(diplomat(**changes), uow=uow_factory()))


async def stored_statement(uow_factory: UowFactory, **changes: Any) -> int:
    return id_of(await statements.statements.create(statement(**changes), uow=uow_factory()))


async def stored_source(uow_factory: UowFactory, **changes: Any) -> int:
    return id_of(await statements.sources.create(source(**changes), uow=uow_factory()))


async def stored_citation(uow_factory: UowFactory, **values: Any) -> int:
    return id_of(await statements.citations.create(Citation(**values), uow=uow_factory()))


async def answers_of(uow_factory: UowFactory, measure_id: int) -> tuple[int, ...]:
    async with uow_factory() as uow:
        found = await uow.expulsions.get(measure_id)
    assert found is not None
    return found.answers


def refused_field(build: Callable[..., object], *args: object, **kwargs: object) -> str:
    """The field an `InvalidInput` names when `build(*args, **kwargs)` is refused."""
    with pytest.raises(InvalidInput) as refused:
        build(*args, **kwargs)
    assert refused.value.message, "a refusal says why"
    return refused.value.field


async def actor_id(uow_factory: UowFactory, code: str) -> int:
    async with uow_factory() as uow:
        found = (await uow.actors.get_by_codes([code])).get(code)
    assert found is not None, f"{code} is not in the record"
    return id_of(found)


async def field_refused_by(pending: Awaitable[object]) -> str:
    """The field the `InvalidInput` names that `pending` (a use case not yet awaited) is refused with."""
    with pytest.raises(InvalidInput) as refused:
        await pending
    assert refused.value.message, "a refusal says why"
    return refused.value.field


async def not_found_by(pending: Awaitable[object]) -> NotFound:
    """The `NotFound` that `pending` (a use case not yet awaited) fails with."""
    with pytest.raises(NotFound) as missing:
        await pending
    return missing.value

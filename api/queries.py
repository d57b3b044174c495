"""The read side: nodes, natural keys and paginated, filterable lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import relay

from api.connections import Connection, connection, page_request
from api.context import Info
from api.inputs import node_id
from api.types.actors import Organisation, State, actor_type
from api.types.expulsions import Expulsion, Wave
from api.types.missions import Diplomat, Mission
from api.types.statements import Source, Statement
from api.types.values import MeasureType
from domain import filters
from domain.actors import ActorKind, normalise_code
from domain.errors import NotFound
from domain.ports import Repository
from persistence.unit_of_work import SqlUnitOfWork

T = TypeVar("T")

FIRST = "How many items to return from the start (or after `after`); at most the server's page size cap (100 by default)."
LAST = "How many items to return from the end (or before `before`); at most the page size cap."
CURSOR = "A cursor from an earlier page."
First = Annotated[int | None, strawberry.argument(description=FIRST)]
Last = Annotated[int | None, strawberry.argument(description=LAST)]
Cursor = Annotated[str | None, strawberry.argument(description=CURSOR)]


async def _listing(
    info: Info, repository: Callable[[SqlUnitOfWork], Repository[Any, Any]], filter: object, build: Callable[[Any], T],
    first: int | None, after: str | None, last: int | None, before: str | None,
) -> Connection[T]:
    request = page_request(first=first, after=after, last=last, before=before, limit=info.context.settings.max_page_size)
    async with info.context.units.reader() as uow:
        page = await repository(uow).list(filter, request)

    async def count() -> int:
        async with info.context.units.reader() as uow:
            return await repository(uow).count(filter)

    return connection(page, build, count)


async def _code(info: Info, field: str, code: str | None) -> str | None:
    """The stored code for a filter argument given as alpha-2, alpha-3 or ISO 3166-3."""
    if code is None:
        return None
    wanted = normalise_code(field, code)
    found = await info.context.loaders.actor_by_code.load(wanted)
    if found is None:
        raise NotFound("Actor", wanted, field)
    return found.code


@strawberry.type(description="Everything Demarche can be asked.")
class Query:
    node: relay.Node = relay.node(description="Any record by its global ID.")
    nodes: list[relay.Node] = relay.node(description="Several records by their global IDs, in the order asked.")

    @strawberry.field(description="A state by alpha-2, alpha-3 or ISO 3166-3 code (case-insensitive); null if none.")
    async def state(self, info: Info, code: Annotated[str, strawberry.argument(description="Alpha-2, alpha-3 or ISO 3166-3 code.")]) -> State | None:
        found = await info.context.loaders.actor_by_code.load(code.strip().upper())
        return actor_type(found) if found is not None and found.is_state else None  # type: ignore[return-value]

    @strawberry.field(description="An international organisation by its code (case-insensitive); null if none.")
    async def organisation(self, info: Info, code: Annotated[str, strawberry.argument(description="The organisation's code, e.g. 'UN'.")]) -> Organisation | None:
        found = await info.context.loaders.actor_by_code.load(code.strip().upper())
        return actor_type(found) if found is not None and not found.is_state else None  # type: ignore[return-value]

    @strawberry.field(description="States, current and (unless excluded) former, in record order.")
    async def states(
        self, info: Info, include_former: bool = True,
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[State]:
        kinds = {ActorKind.STATE, ActorKind.FORMER_STATE} if include_former else {ActorKind.STATE}
        return await _listing(info, lambda u: u.actors, filters.ActorFilter(frozenset(kinds)), actor_type, first, after, last, before)

    @strawberry.field(description="International organisations.")
    async def organisations(
        self, info: Info,
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[Organisation]:
        kinds = {ActorKind.ORGANISATION}
        return await _listing(info, lambda u: u.actors, filters.ActorFilter(frozenset(kinds)), actor_type, first, after, last, before)

    @strawberry.field(description="Missions, optionally by sending or host state.")
    async def missions(
        self, info: Info, sending_state: str | None = None, host_state: str | None = None,
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[Mission]:
        filter = filters.MissionFilter(await _code(info, "sendingState", sending_state), await _code(info, "hostState", host_state))
        return await _listing(info, lambda u: u.missions, filter, Mission.from_domain, first, after, last, before)

    @strawberry.field(description="People, optionally by sending state or mission.")
    async def diplomats(
        self, info: Info, sending_state: str | None = None, mission_id: strawberry.ID | None = None,
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[Diplomat]:
        mission = node_id("Mission", "missionId", mission_id) if mission_id is not None else None
        filter = filters.DiplomatFilter(await _code(info, "sendingState", sending_state), mission)
        return await _listing(info, lambda u: u.diplomats, filter, Diplomat.from_domain, first, after, last, before)

    @strawberry.field(description="Measures, optionally by actor, target, type or wave.")
    async def expulsions(
        self, info: Info, actor: str | None = None, target: str | None = None,
        measure_type: MeasureType | None = None, wave_id: strawberry.ID | None = None,  # type: ignore[valid-type]
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[Expulsion]:
        wave = node_id("Wave", "waveId", wave_id) if wave_id is not None else None
        filter = filters.ExpulsionFilter(await _code(info, "actor", actor), await _code(info, "target", target), measure_type, wave)
        return await _listing(info, lambda u: u.expulsions, filter, Expulsion.from_domain, first, after, last, before)

    @strawberry.field(description="Waves of measures.")
    async def waves(
        self, info: Info,
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[Wave]:
        return await _listing(info, lambda u: u.waves, filters.NoFilter(), Wave.from_domain, first, after, last, before)

    @strawberry.field(description="Statements, optionally by the actor spoken for or the measure they are about.")
    async def statements(
        self, info: Info, on_behalf_of: str | None = None, measure_id: strawberry.ID | None = None,
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[Statement]:
        measure = node_id("Expulsion", "measureId", measure_id) if measure_id is not None else None
        filter = filters.StatementFilter(await _code(info, "onBehalfOf", on_behalf_of), measure)
        return await _listing(info, lambda u: u.statements, filter, Statement.from_domain, first, after, last, before)

    @strawberry.field(description="Sources the record cites.")
    async def sources(
        self, info: Info,
        first: First = None, after: Cursor = None, last: Last = None, before: Cursor = None,
    ) -> Connection[Source]:
        return await _listing(info, lambda u: u.sources, filters.NoFilter(), Source.from_domain, first, after, last, before)


"""The read side: nodes, natural keys and paginated, filterable lists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

import strawberry
from strawberry import relay

from api.arguments import Code, StateCode
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
from domain.errors import InvalidInput, NotFound
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
    info: Info,
    repository: Callable[[SqlUnitOfWork], Repository[Any, Any]],
    filter: object,
    build: Callable[[Any], T],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
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


def _as_state(actor: Any) -> State:
    return cast(State, actor_type(actor))


def _as_organisation(actor: Any) -> Organisation:
    return cast(Organisation, actor_type(actor))


@strawberry.type(description="Everything Demarche can be asked.")
class Query:
    @strawberry.field(description="Any record by its global ID; null when no such record exists.")
    async def node(self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="A global ID.")]) -> relay.Node | None:
        found: relay.Node | None = await id.resolve_node(info, required=False)
        return found

    @strawberry.field(description="Several records by their global IDs, in the order asked; null for each that does not exist.")
    async def nodes(
        self, info: Info, ids: Annotated[list[relay.GlobalID], strawberry.argument(description="Global IDs.")]
    ) -> list[relay.Node | None]:
        if len(ids) > info.context.settings.max_page_size:
            raise InvalidInput("ids", f"ask for at most {info.context.settings.max_page_size} IDs at once")
        return list(await asyncio.gather(*(id.resolve_node(info, required=False) for id in ids)))

    @strawberry.field(description="A state by alpha-2, alpha-3 or ISO 3166-3 code (case-insensitive); null if none.")
    async def state(
        self, info: Info, code: Annotated[str, strawberry.argument(description="Alpha-2, alpha-3 or ISO 3166-3 code.")]
    ) -> State | None:
        found = await info.context.loaders.actor_by_code.load(code.strip().upper())
        return actor_type(found) if found is not None and found.is_state else None  # type: ignore[return-value]

    @strawberry.field(description="An international organisation by its code (case-insensitive); null if none.")
    async def organisation(
        self, info: Info, code: Annotated[str, strawberry.argument(description="The organisation's code, e.g. 'UN'.")]
    ) -> Organisation | None:
        found = await info.context.loaders.actor_by_code.load(code.strip().upper())
        return actor_type(found) if found is not None and not found.is_state else None  # type: ignore[return-value]

    @strawberry.field(description="States, current and (unless excluded) former, in record order.")
    async def states(
        self,
        info: Info,
        include_former: Annotated[bool, strawberry.argument(description="Include former states (ISO 3166-3).")] = True,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[State]:
        kinds = {ActorKind.STATE, ActorKind.FORMER_STATE} if include_former else {ActorKind.STATE}
        return await _listing(info, lambda u: u.actors, filters.ActorFilter(frozenset(kinds)), _as_state, first, after, last, before)

    @strawberry.field(description="International organisations.")
    async def organisations(
        self,
        info: Info,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[Organisation]:
        kinds = {ActorKind.ORGANISATION}
        return await _listing(info, lambda u: u.actors, filters.ActorFilter(frozenset(kinds)), _as_organisation, first, after, last, before)

    @strawberry.field(description="Missions, optionally by sending or host state.")
    async def missions(
        self,
        info: Info,
        sending_state: StateCode = None,
        host_state: StateCode = None,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[Mission]:
        filter = filters.MissionFilter(await _code(info, "sendingState", sending_state), await _code(info, "hostState", host_state))
        return await _listing(info, lambda u: u.missions, filter, Mission.from_domain, first, after, last, before)

    @strawberry.field(description="People, optionally by sending state or mission.")
    async def diplomats(
        self,
        info: Info,
        sending_state: StateCode = None,
        mission_id: Annotated[strawberry.ID | None, strawberry.argument(description="Global ID of a Mission.")] = None,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[Diplomat]:
        mission = node_id("Mission", "missionId", mission_id) if mission_id is not None else None
        filter = filters.DiplomatFilter(await _code(info, "sendingState", sending_state), mission)
        return await _listing(info, lambda u: u.diplomats, filter, Diplomat.from_domain, first, after, last, before)

    @strawberry.field(description="Measures, optionally by actor, target, type or wave.")
    async def expulsions(
        self,
        info: Info,
        actor: Annotated[str | None, strawberry.argument(description="Code of the acting state or organisation.")] = None,
        target: StateCode = None,
        measure_type: Annotated[MeasureType | None, strawberry.argument(description="Only measures of this type.")] = None,
        wave_id: Annotated[strawberry.ID | None, strawberry.argument(description="Global ID of a Wave.")] = None,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[Expulsion]:
        wave = node_id("Wave", "waveId", wave_id) if wave_id is not None else None
        filter = filters.ExpulsionFilter(await _code(info, "actor", actor), await _code(info, "target", target), measure_type, wave)
        return await _listing(info, lambda u: u.expulsions, filter, Expulsion.from_domain, first, after, last, before)

    @strawberry.field(description="Waves of measures.")
    async def waves(
        self,
        info: Info,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[Wave]:
        return await _listing(info, lambda u: u.waves, filters.NoFilter(), Wave.from_domain, first, after, last, before)

    @strawberry.field(description="Statements, optionally by the actor spoken for or the measure they are about.")
    async def statements(
        self,
        info: Info,
        on_behalf_of: Code = None,
        measure_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Global ID of an Expulsion the statements are about.")
        ] = None,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[Statement]:
        measure = node_id("Expulsion", "measureId", measure_id) if measure_id is not None else None
        filter = filters.StatementFilter(await _code(info, "onBehalfOf", on_behalf_of), measure)
        return await _listing(info, lambda u: u.statements, filter, Statement.from_domain, first, after, last, before)

    @strawberry.field(description="Sources the record cites.")
    async def sources(
        self,
        info: Info,
        first: First = None,
        after: Cursor = None,
        last: Last = None,
        before: Cursor = None,
    ) -> Connection[Source]:
        return await _listing(info, lambda u: u.sources, filters.NoFilter(), Source.from_domain, first, after, last, before)

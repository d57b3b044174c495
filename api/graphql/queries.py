"""The read side: nodes, natural keys and paginated, filterable lists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar, cast

import strawberry
from strawberry import relay

from api.graphql.connections import Connection, PageArguments, connection, paged
from api.graphql.context import Info
from api.graphql.filtering import Codes, takes_filters
from api.graphql.listings import (
    ExpulsionSort,
    ListQuery,
    SortDirection,
    StatementSort,
    diplomat_query,
    expulsion_query,
    for_caller,
    mission_query,
    organisation_query,
    source_query,
    state_query,
    statement_query,
    wave_query,
)
from api.graphql.loading.prefetch import connection_nodes, prefetch
from api.graphql.loading.relations import REPOSITORIES
from api.graphql.types.actors import Organisation, State, actor_type
from api.graphql.types.expulsions import Expulsion, Wave
from api.graphql.types.history import reads_personal_data
from api.graphql.types.missions import Diplomat, Mission
from api.graphql.types.statements import Source, Statement
from domain.errors import Code, InvalidInput, NotFound
from domain.read import filters
from domain.record.actors import Actor, normalise_code

T = TypeVar("T")
Direction = Annotated[SortDirection, strawberry.argument(description="Sort direction.")]


async def _listing(
    info: Info,
    query: ListQuery,
    build: Callable[[Any], T],
    page: PageArguments,
) -> Connection[T]:
    request = page.request(limit=info.context.settings.max_page_size, order=query.order, descending=query.descending)
    repository = REPOSITORIES[query.record]
    async with info.context.reads.use() as uow:
        found = await repository(uow).list(query.filter, request)

    async def count() -> int:
        async with info.context.reads.use() as uow:
            return await repository(uow).count(query.filter)

    result = connection(found, request, build, count)
    await prefetch(info.context.reads, [edge.node for edge in result.edges], connection_nodes(info.selected_fields))
    return result


async def code_of(info: Info, field: str, code: str | None, /, *, members: bool = False) -> str | None:
    """The stored code for a filter argument given as alpha-2, alpha-3 or ISO 3166-3; with `members`, that of an
    organisation whose memberships are recorded."""
    if code is None:
        return None
    wanted = normalise_code(field, code)
    found: Actor | None = await info.context.loaders.load(info, "actor_by_code", wanted)
    if found is None:
        raise NotFound("Actor", wanted, field)
    if members and not await info.context.loaders.load(info, "members_recorded", found.code):
        if found.is_state:
            raise InvalidInput(
                field,
                f"{found.code} ({found.name}) is a state, and a state has no members; {field} takes an organisation",
                Code.NOT_AN_ORGANISATION,
            )
        raise InvalidInput(
            field,
            f"the memberships of {found.code} ({found.name}) are not recorded, so no answer can say which measures its members "
            "took or suffered; Organisation.membershipRecorded tells which organisations' are",
            Code.MEMBERSHIPS_NOT_RECORDED,
        )
    return found.code


async def required_code_of(info: Info, field: str, code: str) -> str:
    found = await code_of(info, field, code)
    assert found is not None
    return found


def codes_of(info: Info) -> Codes:
    """Codes looked up through the request's loader."""
    return partial(code_of, info)


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
    ) -> list[relay.Node | None] | None:
        if len(ids) > info.context.settings.max_page_size:
            raise InvalidInput("ids", f"ask for at most {info.context.settings.max_page_size} IDs at once", Code.TOO_MANY)
        return list(await asyncio.gather(*(id.resolve_node(info, required=False) for id in ids)))

    @strawberry.field(description="A state by alpha-2, alpha-3 or ISO 3166-3 code (case-insensitive); null if none.")
    async def state(
        self, info: Info, code: Annotated[str, strawberry.argument(description="Alpha-2, alpha-3 or ISO 3166-3 code.")]
    ) -> State | None:
        found = await info.context.loaders.load(info, "actor_by_code", code.strip().upper())
        return actor_type(found) if found is not None and found.is_state else None  # type: ignore[return-value]

    @strawberry.field(description="An international organisation by its code (case-insensitive); null if none.")
    async def organisation(
        self, info: Info, code: Annotated[str, strawberry.argument(description="The organisation's code, e.g. 'UN'.")]
    ) -> Organisation | None:
        found = await info.context.loaders.load(info, "actor_by_code", code.strip().upper())
        return actor_type(found) if found is not None and not found.is_state else None  # type: ignore[return-value]

    @strawberry.field(description="States, current and (unless excluded) former, in record order.")
    @paged
    async def states(
        self,
        info: Info,
        page: PageArguments,
        include_former: Annotated[bool, strawberry.argument(description="Include former states (ISO 3166-3).")] = True,
    ) -> Connection[State] | None:
        query = await state_query(codes_of(info), include_former=include_former)
        return await _listing(info, query, _as_state, page)

    @strawberry.field(description="International organisations.")
    @paged
    async def organisations(self, info: Info, page: PageArguments) -> Connection[Organisation] | None:
        query = await organisation_query(codes_of(info))
        return await _listing(info, query, _as_organisation, page)

    @strawberry.field(description="Missions, optionally by sending or host state.")
    @takes_filters(filters.MissionFilter)
    @paged
    async def missions(
        self,
        info: Info,
        page: PageArguments,
        **given: Any,
    ) -> Connection[Mission] | None:
        return await _listing(info, await mission_query(codes_of(info), **given), Mission.from_domain, page)

    @strawberry.field(description="People, optionally by sending state or mission.")
    @takes_filters(filters.DiplomatFilter)
    @paged
    async def diplomats(
        self,
        info: Info,
        page: PageArguments,
        **given: Any,
    ) -> Connection[Diplomat] | None:
        return await _listing(info, await diplomat_query(codes_of(info), **given), Diplomat.from_domain, page)

    @strawberry.field(
        description=(
            "Measures, filtered and ordered. A partial date counts as its whole span: a measure announced in "
            "'2022-03' matches announcedFrom 2022-03-15 as overlapping. Headcount bounds keep only measures with a number."
        )
    )
    @takes_filters(filters.ExpulsionFilter)
    @paged
    async def expulsions(
        self,
        info: Info,
        page: PageArguments,
        order_by: Annotated[
            ExpulsionSort, strawberry.argument(description="Sort key; the record id breaks ties.")
        ] = ExpulsionSort.ANNOUNCED,
        direction: Direction = SortDirection.ASC,
        **given: Any,
    ) -> Connection[Expulsion] | None:
        query = await expulsion_query(codes_of(info), order_by=order_by, direction=direction, **given)
        return await _listing(info, query, Expulsion.from_domain, page)

    @strawberry.field(description="Waves of measures.")
    @paged
    async def waves(self, info: Info, page: PageArguments) -> Connection[Wave] | None:
        return await _listing(info, await wave_query(codes_of(info)), Wave.from_domain, page)

    @strawberry.field(
        description=(
            "Statements, filtered and ordered; `search` is full-text over quotes and translations (English stemming), "
            "ranked by relevance unless another order is asked for."
        )
    )
    @takes_filters(filters.StatementFilter)
    @paged
    async def statements(
        self,
        info: Info,
        page: PageArguments,
        order_by: Annotated[
            StatementSort | None, strawberry.argument(description="Sort key (default: RELEVANCE with a search, else SAID_ON).")
        ] = None,
        direction: Direction = SortDirection.ASC,
        **given: Any,
    ) -> Connection[Statement] | None:
        query = await statement_query(codes_of(info), order_by=order_by, direction=direction, **given)
        query = for_caller(query, personal=reads_personal_data(info))
        return await _listing(info, query, Statement.from_domain, page)

    @strawberry.field(description="Sources the record cites.")
    @paged
    async def sources(self, info: Info, page: PageArguments) -> Connection[Source] | None:
        return await _listing(info, await source_query(codes_of(info)), Source.from_domain, page)

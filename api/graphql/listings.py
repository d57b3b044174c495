"""What each listing asks of the record, built from its root field's arguments: the kind of record,
the filter and the ordering.

Both read paths build their listings here. The executor looks codes up through the request's
loader; the compiled reader takes them as written and looks them up inside its own statement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry

from api.graphql.filtering import Codes, read_filter
from domain.read import filters
from domain.read.pagination import Order
from domain.read.plans import Record
from domain.record.actors import ActorKind


@strawberry.enum(description="What to sort measures by.")
class ExpulsionSort(Enum):
    ANNOUNCED = strawberry.enum_value("announced", description="The first day of the announcement date's span.")
    HEADCOUNT = strawberry.enum_value("headcount", description="The headcount; unknown headcounts come last either way.")
    RECORDED = strawberry.enum_value("id", description="The order in which measures were recorded.")


@strawberry.enum(description="What to sort statements by.")
class StatementSort(Enum):
    SAID_ON = strawberry.enum_value("said_on", description="The first day of the date's span; undated statements come last.")
    RELEVANCE = strawberry.enum_value("relevance", description="How well the statement matches `search` (needs a search).")
    RECORDED = strawberry.enum_value("id", description="The order in which statements were recorded.")


@strawberry.enum(description="Sort direction.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("asc", description="Smallest or earliest first.")
    DESC = strawberry.enum_value("desc", description="Largest or latest first.")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which records a listing holds, and in which order."""

    record: Record
    filter: object
    order: Order = Order.ID
    descending: bool = False


async def state_query(codes: Codes, *, include_former: bool = True) -> ListQuery:
    kinds = {ActorKind.STATE, ActorKind.FORMER_STATE} if include_former else {ActorKind.STATE}
    return ListQuery(Record.STATE, filters.ActorFilter(frozenset(kinds)))


async def organisation_query(codes: Codes) -> ListQuery:
    return ListQuery(Record.ORGANISATION, filters.ActorFilter(frozenset({ActorKind.ORGANISATION})))


async def mission_query(codes: Codes, **given: Any) -> ListQuery:
    return ListQuery(Record.MISSION, await read_filter(filters.MissionFilter, codes, given))


async def diplomat_query(codes: Codes, **given: Any) -> ListQuery:
    return ListQuery(Record.DIPLOMAT, await read_filter(filters.DiplomatFilter, codes, given))


async def expulsion_query(
    codes: Codes, *, order_by: ExpulsionSort = ExpulsionSort.ANNOUNCED, direction: SortDirection = SortDirection.ASC, **given: Any
) -> ListQuery:
    filter = await read_filter(filters.ExpulsionFilter, codes, given)
    return ListQuery(Record.EXPULSION, filter, Order(order_by.value), direction is SortDirection.DESC)


async def wave_query(codes: Codes) -> ListQuery:
    return ListQuery(Record.WAVE, filters.NoFilter())


async def statement_query(
    codes: Codes, *, order_by: StatementSort | None = None, direction: SortDirection = SortDirection.ASC, **given: Any
) -> ListQuery:
    filter = await read_filter(filters.StatementFilter, codes, given)
    sort = order_by or (StatementSort.RELEVANCE if given.get("search") is not None else StatementSort.SAID_ON)
    return ListQuery(Record.STATEMENT, filter, Order(sort.value), direction is SortDirection.DESC)


async def source_query(codes: Codes) -> ListQuery:
    return ListQuery(Record.SOURCE, filters.NoFilter())


def for_caller(query: ListQuery, *, personal: bool) -> ListQuery:
    """The listing as a caller may ask it: one who may not read personal fields has the statements' `speaker` filter
    match roles only, or the filter would tell which statements a name spoke (both read paths apply this)."""
    speaker = getattr(query.filter, "speaker", None)
    if personal or speaker is None:
        return query
    return dataclasses.replace(query, filter=dataclasses.replace(query.filter, speaker=None, speaker_role=speaker))  # type: ignore[type-var]


LISTINGS: dict[str, Callable[..., Awaitable[ListQuery]]] = {
    "states": state_query,
    "organisations": organisation_query,
    "missions": mission_query,
    "diplomats": diplomat_query,
    "expulsions": expulsion_query,
    "waves": wave_query,
    "statements": statement_query,
    "sources": source_query,
}
"""Each listing root field (by its Python name) and how its arguments, less the page's, become a listing."""

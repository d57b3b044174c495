"""What each listing asks of the record, built from its root field's arguments: the kind of record,
the filter and the ordering.

Both read paths build their listings here. The executor looks codes up through the request's
loader; the compiled reader takes them as written and looks them up inside its own statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum

import strawberry

from api.graphql.inputs import node_id
from api.graphql.types.values import Channel, HeadcountQualifier, MeasureType, Rank, ReasonCategory, Stance
from domain.errors import InvalidInput
from domain.read import filters
from domain.read.pagination import Order
from domain.read.plans import Record
from domain.record.actors import ActorKind

Codes = Callable[[str, str | None], Awaitable[str | None]]
"""(argument name, code as given) -> the code to filter by; None for none given."""

MAX_SEARCH = 500
MAX_CODES = 100
"""How many codes one list filter (`actor: [...]`) may name."""


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


def search_text(search: str | None) -> str | None:
    """A search's text, refused when longer than a search may be."""
    if search is not None and len(search) > MAX_SEARCH:
        raise InvalidInput("search", f"a search is at most {MAX_SEARCH} characters")
    return search


def span_of(start: date | None, end: date | None) -> filters.DateRange | None:
    return None if start is None and end is None else filters.DateRange(start, end)


async def state_query(codes: Codes, *, include_former: bool = True) -> ListQuery:
    kinds = {ActorKind.STATE, ActorKind.FORMER_STATE} if include_former else {ActorKind.STATE}
    return ListQuery(Record.STATE, filters.ActorFilter(frozenset(kinds)))


async def organisation_query(codes: Codes) -> ListQuery:
    return ListQuery(Record.ORGANISATION, filters.ActorFilter(frozenset({ActorKind.ORGANISATION})))


async def mission_query(codes: Codes, *, sending_state: str | None = None, host_state: str | None = None) -> ListQuery:
    filter = filters.MissionFilter(await codes("sendingState", sending_state), await codes("hostState", host_state))
    return ListQuery(Record.MISSION, filter)


async def diplomat_query(
    codes: Codes, *, sending_state: str | None = None, mission_id: strawberry.ID | None = None, rank: Rank | None = None
) -> ListQuery:
    mission = node_id("Mission", "missionId", mission_id) if mission_id is not None else None
    return ListQuery(Record.DIPLOMAT, filters.DiplomatFilter(await codes("sendingState", sending_state), mission, rank))


async def several(codes: Codes, field: str, given: list[str] | None) -> tuple[str, ...] | None:
    """Each code of a list filter looked up (any of them matches); None for none given."""
    if given is None:
        return None
    if not given:
        raise InvalidInput(field, f"{field} needs at least one code")
    if len(given) > MAX_CODES:
        raise InvalidInput(field, f"{field} takes at most {MAX_CODES} codes")
    found: list[str] = []
    for code in given:
        looked_up = await codes(field, code)
        assert looked_up is not None
        if looked_up not in found:
            found.append(looked_up)
    return tuple(found)


async def expulsion_query(
    codes: Codes,
    *,
    actor: list[str] | None = None,
    target: list[str] | None = None,
    party: list[str] | None = None,
    member_of: str | None = None,
    target_member_of: str | None = None,
    between: list[str] | None = None,
    announced_from: date | None = None,
    announced_to: date | None = None,
    measure_type: MeasureType | None = None,
    reason_category: ReasonCategory | None = None,
    headcount_qualifier: HeadcountQualifier | None = None,
    headcount_min: int | None = None,
    headcount_max: int | None = None,
    answers_something: bool | None = None,
    answered: bool | None = None,
    answers_within_days: int | None = None,
    answered_within_days: int | None = None,
    sources_disagree: bool | None = None,
    wave_id: strawberry.ID | None = None,
    search: str | None = None,
    order_by: ExpulsionSort = ExpulsionSort.ANNOUNCED,
    direction: SortDirection = SortDirection.ASC,
) -> ListQuery:
    pair = None
    if between is not None:
        if len(between) != 2:
            raise InvalidInput("between", "between takes exactly two codes")
        one, other = await codes("between", between[0]), await codes("between", between[1])
        assert one is not None
        assert other is not None
        pair = (one, other)
    filter = filters.ExpulsionFilter(
        actor=await several(codes, "actor", actor),
        target=await several(codes, "target", target),
        measure_type=measure_type,
        wave_id=node_id("Wave", "waveId", wave_id) if wave_id is not None else None,
        party=await several(codes, "party", party),
        member_of=await codes("memberOf", member_of),
        target_member_of=await codes("targetMemberOf", target_member_of),
        pair=pair,
        announced=span_of(announced_from, announced_to),
        reason_categories=frozenset({reason_category}) if reason_category is not None else None,
        qualifiers=frozenset({headcount_qualifier}) if headcount_qualifier is not None else None,
        headcount_min=headcount_min,
        headcount_max=headcount_max,
        answers_something=answers_something,
        answered=answered,
        search=search_text(search),
        answers_within_days=answers_within_days,
        answered_within_days=answered_within_days,
        sources_disagree=sources_disagree,
    )
    return ListQuery(Record.EXPULSION, filter, Order(order_by.value), direction is SortDirection.DESC)


async def wave_query(codes: Codes) -> ListQuery:
    return ListQuery(Record.WAVE, filters.NoFilter())


async def statement_query(
    codes: Codes,
    *,
    on_behalf_of: str | None = None,
    measure_id: strawberry.ID | None = None,
    speaker: str | None = None,
    channel: Channel | None = None,
    stance: Stance | None = None,
    said_from: date | None = None,
    said_to: date | None = None,
    search: str | None = None,
    order_by: StatementSort | None = None,
    direction: SortDirection = SortDirection.ASC,
) -> ListQuery:
    filter = filters.StatementFilter(
        on_behalf_of=await codes("onBehalfOf", on_behalf_of),
        measure_id=node_id("Expulsion", "measureId", measure_id) if measure_id is not None else None,
        speaker=speaker.strip() or None if speaker is not None else None,
        channels=frozenset({channel}) if channel is not None else None,
        stances=frozenset({stance}) if stance is not None else None,
        said_on=span_of(said_from, said_to),
        search=search_text(search),
    )
    sort = order_by or (StatementSort.RELEVANCE if search is not None else StatementSort.SAID_ON)
    return ListQuery(Record.STATEMENT, filter, Order(sort.value), direction is SortDirection.DESC)


async def source_query(codes: Codes) -> ListQuery:
    return ListQuery(Record.SOURCE, filters.NoFilter())


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

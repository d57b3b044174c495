"""Root fields for the analysis questions users ask of the record."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any

import strawberry

from api.graphql.context import Info
from api.graphql.filtering import filter_input, input_arguments, read_filter, takes_filters
from api.graphql.inputs import node_id
from api.graphql.queries import codes_of, required_code_of
from api.graphql.types.analysis import (
    BilateralBalance,
    BilateralDirection,
    Comparison,
    Granularity,
    GroupBy,
    HeadcountTally,
    RankBy,
    RankingEntry,
    ReciprocityThread,
    Role,
    TallyGroup,
    Timeline,
)
from api.graphql.types.statements import Statement
from domain.errors import Code, InvalidInput
from domain.read import analysis, filters

FROM = "Period start (inclusive; partial dates count by overlap)."
TO = "Period end (inclusive; partial dates count by overlap)."
SPAN = "Use announcedFrom and announcedTo, the expulsion list's own filters."
MAX_RESULTS = 100
TallySelection = filter_input(
    filters.ExpulsionFilter, "TallySelection", "A selection of measures by the expulsion list's filters; none given selects every measure."
)


async def _filter(info: Info, given: dict[str, Any], from_: date | None = None, to: date | None = None) -> filters.ExpulsionFilter:
    """The expulsion filter the list's arguments ask for, with the older `from`/`to` period when given instead."""
    filter = await read_filter(filters.ExpulsionFilter, codes_of(info), given)
    if from_ is None and to is None:
        return filter
    if filter.announced is not None:
        raise InvalidInput("from", "give the period either as from/to or as announcedFrom/announcedTo, not both", Code.FIELDS_EXCLUDE)
    return dataclasses.replace(filter, announced=filters.span(from_, to))


def _bounded(field: str, value: int) -> int:
    if not 1 <= value <= MAX_RESULTS:
        raise InvalidInput(field, f"{field} must lie between 1 and {MAX_RESULTS}", Code.INVALID_PAGE)
    return value


@strawberry.type
class AnalysisQueries:
    @strawberry.field(description="The reciprocity thread through a measure: what it answers and what answers it, transitively.")
    async def reciprocity_thread(
        self, info: Info, measure_id: Annotated[strawberry.ID, strawberry.argument(description="Global ID of an Expulsion.")]
    ) -> ReciprocityThread | None:
        id = node_id("Expulsion", "measureId", measure_id)
        async with info.context.reads.use() as uow:
            thread = await uow.analysis.thread(id)
        return ReciprocityThread.from_domain(thread) if thread else None

    @strawberry.field(description="Measures each way between two states over a period, with headcount tallies and the latest statements.")
    async def bilateral_balance(
        self,
        info: Info,
        between: Annotated[list[str], strawberry.argument(description="The two states' codes.")],
        from_: Annotated[date | None, strawberry.argument(name="from", description=FROM)] = None,
        to: Annotated[date | None, strawberry.argument(description=TO)] = None,
        statements: Annotated[int, strawberry.argument(description="How many latest statements to include (1-100).")] = 5,
    ) -> BilateralBalance | None:
        if len(between) != 2:
            raise InvalidInput("between", "between takes exactly two codes", Code.INVALID_SHAPE)
        one, other = [await required_code_of(info, "between", code) for code in between]
        filter = filters.ExpulsionFilter(announced=filters.span(from_, to))
        async with info.context.reads.use() as uow:
            there = await uow.analysis.balance_side(one, other, filter)
            back = await uow.analysis.balance_side(other, one, filter)
            latest = await uow.analysis.latest_statements((one, other), filter, _bounded("statements", statements))
        return BilateralBalance(
            directions=[BilateralDirection.from_domain(there), BilateralDirection.from_domain(back)],
            latest_statements=[Statement.from_domain(s) for s in latest],
        )

    @strawberry.field(
        description=(
            "Measures and headcounts of the measures the expulsion list's filters keep, in one tally: how many, the "
            "headcount range (its maximum null when unbounded), the unknowns, and the range the sources give."
        )
    )
    @takes_filters(filters.ExpulsionFilter)
    async def tally(self, info: Info, **given: Any) -> HeadcountTally | None:
        filter = await _filter(info, given)
        async with info.context.reads.use() as uow:
            return HeadcountTally.from_domain(await uow.analysis.tally(filter))

    @strawberry.field(
        description=(
            "Tallies of the measures the expulsion list's filters keep, per wave, reason category, measure type or actor's "
            "group; the groups with most measures first. Put two selections side by side with aliases, e.g. "
            "`y2018: tally(waveId: ...) {...} y2022: tally(waveId: ...) {...}`."
        )
    )
    @takes_filters(filters.ExpulsionFilter, following="by")
    async def tallies(
        self, info: Info, by: Annotated[GroupBy, strawberry.argument(description="What to group the measures by.")], **given: Any
    ) -> list[TallyGroup] | None:
        filter = await _filter(info, given)
        async with info.context.reads.use() as uow:
            groups = await uow.analysis.groups(by, filter)
        return [TallyGroup.from_domain(by, group) for group in groups]

    @strawberry.field(
        description=(
            "Two selections of measures side by side, each given by the expulsion list's filters: two waves, two years, two "
            "groups (`left: {waveId: ...}, right: {waveId: ...}`), with their tallies and the differences."
        )
    )
    async def compare(
        self,
        info: Info,
        left: Annotated[TallySelection, strawberry.argument(description="The first selection.")],
        right: Annotated[TallySelection, strawberry.argument(description="The second selection.")],
    ) -> Comparison | None:
        first, second = await _filter(info, input_arguments(left)), await _filter(info, input_arguments(right))
        async with info.context.reads.use() as uow:
            return Comparison.between(await uow.analysis.tally(first), await uow.analysis.tally(second))

    @strawberry.field(
        description="Measures and headcounts per month or year of announcement, of the measures the expulsion list's filters keep."
    )
    @takes_filters(filters.ExpulsionFilter, following="granularity")
    async def timeline(
        self,
        info: Info,
        granularity: Annotated[Granularity, strawberry.argument(description="Month or year buckets.")] = analysis.Granularity.MONTH,
        from_: Annotated[date | None, strawberry.argument(name="from", description=FROM, deprecation_reason=SPAN)] = None,
        to: Annotated[date | None, strawberry.argument(description=TO, deprecation_reason=SPAN)] = None,
        **given: Any,
    ) -> Timeline | None:
        filter = await _filter(info, given, from_, to)
        async with info.context.reads.use() as uow:
            return Timeline.from_domain(await uow.analysis.timeline(granularity, filter))

    @strawberry.field(
        description=(
            "The states that expelled most, or were expelled most, among the measures the expulsion list's filters keep "
            '(`target: "RU"` ranks who expelled Russia\'s people).'
        )
    )
    @takes_filters(filters.ExpulsionFilter, following="limit")
    async def rankings(
        self,
        info: Info,
        role: Annotated[Role, strawberry.argument(description="EXPELLER ranks actors, EXPELLED ranks targets.")] = analysis.Role.EXPELLER,
        by: Annotated[RankBy, strawberry.argument(description="What to rank by (see RankBy).")] = analysis.RankBy.MEASURES,
        from_: Annotated[date | None, strawberry.argument(name="from", description=FROM, deprecation_reason=SPAN)] = None,
        to: Annotated[date | None, strawberry.argument(description=TO, deprecation_reason=SPAN)] = None,
        limit: Annotated[int, strawberry.argument(description="How many places (1-100).")] = 10,
        **given: Any,
    ) -> list[RankingEntry] | None:
        filter = await _filter(info, given, from_, to)
        async with info.context.reads.use() as uow:
            ranked = await uow.analysis.ranking(role, by, filter, _bounded("limit", limit))
        return [RankingEntry(tally=HeadcountTally.from_domain(entry.tally), _code=entry.code) for entry in ranked]

"""Root fields for the analysis questions users ask of the record."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.graphql.context import Info
from api.graphql.inputs import node_id
from api.graphql.queries import required_code_of
from api.graphql.types.analysis import (
    BilateralBalance,
    BilateralDirection,
    Granularity,
    HeadcountTally,
    RankBy,
    RankingEntry,
    ReciprocityThread,
    Role,
    Timeline,
)
from api.graphql.types.statements import Statement
from api.graphql.types.values import MeasureType
from domain.errors import InvalidInput
from domain.read import analysis, filters

From = Annotated[date | None, strawberry.argument(description="Period start (inclusive; partial dates count by overlap).")]
To = Annotated[date | None, strawberry.argument(description="Period end (inclusive; partial dates count by overlap).")]
MAX_RESULTS = 100


def _bounded(field: str, value: int) -> int:
    if not 1 <= value <= MAX_RESULTS:
        raise InvalidInput(field, f"{field} must lie between 1 and {MAX_RESULTS}")
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
        from_: Annotated[date | None, strawberry.argument(name="from", description="Period start (inclusive, by overlap).")] = None,
        to: To = None,
        statements: Annotated[int, strawberry.argument(description="How many latest statements to include (1-100).")] = 5,
    ) -> BilateralBalance | None:
        if len(between) != 2:
            raise InvalidInput("between", "between takes exactly two codes")
        one, other = [await required_code_of(info, "between", code) for code in between]
        span = filters.span(from_, to)
        async with info.context.reads.use() as uow:
            there = await uow.analysis.balance_side(one, other, span)
            back = await uow.analysis.balance_side(other, one, span)
            latest = await uow.analysis.latest_statements((one, other), span, _bounded("statements", statements))
        return BilateralBalance(
            directions=[BilateralDirection.from_domain(there), BilateralDirection.from_domain(back)],
            latest_statements=[Statement.from_domain(s) for s in latest],
        )

    @strawberry.field(description="Measures and known headcounts per month or year of announcement.")
    async def timeline(
        self,
        info: Info,
        granularity: Annotated[Granularity, strawberry.argument(description="Month or year buckets.")] = analysis.Granularity.MONTH,
        actor: Annotated[str | None, strawberry.argument(description="Only measures by this actor.")] = None,
        target: Annotated[str | None, strawberry.argument(description="Only measures against this state.")] = None,
        measure_type: Annotated[MeasureType | None, strawberry.argument(description="Only measures of this type.")] = None,
        from_: Annotated[date | None, strawberry.argument(name="from", description="Period start (inclusive, by overlap).")] = None,
        to: To = None,
    ) -> Timeline | None:
        filter = filters.ExpulsionFilter(
            actor=(await required_code_of(info, "actor", actor),) if actor else None,
            target=(await required_code_of(info, "target", target),) if target else None,
            measure_type=measure_type,
            announced=filters.span(from_, to),
        )
        async with info.context.reads.use() as uow:
            return Timeline.from_domain(await uow.analysis.timeline(granularity, filter))

    @strawberry.field(description="The states that expelled most, or were expelled most, over a period.")
    async def rankings(
        self,
        info: Info,
        role: Annotated[Role, strawberry.argument(description="EXPELLER ranks actors, EXPELLED ranks targets.")] = analysis.Role.EXPELLER,
        by: Annotated[
            RankBy, strawberry.argument(description="Rank by number of measures, by known headcount, or by minimum headcount.")
        ] = analysis.RankBy.MEASURES,
        from_: Annotated[date | None, strawberry.argument(name="from", description="Period start (inclusive, by overlap).")] = None,
        to: To = None,
        limit: Annotated[int, strawberry.argument(description="How many places (1-100).")] = 10,
    ) -> list[RankingEntry] | None:
        async with info.context.reads.use() as uow:
            ranked = await uow.analysis.ranking(role, by, filters.span(from_, to), _bounded("limit", limit))
        return [RankingEntry(tally=HeadcountTally.from_domain(entry.tally), _code=entry.code) for entry in ranked]

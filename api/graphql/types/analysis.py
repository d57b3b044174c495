"""Answers to whole-record questions: reciprocity threads, balances, timelines, rankings."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.types.actors import Actor, State, load_actor
from api.graphql.types.expulsions import Expulsion, LagDays
from api.graphql.types.statements import Statement
from api.graphql.types.values import HeadcountType
from domain.read import analysis

Granularity = strawberry.enum(analysis.Granularity, description="The period of a timeline bucket.")
RankBy = strawberry.enum(
    analysis.RankBy,
    description=(
        "What a ranking sorts by: MEASURES, their number; KNOWN_HEADCOUNT, the sum of exact and approximate figures; "
        "MINIMUM_HEADCOUNT, the least number of people concerned (exact, approximate and 'at least' figures summed); "
        "SOURCES_LOWEST_HEADCOUNT and SOURCES_HIGHEST_HEADCOUNT, the sums of the lowest and highest figure given for each "
        "measure by the record or its sources. Ties go to more measures, then to the code."
    ),
)
Role = strawberry.enum(analysis.Role, description="Rank those who expelled, or those expelled.")
GroupBy = strawberry.enum(
    analysis.GroupBy,
    description=(
        "What grouped tallies group measures by: WAVE (measures in no wave form a group of their own), REASON_CATEGORY, "
        "MEASURE_TYPE, or ACTOR_GROUP (each organisation whose member the actor certainly was on the measure's date; a "
        "measure counts in every such group)."
    ),
)


@strawberry.type(description="Measures and headcounts, with unknown and lower-bound headcounts kept apart, never summed as zero.")
class HeadcountTally:
    measures: int = strawberry.field(description="How many measures.")
    known_headcount: int = strawberry.field(description="Sum of the exact and approximate headcounts.")
    approximate_measures: int = strawberry.field(description="How many of those numbers are only approximate.")
    lower_bound_measures: int = strawberry.field(description="Measures whose headcount is only a lower bound ('at least').")
    lower_bound_headcount: int = strawberry.field(description="Sum of those lower bounds.")
    unknown_measures: int = strawberry.field(description="Measures with no number at all; they add nothing to any sum.")
    minimum_headcount: int = strawberry.field(
        description=(
            "The headcount range's lower end: the least number of people these measures concern, "
            "exact, approximate and 'at least' figures summed."
        )
    )
    maximum_headcount: int | None = strawberry.field(
        description=(
            "The headcount range's upper end: the known headcount when every figure is exact or approximate; "
            "null (no upper bound) when any measure's figure is unknown or only 'at least'."
        )
    )
    sources_lowest_headcount: int = strawberry.field(
        description=(
            "The sum, over these measures, of the lowest figure given for each: the record's preferred figure or any of its "
            "sources' figures (an 'at least' figure counts as its number). Where the sources disagree, the low reading."
        )
    )
    sources_highest_headcount: int = strawberry.field(
        description="The sum, over these measures, of the highest figure given for each, likewise: the high reading."
    )
    contested_measures: int = strawberry.field(
        description="How many of these measures have sources giving different figures (another number, or another qualifier)."
    )

    @classmethod
    def from_domain(cls, value: analysis.HeadcountTally) -> HeadcountTally:
        return cls(
            measures=value.measures,
            known_headcount=value.known_headcount,
            approximate_measures=value.approximate_measures,
            lower_bound_measures=value.lower_bound_measures,
            lower_bound_headcount=value.lower_bound_headcount,
            unknown_measures=value.unknown_measures,
            minimum_headcount=value.minimum_headcount,
            maximum_headcount=value.maximum_headcount,
            sources_lowest_headcount=value.sources_lowest_headcount,
            sources_highest_headcount=value.sources_highest_headcount,
            contested_measures=value.contested_measures,
        )


@strawberry.type(description="One answer in a reciprocity thread: `measure` answers `answers`.")
class ReciprocityStep:
    measure: Expulsion = strawberry.field(description="The later measure, the answer.")
    answers: Expulsion = strawberry.field(description="The earlier measure it answers.")
    lag_days: LagDays = strawberry.field(description="How long the answer took.")
    answered_headcount: HeadcountType = strawberry.field(description="The earlier measure's headcount, for comparison.")
    answering_headcount: HeadcountType = strawberry.field(description="The answer's headcount, for comparison.")


@strawberry.type(description="Every measure linked to one by answers, upstream and downstream, in order of announcement.")
class ReciprocityThread:
    measures: list[Expulsion] = strawberry.field(description="The measures of the thread, earliest first.")
    steps: list[ReciprocityStep] = strawberry.field(description="Each answer link of the thread, with its lag and both headcounts.")

    @classmethod
    def from_domain(cls, thread: analysis.Thread) -> ReciprocityThread:
        steps = [
            ReciprocityStep(
                measure=Expulsion.from_domain(link.later),
                answers=Expulsion.from_domain(link.earlier),
                lag_days=LagDays(min=link.lag.min_days, max=link.lag.max_days),
                answered_headcount=HeadcountType(qualifier=link.earlier.headcount.qualifier, value=link.earlier.headcount.value),
                answering_headcount=HeadcountType(qualifier=link.later.headcount.qualifier, value=link.later.headcount.value),
            )
            for link in thread.links
        ]
        return cls(measures=[Expulsion.from_domain(m) for m in thread.measures], steps=steps)


@strawberry.type(description="What one side of a pair did to the other over the period.")
class BilateralDirection:
    tally: HeadcountTally = strawberry.field(description="Measures and headcounts in this direction.")
    first_measure: Expulsion | None = strawberry.field(description="The earliest measure in this direction.")
    last_measure: Expulsion | None = strawberry.field(description="The latest measure in this direction.")
    _side: strawberry.Private[analysis.BalanceSide]

    @classmethod
    def from_domain(cls, side: analysis.BalanceSide) -> BilateralDirection:
        return cls(
            tally=HeadcountTally.from_domain(side.tally),
            first_measure=Expulsion.from_domain(side.first) if side.first else None,
            last_measure=Expulsion.from_domain(side.last) if side.last else None,
            _side=side,
        )

    @strawberry.field(description="Who took the measures.")
    async def actor(self, info: Info) -> Actor:
        return await load_actor(info, self._side.actor)  # type: ignore[return-value]

    @strawberry.field(description="Whom they targeted.")
    async def target(self, info: Info) -> State:
        return await load_actor(info, self._side.target)  # type: ignore[return-value]


@strawberry.type(description="The balance of measures between two states, each way, with the latest statements about them.")
class BilateralBalance:
    directions: list[BilateralDirection] = strawberry.field(description="The first state's measures against the second, then the reverse.")
    latest_statements: list[Statement] = strawberry.field(description="The newest statements about measures between the two.")


@strawberry.type(description="Measures announced in one month or year.")
class TimelineBucket:
    period: str = strawberry.field(description="The period: YYYY-MM or YYYY.")
    start: date = strawberry.field(description="The period's first day.")
    tally: HeadcountTally = strawberry.field(description="Measures and headcounts in the period.")


@strawberry.type(description="Measures per period of announcement.")
class Timeline:
    granularity: Granularity = strawberry.field(description="Month or year.")
    buckets: list[TimelineBucket] = strawberry.field(description="Periods with at least one measure, earliest first.")
    imprecise: HeadcountTally = strawberry.field(
        description="Measures dated more coarsely than the granularity (a year-only date in a monthly timeline), in no bucket."
    )

    @classmethod
    def from_domain(cls, timeline: analysis.Timeline) -> Timeline:
        monthly = timeline.granularity is analysis.Granularity.MONTH
        buckets = [
            TimelineBucket(
                period=bucket.start.strftime("%Y-%m" if monthly else "%Y"),
                start=bucket.start,
                tally=HeadcountTally.from_domain(bucket.tally),
            )
            for bucket in timeline.buckets
        ]
        return cls(granularity=timeline.granularity, buckets=buckets, imprecise=HeadcountTally.from_domain(timeline.imprecise))


@strawberry.type(description="One place in a ranking.")
class RankingEntry:
    tally: HeadcountTally = strawberry.field(description="Its measures and headcounts in the period.")
    _code: strawberry.Private[str]

    @strawberry.field(description="The state or organisation ranked.")
    async def actor(self, info: Info) -> Actor:
        return await load_actor(info, self._code)  # type: ignore[return-value]


@strawberry.type(description="The tally of one group of measures.")
class TallyGroup:
    key: str | None = strawberry.field(
        description=(
            "The group: a wave's global ID (null for measures in no wave), a reason category or measure type as its enum "
            "name, or an organisation's code."
        )
    )
    tally: HeadcountTally = strawberry.field(description="Its measures and headcounts.")

    @classmethod
    def from_domain(cls, by: analysis.GroupBy, group: analysis.Group) -> TallyGroup:
        key = group.key
        if key is not None and by is analysis.GroupBy.WAVE:
            key = str(relay.GlobalID("Wave", key))
        elif key is not None and by is not analysis.GroupBy.ACTOR_GROUP:
            key = key.upper()
        return cls(key=key, tally=HeadcountTally.from_domain(group.tally))


@strawberry.type(description="Two selections of measures side by side, and how the second differs from the first.")
class Comparison:
    left: HeadcountTally = strawberry.field(description="The first selection's tally.")
    right: HeadcountTally = strawberry.field(description="The second selection's tally.")
    measures_difference: int = strawberry.field(description="The second's measures less the first's.")
    minimum_headcount_difference: int = strawberry.field(description="The second's minimum headcount less the first's.")
    maximum_headcount_difference: int | None = strawberry.field(
        description="The second's maximum headcount less the first's; null when either has no upper bound."
    )

    @classmethod
    def between(cls, left: analysis.HeadcountTally, right: analysis.HeadcountTally) -> Comparison:
        high = (
            None if left.maximum_headcount is None or right.maximum_headcount is None else right.maximum_headcount - left.maximum_headcount
        )
        return cls(
            left=HeadcountTally.from_domain(left),
            right=HeadcountTally.from_domain(right),
            measures_difference=right.measures - left.measures,
            minimum_headcount_difference=right.minimum_headcount - left.minimum_headcount,
            maximum_headcount_difference=high,
        )

"""Questions asked of the whole record: reciprocity threads, balances, timelines, rankings.

Unknown headcounts are never summed as zero: every tally counts them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Protocol

from domain.read.filters import ExpulsionFilter
from domain.record.expulsions import Expulsion
from domain.record.statements import Statement


@dataclass(frozen=True, slots=True)
class HeadcountTally:
    """Measures and their headcounts, kept apart by how each headcount is known."""

    measures: int = 0
    known_headcount: int = 0
    """Sum over measures whose number is exact or approximate."""
    approximate_measures: int = 0
    lower_bound_measures: int = 0
    lower_bound_headcount: int = 0
    """Sum of the numbers of "at least" measures: a floor, not a count."""
    unknown_measures: int = 0
    """Measures with no number at all; nothing of theirs is in any sum."""
    sources_lowest_headcount: int = 0
    """Sum over measures of the lowest figure given for each: its preferred figure or any of its sources' figures."""
    sources_highest_headcount: int = 0
    """Sum over measures of the highest figure given for each, likewise."""
    contested_measures: int = 0
    """Measures whose sources give different figures (another number, or another qualifier)."""

    @property
    def minimum_headcount(self) -> int:
        """The least number of people these measures can concern: exact, approximate and "at least" figures summed."""
        return self.known_headcount + self.lower_bound_headcount

    @property
    def maximum_headcount(self) -> int | None:
        """The most people these measures can concern; None (no upper bound) while any figure is unknown or "at least"."""
        if self.unknown_measures or self.lower_bound_measures:
            return None
        return self.known_headcount


@dataclass(frozen=True, slots=True)
class DayLag:
    """Days from an earlier measure to its answer; a range when either date is partial."""

    min_days: int
    max_days: int

    def certainly_within(self, days: int) -> bool:
        """Whether the lag is at most `days` however the partial dates are read."""
        return self.max_days <= days


def lag(earlier: Expulsion, later: Expulsion) -> DayLag:
    """The lag between two announcements, from the ends of their spans."""
    return DayLag(
        min_days=max(0, (later.announced.start - earlier.announced.end).days),
        max_days=(later.announced.end - earlier.announced.start).days,
    )


@dataclass(frozen=True, slots=True)
class ThreadLink:
    """One answer in a thread: `later` answers `earlier`."""

    later: Expulsion
    earlier: Expulsion

    @property
    def lag(self) -> DayLag:
        return lag(self.earlier, self.later)


@dataclass(frozen=True, slots=True)
class Thread:
    """Every measure connected to one by answers, upstream and downstream, in time order."""

    measures: list[Expulsion]
    links: list[ThreadLink]


@dataclass(frozen=True, slots=True)
class BalanceSide:
    """Measures one state (or organisation) took against the other."""

    actor: str
    target: str
    tally: HeadcountTally
    first: Expulsion | None
    last: Expulsion | None


class Granularity(Enum):
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class TimelineBucket:
    start: date
    tally: HeadcountTally


@dataclass(frozen=True, slots=True)
class Timeline:
    """Tallies per period; measures dated more coarsely than the period stay out of every bucket."""

    granularity: Granularity
    buckets: list[TimelineBucket]
    imprecise: HeadcountTally


class RankBy(Enum):
    MEASURES = "measures"
    KNOWN_HEADCOUNT = "known_headcount"
    MINIMUM_HEADCOUNT = "minimum_headcount"
    """Exact, approximate and "at least" figures summed: the least each can have done."""
    SOURCES_LOWEST_HEADCOUNT = "sources_lowest_headcount"
    """The lowest figure any source gives for each measure, summed."""
    SOURCES_HIGHEST_HEADCOUNT = "sources_highest_headcount"
    """The highest figure any source gives for each measure, summed."""


class GroupBy(Enum):
    """What a grouped tally groups measures by."""

    WAVE = "wave"
    REASON_CATEGORY = "reason_category"
    MEASURE_TYPE = "measure_type"
    ACTOR_GROUP = "actor_group"
    """The organisations the actor was certainly a member of on the day of the measure; a measure counts in each."""


@dataclass(frozen=True, slots=True)
class Group:
    """One group of measures: its key (a wave's id, an enum's value, an organisation's code; None for measures with no
    wave) and its tally."""

    key: str | None
    tally: HeadcountTally


class Role(Enum):
    EXPELLER = "actor"
    EXPELLED = "target"


@dataclass(frozen=True, slots=True)
class RankingEntry:
    code: str
    tally: HeadcountTally


class RecordAnalysis(Protocol):
    """Read-only questions over the whole record, answered by the store in a few queries."""

    async def thread(self, measure_id: int) -> Thread | None:
        """The reciprocity thread through a measure, or None if it does not exist."""
        ...

    async def tally(self, filter: ExpulsionFilter) -> HeadcountTally:
        """The tally of the measures the filter keeps."""
        ...

    async def groups(self, by: GroupBy, filter: ExpulsionFilter) -> list[Group]:
        """Tallies of the measures the filter keeps, per group; the largest groups (by measures) first."""
        ...

    async def balance_side(self, actor: str, target: str, filter: ExpulsionFilter) -> BalanceSide:
        """What `actor` did to `target`, among the measures the filter keeps."""
        ...

    async def latest_statements(self, pair: tuple[str, str], filter: ExpulsionFilter, limit: int) -> list[Statement]:
        """The newest statements about measures between the pair that the filter keeps."""
        ...

    async def timeline(self, granularity: Granularity, filter: ExpulsionFilter) -> Timeline:
        """Tallies per month or year of announcement."""
        ...

    async def ranking(self, role: Role, by: RankBy, filter: ExpulsionFilter, limit: int) -> list[RankingEntry]:
        """The actors that expelled (or targets that were expelled) most, among the measures the filter keeps."""
        ...

"""What a listing may be narrowed by; `None` means "any".

Date ranges follow one rule everywhere: a partial date counts as its whole span, and it
matches a range when the two spans overlap ("March 2022" matches 2022-03-15..2022-03-31).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidInput
from domain.record.actors import ActorKind
from domain.record.diplomats import Rank
from domain.record.expulsions import MeasureType, ReasonCategory
from domain.record.statements import Channel, Stance
from domain.record.values import HeadcountQualifier

MAX_LAG_DAYS = 100_000
"""Longer than any two dates the record can hold are apart."""


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive bounds; either may be open."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidInput("to", f"the range ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class ActorFilter:
    kinds: frozenset[ActorKind] | None = None


@dataclass(frozen=True, slots=True)
class MissionFilter:
    sending_state: str | None = None
    host_state: str | None = None


@dataclass(frozen=True, slots=True)
class DiplomatFilter:
    sending_state: str | None = None
    mission_id: int | None = None
    rank: Rank | None = None


@dataclass(frozen=True, slots=True)
class ExpulsionFilter:
    actor: tuple[str, ...] | None = None
    """Any of these actors."""
    target: tuple[str, ...] | None = None
    """Any of these targets."""
    measure_type: MeasureType | None = None
    wave_id: int | None = None
    party: tuple[str, ...] | None = None
    """Any of these, as either the actor or the target."""
    pair: tuple[str, str] | None = None
    """Measures between these two, in either direction."""
    announced: DateRange | None = None
    measure_types: frozenset[MeasureType] | None = None
    reason_categories: frozenset[ReasonCategory] | None = None
    qualifiers: frozenset[HeadcountQualifier] | None = None
    headcount_min: int | None = None
    headcount_max: int | None = None
    """A headcount bound keeps only measures with a number (unknown ones have none to compare)."""
    answers_something: bool | None = None
    answered: bool | None = None
    names_diplomat: int | None = None
    target_mission_id: int | None = None
    search: str | None = None
    """Full-text search: every word in the measure's stated reason, legal basis and reason category, or in one citation's excerpt."""
    answers_within_days: int | None = None
    """Measures that answer an earlier one certainly within this many days (the lag's longest reading)."""
    answered_within_days: int | None = None
    """Measures answered by a later one certainly within this many days."""
    sources_disagree: bool | None = None
    """True: measures whose sources give different figures; false: those whose sources give at most one figure."""
    member_of: str | None = None
    """The actor was a member of this organisation on the measure's date (see `domain.record.memberships`)."""
    target_member_of: str | None = None
    """The target was a member of this organisation on the measure's date."""

    def __post_init__(self) -> None:
        for name in ("actor", "target", "party"):
            if isinstance(getattr(self, name), str):
                raise TypeError(f"{name} is a tuple of codes, not one code")
            if getattr(self, name) == ():
                raise InvalidInput(name, f"{name} needs at least one code")
        if self.headcount_min is not None and self.headcount_max is not None and self.headcount_max < self.headcount_min:
            raise InvalidInput("headcountMax", "headcountMax is below headcountMin")
        for field, days in (("answersWithinDays", self.answers_within_days), ("answeredWithinDays", self.answered_within_days)):
            if days is not None and not 0 <= days <= MAX_LAG_DAYS:
                raise InvalidInput(field, f"{field} is a number of days from 0 to {MAX_LAG_DAYS}")


@dataclass(frozen=True, slots=True)
class StatementFilter:
    on_behalf_of: str | None = None
    measure_id: int | None = None
    speaker: str | None = None
    """Part of the speaker's name or role, case-insensitive."""
    channels: frozenset[Channel] | None = None
    stances: frozenset[Stance] | None = None
    said_on: DateRange | None = None
    search: str | None = None
    """Full-text search over quotes and translations."""


@dataclass(frozen=True, slots=True)
class CitationFilter:
    source_id: int | None = None
    measure_id: int | None = None
    statement_id: int | None = None


@dataclass(frozen=True, slots=True)
class MembershipFilter:
    organisation: str | None = None
    state: str | None = None
    at: date | None = None
    """Only spells that certainly include this day (see `domain.record.memberships`)."""


@dataclass(frozen=True, slots=True)
class NoFilter:
    """For listings that take no filter yet."""

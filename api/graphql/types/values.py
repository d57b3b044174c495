"""GraphQL faces of the domain's value objects and enums."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.record import actors, diplomats, expulsions, missions, sources, statements, values

DatePrecision = strawberry.enum(values.Precision, name="DatePrecision", description="How much of a date is known.")
HeadcountQualifier = strawberry.enum(
    values.HeadcountQualifier,
    description="How a headcount is known: EXACT, APPROXIMATE (about), AT_LEAST (a lower bound) or UNKNOWN (no number).",
)
ActorKind = strawberry.enum(actors.ActorKind, description="Current state, former state, or international organisation.")
MissionKind = strawberry.enum(missions.MissionKind, description="The kind of diplomatic or consular post.")
Rank = strawberry.enum(diplomats.Rank, description="A diplomatic or consular rank.")
StaffCategory = strawberry.enum(
    diplomats.StaffCategory,
    description="Staff category under the Vienna Conventions; not everyone expelled is a diplomat.",
)
MeasureType = strawberry.enum(
    expulsions.MeasureType,
    description="The distinct act: persona non grata, expulsion order, staff cap, post closure, downgrade, break of relations, or recall.",
)
LegalBasis = strawberry.enum(
    expulsions.LegalBasis,
    description="The legal instrument a measure rests on (VCDR Art. 9 or 11, VCCR Art. 23, the UN Headquarters Agreement, ...).",
)
ReasonCategory = strawberry.enum(expulsions.ReasonCategory, description="The broad ground given for a measure.")
Channel = strawberry.enum(statements.Channel, description="How a statement was made public.")
Stance = strawberry.enum(statements.Stance, description="What a statement does about the measures it concerns.")
SourceKind = strawberry.enum(sources.SourceKind, description="What sort of publisher a source is.")


@strawberry.type(name="PartialDate", description="A date known to the year, month or day; it stands for its whole span.")
class PartialDateType:
    value: str = strawberry.field(description="The date as written to its precision: YYYY, YYYY-MM or YYYY-MM-DD.")
    precision: DatePrecision = strawberry.field(description="Whether the year, the month or the day is known.")
    start: date = strawberry.field(description="The first day of the span.")
    end: date = strawberry.field(description="The last day of the span.")

    @classmethod
    def from_domain(cls, value: values.PartialDate | None) -> PartialDateType | None:
        if value is None:
            return None
        return cls(value=str(value), precision=value.precision, start=value.start, end=value.end)


@strawberry.type(name="Headcount", description="How many people a measure concerns; an unknown headcount has no number, never 0.")
class HeadcountType:
    qualifier: HeadcountQualifier = strawberry.field(description="How the number is known.")
    value: int | None = strawberry.field(description="The number, or null when the headcount is unknown.")

    @classmethod
    def from_domain(cls, value: values.Headcount | None) -> HeadcountType | None:
        if value is None:
            return None
        return cls(qualifier=value.qualifier, value=value.value)

"""Expulsions (the measures of DOMAIN.md: expulsions, persona non grata declarations, closures) and the waves they come in."""

from __future__ import annotations

import dataclasses
import inspect
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.types.history import Recorded
from api.graphql.types.nodes import FromEntity
from api.graphql.types.preloading import related, with_relations
from api.graphql.types.values import HeadcountType, LegalBasis, MeasureType, PartialDateType, ReasonCategory
from domain.read.analysis import lag
from domain.read.plans import Record
from domain.record import expulsions
from domain.record import sources as domain_sources

if TYPE_CHECKING:
    from api.graphql.types.statements import Citation


@strawberry.federation.type(keys=["id"], description="A set of measures taken together, such as a coordinated solidarity expulsion.")
class Wave(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name of the wave.")
    description: str | None = strawberry.field(description="What the wave was and why it happened.")


async def _loaded(value: Any) -> Any:
    """A relation's value, whether the query preloaded it or it is still being loaded."""
    return await value if inspect.isawaitable(value) else value


@strawberry.type(description="Days between two announcements; a range when either date is known only to the month or year.")
class LagDays:
    min: int = strawberry.field(description="The fewest days the lag can be.")
    max: int = strawberry.field(description="The most days the lag can be.")


@strawberry.type(description="How long one measure took to answer an earlier one.")
class AnswerLag:
    earlier: Expulsion = strawberry.field(description="The measure answered.")
    later: Expulsion = strawberry.field(description="The answer.")
    days: LagDays = strawberry.field(
        description="Days from the earlier announcement to the later one, as a range when either date is partial."
    )

    @classmethod
    def between(cls, earlier: Expulsion, later: Expulsion) -> AnswerLag:
        days = lag(earlier._entity, later._entity)
        return cls(earlier=earlier, later=later, days=LagDays(min=days.min_days, max=days.max_days))


@strawberry.type(
    description=(
        "The figures a measure's sources give, lowest to highest. A figure is a number with its qualifier; "
        "citations that give no number give no figure."
    )
)
class SourceFigures:
    lowest: HeadcountType = strawberry.field(description="The lowest figure a source gives.")
    highest: HeadcountType = strawberry.field(description="The highest figure a source gives.")
    agree: bool = strawberry.field(
        description="Whether every source that gives a figure gives the same one ('about 40' and '40' are two figures)."
    )
    sources: int = strawberry.field(description="How many citations give a figure.")
    distinct: int = strawberry.field(description="How many different figures they give.")

    @classmethod
    def from_domain(cls, value: domain_sources.Figures) -> SourceFigures:
        return cls(
            lowest=HeadcountType(qualifier=value.lowest.qualifier, value=value.lowest.value),
            highest=HeadcountType(qualifier=value.highest.qualifier, value=value.highest.value),
            agree=value.agree,
            sources=value.given,
            distinct=value.distinct,
        )


@strawberry.federation.type(
    keys=["id"],
    description=(
        "One measure an actor takes against a target state's people or posts: a persona non grata declaration, "
        "an expulsion order, a staff cap, a post closure, a downgrade, a break of relations, or a recall."
    ),
)
@with_relations(Record.EXPULSION)
class Expulsion(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    measure_type: MeasureType = strawberry.field(description="Which distinct act this measure is.")
    legal_basis: LegalBasis = strawberry.field(description="The legal instrument it rests on; UNSTATED when the reports do not say.")
    reason_category: ReasonCategory = strawberry.field(description="The broad ground given.")
    stated_reason: str | None = strawberry.field(description="The grounds as stated, in the record's words.")
    headcount: HeadcountType = strawberry.field(
        description="The record's preferred headcount; each citation keeps its source's own figure."
    )
    announced: PartialDateType = strawberry.field(description="When the measure was announced, to the precision known.")
    notified: PartialDateType | None = strawberry.field(description="When the target was notified, if known.")
    deadline: PartialDateType | None = strawberry.field(description="Deadline to leave, if one was set.")
    departed: PartialDateType | None = strawberry.field(description="When the people left, if known.")
    _entity: strawberry.Private[expulsions.Expulsion]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field(
        description=(
            "How long this measure took to answer each earlier measure it answers, in the order of `answers`; empty when it answers none."
        )
    )
    async def answer_lags(self, info: Info) -> list[AnswerLag]:
        earlier: list[Expulsion] = await _loaded(related(self, info, Record.EXPULSION, "answers"))
        return [AnswerLag.between(measure, self) for measure in earlier]

    @strawberry.field(description="How long each later measure that answers this one took, in the order of `answeredBy`.")
    async def answered_lags(self, info: Info) -> list[AnswerLag]:
        later: list[Expulsion] = await _loaded(related(self, info, Record.EXPULSION, "answered_by"))
        return [AnswerLag.between(self, measure) for measure in later]

    @strawberry.field(
        description=(
            "The range of figures this measure's sources give and whether they agree; null when no citation gives a number. "
            "The `sourcesDisagree` filter finds measures whose sources disagree."
        )
    )
    async def source_figures(self, info: Info) -> SourceFigures | None:
        cited: list[Citation] = await _loaded(related(self, info, Record.EXPULSION, "citations"))
        found = domain_sources.figures(citation._entity.reported_headcount for citation in cited)
        return None if found is None else SourceFigures.from_domain(found)

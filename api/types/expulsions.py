"""Measures and the waves they come in."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from api.context import Info
from api.types.actors import Actor, State, load_actor
from api.types.history import Recorded
from api.types.missions import Diplomat, Mission
from api.types.nodes import resolve_nodes
from api.types.preloading import preloaded
from api.types.values import HeadcountType, LegalBasis, MeasureType, PartialDateType, ReasonCategory
from domain import expulsions

if TYPE_CHECKING:
    from api.types.statements import Citation, Statement


@strawberry.type(description="A set of measures taken together, such as a coordinated solidarity expulsion.")
class Wave(relay.Node, Recorded):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name of the wave.")
    description: str | None = strawberry.field(description="What the wave was and why it happened.")

    @classmethod
    def from_domain(cls, entity: expulsions.Wave) -> Wave:
        assert entity.id is not None
        return cls(id=entity.id, version=entity.version, name=entity.name, description=entity.description)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "wave", node_ids, cls.from_domain)


@strawberry.type(
    description=(
        "One measure an actor takes against a target state's people or posts: a persona non grata declaration, "
        "an expulsion order, a staff cap, a post closure, a downgrade, a break of relations, or a recall."
    )
)
class Expulsion(relay.Node, Recorded):
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

    @classmethod
    def from_domain(cls, entity: expulsions.Expulsion) -> Expulsion:
        assert entity.id is not None
        return cls(
            id=entity.id,
            version=entity.version,
            measure_type=entity.measure_type,
            legal_basis=entity.legal_basis,
            reason_category=entity.reason_category,
            stated_reason=entity.stated_reason,
            headcount=HeadcountType.from_domain(entity.headcount),  # type: ignore[arg-type]
            announced=PartialDateType.from_domain(entity.announced),  # type: ignore[arg-type]
            notified=PartialDateType.from_domain(entity.notified),
            deadline=PartialDateType.from_domain(entity.deadline),
            departed=PartialDateType.from_domain(entity.departed),
            _entity=entity,
        )

    @strawberry.field(description="The state or organisation that took the measure.")
    def actor(self, info: Info) -> Actor:
        return preloaded(self, "actor", lambda: load_actor(info, self._entity.actor))  # type: ignore[no-any-return]

    @strawberry.field(description="The state whose people or posts the measure is aimed at.")
    def target(self, info: Info) -> State:
        return preloaded(self, "target", lambda: load_actor(info, self._entity.target))  # type: ignore[no-any-return]

    @strawberry.field(description="The target's mission concerned, if the reports name one.")
    def target_mission(self, info: Info) -> Mission | None:
        return preloaded(self, "target_mission", lambda: self._target_mission(info))  # type: ignore[no-any-return]

    async def _target_mission(self, info: Info) -> Mission | None:
        if self._entity.target_mission_id is None:
            return None
        found = await info.context.loaders.load(info, "mission", self._entity.target_mission_id)
        return Mission.from_domain(found) if found else None

    @strawberry.field(description="The named people the measure concerns; often fewer than the headcount, or none.")
    def people(self, info: Info) -> list[Diplomat]:
        return preloaded(self, "people", lambda: self._people(info))  # type: ignore[no-any-return]

    async def _people(self, info: Info) -> list[Diplomat]:
        return [Diplomat.from_domain(d) for d in await info.context.loaders.load(info, "people_of_measure", self.id)]

    @strawberry.field(description="The earlier measures this one answers (tit-for-tat, mirror or solidarity responses).")
    def answers(self, info: Info) -> list[Expulsion]:
        return preloaded(self, "answers", lambda: self._answers(info))  # type: ignore[no-any-return]

    async def _answers(self, info: Info) -> list[Expulsion]:
        loaded = await info.context.loaders.present(info, "expulsion", self._entity.answers)
        return [Expulsion.from_domain(m) for m in loaded]

    @strawberry.field(description="The later measures that answer this one.")
    def answered_by(self, info: Info) -> list[Expulsion]:
        return preloaded(self, "answered_by", lambda: self._answered_by(info))  # type: ignore[no-any-return]

    async def _answered_by(self, info: Info) -> list[Expulsion]:
        ids = await info.context.loaders.load(info, "answering", self.id)
        loaded = await info.context.loaders.present(info, "expulsion", ids)
        return [Expulsion.from_domain(m) for m in loaded]

    @strawberry.field(description="The wave this measure belongs to, if any.")
    def wave(self, info: Info) -> Wave | None:
        return preloaded(self, "wave", lambda: self._wave(info))  # type: ignore[no-any-return]

    async def _wave(self, info: Info) -> Wave | None:
        if self._entity.wave_id is None:
            return None
        found = await info.context.loaders.load(info, "wave", self._entity.wave_id)
        return Wave.from_domain(found) if found else None

    @strawberry.field(description="What was said about this measure, by either side or by others.")
    def statements(self, info: Info) -> list[Annotated[Statement, strawberry.lazy("api.types.statements")]]:
        return preloaded(self, "statements", lambda: self._statements(info))  # type: ignore[no-any-return]

    async def _statements(self, info: Info) -> list[Annotated[Statement, strawberry.lazy("api.types.statements")]]:
        from api.types.statements import Statement

        return [Statement.from_domain(s) for s in await info.context.loaders.load(info, "statements_about", self.id)]

    @strawberry.field(description="The sources backing this measure, each with the headcount that source reported.")
    def citations(self, info: Info) -> list[Annotated[Citation, strawberry.lazy("api.types.statements")]]:
        return preloaded(self, "citations", lambda: self._citations(info))  # type: ignore[no-any-return]

    async def _citations(self, info: Info) -> list[Annotated[Citation, strawberry.lazy("api.types.statements")]]:
        from api.types.statements import Citation

        return [Citation.from_domain(c) for c in await info.context.loaders.load(info, "citations_of_measure", self.id)]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "expulsion", node_ids, cls.from_domain)

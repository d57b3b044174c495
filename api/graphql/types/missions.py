"""Missions and the people who serve at them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.types.actors import Actor, State
from api.graphql.types.history import Recorded, personal_field
from api.graphql.types.nodes import resolve_nodes
from api.graphql.types.preloading import related
from api.graphql.types.values import MissionKind, Rank, StaffCategory
from domain.read.plans import Record
from domain.record import diplomats, missions


@strawberry.type(description="A sending state's post in a host state, possibly accredited to an organisation rather than to the host.")
class Mission(relay.Node, Recorded):
    id: relay.NodeID[int]
    kind: MissionKind = strawberry.field(description="Embassy, consulate, permanent mission, ...")
    city: str | None = strawberry.field(description="City where the post sits.")
    name: str | None = strawberry.field(description="The post's own name, if recorded.")
    _entity: strawberry.Private[missions.Mission]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_domain(cls, entity: missions.Mission) -> Mission:
        assert entity.id is not None
        return cls(id=entity.id, version=entity.version, kind=entity.kind, city=entity.city, name=entity.name, _entity=entity)

    @strawberry.field(description="The state that sends the mission.")
    def sending_state(self, info: Info) -> State:
        return related(self, info, Record.MISSION, "sending_state")  # type: ignore[no-any-return]

    @strawberry.field(description="The state on whose territory the mission sits.")
    def host_state(self, info: Info) -> State:
        return related(self, info, Record.MISSION, "host_state")  # type: ignore[no-any-return]

    @strawberry.field(description="The organisation the mission is accredited to, when it is not the host state (e.g. the UN).")
    def accredited_to(self, info: Info) -> Actor | None:
        return related(self, info, Record.MISSION, "accredited_to")  # type: ignore[no-any-return]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "mission", node_ids, cls.from_domain)


@strawberry.type(description="A person sent by a state; the record may know only their rank or category, not their name.")
class Diplomat(relay.Node, Recorded):
    id: relay.NodeID[int]
    name: str | None = personal_field("name", "The person's name, when it was made public.")
    rank: Rank | None = strawberry.field(description="Diplomatic or consular rank, if known.")
    staff_category: StaffCategory = strawberry.field(
        description="Diplomatic, administrative and technical, service, consular, or organisation staff."
    )
    _entity: strawberry.Private[diplomats.Diplomat]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_domain(cls, entity: diplomats.Diplomat) -> Diplomat:
        assert entity.id is not None
        return cls(id=entity.id, version=entity.version, rank=entity.rank, staff_category=entity.staff_category, _entity=entity)

    @strawberry.field(description="The state that sent this person.")
    def sending_state(self, info: Info) -> State:
        return related(self, info, Record.DIPLOMAT, "sending_state")  # type: ignore[no-any-return]

    @strawberry.field(description="The mission the person served at, if known.")
    def mission(self, info: Info) -> Mission | None:
        return related(self, info, Record.DIPLOMAT, "mission")  # type: ignore[no-any-return]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "diplomat", node_ids, cls.from_domain)

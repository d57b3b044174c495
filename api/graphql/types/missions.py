"""Missions and the people who serve at them."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from strawberry import relay

from api.graphql.types.history import Recorded, personal_field
from api.graphql.types.nodes import FromEntity
from api.graphql.types.preloading import with_relations
from api.graphql.types.values import MissionKind, Rank, StaffCategory
from domain.read.plans import Record
from domain.record import diplomats, missions


@strawberry.type(description="A sending state's post in a host state, possibly accredited to an organisation rather than to the host.")
@with_relations(Record.MISSION)
class Mission(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    kind: MissionKind = strawberry.field(description="Embassy, consulate, permanent mission, ...")
    city: str | None = strawberry.field(description="City where the post sits.")
    name: str | None = strawberry.field(description="The post's own name, if recorded.")
    _entity: strawberry.Private[missions.Mission]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)


@strawberry.type(description="A person sent by a state; the record may know only their rank or category, not their name.")
@with_relations(Record.DIPLOMAT)
class Diplomat(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    name: str | None = personal_field("name", "The person's name, when it was made public.")
    rank: Rank | None = strawberry.field(description="Diplomatic or consular rank, if known.")
    staff_category: StaffCategory = strawberry.field(
        description="Diplomatic, administrative and technical, service, consular, or organisation staff."
    )
    _entity: strawberry.Private[diplomats.Diplomat]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

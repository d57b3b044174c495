"""States and organisations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.types.history import Recorded
from api.graphql.types.nodes import resolve_nodes
from api.graphql.types.values import ActorKind
from domain.record import actors

if TYPE_CHECKING:
    from api.graphql.types.memberships import Membership


@strawberry.interface(description="Anyone who takes a measure, suffers one, or speaks: a state or an international organisation.")
class Actor(relay.Node, Recorded):
    id: relay.NodeID[int]
    code: str = strawberry.field(
        description=(
            "Natural key: ISO 3166-1 alpha-2 for a current state (XK for Kosovo), "
            "ISO 3166-3 for a former state, or the organisation's short code."
        )
    )
    name: str = strawberry.field(description="Common English name.")
    kind: ActorKind = strawberry.field(description="Current state, former state, or organisation.")


@strawberry.federation.type(keys=["code"], description="A sovereign state, current (ISO 3166-1) or former (ISO 3166-3).")
class State(Actor):
    alpha3: str | None = strawberry.field(description="ISO 3166-1 alpha-3 code (a former state's own alpha-3 where it had one).")
    numeric: str | None = strawberry.field(description="ISO 3166-1 numeric code, where assigned.")
    official_name: str | None = strawberry.field(description="Official name, where ISO gives one.")
    dissolved: date | None = strawberry.field(description="When a former state's code was withdrawn; null for a current state.")

    @strawberry.field(description="True for a state that no longer exists (ISO 3166-3).")
    def is_former(self) -> bool:
        return self.kind is actors.ActorKind.FORMER_STATE

    @strawberry.field(description="The state's spells of membership in international organisations, in the order recorded.")
    async def memberships(self, info: Info) -> list[Annotated[Membership, strawberry.lazy("api.graphql.types.memberships")]]:
        from api.graphql.types.memberships import memberships_of

        return await memberships_of(info, self.code)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "actor", node_ids, lambda a: actor_type(a) if a.is_state else None)

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> State | None:
        """The state a federation router names by its key, `@key(fields: "code")`; null when no state has this code."""
        found = await load_actor(info, code)
        return found if isinstance(found, State) else None


@strawberry.federation.type(
    keys=["code"], description="An international organisation acting or speaking in its own name (UN, EU, NATO, OSCE, ...)."
)
class Organisation(Actor):
    official_name: str | None = strawberry.field(description="Official name, if recorded.")

    @strawberry.field(
        description=(
            "Whether the record holds the organisation's memberships (any spell of any state). When false, `members` is "
            "empty because its members are not recorded, not because it has none, and a `memberOf` or `targetMemberOf` "
            "filter naming it is refused (BAD_USER_INPUT) rather than answered with a silent nothing."
        )
    )
    async def membership_recorded(self, info: Info) -> bool:
        recorded: bool = await info.context.loaders.load(info, "members_recorded", self.code)
        return recorded

    @strawberry.field(
        description=(
            "The organisation's member states' spells, in the order recorded (at most 1,000); empty when its memberships are "
            "not recorded (see membershipRecorded). Each spell's `source.unverified` is true until someone has checked its "
            "dates against its source: the curated spells were written offline and are unverified."
        )
    )
    async def members(
        self,
        info: Info,
        at: Annotated[
            date | None,
            strawberry.argument(description="Only the spells that certainly include this day; omit for every spell ever recorded."),
        ] = None,
    ) -> list[Annotated[Membership, strawberry.lazy("api.graphql.types.memberships")]]:
        from api.graphql.types.memberships import members

        return await members(info, self.code, at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "actor", node_ids, lambda a: None if a.is_state else actor_type(a))

    @classmethod
    async def resolve_reference(cls, info: Info, code: str) -> Organisation | None:
        """The organisation a federation router names by its key, `@key(fields: "code")`; null when none has this code."""
        found = await load_actor(info, code)
        return found if isinstance(found, Organisation) else None


def actor_type(actor: actors.Actor) -> State | Organisation:
    """The GraphQL type for a domain actor."""
    assert actor.id is not None
    if actor.is_state:
        return State(
            id=actor.id,
            version=actor.version,
            code=actor.code,
            name=actor.name,
            kind=actor.kind,
            alpha3=actor.alpha3,
            numeric=actor.numeric,
            official_name=actor.official_name,
            dissolved=actor.dissolved,
        )
    return Organisation(
        id=actor.id, version=actor.version, code=actor.code, name=actor.name, kind=actor.kind, official_name=actor.official_name
    )


async def load_actor(info: Info, code: str | None) -> State | Organisation | None:
    """The actor with this code, through the request's loader."""
    if code is None:
        return None
    found = await info.context.loaders.load(info, "actor_by_code", code)
    return actor_type(found) if found is not None else None

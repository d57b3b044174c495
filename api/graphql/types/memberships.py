"""Memberships: a state's spells in an international organisation."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.types.actors import Organisation, State, load_actor
from api.graphql.types.history import Recorded
from api.graphql.types.nodes import FromEntity
from api.graphql.types.values import PartialDateType
from domain.read.filters import MembershipFilter
from domain.read.pagination import PageRequest
from domain.record import memberships

MOST_MEMBERS = 1_000
"""An organisation's spells are answered in one list, never more than this (the UN has 193 members)."""


MembershipBasis = strawberry.enum(
    memberships.MembershipBasis,
    description="What a spell of membership rests on: a treaty, or no treaty at all (the Five Eyes, the G7).",
)


@strawberry.type(description="The source a membership spell is recorded from.")
class MembershipSource:
    publisher: str = strawberry.field(description="Who published it.")
    title: str = strawberry.field(description="Its title, or what it is.")
    url: str | None = strawberry.field(description="Where it can be read, if known.")
    checked: date | None = strawberry.field(
        description="The day someone checked the spell's dates against this source; null while no one has."
    )

    @strawberry.field(
        description=(
            "True until someone has checked the spell's dates against this source (`checked` is null): the curated spells "
            "were written offline, from memory, and are unverified until checked."
        )
    )
    def unverified(self) -> bool:
        return self.checked is None


@strawberry.type(
    description=(
        "One spell of a state's membership of an international organisation. `joined` is its first day and `left` its last "
        "(inclusive), both partial dates; a filter or `members(at:)` counts a state a member only on days it certainly was one."
    )
)
class Membership(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    joined: PartialDateType = strawberry.field(description="The first day of membership, to the precision known.")
    left: PartialDateType | None = strawberry.field(description="The last day of membership; null while the state is still a member.")
    basis: MembershipBasis = strawberry.field(
        description="What the membership rests on: TREATY, or NO_TREATY (an arrangement between agencies, a forum's practice)."
    )
    source: MembershipSource = strawberry.field(description="Where the spell's dates come from, and whether anyone checked them.")
    _entity: strawberry.Private[memberships.Membership]

    @strawberry.field(description="The organisation.")
    async def organisation(self, info: Info) -> Organisation:
        found = await load_actor(info, self._entity.organisation)
        assert isinstance(found, Organisation)
        return found

    @strawberry.field(description="The member state.")
    async def state(self, info: Info) -> State:
        found = await load_actor(info, self._entity.state)
        assert isinstance(found, State)
        return found

    @classmethod
    def from_domain(cls, entity: memberships.Membership) -> Membership:
        assert entity.id is not None
        joined = PartialDateType.from_domain(entity.joined)
        assert joined is not None
        return cls(
            id=entity.id,
            version=entity.version,
            joined=joined,
            left=PartialDateType.from_domain(entity.left),
            basis=entity.basis,
            source=MembershipSource(
                publisher=entity.source_publisher, title=entity.source_title, url=entity.source_url, checked=entity.source_checked
            ),
            _entity=entity,
        )


async def members(info: Info, organisation: str, at: date | None) -> list[Membership]:
    """An organisation's spells (those certainly including `at`, when given), in the order recorded."""
    async with info.context.reads.use() as uow:
        page = await uow.memberships.list(
            MembershipFilter(organisation=organisation, at=at), PageRequest(first=MOST_MEMBERS, limit=MOST_MEMBERS)
        )
    return [Membership.from_domain(spell) for spell in page.items]


async def memberships_of(info: Info, state: str) -> list[Membership]:
    """A state's spells in every organisation, batched across the states of one list."""
    found = await info.context.loaders.load(info, "memberships_of_state", state)
    return [Membership.from_domain(spell) for spell in found]

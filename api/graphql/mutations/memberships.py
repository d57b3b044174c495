"""Mutations on memberships: a spell begins, ends, or is removed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.graphql.arguments import NEW, ExpectedVersion, RecordId
from api.graphql.context import Info
from api.graphql.errors import outcome
from api.graphql.inputs import InputSpec, node_id, partial_date, required, same
from api.graphql.mutations import common
from api.graphql.types.memberships import Membership, MembershipBasis
from api.limits.access import admin_mutation
from domain.record import memberships
from domain.use_cases import memberships as use_cases


@strawberry.input(description="A spell of a state's membership of an organisation, with the source its dates come from.")
class CreateMembershipInput:
    organisation: str = strawberry.field(description="The organisation's code, e.g. 'EU'.")
    state: str = strawberry.field(description="The member state's code: alpha-2, alpha-3 or ISO 3166-3.")
    joined: str = strawberry.field(description="Its first day as a member: YYYY, YYYY-MM or YYYY-MM-DD.")
    left: str | None = strawberry.field(default=None, description="Its last day as a member (inclusive); omit while it is one.")
    source_publisher: str = strawberry.field(description="Who published the source of these dates.")
    source_title: str = strawberry.field(description="The source's title.")
    source_url: str | None = strawberry.field(default=None, description="Where the source can be read: an absolute http(s) URL.")
    source_checked: date | None = strawberry.field(
        default=None,
        description="The day someone checked the spell's dates against the source; omit when no one has (the spell is then unverified).",
    )
    basis: MembershipBasis = strawberry.field(
        default=memberships.MembershipBasis.TREATY, description="What the membership rests on: a treaty (the default), or no treaty."
    )


MEMBERSHIP = InputSpec(
    {
        "organisation": ("organisation", required(same)),
        "state": ("state", required(same)),
        "joined": ("joined", required(partial_date)),
        "left": ("left", partial_date),
        "source_publisher": ("source_publisher", required(same)),
        "source_title": ("source_title", required(same)),
        "source_url": ("source_url", same),
        "source_checked": ("source_checked", same),
        "basis": ("basis", same),
    }
)
MembershipResult = common.result_union("MembershipResult", Membership)


@strawberry.type
class MembershipMutations:
    @strawberry.mutation(description="Record a spell of membership; it may not overlap another of the same state in the same organisation.")
    async def create_membership(self, info: Info, input: Annotated[CreateMembershipInput, NEW]) -> MembershipResult:
        return await common.create(info, input, MEMBERSHIP, memberships.Membership, use_cases.editor, Membership.from_domain)

    @strawberry.mutation(description="Set (or correct) the last day of a spell of membership.")
    async def end_membership(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        left: Annotated[str, strawberry.argument(description="The last day as a member (inclusive): YYYY, YYYY-MM or YYYY-MM-DD.")],
    ) -> MembershipResult:
        async def run() -> Membership:
            last_day = partial_date("left", left)
            assert last_day is not None
            number = node_id("Membership", "id", id)
            ended = await use_cases.end_membership(number, last_day, uow=info.context.uow_factory(), expected_version=expected_version)
            return Membership.from_domain(ended)

        return await outcome(run)

    @strawberry.mutation(
        description=(
            "Record the day someone checked a spell's dates against its source: the spell is then no longer unverified "
            "(`source.unverified` false). A curated spell is unverified until this is done."
        )
    )
    async def check_membership_source(
        self,
        info: Info,
        id: RecordId,
        expected_version: ExpectedVersion,
        checked: Annotated[date, strawberry.argument(description="The day the dates were checked against the source.")],
    ) -> MembershipResult:
        async def run() -> Membership:
            number = node_id("Membership", "id", id)
            done = await use_cases.check_membership_source(
                number, checked, uow=info.context.uow_factory(), expected_version=expected_version
            )
            return Membership.from_domain(done)

        return await outcome(run)

    @admin_mutation("Remove a spell of membership recorded in error (a spell that ended is ended, not removed).")
    async def delete_membership(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Membership", id, expected_version, use_cases.editor)

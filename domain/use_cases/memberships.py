"""Use cases for memberships: a state joins an organisation, its spell ends, its source is checked, or a wrong spell is removed."""

from __future__ import annotations

import dataclasses
from datetime import date

from domain.errors import Checks, Code, Conflict
from domain.ports import UnitOfWork
from domain.read.filters import MembershipFilter
from domain.read.pagination import PageRequest
from domain.record.memberships import Membership
from domain.record.values import PartialDate
from domain.use_cases import references
from domain.use_cases.editing import AggregateEditor

MOST_SPELLS = 100
"""More spells of one state in one organisation than any record will hold; the overlap check reads them all."""


async def _check(membership: Membership, uow: UnitOfWork) -> Membership:
    found = Checks()
    organisation, state = membership.organisation, membership.state
    with found.rule():
        organisation = (await references.actor(uow, "organisation", membership.organisation, organisations_only=True)).code
    with found.rule():
        state = (await references.actor(uow, "state", membership.state, states_only=True)).code
    found.done()
    canonical = dataclasses.replace(membership, organisation=organisation, state=state)
    spells = await uow.memberships.list(MembershipFilter(organisation=organisation, state=state), PageRequest(first=MOST_SPELLS))
    for other in spells.items:
        if other.id != membership.id and canonical.overlaps(other):
            raise Conflict(
                f"{state} is recorded as a member of {organisation} from {other.joined} (membership {other.id})",
                code=Code.OVERLAPPING_MEMBERSHIP,
            )
    return canonical


editor = AggregateEditor[Membership]("Membership", lambda uow: uow.memberships, _check)


async def add_membership(draft: Membership, *, uow: UnitOfWork) -> Membership:
    """Record a spell of membership; it may not overlap another spell of the same state in the same organisation."""
    return await editor.create(draft, uow=uow)


async def end_membership(id: int, left: PartialDate, *, uow: UnitOfWork, expected_version: int | None = None) -> Membership:
    """Set the last day of a spell (or correct it)."""
    return await editor.update(id, {"left": left}, uow=uow, expected_version=expected_version)


async def check_membership_source(id: int, checked: date, *, uow: UnitOfWork, expected_version: int | None = None) -> Membership:
    """Record the day someone checked the spell's dates against its source: the spell is no longer unverified."""
    return await editor.update(id, {"source_checked": checked}, uow=uow, expected_version=expected_version)


remove_membership = editor.delete

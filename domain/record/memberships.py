"""Membership over time: which states belonged to an international organisation, and when.

`joined` is the first day of membership and `left` the last (inclusive; none while still a
member): the United Kingdom was an EU member from 1973-01-01 up to and including 2020-01-31.
Both are partial dates. A state counts as a member *at* a date only when it certainly was one on
every day that date may stand for: it had joined by the date's first day (the latest day `joined`
may stand for is no later) and had not yet left on its last (the earliest day `left` may stand
for is no earlier). So a measure dated only "2020" does not count the United Kingdom as an EU
member: it may have come after 31 January.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from domain.errors import Checks, Code
from domain.record import checks
from domain.record.values import PartialDate


class MembershipBasis(Enum):
    """What a spell of membership rests on."""

    TREATY = "treaty"
    """A treaty: the organisation's founding treaty, or the state's accession to it."""
    NO_TREATY = "no_treaty"
    """No treaty: an arrangement between governments or agencies, or a forum's practice of who takes part."""


@dataclass(slots=True, kw_only=True)
class Membership:
    """One spell of a state's membership of an organisation, with the source that tells of it."""

    organisation: str
    state: str
    joined: PartialDate
    left: PartialDate | None = None
    source_publisher: str
    source_title: str
    source_url: str | None = None
    source_checked: date | None = None
    """The day someone checked the spell's dates against its source; None while no one has (unverified)."""
    basis: MembershipBasis = MembershipBasis.TREATY
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        found = Checks()
        self.source_publisher = found.value(lambda: checks.required_text("sourcePublisher", self.source_publisher)) or self.source_publisher
        self.source_title = found.value(lambda: checks.required_text("sourceTitle", self.source_title, limit=500)) or self.source_title
        self.source_url = found.value(lambda: checks.url("sourceUrl", self.source_url))
        if self.organisation == self.state:
            found.add("state", Code.SELF_REFERENCE, "an organisation is not a member of itself")
        if self.left is not None and self.left.end < self.joined.start:
            found.add("left", Code.DATES_OUT_OF_ORDER, f"the membership ends ({self.left}) before it begins ({self.joined})")
        found.done()

    @property
    def unverified(self) -> bool:
        """No one has checked the spell's dates against its source yet."""
        return self.source_checked is None

    def certain_on(self, start: date, end: date) -> bool:
        """A member on every day of [start, end], whatever days the partial dates stand for."""
        return self.joined.end <= start and (self.left is None or self.left.start >= end)

    def overlaps(self, other: Membership) -> bool:
        """Whether two spells of the same state in the same organisation may share a day."""
        if (self.organisation, self.state) != (other.organisation, other.state):
            return False
        self_end = date.max if self.left is None else self.left.end
        other_end = date.max if other.left is None else other.left.end
        return self.joined.start <= other_end and other.joined.start <= self_end

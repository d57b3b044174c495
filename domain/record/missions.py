"""Missions: the posts at which a sending state's people serve."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.errors import Checks, Code
from domain.record import checks


class MissionKind(Enum):
    """The kind of post a mission is."""

    EMBASSY = "embassy"
    CONSULATE_GENERAL = "consulate_general"
    CONSULATE = "consulate"
    HONORARY_CONSULATE = "honorary_consulate"
    PERMANENT_MISSION = "permanent_mission"
    INTERESTS_SECTION = "interests_section"
    TRADE_MISSION = "trade_mission"


@dataclass(slots=True, kw_only=True)
class Mission:
    """A sending state's post in a host state, possibly accredited to an organisation.

    The host state and the accreditation can differ: a permanent mission to the UN in New
    York has the US as host state and the UN as the body it is accredited to.
    """

    sending_state: str
    host_state: str
    kind: MissionKind
    city: str | None = None
    name: str | None = None
    accredited_to: str | None = None
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        found = Checks()
        self.city = found.value(lambda: checks.text("city", self.city))
        self.name = found.value(lambda: checks.text("name", self.name))
        if self.sending_state == self.host_state:
            found.add("hostState", Code.SELF_REFERENCE, "a mission's host state differs from its sending state")
        if self.kind is MissionKind.PERMANENT_MISSION and self.accredited_to is None:
            found.add("accreditedTo", Code.FIELDS_GO_TOGETHER, "a permanent mission is accredited to an organisation")
        found.done()

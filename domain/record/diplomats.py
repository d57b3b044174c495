"""People who serve at missions and may be expelled, named or not."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.errors import Code, InvalidInput
from domain.record import checks
from domain.record.missions import Mission


class Rank(Enum):
    """Diplomatic and consular ranks."""

    AMBASSADOR = "ambassador"
    CHARGE_D_AFFAIRES = "charge_d_affaires"
    MINISTER = "minister"
    MINISTER_COUNSELLOR = "minister_counsellor"
    COUNSELLOR = "counsellor"
    FIRST_SECRETARY = "first_secretary"
    SECOND_SECRETARY = "second_secretary"
    THIRD_SECRETARY = "third_secretary"
    ATTACHE = "attache"
    DEFENCE_ATTACHE = "defence_attache"
    CONSUL_GENERAL = "consul_general"
    CONSUL = "consul"
    VICE_CONSUL = "vice_consul"


class StaffCategory(Enum):
    """The category of staff, under the Vienna Conventions; not everyone expelled is a diplomat."""

    DIPLOMATIC = "diplomatic"
    ADMINISTRATIVE_TECHNICAL = "administrative_technical"
    SERVICE = "service"
    CONSULAR = "consular"
    INTERNATIONAL_ORGANISATION = "international_organisation"


@dataclass(slots=True, kw_only=True)
class Diplomat:
    """A person sent by a state; the record may not know their name."""

    sending_state: str
    staff_category: StaffCategory
    name: str | None = None
    rank: Rank | None = None
    mission_id: int | None = None
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        self.name = checks.text("name", self.name)

    def may_serve_at(self, mission: Mission) -> None:
        """Refuse a mission of another sending state."""
        if mission.sending_state != self.sending_state:
            raise InvalidInput(
                "missionId", f"mission {mission.id} belongs to {mission.sending_state}, not {self.sending_state}", Code.STATE_MISMATCH
            )

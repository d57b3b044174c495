"""Expulsions: measures against a state's diplomats or posts, and the waves they come in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.errors import Checks, Code, InvalidInput
from domain.record import checks
from domain.record.diplomats import Diplomat
from domain.record.missions import Mission
from domain.record.values import Headcount, HeadcountQualifier, PartialDate


class MeasureType(Enum):
    """The distinct acts that the word "expulsion" covers."""

    PERSONA_NON_GRATA = "persona_non_grata"
    EXPULSION_ORDER = "expulsion_order"
    STAFF_CAP = "staff_cap"
    POST_CLOSURE = "post_closure"
    DOWNGRADE = "downgrade"
    BREAK_OF_RELATIONS = "break_of_relations"
    RECALL = "recall"


class LegalBasis(Enum):
    """The legal instrument a measure rests on."""

    VCDR_ARTICLE_9 = "vcdr_article_9"
    VCCR_ARTICLE_23 = "vccr_article_23"
    VCDR_ARTICLE_11 = "vcdr_article_11"
    UN_HEADQUARTERS_AGREEMENT = "un_headquarters_agreement"
    DOMESTIC_LAW = "domestic_law"
    OTHER = "other"
    UNSTATED = "unstated"


class ReasonCategory(Enum):
    """The broad ground given for a measure."""

    ESPIONAGE = "espionage"
    RETALIATION = "retaliation"
    SOLIDARITY = "solidarity"
    OTHER = "other"
    UNSTATED = "unstated"


@dataclass(slots=True, kw_only=True)
class Wave:
    """A set of measures taken together, such as a coordinated solidarity expulsion."""

    name: str
    description: str | None = None
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        found = Checks()
        self.name = found.value(lambda: checks.required_text("name", self.name)) or self.name
        self.description = found.value(lambda: checks.text("description", self.description, limit=checks.LONG_TEXT))
        found.done()


@dataclass(slots=True, kw_only=True)
class Expulsion:
    """One measure taken by an actor against a target state's people or posts.

    `headcount` is the record's preferred figure; each citation keeps its own source's
    figure. `answers` lists the earlier measures this one responds to.
    """

    actor: str
    target: str
    measure_type: MeasureType
    announced: PartialDate
    headcount: Headcount
    reason_category: ReasonCategory = ReasonCategory.UNSTATED
    legal_basis: LegalBasis = LegalBasis.UNSTATED
    stated_reason: str | None = None
    target_mission_id: int | None = None
    notified: PartialDate | None = None
    deadline: PartialDate | None = None
    departed: PartialDate | None = None
    diplomat_ids: tuple[int, ...] = ()
    answers: tuple[int, ...] = ()
    wave_id: int | None = None
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        found = Checks()
        self.stated_reason = found.value(lambda: checks.text("statedReason", self.stated_reason, limit=checks.LONG_TEXT))
        if self.actor == self.target:
            found.add("target", Code.SELF_REFERENCE, "no state takes a measure against itself")
        if self.deadline is not None:
            for name, earlier in (("announced", self.announced), ("notified", self.notified)):
                if earlier is not None and self.deadline.certainly_before(earlier):
                    found.add(
                        "deadline",
                        Code.DATES_OUT_OF_ORDER,
                        f"the deadline to leave ({self.deadline}) is before the measure was {name} ({earlier})",
                    )
                    break
        if self.departed is not None and self.notified is not None and self.departed.certainly_before(self.notified):
            found.add("departed", Code.DATES_OUT_OF_ORDER, f"departure ({self.departed}) is before notification ({self.notified})")
        with found.rule():
            checks.distinct_ids("diplomatIds", self.diplomat_ids)
        with found.rule():
            checks.distinct_ids("answers", self.answers)
        if self.id is not None and self.id in self.answers:
            found.add("answers", Code.SELF_REFERENCE, "a measure cannot answer itself")
        exact = self.headcount.value if self.headcount.qualifier is HeadcountQualifier.EXACT else None
        if exact is not None and len(set(self.diplomat_ids)) > exact:
            found.add(
                "diplomatIds",
                Code.HEADCOUNT_EXCEEDED,
                f"{len(set(self.diplomat_ids))} named people exceed the exact headcount {self.headcount.value}",
            )
        found.done()
        self.diplomat_ids = tuple(self.diplomat_ids)
        self.answers = tuple(self.answers)

    def may_target(self, mission: Mission) -> None:
        """Refuse a target mission that is not the target state's."""
        if mission.sending_state != self.target:
            raise InvalidInput(
                "targetMissionId", f"mission {mission.id} is {mission.sending_state}'s, not the target {self.target}'s", Code.STATE_MISMATCH
            )

    def may_name(self, person: Diplomat) -> None:
        """Refuse a named person whom the target state did not send."""
        if person.sending_state != self.target:
            raise InvalidInput(
                "diplomatIds",
                f"diplomat {person.id} is sent by {person.sending_state}, not by the target {self.target}",
                Code.STATE_MISMATCH,
            )

    def may_answer(self, earlier: Expulsion) -> None:
        """Refuse an answer link that points forward in time."""
        if self.announced.certainly_before(earlier.announced):
            raise InvalidInput(
                "answers",
                f"measure {earlier.id} was announced ({earlier.announced}) after this one ({self.announced}); "
                "an answer never points forward in time",
                Code.ANSWERS_FORWARD,
            )

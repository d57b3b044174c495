"""Explicit mapping between stored rows and domain entities, both ways."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from domain.record.actors import Actor, ActorKind
from domain.record.diplomats import Diplomat, Rank, StaffCategory
from domain.record.expulsions import Expulsion, LegalBasis, MeasureType, ReasonCategory, Wave
from domain.record.memberships import Membership
from domain.record.missions import Mission, MissionKind
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Channel, Stance, Statement
from domain.record.values import Headcount, HeadcountQualifier, PartialDate, Precision

Values = dict[str, Any]
E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Mapper(Generic[E]):
    """The two directions of one aggregate's mapping."""

    to_values: Callable[[E], Values]
    to_entity: Callable[[Any, Values], E]


def partial_date_columns(name: str, value: PartialDate | None) -> Values:
    """The three columns that keep a partial date: first day, last day, precision."""
    if value is None:
        return {f"{name}_start": None, f"{name}_end": None, f"{name}_precision": None}
    return {f"{name}_start": value.start, f"{name}_end": value.end, f"{name}_precision": value.precision.value}


def partial_date(row: Any, name: str) -> PartialDate | None:
    start: date | None = getattr(row, f"{name}_start")
    if start is None:
        return None
    precision = Precision(getattr(row, f"{name}_precision"))
    return PartialDate(
        start.year,
        start.month if precision is not Precision.YEAR else None,
        start.day if precision is Precision.DAY else None,
    )


def headcount_columns(value: Headcount | None) -> Values:
    if value is None:
        return {"headcount_qualifier": None, "headcount_value": None}
    return {"headcount_qualifier": value.qualifier.value, "headcount_value": value.value}


def headcount(row: Any) -> Headcount | None:
    if row.headcount_qualifier is None:
        return None
    return Headcount(HeadcountQualifier(row.headcount_qualifier), row.headcount_value)


def actor_values(actor: Actor) -> Values:
    return {
        "code": actor.code,
        "kind": actor.kind.value,
        "name": actor.name,
        "alpha3": actor.alpha3,
        "numeric": actor.numeric,
        "official_name": actor.official_name,
        "dissolved": actor.dissolved,
    }


def actor(row: Any, links: Values) -> Actor:
    return Actor(
        id=row.id,
        version=row.version,
        code=row.code,
        kind=ActorKind(row.kind),
        name=row.name,
        alpha3=row.alpha3,
        numeric=row.numeric,
        official_name=row.official_name,
        dissolved=row.dissolved,
    )


def mission_values(mission: Mission) -> Values:
    return {
        "sending_state": mission.sending_state,
        "host_state": mission.host_state,
        "accredited_to": mission.accredited_to,
        "kind": mission.kind.value,
        "city": mission.city,
        "name": mission.name,
    }


def mission(row: Any, links: Values) -> Mission:
    return Mission(
        id=row.id,
        version=row.version,
        sending_state=row.sending_state,
        host_state=row.host_state,
        accredited_to=row.accredited_to,
        kind=MissionKind(row.kind),
        city=row.city,
        name=row.name,
    )


def diplomat_values(diplomat: Diplomat) -> Values:
    return {
        "sending_state": diplomat.sending_state,
        "mission_id": diplomat.mission_id,
        "name": diplomat.name,
        "rank": diplomat.rank.value if diplomat.rank else None,
        "staff_category": diplomat.staff_category.value,
    }


def diplomat(row: Any, links: Values) -> Diplomat:
    return Diplomat(
        id=row.id,
        version=row.version,
        sending_state=row.sending_state,
        mission_id=row.mission_id,
        name=row.name,
        rank=Rank(row.rank) if row.rank else None,
        staff_category=StaffCategory(row.staff_category),
    )


def wave_values(wave: Wave) -> Values:
    return {"name": wave.name, "description": wave.description}


def wave(row: Any, links: Values) -> Wave:
    return Wave(id=row.id, version=row.version, name=row.name, description=row.description)


def expulsion_values(measure: Expulsion) -> Values:
    return {
        "actor": measure.actor,
        "target": measure.target,
        "target_mission_id": measure.target_mission_id,
        "wave_id": measure.wave_id,
        "measure_type": measure.measure_type.value,
        "legal_basis": measure.legal_basis.value,
        "reason_category": measure.reason_category.value,
        "stated_reason": measure.stated_reason,
        **headcount_columns(measure.headcount),
        **partial_date_columns("announced", measure.announced),
        **partial_date_columns("notified", measure.notified),
        **partial_date_columns("deadline", measure.deadline),
        **partial_date_columns("departed", measure.departed),
    }


def expulsion(row: Any, links: Values) -> Expulsion:
    announced = partial_date(row, "announced")
    count = headcount(row)
    assert announced is not None
    assert count is not None
    return Expulsion(
        id=row.id,
        version=row.version,
        actor=row.actor,
        target=row.target,
        target_mission_id=row.target_mission_id,
        wave_id=row.wave_id,
        measure_type=MeasureType(row.measure_type),
        legal_basis=LegalBasis(row.legal_basis),
        reason_category=ReasonCategory(row.reason_category),
        stated_reason=row.stated_reason,
        headcount=count,
        announced=announced,
        notified=partial_date(row, "notified"),
        deadline=partial_date(row, "deadline"),
        departed=partial_date(row, "departed"),
        answers=links["answers"],
        diplomat_ids=links["diplomat_ids"],
    )


def statement_values(statement: Statement) -> Values:
    return {
        "on_behalf_of": statement.on_behalf_of,
        "speaker_name": statement.speaker_name,
        "speaker_role": statement.speaker_role,
        "channel": statement.channel.value if statement.channel else None,
        "relayed_by": statement.relayed_by,
        "stance": statement.stance.value,
        "quote": statement.quote,
        "quote_language": statement.quote_language,
        "translation": statement.translation,
        "translation_language": statement.translation_language,
        **partial_date_columns("said_on", statement.said_on),
    }


def statement(row: Any, links: Values) -> Statement:
    return Statement(
        id=row.id,
        version=row.version,
        on_behalf_of=row.on_behalf_of,
        speaker_name=row.speaker_name,
        speaker_role=row.speaker_role,
        channel=Channel(row.channel) if row.channel else None,
        relayed_by=row.relayed_by,
        stance=Stance(row.stance),
        quote=row.quote,
        quote_language=row.quote_language,
        translation=row.translation,
        translation_language=row.translation_language,
        said_on=partial_date(row, "said_on"),
        measure_ids=links["measure_ids"],
    )


def source_values(source: Source) -> Values:
    return {
        "publisher": source.publisher,
        "title": source.title,
        "kind": source.kind.value,
        "url": source.url,
        **partial_date_columns("published", source.published),
    }


def source(row: Any, links: Values) -> Source:
    return Source(
        id=row.id,
        version=row.version,
        publisher=row.publisher,
        title=row.title,
        kind=SourceKind(row.kind),
        url=row.url,
        published=partial_date(row, "published"),
    )


def citation_values(citation: Citation) -> Values:
    return {
        "source_id": citation.source_id,
        "measure_id": citation.measure_id,
        "statement_id": citation.statement_id,
        "excerpt": citation.excerpt,
        **headcount_columns(citation.reported_headcount),
    }


def citation(row: Any, links: Values) -> Citation:
    return Citation(
        id=row.id,
        version=row.version,
        source_id=row.source_id,
        measure_id=row.measure_id,
        statement_id=row.statement_id,
        excerpt=row.excerpt,
        reported_headcount=headcount(row),
    )


def membership_values(membership: Membership) -> Values:
    return {
        "organisation": membership.organisation,
        "state": membership.state,
        **partial_date_columns("joined", membership.joined),
        **partial_date_columns("left", membership.left),
        "source_publisher": membership.source_publisher,
        "source_title": membership.source_title,
        "source_url": membership.source_url,
    }


def membership(row: Any, links: Values) -> Membership:
    joined = partial_date(row, "joined")
    assert joined is not None
    return Membership(
        id=row.id,
        version=row.version,
        organisation=row.organisation,
        state=row.state,
        joined=joined,
        left=partial_date(row, "left"),
        source_publisher=row.source_publisher,
        source_title=row.source_title,
        source_url=row.source_url,
    )

"""Where each type of record's values and relations are stored: the one table the read side reads by.

The relations are the registry's (domain/record/kinds.py), each put on the columns and link tables the
storage map (persistence/write/storage.py) gives its kind. The compiled reader (persistence/read/json_reads.py)
derives its SQL from them, and the executor's relation loading (api/graphql/loading/) its batched fetches.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sqlalchemy import Table

from domain.read.plans import Record
from domain.record import kinds
from domain.record.actors import ActorKind
from domain.record.diplomats import Rank, StaffCategory
from domain.record.expulsions import LegalBasis, MeasureType, ReasonCategory
from domain.record.kinds import KINDS, TYPES
from domain.record.missions import MissionKind
from domain.record.sources import SourceKind
from domain.record.statements import Channel, Stance
from domain.record.values import HeadcountQualifier, Precision
from persistence.write import storage


class Answered(Enum):
    """How a stored value is answered."""

    PLAIN = "plain"
    """Text or a number, as stored."""
    ENUM = "enum"
    """An enum stored by value, answered by its name (the value upper-cased; checked below)."""
    DATE = "date"
    """A day, answered as YYYY-MM-DD."""


@dataclass(frozen=True, slots=True)
class Stored:
    column: str
    answered: Answered = Answered.PLAIN


@dataclass(frozen=True, slots=True)
class Flag:
    """A true/false value: whether `column` holds `value`."""

    column: str
    value: str


@dataclass(frozen=True, slots=True)
class PartialDateColumns:
    """A partial date kept as `<prefix>_start`, `<prefix>_end` and `<prefix>_precision`."""

    prefix: str


@dataclass(frozen=True, slots=True)
class HeadcountColumns:
    """A headcount kept as `<prefix>_qualifier` and `<prefix>_value`."""

    prefix: str


@dataclass(frozen=True, slots=True)
class ToOne:
    """The record `column` points at, by the target's `key` column (its id, or an actor's code)."""

    column: str
    target: kinds.Kind
    key: str = "id"


@dataclass(frozen=True, slots=True)
class Linked:
    """Records linked through a link table, from its `owner` column to its `other` column; in id order."""

    link: Table
    owner: str
    other: str
    target: kinds.Kind


@dataclass(frozen=True, slots=True)
class Referencing:
    """Records of `target` whose `column` points at this record; in id order."""

    target: kinds.Kind
    column: str


Relation = ToOne | Linked | Referencing
Attribute = Stored | Flag | PartialDateColumns | HeadcountColumns


@dataclass(frozen=True, slots=True)
class RecordTable:
    """One type of record: its kind's table, the rows of it that are of this type, its values by domain name, its kind's relations."""

    table: Table
    attributes: dict[str, Attribute]
    actor_kinds: frozenset[str] | None
    """For types sharing a table (states and organisations): the `kind` column's values of this type."""
    relations: dict[str, Relation]


def _relation(kind: kinds.Kind, relation: kinds.Relation) -> Relation:
    """A relation of the registry on its kind's storage: a reference's column is the field of the same name."""
    target, reference, back = kinds.followed(kind, relation)
    if reference.link:
        link = storage.link(target if back else kind, reference.field)
        owner, other = (link.other, link.owner) if back else (link.owner, link.other)
        return Linked(link.table, owner, other, target)
    if back:
        return Referencing(target, reference.field)
    return ToOne(reference.field, target, target.key[0])


RELATIONS: dict[kinds.Kind, dict[str, Relation]] = {
    kind: {relation.name: _relation(kind, relation) for relation in kind.relations} for kind in KINDS.values()
}
"""The relations of each kind by name, on its columns and link tables."""

_ACTOR_VALUES: dict[str, Attribute] = {
    "version": Stored("version"),
    "code": Stored("code"),
    "name": Stored("name"),
    "kind": Stored("kind", Answered.ENUM),
    "official_name": Stored("official_name"),
}

_VALUES: dict[Record, dict[str, Attribute]] = {
    Record.STATE: {
        **_ACTOR_VALUES,
        "alpha3": Stored("alpha3"),
        "numeric": Stored("numeric"),
        "dissolved": Stored("dissolved", Answered.DATE),
        "is_former": Flag("kind", ActorKind.FORMER_STATE.value),
    },
    Record.ORGANISATION: dict(_ACTOR_VALUES),
    Record.MISSION: {"version": Stored("version"), "kind": Stored("kind", Answered.ENUM), "city": Stored("city"), "name": Stored("name")},
    Record.DIPLOMAT: {
        "version": Stored("version"),
        "name": Stored("name"),
        "rank": Stored("rank", Answered.ENUM),
        "staff_category": Stored("staff_category", Answered.ENUM),
    },
    Record.EXPULSION: {
        "version": Stored("version"),
        "measure_type": Stored("measure_type", Answered.ENUM),
        "legal_basis": Stored("legal_basis", Answered.ENUM),
        "reason_category": Stored("reason_category", Answered.ENUM),
        "stated_reason": Stored("stated_reason"),
        "headcount": HeadcountColumns("headcount"),
        "announced": PartialDateColumns("announced"),
        "notified": PartialDateColumns("notified"),
        "deadline": PartialDateColumns("deadline"),
        "departed": PartialDateColumns("departed"),
    },
    Record.WAVE: {"version": Stored("version"), "name": Stored("name"), "description": Stored("description")},
    Record.STATEMENT: {
        "version": Stored("version"),
        "speaker_name": Stored("speaker_name"),
        "speaker_role": Stored("speaker_role"),
        "channel": Stored("channel", Answered.ENUM),
        "relayed_by": Stored("relayed_by"),
        "stance": Stored("stance", Answered.ENUM),
        "quote": Stored("quote"),
        "quote_language": Stored("quote_language"),
        "translation": Stored("translation"),
        "translation_language": Stored("translation_language"),
        "said_on": PartialDateColumns("said_on"),
    },
    Record.SOURCE: {
        "version": Stored("version"),
        "publisher": Stored("publisher"),
        "title": Stored("title"),
        "kind": Stored("kind", Answered.ENUM),
        "url": Stored("url"),
        "published": PartialDateColumns("published"),
    },
    Record.CITATION: {"version": Stored("version"), "excerpt": Stored("excerpt"), "reported_headcount": HeadcountColumns("headcount")},
}
"""The stored values of each type of record the read side reads, by their domain names."""

_ACTOR_KINDS: dict[Record, frozenset[str]] = {
    Record.STATE: frozenset({ActorKind.STATE.value, ActorKind.FORMER_STATE.value}),
    Record.ORGANISATION: frozenset({ActorKind.ORGANISATION.value}),
}

RECORDS: dict[Record, RecordTable] = {
    record: RecordTable(storage.table(TYPES[record.value]), values, _ACTOR_KINDS.get(record), RELATIONS[TYPES[record.value]])
    for record, values in _VALUES.items()
}
assert set(RECORDS) == set(Record), "every type the read side reads has its stored values"

TABLE_RECORDS: dict[str, frozenset[Record]] = {
    storage.table(kind).name: frozenset(record for record in RECORDS if TYPES[record.value] is kind) for kind in KINDS.values()
}
"""The types of record each table holds."""

# Enums are answered by name, computed in SQL as the stored value upper-cased: true of every enum stored.
for _enum in (
    ActorKind,
    LegalBasis,
    MeasureType,
    ReasonCategory,
    MissionKind,
    Rank,
    StaffCategory,
    SourceKind,
    Channel,
    Stance,
    HeadcountQualifier,
    Precision,
):
    for _member in _enum:
        assert _member.name == str(_member.value).upper(), f"{_enum.__name__}.{_member.name} is not its value upper-cased"

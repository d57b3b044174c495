"""Where each kind of record's values and relations are stored: the one table the read side reads by.

The compiled reader (persistence/read/json_reads.py) derives its SQL from it, and the executor's
relation loading (api/graphql/loading/prefetch.py, api/graphql/types/) derives its batched fetches from the same
`RELATIONS`, so a relation is declared here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import Table

from domain.read.plans import Record
from domain.record.actors import ActorKind
from domain.record.diplomats import Rank, StaffCategory
from domain.record.expulsions import LegalBasis, MeasureType, ReasonCategory
from domain.record.missions import MissionKind
from domain.record.sources import SourceKind
from domain.record.statements import Channel, Stance
from domain.record.values import HeadcountQualifier, Precision
from persistence.sql.tables import (
    ActorRow,
    AnswerRow,
    CitationRow,
    DiplomatRow,
    ExpelledDiplomatRow,
    ExpulsionRow,
    MissionRow,
    SourceRow,
    StatementAboutRow,
    StatementRow,
    WaveRow,
)
from persistence.write.repositories import table_of


class Kind(Enum):
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
    kind: Kind = Kind.PLAIN


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
    target: str
    key: str = "id"


@dataclass(frozen=True, slots=True)
class Linked:
    """Records linked through a link table, from its `owner` column to its `other` column; in id order."""

    link: Table
    owner: str
    other: str
    target: str


@dataclass(frozen=True, slots=True)
class Referencing:
    """Records of `target` whose `column` points at this record; in id order."""

    target: str
    column: str


Relation = ToOne | Linked | Referencing
Attribute = Stored | Flag | PartialDateColumns | HeadcountColumns


@dataclass(frozen=True, slots=True)
class RecordTable:
    """One kind of record: its table, the rows that are of this kind, and its values by domain name."""

    table: Table
    attributes: dict[str, Attribute]
    kinds: frozenset[str] | None = None
    """For kinds sharing a table (states and organisations): the `kind` column's values of this kind."""
    relations: dict[str, Relation] = field(default_factory=dict)


_ANSWERS = table_of(AnswerRow)
_PEOPLE = table_of(ExpelledDiplomatRow)
_ABOUT = table_of(StatementAboutRow)

ACTOR, MISSION, DIPLOMAT, EXPULSION, WAVE, STATEMENT, SOURCE, CITATION = (
    "actor",
    "mission",
    "diplomat",
    "expulsion",
    "wave",
    "statement",
    "source",
    "citation",
)

RELATIONS: dict[str, dict[str, Relation]] = {
    EXPULSION: {
        "actor": ToOne("actor", ACTOR, "code"),
        "target": ToOne("target", ACTOR, "code"),
        "target_mission": ToOne("target_mission_id", MISSION),
        "people": Linked(_PEOPLE, "measure_id", "diplomat_id", DIPLOMAT),
        "answers": Linked(_ANSWERS, "measure_id", "answered_id", EXPULSION),
        "answered_by": Linked(_ANSWERS, "answered_id", "measure_id", EXPULSION),
        "wave": ToOne("wave_id", WAVE),
        "statements": Linked(_ABOUT, "measure_id", "statement_id", STATEMENT),
        "citations": Referencing(CITATION, "measure_id"),
    },
    STATEMENT: {
        "on_behalf_of": ToOne("on_behalf_of", ACTOR, "code"),
        "measures": Linked(_ABOUT, "statement_id", "measure_id", EXPULSION),
        "citations": Referencing(CITATION, "statement_id"),
    },
    CITATION: {
        "source": ToOne("source_id", SOURCE),
        "measure": ToOne("measure_id", EXPULSION),
        "statement": ToOne("statement_id", STATEMENT),
    },
    DIPLOMAT: {
        "sending_state": ToOne("sending_state", ACTOR, "code"),
        "mission": ToOne("mission_id", MISSION),
    },
    MISSION: {
        "sending_state": ToOne("sending_state", ACTOR, "code"),
        "host_state": ToOne("host_state", ACTOR, "code"),
        "accredited_to": ToOne("accredited_to", ACTOR, "code"),
    },
}

TABLES: dict[str, Table] = {
    ACTOR: table_of(ActorRow),
    MISSION: table_of(MissionRow),
    DIPLOMAT: table_of(DiplomatRow),
    EXPULSION: table_of(ExpulsionRow),
    WAVE: table_of(WaveRow),
    STATEMENT: table_of(StatementRow),
    SOURCE: table_of(SourceRow),
    CITATION: table_of(CitationRow),
}

_ACTOR_VALUES: dict[str, Attribute] = {
    "version": Stored("version"),
    "code": Stored("code"),
    "name": Stored("name"),
    "kind": Stored("kind", Kind.ENUM),
    "official_name": Stored("official_name"),
}

RECORDS: dict[Record, RecordTable] = {
    Record.STATE: RecordTable(
        TABLES[ACTOR],
        {
            **_ACTOR_VALUES,
            "alpha3": Stored("alpha3"),
            "numeric": Stored("numeric"),
            "dissolved": Stored("dissolved", Kind.DATE),
            "is_former": Flag("kind", ActorKind.FORMER_STATE.value),
        },
        kinds=frozenset({ActorKind.STATE.value, ActorKind.FORMER_STATE.value}),
    ),
    Record.ORGANISATION: RecordTable(TABLES[ACTOR], dict(_ACTOR_VALUES), kinds=frozenset({ActorKind.ORGANISATION.value})),
    Record.MISSION: RecordTable(
        TABLES[MISSION],
        {"version": Stored("version"), "kind": Stored("kind", Kind.ENUM), "city": Stored("city"), "name": Stored("name")},
        relations=RELATIONS[MISSION],
    ),
    Record.DIPLOMAT: RecordTable(
        TABLES[DIPLOMAT],
        {
            "version": Stored("version"),
            "name": Stored("name"),
            "rank": Stored("rank", Kind.ENUM),
            "staff_category": Stored("staff_category", Kind.ENUM),
        },
        relations=RELATIONS[DIPLOMAT],
    ),
    Record.EXPULSION: RecordTable(
        TABLES[EXPULSION],
        {
            "version": Stored("version"),
            "measure_type": Stored("measure_type", Kind.ENUM),
            "legal_basis": Stored("legal_basis", Kind.ENUM),
            "reason_category": Stored("reason_category", Kind.ENUM),
            "stated_reason": Stored("stated_reason"),
            "headcount": HeadcountColumns("headcount"),
            "announced": PartialDateColumns("announced"),
            "notified": PartialDateColumns("notified"),
            "deadline": PartialDateColumns("deadline"),
            "departed": PartialDateColumns("departed"),
        },
        relations=RELATIONS[EXPULSION],
    ),
    Record.WAVE: RecordTable(TABLES[WAVE], {"version": Stored("version"), "name": Stored("name"), "description": Stored("description")}),
    Record.STATEMENT: RecordTable(
        TABLES[STATEMENT],
        {
            "version": Stored("version"),
            "speaker_name": Stored("speaker_name"),
            "speaker_role": Stored("speaker_role"),
            "channel": Stored("channel", Kind.ENUM),
            "relayed_by": Stored("relayed_by"),
            "stance": Stored("stance", Kind.ENUM),
            "quote": Stored("quote"),
            "quote_language": Stored("quote_language"),
            "translation": Stored("translation"),
            "translation_language": Stored("translation_language"),
            "said_on": PartialDateColumns("said_on"),
        },
        relations=RELATIONS[STATEMENT],
    ),
    Record.SOURCE: RecordTable(
        TABLES[SOURCE],
        {
            "version": Stored("version"),
            "publisher": Stored("publisher"),
            "title": Stored("title"),
            "kind": Stored("kind", Kind.ENUM),
            "url": Stored("url"),
            "published": PartialDateColumns("published"),
        },
    ),
    Record.CITATION: RecordTable(
        TABLES[CITATION],
        {"version": Stored("version"), "excerpt": Stored("excerpt"), "reported_headcount": HeadcountColumns("headcount")},
        relations=RELATIONS[CITATION],
    ),
}

TABLE_RECORDS: dict[str, frozenset[Record]] = {
    name: frozenset(record for record, described in RECORDS.items() if described.table is table) for name, table in TABLES.items()
}
"""The kinds of record each table holds."""

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

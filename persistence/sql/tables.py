"""SQLModel table classes: the stored shape of the record, separate from the domain entities.

A partial date is kept as three columns: its first day, its last day and its precision,
so filters can treat "March 2022" as the whole month.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

HEADCOUNT_CHECK = (
    "(headcount_qualifier = 'unknown' AND headcount_value IS NULL) OR "
    "(headcount_qualifier <> 'unknown' AND headcount_value IS NOT NULL AND headcount_value >= 0)"
)


def _version() -> Any:
    """A record's version: 1 when created, one more with every committed change."""
    return Field(default=1, sa_column=Column(Integer, nullable=False, server_default=text("1")))


def _code(*, nullable: bool = False, index: bool = True, on_delete: str = "RESTRICT") -> Any:
    return Field(
        default=None,
        sa_column=Column(String(12), ForeignKey("actor.code", ondelete=on_delete), nullable=nullable, index=index),
    )


def _ref(target: str, *, nullable: bool = True, on_delete: str = "RESTRICT", primary_key: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey(f"{target}.id", ondelete=on_delete),
            nullable=nullable and not primary_key,
            index=not primary_key,
            primary_key=primary_key,
        ),
    )


class ActorRow(SQLModel, table=True):
    __tablename__ = "actor"
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    code: str = Field(sa_column=Column(String(12), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    alpha3: str | None = Field(default=None, sa_column=Column(String(3), index=True))
    numeric: str | None = Field(default=None, max_length=3)
    official_name: str | None = Field(default=None, max_length=200)
    dissolved: date | None = None


class MissionRow(SQLModel, table=True):
    __tablename__ = "mission"
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    sending_state: str = _code()
    host_state: str = _code()
    accredited_to: str | None = _code(nullable=True, index=False)
    kind: str = Field(sa_column=Column(String(24), nullable=False))
    city: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=200)


class DiplomatRow(SQLModel, table=True):
    __tablename__ = "diplomat"
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    sending_state: str = _code()
    mission_id: int | None = _ref("mission")
    name: str | None = Field(default=None, max_length=200)
    rank: str | None = Field(default=None, max_length=24)
    staff_category: str = Field(sa_column=Column(String(32), nullable=False))


class WaveRow(SQLModel, table=True):
    __tablename__ = "wave"
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    name: str = Field(sa_column=Column(String(200), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))


class ExpulsionRow(SQLModel, table=True):
    __tablename__ = "expulsion"
    __table_args__ = (
        CheckConstraint("actor <> target", name="ck_expulsion_not_self"),
        CheckConstraint(HEADCOUNT_CHECK, name="ck_expulsion_headcount"),
        CheckConstraint("deadline_end IS NULL OR deadline_end >= announced_start", name="ck_expulsion_deadline"),
        Index("ix_expulsion_pair", "actor", "target"),
    )
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    actor: str = _code()
    target: str = _code()
    target_mission_id: int | None = _ref("mission")
    wave_id: int | None = _ref("wave")
    measure_type: str = Field(sa_column=Column(String(24), nullable=False, index=True))
    legal_basis: str = Field(sa_column=Column(String(32), nullable=False))
    reason_category: str = Field(sa_column=Column(String(16), nullable=False))
    stated_reason: str | None = Field(default=None, sa_column=Column(Text))
    headcount_qualifier: str = Field(sa_column=Column(String(12), nullable=False))
    headcount_value: int | None = None
    announced_start: date = Field(index=True)
    announced_end: date
    announced_precision: str = Field(max_length=5)
    notified_start: date | None = None
    notified_end: date | None = None
    notified_precision: str | None = Field(default=None, max_length=5)
    deadline_start: date | None = None
    deadline_end: date | None = None
    deadline_precision: str | None = Field(default=None, max_length=5)
    departed_start: date | None = None
    departed_end: date | None = None
    departed_precision: str | None = Field(default=None, max_length=5)


class AnswerRow(SQLModel, table=True):
    """A measure answering an earlier one; `measure_id` is the later, `answered_id` the earlier."""

    __tablename__ = "expulsion_answer"
    __table_args__ = (CheckConstraint("measure_id <> answered_id", name="ck_answer_not_self"),)
    measure_id: int | None = _ref("expulsion", on_delete="CASCADE", primary_key=True)
    answered_id: int | None = _ref("expulsion", on_delete="RESTRICT", primary_key=True)


Index("ix_expulsion_answer_answered", AnswerRow.__table__.c.answered_id)  # type: ignore[attr-defined]


class ExpelledDiplomatRow(SQLModel, table=True):
    __tablename__ = "expulsion_diplomat"
    measure_id: int | None = _ref("expulsion", on_delete="CASCADE", primary_key=True)
    diplomat_id: int | None = _ref("diplomat", on_delete="RESTRICT", primary_key=True)


Index("ix_expulsion_diplomat_diplomat", ExpelledDiplomatRow.__table__.c.diplomat_id)  # type: ignore[attr-defined]


class StatementRow(SQLModel, table=True):
    __tablename__ = "statement"
    __table_args__ = (CheckConstraint("speaker_name IS NOT NULL OR speaker_role IS NOT NULL", name="ck_statement_speaker"),)
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    on_behalf_of: str = _code()
    speaker_name: str | None = Field(default=None, max_length=200)
    speaker_role: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=24)
    relayed_by: str | None = Field(default=None, max_length=200)
    stance: str = Field(sa_column=Column(String(12), nullable=False))
    quote: str = Field(sa_column=Column(Text, nullable=False))
    quote_language: str = Field(max_length=35)
    translation: str | None = Field(default=None, sa_column=Column(Text))
    translation_language: str | None = Field(default=None, max_length=35)
    said_on_start: date | None = Field(default=None, index=True)
    said_on_end: date | None = None
    said_on_precision: str | None = Field(default=None, max_length=5)


class StatementAboutRow(SQLModel, table=True):
    __tablename__ = "statement_measure"
    statement_id: int | None = _ref("statement", on_delete="CASCADE", primary_key=True)
    measure_id: int | None = _ref("expulsion", on_delete="CASCADE", primary_key=True)


Index("ix_statement_measure_measure", StatementAboutRow.__table__.c.measure_id)  # type: ignore[attr-defined]


class SourceRow(SQLModel, table=True):
    __tablename__ = "source"
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    publisher: str = Field(sa_column=Column(String(200), nullable=False))
    title: str = Field(sa_column=Column(String(500), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    url: str | None = Field(default=None, max_length=2000)
    published_start: date | None = None
    published_end: date | None = None
    published_precision: str | None = Field(default=None, max_length=5)


class CitationRow(SQLModel, table=True):
    __tablename__ = "citation"
    __table_args__ = (
        CheckConstraint("(measure_id IS NULL) <> (statement_id IS NULL)", name="ck_citation_one_subject"),
        CheckConstraint(
            f"headcount_qualifier IS NULL OR ({HEADCOUNT_CHECK})",
            name="ck_citation_headcount",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    source_id: int | None = _ref("source", nullable=False)
    measure_id: int | None = _ref("expulsion", on_delete="CASCADE")
    statement_id: int | None = _ref("statement", on_delete="CASCADE")
    excerpt: str | None = Field(default=None, sa_column=Column(Text))
    headcount_qualifier: str | None = Field(default=None, max_length=12)
    headcount_value: int | None = None


class MembershipRow(SQLModel, table=True):
    """A state's spell in an organisation: `joined` its first day, `left` its last (both partial dates)."""

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint("organisation <> state", name="ck_membership_not_self"),
        CheckConstraint("left_end IS NULL OR left_end >= joined_start", name="ck_membership_order"),
        Index("ix_membership_organisation_state", "organisation", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    version: int = _version()
    organisation: str = _code(index=False)
    state: str = _code()
    joined_start: date
    joined_end: date
    joined_precision: str = Field(max_length=5)
    left_start: date | None = None
    left_end: date | None = None
    left_precision: str | None = Field(default=None, max_length=5)
    source_publisher: str = Field(sa_column=Column(String(200), nullable=False))
    source_title: str = Field(sa_column=Column(String(500), nullable=False))
    source_url: str | None = Field(default=None, sa_column=Column(Text))
    source_checked: date | None = None
    basis: str = Field(default="treaty", sa_column=Column(String(9), nullable=False, server_default="treaty"))


class RecordVersionRow(SQLModel, table=True):
    """One row whose number grows with every committed write; caches key on it."""

    __tablename__ = "record_version"
    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, nullable=False)


class ApiTokenRow(SQLModel, table=True):
    """A bearer token: only the SHA-256 digest of its secret is kept."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("role IN ('reader', 'editor', 'admin')", name="ck_api_token_role"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(8), nullable=False))
    digest: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_by: str = Field(sa_column=Column(String(100), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class HistoryRow(SQLModel, table=True):
    """One change to one record; rows are only ever inserted (triggers refuse the rest, but a person's redaction)."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_record", "entity", "record_id", "id"),
        CheckConstraint("before IS NOT NULL OR after IS NOT NULL", name="ck_history_content"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
    author: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    action: str = Field(sa_column=Column(String(8), nullable=False))
    entity: str = Field(sa_column=Column(String(16), nullable=False))
    record_id: int = Field(sa_column=Column(Integer, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    reason: str | None = Field(default=None, sa_column=Column(Text))


class HistoryMarkRow(SQLModel, table=True):
    """One writing transaction's mark, written as its last statement (PostgreSQL): the newest history id it appended,
    and the first transaction id not yet assigned then. Readers derive the history's safe horizon from them."""

    __tablename__ = "history_mark"
    last_entry: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    done: int = Field(sa_column=Column(BigInteger, nullable=False))


class RateBudgetRow(SQLModel, table=True):
    """Points one caller spent in one window of the rate limit, shared by every server process.

    On PostgreSQL the table is UNLOGGED: a lost count after a crash only forgives one window.
    """

    __tablename__ = "rate_budget"
    caller: str = Field(sa_column=Column(String(80), primary_key=True))
    window: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    spent: int = Field(sa_column=Column(BigInteger, nullable=False))


class PersistedQueryRow(SQLModel, table=True):
    """An automatic persisted query, stored under the SHA-256 of its text and shared by every server process.

    Bounded in count and bytes: the least recently used go first. On PostgreSQL the table is UNLOGGED: a crash only
    makes clients send their documents once more.
    """

    __tablename__ = "persisted_query"
    __table_args__ = (Index("ix_persisted_query_used", "used"),)
    hash: str = Field(sa_column=Column(String(64), primary_key=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    bytes: int = Field(sa_column=Column(Integer, nullable=False))
    used: int = Field(sa_column=Column(BigInteger, nullable=False))
    """When a process last looked it up in the table, in microseconds since the epoch."""


class TrustedDocumentRow(SQLModel, table=True):
    """An operation an operator registered (`demarche documents register`): never evicted, found by hash or by name."""

    __tablename__ = "trusted_document"
    __table_args__ = (Index("ix_trusted_document_name", "name", "registered_at"),)
    hash: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    registered_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))

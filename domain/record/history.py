"""The append-only history of every change: who, when, which record, and its values before and after.

Fields that name a person are personal data: only editors and admins read them, live and in the history; for
everyone else they read as null. An admin may erase them from a record and from every entry about it, which
leaves a REDACT entry saying who, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from domain.access import Role
from domain.errors import Code, InvalidInput
from domain.record import checks
from domain.record.documents import Document
from domain.record.kinds import KINDS


class ChangeAction(Enum):
    """What a change did to its record."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LINK = "link"
    UNLINK = "unlink"
    RESTORE = "restore"
    IMPORT = "import"
    REDACT = "redact"
    """A person's identifying fields were erased from the record and from every earlier entry about it."""


PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {name: kind.personal for name, kind in KINDS.items() if kind.personal}
"""Each kind of record with fields that name a person, and those fields (the registry's `personal`, its one list).

A diplomat's name and a statement's speaker's name are personal data. A diplomat's rank, staff category,
sending state and mission describe the post, which the record needs to count and compare expulsions even of
unnamed people; a speaker's role names an office, not a person. Free text (quotes, translations, stated reasons,
excerpts, titles) is quoted from published sources and is not personal data: a private person is named in a
personal field, never in free text. Bearer tokens never enter the history (they live in `api_token`, which only
admins can list). The database's triggers (migrations 0003 and 0007) write the same rule out, as a revision's DDL
is frozen.
"""
READS_PERSONAL_DATA = Role.EDITOR
"""The least role that reads personal fields, live and in the history."""
REASON_TEXT = 1_000


def reads_personal_data(role: Role | None) -> bool:
    """Whether a caller with `role` (None: no token) may read personal fields."""
    return role is not None and role.allows(READS_PERSONAL_DATA)


def redacted(kind: str, document: Document | None) -> Document | None:
    """The document with the kind's personal fields set to null, every other value and the order kept."""
    if document is None or kind not in PERSONAL_FIELDS:
        return document
    return {**document, **dict.fromkeys(PERSONAL_FIELDS[kind])}


def readable(kind: str, document: Document | None, role: Role | None) -> Document | None:
    """A history document as a caller with `role` may read it: its personal fields null unless the role reads them."""
    return document if reads_personal_data(role) else redacted(kind, document)


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One entry of the history. `before` is None for a creation, `after` None for a deletion.

    `version` is the record's version after the change (before it, for a deletion). `reason` says
    why a REDACT was made, and is None for every other action.
    """

    entity: str
    record_id: int
    action: ChangeAction
    author: str
    before: Document | None
    after: Document | None
    version: int
    at: datetime | None = None
    id: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Erasure:
    """A request to erase one person's identifying fields, with the reason the history keeps for it."""

    entity: str
    record_id: int
    reason: str

    def __post_init__(self) -> None:
        if self.entity not in PERSONAL_FIELDS:
            kinds = ", ".join(PERSONAL_FIELDS)
            raise InvalidInput(
                "recordId", f"a {self.entity} holds no personal data to erase; only these do: {kinds}", Code.NO_PERSONAL_DATA
            )
        object.__setattr__(self, "reason", checks.required_text("reason", self.reason, limit=REASON_TEXT))

    @property
    def fields(self) -> tuple[str, ...]:
        return PERSONAL_FIELDS[self.entity]


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which history entries to list; `None` means any."""

    author: str | None = None
    entity: str | None = None
    record_id: int | None = None
    actions: frozenset[ChangeAction] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        # Times are compared in UTC; a time given without a zone is taken to be UTC.
        for name in ("since", "until"):
            moment: datetime | None = getattr(self, name)
            if moment is not None:
                try:
                    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
                except OverflowError:
                    raise InvalidInput(
                        name, f"{name} {moment.isoformat()} lies outside the years 1 to 9999 in UTC", Code.YEAR_OUT_OF_RANGE
                    ) from None
                object.__setattr__(self, name, utc)
        if self.since is not None and self.until is not None and self.until < self.since:
            raise InvalidInput("until", f"the period ends ({self.until}) before it starts ({self.since})", Code.DATES_OUT_OF_ORDER)
        if self.record_id is not None and self.entity is None:
            raise InvalidInput("recordId", "a record id is given together with its kind of record", Code.FIELDS_GO_TOGETHER)

    def admits(self, change: Change) -> bool:
        """Whether the filter keeps `change`: what the history's listing would keep, judged on one entry."""
        return (
            (self.author is None or change.author == self.author)
            and (self.entity is None or change.entity == self.entity)
            and (self.record_id is None or change.record_id == self.record_id)
            and (self.actions is None or change.action in self.actions)
            and (self.since is None or (change.at is not None and change.at >= self.since))
            and (self.until is None or (change.at is not None and change.at <= self.until))
        )

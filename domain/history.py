"""The append-only history of every change: who, when, which record, and its values before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from domain.documents import Document
from domain.errors import InvalidInput


class ChangeAction(Enum):
    """What a change did to its record."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LINK = "link"
    UNLINK = "unlink"
    RESTORE = "restore"
    IMPORT = "import"


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One entry of the history. `before` is None for a creation, `after` None for a deletion.

    `version` is the record's version after the change (before it, for a deletion).
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
                utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
                object.__setattr__(self, name, utc)
        if self.since is not None and self.until is not None and self.until < self.since:
            raise InvalidInput("until", f"the period ends ({self.until}) before it starts ({self.since})")
        if self.record_id is not None and self.entity is None:
            raise InvalidInput("recordId", "a record id is given together with its kind of record")

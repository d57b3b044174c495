"""The history of changes as GraphQL: entries, the `history` of every record, and its version; and the one guard
of personal data in the schema.

Personal fields (the registry's `personal`: a diplomat's name, a statement's speaker's name) read as null for
callers below the editor role, on every path that shows a record or an entry: a record's field (`personal_field`),
an entry's `before` and `after`, whether reached by a list, `node(id:)`, a subscription or a replay, since each
builds these same types.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from api.graphql.connections import Connection, PageArguments, connection, paged
from api.graphql.context import Info
from domain.access import Role
from domain.errors import Code, InvalidInput
from domain.record import history
from domain.record.documents import changed_fields
from domain.record.kinds import KINDS, TYPES, type_name
from domain.record.values import record_id
from domain.use_cases.history import Erased

ChangeAction = strawberry.enum(history.ChangeAction, description="What a change did to its record.")


@strawberry.enum(description="A kind of record, as the history names it (states and organisations are both ACTOR).")
class RecordKind(Enum):
    """The registry's kinds as the schema publishes them (checked below: the registry's names, in its order)."""

    ACTOR = "Actor"
    MISSION = "Mission"
    DIPLOMAT = "Diplomat"
    WAVE = "Wave"
    EXPULSION = "Expulsion"
    SOURCE = "Source"
    STATEMENT = "Statement"
    CITATION = "Citation"
    MEMBERSHIP = "Membership"


assert [kind.value for kind in RecordKind] == list(KINDS), "RecordKind is the registry's kinds"
assert all(kind.name == kind.value.upper() for kind in RecordKind)

PRIVATE = (
    "Personal fields (a diplomat's `name`, a statement's `speakerName`) are null in `before` and `after` unless the "
    "caller's token has the editor role."
)


def caller_role(info: Info) -> Role | None:
    principal = info.context.caller.principal
    return None if principal is None else principal.role


def reads_personal_data(info: Info) -> bool:
    """Whether this request's caller may read personal fields."""
    return history.reads_personal_data(caller_role(info))


def personal_field(attribute: str, description: str) -> Any:
    """A record's field that names a person: the entity's `attribute` for a caller who may read personal data, else null."""

    def resolve(root: Any, info: Info) -> str | None:
        return getattr(root._entity, attribute) if reads_personal_data(info) else None

    return strawberry.field(
        resolver=resolve,
        description=f"{description} Personal data: null unless the caller's token has the editor role.",
        metadata={"personal": attribute},
    )


@strawberry.type(
    description=(
        "One change to one record: who made it, when, and the record's values before and after. "
        "Personal fields in `before` and `after` are null unless the caller's token has the editor role."
    )
)
class HistoryEntry(relay.Node):
    id: relay.NodeID[int]
    action: ChangeAction = strawberry.field(description="What the change did.")
    entity: RecordKind = strawberry.field(description="The kind of record changed.")
    author: str = strawberry.field(description="The name of the token the change was made with ('demarche' for the server's own loads).")
    at: datetime = strawberry.field(description="When the change was committed (UTC).")
    version: int = strawberry.field(description="The record's version after the change; for a deletion, the version deleted.")
    reason: str | None = strawberry.field(description="Why the change was made: given for a REDACT, null for every other action.")
    _change: strawberry.Private[history.Change]

    @strawberry.field(
        description=(
            "The record's values before the change, as export writes them; null for a creation. "
            "For a REDACT, the record's last values with the erased fields null."
        )
    )
    def before(self, info: Info) -> JSON | None:
        return cast(JSON | None, history.readable(self._change.entity, self._change.before, caller_role(info)))

    @strawberry.field(
        description="The record's values after the change; null for a deletion, and for a REDACT of a record deleted before it."
    )
    def after(self, info: Info) -> JSON | None:
        return cast(JSON | None, history.readable(self._change.entity, self._change.after, caller_role(info)))

    @strawberry.field(description="Global ID of the record changed (it may since have been deleted).")
    def record_id(self) -> relay.GlobalID:
        change = self._change
        return relay.GlobalID(type_name(change.entity, change.after or change.before), str(change.record_id))

    @strawberry.field(description="The fields whose values differ between `before` and `after`; for a REDACT, the fields erased.")
    def changed_fields(self) -> list[str]:
        if self._change.action is history.ChangeAction.REDACT:
            return list(history.PERSONAL_FIELDS[self._change.entity])
        return changed_fields(self._change.before, self._change.after)

    @classmethod
    def from_domain(cls, change: history.Change) -> HistoryEntry:
        assert change.id is not None
        assert change.at is not None
        return cls(
            id=change.id,
            action=change.action,
            entity=RecordKind(change.entity),
            author=change.author,
            at=change.at,
            version=change.version,
            reason=change.reason,
            _change=change,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        """The entries by id (their personal fields guarded by `before` and `after`)."""
        ids = [record_id(raw) for raw in node_ids]
        async with info.context.reads.use() as uow:
            found = await uow.history.get_many([id for id in ids if id is not None])
        return [cls.from_domain(found[id]) if id is not None and id in found else None for id in ids]


async def history_connection(
    info: Info,
    filter: history.HistoryFilter,
    page: PageArguments,
    *,
    descending: bool = False,
) -> Connection[HistoryEntry]:
    request = page.request(limit=info.context.settings.max_page_size, descending=descending)
    async with info.context.reads.use() as uow:
        found = await uow.history.list(filter, request)

    async def count() -> int:
        async with info.context.reads.use() as uow:
            return await uow.history.count(filter)

    return connection(found, request, HistoryEntry.from_domain, count)


@strawberry.interface(description="A record with a version, raised by every change, and the history of its changes.")
class Recorded:
    version: int = strawberry.field(
        description="Raised by one with every committed change; name it as `expectedVersion` when changing or deleting the record."
    )

    @strawberry.field(description=f"Every change to this record, oldest first, from the append-only history. {PRIVATE}")
    @paged
    async def history(self, info: Info, page: PageArguments) -> Connection[HistoryEntry]:
        kind = TYPES[type(self).__name__].name
        record_id: int = self.id  # type: ignore[attr-defined]
        filter = history.HistoryFilter(entity=kind, record_id=record_id)
        return await history_connection(info, filter, page)


def decode_record_id(raw: str) -> tuple[str, int] | None:
    """The kind and id behind a record's global ID, or None when it is not one."""
    try:
        named, _, key = base64.b64decode(raw.encode(), validate=True).decode().partition(":")
    except (ValueError, UnicodeError):
        return None
    kind = TYPES.get(named)
    number = record_id(key)
    if kind is None or number is None:
        return None
    return kind.name, number


def history_filter(
    entity: RecordKind | None, record_id: str | None, *, actions: list[ChangeAction] | None, **narrowing: Any
) -> history.HistoryFilter:
    """The history filter of a `history` field's arguments (the list's or the feed's): a record's global ID narrows to
    its kind and id, and must be of `entity` when both are given."""
    kind, record = (entity.value if entity is not None else None), None
    if record_id is not None:
        decoded = decode_record_id(record_id)
        if decoded is None or (kind is not None and decoded[0] != kind):
            raise InvalidInput(
                "recordId", f"recordId {record_id!r} is not the global ID of a record of the kind asked for", Code.INVALID_ID
            )
        kind, record = decoded
    return history.HistoryFilter(entity=kind, record_id=record, actions=frozenset(actions) if actions else None, **narrowing)


@strawberry.type(description="A person's identifying fields, erased from the live record (if it still exists) and from all their history.")
class PersonalDataErased:
    entry: HistoryEntry = strawberry.field(
        description="The REDACT entry that records the erasure: who, when and why. It holds none of the erased values."
    )
    fields: list[str] = strawberry.field(description="The fields erased, as the history's documents name them.")
    redacted_entries: int = strawberry.field(description="How many earlier history entries about the person had those fields blanked.")
    live_record: bool = strawberry.field(description="Whether the record still exists; if so, its fields were erased too.")

    @classmethod
    def from_domain(cls, erased: Erased) -> PersonalDataErased:
        return cls(
            entry=HistoryEntry.from_domain(erased.entry),
            fields=list(history.PERSONAL_FIELDS[erased.entry.entity]),
            redacted_entries=erased.redacted_entries,
            live_record=erased.live_record,
        )

"""Reading the history and undoing a deletion from it."""

from __future__ import annotations

from typing import Any

from domain.documents import from_document
from domain.errors import Conflict, InvalidInput, NotFound
from domain.history import Change, ChangeAction, HistoryFilter
from domain.pagination import PageRequest
from domain.ports import UnitOfWork
from domain.use_cases import actors, expulsions, missions, statements
from domain.use_cases.editing import AggregateEditor

EDITORS: dict[str, AggregateEditor[Any]] = {
    "Actor": actors.editor,
    "Mission": missions.missions,
    "Diplomat": missions.diplomats,
    "Wave": expulsions.waves,
    "Expulsion": expulsions.expulsions,
    "Source": statements.sources,
    "Statement": statements.statements,
    "Citation": statements.citations,
}


async def restore(entry_id: int, *, uow: UnitOfWork) -> tuple[str, Any]:
    """Bring back a deleted record, with its id and content as the deletion entry kept them.

    Every rule is checked again: a record it refers to that is gone too must be restored first.
    Returns the kind of record and the record.
    """
    async with uow:
        entry = await uow.history.get(entry_id)
        if entry is None:
            raise NotFound("HistoryEntry", entry_id, "entryId")
        stored = await restore_within(entry, uow)
        await uow.commit()
    return entry.entity, stored


async def restore_within(entry: Change, uow: UnitOfWork) -> Any:
    if entry.action is not ChangeAction.DELETE or entry.before is None:
        raise InvalidInput("entryId", f"history entry {entry.id} records a {entry.action.value}; only a deletion can be restored")
    editor = EDITORS[entry.entity]
    if await editor.repository(uow).get(entry.record_id) is not None:
        raise Conflict(f"{entry.entity} {entry.record_id} exists; it was restored or never stayed deleted")
    latest = await uow.history.list(HistoryFilter(entity=entry.entity, record_id=entry.record_id), PageRequest(first=1, descending=True))
    if latest.items and latest.items[0].id != entry.id:
        raise Conflict(
            f"{entry.entity} {entry.record_id} changed after this deletion (history entry {latest.items[0].id}); "
            "restore it from its latest deletion"
        )
    record = from_document(entry.entity, entry.before)
    record.version = entry.version
    return await editor.add(record, uow, action=ChangeAction.RESTORE)

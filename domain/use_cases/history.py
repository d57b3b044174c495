"""Reading the history, undoing a deletion from it, and erasing a person's identifying fields from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import Code, Conflict, InvalidInput, NotFound
from domain.ports import UnitOfWork
from domain.read.pagination import PageRequest
from domain.record.documents import from_document, to_document
from domain.record.history import Change, ChangeAction, Erasure, HistoryFilter, redacted
from domain.record.kinds import KINDS
from domain.use_cases import actors, expulsions, memberships, missions, statements
from domain.use_cases.editing import AggregateEditor, changed

_FOUND: dict[str, AggregateEditor[Any]] = {
    editor.kind: editor
    for module in (actors, expulsions, memberships, missions, statements)
    for editor in vars(module).values()
    if isinstance(editor, AggregateEditor)
}
EDITORS: dict[str, AggregateEditor[Any]] = {kind: _FOUND[kind] for kind in KINDS}
"""The editor of each kind of record, found in the use case modules; a kind without one fails here, at import."""
assert EDITORS.keys() == _FOUND.keys(), "an editor of no kind of record"


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
        raise InvalidInput(
            "entryId", f"history entry {entry.id} records a {entry.action.value}; only a deletion can be restored", Code.NOT_RESTORABLE
        )
    editor = EDITORS[entry.entity]
    if await editor.repository(uow).get(entry.record_id) is not None:
        raise Conflict(f"{entry.entity} {entry.record_id} exists; it was restored or never stayed deleted", code=Code.DUPLICATE)
    # A redaction blanked names in this deletion too; it is no change of the record's own that restoring would undo.
    changes = frozenset(ChangeAction) - {ChangeAction.REDACT}
    latest = await uow.history.list(
        HistoryFilter(entity=entry.entity, record_id=entry.record_id, actions=changes), PageRequest(first=1, descending=True)
    )
    if latest.items and latest.items[0].id != entry.id:
        raise Conflict(
            code=Code.NOT_RESTORABLE,
            message=f"{entry.entity} {entry.record_id} changed after this deletion (history entry {latest.items[0].id}); "
            "restore it from its latest deletion",
        )
    record = from_document(entry.entity, entry.before)
    record.version = entry.version
    return await editor.add(record, uow, action=ChangeAction.RESTORE)


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure did: the REDACT entry recording it, how many earlier entries it blanked, and whether the record lives."""

    entry: Change
    redacted_entries: int
    live_record: bool


async def erase_personal_data(erasure: Erasure, *, uow: UnitOfWork) -> Erased:
    """Erase one person's identifying fields from the live record (if it still exists) and from every history entry about it.

    One transaction: the live record loses the fields, a REDACT entry records who, when and why (and
    none of the erased values), and every earlier entry is blanked, which the database allows only then.
    """
    async with uow:
        repository = EDITORS[erasure.entity].repository(uow)
        live = await repository.get(erasure.record_id)
        if live is not None:
            before = redacted(erasure.entity, to_document(live))
            stored = await repository.update(changed(live, dict.fromkeys(erasure.fields)))
            after, version = to_document(stored), stored.version
        else:
            mine = HistoryFilter(entity=erasure.entity, record_id=erasure.record_id)
            latest = (await uow.history.list(mine, PageRequest(first=1, descending=True))).items
            if not latest:
                raise NotFound(erasure.entity, erasure.record_id, "recordId")
            last = latest[0]
            before, after, version = redacted(erasure.entity, last.after or last.before), None, last.version
        entry = await uow.history.append(
            Change(
                entity=erasure.entity,
                record_id=erasure.record_id,
                action=ChangeAction.REDACT,
                author=uow.author,
                before=before,
                after=after,
                version=version,
                reason=erasure.reason,
            )
        )
        assert entry.id is not None
        count = await uow.history.redact(erasure.entity, erasure.record_id, before=entry.id)
        await uow.commit()
    return Erased(entry=entry, redacted_entries=count, live_record=live is not None)

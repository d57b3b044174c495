"""Restoring a deletion brings back only the latest state of a record; erasing a person blanks the record and every entry about it."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, NotFound
from domain.record.history import ChangeAction, Erasure
from domain.use_cases import history, missions
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


def deletion_of(units: FakeUnitOfWorkFactory, kind: str, record_id: int) -> int:
    entry = next(e for e in reversed(units.history()) if (e.entity, e.record_id, e.action) == (kind, record_id, ChangeAction.DELETE))
    assert entry.id is not None
    return entry.id


async def test_restoring_an_unknown_entry_is_not_found_naming_the_entry(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(history.restore(404, uow=fake_units()))

    assert (missing.entity, missing.key, missing.field) == ("HistoryEntry", 404, "entryId")


async def test_only_the_latest_deletion_of_a_record_can_be_restored(fake_units: FakeUnitOfWorkFactory) -> None:
    person = await drafts.stored_diplomat(fake_units, name="A. Person")
    await missions.diplomats.delete(person, uow=fake_units())
    first = deletion_of(fake_units, "Diplomat", person)
    await history.restore(first, uow=fake_units())
    await missions.diplomats.update(person, {"name": "B. Person"}, uow=fake_units())
    await missions.diplomats.delete(person, uow=fake_units())
    second = deletion_of(fake_units, "Diplomat", person)

    with pytest.raises(Conflict) as stale:
        await history.restore(first, uow=fake_units())
    kind, restored = await history.restore(second, uow=fake_units())

    assert stale.value.message
    assert (kind, restored.id, restored.name) == ("Diplomat", person, "B. Person")
    assert fake_units.history()[-1].action is ChangeAction.RESTORE


async def test_restoring_checks_every_rule_again(fake_units: FakeUnitOfWorkFactory) -> None:
    mission = await drafts.stored_mission(fake_units)
    person = await drafts.stored_diplomat(fake_units, mission_id=mission)
    await missions.diplomats.delete(person, uow=fake_units())
    await missions.missions.delete(mission, uow=fake_units())

    missing = await drafts.not_found_by(history.restore(deletion_of(fake_units, "Diplomat", person), uow=fake_units()))

    assert (missing.entity, missing.key) == ("Mission", mission)


async def test_a_redaction_after_a_deletion_does_not_stop_its_restoring_and_the_name_stays_erased(
    fake_units: FakeUnitOfWorkFactory,
) -> None:
    person = await drafts.stored_diplomat(fake_units, name="A. Person")
    await missions.diplomats.delete(person, uow=fake_units())
    deletion = deletion_of(fake_units, "Diplomat", person)
    await history.erase_personal_data(Erasure(entity="Diplomat", record_id=person, reason="asked"), uow=fake_units())

    _, restored = await history.restore(deletion, uow=fake_units())

    assert (restored.id, restored.name) == (person, None)


async def test_erasing_a_live_person_blanks_the_record_and_every_earlier_entry_and_records_why(fake_units: FakeUnitOfWorkFactory) -> None:
    person = await drafts.stored_diplomat(fake_units, name="A. Person")
    other = await drafts.stored_diplomat(fake_units, name="C. Other")
    await missions.diplomats.update(person, {"name": "A. B. Person"}, uow=fake_units())
    fake_units.author = "admin"

    erased = await history.erase_personal_data(Erasure(entity="Diplomat", record_id=person, reason="asked by the person"), uow=fake_units())

    assert (erased.redacted_entries, erased.live_record) == (2, True)
    entry = erased.entry
    assert (entry.entity, entry.record_id, entry.action, entry.author, entry.reason, entry.version) == (
        "Diplomat",
        person,
        ChangeAction.REDACT,
        "admin",
        "asked by the person",
        3,
    )
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["name"], entry.after["name"], entry.after["id"]) == (None, None, person)
    async with fake_units() as uow:
        live = await uow.diplomats.get(person)
        kept = await uow.diplomats.get(other)
    assert live is not None
    assert live.name is None
    assert kept is not None
    assert kept.name == "C. Other"
    mine = [e for e in fake_units.history() if e.record_id == person and e.entity == "Diplomat"]
    assert all(e.before is None or e.before["name"] is None for e in mine)
    assert all(e.after is None or e.after["name"] is None for e in mine)
    theirs = [e for e in fake_units.history() if e.record_id == other and e.entity == "Diplomat"]
    assert theirs[0].after is not None
    assert theirs[0].after["name"] == "C. Other"


async def test_erasing_a_deleted_person_blanks_the_history_from_its_last_entry(fake_units: FakeUnitOfWorkFactory) -> None:
    person = await drafts.stored_diplomat(fake_units, name="A. Person", sending_state="RU")
    await missions.diplomats.delete(person, uow=fake_units())

    erased = await history.erase_personal_data(Erasure(entity="Diplomat", record_id=person, reason="asked"), uow=fake_units())

    assert (erased.redacted_entries, erased.live_record) == (2, False)
    assert erased.entry.after is None
    assert erased.entry.before is not None
    assert (erased.entry.before["name"], erased.entry.before["sending_state"], erased.entry.version) == (None, "RU", 1)


async def test_erasing_a_person_the_record_never_held_is_not_found_naming_the_record(fake_units: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(NotFound) as missing:
        await history.erase_personal_data(Erasure(entity="Statement", record_id=77, reason="asked"), uow=fake_units())

    assert (missing.value.entity, missing.value.key, missing.value.field) == ("Statement", 77, "recordId")
    assert fake_units.history() == []


async def test_a_deletion_is_restored_whatever_other_records_of_its_kind_did_since(fake_units: FakeUnitOfWorkFactory) -> None:
    person = await drafts.stored_diplomat(fake_units, name="A. Person")
    await missions.diplomats.delete(person, uow=fake_units())
    await drafts.stored_diplomat(fake_units, name="Someone later")

    _, restored = await history.restore(deletion_of(fake_units, "Diplomat", person), uow=fake_units())

    assert (restored.id, restored.name) == (person, "A. Person")


async def test_a_record_restored_already_is_a_conflict_saying_why(fake_units: FakeUnitOfWorkFactory) -> None:
    person = await drafts.stored_diplomat(fake_units)
    await missions.diplomats.delete(person, uow=fake_units())
    deletion = deletion_of(fake_units, "Diplomat", person)
    await history.restore(deletion, uow=fake_units())

    with pytest.raises(Conflict) as refused:
        await history.restore(deletion, uow=fake_units())

    assert refused.value.message


@pytest.mark.parametrize("action", [ChangeAction.CREATE, ChangeAction.UPDATE])
async def test_only_a_deletion_can_be_restored(fake_units: FakeUnitOfWorkFactory, action: ChangeAction) -> None:
    person = await drafts.stored_diplomat(fake_units)
    await missions.diplomats.update(person, {"name": "Named"}, uow=fake_units())
    entry = next(e for e in fake_units.history() if e.action is action)
    assert entry.id is not None

    assert await drafts.field_refused_by(history.restore(entry.id, uow=fake_units())) == "entryId"


async def test_erasing_a_deleted_person_starts_from_its_latest_entry_not_another_records(fake_units: FakeUnitOfWorkFactory) -> None:
    person = await drafts.stored_diplomat(fake_units, name="A. Person", sending_state="RU")
    await missions.diplomats.update(person, {"sending_state": "BY"}, uow=fake_units())
    await missions.diplomats.delete(person, uow=fake_units())
    await drafts.stored_diplomat(fake_units, name="Someone later", sending_state="US")

    erased = await history.erase_personal_data(Erasure(entity="Diplomat", record_id=person, reason="asked"), uow=fake_units())

    assert erased.entry.before is not None
    assert (erased.entry.before["id"], erased.entry.before["sending_state"], erased.entry.version) == (person, "BY", 2)
    assert erased.redacted_entries == 3

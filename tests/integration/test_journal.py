"""Versions, the history and tokens in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.access import ApiToken, Role
from domain.errors import Conflict, StaleVersion
from domain.read.pagination import PageRequest
from domain.record.expulsions import Wave
from domain.record.history import Change, ChangeAction, HistoryFilter
from domain.use_cases import expulsions
from domain.use_cases import history as history_use_cases
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store

pytestmark = contract


async def test_an_update_from_an_old_version_is_refused_by_the_repository_itself(store: Store) -> None:
    stored = await store.add(Wave(name="First"))
    assert stored.version == 1
    newer = await store.update(dataclasses.replace(stored, name="Second"))
    assert newer.version == 2
    with pytest.raises(StaleVersion) as refused:
        await store.update(dataclasses.replace(stored, name="Lost"))
    assert (refused.value.expected, refused.value.current) == (1, 2)
    assert await store.get(Wave, newer.id or 0) == newer


async def test_changes_are_recorded_with_their_author_and_listed_by_filter_and_page(uow_factory: SqlUnitOfWorkFactory) -> None:
    alice, bob = uow_factory.acting_as("alice"), uow_factory.acting_as("bob")
    started = datetime.now(UTC) - timedelta(seconds=1)
    wave = await expulsions.waves.create(Wave(name="Sanctions \u00e9t\u00e9 \u2014 2022"), uow=alice())
    assert wave.id is not None
    await expulsions.waves.update(wave.id, {"name": "Renamed"}, uow=bob(), expected_version=1)
    measure = await expulsions.expulsions.create(drafts.measure(), uow=bob())

    async with uow_factory.reader() as uow:
        everything = await uow.history.list(HistoryFilter(since=started), PageRequest(first=100))
        by_bob = await uow.history.list(HistoryFilter(author="bob", since=started), PageRequest(first=100))
        of_wave = await uow.history.list(HistoryFilter(entity="Wave", record_id=wave.id), PageRequest(first=100))
        updates = await uow.history.count(HistoryFilter(actions=frozenset({ChangeAction.UPDATE}), since=started))
        newest = await uow.history.list(HistoryFilter(since=started), PageRequest(first=1, descending=True))
        none_yet = await uow.history.count(HistoryFilter(until=started - timedelta(days=1), author="alice"))

    assert [(c.entity, c.action, c.author) for c in everything.items] == [
        ("Wave", ChangeAction.CREATE, "alice"),
        ("Wave", ChangeAction.UPDATE, "bob"),
        ("Expulsion", ChangeAction.CREATE, "bob"),
    ]
    assert [c.entity for c in by_bob.items] == ["Wave", "Expulsion"]
    assert [(c.version, c.before, c.after) for c in of_wave.items] == [
        (1, None, {"name": "Sanctions \u00e9t\u00e9 \u2014 2022", "description": None, "id": wave.id}),
        (
            2,
            {"name": "Sanctions \u00e9t\u00e9 \u2014 2022", "description": None, "id": wave.id},
            {"name": "Renamed", "description": None, "id": wave.id},
        ),
    ]
    assert updates == 1
    assert [c.record_id for c in newest.items] == [measure.id]
    assert newest.has_next
    assert none_yet == 0
    assert all(c.at is not None and c.at.tzinfo is not None and c.at >= started for c in everything.items)


async def test_history_times_are_compared_in_utc_whatever_zone_they_are_given_in(uow_factory: SqlUnitOfWorkFactory) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    wave = await expulsions.waves.create(Wave(name="Timed"), uow=uow_factory())
    after = datetime.now(UTC) + timedelta(seconds=1)
    tokyo = timezone(timedelta(hours=9))
    mine = HistoryFilter(entity="Wave", record_id=wave.id)
    async with uow_factory.reader() as uow:
        in_tokyo = await uow.history.count(dataclasses.replace(mine, since=before.astimezone(tokyo), until=after.astimezone(tokyo)))
        naive = await uow.history.count(dataclasses.replace(mine, since=before.replace(tzinfo=None), until=after.replace(tzinfo=None)))
        too_late = await uow.history.count(dataclasses.replace(mine, since=after.astimezone(tokyo)))
    assert (in_tokyo, naive, too_late) == (1, 1, 0)


async def test_the_history_repository_has_no_way_to_change_an_entry(uow_factory: SqlUnitOfWorkFactory) -> None:
    await expulsions.waves.create(Wave(name="Kept"), uow=uow_factory())
    async with uow_factory() as uow:
        [entry] = (await uow.history.list(HistoryFilter(entity="Wave"), PageRequest(first=1))).items
        with pytest.raises(TypeError):
            await uow.history.update(entry)
        with pytest.raises(TypeError):
            await uow.history.delete(entry.id or 0)


async def test_a_restored_record_keeps_its_id_and_new_records_still_get_fresh_ids(uow_factory: SqlUnitOfWorkFactory) -> None:
    first = await expulsions.waves.create(Wave(name="One"), uow=uow_factory())
    last = await expulsions.waves.create(Wave(name="Two"), uow=uow_factory())
    assert last.id is not None
    await expulsions.waves.delete(last.id, uow=uow_factory(), expected_version=1)
    async with uow_factory.reader() as uow:
        [deletion] = (await uow.history.list(HistoryFilter(entity="Wave", actions=frozenset({ChangeAction.DELETE})), PageRequest())).items

    kind, restored = await history_use_cases.restore(deletion.id or 0, uow=uow_factory())
    fresh = await expulsions.waves.create(Wave(name="Three"), uow=uow_factory())

    assert (kind, restored.id, restored.name, restored.version) == ("Wave", last.id, "Two", 2)
    assert fresh.id is not None
    assert fresh.id > last.id > (first.id or 0)


async def test_tokens_are_found_by_digest_and_names_are_unique(uow_factory: SqlUnitOfWorkFactory) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    token = ApiToken(name="alice", role=Role.EDITOR, digest="a" * 64, created_at=now, created_by="cli")
    async with uow_factory() as uow:
        stored = await uow.tokens.add(token)
        await uow.commit()
    async with uow_factory.reader() as uow:
        found = await uow.tokens.by_digest("a" * 64)
        assert await uow.tokens.by_digest("b" * 64) is None
    assert found == stored
    assert found is not None
    assert found.created_at == now

    async def same_name_again() -> None:
        async with uow_factory() as uow:
            await uow.tokens.add(dataclasses.replace(token, digest="c" * 64))
            await uow.commit()

    with pytest.raises(Conflict):
        await same_name_again()
    async with uow_factory() as uow:
        await uow.tokens.revoke(dataclasses.replace(found, revoked_at=now))
        await uow.commit()
    async with uow_factory.reader() as uow:
        [only] = await uow.tokens.all()
    assert only.revoked_at == now
    assert not only.active


async def test_a_deleted_records_id_is_never_given_to_a_new_record(uow_factory: SqlUnitOfWorkFactory) -> None:
    ids = [(await expulsions.waves.create(Wave(name=f"Wave {n}"), uow=uow_factory())).id or 0 for n in range(3)]
    await expulsions.waves.delete(ids[2], uow=uow_factory())
    await expulsions.waves.delete(ids[1], uow=uow_factory())
    async with uow_factory.reader() as uow:
        deletions = (await uow.history.list(HistoryFilter(entity="Wave", actions=frozenset({ChangeAction.DELETE})), PageRequest())).items
    by_record = {entry.record_id: entry for entry in deletions}

    await history_use_cases.restore(by_record[ids[1]].id or 0, uow=uow_factory())
    fresh = await expulsions.waves.create(Wave(name="New"), uow=uow_factory())
    _, top = await history_use_cases.restore(by_record[ids[2]].id or 0, uow=uow_factory())

    assert fresh.id is not None
    assert fresh.id > ids[2]
    assert top.id == ids[2]


async def test_only_a_records_latest_deletion_can_be_restored(uow_factory: SqlUnitOfWorkFactory) -> None:
    wave = await expulsions.waves.create(Wave(name="First life"), uow=uow_factory())
    assert wave.id is not None
    await expulsions.waves.delete(wave.id, uow=uow_factory())
    first = await _latest(uow_factory, wave.id)
    await history_use_cases.restore(first.id or 0, uow=uow_factory())
    await expulsions.waves.update(wave.id, {"name": "Second life"}, uow=uow_factory(), expected_version=2)
    await expulsions.waves.delete(wave.id, uow=uow_factory(), expected_version=3)
    second = await _latest(uow_factory, wave.id)

    with pytest.raises(Conflict, match="latest deletion"):
        await history_use_cases.restore(first.id or 0, uow=uow_factory())
    _, restored = await history_use_cases.restore(second.id or 0, uow=uow_factory())

    assert (restored.name, restored.version) == ("Second life", 4)


async def _latest(uow_factory: SqlUnitOfWorkFactory, wave_id: int) -> Change:
    async with uow_factory.reader() as uow:
        [entry] = (await uow.history.list(HistoryFilter(entity="Wave", record_id=wave_id), PageRequest(first=1, descending=True))).items
    return entry

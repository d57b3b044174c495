"""Erasing a person's name from the record and its history, on SQLite and PostgreSQL; the history refuses every other change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable
from sqlmodel import SQLModel

from domain.errors import InvalidInput, NotFound
from domain.read.pagination import PageRequest
from domain.record.history import ChangeAction, Erasure, HistoryFilter
from domain.use_cases import history as history_use_cases
from domain.use_cases.missions import diplomats
from persistence.sql.engine import create_engine
from persistence.sql.migrations import downgrade, upgrade
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeUnitOfWorkFactory, reference_actors
from tests.integration import drafts

NAME = "Ivan Erasmovich Testov"
SECOND_NAME = "Ivan E. Testov"
HISTORY = SQLModel.metadata.tables["history"]


async def raw_history(engine: AsyncEngine, record_id: int) -> list[tuple[Any, ...]]:
    """Every stored column of the diplomat's entries, as the database holds them."""
    query = select(HISTORY).where(HISTORY.c.entity == "Diplomat", HISTORY.c.record_id == record_id).order_by(HISTORY.c.id)
    async with engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(query)).all()]


async def a_named_diplomat_with_a_past(uow_factory: SqlUnitOfWorkFactory, *, deleted: bool) -> int:
    """A diplomat created under one name, renamed, and (if `deleted`) deleted: three entries naming them."""
    created = await diplomats.create(drafts.diplomat(name=NAME), uow=uow_factory.acting_as("alice")())
    assert created.id is not None
    await diplomats.update(created.id, {"name": SECOND_NAME}, uow=uow_factory.acting_as("alice")())
    if deleted:
        await diplomats.delete(created.id, uow=uow_factory.acting_as("bob")())
    return created.id


@pytest.mark.parametrize("deleted", [True, False], ids=["deleted", "live"])
async def test_an_erasure_blanks_the_name_everywhere_and_records_who_when_and_why(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, deleted: bool
) -> None:
    person = await a_named_diplomat_with_a_past(uow_factory, deleted=deleted)
    before = await raw_history(engine, person)
    started = datetime.now(UTC)

    erased = await history_use_cases.erase_personal_data(
        Erasure("Diplomat", person, "  Data subject request #12  "), uow=uow_factory.acting_as("dpo-admin")()
    )

    after = await raw_history(engine, person)
    assert NAME not in repr(after)
    assert SECOND_NAME not in repr(after)
    entry = erased.entry
    assert (entry.action, entry.author, entry.reason) == (ChangeAction.REDACT, "dpo-admin", "Data subject request #12")
    assert entry.at is not None
    assert entry.at >= started
    assert (erased.redacted_entries, erased.live_record) == (len(before), not deleted)
    # Every earlier entry keeps its who, when, what and version: only the name changed, to null.
    assert [row[:7] for row in after[:-1]] == [row[:7] for row in before]
    assert all((row[7] or {}).get("name") is None and (row[8] or {}).get("name") is None for row in after)
    assert entry.before is not None
    assert entry.before["name"] is None
    assert entry.before["sending_state"] == "RU"
    async with uow_factory.reader() as uow:
        live = await uow.diplomats.get(person)
    if deleted:
        assert live is None
        assert entry.after is None
    else:
        assert live is not None
        assert live.name is None
        assert entry.after == entry.before
        assert live.version == entry.version == 3


async def test_a_restored_erased_person_comes_back_without_a_name(uow_factory: SqlUnitOfWorkFactory) -> None:
    person = await a_named_diplomat_with_a_past(uow_factory, deleted=True)
    await history_use_cases.erase_personal_data(Erasure("Diplomat", person, "request"), uow=uow_factory())
    async with uow_factory.reader() as uow:
        deletions = HistoryFilter(entity="Diplomat", actions=frozenset({ChangeAction.DELETE}))
        [deletion] = (await uow.history.list(deletions, PageRequest())).items

    _, restored = await history_use_cases.restore(deletion.id or 0, uow=uow_factory())

    assert (restored.id, restored.name) == (person, None)


async def test_an_erasure_of_nothing_or_without_a_reason_is_refused_and_writes_nothing(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    with pytest.raises(NotFound) as missing:
        await history_use_cases.erase_personal_data(Erasure("Diplomat", 999_999, "request"), uow=uow_factory())
    assert (missing.value.entity, missing.value.field) == ("Diplomat", "recordId")
    with pytest.raises(InvalidInput) as blank:
        Erasure("Diplomat", 1, "   ")
    assert blank.value.field == "reason"
    with pytest.raises(InvalidInput) as impersonal:
        Erasure("Wave", 1, "request")
    assert impersonal.value.field == "recordId"
    async with engine.connect() as connection:
        assert (await connection.execute(select(HISTORY.c.id).where(HISTORY.c.action == "redact"))).all() == []


async def refused(engine: AsyncEngine, change: Executable) -> None:
    with pytest.raises(DBAPIError, match="the history is append-only"):
        async with engine.begin() as connection:
            await connection.execute(change)


async def test_the_database_refuses_every_change_to_the_history_but_a_redaction_after_its_redact_entry(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    person = await a_named_diplomat_with_a_past(uow_factory, deleted=True)
    about = (HISTORY.c.entity == "Diplomat") & (HISTORY.c.record_id == person)
    first = (await raw_history(engine, person))[0]
    blanked_after = {**first[8], "name": None}

    # Without a REDACT entry, even the redacted form is refused, as is any other change.
    await refused(engine, update(HISTORY).where(HISTORY.c.id == first[0]).values(after=blanked_after))
    await refused(engine, update(HISTORY).where(about).values(author="mallory"))
    await refused(engine, delete(HISTORY).where(about))
    await refused(engine, delete(HISTORY))
    if engine.dialect.name == "postgresql":
        await refused(engine, text("TRUNCATE history"))

    redact = {"at": datetime.now(UTC), "author": "x", "action": "redact", "entity": "Diplomat", "record_id": person, "version": 3}
    async with engine.begin() as connection:
        await connection.execute(insert(HISTORY).values(**redact, before={"name": None}, reason="test"))

    # After one, an entry may lose its name and nothing else; a rewrite, a new name or a deletion stays refused.
    await refused(engine, update(HISTORY).where(HISTORY.c.id == first[0]).values(after={**blanked_after, "rank": "ambassador"}))
    await refused(engine, update(HISTORY).where(HISTORY.c.id == first[0]).values(after={**first[8], "name": "Someone Else"}))
    await refused(engine, update(HISTORY).where(HISTORY.c.id == first[0]).values(after=blanked_after, version=99))
    await refused(engine, update(HISTORY).where(HISTORY.c.id == first[0]).values(after=blanked_after, reason="sneaked in"))
    await refused(engine, update(HISTORY).where(HISTORY.c.id == first[0]).values(after=None))
    await refused(engine, delete(HISTORY).where(about))
    other = await diplomats.create(drafts.diplomat(name="Not Erased"), uow=uow_factory())
    await refused(engine, update(HISTORY).where(HISTORY.c.record_id == other.id).values(after={"name": None}))
    async with engine.begin() as connection:
        await connection.execute(update(HISTORY).where(HISTORY.c.id == first[0]).values(after=blanked_after))
    assert (await raw_history(engine, person))[0][8] == blanked_after


async def test_revision_0003_upgrades_a_history_written_under_0002_and_downgrades_to_its_plain_refusal(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine, "0002")
        entry = {"at": datetime.now(UTC), "author": "a", "action": "create", "entity": "Diplomat", "record_id": 7, "version": 1}
        async with engine.begin() as connection:
            await connection.execute(insert(HISTORY).values(**entry, after={"id": 7, "name": NAME}))
        await upgrade(engine)
        uow_factory = SqlUnitOfWorkFactory(engine)
        erased = await history_use_cases.erase_personal_data(Erasure("Diplomat", 7, "request"), uow=uow_factory())
        assert erased.redacted_entries == 1
        assert NAME not in repr(await raw_history(engine, 7))

        await downgrade(engine, "0002")
        await refused(engine, update(HISTORY).where(HISTORY.c.record_id == 7).values(after={"id": 7, "name": None}))
    finally:
        await engine.dispose()


async def erase(uow_factory: Any) -> None:
    """One contract for the in-memory fakes and the SQL adapter: erasing blanks every entry."""
    made = await diplomats.create(drafts.diplomat(name=NAME), uow=uow_factory())
    assert made.id is not None
    await diplomats.update(made.id, {"name": SECOND_NAME}, uow=uow_factory())
    erased = await history_use_cases.erase_personal_data(Erasure("Diplomat", made.id, "request"), uow=uow_factory())
    assert erased.redacted_entries == 2
    async with uow_factory() as uow:
        everything = await uow.history.list(HistoryFilter(entity="Diplomat", record_id=made.id), PageRequest())
    assert [change.action for change in everything.items] == [ChangeAction.CREATE, ChangeAction.UPDATE, ChangeAction.REDACT]
    assert NAME not in repr(everything.items)
    assert SECOND_NAME not in repr(everything.items)


async def test_the_adapters_erase_as_the_contract_says(uow_factory: SqlUnitOfWorkFactory) -> None:
    await erase(uow_factory)


async def test_the_fakes_erase_as_the_adapters_do() -> None:
    await erase(FakeUnitOfWorkFactory(reference_actors()))

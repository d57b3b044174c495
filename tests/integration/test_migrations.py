"""The schema made by the Alembic migrations: up, down, up again; the same as the table models; adopting the first release."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, delete, insert, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable
from sqlmodel import SQLModel

import persistence.sql.tables  # noqa: F401  (fills SQLModel.metadata)
from domain.read.filters import ExpulsionFilter
from domain.read.pagination import PageRequest
from domain.read.search import MatchedField, SearchKind
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.sql.migrations import BASELINE, SCRIPTS, SchemaOutOfDate, current_revision, downgrade, head_revision, is_current, upgrade
from persistence.write.unit_of_work import SqlUnitOfWorkFactory

BASELINE_TABLES = (
    "actor",
    "mission",
    "diplomat",
    "wave",
    "expulsion",
    "expulsion_answer",
    "expulsion_diplomat",
    "statement",
    "statement_measure",
    "source",
    "citation",
    "record_version",
)
# Whatever a downgrade to base could leave behind: tables, indexes, sequences, triggers, functions.
LEFTOVERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE name <> 'alembic_version' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname NOT LIKE 'alembic_version%' "
    "UNION ALL SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
}


@pytest.fixture
async def bare(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the empty database, not migrated."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def leftovers(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.exec_driver_sql(LEFTOVERS[engine.dialect.name])).scalars())


async def row_counts(engine: AsyncEngine, tables: tuple[str, ...]) -> dict[str, int]:
    async with engine.connect() as connection:
        return {table: int((await connection.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()) for table in tables}


def _modelled(_object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    """Leave out the search index, which the migrations keep beside the models: FTS5 tables, or a tsvector column and its index."""
    if type_ == "table":
        return "_fts" not in (name or "")
    return name != "search_vector" and not (name or "").endswith("_search_vector")


def _differences(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _modelled})
    return list(compare_metadata(context, metadata))


async def differences(engine: AsyncEngine, metadata: MetaData) -> list[Any]:
    """What autogenerate would write to make the database match `metadata`."""
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: _differences(sync, metadata))


def summary(diffs: list[Any]) -> set[tuple[str, str, str]]:
    """Each difference as (kind, table, column), the modify_* ones unpacked."""
    found: set[tuple[str, str, str]] = set()
    for diff in diffs:
        for change in diff if isinstance(diff, list) else [diff]:
            if change[0] == "add_column":
                found.add(("add_column", change[2], change[3].name))
            else:
                found.add((change[0], change[2], change[3]))
    return found


async def test_an_empty_database_goes_to_head_down_to_base_and_up_again(bare: AsyncEngine) -> None:
    assert await current_revision(bare) is None
    await upgrade(bare)
    assert await current_revision(bare) == head_revision()
    assert set(SQLModel.metadata.tables) <= await table_names(bare)
    async with bare.connect() as connection:
        assert [tuple(row) for row in await connection.exec_driver_sql("SELECT id, version FROM record_version")] == [(1, 0)]

    await downgrade(bare)
    assert await current_revision(bare) is None
    assert await leftovers(bare) == []

    await upgrade(bare)
    assert await is_current(bare)
    assert set(SQLModel.metadata.tables) <= await table_names(bare)


async def test_each_revision_upgrades_and_downgrades_one_step_at_a_time(bare: AsyncEngine) -> None:
    revisions = [script.revision for script in reversed(list(ScriptDirectory(str(SCRIPTS)).walk_revisions()))]
    assert revisions[0] == BASELINE
    assert revisions[-1] == head_revision()
    for revision in revisions:
        await upgrade(bare, "+1")
        assert await current_revision(bare) == revision
    for below in [None, *revisions[:-1]][::-1]:
        await downgrade(bare, "-1")
        assert await current_revision(bare) == below
    assert await leftovers(bare) == []


async def test_the_table_models_and_the_migrations_agree(bare: AsyncEngine) -> None:
    await upgrade(bare)
    assert await differences(bare, SQLModel.metadata) == []


async def test_the_comparison_finds_a_model_the_migrations_do_not_match(bare: AsyncEngine) -> None:
    await upgrade(bare)
    changed = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["wave"].append_column(Column("colour", String(20)))
    changed.tables["actor"].c.name.type = String(300)
    assert summary(await differences(bare, changed)) == {("add_column", "wave", "colour"), ("modify_type", "actor", "name")}


async def test_a_database_of_the_first_release_is_adopted_then_upgraded(bare: AsyncEngine) -> None:
    # The first release made the baseline's tables with create_all and kept no alembic_version;
    # revision 0001 makes the very same schema (checked against that release's sqlite_master and pg_dump).
    await upgrade(bare, BASELINE)
    async with bare.begin() as connection:
        await connection.exec_driver_sql("DROP TABLE alembic_version")
        await connection.exec_driver_sql("INSERT INTO wave (name) VALUES ('March 2022')")
    assert await current_revision(bare) is None
    with pytest.raises(SchemaOutOfDate, match="run `demarche db upgrade`"):
        await prepare(bare, load_demo=False, migrate=False)

    await prepare(bare, load_demo=False)
    assert await current_revision(bare) == head_revision()
    async with bare.connect() as connection:
        assert [tuple(row) for row in await connection.exec_driver_sql("SELECT name, version FROM wave")] == [("March 2022", 1)]


async def test_prepare_without_migrating_takes_a_current_schema_and_refuses_an_empty_one(engine: AsyncEngine, bare: AsyncEngine) -> None:
    assert await prepare(engine, load_demo=False, migrate=False) is None
    async with bare.begin() as connection:
        await connection.exec_driver_sql("DROP TABLE alembic_version")
    with pytest.raises(SchemaOutOfDate) as refused:
        await prepare(bare, load_demo=False, migrate=False)
    assert (refused.value.current, refused.value.head) == (None, head_revision())
    assert "demarche db upgrade" in str(refused.value)


async def test_a_schema_from_a_newer_version_is_refused_and_not_touched(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaOutOfDate, match="newer version of Demarche") as refused:
        await prepare(engine, load_demo=False, migrate=False)
    assert refused.value.current == "9999"
    assert await current_revision(engine) == "9999"


async def test_a_failed_migration_leaves_schema_and_revision_as_they_were(bare: AsyncEngine) -> None:
    await upgrade(bare, BASELINE)
    async with bare.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE api_token (id INTEGER PRIMARY KEY)")  # in the way of 0002
    with pytest.raises(DBAPIError):
        await upgrade(bare)
    assert await current_revision(bare) == BASELINE
    async with bare.connect() as connection:
        columns = await connection.run_sync(lambda sync: [column["name"] for column in inspect(sync).get_columns("actor")])
    assert "version" not in columns


async def test_downgrading_and_upgrading_keep_the_record(engine: AsyncEngine) -> None:
    await prepare(engine, load_demo=True)
    before = await row_counts(engine, BASELINE_TABLES)
    assert before["citation"] > 0
    await downgrade(engine, BASELINE)
    assert await row_counts(engine, BASELINE_TABLES) == before
    await upgrade(engine)
    assert await row_counts(engine, BASELINE_TABLES) == before


async def test_the_history_is_append_only(engine: AsyncEngine) -> None:
    history = SQLModel.metadata.tables["history"]
    entry = {"at": datetime.now(UTC), "author": "test", "action": "create", "entity": "wave", "record_id": 1, "version": 1}
    async with engine.begin() as connection:
        await connection.execute(insert(history).values(**entry, after={"name": "March 2022"}))
    refused: list[Executable] = [update(history).values(author="someone else"), delete(history)]
    if engine.dialect.name == "postgresql":
        refused.append(text("TRUNCATE history"))
    for change in refused:
        with pytest.raises(DBAPIError, match="the history is append-only"):
            async with engine.begin() as connection:
                await connection.execute(change)
    async with engine.connect() as connection:
        assert (await connection.execute(select(history.c.author))).scalars().all() == ["test"]


async def test_two_upgrades_at_once_in_one_process_take_turns(database_url: str) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        assert await is_current(engines[0])
    finally:
        for engine in engines:
            await engine.dispose()


def test_two_servers_upgrading_at_once_migrate_once(database_url: str, repository_root: Path) -> None:
    environment = {**os.environ, "DEMARCHE_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "cli.main", "db", "upgrade"]
    runs = [subprocess.Popen(command, env=environment, cwd=repository_root, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert sorted("went from revision none" in output for output in outputs) == [False, True], outputs
    assert asyncio.run(_current(database_url)) == head_revision()


async def _current(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


def test_the_db_commands_upgrade_report_and_downgrade_a_sqlite_file(tmp_path: Path, repository_root: Path) -> None:
    environment = {**os.environ, "DEMARCHE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def demarche(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "db", *args],
            env=environment,
            cwd=repository_root,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    head = head_revision()
    assert demarche("upgrade") == f"the database schema went from revision none to {head}\n"
    assert demarche("current") == f"current: {head}\nhead: {head}\n"
    assert demarche("downgrade", BASELINE) == f"the database schema went from revision {head} to {BASELINE}\n"


async def test_the_record_search_indexes_the_rows_stored_before_it(engine: AsyncEngine) -> None:
    await prepare(engine, load_demo=True)
    await downgrade(engine, "0004")
    await upgrade(engine)
    async with SqlUnitOfWorkFactory(engine).reader() as uow:
        hits = (await uow.search.find("spies pretending", {SearchKind.EXPULSION}, PageRequest(first=10))).items
        poland = (await uow.expulsions.list(ExpulsionFilter(actor=("PL",)), PageRequest(first=1))).items[0]
    assert [(hit.field, hit.id) for hit in hits] == [(MatchedField.STATED_REASON, poland.id)]

"""Shared fixtures: a fresh database on SQLite and on PostgreSQL for every test that asks for one.

With CI=true an unreachable PostgreSQL fails the run; elsewhere its tests are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.catalogue import reference_memberships
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes import FakeUnitOfWorkFactory, reference_actors
from tests.needs import missing

POSTGRES_ADMIN_URL = os.environ.get("DEMARCHE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
CONTRACT_BACKENDS = ["fake", *BACKENDS]
contract = pytest.mark.parametrize("backend", CONTRACT_BACKENDS, indirect=True)
"""Marks a module of the repositories' and the unit of work's contract (`pytestmark = contract`): its tests run on
the in-memory fakes as well as on SQLite and PostgreSQL, through `uow_factory` and `store`, so the fakes cannot drift.
A test of what only a database does asks for `sql_backend` and is skipped, saying so, on the fakes."""


def _postgres_url(database: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgresql://", "postgres://"), timeout=5)


async def _create_database(name: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_database(name: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# Everything goes (tables, alembic_version, trigger functions); public comes back as in a new database.
EMPTY_SCHEMA = (
    # A connection some test leaked would make the drop wait for ever; fail within seconds instead.
    "SET LOCAL lock_timeout = '20s'",
    "DROP SCHEMA public CASCADE",
    "CREATE SCHEMA public AUTHORIZATION pg_database_owner",
    "GRANT USAGE ON SCHEMA public TO PUBLIC",
)


async def _empty_schema(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        for statement in EMPTY_SCHEMA:
            await connection.exec_driver_sql(statement)
    await engine.dispose()


@contextlib.contextmanager
def throwaway_postgres(prefix: str = "demarche_test") -> Iterator[str]:
    """The URL of a new PostgreSQL database on the shared server, dropped when the block ends.

    Without a reachable server the test is skipped, or fails with CI=true.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_create_database(name))
    except (OSError, asyncpg.PostgresError) as exc:
        missing(f"PostgreSQL is unreachable at {POSTGRES_ADMIN_URL}: {exc}")
    try:
        yield _postgres_url(name)
    finally:
        asyncio.run(_drop_database(name))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One throwaway PostgreSQL database for the session, dropped at the end."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database of the given backend: no tables, not even `alembic_version`."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'demarche.db'}"
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(_empty_schema(url))
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to the newest revision, with the ISO states but no demo record."""
    engine = create_engine(database_url)
    await prepare(engine, load_demo=False)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow_factory(backend: str, request: pytest.FixtureRequest) -> Any:
    """The record's unit-of-work factory: on a database set up as in production (`engine`), or, in a contract module
    (`contract`) run on `fake`, the in-memory fakes holding the same reference actors and memberships."""
    if backend == "fake":
        return fake_record()
    return SqlUnitOfWorkFactory(request.getfixturevalue("engine"))


@pytest.fixture
def sql_backend(backend: str) -> str:
    """The database a test of what only the SQL adapters do runs on; on the fakes the test is skipped, saying why."""
    if backend == "fake":
        pytest.skip("backend-specific: this checks what only the SQL adapters do (their SQL, constraints or engine)")
    return backend


def fake_record() -> FakeUnitOfWorkFactory:
    """The fakes holding what `prepare` gives a new database: every ISO state, the usual organisations and their spells."""
    factory = FakeUnitOfWorkFactory(reference_actors())
    for membership in reference_memberships():
        factory.tables.store("memberships", membership)
    return factory


@pytest.fixture
def fake_units() -> FakeUnitOfWorkFactory:
    """A fresh in-memory record holding every ISO 3166 state and the usual organisations."""
    return FakeUnitOfWorkFactory(reference_actors())


@pytest.fixture(scope="session")
def repository_root() -> Path:
    return Path(__file__).resolve().parent.parent

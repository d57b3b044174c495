"""The compiled read path against the executor, on the same record: both answer, and the answers must be equal.

Each record is loaded once per session, on SQLite and on PostgreSQL: the demo record, and a
generated record of 10,000 statements (the benchmark's own generator).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError, parse
from sqlalchemy.ext.asyncio import AsyncEngine

from api.compiled.reads import CompiledReads
from api.graphql.as_of import requested_instant
from api.graphql.context import Context
from api.graphql.schema import DemarcheSchema, build_schema
from api.settings import Settings
from bench.generate import generate
from domain.errors import DomainError
from persistence.catalogue import IsoStateCatalogue
from persistence.setup import prepare
from persistence.sql.engine import create_engine
from persistence.write.bulk import bulk_load
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.conftest import _create_database, _drop_database, _postgres_url
from tests.needs import missing

GENERATED_SCALE = 10_000
RECORDS = ["demo", "generated"]


def canonical(data: Any) -> str:
    """One serialisation for both answers: key order kept, no spaces."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Outcome:
    """What both paths made of one request."""

    compiled: str | None
    """The compiled answer's data, serialised canonically; None when the request fell back."""
    reference: str | None
    """The executor's data, serialised canonically; None when it answered with errors."""
    errors: list[Any] = field(default_factory=list)


@dataclass
class Differ:
    """Asks one record the same question through both paths."""

    engine: AsyncEngine
    uow_factory: SqlUnitOfWorkFactory
    schema: DemarcheSchema
    compiled: CompiledReads
    settings: Settings
    label: str

    async def both(self, query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None) -> Outcome:
        catalogue = IsoStateCatalogue()
        as_of = self.instant(query, variables, operation_name)
        context = await Context.for_request(self.uow_factory, catalogue, self.settings, as_of=as_of)
        try:
            text = await self.compiled.answer(query, variables, operation_name, context)
        finally:
            await context.reads.close()
        context = await Context.for_request(self.uow_factory, catalogue, self.settings, as_of=as_of)
        try:
            result = await self.schema.execute(query, variable_values=variables, operation_name=operation_name, context_value=context)
        finally:
            await context.reads.close()
        reference = None if result.errors else canonical(result.data)
        compiled = None if text is None else canonical(json.loads(text))
        return Outcome(compiled, reference, [error.formatted for error in result.errors or []])

    def instant(self, query: str, variables: dict[str, Any] | None, operation_name: str | None) -> datetime | DomainError | None:
        """The instant the document's `asOf` arguments ask for, found as the server's view finds it (None: now)."""
        try:
            document = parse(query)
        except GraphQLError:
            return None
        try:
            return requested_instant(self.schema.documents.schema, document, operation_name, variables)
        except DomainError as error:
            return error

    async def check(self, query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None) -> Outcome:
        """Both answers, asserting that where the compiled path answered it said what the executor says."""
        outcome = await self.both(query, variables, operation_name)
        if outcome.compiled is not None:
            assert outcome.reference is not None, (
                f"{self.label}: compiled an answer where the executor errs: {outcome.errors}\n{query}\n{variables}\n{outcome.compiled}"
            )
            assert outcome.compiled == outcome.reference, (
                f"{self.label}: the answers differ\n{query}\n{variables}\ncompiled:  {outcome.compiled}\nreference: {outcome.reference}"
            )
        return outcome


async def _load(url: str, record: str) -> AsyncEngine:
    engine = create_engine(url)
    await prepare(engine, load_demo=record == "demo")
    if record == "generated":
        await bulk_load(engine, generate(GENERATED_SCALE))
    return engine


_ENGINES: dict[tuple[str, str], AsyncEngine] = {}


@pytest.fixture(scope="session")
async def differential_databases() -> AsyncIterator[dict[tuple[str, str], str]]:
    """A database per backend and record, loaded lazily by `differ`, dropped at the end of the session."""
    made: dict[tuple[str, str], str] = {}
    yield made
    for engine in _ENGINES.values():
        await engine.dispose()
    _ENGINES.clear()
    for (backend, _), url in made.items():
        if backend == "postgresql":
            await _drop_database(url.rpartition("/")[2])


@pytest.fixture(params=RECORDS)
def record(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def differ(
    backend: str, record: str, differential_databases: dict[tuple[str, str], str], tmp_path_factory: pytest.TempPathFactory
) -> Differ:
    key = (backend, record)
    if key not in differential_databases:
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp_path_factory.mktemp('differential')) / f'{record}.db'}"
        else:
            name = f"demarche_diff_{uuid.uuid4().hex[:10]}"
            try:
                await _create_database(name)
            except OSError as exc:
                missing(f"PostgreSQL is unreachable: {exc}")
            url = _postgres_url(name)
        differential_databases[key] = url
        _ENGINES[key] = await _load(url, record)
    engine = _ENGINES[key]
    settings = Settings(database_url=differential_databases[key])
    schema = build_schema(max_depth=settings.max_query_depth)
    return Differ(engine, SqlUnitOfWorkFactory(engine), schema, CompiledReads(schema), settings, f"{backend}/{record}")

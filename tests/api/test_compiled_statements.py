"""A compiled read costs one SQL statement per root field, all in one read transaction, whatever the page size;
a bearer token adds its own check, in the transaction before it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.compiled.reads import CompiledReads
from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.settings import Settings
from domain.access import Role
from domain.use_cases.tokens import issue_token
from persistence.catalogue import IsoStateCatalogue
from persistence.sql.engine import create_read_engine
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.api.counting import NESTED_PAGE, executed, fill, is_control, sql_sent
from tests.conftest import BACKENDS

TWO_ROOTS = """
query Two($first: Int!) {
  expulsions(first: $first, orderBy: ANNOUNCED) {
    edges { cursor node { id actor { code } people { name } answers { id } citations { source { publisher } } } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
  statements(first: $first) { nodes { quote measures { id } citations { source { publisher } } } }
}
"""


async def _compiled(engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory, query: str, first: int, token: str | None) -> dict[str, Any]:
    schema = build_schema()
    compiled = CompiledReads(schema)
    with sql_sent(engine.sync_engine) as sent:
        transactions: list[str] = []

        def begin(_conn: Any) -> None:
            transactions.append("begin")

        event.listen(engine.sync_engine, "begin", begin)
        try:
            context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings(), f"Bearer {token}" if token else None)
            text = await compiled.answer(query, {"first": first}, None, context)
            await context.reads.close()
        finally:
            event.remove(engine.sync_engine, "begin", begin)
    assert text is not None, "the query must compile"
    reference = await executed(uow_factory, query, {"first": first})
    assert json.dumps(json.loads(text)) == json.dumps(reference), "the compiled answer is the executor's"
    # PostgreSQL's snapshot for several root fields is set by SET TRANSACTION: transaction control too.
    control = [sql.strip().upper() for sql in sent if is_control(sql, "SET TRANSACTION")]
    queries = [sql for sql in sent if not is_control(sql, "SET TRANSACTION")]
    return {"statements": queries, "control": control, "transactions": len(transactions), "data": json.loads(text)}


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
async def test_a_compiled_page_is_one_statement_per_root_field_at_10_and_at_100_items(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await fill(uow_factory, 120)
    _, secret = await issue_token("counter", Role.READER, uow=uow_factory(), created_by="test")
    for first in (10, 100):
        one = await _compiled(engine, uow_factory, NESTED_PAGE, first, None)
        assert len(one["data"]["expulsions"]["edges"]) == first
        assert len(one["statements"]) == 1
        assert one["transactions"] == 1
        two = await _compiled(engine, uow_factory, TWO_ROOTS, first, None)
        assert len(two["data"]["statements"]["nodes"]) == first
        assert len(two["statements"]) == 2, "one statement per root field"
        assert two["transactions"] == 1, "both root fields read in one transaction"
        with_token = await _compiled(engine, uow_factory, NESTED_PAGE, first, secret)
        assert len(with_token["statements"]) == 2, "the token check, then the page"
        assert with_token["transactions"] == 2


@pytest.mark.postgres
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_on_the_servers_read_engine_several_root_fields_read_one_repeatable_read_snapshot(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    await fill(uow_factory, 30)
    reads = create_read_engine(database_url)
    assert reads is not None
    served = SqlUnitOfWorkFactory(engine, reads=reads)
    try:
        single = await _compiled(reads, served, NESTED_PAGE, 10, None)
        both = await _compiled(reads, served, TWO_ROOTS, 10, None)
    finally:
        await reads.dispose()
    assert len(single["statements"]) == 1
    assert single["control"] == [], "one statement needs no transaction around it"
    assert len(both["statements"]) == 2
    assert both["control"] == ["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "COMMIT"]

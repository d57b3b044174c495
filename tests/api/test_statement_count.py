"""No N+1: the SQL statements a nested page costs do not grow with the page size."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.settings import Settings
from domain.record.diplomats import Diplomat, StaffCategory
from domain.record.expulsions import Expulsion, MeasureType
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Stance, Statement
from domain.record.values import Headcount, PartialDate
from domain.use_cases.expulsions import expulsions
from domain.use_cases.missions import diplomats
from domain.use_cases.statements import citations, sources, statements
from persistence.catalogue import IsoStateCatalogue
from persistence.write.unit_of_work import SqlUnitOfWorkFactory

# One batched query per relation the query selects, whatever the page size: the page itself;
# actor, target, people, answers, answeredBy (ids, then measures), statements, citations;
# people.sendingState, statements.onBehalfOf, statements.citations, citations.source;
# statements.citations.source. Link ids ride along in each entity's own query.
QUERY_BOUND = 14
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")

NESTED_PAGE = """
query Page($first: Int!) {
  expulsions(first: $first, orderBy: ANNOUNCED) {
    edges { cursor node {
      id measureType headcount { qualifier value } announced { value precision }
      actor { code name } target { code name }
      people { name rank sendingState { code } }
      answers { id } answeredBy { id }
      statements { quote stance onBehalfOf { code } citations { source { publisher } } }
      citations { excerpt reportedHeadcount { value } source { publisher kind } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PAIRS = [("PL", "RU"), ("RU", "US"), ("US", "RU"), ("DE", "RU"), ("RU", "DE"), ("FR", "RU"), ("BY", "UA"), ("RU", "PL")]


async def _fill(uow_factory: SqlUnitOfWorkFactory, count: int) -> None:
    async with uow_factory() as uow:
        source = await sources.add(Source(publisher="Agency", title="Report", kind=SourceKind.WIRE_AGENCY), uow)
        assert source.id is not None
        previous: int | None = None
        for index in range(count):
            actor, target = PAIRS[index % len(PAIRS)]
            people = [
                await diplomats.add(
                    Diplomat(sending_state=target, staff_category=StaffCategory.DIPLOMATIC, name=f"Person {index}-{n}"), uow
                )
                for n in range(2)
            ]
            measure = await expulsions.add(
                Expulsion(
                    actor=actor,
                    target=target,
                    measure_type=MeasureType.PERSONA_NON_GRATA,
                    announced=PartialDate.of(date(2020, 1, 1) + timedelta(days=index)),
                    headcount=Headcount.exactly(2 + index % 5),
                    diplomat_ids=tuple(p.id for p in people if p.id is not None),
                    answers=(previous,) if previous is not None else (),
                ),
                uow,
            )
            assert measure.id is not None
            previous = measure.id
            statement = await statements.add(
                Statement(
                    on_behalf_of=actor,
                    stance=Stance.ANNOUNCES,
                    quote=f"Quote {index}",
                    quote_language="en",
                    speaker_role="Spokesperson",
                    measure_ids=(measure.id,),
                ),
                uow,
            )
            await citations.add(Citation(source_id=source.id, measure_id=measure.id, excerpt=f"Excerpt {index}"), uow)
            await citations.add(Citation(source_id=source.id, statement_id=statement.id), uow)
        await uow.commit()


async def _statements_for(engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory, first: int) -> tuple[list[str], dict[str, Any]]:
    schema = build_schema()
    executed: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        executed.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings())
        result = await schema.execute(NESTED_PAGE, variable_values={"first": first}, context_value=context)
        await context.reads.close()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert result.errors is None, result.errors
    assert result.data is not None
    return executed, result.data


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_a_nested_page_costs_the_same_few_statements_at_10_and_at_100_items(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await _fill(uow_factory, 120)
    small, small_data = await _statements_for(engine, uow_factory, 10)
    large, large_data = await _statements_for(engine, uow_factory, 100)
    assert len(small_data["expulsions"]["edges"]) == 10
    assert len(large_data["expulsions"]["edges"]) == 100
    for data in (small_data, large_data):
        last = data["expulsions"]["edges"][-1]["node"]
        assert len(last["answers"]) == 1, "every page must exercise the answer links"
        assert len(last["answeredBy"]) == 1
    first_large = large_data["expulsions"]["edges"][0]["node"]
    assert len(first_large["people"]) == 2
    assert len(first_large["statements"]) == 1
    assert first_large["statements"][0]["citations"][0]["source"]["publisher"] == "Agency"
    assert len(small) == len(large), "every statement, transaction control included, is independent of the page size"
    queries = [sql for sql in large if not sql.strip().upper().startswith(TRANSACTION_CONTROL)]
    assert len(queries) <= QUERY_BOUND


STATES_WITH_MEMBERSHIPS = """
query States($first: Int!) {
  states(first: $first, includeFormer: false) {
    nodes { code memberships { joined { value } left { value } organisation { code } state { code } } }
  }
}
"""


async def _states_statements(engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory, first: int) -> tuple[list[str], dict[str, Any]]:
    schema = build_schema()
    executed: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.strip().upper().startswith(TRANSACTION_CONTROL):
            executed.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings())
        result = await schema.execute(STATES_WITH_MEMBERSHIPS, variable_values={"first": first}, context_value=context)
        await context.reads.close()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert result.errors is None, result.errors
    assert result.data is not None
    return executed, result.data


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_the_memberships_of_a_page_of_states_cost_one_batched_query_per_level(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    small, few = await _states_statements(engine, uow_factory, 20)
    assert any(state["memberships"] for state in few["states"]["nodes"]), "Austria and Belgium are among the first 20"
    large, data = await _states_statements(engine, uow_factory, 100)
    spells = [spell for state in data["states"]["nodes"] for spell in state["memberships"]]
    assert spells, "the first 100 states include EU members"
    assert {spell["organisation"]["code"] for spell in spells} == {"EU"}
    # The page, the memberships of its states, their organisations and their states.
    assert len(small) == len(large) <= 4

"""No N+1: the SQL statements a nested page costs do not grow with the page size."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.api.counting import NESTED_PAGE, executed, fill, is_control, sql_sent
from tests.conftest import BACKENDS

# One batched query per relation the query selects, whatever the page size: the page itself;
# actor, target, people, answers, answeredBy (ids, then measures), statements, citations;
# people.sendingState, statements.onBehalfOf, statements.citations, citations.source;
# statements.citations.source. Link ids ride along in each entity's own query.
QUERY_BOUND = 14


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
async def test_a_nested_page_costs_the_same_few_statements_at_10_and_at_100_items(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await fill(uow_factory, 120)
    with sql_sent(engine.sync_engine) as small:
        small_data = await executed(uow_factory, NESTED_PAGE, {"first": 10})
    with sql_sent(engine.sync_engine) as large:
        large_data = await executed(uow_factory, NESTED_PAGE, {"first": 100})
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
    queries = [sql for sql in large if not is_control(sql)]
    assert len(queries) <= QUERY_BOUND


STATES_WITH_MEMBERSHIPS = """
query States($first: Int!) {
  states(first: $first, includeFormer: false) {
    nodes { code memberships { joined { value } left { value } organisation { code } state { code } } }
  }
}
"""


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
async def test_the_memberships_of_a_page_of_states_cost_one_batched_query_per_level(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with sql_sent(engine.sync_engine) as sent:
        few = await executed(uow_factory, STATES_WITH_MEMBERSHIPS, {"first": 20})
    small = [sql for sql in sent if not is_control(sql)]
    assert any(state["memberships"] for state in few["states"]["nodes"]), "Austria and Belgium are among the first 20"
    with sql_sent(engine.sync_engine) as sent:
        data = await executed(uow_factory, STATES_WITH_MEMBERSHIPS, {"first": 100})
    large = [sql for sql in sent if not is_control(sql)]
    spells = [spell for state in data["states"]["nodes"] for spell in state["memberships"]]
    assert spells, "the first 100 states include EU members"
    assert {"EU", "NATO", "COE"} <= {spell["organisation"]["code"] for spell in spells}
    # The page, the memberships of its states, their organisations and their states.
    assert len(small) == len(large) <= 4

"""Federation's `_entities` batches: the SQL statements a router's batch of representations costs do not grow with it
(in-process, statements counted as tests/api/test_statement_count.py counts them)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry import relay

from api.graphql.context import Context
from api.graphql.schema import build_schema
from api.settings import Settings
from persistence.catalogue import IsoStateCatalogue
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.api.counting import executed, fill, is_control, sql_sent
from tests.conftest import BACKENDS

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Expulsion {
      id measureType actor { code } target { code } people { name } statements { quote } citations { source { publisher } }
    }
    ... on Statement { id quote onBehalfOf { code } measures { id } }
    ... on Source { id publisher }
    ... on State { code name memberships { organisation { code } } }
  }
}
"""

# One query per kind of representation (expulsions, statements, sources, states by code), then one per relation the
# query selects beneath them (actor and target share the actors' loader with the states; people, statements,
# citations, citation sources, statement measures, memberships and their organisations).
QUERY_BOUND = 14


def representations(ids: dict[str, list[str]], codes: list[str], measures: int, states: int) -> list[dict[str, str]]:
    """As a router sends them: `measures` measures and as many statements, interleaved, then a source and `states` states."""
    pairs = zip(ids["Expulsion"][:measures], ids["Statement"][:measures], strict=True)
    return [
        *({"__typename": typename, "id": id} for pair in pairs for typename, id in zip(("Expulsion", "Statement"), pair, strict=True)),
        {"__typename": "Source", "id": ids["Source"][0]},
        *({"__typename": "State", "code": code} for code in codes[:states]),
    ]


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
async def test_100_representations_cost_the_same_few_statements_as_10(engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory) -> None:
    await fill(uow_factory, 60)
    listed = await executed(uow_factory, "{ expulsions(first: 60) { nodes { id statements { id } citations { source { id } } } } }", {})
    measures = listed["expulsions"]["nodes"]
    ids = {
        "Expulsion": [measure["id"] for measure in measures],
        "Statement": [statement["id"] for measure in measures for statement in measure["statements"]],
        "Source": [measures[0]["citations"][0]["source"]["id"]],
    }
    codes = ["PL", "RU", "US", "DE", "FR", "BY", "UA", "AT", "BE", "NL"]
    few, many = representations(ids, codes, 4, 1), representations(ids, codes, 45, 9)
    assert (len(few), len(many)) == (10, 100)

    with sql_sent(engine.sync_engine) as small:
        small_data = await executed(uow_factory, ENTITIES, {"representations": few})
    with sql_sent(engine.sync_engine) as large:
        large_data = await executed(uow_factory, ENTITIES, {"representations": many})

    for asked, data in ((few, small_data), (many, large_data)):
        found = data["_entities"]
        assert [entity["__typename"] for entity in found] == [item["__typename"] for item in asked], "every one found, in order"
        for item, entity in zip(asked, found, strict=True):
            assert entity.get("id", entity.get("code")) == item.get("id", item.get("code"))
    measure = next(entity for entity in large_data["_entities"] if entity["__typename"] == "Expulsion")
    assert len(measure["people"]) == 2
    assert measure["statements"]
    assert measure["citations"][0]["source"]["publisher"] == "Agency"
    assert any(entity.get("memberships") for entity in large_data["_entities"]), "Austria and Belgium are EU members"
    assert len(small) == len(large), "every statement, transaction control included, is independent of the representations' count"
    queries = [sql for sql in large if not is_control(sql)]
    assert len(queries) <= QUERY_BOUND, queries


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
async def test_a_representation_of_another_type_or_of_a_missing_record_is_null(uow_factory: SqlUnitOfWorkFactory) -> None:
    await fill(uow_factory, 1)
    listed = await executed(uow_factory, "{ expulsions(first: 1) { nodes { id } } }", {})
    measure = listed["expulsions"]["nodes"][0]["id"]
    asked = [
        {"__typename": "Expulsion", "id": measure},
        {"__typename": "Statement", "id": measure},  # a measure's ID named as a statement
        {"__typename": "Expulsion", "id": str(relay.GlobalID("Expulsion", "999999"))},
        {"__typename": "State", "code": "ZZ"},
        {"__typename": "Organisation", "code": "PL"},  # a state's code named as an organisation
    ]
    data = await executed(uow_factory, "query E($r: [_Any!]!) { _entities(representations: $r) { ... on Expulsion { id } } }", {"r": asked})
    assert data["_entities"] == [{"id": measure}, None, None, None, None]


async def test_a_router_needs_a_token_where_reads_do(uow_factory: SqlUnitOfWorkFactory) -> None:
    context = await Context.for_request(uow_factory, IsoStateCatalogue(), Settings(reads_require_token=True), None)
    try:
        for query in ("{ _service { sdl } }", '{ _entities(representations: [{__typename: "State", code: "PL"}]) { __typename } }'):
            result = await build_schema().execute(query, context_value=context)
            assert result.data is None
            assert [error.extensions for error in result.errors or []] == [{"code": "UNAUTHENTICATED"}], query
    finally:
        await context.reads.close()

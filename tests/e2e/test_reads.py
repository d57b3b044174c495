"""The read side over HTTP: nodes, natural keys, pagination, GET, GraphiQL, the depth limit, concurrency.

One server per backend for the module; the only writes are one wave and one diplomat made at setup.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import MISSING, LiveServer, demo_ids, errors, global_id, mutate, ok, read


@pytest.fixture(scope="module")
def record(api: LiveServer) -> dict[str, str]:
    """One ID of every type of node."""
    found = demo_ids(api)
    extra = api.data('{ state(code: "RU") { id } organisation(code: "UN") { id } expulsions(first: 1) { nodes { citations { id } } } }')
    return {
        "State": extra["state"]["id"],
        "Organisation": extra["organisation"]["id"],
        "Mission": found["UN mission"],
        "Diplomat": ok(mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "SERVICE"}), "Diplomat")["id"],
        "Expulsion": found["PL"],
        "Wave": ok(mutate(api, "createWave", input={"name": "Read wave"}), "Wave")["id"],
        "Statement": found["statement"],
        "Source": found["cited source"],
        "Citation": extra["expulsions"]["nodes"][0]["citations"][0]["id"],
    }


def number(id: str) -> str:
    return base64.b64decode(id).decode().split(":")[1]


def test_node_returns_every_kind_of_record_by_its_global_id(api: LiveServer, record: dict[str, str]) -> None:
    for type_name, id in record.items():
        found = read(api, id, type_name)
        assert found is not None, type_name
        assert (found["__typename"], found["id"]) == (type_name, id)


def test_node_is_null_for_an_unknown_id_or_an_id_naming_the_wrong_type(api: LiveServer, record: dict[str, str]) -> None:
    assert read(api, global_id("Expulsion", MISSING), "Expulsion") is None
    assert read(api, global_id("Organisation", number(record["State"])), "Organisation") is None
    assert read(api, global_id("State", number(record["Organisation"])), "State") is None
    assert read(api, global_id("Wave", number(record["Expulsion"])), "Wave") is None


def test_node_refuses_a_malformed_or_untyped_global_id_with_a_clear_error(api: LiveServer) -> None:
    [error] = errors(api, "query($id: ID!) { node(id: $id) { id } }", {"id": "garbage!!"})
    assert ("GlobalID" in error["message"], "garbage!!" in error["message"]) == (True, True), error
    [error] = errors(api, "query($id: ID!) { node(id: $id) { id } }", {"id": global_id("Spaceship", 1)})
    assert "Spaceship" in error["message"]


def test_nodes_answers_in_the_order_asked_with_null_for_each_missing_record(api: LiveServer, record: dict[str, str]) -> None:
    asked = [record["Statement"], global_id("Expulsion", MISSING), record["Organisation"], record["Expulsion"]]
    found = api.data("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": asked})["nodes"]
    assert found == [
        {"__typename": "Statement", "id": record["Statement"]},
        None,
        {"__typename": "Organisation", "id": record["Organisation"]},
        {"__typename": "Expulsion", "id": record["Expulsion"]},
    ]


def test_nodes_refuses_more_ids_than_the_page_size_cap(api: LiveServer, record: dict[str, str]) -> None:
    [error] = errors(api, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [record["Expulsion"]] * 101})
    assert "100" in error["message"]


@pytest.mark.parametrize(
    ("code", "stored"),
    [
        ("ru", "RU"),
        ("RUS", "RU"),
        ("rUs", "RU"),
        (" pl ", "PL"),
        ("xk", "XK"),
        ("XKX", "XK"),
        ("suhh", "SUHH"),
        ("CsHh", "CSHH"),
        ("ddde", "DDDE"),
    ],
)
def test_state_is_found_by_alpha2_alpha3_or_former_code_in_any_case(api: LiveServer, code: str, stored: str) -> None:
    found = api.data("query($c: String!) { state(code: $c) { code kind isFormer } }", {"c": code})["state"]
    former = len(stored) == 4
    assert found == {"code": stored, "kind": "FORMER_STATE" if former else "STATE", "isFormer": former}


def test_state_is_null_for_an_organisation_or_an_unknown_code(api: LiveServer) -> None:
    found = api.data('{ un: state(code: "UN") { code } nato: state(code: "nato") { code } none: state(code: "QQ") { code } }')
    assert found == {"un": None, "nato": None, "none": None}


def test_organisation_is_found_by_its_code_in_any_case_and_is_null_for_a_state(api: LiveServer) -> None:
    found = api.data(
        '{ a: organisation(code: "nato") { code name } b: organisation(code: "Un") { code } c: organisation(code: "RU") { code } }'
    )
    assert found == {"a": {"code": "NATO", "name": "North Atlantic Treaty Organization"}, "b": {"code": "UN"}, "c": None}


def every(api: LiveServer, listing: str, fields: str, arguments: str = "") -> tuple[int, list[dict[str, Any]]]:
    query = (
        f"query($a: String) {{ l: {listing}({arguments} first: 100, after: $a) "
        f"{{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {fields} }} }} }}"
    )
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = api.data(query, {"a": after})["l"]
        items += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return page["totalCount"], items
        after = page["pageInfo"]["endCursor"]


def test_states_without_former_ones_exclude_suhh_and_every_former_state(api: LiveServer) -> None:
    total_current, current = every(api, "states", "code isFormer kind dissolved", "includeFormer: false,")
    total_all, everything = every(api, "states", "code isFormer kind dissolved")
    assert (len(current), len(everything)) == (total_current, total_all)
    assert "SUHH" not in {s["code"] for s in current}
    assert "SUHH" in {s["code"] for s in everything}
    assert all(s["kind"] == "STATE" and not s["isFormer"] and s["dissolved"] is None for s in current)
    former = [s for s in everything if s not in current]
    assert len(former) == total_all - total_current > 0
    assert all(s["kind"] == "FORMER_STATE" and s["isFormer"] and s["dissolved"] for s in former)


PAGED = [("statements", 3), ("expulsions", 1), ("sources", 3), ("organisations", 3), ("states", 40)]


def page(api: LiveServer, listing: str, arguments: str) -> dict[str, Any]:
    info = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
    query = f"{{ l: {listing}({arguments}) {{ totalCount edges {{ cursor node {{ id }} }} {info} }} }}"
    found: dict[str, Any] = api.data(query)["l"]
    edges = found["edges"]
    assert found["pageInfo"]["startCursor"] == (edges[0]["cursor"] if edges else None)
    assert found["pageInfo"]["endCursor"] == (edges[-1]["cursor"] if edges else None)
    return found


@pytest.mark.parametrize(("listing", "size"), PAGED)
def test_first_and_after_walk_every_item_once_with_page_info_and_total_count(api: LiveServer, listing: str, size: int) -> None:
    whole = [item["id"] for item in every(api, listing, "id")[1]]
    seen, after, pages = [], "", 0
    while True:
        found = page(api, listing, f"first: {size}{after}")
        seen += [e["node"]["id"] for e in found["edges"]]
        pages += 1
        assert found["totalCount"] == len(whole)
        assert found["pageInfo"]["hasPreviousPage"] == (pages > 1)
        assert found["pageInfo"]["hasNextPage"] == (len(seen) < len(whole))
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = f', after: "{found["pageInfo"]["endCursor"]}"'
    assert seen == whole
    assert pages == -(-len(whole) // size)


@pytest.mark.parametrize(("listing", "size"), PAGED)
def test_last_and_before_walk_back_every_item_once_with_page_info_and_total_count(api: LiveServer, listing: str, size: int) -> None:
    whole = [item["id"] for item in every(api, listing, "id")[1]]
    seen: list[str] = []
    before = ""
    while True:
        found = page(api, listing, f"last: {size}{before}")
        seen = [e["node"]["id"] for e in found["edges"]] + seen
        assert found["totalCount"] == len(whole)
        assert found["pageInfo"]["hasNextPage"] == (before != "")
        assert found["pageInfo"]["hasPreviousPage"] == (len(seen) < len(whole))
        if not found["pageInfo"]["hasPreviousPage"]:
            break
        before = f', before: "{found["pageInfo"]["startCursor"]}"'
    assert seen == whole


def test_a_get_request_answers_a_query_with_variables(api: LiveServer) -> None:
    params = {"query": "query Q($c: String!) { state(code: $c) { code } expulsions(first: 1) { totalCount } }", "variables": '{"c": "pol"}'}
    response = api.client.get(f"{api.url}/graphql", params=params)
    assert response.status_code == 200
    # One state and one connection object: the cost counts objects, and a bare totalCount fetches no page.
    assert response.json() == {"data": {"state": {"code": "PL"}, "expulsions": {"totalCount": 4}}, "extensions": {"cost": 2}}


def test_a_get_request_cannot_run_a_mutation(api: LiveServer) -> None:
    response = api.client.get(f"{api.url}/graphql", params={"query": 'mutation { createWave(input: {name: "By GET"}) { __typename } }'})
    assert 400 <= response.status_code < 500
    assert "By GET" not in {w["name"] for w in api.data("{ waves(first: 100) { nodes { name } } }")["waves"]["nodes"]}
    assert api.alive()


def test_graphiql_is_served_to_a_browser(api: LiveServer) -> None:
    response = api.client.get(f"{api.url}/graphql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def nested(depth: int) -> str:
    """A query whose selections nest `depth` fields deep: expulsions > nodes > answers > ... > id."""
    inner = "id"
    for _ in range(depth - 3):
        inner = f"answers {{ {inner} }}"
    return f"{{ expulsions(first: 1) {{ nodes {{ {inner} }} }} }}"


def test_a_query_deeper_than_the_limit_is_refused_with_a_clear_error(api: LiveServer) -> None:
    # Thirteen levels pass the depth check; ten nested lists of answers are then over the cost limit instead.
    [error] = errors(api, nested(13))
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    [error] = errors(api, nested(14))
    assert "exceeds maximum operation depth of 12" in error["message"]
    assert api.alive()


def test_twenty_concurrent_requests_all_succeed_with_the_answers_given_one_by_one(api: LiveServer, record: dict[str, str]) -> None:
    queries = [
        {"query": "{ expulsions(first: 10) { totalCount nodes { id headcount { value } answers { id } citations { id } } } }"},
        {"query": "{ statements(first: 10) { nodes { id quote measures { id } } } }"},
        {"query": "{ states(first: 100, includeFormer: false) { totalCount nodes { code } } }"},
        {"query": "query($id: ID!) { node(id: $id) { id ... on Expulsion { actor { code } } } }", "variables": {"id": record["Expulsion"]}},
        {"query": '{ state(code: "rus") { code name } organisation(code: "eu") { code } }'},
    ] * 4
    one_by_one = [api.client.post(f"{api.url}/graphql", json=ask).json() for ask in queries]

    async def all_at_once() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
            return await asyncio.gather(*(client.post("/graphql", json=ask) for ask in queries))

    responses = asyncio.run(all_at_once())
    assert [r.status_code for r in responses] == [200] * 20
    assert [r.json() for r in responses] == one_by_one
    assert all("errors" not in body for body in one_by_one)

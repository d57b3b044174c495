"""Demarche as an Apollo Federation 2 subgraph, proved with Apollo's own tools from npm (federation.mjs runs them).

- composition: `@apollo/composition` composes the committed schema.subgraph.graphql with news.graphql, a second
  subgraph written for the test that extends `Expulsion` (by `id`) and `State` (by `code`): no error, no hint;
- routing: `@apollo/gateway`, under node, composes the two live subgraphs from their `_service { sdl }` and answers one
  query that needs both ways across them: Demarche's measures with the news service's coverage, and the news
  service's stories with Demarche's measures (which reach Demarche's `_entities`).

The npm packages are pinned in package-lock.json and installed by `npm ci` into tests/federation/node_modules
(.ci/run installs them first; the tests install them again only when the lock file changed).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import BACKENDS, LiveServer, mutate, ok, running_server
from tests.npm import npm_ci

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def node(*args: str) -> dict[str, Any]:
    npm_ci(HERE)
    ran = subprocess.run(["node", "federation.mjs", *args], cwd=HERE, capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == 0, ran.stderr
    answer: dict[str, Any] = json.loads(ran.stdout.strip().splitlines()[-1])
    return answer


def coverage(id: str) -> dict[str, Any]:
    """What the news subgraph says of a measure (federation.mjs's `coverage`)."""
    return {"articles": len(id), "headline": f"Coverage of {id}"}


def test_the_subgraph_composes_with_a_second_subgraph_without_errors_or_hints() -> None:
    composed = node("compose", str(ROOT / "schema.subgraph.graphql"))
    assert composed == {"errors": [], "hints": [], "supergraph": "composed"}


def test_composition_refuses_a_subgraph_whose_key_is_not_a_field() -> None:
    # The same tool, on a broken copy, does fail: the test above could not pass on anything.
    broken = (ROOT / "schema.subgraph.graphql").read_text(encoding="utf-8").replace('@key(fields: "code")', '@key(fields: "iso")', 1)
    path = HERE / "node_modules" / "broken.subgraph.graphql"
    npm_ci(HERE)
    path.write_text(broken, encoding="utf-8")
    composed = node("compose", str(path))
    assert any("iso" in error for error in composed["errors"]), composed


@pytest.fixture(scope="module", params=BACKENDS)
def demarche(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory) as server:
        yield server


MEASURES = "id measureType announced { value } actor { __typename code name } target { code name }"

ROUTED = f"""
query Routed {{
  expulsions(first: 3) {{
    nodes {{ {MEASURES} actor {{ ... on State {{ newsDesk }} }} coverage {{ articles headline }} }}
  }}
  topStories {{ headline expulsion {{ {MEASURES} coverage {{ headline articles }} }} }}
}}
"""


def test_the_gateway_routes_one_query_across_both_subgraphs(demarche: LiveServer, tmp_path: Path) -> None:
    direct = demarche.graphql(f"{{ expulsions(first: 5) {{ nodes {{ {MEASURES} }} }} }}")
    assert "errors" not in direct, direct
    measures = direct["data"]["expulsions"]["nodes"]
    stories = [{"headline": f"Story {n}", "expulsionId": measure["id"]} for n, measure in enumerate(measures[3:5])]
    query = tmp_path / "routed.graphql"
    query.write_text(ROUTED, encoding="utf-8")

    answer = node("route", f"{demarche.url}/graphql", json.dumps(stories), str(query))

    assert "errors" not in answer, answer
    routed = answer["data"]
    assert routed["expulsions"]["nodes"] == [
        {
            **measure,
            "actor": {
                **measure["actor"],
                **({"newsDesk": f"{measure['actor']['code']} desk"} if measure["actor"]["__typename"] == "State" else {}),
            },
            "coverage": coverage(measure["id"]),
        }
        for measure in measures[:3]
    ]
    assert routed["topStories"] == [
        {
            "headline": story["headline"],
            "expulsion": {**measure, "coverage": {"headline": coverage(measure["id"])["headline"], "articles": len(measure["id"])}},
        }
        for story, measure in zip(stories, measures[3:5], strict=True)
    ]
    assert demarche.unexpected_errors() == []


def test_the_live_service_sdl_is_the_committed_subgraph_schema(demarche: LiveServer) -> None:
    answer = demarche.graphql("{ _service { sdl } }", token=False)
    assert answer["data"]["_service"]["sdl"] + "\n" == (ROOT / "schema.subgraph.graphql").read_text(encoding="utf-8")


ENTITY_FIELDS = """
  __typename
  ... on Expulsion { id measureType }
  ... on Statement { id quote }
  ... on Source { id publisher }
  ... on Wave { id name }
  ... on State { code name }
  ... on Organisation { code name }
"""


def entities(server: LiveServer, representations: list[Any]) -> dict[str, Any]:
    return server.graphql(
        f"query E($r: [_Any!]!) {{ _entities(representations: $r) {{ {ENTITY_FIELDS} }} }}", {"r": representations}, token=False
    )


def test_entities_resolves_every_entity_type_by_its_key_over_http(demarche: LiveServer) -> None:
    ok(mutate(demarche, "createWave", input={"name": "Federated"}), "Wave")  # the demo record has no wave
    lists = demarche.graphql(
        "{ expulsions(first: 1) { nodes { id measureType } } statements(first: 1) { nodes { id quote } }"
        " sources(first: 1) { nodes { id publisher } } waves(first: 1) { nodes { id name } }"
        " states(first: 1) { nodes { code name } } organisations(first: 1) { nodes { code name } } }"
    )["data"]
    expected = [
        {"__typename": typename, **lists[field]["nodes"][0]}
        for field, typename in [
            ("expulsions", "Expulsion"),
            ("statements", "Statement"),
            ("sources", "Source"),
            ("waves", "Wave"),
            ("states", "State"),
            ("organisations", "Organisation"),
        ]
    ]
    asked = [
        {"__typename": found["__typename"], **({"code": found["code"]} if "code" in found else {"id": found["id"]})} for found in expected
    ]
    answer = entities(demarche, asked)
    assert "errors" not in answer, answer
    assert answer["data"]["_entities"] == expected


def test_bad_representations_are_refused_with_a_typed_error(demarche: LiveServer) -> None:
    for bad in (
        [{"__typename": "Citation", "id": "x"}],  # not an entity
        [{"__typename": "State"}],  # no key
        [{"__typename": "State", "code": 7}],  # not a string
        [{"__typename": "State", "code": "PL", "name": "Poland"}],  # more than the key
        ["PL"],
        [{"__typename": "State", "code": "PL"}] * 101,  # more than a page
    ):
        answer = entities(demarche, bad)
        assert answer["data"] is None, bad  # `_entities` is non-null, as the federation spec has it
        assert [error["extensions"]["code"] for error in answer["errors"]] == ["BAD_USER_INPUT"], answer
    assert demarche.unexpected_errors() == []


CITED = "query E($r: [_Any!]!) { _entities(representations: $r) { ... on Expulsion { id citations { source { id } } } } }"
"""Each entity: itself (1), its citations (a plain list: 10) and each one's source (10)."""
HEAVY = (
    "query E($r: [_Any!]!) { _entities(representations: $r) { ... on Expulsion {"
    " citations { source { id } } statements { citations { source { id } } measures { citations { source { id } } } } } } }"
)
"""Each entity: 1 + 20 for its citations + 10 statements of 1 + 20 + 10 measures of 21 each: 2,331."""


def test_entities_are_charged_per_representation_and_a_page_over_the_budget_is_refused(demarche: LiveServer) -> None:
    ids = [node["id"] for node in demarche.graphql("{ expulsions(first: 5) { nodes { id } } }")["data"]["expulsions"]["nodes"]]
    known = [{"__typename": "Expulsion", "id": id} for id in ids]

    def representations(count: int) -> list[dict[str, str]]:
        return [known[index % len(known)] for index in range(count)]

    charged = {}
    for count in (1, 5, 50):
        answer = demarche.graphql(CITED, {"r": representations(count)}, token=False)
        assert "errors" not in answer, answer
        assert len(answer["data"]["_entities"]) == count
        charged[count] = answer["extensions"]["cost"]
    assert charged == {1: 21, 5: 5 * 21, 50: 50 * 21}
    # Ten representations fit the default budget of 25,000; a page of a hundred costs ten times as much, and is refused
    # before anything runs (it was charged as ten, whatever the count, before).
    assert demarche.graphql(HEAVY, {"r": representations(10)}, token=False)["extensions"]["cost"] == 23_310
    refused = demarche.graphql(HEAVY, {"r": representations(100)}, token=False)
    assert "data" not in refused or refused["data"] is None, refused
    [error] = refused["errors"]
    assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 233_100, "limit": 25_000}

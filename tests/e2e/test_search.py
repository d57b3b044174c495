"""One search across the record, over HTTP on both databases: the issue's "spies", "spy" and "espionage" find
Poland's 45 in the demo record, where those words are only in the measure's reason, its category and a citation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import LiveServer

SEARCH = """
query ($text: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(text: $text, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor matchedField snippet rank
      node {
        __typename
        ... on Expulsion { id actor { code } headcount { value } }
        ... on Citation { id measure { actor { code } } }
        ... on Statement { id }
        ... on Source { id title }
      }
    }
  }
}
"""


def search(api: LiveServer, text: str, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = api.data(SEARCH, {"text": text, **variables})["search"]
    return found


def polish(edges: list[dict[str, Any]]) -> dict[str, str]:
    """Poland's measure's and its citations' hits: the matched field's name and its snippet."""
    found: dict[str, str] = {}
    for edge in edges:
        node = edge["node"]
        measure = node if node["__typename"] == "Expulsion" else (node.get("measure") or {})
        if measure.get("actor", {}).get("code") == "PL":
            found[edge["matchedField"]] = edge["snippet"]
    return found


@pytest.mark.parametrize("word", ["spies", "spy", "Spying"])
def test_spies_and_spy_find_polands_measure_by_its_reason_and_its_citation(api: LiveServer, word: str) -> None:
    edges = search(api, word)["edges"]
    hits = polish(edges)
    assert set(hits) == {"STATED_REASON", "EXCERPT"}
    assert hits["STATED_REASON"].startswith("Accused of being «spies» pretending")
    assert "of being «spies»" in hits["EXCERPT"]
    ranks = [edge["rank"] for edge in edges]
    assert ranks == sorted(ranks)


def test_espionage_finds_polands_measure_by_its_reason_category(api: LiveServer) -> None:
    edges = search(api, "espionage")["edges"]
    poland = [edge for edge in edges if edge["node"].get("actor", {}).get("code") == "PL"]
    assert [(edge["matchedField"], edge["snippet"], edge["node"]["headcount"]["value"]) for edge in poland] == [
        ("REASON_CATEGORY", "«espionage»", 45)
    ]
    assert {edge["matchedField"] for edge in edges} == {"REASON_CATEGORY"}


def test_the_expulsions_filter_finds_the_measures_by_reason_or_citation(api: LiveServer) -> None:
    query = '{ expulsions(search: "%s") { totalCount nodes { actor { code } } } }'
    for word in ("spies", "spy"):
        # Poland's "spies" and the United States' "spying": one stem.
        found = api.data(query % word)["expulsions"]
        assert ([node["actor"]["code"] for node in found["nodes"]], found["totalCount"]) == (["US", "PL"], 2)
    assert api.data(query % "Kaminski")["expulsions"]["nodes"] == [{"actor": {"code": "PL"}}]
    assert api.data(query % "pretending spies")["expulsions"]["nodes"] == [{"actor": {"code": "PL"}}]
    assert api.data(query % "bananas")["expulsions"] == {"totalCount": 0, "nodes": []}


def test_kinds_narrow_the_search(api: LiveServer) -> None:
    only_citations = search(api, "spies", kinds=["CITATION"])["edges"]
    assert only_citations
    assert {edge["node"]["__typename"] for edge in only_citations} == {"Citation"}
    assert {edge["matchedField"] for edge in only_citations} == {"EXCERPT"}
    none = search(api, "spies", kinds=["SOURCE"])
    assert (none["edges"], none["totalCount"]) == ([], 0)


def test_sources_are_found_by_title_and_publisher(api: LiveServer) -> None:
    by_publisher = search(api, "Interfax", kinds=["SOURCE"])["edges"]
    assert [(edge["matchedField"], edge["snippet"]) for edge in by_publisher] == [("PUBLISHER", "«Interfax»")]
    by_title = search(api, "Kaminski", kinds=["SOURCE"])["edges"]
    assert [edge["matchedField"] for edge in by_title] == ["TITLE"]
    assert by_title[0]["snippet"].startswith("Mariusz «Kaminski», Polish Interior Minister")


def test_pages_cover_every_hit_once_in_rank_order(api: LiveServer) -> None:
    everything = search(api, "diplomats", first=100)
    assert everything["totalCount"] == len(everything["edges"]) > 3
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = search(api, "diplomats", first=2, after=after)
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [(edge["matchedField"], edge["node"]["__typename"] + edge["node"]["id"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [(edge["matchedField"], edge["node"]["__typename"] + edge["node"]["id"]) for edge in everything["edges"]]


@pytest.mark.parametrize("text", ['"spies', "spies*", "NEAR(spies, 2)", "spies OR", "{stated_reason}: spies", "-spies", "spies AND NOT"])
def test_query_syntax_in_the_text_is_read_as_plain_words(api: LiveServer, text: str) -> None:
    body = api.graphql(SEARCH, {"text": text})
    assert "errors" not in body, body["errors"]
    assert api.unexpected_errors() == []


@pytest.mark.parametrize("text", ["", "   ", '"*" :', "x" * 501])
def test_a_text_without_a_word_or_too_long_is_bad_user_input_and_the_other_fields_answer(api: LiveServer, text: str) -> None:
    body = api.graphql("query ($text: String!) { search(text: $text) { totalCount } states(first: 1) { totalCount } }", {"text": text})
    assert body["data"]["search"] is None
    assert body["data"]["states"]["totalCount"] > 0
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "search"}


def test_a_cursor_of_another_list_is_bad_user_input(api: LiveServer) -> None:
    statements = api.data('{ statements(search: "diplomats", first: 1) { pageInfo { endCursor } } }')
    cursor = statements["statements"]["pageInfo"]["endCursor"]
    body = api.graphql(SEARCH, {"text": "diplomats", "after": cursor})
    assert body["data"]["search"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert api.graphql(SEARCH, {"text": "diplomats", "after": "garbage"})["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

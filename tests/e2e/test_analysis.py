"""The analysis questions and the rich read side, asked of the running API over the demo record."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import Server
from tests.e2e.helpers import current_version

IDS = "{ expulsions(first: 10, orderBy: RECORDED) { nodes { id actor { code } } } }"


def measure_ids(server: Server) -> dict[str, str]:
    return {node["actor"]["code"]: node["id"] for node in server.data(IDS)["expulsions"]["nodes"]}


def create(server: Server, fields: str) -> dict[str, Any]:
    result = server.data(f"mutation {{ createExpulsion(input: {{{fields}}}) {{ __typename ... on Expulsion {{ id }} }} }}")
    created: dict[str, Any] = result["createExpulsion"]
    assert created["__typename"] == "Expulsion", created
    return created


def test_the_reciprocity_thread_of_russias_measure_reaches_the_us_one_with_a_lag_range(server: Server) -> None:
    ids = measure_ids(server)
    thread = server.data(
        """query($id: ID!) { reciprocityThread(measureId: $id) {
             measures { actor { code } }
             steps { measure { actor { code } } answers { actor { code } } lagDays { min max }
                     answeredHeadcount { qualifier value } answeringHeadcount { qualifier value } } } }""",
        {"id": ids["RU"]},
    )["reciprocityThread"]
    assert [m["actor"]["code"] for m in thread["measures"]] == ["US", "RU"]
    (step,) = thread["steps"]
    assert step["measure"]["actor"]["code"] == "RU"
    assert step["answers"]["actor"]["code"] == "US"
    # "Early March" (the whole month) to 23 March: anything from 0 to 22 days.
    assert step["lagDays"] == {"min": 0, "max": 22}
    assert step["answeredHeadcount"] == {"qualifier": "EXACT", "value": 12}
    assert step["answeringHeadcount"] == {"qualifier": "UNKNOWN", "value": None}


def test_the_thread_of_an_unknown_measure_is_null(server: Server) -> None:
    body = server.graphql('{ reciprocityThread(measureId: "RXhwdWxzaW9uOjk5OTk=") { steps { lagDays { min } } } }')
    assert body["data"]["reciprocityThread"] is None


def test_the_us_russia_balance_counts_the_unknown_headcount_apart_and_never_as_zero(server: Server) -> None:
    balance = server.data(
        """{ bilateralBalance(between: ["usa", "RU"]) {
             directions { actor { code } target { code }
                          tally { measures knownHeadcount unknownMeasures lowerBoundMeasures minimumHeadcount } }
             latestStatements { onBehalfOf { code } } } }"""
    )["bilateralBalance"]
    there, back = balance["directions"]
    assert (there["actor"]["code"], there["target"]["code"]) == ("US", "RU")
    assert there["tally"] == {"measures": 1, "knownHeadcount": 12, "unknownMeasures": 0, "lowerBoundMeasures": 0, "minimumHeadcount": 12}
    assert back["tally"] == {"measures": 1, "knownHeadcount": 0, "unknownMeasures": 1, "lowerBoundMeasures": 0, "minimumHeadcount": 0}
    assert len(balance["latestStatements"]) == 4  # three from the State Department, one from Moscow
    assert {s["onBehalfOf"]["code"] for s in balance["latestStatements"]} == {"US", "RU"}


def test_the_monthly_timeline_puts_all_four_measures_in_march_2022_with_two_unknown(server: Server) -> None:
    timeline = server.data("{ timeline { buckets { period tally { measures knownHeadcount unknownMeasures } } imprecise { measures } } }")
    assert timeline["timeline"]["buckets"] == [{"period": "2022-03", "tally": {"measures": 4, "knownHeadcount": 57, "unknownMeasures": 2}}]
    create(
        server, 'actor: "CZ", target: "RU", measureType: EXPULSION_ORDER, announced: "2021", headcount: {qualifier: AT_LEAST, value: 18}'
    )
    timeline = server.data(
        "{ timeline { buckets { period } imprecise { measures lowerBoundMeasures lowerBoundHeadcount } } "
        "yearly: timeline(granularity: YEAR) { buckets { period tally { measures } } } }"
    )
    assert [b["period"] for b in timeline["timeline"]["buckets"]] == ["2022-03"]
    assert timeline["timeline"]["imprecise"] == {"measures": 1, "lowerBoundMeasures": 1, "lowerBoundHeadcount": 18}
    assert timeline["yearly"]["buckets"] == [{"period": "2021", "tally": {"measures": 1}}, {"period": "2022", "tally": {"measures": 4}}]


def test_rankings_by_known_headcount_put_russia_first_among_the_expelled(server: Server) -> None:
    ranked = server.data("{ rankings(role: EXPELLED, by: KNOWN_HEADCOUNT) { actor { code } tally { measures knownHeadcount } } }")
    assert ranked["rankings"][0] == {"actor": {"code": "RU"}, "tally": {"measures": 2, "knownHeadcount": 57}}
    expellers = server.data("{ rankings(by: KNOWN_HEADCOUNT, limit: 2) { actor { code } } }")
    assert [e["actor"]["code"] for e in expellers["rankings"]] == ["PL", "US"]


def test_a_date_range_matches_a_month_precision_measure_by_overlap(server: Server) -> None:
    found = server.data('{ expulsions(announcedFrom: "2022-03-15", announcedTo: "2022-03-20") { nodes { actor { code } } } }')
    assert [n["actor"]["code"] for n in found["expulsions"]["nodes"]] == ["US"]


def test_filters_for_either_party_the_pair_and_answers(server: Server) -> None:
    def actors(arguments: str) -> list[str]:
        return sorted(
            n["actor"]["code"]
            for n in server.data(f"{{ expulsions({arguments}) {{ nodes {{ actor {{ code }} }} }} }}")["expulsions"]["nodes"]
        )

    assert actors('party: "RU"') == ["PL", "RU", "US"]
    assert actors('between: ["RU", "US"]') == ["RU", "US"]
    assert actors("answered: true") == ["US"]
    assert actors("answersSomething: true") == ["RU"]
    assert actors("headcountMin: 20") == ["PL"]
    assert actors("headcountQualifier: UNKNOWN") == ["BY", "RU"]
    assert actors("reasonCategory: ESPIONAGE") == ["PL", "US"]


def test_ordering_by_headcount_puts_unknown_headcounts_last_either_way(server: Server) -> None:
    def order(direction: str) -> list[Any]:
        query = f"{{ expulsions(orderBy: HEADCOUNT, direction: {direction}) {{ nodes {{ headcount {{ value }} }} }} }}"
        return [n["headcount"]["value"] for n in server.data(query)["expulsions"]["nodes"]]

    assert order("ASC") == [12, 45, None, None]
    assert order("DESC") == [45, 12, None, None]


def test_keyset_pages_by_headcount_walk_forward_and_back_without_gaps(server: Server) -> None:
    page = "query($after: String, $before: String, $first: Int, $last: Int) { expulsions(orderBy: HEADCOUNT, first: $first, after: $after, last: $last, before: $before) { edges { cursor node { actor { code } } } pageInfo { hasNextPage hasPreviousPage } } }"  # noqa: E501
    first = server.data(page, {"first": 2})["expulsions"]
    assert [e["node"]["actor"]["code"] for e in first["edges"]] == ["US", "PL"]
    assert first["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    rest = server.data(page, {"first": 2, "after": first["edges"][-1]["cursor"]})["expulsions"]
    assert len(rest["edges"]) == 2
    assert rest["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    back = server.data(page, {"last": 2, "before": rest["edges"][0]["cursor"]})["expulsions"]
    assert [e["node"]["actor"]["code"] for e in back["edges"]] == ["US", "PL"]
    mixed = server.graphql('{ expulsions(orderBy: ANNOUNCED, after: "' + first["edges"][0]["cursor"] + '") { nodes { id } } }')
    assert "another ordering" in mixed["errors"][0]["message"]


def test_full_text_search_stems_and_ranks_statements(server: Server) -> None:
    found = server.data('{ statements(search: "dismantle networks") { nodes { speakerName quote } } }')["statements"]["nodes"]
    assert [s["quote"] for s in found] == ["dismantling the Russian special services network in our country"]
    none = server.data('{ statements(search: "bananas") { nodes { quote } } }')["statements"]["nodes"]
    assert none == []
    # FTS5 and tsquery syntax in the input is read as plain words, never as query syntax.
    hostile = server.data('{ statements(search: "\\" OR * NEAR(diplomats") { nodes { quote } } }')["statements"]["nodes"]
    assert hostile == []
    wordless = server.graphql('{ statements(search: "\\" * (") { nodes { quote } } }')
    assert wordless["errors"][0]["message"] == "the search needs at least one word"
    assert server.alive()


def test_statements_filter_by_speaker_stance_and_channel(server: Server) -> None:
    found = server.data('{ statements(speaker: "kaminski", stance: JUSTIFIES, channel: SOCIAL_MEDIA_POST) { nodes { quote } } }')
    assert [s["quote"] for s in found["statements"]["nodes"]] == ["dismantling the Russian special services network in our country"]


def test_a_repeated_query_is_served_from_the_cache_until_a_write(server: Server) -> None:
    query = {"query": '{ expulsions(actor: "PL") { nodes { statedReason } } }'}
    first = httpx.post(f"{server.url}/graphql", json=query)
    second = httpx.post(f"{server.url}/graphql", json=query)
    assert "x-demarche-cache" not in first.headers
    assert second.headers["x-demarche-cache"] == "hit"
    assert second.json() == first.json()
    browser = httpx.get(f"{server.url}/graphql", params=query, headers={"accept": "text/html"})
    assert "x-demarche-cache" not in browser.headers, "a browser asking for GraphiQL is never served a cached answer"
    poland = server.data('{ expulsions(actor: "PL") { nodes { id } } }')["expulsions"]["nodes"][0]["id"]
    version = current_version(server, poland)
    server.data(
        f'mutation {{ updateExpulsion(id: "{poland}", expectedVersion: {version}, input: {{statedReason: "Revised"}}) {{ __typename }} }}'
    )
    third = httpx.post(f"{server.url}/graphql", json=query)
    assert "x-demarche-cache" not in third.headers
    assert third.json()["data"]["expulsions"]["nodes"] == [{"statedReason": "Revised"}]


def test_mutations_and_errors_are_never_cached(server: Server) -> None:
    broken = {"query": '{ expulsions(actor: "ZZ") { nodes { id } } }'}
    for _ in range(2):
        response = httpx.post(f"{server.url}/graphql", json=broken)
        assert "x-demarche-cache" not in response.headers
        assert response.json()["errors"][0]["message"] == "Actor 'ZZ' does not exist"

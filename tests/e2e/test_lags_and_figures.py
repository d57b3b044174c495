"""Issue 12's questions of reciprocity lags, source disagreement and honest tallies, asked over HTTP of a
record built here on top of the demo record, on SQLite and PostgreSQL.

Built on top of the demo (US 12 in March 2022, answered by Russia on 23 March with an unknown number;
Poland 45; Belarus unknown):
- Estonia expels "at least 14" Russians on 2022-04-04 (two sources: "at least 14" and "exactly 17");
- Russia answers Estonia on 2022-04-08 with exactly 14 (one source): a lag of exactly 4 days;
- Latvia expels 3 on 2022-04-05 (two sources, both "3");
- Russia answers Latvia in May 2022 with 3: a lag of 26 to 56 days.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.helpers import LiveServer


def created(server: Server, mutation: str, input: str, type_name: str) -> str:
    result = server.data(f"mutation {{ made: {mutation}(input: {{{input}}}) {{ __typename ... on {type_name} {{ id }} }} }}")["made"]
    assert result["__typename"] == type_name, result
    identifier: str = result["id"]
    return identifier


def measure(server: Server, actor: str, target: str, announced: str, headcount: str, answers: str | None = None) -> str:
    answering = f', answers: ["{answers}"]' if answers else ""
    fields = (
        f'actor: "{actor}", target: "{target}", measureType: EXPULSION_ORDER, announced: "{announced}", '
        f"headcount: {{{headcount}}}{answering}"
    )
    return created(server, "createExpulsion", fields, "Expulsion")


def cite(server: Server, source: str, measure_id: str, headcount: str | None) -> None:
    reported = f", reportedHeadcount: {{{headcount}}}" if headcount else ""
    created(server, "createCitation", f'sourceId: "{source}", measureId: "{measure_id}"{reported}', "Citation")


@pytest.fixture(scope="module")
def server(api: LiveServer) -> LiveServer:
    """One server per backend for the module: the tests only read what `record` builds once."""
    return api


@pytest.fixture(scope="module")
def record(server: LiveServer) -> dict[str, str]:
    wire = created(server, "createSource", 'publisher: "A wire", title: "Baltic expulsions", kind: WIRE_AGENCY', "Source")
    paper = created(server, "createSource", 'publisher: "A paper", title: "Seventeen leave Tallinn", kind: MEDIA', "Source")
    ids = {
        "EE": measure(server, "EE", "RU", "2022-04-04", "qualifier: AT_LEAST, value: 14"),
        "LV": measure(server, "LV", "RU", "2022-04-05", "qualifier: EXACT, value: 3"),
    }
    ids["RU-EE"] = measure(server, "RU", "EE", "2022-04-08", "qualifier: EXACT, value: 14", answers=ids["EE"])
    ids["RU-LV"] = measure(server, "RU", "LV", "2022-05", "qualifier: EXACT, value: 3", answers=ids["LV"])
    cite(server, wire, ids["EE"], "qualifier: AT_LEAST, value: 14")
    cite(server, paper, ids["EE"], "qualifier: EXACT, value: 17")
    cite(server, wire, ids["LV"], "qualifier: EXACT, value: 3")
    cite(server, paper, ids["LV"], "qualifier: EXACT, value: 3")
    cite(server, wire, ids["RU-EE"], "qualifier: EXACT, value: 14")
    cite(server, paper, ids["RU-EE"], None)  # a source that gives no figure disagrees with no one
    return ids


def listed(server: Server, arguments: str) -> list[str]:
    query = f"{{ expulsions({arguments}) {{ nodes {{ actor {{ code }} target {{ code }} }} }} }}"
    return [f"{n['actor']['code']}>{n['target']['code']}" for n in server.data(query)["expulsions"]["nodes"]]


def test_which_measures_were_answered_within_a_week(server: Server, record: dict[str, str]) -> None:
    assert listed(server, "answeredWithinDays: 7") == ["EE>RU"]
    assert listed(server, "answersWithinDays: 7") == ["RU>EE"]
    # The demo's Russian answer to "early March" may have taken up to 22 days; Russia's May answer up to 56.
    assert listed(server, "answersWithinDays: 30") == ["RU>US", "RU>EE"]
    assert listed(server, "answersWithinDays: 56") == ["RU>US", "RU>EE", "RU>LV"]
    assert listed(server, "answersWithinDays: 55") == ["RU>US", "RU>EE"]
    assert listed(server, 'answeredWithinDays: 60, actor: "LV"') == ["LV>RU"]


def test_a_measure_shows_its_lags_as_ranges_both_ways(server: Server, record: dict[str, str]) -> None:
    query = """query($id: ID!) { node(id: $id) { ... on Expulsion {
                 answerLags { earlier { actor { code } } later { actor { code } } days { min max } }
                 answeredLags { later { target { code } } days { min max } } } } }"""
    answer = server.data(query, {"id": record["RU-LV"]})["node"]
    assert answer["answerLags"] == [
        {"earlier": {"actor": {"code": "LV"}}, "later": {"actor": {"code": "RU"}}, "days": {"min": 26, "max": 56}}
    ]
    assert answer["answeredLags"] == []
    answered = server.data(query, {"id": record["EE"]})["node"]
    assert answered["answerLags"] == []
    assert answered["answeredLags"] == [{"later": {"target": {"code": "EE"}}, "days": {"min": 4, "max": 4}}]


def test_a_negative_or_huge_lag_is_refused_naming_the_argument(server: Server) -> None:
    for value in ("-1", "100001"):
        body = server.graphql(f"{{ expulsions(answersWithinDays: {value}) {{ nodes {{ id }} }} }}")
        assert body["data"] == {"expulsions": None}
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["argument"] == "answersWithinDays"


def test_which_figures_do_the_sources_disagree_on(server: Server, record: dict[str, str]) -> None:
    assert listed(server, "sourcesDisagree: true") == ["EE>RU"]
    assert "EE>RU" not in listed(server, "sourcesDisagree: false")
    assert {"LV>RU", "RU>EE", "RU>LV", "US>RU"} <= set(listed(server, "sourcesDisagree: false"))
    figures = """query($id: ID!) { node(id: $id) { ... on Expulsion {
                   sourceFigures { lowest { qualifier value } highest { qualifier value } agree sources distinct } } } }"""
    assert server.data(figures, {"id": record["EE"]})["node"]["sourceFigures"] == {
        "lowest": {"qualifier": "AT_LEAST", "value": 14},
        "highest": {"qualifier": "EXACT", "value": 17},
        "agree": False,
        "sources": 2,
        "distinct": 2,
    }
    assert server.data(figures, {"id": record["LV"]})["node"]["sourceFigures"] == {
        "lowest": {"qualifier": "EXACT", "value": 3},
        "highest": {"qualifier": "EXACT", "value": 3},
        "agree": True,
        "sources": 2,
        "distinct": 1,
    }
    assert server.data(figures, {"id": record["RU-EE"]})["node"]["sourceFigures"]["sources"] == 1
    assert server.data(figures, {"id": record["RU-LV"]})["node"]["sourceFigures"] is None


def test_rankings_by_minimum_headcount_put_at_least_fourteen_above_twelve(server: Server, record: dict[str, str]) -> None:
    def ranked(by: str) -> list[str]:
        found = server.data(f"{{ rankings(by: {by}, limit: 10) {{ actor {{ code }} }} }}")["rankings"]
        return [entry["actor"]["code"] for entry in found]

    # Estonia's "at least 14" is no known sum, so it ranks last by known headcount ...
    assert ranked("KNOWN_HEADCOUNT").index("EE") > ranked("KNOWN_HEADCOUNT").index("LV")
    # ... and above the United States' 12 and Latvia's 3 by what is certainly known.
    assert ranked("MINIMUM_HEADCOUNT")[:4] == ["PL", "RU", "EE", "US"]
    tallies = server.data("{ rankings(by: MINIMUM_HEADCOUNT, limit: 3) { tally { minimumHeadcount maximumHeadcount unknownMeasures } } }")
    # Russia: 14 + 3 known, and the demo's unknown answer to the United States: no upper bound.
    assert [entry["tally"] for entry in tallies["rankings"]] == [
        {"minimumHeadcount": 45, "maximumHeadcount": 45, "unknownMeasures": 0},
        {"minimumHeadcount": 17, "maximumHeadcount": None, "unknownMeasures": 1},
        {"minimumHeadcount": 14, "maximumHeadcount": None, "unknownMeasures": 0},
    ]


def test_every_tally_carries_a_headcount_range(server: Server, record: dict[str, str]) -> None:
    tally = "tally { measures knownHeadcount minimumHeadcount maximumHeadcount unknownMeasures lowerBoundMeasures }"
    balance = server.data(f'{{ bilateralBalance(between: ["EE", "RU"]) {{ directions {{ {tally} }} }} }}')["bilateralBalance"]
    there, back = (direction["tally"] for direction in balance["directions"])
    assert there == {
        "measures": 1,
        "knownHeadcount": 0,
        "minimumHeadcount": 14,
        "maximumHeadcount": None,
        "unknownMeasures": 0,
        "lowerBoundMeasures": 1,
    }
    assert back == {
        "measures": 1,
        "knownHeadcount": 14,
        "minimumHeadcount": 14,
        "maximumHeadcount": 14,
        "unknownMeasures": 0,
        "lowerBoundMeasures": 0,
    }
    unknown = server.data(f'{{ bilateralBalance(between: ["RU", "US"]) {{ directions {{ {tally} }} }} }}')["bilateralBalance"]
    # Russia's answer to the United States has no number: at least 0, and no upper bound, never "0".
    assert unknown["directions"][0]["tally"]["minimumHeadcount"] == 0
    assert unknown["directions"][0]["tally"]["maximumHeadcount"] is None
    timeline = server.data("{ timeline { buckets { period tally { minimumHeadcount maximumHeadcount } } } }")["timeline"]["buckets"]
    assert timeline == [
        {"period": "2022-03", "tally": {"minimumHeadcount": 57, "maximumHeadcount": None}},
        {"period": "2022-04", "tally": {"minimumHeadcount": 31, "maximumHeadcount": None}},
        {"period": "2022-05", "tally": {"minimumHeadcount": 3, "maximumHeadcount": 3}},
    ]


def test_the_new_filters_answer_on_the_compiled_path(server: Server, record: dict[str, str]) -> None:
    query = "{ expulsions(answersWithinDays: 7, sourcesDisagree: false) { nodes { actor { code } } } }"
    response = httpx.post(f"{server.url}/graphql", json={"query": query}, headers=server.headers(None), timeout=30)
    assert response.headers["x-demarche-read"] == "compiled"
    assert [n["actor"]["code"] for n in response.json()["data"]["expulsions"]["nodes"]] == ["RU"]

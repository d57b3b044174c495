"""The March 2022 record, asked of the running API over HTTP."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Server

MEASURES = """
query Measures($actor: [String!]) {
  expulsions(actor: $actor, first: 10) {
    edges { node {
      id
      measureType
      actor { code }
      target { code }
      headcount { qualifier value }
      announced { value precision start end }
      answers { id actor { code } }
      answeredBy { id actor { code } }
      statements { speakerRole onBehalfOf { code } stance quote }
      citations { source { publisher } reportedHeadcount { qualifier value } }
    } }
  }
}
"""


def only_measure(server: Server, actor: str) -> dict[str, Any]:
    edges = server.data(MEASURES, {"actor": actor})["expulsions"]["edges"]
    assert len(edges) == 1
    node: dict[str, Any] = edges[0]["node"]
    return node


def test_poland_expelled_exactly_45(server: Server) -> None:
    poland = only_measure(server, "PL")
    assert poland["target"]["code"] == "RU"
    assert poland["headcount"] == {"qualifier": "EXACT", "value": 45}
    assert poland["announced"]["value"] == "2022-03-23"


def test_russias_headcount_is_unknown_not_zero(server: Server) -> None:
    russia = only_measure(server, "RU")
    assert russia["measureType"] == "PERSONA_NON_GRATA"
    assert russia["headcount"] == {"qualifier": "UNKNOWN", "value": None}
    assert all(c["reportedHeadcount"]["value"] is None for c in russia["citations"])


def test_russias_measure_answers_the_us_one_and_is_listed_among_its_answers(server: Server) -> None:
    russia = only_measure(server, "RU")
    united_states = only_measure(server, "US")
    assert [m["id"] for m in russia["answers"]] == [united_states["id"]]
    assert [m["id"] for m in united_states["answeredBy"]] == [russia["id"]]
    assert united_states["headcount"] == {"qualifier": "EXACT", "value": 12}
    assert united_states["announced"]["precision"] == "MONTH"


def test_statements_about_russias_measure_include_the_state_departments(server: Server) -> None:
    russia = only_measure(server, "RU")
    speakers = {(s["speakerRole"], s["onBehalfOf"]["code"]) for s in russia["statements"]}
    assert ("US State Department spokesman", "US") in speakers
    assert any(s["stance"] == "THREATENS" and s["onBehalfOf"]["code"] == "RU" for s in russia["statements"])


def test_the_war_crimes_statement_is_about_no_measure(server: Server) -> None:
    statements = server.data('{ statements(onBehalfOf: "US", first: 50) { nodes { speakerName quote measures { id } } } }')
    blinken = [s for s in statements["statements"]["nodes"] if s["speakerName"] == "Antony Blinken"]
    assert len(blinken) == 1
    assert blinken[0]["measures"] == []


def test_belarus_expelled_an_unknown_number_of_ukrainians(server: Server) -> None:
    belarus = only_measure(server, "BLR")
    assert belarus["target"]["code"] == "UA"
    assert belarus["headcount"]["qualifier"] == "UNKNOWN"

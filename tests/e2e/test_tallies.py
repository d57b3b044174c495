"""Totals over any selection of measures in one query: the list's filters on every tally, groups, and the sources' range.

The data is built for the questions: four measures against Russia in 2019 (none in the demo record), three by EU
members, one of them with sources that disagree, one an "at least" figure, one with no number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import BACKENDS, LiveServer, measure_input, mutate, ok, running_server

TALLY = """
  measures knownHeadcount lowerBoundMeasures lowerBoundHeadcount unknownMeasures minimumHeadcount maximumHeadcount
  sourcesLowestHeadcount sourcesHighestHeadcount contestedMeasures
"""
IN_2019 = {"announcedFrom": "2019-01-01", "announcedTo": "2019-12-31"}
YEAR = 'announcedFrom: "2019-01-01", announcedTo: "2019-12-31"'


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory) as server:
        wave = ok(mutate(server, "createWave", input={"name": "2019 test wave"}), "Wave")["id"]
        made: dict[str, str] = {}
        for actor, announced, headcount, in_wave in (
            ("DE", "2019-05-02", {"qualifier": "EXACT", "value": 4}, True),
            ("FR", "2019-06", {"qualifier": "AT_LEAST", "value": 2}, True),
            ("PL", "2019-07-11", {"qualifier": "UNKNOWN"}, False),
            ("US", "2019-08-20", {"qualifier": "EXACT", "value": 10}, False),
        ):
            values = measure_input(actor=actor, target="RU", announced=announced, headcount=headcount, measureType="EXPULSION_ORDER")
            if in_wave:
                values["waveId"] = wave
            made[actor] = ok(mutate(server, "createExpulsion", input=values), "Expulsion")["id"]
        # Germany's figure: the record says 4, one source 4, another 6; a third source gives no number.
        for title, figure in (("Four", 4), ("Six", 6), ("None", None)):
            source = ok(mutate(server, "createSource", input={"publisher": "Test", "title": title, "kind": "MEDIA"}), "Source")["id"]
            citation: dict[str, Any] = {"sourceId": source, "measureId": made["DE"]}
            if figure is not None:
                citation["reportedHeadcount"] = {"qualifier": "EXACT", "value": figure}
            ok(mutate(server, "createCitation", input=citation), "Citation")
        server.wave = wave  # type: ignore[attr-defined]
        yield server


def answer(api: LiveServer, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return api.data(query, variables)


def test_how_many_russians_eu_members_expelled_in_a_year_is_one_query(api: LiveServer) -> None:
    found = answer(
        api,
        f"""query($from: Date, $to: Date) {{
      tally(memberOf: "EU", target: "RU", announcedFrom: $from, announcedTo: $to) {{ {TALLY} }} }}""",
        {"from": IN_2019["announcedFrom"], "to": IN_2019["announcedTo"]},
    )
    assert found["tally"] == {
        "measures": 3,
        "knownHeadcount": 4,
        "lowerBoundMeasures": 1,
        "lowerBoundHeadcount": 2,
        "unknownMeasures": 1,
        "minimumHeadcount": 6,
        "maximumHeadcount": None,
        "sourcesLowestHeadcount": 6,
        "sourcesHighestHeadcount": 8,
        "contestedMeasures": 1,
    }


def test_a_tally_with_every_figure_known_has_a_maximum(api: LiveServer) -> None:
    found = answer(api, f'{{ tally(actor: ["DE", "US"], announcedFrom: "2019-01-01", announcedTo: "2019-12-31") {{ {TALLY} }} }}')
    assert found["tally"]["measures"] == 2
    assert (found["tally"]["minimumHeadcount"], found["tally"]["maximumHeadcount"]) == (14, 14)
    assert (found["tally"]["sourcesLowestHeadcount"], found["tally"]["sourcesHighestHeadcount"]) == (14, 16)


def test_tallies_group_by_wave_by_type_and_by_the_actors_organisation(api: LiveServer) -> None:
    by_wave = answer(
        api, '{ tallies(by: WAVE, announcedFrom: "2019-01-01", announcedTo: "2019-12-31") { key tally { measures minimumHeadcount } } }'
    )
    assert by_wave["tallies"] == [
        {"key": api.wave, "tally": {"measures": 2, "minimumHeadcount": 6}},  # type: ignore[attr-defined]
        {"key": None, "tally": {"measures": 2, "minimumHeadcount": 10}},
    ]
    by_type = answer(
        api, '{ tallies(by: MEASURE_TYPE, announcedFrom: "2019-01-01", announcedTo: "2019-12-31") { key tally { measures } } }'
    )
    assert by_type["tallies"] == [{"key": "EXPULSION_ORDER", "tally": {"measures": 4}}]
    by_group = answer(
        api, '{ tallies(by: ACTOR_GROUP, target: "RU", announcedFrom: "2019-01-01", announcedTo: "2019-12-31") { key tally { measures } } }'
    )
    # DE, FR, PL and US against Russia in 2019: NATO holds the four; the G8 had ended in 2014, so it is no group here.
    assert by_group["tallies"] == [
        {"key": "NATO", "tally": {"measures": 4}},
        {"key": "COE", "tally": {"measures": 3}},
        {"key": "EU", "tally": {"measures": 3}},
        {"key": "G7", "tally": {"measures": 3}},
        {"key": "FVEY", "tally": {"measures": 1}},
    ]


def test_two_waves_side_by_side_with_aliases(api: LiveServer) -> None:
    found = answer(
        api,
        """query($wave: ID!) { inWave: tally(waveId: $wave) { measures minimumHeadcount }
                 outside: tally(actor: ["PL", "US"], __YEAR__) { measures minimumHeadcount } }""".replace("__YEAR__", YEAR),
        {"wave": api.wave},  # type: ignore[attr-defined]
    )
    assert found == {"inWave": {"measures": 2, "minimumHeadcount": 6}, "outside": {"measures": 2, "minimumHeadcount": 10}}


def test_rankings_take_the_lists_filters_and_rank_by_the_sources_range(api: LiveServer) -> None:
    query = """query($by: RankBy!) { rankings(by: $by, target: "RU", memberOf: "EU", __YEAR__) {
      actor { code } tally { sourcesLowestHeadcount sourcesHighestHeadcount } } }""".replace("__YEAR__", YEAR)
    highest = answer(api, query, {"by": "SOURCES_HIGHEST_HEADCOUNT"})["rankings"]
    assert [entry["actor"]["code"] for entry in highest] == ["DE", "FR", "PL"]
    assert highest[0]["tally"] == {"sourcesLowestHeadcount": 4, "sourcesHighestHeadcount": 6}


def test_the_timeline_takes_the_lists_filters_and_still_its_older_period(api: LiveServer) -> None:
    by_filters = answer(
        api,
        '{ timeline(granularity: YEAR, memberOf: "EU", __YEAR__) { buckets { period tally { measures } } } }'.replace("__YEAR__", YEAR),
    )
    assert by_filters["timeline"]["buckets"] == [{"period": "2019", "tally": {"measures": 3}}]
    older = answer(
        api,
        '{ timeline(granularity: YEAR, memberOf: "EU", from: "2019-01-01", to: "2019-12-31") { buckets { period tally { measures } } } }',
    )
    assert older == by_filters
    both = api.graphql('{ timeline(from: "2019-01-01", announcedFrom: "2019-01-01") { granularity } }')
    assert both["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", both


def test_headcount_max_means_certainly_at_most(api: LiveServer) -> None:
    found = answer(
        api, '{ expulsions(headcountMax: 5, announcedFrom: "2019-01-01", announcedTo: "2019-12-31") { nodes { actor { code } } } }'
    )
    # France's "at least 2" may be far more than 5; Germany's exact 4 is certainly at most 5.
    assert [node["actor"]["code"] for node in found["expulsions"]["nodes"]] == ["DE"]


def test_compare_puts_two_selections_side_by_side_with_their_differences(api: LiveServer) -> None:
    found = answer(
        api,
        """query($wave: ID!) { compare(left: {waveId: $wave}, right: {actor: ["PL", "US"], __YEAR__}) {
             left { measures minimumHeadcount maximumHeadcount } right { measures minimumHeadcount maximumHeadcount }
             measuresDifference minimumHeadcountDifference maximumHeadcountDifference } }""".replace("__YEAR__", YEAR),
        {"wave": api.wave},  # type: ignore[attr-defined]
    )
    assert found["compare"] == {
        "left": {"measures": 2, "minimumHeadcount": 6, "maximumHeadcount": None},
        "right": {"measures": 2, "minimumHeadcount": 10, "maximumHeadcount": None},
        "measuresDifference": 0,
        "minimumHeadcountDifference": 4,
        "maximumHeadcountDifference": None,
    }
    refused = api.graphql('{ compare(left: {actor: ["QQ"]}, right: {}) { measuresDifference } }')
    assert refused["errors"][0]["extensions"]["code"] in {"BAD_USER_INPUT", "NOT_FOUND"}, refused

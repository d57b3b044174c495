"""Bad values are refused with a typed error naming the field, the server stays up, and nothing is written.

Every case runs inside `unchanged`, which reads the whole record over HTTP before and after
and compares the two, checks `/health`, and checks that no error was masked.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    MISSING,
    LiveServer,
    assert_invalid,
    assert_not_found,
    errors,
    global_id,
    measure_input,
    mutate,
    unchanged,
)


def statement_input(**values: Any) -> dict[str, Any]:
    return {"onBehalfOf": "US", "stance": "CONDEMNS", "quote": "Unacceptable.", "quoteLanguage": "en", "speakerRole": "Spokesman", **values}


def source_input(**values: Any) -> dict[str, Any]:
    return {"publisher": "TASS", "title": "Statement", "kind": "STATE_MEDIA", **values}


def test_unknown_ids_are_refused_as_not_found_naming_the_field(api: LiveServer, demo: dict[str, str]) -> None:
    cases: list[tuple[str, dict[str, Any], str, str]] = [
        ("deleteExpulsion", {"id": global_id("Expulsion", MISSING)}, "id", "Expulsion"),
        ("updateWave", {"id": global_id("Wave", MISSING), "input": {"name": "x"}}, "id", "Wave"),
        ("createExpulsion", {"input": measure_input(answers=[global_id("Expulsion", MISSING)])}, "answers", "Expulsion"),
        ("createExpulsion", {"input": measure_input(targetMissionId=global_id("Mission", MISSING))}, "targetMissionId", "Mission"),
        ("createCitation", {"input": {"sourceId": global_id("Source", MISSING), "measureId": demo["PL"]}}, "sourceId", "Source"),
        (
            "createCitation",
            {"input": {"sourceId": demo["cited source"], "statementId": global_id("Statement", MISSING)}},
            "statementId",
            "Statement",
        ),
        (
            "createDiplomat",
            {"input": {"sendingState": "RU", "staffCategory": "SERVICE", "missionId": global_id("Mission", MISSING)}},
            "missionId",
            "Mission",
        ),
        ("createStatement", {"input": statement_input(measureIds=[global_id("Expulsion", MISSING)])}, "measureIds", "Expulsion"),
    ]
    with unchanged(api):
        for name, variables, field, entity in cases:
            assert_not_found(mutate(api, name, **variables), field, entity, MISSING)


BAD_IDS = ["garbage", "", global_id("Expulsion", "abc"), global_id("Expulsion", "-1"), global_id("Expulsion", "9" * 25), "RXhwdWxzaW9u"]


def test_malformed_global_ids_are_refused_naming_the_field(api: LiveServer, demo: dict[str, str]) -> None:
    with unchanged(api):
        for bad_id in BAD_IDS:
            assert_invalid(mutate(api, "deleteExpulsion", id=bad_id), "id")
            assert_invalid(mutate(api, "createCitation", input={"sourceId": bad_id, "measureId": demo["PL"]}), "sourceId")
            assert_invalid(mutate(api, "createExpulsion", input=measure_input(answers=[demo["US"], bad_id])), "answers")


def test_an_id_of_the_wrong_type_is_refused_naming_the_field(api: LiveServer, demo: dict[str, str]) -> None:
    with unchanged(api):
        assert_invalid(mutate(api, "deleteExpulsion", id=demo["cited source"]), "id")
        assert_invalid(mutate(api, "deleteSource", id=demo["PL"]), "id")
        assert_invalid(mutate(api, "createStatement", input=statement_input(measureIds=[demo["statement"]])), "measureIds")
        assert_invalid(
            mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "SERVICE", "missionId": demo["PL"]}), "missionId"
        )
        assert_invalid(mutate(api, "linkStatement", statementId=demo["PL"], measureId=demo["PL"]), "statementId")
        assert_invalid(mutate(api, "addExpelledPerson", measureId=demo["PL"], diplomatId=demo["UN mission"]), "diplomatId")


def test_unknown_state_codes_are_refused_naming_the_field(api: LiveServer) -> None:
    with unchanged(api):
        assert_not_found(mutate(api, "createExpulsion", input=measure_input(actor="qq")), "actor", "Actor", "QQ")
        assert_not_found(mutate(api, "createExpulsion", input=measure_input(target="XYZ")), "target", "Actor", "XYZ")
        assert_not_found(
            mutate(api, "createMission", input={"sendingState": "RU", "hostState": "ZZ", "kind": "EMBASSY"}), "hostState", "Actor", "ZZ"
        )
        assert_not_found(mutate(api, "createState", code="qq"), "code", "State", "QQ")
        assert_invalid(mutate(api, "createExpulsion", input=measure_input(actor="Poland!")), "actor")
        assert_invalid(mutate(api, "createState", code="1"), "code")


def test_an_organisation_where_a_state_is_needed_is_refused_naming_the_field(api: LiveServer) -> None:
    with unchanged(api):
        assert_invalid(mutate(api, "createExpulsion", input=measure_input(target="EU")), "target")
        assert_invalid(mutate(api, "createMission", input={"sendingState": "UN", "hostState": "US", "kind": "EMBASSY"}), "sendingState")
        assert_invalid(mutate(api, "createMission", input={"sendingState": "RU", "hostState": "nato", "kind": "EMBASSY"}), "hostState")
        assert_invalid(mutate(api, "createDiplomat", input={"sendingState": "OSCE", "staffCategory": "DIPLOMATIC"}), "sendingState")


IMPOSSIBLE_HEADCOUNTS = [
    {"qualifier": "EXACT", "value": -1},
    {"qualifier": "AT_LEAST", "value": -45},
    {"qualifier": "UNKNOWN", "value": 12},
    {"qualifier": "UNKNOWN", "value": 0},
    {"qualifier": "EXACT"},
    {"qualifier": "APPROXIMATE", "value": None},
]


def test_a_negative_headcount_a_number_with_unknown_or_none_with_exact_is_refused_naming_it(api: LiveServer, demo: dict[str, str]) -> None:
    with unchanged(api):
        for headcount in IMPOSSIBLE_HEADCOUNTS:
            assert_invalid(mutate(api, "createExpulsion", input=measure_input(headcount=headcount)), "headcount")
            assert_invalid(mutate(api, "updateExpulsion", id=demo["PL"], input={"headcount": headcount}), "headcount")
            citation = {"sourceId": demo["cited source"], "measureId": demo["PL"], "reportedHeadcount": headcount}
            assert_invalid(mutate(api, "createCitation", input=citation), "reportedHeadcount")


FRACTIONAL = (
    'mutation { createExpulsion(input: {actor: "PL", target: "RU", measureType: PERSONA_NON_GRATA,'
    ' announced: "2022-03-24", headcount: {qualifier: EXACT, value: 2.5}}) { __typename } }'
)


def test_a_fractional_headcount_is_refused_by_graphql_pointing_at_the_value(api: LiveServer) -> None:
    with unchanged(api):
        [error] = errors(api, FRACTIONAL)
    assert ("Int" in error["message"], "2.5" in error["message"]) == (True, True), error
    assert error["locations"] == [{"line": 1, "column": FRACTIONAL.index("2.5") + 1}]


@pytest.mark.parametrize(
    ("changes", "path"),
    [({"headcount": {"qualifier": "EXACT", "value": 2.5}}, "headcount.value"), ({"measureType": "KICK_OUT"}, "measureType")],
    ids=["fractional-headcount", "wrong-enum"],
)
def test_a_bad_value_in_variables_is_refused_naming_its_path(api: LiveServer, changes: dict[str, Any], path: str) -> None:
    with unchanged(api):
        [error] = errors(
            api, "mutation($i: CreateExpulsionInput!) { createExpulsion(input: $i) { __typename } }", {"i": measure_input(**changes)}
        )
    assert path in error["message"]


@pytest.mark.parametrize(
    ("document", "value", "enum"),
    [
        (
            'mutation { createExpulsion(input: {actor: "PL", target: "RU", measureType: KICK_OUT, announced: "2022", '
            "headcount: {qualifier: EXACT, value: 1}}) { __typename } }",
            "KICK_OUT",
            "MeasureType",
        ),
        (
            'mutation { createExpulsion(input: {actor: "PL", target: "RU", measureType: RECALL, announced: "2022", '
            "headcount: {qualifier: ROUGHLY, value: 1}}) { __typename } }",
            "ROUGHLY",
            "HeadcountQualifier",
        ),
        ('mutation { createSource(input: {publisher: "p", title: "t", kind: "MEDIA"}) { __typename } }', '"MEDIA"', "SourceKind"),
        ("{ expulsions(measureType: EXPEL) { totalCount } }", "EXPEL", "MeasureType"),
    ],
    ids=["measure-type", "headcount-qualifier", "quoted-enum", "filter-argument"],
)
def test_a_wrong_enum_value_is_refused_by_graphql_naming_the_enum(api: LiveServer, document: str, value: str, enum: str) -> None:
    with unchanged(api):
        [error] = errors(api, document)
    assert (value.strip('"') in error["message"], enum in error["message"]) == (True, True), error
    assert error["locations"] == [{"line": 1, "column": document.index(value) + 1}]


def test_a_malformed_partial_date_is_refused_naming_the_field(api: LiveServer) -> None:
    with unchanged(api):
        for bad_date in ["2022-13", "2022-02-30", "March", "2022-3-1", "23/03/2022", "0000", "2022-03-23T10:00"]:
            assert_invalid(mutate(api, "createExpulsion", input=measure_input(announced=bad_date)), "announced")
            assert_invalid(mutate(api, "createExpulsion", input=measure_input(departed=bad_date)), "departed")
            assert_invalid(mutate(api, "createSource", input=source_input(published=bad_date)), "published")
            assert_invalid(mutate(api, "createStatement", input=statement_input(saidOn=bad_date)), "saidOn")


def test_dates_out_of_order_are_refused_naming_the_later_one(api: LiveServer, demo: dict[str, str]) -> None:
    with unchanged(api):
        assert_invalid(mutate(api, "createExpulsion", input=measure_input(deadline="2022-03-20")), "deadline")
        assert_invalid(mutate(api, "createExpulsion", input=measure_input(notified="2022-03-25", deadline="2022-03-24")), "deadline")
        assert_invalid(mutate(api, "createExpulsion", input=measure_input(notified="2022-03-25", departed="2022-02")), "departed")
        assert_invalid(mutate(api, "updateExpulsion", id=demo["PL"], input={"deadline": "2022-02"}), "deadline")


def test_an_invalid_language_tag_is_refused_naming_the_field(api: LiveServer) -> None:
    with unchanged(api):
        for tag in ["english!", "e", "en_US", "fr-", "", "toolongprimary"]:
            assert_invalid(mutate(api, "createStatement", input=statement_input(quoteLanguage=tag)), "quoteLanguage")
            translated = statement_input(translation="Inacceptable.", translationLanguage=tag or "  ")
            assert_invalid(mutate(api, "createStatement", input=translated), "translationLanguage")


OVERSIZED = [
    ("createStatement", statement_input(quote="x" * 50_000), "quote"),
    ("createStatement", statement_input(speakerRole="r" * 201), "speakerRole"),
    ("createWave", {"name": "n" * 300}, "name"),
    ("createWave", {"name": "Wave", "description": "d" * 10_001}, "description"),
    ("createOrganisation", {"code": "LONGNAME", "name": "n" * 300}, "name"),
    ("createOrganisation", {"code": "ABCDEFGHIJKLM", "name": "Thirteen"}, "code"),
    ("createMission", {"sendingState": "RU", "hostState": "FR", "kind": "CONSULATE", "city": "c" * 300}, "city"),
    ("createDiplomat", {"sendingState": "RU", "staffCategory": "SERVICE", "name": "n" * 300}, "name"),
    ("createSource", source_input(title="t" * 501), "title"),
    ("createSource", source_input(url="https://example.org/" + "u" * 2000), "url"),
    ("createExpulsion", measure_input(statedReason="r" * 10_001), "statedReason"),
]


def test_an_oversized_string_is_refused_naming_the_field(api: LiveServer) -> None:
    with unchanged(api):
        for name, input, field in OVERSIZED:
            assert_invalid(mutate(api, name, input=input), field)


def test_a_citation_backing_both_a_measure_and_a_statement_or_neither_is_refused(api: LiveServer, demo: dict[str, str]) -> None:
    both = {"sourceId": demo["cited source"], "measureId": demo["PL"], "statementId": demo["statement"]}
    with unchanged(api):
        assert_invalid(mutate(api, "createCitation", input={"sourceId": demo["cited source"]}), "measureId")
        assert_invalid(mutate(api, "createCitation", input=both), "measureId")


def test_blank_or_missing_required_text_is_refused_naming_the_field(api: LiveServer) -> None:
    with unchanged(api):
        assert_invalid(mutate(api, "createWave", input={"name": "   "}), "name")
        assert_invalid(mutate(api, "createStatement", input=statement_input(quote=" ")), "quote")
        assert_invalid(mutate(api, "createStatement", input=statement_input(speakerRole=None)), "speakerRole")
        assert_invalid(mutate(api, "createStatement", input=statement_input(translation="Inacceptable.")), "translationLanguage")
        assert_invalid(mutate(api, "createSource", input=source_input(url="ftp://example.org/x")), "url")
        assert_invalid(
            mutate(api, "createMission", input={"sendingState": "RU", "hostState": "US", "kind": "PERMANENT_MISSION"}), "accreditedTo"
        )


def test_a_nul_character_in_text_is_refused_naming_the_field(api: LiveServer) -> None:
    with unchanged(api):
        assert_invalid(mutate(api, "createWave", input={"name": "Wave\u0000one"}), "name")

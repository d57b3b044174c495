"""Refused answer links, deletes of referenced records, duplicates, page arguments, and partly failing batches.

Each refusal runs inside `unchanged` (whole record read before and after, `/health`, no masked
error); a batch changes the record exactly by the effects of its fields that succeeded.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.e2e.helpers import (
    FIELDS,
    MISSING,
    MUTATIONS,
    LiveServer,
    assert_invalid,
    current_version,
    errors,
    global_id,
    measure_input,
    mutate,
    ok,
    read,
    snapshot,
    unchanged,
)


def measure(api: LiveServer, announced: str, answers: list[str] | None = None, actor: str = "LT", target: str = "BY") -> str:
    input = {"actor": actor, "target": target, "measureType": "EXPULSION_ORDER", "announced": announced, "answers": answers}
    made = ok(mutate(api, "createExpulsion", input={**input, "headcount": {"qualifier": "UNKNOWN"}}), "Expulsion")
    return str(made["id"])


def assert_cycle_refused(result: dict[str, Any]) -> None:
    assert result["__typename"] == "ValidationError", result
    assert "cycle" in result["message"]


def test_an_answer_link_closing_a_two_cycle_is_refused(api: LiveServer, demo: dict[str, str]) -> None:
    with unchanged(api):
        assert_cycle_refused(mutate(api, "linkAnswer", measureId=demo["US"], answeredId=demo["RU"]))
        assert_invalid(mutate(api, "updateExpulsion", id=demo["US"], input={"answers": [demo["RU"]]}), "answers")


def test_an_answer_link_closing_a_three_cycle_is_refused(api: LiveServer) -> None:
    first = measure(api, "2022-01")
    second = measure(api, "2022-01", [first], actor="BY", target="LT")
    third = measure(api, "2022-01", [second])
    with unchanged(api):
        assert_cycle_refused(mutate(api, "linkAnswer", measureId=first, answeredId=third))
        assert_invalid(mutate(api, "updateExpulsion", id=first, input={"answers": [third]}), "answers")
        assert_invalid(mutate(api, "updateExpulsion", id=first, input={"answers": [second]}), "answers")


def test_a_measure_cannot_answer_itself_or_the_same_measure_twice(api: LiveServer, demo: dict[str, str]) -> None:
    with unchanged(api):
        itself = mutate(api, "linkAnswer", measureId=demo["PL"], answeredId=demo["PL"])
        assert (itself["__typename"], "itself" in itself["message"]) == ("ValidationError", True), itself
        assert_invalid(mutate(api, "updateExpulsion", id=demo["PL"], input={"answers": [demo["PL"]]}), "answers")
        assert_invalid(mutate(api, "updateExpulsion", id=demo["PL"], input={"answers": [demo["US"], demo["US"]]}), "answers")


def test_an_answer_pointing_forward_in_time_is_refused(api: LiveServer, demo: dict[str, str]) -> None:
    later = measure(api, "2022-04-10")
    with unchanged(api):
        forward = mutate(api, "linkAnswer", measureId=demo["PL"], answeredId=later)
        assert (forward["__typename"], "forward in time" in forward["message"]) == ("ValidationError", True), forward
        early = measure_input(actor="CZ", measureType="RECALL", announced="2022-03-01", headcount={"qualifier": "EXACT", "value": 1})
        assert_invalid(mutate(api, "createExpulsion", input={**early, "answers": [demo["PL"]]}), "answers")
        assert_invalid(mutate(api, "updateExpulsion", id=demo["BY"], input={"answers": [later]}), "answers")


def test_link_mutations_refuse_unknown_ids_as_not_found(api: LiveServer, demo: dict[str, str]) -> None:
    missing = {kind: global_id(kind, MISSING) for kind in ("Expulsion", "Diplomat", "Statement")}
    cases = [
        ("linkAnswer", {"measureId": missing["Expulsion"], "answeredId": demo["PL"]}, "Expulsion"),
        ("linkAnswer", {"measureId": demo["PL"], "answeredId": missing["Expulsion"]}, "Expulsion"),
        ("addExpelledPerson", {"measureId": demo["PL"], "diplomatId": missing["Diplomat"]}, "Diplomat"),
        ("linkStatement", {"statementId": missing["Statement"], "measureId": demo["PL"]}, "Statement"),
        ("linkStatement", {"statementId": demo["statement"], "measureId": missing["Expulsion"]}, "Expulsion"),
        ("unlinkStatement", {"statementId": missing["Statement"], "measureId": demo["PL"]}, "Statement"),
    ]
    with unchanged(api):
        for name, variables, entity in cases:
            result = mutate(api, name, **variables)
            assert (result["__typename"], result["entity"], result["key"]) == ("NotFoundError", entity, MISSING), (name, result)


@pytest.mark.parametrize(
    ("name", "unknown", "argument"),
    [
        ("linkAnswer", "measureId", "measureId"),
        ("linkAnswer", "answeredId", "answeredId"),
        ("unlinkAnswer", "measureId", "measureId"),
        ("addExpelledPerson", "measureId", "measureId"),
        ("addExpelledPerson", "diplomatId", "diplomatId"),
        ("removeExpelledPerson", "measureId", "measureId"),
        ("linkStatement", "statementId", "statementId"),
        ("linkStatement", "measureId", "measureId"),
        ("unlinkStatement", "statementId", "statementId"),
        ("linkAnswer", "self", "answeredId"),
        ("linkAnswer", "cycle", "answeredId"),
    ],
)
def test_a_refused_link_names_the_argument_at_fault(api: LiveServer, demo: dict[str, str], name: str, unknown: str, argument: str) -> None:
    known = {"measureId": demo["PL"], "answeredId": demo["US"], "diplomatId": global_id("Diplomat", 1), "statementId": demo["statement"]}
    types = {"measureId": "Expulsion", "answeredId": "Expulsion", "diplomatId": "Diplomat", "statementId": "Statement"}
    variables = {arg: known[arg] for arg in MUTATIONS[name].args if arg in known}
    if unknown in types:
        variables[unknown] = global_id(types[unknown], MISSING)
    elif unknown == "self":
        variables = {"measureId": demo["PL"], "answeredId": demo["PL"]}
    else:
        variables = {"measureId": demo["US"], "answeredId": demo["RU"]}
    result = mutate(api, name, **variables)
    assert result.get("field", result.get("missing")) == argument, result


def test_deleting_a_record_that_others_refer_to_is_refused_as_a_conflict(api: LiveServer, demo: dict[str, str]) -> None:
    wave = ok(mutate(api, "createWave", input={"name": "Baltic wave"}), "Wave")["id"]
    person = ok(mutate(api, "createDiplomat", input={"sendingState": "BY", "staffCategory": "CONSULAR"}), "Diplomat")["id"]
    named = {
        "actor": "LV",
        "target": "BY",
        "measureType": "PERSONA_NON_GRATA",
        "announced": "2022-05",
        "waveId": wave,
        "diplomatIds": [person],
    }
    ok(mutate(api, "createExpulsion", input={**named, "headcount": {"qualifier": "AT_LEAST", "value": 1}}), "Expulsion")
    referenced = [
        ("deleteExpulsion", demo["US"]),
        ("deleteSource", demo["cited source"]),
        ("deleteMission", demo["UN mission"]),
        ("deleteMission", demo["Moscow embassy"]),
        ("deleteActor", demo["RU state"]),
        ("deleteActor", demo["UN"]),
        ("deleteWave", wave),
        ("deleteDiplomat", person),
    ]
    with unchanged(api):
        for name, id in referenced:
            result = mutate(api, name, id=id)
            assert (result["__typename"], bool(result["message"])) == ("ConflictError", True), (name, result)


@pytest.mark.parametrize(("name", "record"), [("deleteMission", "UN mission"), ("deleteActor", "RU state")])
def test_a_conflict_message_does_not_leak_database_internals(api: LiveServer, demo: dict[str, str], name: str, record: str) -> None:
    message = mutate(api, name, id=demo[record])["message"].lower()
    assert not any(word in message for word in ("constraint", "fkey", "table", "foreign key")), message


def test_a_duplicate_is_refused_as_a_conflict_and_a_missing_link_as_invalid(api: LiveServer, demo: dict[str, str]) -> None:
    person = ok(mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "DIPLOMATIC"}), "Diplomat")["id"]
    ok(mutate(api, "addExpelledPerson", measureId=demo["PL"], diplomatId=person), "Expulsion")
    said = ok(mutate(api, "linkStatement", statementId=demo["statement"], measureId=demo["BY"]), "Statement")["id"]
    with unchanged(api):
        for result in (
            mutate(api, "createOrganisation", input={"code": "un", "name": "United Nations again"}),
            mutate(api, "createState", code="pol"),
            mutate(api, "addExpelledPerson", measureId=demo["PL"], diplomatId=person),
            mutate(api, "linkAnswer", measureId=demo["RU"], answeredId=demo["US"]),
            mutate(api, "linkStatement", statementId=said, measureId=demo["BY"]),
        ):
            assert (result["__typename"], bool(result["message"])) == ("ConflictError", True), result
        assert_invalid(mutate(api, "unlinkAnswer", measureId=demo["PL"], answeredId=demo["US"]), "answeredId")
        assert_invalid(mutate(api, "removeExpelledPerson", measureId=demo["US"], diplomatId=person), "diplomatId")
        assert_invalid(mutate(api, "unlinkStatement", statementId=said, measureId=demo["US"]), "measureId")


def test_update_actor_refuses_an_organisation_id_that_names_a_state(api: LiveServer, demo: dict[str, str]) -> None:
    number = base64.b64decode(demo["RU state"]).decode().split(":")[1]
    forged = global_id("Organisation", number)
    assert read(api, forged, "Organisation") is None
    try:
        with unchanged(api):
            result = mutate(api, "updateActor", id=forged, input={"name": "Renamed through an Organisation ID"})
            assert result["__typename"] in ("ValidationError", "NotFoundError"), result
    finally:
        mutate(api, "updateActor", id=demo["RU state"], input={"name": "Russian Federation"})


@pytest.mark.parametrize("argument", ["first", "last"])
def test_a_page_size_beyond_the_cap_or_below_zero_is_refused_naming_the_argument(api: LiveServer, argument: str) -> None:
    with unchanged(api):
        for listing in ("expulsions", "statements", "states", "sources"):
            for size in (1000, 101, -1):
                [error] = errors(api, f"{{ {listing}({argument}: {size}) {{ totalCount }} }}")
                assert (argument in error["message"], "100" in error["message"]) == (True, True), error


@pytest.mark.parametrize(("argument", "size"), [("after", "first"), ("before", "last")])
def test_a_malformed_cursor_is_refused_naming_the_argument(api: LiveServer, argument: str, size: str) -> None:
    issued = api.data("{ expulsions(first: 1, orderBy: HEADCOUNT) { pageInfo { endCursor } } }")["expulsions"]["pageInfo"]["endCursor"]
    with unchanged(api):
        for cursor in ("garbage", "", "eyJ9", base64.b64encode(b"key:1").decode(), issued):
            for listing in ("expulsions", "sources"):
                query = f"query($c: String) {{ {listing}({argument}: $c, {size}: 2) {{ totalCount }} }}"
                [error] = errors(api, query, {"c": cursor})
                assert argument in error["message"], (listing, cursor, error)


def test_a_forged_cursor_with_a_wrong_typed_key_is_refused_naming_the_argument(api: LiveServer) -> None:
    issued = api.data("{ expulsions(first: 1) { pageInfo { endCursor } } }")["expulsions"]["pageInfo"]["endCursor"]
    payload = json.loads(base64.urlsafe_b64decode(issued))
    payload["k"][0] = 5
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    [error] = errors(api, "query($c: String) { expulsions(first: 2, after: $c) { totalCount } }", {"c": forged})
    assert "after" in error["message"], error


def added(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in after if item not in before]


def test_a_batch_keeps_the_effects_of_the_fields_that_succeeded_and_only_those(api: LiveServer, demo: dict[str, str]) -> None:
    document = f"""
    mutation Batch($wave: CreateWaveInput!, $bad: CreateExpulsionInput!, $source: CreateSourceInput!, $answered: ID!, $version: Int!) {{
      wave: createWave(input: $wave) {{ __typename ... on Wave {{ {FIELDS["Wave"]} }} }}
      bad: createExpulsion(input: $bad) {{ __typename ... on ValidationError {{ field }} }}
      source: createSource(input: $source) {{ __typename ... on Source {{ {FIELDS["Source"]} }} }}
      refused: deleteExpulsion(id: $answered, expectedVersion: $version) {{ __typename }}
    }}"""
    bad = measure_input(actor="EE", measureType="RECALL", announced="2022-04", headcount={"qualifier": "UNKNOWN", "value": 3})
    variables = {
        "wave": {"name": "Batch wave", "description": "kept"},
        "bad": bad,
        "source": {"publisher": "ERR", "title": "Batch source", "kind": "MEDIA"},
        "answered": demo["US"],
        "version": current_version(api, demo["US"]),
    }
    before = snapshot(api)
    result = api.data(document, variables)
    assert [result[k]["__typename"] for k in ("wave", "bad", "source", "refused")] == ["Wave", "ValidationError", "Source", "ConflictError"]
    assert result["bad"]["field"] == "headcount"
    after = snapshot(api)
    wave = {k: v for k, v in result["wave"].items() if k != "__typename"}
    source = {k: v for k, v in result["source"].items() if k != "__typename"}
    assert wave == {"id": wave["id"], "name": "Batch wave", "description": "kept"}
    assert added(before["waves"], after["waves"]) == [wave]
    assert added(before["sources"], after["sources"]) == [source]
    assert {**after, "waves": None, "sources": None} == {**before, "waves": None, "sources": None}


def test_a_batch_on_one_record_keeps_the_changes_before_and_after_the_refused_one(api: LiveServer) -> None:
    made = ok(
        mutate(api, "createSource", input={"publisher": "LRT", "title": "Draft", "kind": "MEDIA", "url": "https://lrt.lt/a"}), "Source"
    )
    document = f"""
    mutation Batch($id: ID!) {{
      one: updateSource(id: $id, expectedVersion: 1, input: {{title: "Final"}}) {{ __typename }}
      two: updateSource(id: $id, expectedVersion: 2, input: {{url: "ftp://lrt.lt/b", publisher: "Not stored"}}) {{
        __typename ... on ValidationError {{ field }}
      }}
      three: updateSource(id: $id, expectedVersion: 2, input: {{published: "2022-04-02"}}) {{
        __typename ... on Source {{ {FIELDS["Source"]} }}
      }}
    }}"""
    before = snapshot(api)
    result = api.data(document, {"id": made["id"]})
    assert result["two"] == {"__typename": "ValidationError", "field": "url"}
    stored = {
        **made,
        "title": "Final",
        "published": {"value": "2022-04-02", "precision": "DAY", "start": "2022-04-02", "end": "2022-04-02"},
    }
    assert result["three"] == stored
    assert read(api, made["id"], "Source") == stored
    after = snapshot(api)
    assert added(before["sources"], after["sources"]) == [{k: v for k, v in stored.items() if k != "__typename"}]
    assert {**after, "sources": None} == {**before, "sources": None}

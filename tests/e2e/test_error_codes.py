"""A refused mutation lists every rule its input breaks, each with its field, its path and its code; nothing is written."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import MISSING, LiveServer, global_id, measure_input, mutate, unchanged


def problems(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(problem["field"], problem["code"]) for problem in result["problems"]]


def test_a_measure_breaking_three_rules_of_the_record_returns_three_problems(api: LiveServer) -> None:
    broken = measure_input(target="PL", statedReason="Spying\u0001", deadline="2022-03-01")
    with unchanged(api):
        result = mutate(api, "createExpulsion", input=broken)
    assert result["__typename"] == "ValidationError", result
    assert problems(result) == [
        ("statedReason", "CONTROL_CHARACTERS"),
        ("target", "SELF_REFERENCE"),
        ("deadline", "DATES_OUT_OF_ORDER"),
    ]
    assert result["errorCode"] == "CONTROL_CHARACTERS"
    assert result["field"] == "statedReason"
    assert all(problem["message"] and problem["path"] == [problem["field"]] for problem in result["problems"]), result


def test_values_that_cannot_be_read_are_all_reported_with_the_path_of_a_nested_field(api: LiveServer) -> None:
    broken = measure_input(announced="2022-13", headcount={"qualifier": "EXACT", "value": 100_001}, waveId="garbage")
    with unchanged(api):
        result = mutate(api, "createExpulsion", input=broken)
    assert result["__typename"] == "ValidationError", result
    assert problems(result) == [("announced", "INVALID_DATE"), ("headcount.value", "HEADCOUNT_RANGE"), ("waveId", "INVALID_ID")]
    assert result["problems"][1]["path"] == ["headcount", "value"]
    assert result["field"] == "announced"


def test_every_reference_that_does_not_fit_is_reported(api: LiveServer) -> None:
    broken = measure_input(target="UN", diplomatIds=[global_id("Diplomat", MISSING)], waveId=global_id("Wave", MISSING))
    with unchanged(api):
        result = mutate(api, "createExpulsion", input=broken)
    assert result["__typename"] == "ValidationError", result
    assert problems(result) == [("target", "NOT_A_STATE"), ("diplomatIds", "UNKNOWN_REFERENCE"), ("waveId", "UNKNOWN_REFERENCE")]


def test_a_lone_missing_reference_stays_a_not_found_error_with_its_code(api: LiveServer) -> None:
    with unchanged(api):
        result = mutate(api, "createExpulsion", input=measure_input(waveId=global_id("Wave", MISSING)))
    assert result["__typename"] == "NotFoundError", result
    assert result["errorCode"] == "UNKNOWN_REFERENCE"
    assert problems(result) == [("waveId", "UNKNOWN_REFERENCE")]


def test_a_stale_version_and_a_conflict_carry_their_codes_as_one_problem_on_the_input(api: LiveServer, demo: dict[str, str]) -> None:
    with unchanged(api):
        stale = mutate(api, "updateExpulsion", id=demo["PL"], expectedVersion=999, input={"statedReason": "late"})
        answered = mutate(api, "deleteSource", id=demo["cited source"])
    assert stale["__typename"] == "VersionConflictError", stale
    assert (stale["errorCode"], problems(stale)) == ("VERSION_CONFLICT", [("input", "VERSION_CONFLICT")])
    assert answered["__typename"] == "ConflictError", answered
    assert (answered["errorCode"], problems(answered)) == ("STILL_REFERENCED", [("input", "STILL_REFERENCED")])

"""The error model: every broken rule is a problem with a code, and checks gather them all."""

from __future__ import annotations

import pytest

from domain.errors import Checks, Code, InvalidInput, NotFound, Problem, problems_of


def test_checks_gather_every_broken_rule_and_raise_them_together() -> None:
    checks = Checks()
    with checks.rule():
        raise InvalidInput("name", "name is blank", Code.BLANK)
    assert checks.value(lambda: 3) == 3
    checks.add("year", Code.YEAR_OUT_OF_RANGE, "year 0 is out of range")
    with pytest.raises(InvalidInput) as raised:
        checks.done()
    assert raised.value.problems == (
        Problem("name", Code.BLANK, "name is blank"),
        Problem("year", Code.YEAR_OUT_OF_RANGE, "year 0 is out of range"),
    )
    assert raised.value.code is Code.BLANK
    assert raised.value.field == "name"


def test_checks_with_nothing_broken_raise_nothing() -> None:
    checks = Checks()
    assert checks.value(lambda: "kept") == "kept"
    checks.done()
    assert not checks


def test_a_lone_missing_reference_stays_not_found() -> None:
    checks = Checks()
    with checks.rule():
        raise NotFound("Actor", "XX", "actor")
    with pytest.raises(NotFound):
        checks.done()


def test_a_missing_reference_beside_other_problems_is_one_problem_among_them() -> None:
    checks = Checks()
    with checks.rule():
        raise NotFound("Actor", "XX", "actor")
    checks.add("target", Code.NOT_A_STATE, "EU is an organisation")
    with pytest.raises(InvalidInput) as raised:
        checks.done()
    assert [(problem.field, problem.code) for problem in raised.value.problems] == [
        ("actor", Code.UNKNOWN_REFERENCE),
        ("target", Code.NOT_A_STATE),
    ]


def test_a_prefix_makes_each_field_a_path() -> None:
    checks = Checks("headcount.")
    checks.add("value", Code.HEADCOUNT_RANGE, "too many")
    with pytest.raises(InvalidInput) as raised:
        checks.done()
    assert raised.value.problems[0].path == ("headcount", "value")


def test_an_error_without_a_list_reports_one_problem_on_the_input() -> None:
    assert problems_of(NotFound("Wave", 3, "waveId")) == (Problem("waveId", Code.UNKNOWN_REFERENCE, "Wave 3 does not exist"),)


def test_every_code_is_described_and_named_once() -> None:
    assert all(code.description for code in Code)
    assert len({code.description for code in Code}) == len(Code)

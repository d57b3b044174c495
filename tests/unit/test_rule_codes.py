"""Each rule of the record, broken on its own, is reported under its own code and field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.access import role_named, token_name
from domain.errors import Code, Conflict, DomainError, InvalidInput, NotFound, Problem, StaleVersion
from domain.read.pagination import PageRequest
from domain.record import checks
from domain.record.documents import from_document
from domain.record.history import Erasure, HistoryFilter
from domain.record.memberships import Membership
from domain.record.missions import MissionKind
from domain.record.sources import Citation
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from domain.use_cases import expulsions, links, memberships, statements
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


def membership(**changes: Any) -> Membership:
    values: dict[str, Any] = {
        "organisation": "NATO",
        "state": "PL",
        "joined": PartialDate(1999, 3, 12),
        "source_publisher": "NATO",
        "source_title": "Member countries",
    }
    return Membership(**(values | changes))


BROKEN: dict[str, tuple[Callable[[], object], str, Code]] = {
    "required text": (lambda: checks.required_text("name", None), "name", Code.REQUIRED),
    "blank text": (lambda: checks.required_text("name", "  \n"), "name", Code.BLANK),
    "text over its limit": (lambda: checks.text("name", "x" * (checks.SHORT_TEXT + 1)), "name", Code.TEXT_TOO_LONG),
    "control character": (lambda: checks.text("name", "a\x07b"), "name", Code.CONTROL_CHARACTERS),
    "lone surrogate": (lambda: checks.text("name", "a\ud800"), "name", Code.CONTROL_CHARACTERS),
    "relative URL": (lambda: checks.url("url", "example.org/x"), "url", Code.INVALID_URL),
    "URL over its limit": (lambda: checks.url("url", "https://" + "x" * checks.URL_TEXT), "url", Code.TEXT_TOO_LONG),
    "language tag": (lambda: checks.language("quoteLanguage", "english!"), "quoteLanguage", Code.INVALID_LANGUAGE_TAG),
    "repeated id": (lambda: checks.distinct_ids("answers", [3, 3]), "answers", Code.REPEATED_ID),
    "date form": (lambda: PartialDate.parse("announced", "23.03.2022"), "announced", Code.INVALID_DATE),
    "no real date": (lambda: PartialDate.parse("announced", "2022-02-30"), "announced", Code.INVALID_DATE),
    "year 0": (lambda: PartialDate.parse("announced", "0000"), "announced", Code.YEAR_OUT_OF_RANGE),
    "headcount over its range": (
        lambda: Headcount.build("headcount", HeadcountQualifier.EXACT, 100_001),
        "headcount.value",
        Code.HEADCOUNT_RANGE,
    ),
    "headcount under its range": (
        lambda: Headcount.build("headcount", HeadcountQualifier.AT_LEAST, -1),
        "headcount.value",
        Code.HEADCOUNT_RANGE,
    ),
    "headcount without its number": (
        lambda: Headcount.build("headcount", HeadcountQualifier.EXACT, None),
        "headcount",
        Code.INVALID_HEADCOUNT,
    ),
    "unknown headcount with a number": (
        lambda: Headcount.build("headcount", HeadcountQualifier.UNKNOWN, 4),
        "headcount",
        Code.INVALID_HEADCOUNT,
    ),
    "measure against itself": (lambda: drafts.measure(actor="RU", target="RU"), "target", Code.SELF_REFERENCE),
    "measure answering itself": (lambda: drafts.measure(id=4, answers=(4,)), "answers", Code.SELF_REFERENCE),
    "deadline before announcement": (
        lambda: drafts.measure(deadline=drafts.day("2022-03-01")),
        "deadline",
        Code.DATES_OUT_OF_ORDER,
    ),
    "departure before notification": (
        lambda: drafts.measure(notified=drafts.day("2022-03-24"), departed=drafts.day("2022-03-20")),
        "departed",
        Code.DATES_OUT_OF_ORDER,
    ),
    "more people than the exact headcount": (
        lambda: drafts.measure(headcount=Headcount.exactly(1), diplomat_ids=(1, 2)),
        "diplomatIds",
        Code.HEADCOUNT_EXCEEDED,
    ),
    "mission hosted by its sender": (lambda: drafts.mission(host_state="RU"), "hostState", Code.SELF_REFERENCE),
    "permanent mission without its organisation": (
        lambda: drafts.mission(kind=MissionKind.PERMANENT_MISSION),
        "accreditedTo",
        Code.FIELDS_GO_TOGETHER,
    ),
    "statement without speaker": (lambda: drafts.statement(speaker_role=None), "speakerRole", Code.REQUIRED),
    "translation without language": (lambda: drafts.statement(translation="Hello"), "translationLanguage", Code.FIELDS_GO_TOGETHER),
    "citation of two subjects": (lambda: Citation(source_id=1, measure_id=1, statement_id=1), "measureId", Code.FIELDS_EXCLUDE),
    "organisation member of itself": (lambda: membership(state="NATO"), "state", Code.SELF_REFERENCE),
    "membership ending before it begins": (lambda: membership(left=PartialDate(1998)), "left", Code.DATES_OUT_OF_ORDER),
    "organisation code": (lambda: drafts.organisation(code="a"), "code", Code.INVALID_ACTOR_CODE),
    "unknown field in a record file": (
        lambda: from_document("Wave", {"id": 1, "name": "w", "colour": "red"}),
        "colour",
        Code.UNKNOWN_FIELD,
    ),
    "missing field in a record file": (lambda: from_document("Wave", {"id": 1}), "name", Code.REQUIRED),
    "choice in a record file": (
        lambda: from_document("Mission", {"id": 1, "sending_state": "RU", "host_state": "US", "kind": "castle"}),
        "kind",
        Code.INVALID_CHOICE,
    ),
    "token name with a hidden character": (lambda: token_name("name", "alice\u200b"), "name", Code.CONTROL_CHARACTERS),
    "reserved token name": (lambda: token_name("name", "Import"), "name", Code.RESERVED_NAME),
    "role": (lambda: role_named("role", "king"), "role", Code.INVALID_CHOICE),
    "erasure of a kind without personal data": (lambda: Erasure("Wave", 1, "asked"), "recordId", Code.NO_PERSONAL_DATA),
    "history period backwards": (
        lambda: HistoryFilter(since=datetime(2023, 1, 1, tzinfo=UTC), until=datetime(2022, 1, 1, tzinfo=UTC)),
        "until",
        Code.DATES_OUT_OF_ORDER,
    ),
    "record id without its kind": (lambda: HistoryFilter(record_id=3), "recordId", Code.FIELDS_GO_TOGETHER),
    "first and last together": (lambda: PageRequest(first=1, last=1), "first", Code.INVALID_PAGE),
    "page over its limit": (lambda: PageRequest(first=10_000), "first", Code.INVALID_PAGE),
}


@pytest.mark.parametrize("rule", BROKEN)
def test_a_broken_rule_is_reported_with_its_code_and_field(rule: str) -> None:
    build, field, code = BROKEN[rule]
    with pytest.raises(InvalidInput) as refused:
        build()
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == (field, code)
    assert problem.message
    assert refused.value.code is code


def test_every_rule_of_one_record_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        drafts.measure(
            target="US", stated_reason="x\x00" + "y" * checks.LONG_TEXT, deadline=drafts.day("2022-01"), diplomat_ids=(5, 5), answers=(7, 7)
        )
    assert [(problem.field, problem.code) for problem in refused.value.problems] == [
        ("statedReason", Code.TEXT_TOO_LONG),
        ("statedReason", Code.CONTROL_CHARACTERS),
        ("target", Code.SELF_REFERENCE),
        ("deadline", Code.DATES_OUT_OF_ORDER),
        ("diplomatIds", Code.REPEATED_ID),
        ("answers", Code.REPEATED_ID),
    ]


async def refusal(pending: Awaitable[object]) -> DomainError:
    try:
        await pending
    except DomainError as error:
        return error
    raise AssertionError("nothing was refused")


async def test_the_rules_of_references_have_their_codes(fake_units: FakeUnitOfWorkFactory) -> None:
    earlier = await drafts.stored_measure(fake_units, announced=drafts.day("2022-03-20"))
    later = await drafts.stored_measure(fake_units, announced=drafts.day("2022-03"), answers=(earlier,))
    us_embassy = await drafts.stored_mission(fake_units, sending_state="US", host_state="RU", city="Moscow")

    found = {
        "not a state": await refusal(expulsions.expulsions.create(drafts.measure(target="EU"), uow=fake_units())),
        "not an organisation": await refusal(memberships.add_membership(membership(organisation="FR"), uow=fake_units())),
        "missing": await refusal(expulsions.expulsions.create(drafts.measure(wave_id=99), uow=fake_units())),
        "mission of another state": await refusal(
            expulsions.expulsions.create(drafts.measure(target_mission_id=us_embassy), uow=fake_units())
        ),
        "answers forward": await refusal(
            expulsions.expulsions.create(drafts.measure(announced=drafts.day("2022-03-01"), answers=(earlier,)), uow=fake_units())
        ),
        # Announced in the same month, the two could answer each other in time: only the cycle is broken.
        "cycle": await refusal(expulsions.link_answer(earlier, later, uow=fake_units())),
        "already linked": await refusal(expulsions.link_answer(later, earlier, uow=fake_units())),
        "not linked": await refusal(expulsions.unlink_answer(earlier, later, uow=fake_units())),
        "still referenced": await refusal(expulsions.expulsions.delete(earlier, uow=fake_units())),
        "stale": await refusal(expulsions.expulsions.update(later, {"stated_reason": "x"}, uow=fake_units(), expected_version=99)),
        "unknown field": await refusal(expulsions.expulsions.update(later, {"colour": "red"}, uow=fake_units())),
        "fixed field": await refusal(expulsions.expulsions.update(later, {"version": 3}, uow=fake_units())),
    }
    codes = {name: [(problem.field, problem.code) for problem in getattr(error, "problems", ())] for name, error in found.items()}
    assert codes == {
        "not a state": [("target", Code.NOT_A_STATE)],
        "not an organisation": [("organisation", Code.NOT_AN_ORGANISATION)],
        "missing": [("waveId", Code.UNKNOWN_REFERENCE)],
        "mission of another state": [("targetMissionId", Code.STATE_MISMATCH)],
        "answers forward": [("answers", Code.ANSWERS_FORWARD)],
        "cycle": [("answers", Code.ANSWER_CYCLE)],
        "already linked": [],
        "not linked": [("answeredId", Code.NOT_LINKED)],
        "still referenced": [],
        "stale": [],
        "unknown field": [("input", Code.UNKNOWN_FIELD)],
        "fixed field": [("version", Code.IMMUTABLE_FIELD)],
    }
    assert isinstance(found["missing"], NotFound)
    assert isinstance(found["already linked"], Conflict)
    assert found["already linked"].code is Code.ALREADY_LINKED
    assert found["still referenced"].code is Code.STILL_REFERENCED
    assert isinstance(found["stale"], StaleVersion)
    assert found["stale"].code is Code.VERSION_CONFLICT


async def test_every_missing_or_unfit_reference_of_a_measure_is_reported(fake_units: FakeUnitOfWorkFactory) -> None:
    error = await refusal(
        expulsions.expulsions.create(drafts.measure(actor="ZZ", target="EU", diplomat_ids=(98, 99), wave_id=97), uow=fake_units())
    )
    assert isinstance(error, InvalidInput)
    assert error.problems == (
        Problem("actor", Code.UNKNOWN_REFERENCE, "Actor 'ZZ' does not exist"),
        Problem("target", Code.NOT_A_STATE, "EU is an organisation; a state is needed here"),
        Problem("diplomatIds", Code.UNKNOWN_REFERENCE, "Diplomat 98 does not exist"),
        Problem("diplomatIds", Code.UNKNOWN_REFERENCE, "Diplomat 99 does not exist"),
        Problem("waveId", Code.UNKNOWN_REFERENCE, "Wave 97 does not exist"),
    )


async def test_a_citation_names_every_missing_record(fake_units: FakeUnitOfWorkFactory) -> None:
    error = await refusal(statements.citations.create(Citation(source_id=90, measure_id=91), uow=fake_units()))
    assert isinstance(error, InvalidInput)
    assert [(problem.field, problem.code) for problem in error.problems] == [
        ("sourceId", Code.UNKNOWN_REFERENCE),
        ("measureId", Code.UNKNOWN_REFERENCE),
    ]


def test_a_link_revision_refuses_with_its_code() -> None:
    with pytest.raises(InvalidInput) as refused:
        links.removing("answers", 3, "answered measure", "answeredId")(drafts.measure())
    assert refused.value.code is Code.NOT_LINKED

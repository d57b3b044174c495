"""Invariants of actors, missions, people, waves and measures, checked when an entity is built."""

from __future__ import annotations

import pytest

from domain.record import checks
from domain.record.actors import Actor, ActorKind, normalise_code
from domain.record.missions import MissionKind
from domain.record.values import Headcount, HeadcountQualifier
from tests import drafts
from tests.drafts import day, refused_field


@pytest.mark.parametrize(("kind", "code"), [(ActorKind.STATE, "RU"), (ActorKind.STATE, "XK"), (ActorKind.FORMER_STATE, "SUHH")])
def test_states_are_keyed_by_iso_shaped_codes(kind: ActorKind, code: str) -> None:
    state = Actor(code=code, kind=kind, name="Somewhere")

    assert state.is_state


@pytest.mark.parametrize("code", ["R", "ru", "R1", "RUSSIA", "OSCE1"])
def test_a_state_code_that_is_not_iso_shaped_is_refused(code: str) -> None:
    assert refused_field(Actor, code=code, kind=ActorKind.STATE, name="Russia") == "code"


@pytest.mark.parametrize("code", ["N", "nato", "1UN", "ABCDEFGHIJKLM"])
def test_an_organisation_code_is_two_to_twelve_upper_case_letters_or_digits(code: str) -> None:
    assert refused_field(drafts.organisation, code=code) == "code"


def test_an_organisation_is_not_a_state() -> None:
    assert not drafts.organisation(code="G20").is_state


def test_an_organisation_code_with_a_trailing_newline_is_refused() -> None:
    assert refused_field(drafts.organisation, code="NATO\n") == "code"


def test_an_actor_name_is_required_stripped_and_limited() -> None:
    assert drafts.organisation(name="  African Union ").name == "African Union"
    assert refused_field(drafts.organisation, name="   ") == "name"
    assert refused_field(drafts.organisation, name="x" * (checks.SHORT_TEXT + 1)) == "name"
    assert drafts.organisation(name="x" * checks.SHORT_TEXT).name == "x" * checks.SHORT_TEXT


def test_normalise_code_upper_cases_and_strips() -> None:
    assert normalise_code("actor", " rus ") == "RUS"


@pytest.mark.parametrize("code", ["", "R-U", "\u0440\u0443", 7, None])
def test_normalise_code_refuses_what_cannot_be_a_code_naming_the_field(code: object) -> None:
    assert refused_field(normalise_code, "target", code) == "target"


def test_a_mission_is_never_hosted_by_its_sending_state() -> None:
    assert refused_field(drafts.mission, host_state="RU") == "hostState"


def test_a_permanent_mission_is_accredited_to_an_organisation() -> None:
    assert refused_field(drafts.mission, kind=MissionKind.PERMANENT_MISSION) == "accreditedTo"
    assert drafts.mission(kind=MissionKind.PERMANENT_MISSION, accredited_to="UN").accredited_to == "UN"


def test_a_missions_blank_city_and_name_are_absent() -> None:
    post = drafts.mission(city="  ", name=" Embassy of Russia ")

    assert post.city is None
    assert post.name == "Embassy of Russia"


def test_a_diplomat_may_be_unnamed_but_a_name_is_limited() -> None:
    assert drafts.diplomat(name=" ").name is None
    assert refused_field(drafts.diplomat, name="x" * (checks.SHORT_TEXT + 1)) == "name"


def test_a_wave_needs_a_name_and_limits_its_description() -> None:
    assert refused_field(drafts.wave, name="") == "name"
    assert refused_field(drafts.wave, description="x" * (checks.LONG_TEXT + 1)) == "description"


def test_no_state_takes_a_measure_against_itself() -> None:
    assert refused_field(drafts.measure, actor="RU", target="RU") == "target"


@pytest.mark.parametrize(("announced", "notified"), [("2022-03-23", None), ("2022-03-20", "2022-03-23"), ("2022-03", "2022-03-24")])
def test_a_deadline_before_announcement_or_notification_is_refused(announced: str, notified: str | None) -> None:
    field = refused_field(
        drafts.measure, announced=day(announced), notified=day(notified) if notified else None, deadline=day("2022-03-22")
    )

    assert field == "deadline"


@pytest.mark.parametrize("deadline", ["2022-03-23", "2022-03", "2022", "2022-03-30"])
def test_a_deadline_overlapping_or_after_the_announcement_is_accepted(deadline: str) -> None:
    assert drafts.measure(announced=day("2022-03-23"), notified=day("2022-03-23"), deadline=day(deadline)).deadline == day(deadline)


def test_a_month_precision_announcement_allows_a_deadline_early_that_month() -> None:
    assert drafts.measure(announced=day("2022-03"), deadline=day("2022-03-02")).deadline == day("2022-03-02")


def test_departure_before_notification_is_refused() -> None:
    assert refused_field(drafts.measure, notified=day("2022-03-23"), departed=day("2022-03-01")) == "departed"


def test_the_same_person_named_twice_is_refused() -> None:
    assert refused_field(drafts.measure, diplomat_ids=(4, 7, 4)) == "diplomatIds"


def test_the_same_answered_measure_listed_twice_is_refused() -> None:
    assert refused_field(drafts.measure, answers=(1, 1)) == "answers"


def test_a_stored_measure_never_answers_itself() -> None:
    assert refused_field(drafts.measure, id=5, answers=(2, 5)) == "answers"


def test_more_named_people_than_an_exact_headcount_is_refused() -> None:
    assert refused_field(drafts.measure, headcount=Headcount.exactly(2), diplomat_ids=(1, 2, 3)) == "diplomatIds"


@pytest.mark.parametrize(
    "headcount",
    [
        Headcount.exactly(3),
        Headcount(HeadcountQualifier.AT_LEAST, 1),
        Headcount(HeadcountQualifier.APPROXIMATE, 1),
        Headcount.unknown(),
    ],
)
def test_named_people_fit_an_exact_count_equal_to_them_or_any_inexact_count(headcount: Headcount) -> None:
    assert drafts.measure(headcount=headcount, diplomat_ids=(1, 2, 3)).diplomat_ids == (1, 2, 3)


def test_a_stated_reason_is_stripped_blank_means_none_and_it_is_limited() -> None:
    assert drafts.measure(stated_reason="  espionage ").stated_reason == "espionage"
    assert drafts.measure(stated_reason="\t").stated_reason is None
    assert refused_field(drafts.measure, stated_reason="x" * (checks.LONG_TEXT + 1)) == "statedReason"


def test_an_answer_may_not_precede_the_measure_it_answers() -> None:
    earlier = drafts.measure(id=1, announced=day("2022-03-23"))
    reply = drafts.measure(id=2, actor="RU", target="US", announced=day("2022-03-10"))

    assert refused_field(reply.may_answer, earlier) == "answers"

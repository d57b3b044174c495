"""Every text field of every kind of record is trimmed, held to its own limit exactly, and refused naming its input field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from domain.record.checks import LONG_TEXT, SHORT_TEXT, URL_TEXT
from domain.record.history import REASON_TEXT, Erasure
from domain.record.memberships import Membership
from domain.record.missions import MissionKind
from domain.record.sources import Citation
from domain.record.values import Headcount, PartialDate
from tests import drafts


def membership(**changes: Any) -> Membership:
    values: dict[str, Any] = {"organisation": "EU", "state": "GB", "joined": PartialDate(1973, 1, 1), "source_publisher": "EU"}
    return Membership(**(values | {"source_title": "Members"} | changes))


def citation(**changes: Any) -> Citation:
    values: dict[str, Any] = {"source_id": 1, "measure_id": 2}
    return Citation(**(values | changes))


def erasure(**changes: Any) -> Erasure:
    values: dict[str, Any] = {"entity": "Diplomat", "record_id": 1, "reason": "asked"}
    return Erasure(**(values | changes))


Build = Callable[..., Any]

TEXT_FIELDS: list[tuple[str, Build, str, str, int]] = [
    ("Actor", drafts.organisation, "name", "name", SHORT_TEXT),
    ("Actor", drafts.organisation, "official_name", "officialName", SHORT_TEXT),
    ("Diplomat", drafts.diplomat, "name", "name", SHORT_TEXT),
    ("Wave", drafts.wave, "name", "name", SHORT_TEXT),
    ("Wave", drafts.wave, "description", "description", LONG_TEXT),
    ("Expulsion", drafts.measure, "stated_reason", "statedReason", LONG_TEXT),
    ("Membership", membership, "source_publisher", "sourcePublisher", SHORT_TEXT),
    ("Membership", membership, "source_title", "sourceTitle", 500),
    ("Mission", drafts.mission, "city", "city", SHORT_TEXT),
    ("Mission", drafts.mission, "name", "name", SHORT_TEXT),
    ("Source", drafts.source, "publisher", "publisher", SHORT_TEXT),
    ("Source", drafts.source, "title", "title", 500),
    ("Citation", citation, "excerpt", "excerpt", LONG_TEXT),
    ("Statement", drafts.statement, "speaker_name", "speakerName", SHORT_TEXT),
    ("Statement", drafts.statement, "speaker_role", "speakerRole", SHORT_TEXT),
    ("Statement", drafts.statement, "relayed_by", "relayedBy", SHORT_TEXT),
    ("Statement", drafts.statement, "quote", "quote", LONG_TEXT),
    ("Erasure", erasure, "reason", "reason", REASON_TEXT),
]


@pytest.mark.parametrize(("kind", "build", "attribute", "field", "limit"), TEXT_FIELDS, ids=[f"{t[0]}.{t[2]}" for t in TEXT_FIELDS])
def test_a_text_field_is_trimmed_and_kept_up_to_its_limit(kind: str, build: Build, attribute: str, field: str, limit: int) -> None:
    assert getattr(build(**{attribute: "  kept \n"}), attribute) == "kept"
    assert getattr(build(**{attribute: "t" * limit}), attribute) == "t" * limit


@pytest.mark.parametrize(("kind", "build", "attribute", "field", "limit"), TEXT_FIELDS, ids=[f"{t[0]}.{t[2]}" for t in TEXT_FIELDS])
def test_a_text_field_one_character_over_its_limit_or_with_a_control_character_is_refused_naming_its_input(
    kind: str, build: Build, attribute: str, field: str, limit: int
) -> None:
    assert drafts.refused_field(build, **{attribute: "t" * (limit + 1)}) == field
    assert drafts.refused_field(build, **{attribute: "a\x00b"}) == field


def test_the_limits_of_long_text_are_those_documented() -> None:
    assert (LONG_TEXT, REASON_TEXT) == (10_000, 1_000)


@pytest.mark.parametrize(
    ("build", "attribute", "field"),
    [(drafts.source, "url", "url"), (membership, "source_url", "sourceUrl")],
    ids=["Source.url", "Membership.source_url"],
)
def test_a_url_field_keeps_an_http_url_up_to_its_limit_and_refuses_anything_else_naming_its_input(
    build: Build, attribute: str, field: str
) -> None:
    at_limit = "https://example.org/" + "p" * (URL_TEXT - 20)
    assert getattr(build(**{attribute: f" {at_limit} "}), attribute) == at_limit
    assert getattr(build(**{attribute: None}), attribute) is None
    assert drafts.refused_field(build, **{attribute: at_limit + "p"}) == field
    assert drafts.refused_field(build, **{attribute: "ftp://example.org"}) == field


def test_a_statements_languages_are_tags_named_by_their_input() -> None:
    said = drafts.statement(quote_language="RU", translation="a translation", translation_language="EN-gb")

    assert (said.quote_language, said.translation_language, said.translation) == ("ru", "en-gb", "a translation")
    assert drafts.refused_field(drafts.statement, quote_language="russian") == "quoteLanguage"
    assert drafts.refused_field(drafts.statement, quote_language=None) == "quoteLanguage"
    assert drafts.refused_field(drafts.statement, translation="t", translation_language="xx_1") == "translationLanguage"
    assert drafts.refused_field(drafts.statement, translation="t" * (LONG_TEXT + 1), translation_language="en") == "translation"
    assert drafts.statement(translation="t" * LONG_TEXT, translation_language="en").translation == "t" * LONG_TEXT


@pytest.mark.parametrize(
    "changes", [{"translation": "t"}, {"translation_language": "en"}, {"translation": " ", "translation_language": "en"}]
)
def test_a_translation_and_its_language_come_together(changes: dict[str, str]) -> None:
    assert drafts.refused_field(drafts.statement, **changes) == "translationLanguage"


def test_a_statement_names_its_speaker_or_at_least_the_role() -> None:
    assert drafts.statement(speaker_name="Ned Price", speaker_role=None).speaker_name == "Ned Price"
    assert drafts.refused_field(drafts.statement, speaker_name=" ", speaker_role=None) == "speakerRole"


def test_a_mission_is_hosted_elsewhere_and_a_permanent_mission_is_accredited() -> None:
    assert drafts.refused_field(drafts.mission, sending_state="RU", host_state="RU") == "hostState"
    assert drafts.refused_field(drafts.mission, kind=MissionKind.PERMANENT_MISSION, accredited_to=None) == "accreditedTo"
    assert drafts.mission(kind=MissionKind.PERMANENT_MISSION, accredited_to="UN").accredited_to == "UN"


def test_an_organisation_is_not_its_own_member_and_a_spell_ends_no_earlier_than_it_begins() -> None:
    assert drafts.refused_field(membership, organisation="EU", state="EU") == "state"
    assert drafts.refused_field(membership, joined=PartialDate(2020, 2, 1), left=PartialDate(2020, 1, 31)) == "left"
    one_day = membership(joined=PartialDate(2020, 1, 31), left=PartialDate(2020, 1, 31))
    assert one_day.left == one_day.joined
    assert membership(joined=PartialDate(2020, 1), left=PartialDate(2020, 1, 1)).left == PartialDate(2020, 1, 1)


def test_a_spell_is_certain_on_a_span_from_the_last_day_it_may_have_begun() -> None:
    spell = membership(joined=PartialDate(1973, 1), left=PartialDate(2020, 1, 31))

    assert spell.certain_on(date(1973, 1, 31), date(2020, 1, 31))
    assert not spell.certain_on(date(1973, 1, 30), date(1973, 2, 1))
    assert not spell.certain_on(date(2020, 1, 1), date(2020, 2, 1))


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ((PartialDate(1973), PartialDate(1980, 6, 30)), (PartialDate(1980, 6, 30), None), True),
        ((PartialDate(1973), PartialDate(1980, 6, 29)), (PartialDate(1980, 6, 30), None), False),
        ((PartialDate(1990), None), (PartialDate(1973), PartialDate(1990, 1, 1)), True),
        ((PartialDate(1990, 1, 2), None), (PartialDate(1973), PartialDate(1990, 1, 1)), False),
        ((PartialDate(1973), None), (PartialDate(2020), None), True),
    ],
)
def test_two_spells_overlap_when_they_may_share_a_day(
    first: tuple[PartialDate, PartialDate | None], second: tuple[PartialDate, PartialDate | None], overlap: bool
) -> None:
    one = membership(joined=first[0], left=first[1])
    other = membership(joined=second[0], left=second[1])

    assert one.overlaps(other) is overlap
    assert other.overlaps(one) is overlap


@pytest.mark.parametrize("elsewhere", [{"organisation": "NATO"}, {"state": "FR"}])
def test_spells_of_another_pair_never_overlap(elsewhere: dict[str, str]) -> None:
    assert not membership().overlaps(membership(**elsewhere))


def test_a_citation_backs_one_thing_and_only_a_measures_citation_reports_a_headcount() -> None:
    assert drafts.refused_field(citation, measure_id=None) == "measureId"
    assert drafts.refused_field(citation, statement_id=3) == "measureId"
    assert drafts.refused_field(citation, measure_id=None, statement_id=3, reported_headcount=Headcount.exactly(3)) == "reportedHeadcount"
    assert citation(reported_headcount=Headcount.exactly(3)).reported_headcount == Headcount.exactly(3)

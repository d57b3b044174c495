"""Invariants of statements, sources and citations, checked when an entity is built."""

from __future__ import annotations

import pytest

from domain.record import checks
from domain.record.sources import Citation
from domain.record.values import Headcount
from tests import drafts
from tests.drafts import refused_field


def test_a_statement_names_its_speaker_or_at_least_the_role() -> None:
    assert refused_field(drafts.statement, speaker_name=None, speaker_role=None) == "speakerRole"
    assert refused_field(drafts.statement, speaker_name="  ", speaker_role="") == "speakerRole"
    assert drafts.statement(speaker_name="Mariusz Kaminski", speaker_role=None).speaker_name == "Mariusz Kaminski"


def test_a_statement_by_role_alone_is_enough() -> None:
    assert drafts.statement(speaker_name=None, speaker_role=" State Department spokesman ").speaker_role == "State Department spokesman"


def test_a_quote_is_required_and_limited() -> None:
    assert refused_field(drafts.statement, quote=" \n ") == "quote"
    assert refused_field(drafts.statement, quote="x" * (checks.LONG_TEXT + 1)) == "quote"
    assert len(drafts.statement(quote="x" * checks.LONG_TEXT).quote) == checks.LONG_TEXT


@pytest.mark.parametrize(("tag", "kept"), [("en", "en"), ("RU", "ru"), ("pt-BR", "pt-BR"), ("zh-Hant-TW", "zh-Hant-TW"), (" pl ", "pl")])
def test_a_quote_language_is_a_language_tag_with_a_lower_case_primary_subtag(tag: str, kept: str) -> None:
    assert drafts.statement(quote_language=tag).quote_language == kept


@pytest.mark.parametrize("tag", [None, "", "e", "english", "en_US", "en-", "1a", "en-abcdefghi", "en US"])
def test_a_quote_language_that_is_not_a_tag_or_missing_is_refused(tag: str | None) -> None:
    assert refused_field(drafts.statement, quote_language=tag) == "quoteLanguage"


@pytest.mark.parametrize("tag", ["\u0440\u0443", "en-\u00b2"])  # Cyrillic "ru"; a superscript two
def test_a_language_tag_is_ascii_only(tag: str) -> None:
    assert refused_field(drafts.statement, quote_language=tag) == "quoteLanguage"


def test_a_translation_comes_with_its_language() -> None:
    assert refused_field(drafts.statement, quote_language="ru", translation="a decisive response") == "translationLanguage"
    assert refused_field(drafts.statement, translation_language="en") == "translationLanguage"


def test_a_translation_keeps_the_original_beside_it() -> None:
    said = drafts.statement(quote="решительный ответ", quote_language="ru", translation="a decisive response", translation_language="EN")

    assert (said.quote, said.quote_language) == ("решительный ответ", "ru")
    assert (said.translation, said.translation_language) == ("a decisive response", "en")


def test_a_translation_language_must_be_a_tag() -> None:
    assert refused_field(drafts.statement, translation="a decisive response", translation_language="English") == "translationLanguage"


def test_a_statement_about_the_same_measure_twice_is_refused() -> None:
    assert refused_field(drafts.statement, measure_ids=(3, 3)) == "measureIds"


def test_a_statement_may_be_about_no_measure() -> None:
    assert drafts.statement(measure_ids=()).measure_ids == ()


@pytest.mark.parametrize("url", ["https://www.state.gov/briefings/", "http://interfax.ru/x", "HTTPS://MID.RU/"])
def test_a_source_url_is_absolute_http_or_https(url: str) -> None:
    assert drafts.source(url=url).url == url


@pytest.mark.parametrize("url", ["ftp://example.org/file", "javascript:alert(1)", "www.state.gov", "/briefings", "mailto:press@state.gov"])
def test_a_source_url_with_another_scheme_or_none_is_refused(url: str) -> None:
    assert refused_field(drafts.source, url=url) == "url"


def test_a_source_url_is_optional_and_limited() -> None:
    assert drafts.source(url="   ").url is None
    too_long = "https://example.org/" + "x" * checks.URL_TEXT
    assert refused_field(drafts.source, url=too_long) == "url"


def test_a_source_needs_a_publisher_and_a_title_of_limited_length() -> None:
    assert refused_field(drafts.source, publisher="") == "publisher"
    assert refused_field(drafts.source, title=" ") == "title"
    assert refused_field(drafts.source, title="x" * 501) == "title"
    assert drafts.source(title="x" * 500).title == "x" * 500


def test_a_citation_backs_exactly_one_measure_or_one_statement() -> None:
    assert refused_field(Citation, source_id=1) == "measureId"
    assert refused_field(Citation, source_id=1, measure_id=2, statement_id=3) == "measureId"


def test_only_a_citation_of_a_measure_reports_a_headcount() -> None:
    assert refused_field(Citation, source_id=1, statement_id=3, reported_headcount=Headcount.exactly(12)) == "reportedHeadcount"
    assert Citation(source_id=1, measure_id=2, reported_headcount=Headcount.exactly(12)).reported_headcount == Headcount.exactly(12)


def test_a_citation_excerpt_is_stripped_and_limited() -> None:
    assert Citation(source_id=1, measure_id=2, excerpt=" a list of personnel ").excerpt == "a list of personnel"
    assert refused_field(Citation, source_id=1, measure_id=2, excerpt="x" * (checks.LONG_TEXT + 1)) == "excerpt"

"""Text, URLs, language tags and id lists are held to their limits exactly: the last value allowed passes, the next is refused."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.record import checks
from domain.record.checks import LONG_TEXT, SHORT_TEXT, URL_TEXT


def refused_field(check: object, *args: object, **kwargs: object) -> str:
    assert callable(check)
    with pytest.raises(InvalidInput) as refused:
        check(*args, **kwargs)
    assert refused.value.message, "a refusal says why"
    return refused.value.field


def test_the_limits_are_those_the_schema_documents() -> None:
    assert (SHORT_TEXT, LONG_TEXT, URL_TEXT) == (200, 10_000, 2_000)


@pytest.mark.parametrize("limit", [SHORT_TEXT, LONG_TEXT, 1, 35])
def test_text_exactly_at_its_limit_is_kept_and_one_character_more_is_refused(limit: int) -> None:
    assert checks.text("quote", "q" * limit, limit=limit) == "q" * limit
    assert refused_field(checks.text, "quote", "q" * (limit + 1), limit=limit) == "quote"


def test_text_is_held_to_the_short_limit_unless_told_otherwise() -> None:
    assert checks.text("name", "n" * SHORT_TEXT) == "n" * SHORT_TEXT
    assert refused_field(checks.text, "name", "n" * (SHORT_TEXT + 1)) == "name"
    assert refused_field(checks.required_text, "name", "n" * (SHORT_TEXT + 1)) == "name"
    assert checks.required_text("name", "n" * SHORT_TEXT) == "n" * SHORT_TEXT


def test_required_text_takes_its_own_limit() -> None:
    assert checks.required_text("title", "t" * 500, limit=500) == "t" * 500
    assert refused_field(checks.required_text, "title", "t" * 501, limit=500) == "title"


def test_the_limit_counts_the_text_without_its_surrounding_blanks() -> None:
    assert checks.text("city", "  " + "c" * SHORT_TEXT + "\n ") == "c" * SHORT_TEXT


def test_surrounding_blanks_go_and_inner_ones_stay() -> None:
    assert checks.text("city", " \t New  York \r\n") == "New  York"


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t"])
def test_absent_or_blank_optional_text_is_none(value: str | None) -> None:
    assert checks.text("city", value) is None


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t"])
def test_absent_or_blank_required_text_is_refused_naming_the_field(value: str | None) -> None:
    assert refused_field(checks.text, "quote", value, required=True) == "quote"
    assert refused_field(checks.required_text, "speakerName", value) == "speakerName"


@pytest.mark.parametrize(
    "control",
    [chr(code) for code in (0x00, 0x01, 0x08, 0x0B, 0x0C, 0x0E, 0x1B, 0x1F, 0x7F, 0xD800, 0xDBFF, 0xDC00, 0xDFFF)],
    ids=lambda control: f"U+{ord(control):04X}",
)
def test_control_characters_and_lone_surrogates_are_refused_inside_text(control: str) -> None:
    assert refused_field(checks.text, "quote", f"before{control}after") == "quote"
    assert refused_field(checks.required_text, "title", f"a{control}b") == "title"


@pytest.mark.parametrize(
    "allowed",
    [chr(code) for code in (0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x2028, 0xD7FF, 0xE000, 0x1F600, 0x439, 0x662)],
    ids=lambda allowed: f"U+{ord(allowed):04X}",
)
def test_tabs_line_breaks_and_every_other_character_are_kept(allowed: str) -> None:
    assert checks.text("quote", f"before{allowed}after") == f"before{allowed}after"


def test_a_control_character_is_refused_even_in_text_too_long_to_keep() -> None:
    assert refused_field(checks.text, "quote", "\x00" * (SHORT_TEXT + 1)) == "quote"


@pytest.mark.parametrize("value", ["http://example.org", "https://example.org/a?b=c", "HTTPS://EXAMPLE.ORG", "Http://x"])
def test_an_absolute_http_or_https_url_is_kept_as_written(value: str) -> None:
    assert checks.url("url", f"  {value} ") == value


@pytest.mark.parametrize("value", ["ftp://example.org", "//example.org", "example.org", "mailto:a@b.org", "http:/x", "javascript:alert(1)"])
def test_any_other_url_is_refused_naming_the_field(value: str) -> None:
    assert refused_field(checks.url, "sourceUrl", value) == "sourceUrl"


def test_a_url_is_held_to_its_own_limit() -> None:
    at_limit = "https://example.org/" + "p" * (URL_TEXT - len("https://example.org/"))
    assert len(at_limit) == URL_TEXT

    assert checks.url("url", at_limit) == at_limit
    assert refused_field(checks.url, "url", at_limit + "p") == "url"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_no_url_is_none(value: str | None) -> None:
    assert checks.url("url", value) is None


def test_a_url_with_a_control_character_is_refused() -> None:
    assert refused_field(checks.url, "url", "https://example.org/\x00") == "url"


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("en", "en"),
        ("rus", "rus"),
        ("EN", "en"),
        ("pt-BR", "pt-BR"),
        ("PT-br", "pt-br"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("sr-Latn-RS", "sr-Latn-RS"),
        ("en-12345678", "en-12345678"),
        ("es-419", "es-419"),
        ("de-1", "de-1"),
        (" fr ", "fr"),
    ],
)
def test_a_language_tag_is_kept_with_its_primary_subtag_in_lower_case(value: str, kept: str) -> None:
    assert checks.language("quoteLanguage", value) == kept


@pytest.mark.parametrize(
    "value", ["e", "engl", "en-", "-en", "en--GB", "en_GB", "en-123456789", "e1", "12", "en GB", "en-GB-", "\u0440\u0443", "\u00e9n"]
)
def test_anything_else_is_not_a_language_tag(value: str) -> None:
    assert refused_field(checks.language, "quoteLanguage", value) == "quoteLanguage"


def test_a_language_tag_is_at_most_35_characters() -> None:
    at_limit = "en" + "-abcdefgh" * 3 + "-abcde"
    assert len(at_limit) == 35

    assert checks.language("language", at_limit) == at_limit
    assert refused_field(checks.language, "language", at_limit + "h") == "language"


def test_a_missing_language_is_none_unless_required() -> None:
    assert checks.language("language", None) is None
    assert checks.language("language", "  ") is None
    assert refused_field(checks.language, "language", None, required=True) == "language"
    assert refused_field(checks.language, "language", "", required=True) == "language"
    assert checks.language("language", "de", required=True) == "de"


def test_distinct_ids_keep_the_callers_order() -> None:
    assert checks.distinct_ids("diplomatIds", [3, 1, 2]) == (3, 1, 2)
    assert checks.distinct_ids("diplomatIds", iter([5])) == (5,)
    assert checks.distinct_ids("diplomatIds", []) == ()


@pytest.mark.parametrize("ids", [[1, 1], [3, 1, 2, 3], [2, 2, 2]])
def test_an_id_named_twice_is_refused_naming_the_field(ids: list[int]) -> None:
    assert refused_field(checks.distinct_ids, "answers", ids) == "answers"


def test_an_id_named_twice_from_an_iterator_is_refused() -> None:
    assert refused_field(checks.distinct_ids, "answers", iter([4, 4])) == "answers"

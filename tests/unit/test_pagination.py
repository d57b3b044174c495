"""A page request refuses every mix of directions and every size outside 0..limit; a cursor only opens the ordering it came from."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest

from domain.errors import InvalidInput
from domain.read.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Order, Page, PageRequest, cursor_ends, decode_cursor, encode_cursor


def refused_field(**request: Any) -> str:
    with pytest.raises(InvalidInput) as refused:
        PageRequest(**request)
    assert refused.value.message, "a refusal says why"
    return refused.value.field


def test_after_pages_forward_and_is_refused_with_last() -> None:
    assert refused_field(last=2, after=5) == "after"
    assert refused_field(last=0, after=(5,)) == "after"


def test_before_pages_backward_and_is_refused_with_first() -> None:
    assert refused_field(first=2, before=5) == "before"
    assert refused_field(first=0, before=(5,)) == "before"


def test_first_and_last_together_are_refused_even_at_zero() -> None:
    assert refused_field(first=0, last=0) == "first"


@pytest.mark.parametrize(
    "request_",
    [
        {"first": 2, "after": 5},
        {"last": 2, "before": 5},
        {"after": 5},
        {"before": 5},
        {"after": 5, "before": 9},
    ],
)
def test_a_cursor_in_its_own_direction_or_without_a_size_is_accepted(request_: dict[str, Any]) -> None:
    PageRequest(**request_)


@pytest.mark.parametrize("direction", ["first", "last"])
@pytest.mark.parametrize(("limit", "size"), [(MAX_PAGE_SIZE, 0), (MAX_PAGE_SIZE, MAX_PAGE_SIZE), (10, 10), (1, 1), (0, 0)])
def test_a_size_from_zero_up_to_and_including_the_limit_is_accepted(direction: str, limit: int, size: int) -> None:
    sizes: dict[str, Any] = {direction: size}
    request = PageRequest(**sizes, limit=limit)

    assert request.size == size


@pytest.mark.parametrize("direction", ["first", "last"])
@pytest.mark.parametrize(("limit", "size"), [(MAX_PAGE_SIZE, -1), (MAX_PAGE_SIZE, MAX_PAGE_SIZE + 1), (10, 11), (1, 2), (0, 1), (10, -1)])
def test_a_size_below_zero_or_one_past_the_limit_is_refused_naming_its_direction(direction: str, limit: int, size: int) -> None:
    sizes: dict[str, Any] = {direction: size, "limit": limit}
    assert refused_field(**sizes) == direction


def test_the_default_limit_is_the_largest_page() -> None:
    assert PageRequest().limit == MAX_PAGE_SIZE == 100
    assert PageRequest(first=MAX_PAGE_SIZE).size == MAX_PAGE_SIZE


@pytest.mark.parametrize(
    ("limit", "size"), [(MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE), (DEFAULT_PAGE_SIZE, DEFAULT_PAGE_SIZE), (21, 20), (19, 19), (1, 1)]
)
def test_without_a_size_a_page_holds_the_default_or_the_limit_whichever_is_smaller(limit: int, size: int) -> None:
    assert DEFAULT_PAGE_SIZE == 20
    assert PageRequest(limit=limit).size == size


def test_a_size_of_zero_is_a_size_not_a_missing_one() -> None:
    assert PageRequest(first=0).size == 0
    assert PageRequest(last=0).size == 0
    assert PageRequest(last=0).backward
    assert not PageRequest(first=0).backward
    assert not PageRequest().backward


def test_a_backward_request_takes_its_size_from_last() -> None:
    assert PageRequest(last=7).size == 7
    assert PageRequest(last=7, before=3).size == 7


def test_a_request_keeps_its_order_and_direction() -> None:
    request = PageRequest(first=3, after=(date(2022, 3, 1).isoformat(), 4), order=Order.ANNOUNCED, descending=True)

    assert (request.order, request.descending, request.after) == (Order.ANNOUNCED, True, ("2022-03-01", 4))
    assert (PageRequest().order, PageRequest().descending) == (Order.ID, False)


def test_an_empty_page_has_nothing_on_either_side() -> None:
    page: Page[int] = Page()

    assert (page.items, page.keys, page.has_next, page.has_previous) == ([], [], False, False)


def payload_of(cursor: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    return decoded


def cursor_of(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def test_a_cursor_names_its_ordering_its_direction_and_the_key_with_dates_in_iso_form() -> None:
    cursor = encode_cursor((date(2022, 3, 1), "x", 12), Order.ANNOUNCED, True)

    assert base64.urlsafe_b64decode(cursor.encode()).decode() == '{"o":"announced","d":true,"k":["2022-03-01","x",12]}'


def test_the_ends_of_a_cursor_are_the_text_around_its_key() -> None:
    assert cursor_ends(Order.ID, False) == ('{"o":"id","d":false,"k":[', "]}")
    assert cursor_ends(Order.SAID_ON, True) == ('{"o":"said_on","d":true,"k":[', "]}")


@pytest.mark.parametrize(
    ("key", "order", "descending"),
    [
        ((7,), Order.ID, False),
        ((date(2022, 3, 1), 7), Order.ANNOUNCED, True),
        ((45, 3), Order.HEADCOUNT, False),
        ((0.75, 2), Order.RELEVANCE, True),
        (("2022-03", 1), Order.SAID_ON, False),
    ],
)
def test_a_cursor_gives_back_its_key_for_its_own_ordering(key: tuple[object, ...], order: Order, descending: bool) -> None:
    plain = tuple(value.isoformat() if isinstance(value, date) else value for value in key)

    assert decode_cursor("after", encode_cursor(key, order, descending), order, descending) == plain


def test_no_cursor_is_no_key() -> None:
    assert decode_cursor("after", None, Order.ID, False) is None


@pytest.mark.parametrize(("order", "descending"), [(Order.ANNOUNCED, False), (Order.ID, True), (Order.HEADCOUNT, False)])
def test_a_cursor_is_refused_by_another_ordering_or_direction_naming_the_argument(order: Order, descending: bool) -> None:
    cursor = encode_cursor(("2022-03-01", 7), Order.ID, False) if order is not Order.ID else encode_cursor((7,), Order.ID, False)

    with pytest.raises(InvalidInput) as refused:
        decode_cursor("before", cursor, order, descending)

    assert refused.value.message

    assert refused.value.field == "before"


@pytest.mark.parametrize(
    "payload",
    [
        {"o": "id", "d": False, "k": []},
        {"o": "id", "d": False, "k": 7},
        {"o": "id", "d": False, "k": "7"},
        {"o": "id", "d": False, "k": [True]},
        {"o": "id", "d": False, "k": ["2022", True, 7]},
        {"o": "id", "d": False, "k": [None, 7]},
        {"o": "id", "d": False, "k": [[1], 7]},
        {"o": "id", "d": False, "k": [{"a": 1}, 7]},
        {"o": "id", "d": False, "k": ["7"]},
        {"o": "id", "d": False, "k": [7.0]},
        {"o": "id", "d": False, "k": [7, "x"]},
        {"o": "id", "d": False},
        [7],
        7,
        "7",
        None,
    ],
)
def test_a_payload_without_a_key_ending_in_an_id_is_not_a_cursor(payload: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor("after", cursor_of(payload), Order.ID, False)

    assert refused.value.message

    assert refused.value.field == "after"


@pytest.mark.parametrize("cursor", ["", "a", "!!!!", "YWJj", base64.urlsafe_b64encode(b"\xff\xfe{").decode(), "\ud800"])
def test_text_that_is_not_base64_json_is_not_a_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor("before", cursor, Order.ID, False)

    assert refused.value.message

    assert refused.value.field == "before"


def test_a_key_may_hold_text_and_numbers_before_its_id() -> None:
    cursor = cursor_of({"o": "relevance", "d": True, "k": [0.5, "x", -3, 9]})

    assert decode_cursor("after", cursor, Order.RELEVANCE, True) == (0.5, "x", -3, 9)


def test_a_cursor_from_an_ordering_without_its_direction_is_refused() -> None:
    with pytest.raises(InvalidInput):
        decode_cursor("after", cursor_of({"o": "id", "k": [7]}), Order.ID, False)
    with pytest.raises(InvalidInput):
        decode_cursor("after", cursor_of({"d": False, "k": [7]}), Order.ID, False)

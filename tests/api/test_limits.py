"""The request limits measured on documents: linear in the document's size, and counting what they claim."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql import get_introspection_query, print_ast
from graphql.language import Lexer, Source, TokenKind
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from starlette.types import Message

from api.graphql.schema import build_schema, client_schema
from api.http.cache import ResponseCache
from api.http.requests import GATED, Call
from api.limits.documents import TOKEN, over_token_limit
from tests.api.asgi import no_body

SCHEMA = build_schema()


def lexer_tokens(document: str) -> int:
    lexer = Lexer(Source(document))
    count = 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def scanned_tokens(document: str) -> int:
    return sum(1 for match in TOKEN.finditer(document) if not match.group().startswith("#"))


@pytest.mark.parametrize(
    "document",
    [
        get_introspection_query(descriptions=True, input_value_deprecation=True),
        'query Q($a: [Int!] = [1, -2, 3.5e-3], $b: String = "x\\"#y") { a: f(x: """block "" "q" \\""" """) @skip(if: false) { ...F } }'
        '# a comment with "quotes" and { braces }\nfragment F on T { g }',
        '{ s(x: "\\u00e9 \\\\ \\n") }',
    ],
)
def test_the_token_scan_counts_what_the_lexer_counts(document: str) -> None:
    assert scanned_tokens(document) == lexer_tokens(document)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(queries(client_schema(SCHEMA._schema), print_ast=print_ast))  # federation's _Any has no generator
def test_the_token_scan_never_counts_more_than_the_lexer_on_generated_documents(document: str) -> None:
    # A count above the lexer's would refuse a valid document; one below only leaves the refusal to the parser.
    assert scanned_tokens(document) <= lexer_tokens(document)


@contextmanager
def cpu() -> Iterator[list[float]]:
    """The CPU time of the block, with collections of earlier tests' garbage held off (they are not what is measured)."""
    spent: list[float] = []
    gc.disable()
    started = time.process_time()
    try:
        yield spent
    finally:
        spent.append(time.process_time() - started)
        gc.enable()


def test_a_megabyte_of_tokens_is_refused_by_the_scan_in_milliseconds() -> None:
    document = "{ " + " ".join(["abcdefg"] * 125_000) + " }"
    with cpu() as spent:
        assert over_token_limit(document, 5000)
        prepared = SCHEMA.documents.prepare(document)
    assert spent[0] < 0.05, spent
    assert prepared.document is None
    assert "more than 5000 tokens" in prepared.errors[0].message


@given(st.integers(min_value=1, max_value=4999))
def test_a_document_within_the_token_limit_is_never_refused_by_the_scan(tokens: int) -> None:
    assert not over_token_limit("{ " + " ".join(["a"] * (tokens - 2)) + " }", 5000)


def fan_out(levels: int, leaf: str) -> str:
    parts = ["query { ...F0 }"]
    parts += [f"fragment F{level} on Root {{ {' '.join([f'...F{level + 1}'] * 10)} }}" for level in range(levels - 1)]
    parts.append(f"fragment F{levels - 1} on Root {{ {leaf} }}")
    return " ".join(parts)


@pytest.mark.parametrize("leaf", ["__typename", "a: __typename", "expulsions(first: 1) { nodes { id } }"])
def test_validating_and_costing_a_fragment_fan_out_takes_time_linear_in_its_size(leaf: str) -> None:
    timings: list[float] = []
    for levels in (4, 8):
        documents = SCHEMA.documents
        text = fan_out(levels, leaf) + " " * len(timings)  # a text not seen before: parsed and validated here
        with cpu() as spent:
            prepared = documents.prepare(text)
            if prepared.document is not None and not prepared.errors:
                documents.cost(prepared.document, None, {})
        timings.append(spent[0])
    # Four more levels multiply the fan-out by 10^4 and the size by about two.
    assert timings[1] < 0.1, timings


def test_fan_out_counts_every_spread_for_aliases_and_cost() -> None:
    prepared = SCHEMA.documents.prepare(fan_out(7, "a: __typename"))
    assert [error.message for error in prepared.errors] == ["1000000 aliases found. Allowed: 30"]
    costed = SCHEMA.documents.prepare(fan_out(3, "states(first: 5) { nodes { code } }"))
    assert not costed.errors
    assert costed.document is not None
    # 100 spreads of one connection (1) of five states (5).
    assert SCHEMA.documents.cost(costed.document, None, {}) == 100 * (1 + 5)


AT_IN_A_FRAGMENT = """query($at: DateTime) { a: state(code: "PL") { name } ...R }
fragment R on Root { ... on Root { b: state(code: "RU", asOf: $at) { name } } }"""
"""A document whose `asOf` is on a root field reached through a fragment: one costlier when it names an instant."""


@pytest.mark.parametrize(
    ("document", "variables", "cost"),
    [
        ("{ __typename }", None, 0),
        ('{ state(code: "PL") { name } }', None, 1),
        ("query($n: Int) { expulsions(first: $n) { totalCount nodes { id actor { code } } } }", {"n": 7}, 1 + 7 + 7),
        (
            "{ expulsions(last: 3) { edges { node { citations { source { title } } } } pageInfo { hasNextPage } } }",
            None,
            1 + 3 + 3 + 30 + 30 + 1,
        ),
        ("{ expulsions { nodes { id } } }", None, 1 + 100),
        ("query($skip: Boolean!) { expulsions(first: 5) { nodes @skip(if: $skip) { id } } }", {"skip": True}, 1),
        ("{ rankings(limit: 4) { actor { code } } }", None, 4 * 101 + 4),
        ("{ __schema { types { name fields { name } } } }", None, 1000),
        ('{ tally(target: "RU") { measures } }', None, 101),
        ("{ tallies(by: WAVE) { key tally { measures } } }", None, 10 * 101 + 10),
        ('{ expulsions(first: 2, asOf: "2026-12-01T00:00:00Z") { totalCount } }', None, 1 + 500),
        (AT_IN_A_FRAGMENT, {"at": None}, 1 + 1),
        (AT_IN_A_FRAGMENT, {"at": "2026-12-01T00:00:00Z"}, 1 + 1 + 500),
    ],
)
def test_the_cost_counts_objects_by_page_and_list(document: str, variables: dict[str, Any] | None, cost: int) -> None:
    prepared = SCHEMA.documents.prepare(document)
    assert not prepared.errors, prepared.errors
    assert prepared.document is not None
    assert SCHEMA.documents.cost(prepared.document, None, variables) == cost


def test_the_response_cache_stays_within_its_bytes_and_keeps_no_answer_over_a_tenth_of_them() -> None:
    answers = {"size": 0}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b'{"data":"' + b"x" * answers["size"] + b'"}'
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    async def version() -> int:
        return 1

    async def ask(cache: ResponseCache, number: int) -> None:
        async def send(_message: Message) -> None:
            return None

        call = Call(f"query Q{number} {{ __typename }}", None, None, None)
        await cache({"type": "http", "method": "POST", "headers": [], "state": {GATED: call}}, no_body, send)

    async def run() -> ResponseCache:
        cache = ResponseCache(app, version, SCHEMA.documents, entries=1000, max_bytes=1_000_000)
        answers["size"] = 90_000
        for number in range(150):
            await ask(cache, number)
            assert cache.bytes <= 1_000_000
        assert 9 <= len(cache._store) <= 11
        answers["size"] = 150_000  # over a tenth: not kept
        await ask(cache, 1000)
        assert all(key[1].find("Q1000 ") < 0 for key in cache._store)
        return cache

    asyncio.run(run())


def test_fields_repeated_beside_each_other_are_refused_before_the_pairwise_merge_check() -> None:
    many = "{ " + " ".join(["diplomats { nodes { id } }"] * 700) + " }"
    with cpu() as spent:
        prepared = SCHEMA.documents.prepare(many)
    assert spent[0] < 0.3, spent  # the specification's pairwise merge check alone took 1.5 s
    assert prepared.document is None
    assert prepared.errors[0].message == "699 fields repeat a name already selected beside them; at most 100 may"
    # A node's fields repeated once per type it may be are far below the limit.
    usual = "query($id: ID!) { node(id: $id) { ... on Expulsion { id } ... on State { id } ... on Statement { id } } }"
    assert not SCHEMA.documents.prepare(usual).errors


ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on State { code memberships { organisation { code } } } } }"
"""Each entity: itself (1), its memberships (a plain list: 10) and each one's organisation (10)."""


@pytest.mark.parametrize("count", [1, 4, 40, 100])
def test_entities_cost_as_many_objects_as_they_are_given_representations(count: int) -> None:
    prepared = SCHEMA.documents.prepare(ENTITIES)
    assert not prepared.errors, prepared.errors
    assert prepared.document is not None
    representations = [{"__typename": "State", "code": "PL"}] * count
    assert SCHEMA.documents.cost(prepared.document, None, {"r": representations}) == count * (1 + 10 + 10)


def test_a_literal_list_of_ids_or_representations_costs_its_length() -> None:
    three = ", ".join(['{__typename: "State", code: "PL"}'] * 3)
    twelve = ", ".join(['"U3RhdGU6UEw="'] * 12)
    for document, cost in [
        (f"{{ _entities(representations: [{three}]) {{ ... on State {{ name }} }} }}", 3),
        (f"{{ nodes(ids: [{twelve}]) {{ id }} }}", 12),
    ]:
        prepared = SCHEMA.documents.prepare(document)
        assert not prepared.errors, prepared.errors
        assert prepared.document is not None
        assert SCHEMA.documents.cost(prepared.document, None, {}) == cost, document


def test_a_page_of_representations_over_the_budget_is_refused_with_its_cost() -> None:
    representations = [{"__typename": "State", "code": "PL"}] * 100
    cost, refusal = SCHEMA.documents.refusal(ENTITIES, None, {"r": representations}, 2_000)
    assert cost == 2_100
    assert refusal is not None
    assert refusal.extensions == {"code": "COST_LIMIT_EXCEEDED", "cost": 2_100, "limit": 2_000}
    assert SCHEMA.documents.refusal(ENTITIES, None, {"r": representations[:90]}, 2_000) == (1_890, None)


def test_a_variables_default_counts_in_the_cost_as_it_will_run() -> None:
    document = "query($f: Boolean = true, $n: Int = 50) { a: expulsions(first: $n) @include(if: $f) { nodes { id } } }"
    cost, refusal = SCHEMA.documents.refusal(document, None, {"f": True, "n": 50}, 25_000)
    assert (cost, refusal) == (1 + 50, None)

"""Schemathesis sends generated queries and mutations for every root field of the contract to a live
server, on SQLite and PostgreSQL, anonymously and with an editor's token: none may make it fail.

Failing is what only a broken server answers: an HTTP 5xx, a body that is not a GraphQL response (a
JSON object with `data` or `errors`), a non-null field answered with null, or an error the server
masked as "Unexpected error." (a 500 in all but status: it logged a traceback). Refusing a bad ID,
cursor or limit is an answer, not a failure, so schemathesis' own GraphQL verdict on errors that carry
a `path` is not used.

Bounded and reproducible: MAX_EXAMPLES requests per root field, caller and database (positive and
negative cases), derandomized with a fixed seed and no example database, so CI sends the same requests each run.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeAlias

import pytest
import schemathesis
from graphql import GraphQLObjectType, StringValueNode, build_schema
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, CheckContext, Response
from schemathesis.checks import response_schema_conformance
from schemathesis.graphql import nodes

from tests.e2e.helpers import BACKENDS, LiveServer, mutate, ok, running_server

MAX_EXAMPLES = 10
CONTRACT = Path(__file__).resolve().parents[2] / "schema.graphql"
NODE_TYPES = sorted(
    name
    for name, kind in build_schema(CONTRACT.read_text(encoding="utf-8")).type_map.items()
    if isinstance(kind, GraphQLObjectType) and any(interface.name == "Node" for interface in kind.interfaces)
)

# The committed contract, not the live introspection: the schema is needed when tests are collected, because
# `schemathesis.pytest.from_fixture` cannot run under pytest 9.2 (it sets `Node._nodeid`, which 9.2 removed).
# The contract test keeps schema.graphql equal to what the server serves.
SCHEMA = schemathesis.graphql.from_path(
    CONTRACT,
    config=schemathesis.Config.from_dict(
        {
            "seed": 20220301,
            # Random text is never a state's code or a date; words of the record let some requests past the
            # first check of their input and into the use cases and the database.
            "dictionaries": {"record": {"values": ["RU", "RUS", "PL", "US", "FR", "UA", "BY", "EU", "2022", "2022-03", "2022-03-01"]}},
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "dictionaries": {"string": {"dictionary": "record", "probability": 0.5}},
            },
            # The coverage phase adds cases beyond max-examples; stateful runs do not apply to one field at a time.
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    ),
)


AnyCase: TypeAlias = Case[APIOperation[Any, Any, Any, Any]]
"""A generated request; the checks read only its response, whatever the kinds of its operation's parts."""


def global_id(type_name: str, key: object) -> StringValueNode:
    return nodes.String(base64.b64encode(f"{type_name}:{key}".encode()).decode())


# Random text never decodes as a global ID, so without these no lookup, update or delete would get past the
# ID: IDs of the demo record's own records, and of keys past what the database's integer columns hold.
schemathesis.graphql.scalar(
    "ID",
    st.one_of(
        st.builds(global_id, st.sampled_from(NODE_TYPES), st.integers(min_value=1, max_value=40)),
        st.builds(global_id, st.sampled_from(NODE_TYPES), st.integers() | st.sampled_from([2**31, 2**63, -(2**31) - 1]) | st.text()),
        st.text().map(nodes.String),
    ),
)


@schemathesis.check
def no_server_failure(ctx: CheckContext, response: Response, case: AnyCase) -> None:
    """An HTTP 5xx, or an error the server masked because it did not expect it, is a failure."""
    assert response.status_code < 500, f"HTTP {response.status_code}: {response.text[:2000]}"
    try:
        body = response.json()
    except ValueError:
        return  # not JSON at all: graphql_over_http says so
    errors = body.get("errors") if isinstance(body, dict) else None
    masked = [error for error in errors or [] if isinstance(error, dict) and error.get("message") == "Unexpected error."]
    assert not masked, f"the server masked an unexpected error: {masked}"


@schemathesis.check
def graphql_over_http(ctx: CheckContext, response: Response, case: AnyCase) -> None:
    """A JSON object with `data` or `errors`, as GraphQL over HTTP answers every request it parsed."""
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"content-type {content_type!r}: {response.text[:2000]}"
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"not JSON: {response.text[:2000]}") from None
    assert isinstance(body, dict), f"not a JSON object: {response.text[:2000]}"
    assert "data" in body or "errors" in body, f"neither data nor errors: {response.text[:2000]}"


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="module", params=["anonymous", "editor"])
def headers(request: pytest.FixtureRequest, api: LiveServer) -> dict[str, str]:
    if request.param == "anonymous":
        return {}
    created = ok(mutate(api, "createToken", name="fuzz-editor", role="EDITOR"), "CreatedToken")
    return {"Authorization": f"Bearer {created['secret']}"}


@SCHEMA.parametrize()
def test_no_generated_request_makes_the_server_fail(case: AnyCase, api: LiveServer, headers: dict[str, str]) -> None:
    case.call_and_validate(
        base_url=f"{api.url}/graphql", headers=headers, checks=[no_server_failure, graphql_over_http, response_schema_conformance]
    )

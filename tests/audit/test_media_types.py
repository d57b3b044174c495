"""What the audits do not ask: how Accept headers are weighed, 406 and 405, and a document of two
operations sent without an operationName, which is a request error in both media types."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.http.media import GRAPHQL_RESPONSE, JSON, negotiate
from tests.e2e.conftest import Server, start_server, stop_server


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json;q=0.5", JSON),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        ("text/html,application/xhtml+xml,*/*;q=0.8", JSON),
        ("application/json;q=0, */*", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0, */*", JSON),
        ("text/plain", None),
        ("text/html", None),
        ("application/json;q=0", None),
        ("application/json;q=nonsense", None),
    ],
)
def test_the_media_type_is_the_one_the_client_weighs_highest(accept: str, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(f"sqlite:///{Path(tmp_path_factory.mktemp('media')) / 'demarche.db'}", load_demo=False)
    yield running
    stop_server(running)


def test_an_accept_header_allowing_neither_media_type_gets_406(server: Server) -> None:
    response = httpx.post(f"{server.url}/graphql", json={"query": "{ __typename }"}, headers={"accept": "text/plain"})
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE])
def test_a_mutation_sent_with_get_gets_405_naming_post(server: Server, accept: str) -> None:
    response = httpx.get(f"{server.url}/graphql", params={"query": "mutation { __typename }"}, headers={"accept": accept})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"].startswith(accept)
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(("accept", "status"), [(JSON, 200), (GRAPHQL_RESPONSE, 400)])
def test_two_operations_without_an_operation_name_are_a_request_error(server: Server, accept: str, status: int) -> None:
    payload = {"query": "query A { __typename } query B { __typename }"}
    response = httpx.post(f"{server.url}/graphql", json=payload, headers={"accept": accept})
    assert response.status_code == status
    assert response.json()["errors"] == [{"message": "Must provide operation name if query contains multiple operations."}]
    assert ("data" in response.json()) is (accept == JSON)


def test_a_successful_answer_is_labelled_with_the_negotiated_type_also_from_the_cache(server: Server) -> None:
    payload = {"query": "{ __typename }"}
    answers = [httpx.post(f"{server.url}/graphql", json=payload, headers={"accept": GRAPHQL_RESPONSE}) for _ in range(2)]
    assert [a.headers["content-type"] for a in answers] == ["application/graphql-response+json; charset=utf-8"] * 2
    assert answers[1].headers["x-demarche-cache"] == "hit"
    plain = httpx.post(f"{server.url}/graphql", json=payload)
    assert plain.headers["content-type"] == "application/json"
    assert plain.json() == answers[0].json() == answers[1].json()

"""Automatic persisted queries over real HTTP, in Apollo's protocol (`extensions.persistedQuery.sha256Hash`), on SQLite
and PostgreSQL: an unknown hash is PERSISTED_QUERY_NOT_FOUND; the document sent once with its hash is stored and runs;
later the hash alone runs it, by POST or by GET, and a GET answer says how HTTP caches may keep it. A hash that is not
the document's is refused and stores nothing; a stored document passes every limit a document sent whole does; the
store is bounded, and on PostgreSQL every process shares it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from persistence.sql.documents import SqlPersistedQueries
from persistence.sql.engine import create_engine
from tests.conftest import BACKENDS, throwaway_postgres
from tests.e2e.conftest import Server, servers_on
from tests.e2e.helpers import LiveServer, running_server

JSON = {"Accept": "application/json"}
MAX_COST = 2000


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory, settings={"DEMARCHE_MAX_QUERY_COST": str(MAX_COST)}) as server:
        yield server


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fresh(query: str) -> str:
    """A document no other test sent: its hash is new to the server."""
    return f"# {uuid.uuid4().hex}\n{query}"


def persisted(hash: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hash}}


def post(server: Server, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{server.url}/graphql", json=body, headers=headers or {}, timeout=30)


def get(server: Server, hash: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    params = {"extensions": json.dumps(persisted(hash))}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return httpx.get(f"{server.url}/graphql", params=params, headers={**JSON, **(headers or {})}, timeout=30)


def code(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") or [{}]
    found: str | None = errors[0].get("extensions", {}).get("code")
    return found


STATES = "query States($first: Int!) { states(first: $first) { nodes { code name } } }"


def test_an_unknown_hash_then_the_document_then_the_hash_alone_by_post_and_by_get(api: LiveServer) -> None:
    query = fresh(STATES)
    hash = sha256(query)
    variables = {"first": 3}
    unknown = post(api, {"extensions": persisted(hash), "variables": variables})
    assert unknown.status_code == 200
    assert unknown.json() == {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}
    assert unknown.headers["cache-control"] == "private, no-cache, must-revalidate"
    registered = post(api, {"query": query, "extensions": persisted(hash), "variables": variables})
    assert registered.status_code == 200
    assert "errors" not in registered.json(), registered.text
    data = registered.json()["data"]
    assert len(data["states"]["nodes"]) == 3
    by_post = post(api, {"extensions": persisted(hash), "variables": variables, "operationName": "States"})
    assert by_post.status_code == 200
    assert by_post.json()["data"] == data
    by_get = get(api, hash, variables)
    assert by_get.status_code == 200
    assert by_get.json()["data"] == data
    # The GET is answered in the media type negotiated, and with another variable, differently.
    other = get(api, hash, {"first": 1}, headers={"Accept": "application/graphql-response+json"})
    assert other.headers["content-type"].startswith("application/graphql-response+json")
    assert other.json()["data"]["states"]["nodes"] == data["states"]["nodes"][:1]


def test_a_hash_that_is_not_the_documents_is_refused_and_stores_nothing(api: LiveServer) -> None:
    query = fresh(STATES)
    tampered = sha256(query + " ")
    refused = post(api, {"query": query, "extensions": persisted(tampered), "variables": {"first": 1}})
    assert code(refused) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert refused.json()["data"] is None
    assert sha256(query) in refused.json()["errors"][0]["message"]
    assert code(post(api, {"extensions": persisted(tampered), "variables": {"first": 1}})) == "PERSISTED_QUERY_NOT_FOUND"
    as_graphql_response = post(
        api, {"query": query, "extensions": persisted(tampered)}, headers={"Accept": "application/graphql-response+json"}
    )
    assert as_graphql_response.status_code == 400
    assert code(as_graphql_response) == "PERSISTED_QUERY_HASH_MISMATCH"


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not a hash"}},
        {"persistedQuery": "0" * 64},
    ],
)
def test_a_malformed_persisted_query_extension_is_a_clear_error(api: LiveServer, extensions: dict[str, Any]) -> None:
    refused = post(api, {"extensions": extensions})
    assert code(refused) in ("BAD_REQUEST", "PERSISTED_QUERY_NOT_SUPPORTED"), refused.text
    assert refused.status_code in (200, 400)


def registered(server: Server, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> str:
    hash = sha256(query)
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    answer = post(server, {"query": query, "extensions": persisted(hash), "variables": variables or {}}, headers)
    assert answer.status_code == 200
    assert "errors" not in answer.json(), answer.text
    return hash


def test_a_get_by_hash_is_public_without_a_token_and_private_with_one(api: LiveServer) -> None:
    hash = registered(api, fresh(STATES), {"first": 2})
    public = get(api, hash, {"first": 2})
    assert public.headers["cache-control"] == "public, max-age=60"
    assert {"Accept", "Authorization"} <= {part.strip() for part in public.headers["vary"].split(",")}
    with_token = get(api, hash, {"first": 2}, headers={"Authorization": f"Bearer {api.token}"})
    assert with_token.status_code == 200
    assert with_token.json()["data"] == public.json()["data"]
    assert with_token.headers["cache-control"] == "private, no-store"
    assert "Authorization" in with_token.headers["vary"]
    # An answer with errors is kept by no cache, even without a token.
    failing = get(api, hash, {"first": 5000})
    assert "errors" in failing.json()
    assert failing.headers["cache-control"] == "private, no-store"
    # A document sent whole by GET is not named by hash: it says nothing new to caches.
    whole = httpx.get(f"{api.url}/graphql", params={"query": "{ states(first: 1) { nodes { code } } }"}, headers=JSON)
    assert whole.status_code == 200
    assert whole.headers.get("cache-control") is None


def test_a_mutation_named_by_hash_is_refused_by_get(api: LiveServer) -> None:
    # A mutation registered by POST (its typed failure writes nothing) still cannot be sent by GET.
    mutation = fresh('mutation Wave { createWave(input: {name: ""}) { __typename } }')
    hash = registered(api, mutation, token=api.token)
    refused = get(api, hash, headers={"Authorization": f"Bearer {api.token}"})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
    assert refused.headers["cache-control"] == "private, no-store"
    assert post(api, {"extensions": persisted(hash)}, {"Authorization": f"Bearer {api.token}"}).json()["data"]["createWave"]


def test_a_stored_document_passes_the_same_limits_as_one_sent_whole(api: LiveServer) -> None:
    # Registered cheap, then asked by hash with variables that make it cost more than the limit: refused as sent whole.
    query = fresh("query Costly($first: Int!) { expulsions(first: $first) { nodes { citations { source { publisher } } } } }")
    hash = registered(api, query, {"first": 1})
    refused = post(api, {"extensions": persisted(hash), "variables": {"first": 100}})
    assert code(refused) == "COST_LIMIT_EXCEEDED"
    assert refused.json()["errors"][0]["extensions"]["limit"] == MAX_COST
    by_get = get(api, hash, {"first": 100})
    assert code(by_get) == "COST_LIMIT_EXCEEDED"
    assert by_get.headers["cache-control"] == "private, no-store"
    coerced = post(api, {"extensions": persisted(hash), "variables": {"first": "many"}})
    assert "errors" in coerced.json()
    assert coerced.json()["data"] is None
    # A document over the depth limit is refused when it is sent, and so never stored.
    deep = fresh("{ expulsions { nodes { answers { answers { answers { answers { answers { answers { answers { id } } } } } } } } } }")
    too_deep = post(api, {"query": deep, "extensions": persisted(sha256(deep))})
    assert "errors" in too_deep.json()
    assert too_deep.json()["data"] is None
    assert code(post(api, {"extensions": persisted(sha256(deep))})) == "PERSISTED_QUERY_NOT_FOUND"


async def _stored(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        return await SqlPersistedQueries(engine, entries=1, max_bytes=1).count()
    finally:
        await engine.dispose()


@contextlib.contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'demarche.db'}"
    else:
        with throwaway_postgres("demarche_apq") as url:
            yield url


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_store_keeps_the_most_recently_used_within_its_bounds(backend: str, tmp_path: Path) -> None:
    settings = {"DEMARCHE_PERSISTED_QUERIES_ENTRIES": "3", "DEMARCHE_PERSISTED_QUERIES_BYTES": "65536"}
    with database(backend, tmp_path) as url, servers_on(url, 1, settings=settings) as (server,):
        hashes = [registered(server, fresh(f"query N{n} {{ states(first: {n + 1}) {{ nodes {{ code }} }} }}")) for n in range(5)]
        assert asyncio.run(_stored(url))[0] == 3
        found = [code(post(server, {"extensions": persisted(hash)})) for hash in hashes]
        assert found == ["PERSISTED_QUERY_NOT_FOUND"] * 2 + [None] * 3
        # Bounded in bytes too: a document over a tenth of the 64 KiB runs, and is not kept.
        big = "#" + "y" * 7000 + "\n{ __typename }"
        assert code(post(server, {"query": big, "extensions": persisted(sha256(big))})) is None
        assert code(post(server, {"extensions": persisted(sha256(big))})) == "PERSISTED_QUERY_NOT_FOUND"
        count, size = asyncio.run(_stored(url))
        assert count == 3
        assert size < 1000  # the bound in bytes, and the order of eviction, are held in tests/integration/test_documents.py


@pytest.mark.postgres
def test_every_process_on_postgresql_shares_the_store() -> None:
    with throwaway_postgres("demarche_apq") as url, servers_on(url, 2) as (first, second):
        query = fresh(STATES)
        hash = sha256(query)
        registering = httpx.post(f"{first.url}/graphql", json={"query": query, "extensions": persisted(hash), "variables": {"first": 2}})
        assert "errors" not in registering.json(), registering.text
        answered = httpx.get(
            f"{second.url}/graphql", params={"extensions": json.dumps(persisted(hash)), "variables": '{"first": 2}'}, headers=JSON
        )
        assert answered.status_code == 200
        assert answered.json()["data"] == registering.json()["data"]
        assert answered.headers["cache-control"] == "public, max-age=60"
        unknown = httpx.post(f"{second.url}/graphql", json={"extensions": persisted(sha256(fresh(STATES)))})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

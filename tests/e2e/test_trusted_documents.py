"""Trusted documents over real HTTP, on SQLite and PostgreSQL: operations registered with `demarche documents register`
run by hash (Apollo's extension or `documentId`) or by name, and with DEMARCHE_TRUSTED_DOCUMENTS_ONLY=true nothing else
does; introspection and GraphiQL each turned off by a setting of its own."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.documents import document_hash
from tests.e2e.helpers import BACKENDS, LiveServer, running_server

OPERATIONS = """
query StateByCode($code: String!) { state(code: $code) { ...Named } }
query FirstStates { states(first: 2) { nodes { ...Named } } }
subscription Waves { history(entity: WAVE) { id } }
fragment Named on State { code name }
"""
LOCKED = {"DEMARCHE_TRUSTED_DOCUMENTS_ONLY": "true", "DEMARCHE_INTROSPECTION": "false", "DEMARCHE_GRAPHIQL": "false"}


def demarche(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEMARCHE_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def database_of(server: LiveServer) -> str:
    return server.database_url


@pytest.fixture(scope="module", params=BACKENDS)
def locked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """A locked-down server, and the hash of each operation registered from a file (before it started, and while it runs)."""
    folder = tmp_path_factory.mktemp("operations")
    (folder / "ops.graphql").write_text(OPERATIONS, encoding="utf-8")
    with running_server(request.param, tmp_path_factory, settings=LOCKED) as server:
        url = database_of(server)
        registered = demarche(url, "documents", "register", str(folder / "ops.graphql"))
        assert registered.returncode == 0, registered.stderr
        hashes = {line.split("\t")[1]: line.split("\t")[2].removeprefix("sha256:") for line in registered.stdout.splitlines()}
        yield server, hashes


def post(server: LiveServer, body: dict[str, Any]) -> httpx.Response:
    return server.client.post(f"{server.url}/graphql", json=body, headers={"Authorization": f"Bearer {server.token}"})


def code(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") or [{}]
    found: str | None = errors[0].get("extensions", {}).get("code")
    return found


def test_registering_is_idempotent_and_lists_each_operation_with_its_hash(locked: tuple[LiveServer, dict[str, str]]) -> None:
    server, hashes = locked
    assert set(hashes) == {"StateByCode", "FirstStates", "Waves"}
    url = database_of(server)
    with_fragment = (
        "query StateByCode($code: String!) {\n  state(code: $code) {\n    ...Named\n  }\n}\n\nfragment Named on State {\n  code\n  name\n}"
    )
    assert hashes["StateByCode"] == document_hash(with_fragment)
    listed = demarche(url, "documents", "list")
    assert sorted(line.split("\t")[0] for line in listed.stdout.splitlines()) == ["FirstStates", "StateByCode", "Waves"]
    manifest = json.loads(demarche(url, "documents", "list", "--manifest").stdout)
    assert manifest["format"] == "apollo-persisted-query-manifest"
    assert {(o["name"], o["id"], o["type"]) for o in manifest["operations"]} >= {("StateByCode", hashes["StateByCode"], "query")}
    assert ("Waves", hashes["Waves"], "subscription") in {(o["name"], o["id"], o["type"]) for o in manifest["operations"]}


def test_a_file_with_an_invalid_or_anonymous_operation_registers_nothing(locked: tuple[LiveServer, dict[str, str]], tmp_path: Path) -> None:
    server, _ = locked
    url = database_of(server)
    bad = tmp_path / "bad.graphql"
    bad.write_text("query Fine { __typename }\nquery Wrong { nope }\n{ __typename }\n", encoding="utf-8")
    refused = demarche(url, "documents", "register", str(bad))
    assert refused.returncode == 1
    assert "Cannot query field 'nope'" in refused.stderr
    assert "anonymous query" in refused.stderr
    assert "Fine" not in demarche(url, "documents", "list").stdout
    assert code(post(server, {"operationName": "Fine"})) == "TRUSTED_DOCUMENT_NOT_FOUND"


def test_a_registered_operation_runs_by_hash_by_document_id_and_by_name(locked: tuple[LiveServer, dict[str, str]]) -> None:
    server, hashes = locked
    expected = {"state": {"code": "PL", "name": "Poland"}}
    hash = hashes["StateByCode"]
    by_hash = post(server, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}, "variables": {"code": "PL"}})
    assert by_hash.json()["data"] == expected, by_hash.text
    by_id = post(server, {"documentId": f"sha256:{hash}", "variables": {"code": "PL"}})
    assert by_id.json()["data"] == expected, by_id.text
    by_name = post(server, {"operationName": "StateByCode", "variables": {"code": "PL"}})
    assert by_name.json()["data"] == expected, by_name.text
    by_get = server.client.get(f"{server.url}/graphql", params={"operationName": "FirstStates"}, headers={"Accept": "application/json"})
    assert len(by_get.json()["data"]["states"]["nodes"]) == 2
    assert by_get.headers["cache-control"] == "public, max-age=60"


def test_anything_not_registered_is_refused_with_a_clear_code(locked: tuple[LiveServer, dict[str, str]]) -> None:
    server, hashes = locked
    raw = post(server, {"query": "{ states(first: 1) { nodes { code } } }"})
    assert code(raw) == "TRUSTED_DOCUMENT_REQUIRED"
    assert raw.json()["data"] is None
    assert code(post(server, {"operationName": "NoSuchOperation"})) == "TRUSTED_DOCUMENT_NOT_FOUND"
    unknown = "0" * 64
    assert code(post(server, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": unknown}}})) == "TRUSTED_DOCUMENT_NOT_FOUND"
    assert code(post(server, {"documentId": f"sha256:{unknown}"})) == "TRUSTED_DOCUMENT_NOT_FOUND"
    # An automatic persisted query's registration is a document sent whole: refused too, and nothing is stored.
    text = "query Sneaky { states(first: 1) { nodes { code } } }"
    sent = {"query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_hash(text)}}}
    assert code(post(server, sent)) == "TRUSTED_DOCUMENT_REQUIRED"
    assert code(post(server, {"extensions": sent["extensions"]})) == "TRUSTED_DOCUMENT_NOT_FOUND"
    # A registered operation's hash with another text is a tampered hash.
    tampered = {"query": text, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hashes["FirstStates"]}}}
    assert code(post(server, tampered)) == "PERSISTED_QUERY_HASH_MISMATCH"
    as_spec = server.client.post(
        f"{server.url}/graphql", json={"query": "{ __typename }"}, headers={"Accept": "application/graphql-response+json"}
    )
    assert as_spec.status_code == 400
    assert code(as_spec) == "TRUSTED_DOCUMENT_REQUIRED"


def test_introspection_and_graphiql_are_off(locked: tuple[LiveServer, dict[str, str]]) -> None:
    server, _ = locked
    page = server.client.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/plain")
    assert "DEMARCHE_GRAPHIQL=false" in page.text


@pytest.fixture(scope="module", params=BACKENDS)
def closed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that runs any document, with introspection and GraphiQL turned off."""
    settings = {"DEMARCHE_INTROSPECTION": "false", "DEMARCHE_GRAPHIQL": "false"}
    with running_server(request.param, tmp_path_factory, settings=settings) as server:
        yield server


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ __schema { queryType { name } } }", "__schema"),
        ('{ __type(name: "State") { fields { name } } }', "__type"),
        ("{ _service { sdl } }", "_service"),
        ("query Hidden { states(first: 1) { nodes { code } } ...Peek } fragment Peek on Root { __schema { types { name } } }", "__schema"),
    ],
)
def test_introspection_off_refuses_the_schema_and_its_sdl(closed: LiveServer, query: str, field: str) -> None:
    refused = closed.graphql(query)
    assert refused["data"] is None
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["INTROSPECTION_DISABLED"]
    assert f"`{field}`" in refused["errors"][0]["message"]


def test_introspection_off_still_answers_typenames_and_queries(closed: LiveServer) -> None:
    assert closed.data("{ __typename states(first: 1) { nodes { __typename code } } }")["states"]["nodes"][0]["__typename"] == "State"


def test_graphiql_off_serves_no_page_and_no_bundle(closed: LiveServer) -> None:
    page = closed.client.get(f"{closed.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "<script" not in page.text
    assert closed.client.get(f"{closed.url}/graphiql-assets/graphiql.js").status_code == 404


def test_by_default_graphiql_is_served_and_introspection_answered(api: LiveServer) -> None:
    page = api.client.get(f"{api.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert api.data("{ __schema { queryType { name } } }")["__schema"]["queryType"]["name"] == "Root"


async def _subscribe(server: LiveServer, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The first message a subscription gets within a second, or None when it runs quietly (nothing happened yet)."""
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    url = server.url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv()) == {"type": "connection_ack"}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        try:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 1.0))
        except TimeoutError:
            return None
        return message


def test_trusted_only_holds_subscriptions_to_registered_operations_too(locked: tuple[LiveServer, dict[str, str]]) -> None:
    server, hashes = locked
    raw = asyncio.run(_subscribe(server, {"query": "subscription { history { id } }"}))
    assert raw is not None
    assert raw["type"] == "error"
    assert raw["payload"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
    assert asyncio.run(_subscribe(server, {"documentId": f"sha256:{hashes['Waves']}"})) is None
    assert asyncio.run(_subscribe(server, {"operationName": "Waves"})) is None
    unknown = asyncio.run(_subscribe(server, {"operationName": "Nope"}))
    assert unknown is not None
    assert unknown["payload"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_NOT_FOUND"

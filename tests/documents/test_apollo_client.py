"""Automatic persisted queries proved with Apollo Client's own persisted-query link (apq.mjs runs it under node).

Each of three fresh clients asks one query with `useGETForHashedQueries`: the first sends the hash alone by GET, is
told PERSISTED_QUERY_NOT_FOUND, and sends the document by POST, as the link does on that answer; the next two send
only the hash, by GET, and are answered from the stored document, in an answer HTTP caches may keep. Without GET,
the same happens by POST. The npm packages are pinned in package-lock.json and installed by `npm ci` into
tests/documents/node_modules (.ci/run installs them first; the test installs them again only when the lock changed).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import BACKENDS, LiveServer, running_server
from tests.npm import npm_ci

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module", params=BACKENDS)
def demarche(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory) as server:
        yield server


def apollo(server: LiveServer, *mode: str) -> dict[str, Any]:
    npm_ci(HERE)
    ran = subprocess.run(
        ["node", "apq.mjs", f"{server.url}/graphql", *mode], cwd=HERE, capture_output=True, text=True, timeout=120, check=False
    )
    assert ran.returncode == 0, ran.stderr
    answer: dict[str, Any] = json.loads(ran.stdout.strip().splitlines()[-1])
    return answer


def test_apollo_clients_link_registers_the_document_once_then_sends_only_its_hash_by_get(demarche: LiveServer) -> None:
    ran = apollo(demarche)
    first, sent, *later = ran["requests"]
    hash = first["hash"]
    assert first == {
        "method": "GET",
        "sentQuery": False,
        "hash": hash,
        "status": 200,
        "cacheControl": "private, no-cache, must-revalidate",
        "code": "PERSISTED_QUERY_NOT_FOUND",
    }
    assert sent["method"] == "POST"
    assert sent["sentQuery"]
    assert sent["hash"] == hash
    assert sent["code"] is None
    assert (
        later
        == [{"method": "GET", "sentQuery": False, "hash": hash, "status": 200, "cacheControl": "public, max-age=60", "code": None}] * 2
    )
    expected = demarche.graphql("{ states(first: 3) { __typename nodes { __typename code name } } }")["data"]
    assert [answer for answer in ran["answers"]] == [{"data": expected, "error": None}] * 3


def test_apollo_clients_link_by_post_runs_a_document_another_client_registered(demarche: LiveServer) -> None:
    # The GET test above (or this one, alone) stored the document: every request now sends its hash alone, by POST.
    apollo(demarche)
    ran = apollo(demarche, "post")
    assert [(request["method"], request["sentQuery"], request["code"]) for request in ran["requests"]] == [("POST", False, None)] * 3
    assert all(answer["error"] is None and len(answer["data"]["states"]["nodes"]) == 3 for answer in ran["answers"])

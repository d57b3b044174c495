"""GraphQL over HTTP, checked by the specification's own audit suite against a live server.

graphql-http is the reference implementation of the GraphQL-over-HTTP specification; its `serverAudits`
are the spec's MUST, SHOULD and MAY rules as requests with the answers they expect. `audit.mjs` runs
them under node against a real `demarche serve`, and every audit is a test here, named by its id and
its rule, so a regression names itself. Every MUST passes; a SHOULD or a MAY that does not pass is
listed in NOT_PASSING with the reason, and the test fails as soon as it passes, so the list stays true.

SQLite only: the audits look at the transport (media types, status codes, how a request is read),
which the request gate and the view decide before any SQL runs; the audits ask only `__typename` and `__type`.

The audits' npm packages are pinned in package-lock.json and installed with `npm ci` into
tests/audit/node_modules (again only when the lock file changed). Without node and npm the tests are
skipped, and fail when CI=true.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import start_server, stop_server
from tests.needs import missing

HERE = Path(__file__).resolve().parent
INSTALLED = HERE / "node_modules" / ".demarche-lock-sha256"
"""The digest of the package-lock.json that node_modules was installed from."""

AUDITS = {
    "22EB": "SHOULD accept application/graphql-response+json and match the content-type",
    "4655": "MUST accept application/json and match the content-type",
    "47DE": "SHOULD accept */* and use application/json for the content-type",
    "80D8": "SHOULD assume application/json content-type when accept is missing",
    "82A3": "MUST use utf-8 encoding when responding",
    "BF61": "MUST accept utf-8 encoded request",
    "78D5": "MUST assume utf-8 in request if encoding is unspecified",
    "2C94": "MUST accept POST requests",
    "5A70": "MAY accept application/x-www-form-urlencoded formatted GET requests",
    "9C48": "MAY NOT allow executing mutations on GET requests",
    "9ABE": "SHOULD respond with 4xx status code if content-type is not supplied on POST requests",
    "03D4": "MUST accept application/json POST requests",
    "A5BF": "MAY use 400 status code when request body is missing on POST",
    "423L": "MAY use 400 status code on missing {query} parameter",
    "LKJ0": "MAY use 400 status code on object {query} parameter",
    "LKJ1": "MAY use 400 status code on number {query} parameter",
    "LKJ2": "MAY use 400 status code on boolean {query} parameter",
    "LKJ3": "MAY use 400 status code on array {query} parameter",
    "34A2": "SHOULD allow string {query} parameter when accepting application/graphql-response+json",
    "13EE": "MUST allow string {query} parameter when accepting application/json",
    "6C00": "MAY use 400 status code on object {operationName} parameter",
    "6C01": "MAY use 400 status code on number {operationName} parameter",
    "6C02": "MAY use 400 status code on boolean {operationName} parameter",
    "6C03": "MAY use 400 status code on array {operationName} parameter",
    "8161": "SHOULD allow string {operationName} parameter when accepting application/graphql-response+json",
    "B8B3": "MUST allow string {operationName} parameter when accepting application/json",
    "94B0": "SHOULD allow null {variables} parameter when accepting application/graphql-response+json",
    "0220": "MUST allow null {variables} parameter when accepting application/json",
    "94B1": "SHOULD allow null {operationName} parameter when accepting application/graphql-response+json",
    "0221": "MUST allow null {operationName} parameter when accepting application/json",
    "94B2": "SHOULD allow null {extensions} parameter when accepting application/graphql-response+json",
    "0222": "MUST allow null {extensions} parameter when accepting application/json",
    "4760": "MAY use 400 status code on string {variables} parameter",
    "4761": "MAY use 400 status code on number {variables} parameter",
    "4762": "MAY use 400 status code on boolean {variables} parameter",
    "4763": "MAY use 400 status code on array {variables} parameter",
    "2EA1": "SHOULD allow map {variables} parameter when accepting application/graphql-response+json",
    "28B9": "MUST allow map {variables} parameter when accepting application/json",
    "D6D5": "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json",
    "6A70": "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json",
    "58B0": "MAY use 400 status code on string {extensions} parameter",
    "58B1": "MAY use 400 status code on number {extensions} parameter",
    "58B2": "MAY use 400 status code on boolean {extensions} parameter",
    "58B3": "MAY use 400 status code on array {extensions} parameter",
    "428F": "SHOULD allow map {extensions} parameter when accepting application/graphql-response+json",
    "1B7A": "MUST allow map {extensions} parameter when accepting application/json",
    "B6DC": "MAY use 2xx, 4xx, or 5xx status codes on JSON parsing failure when accepting application/json",
    "BCF8": "SHOULD use 400 status code on JSON parsing failure when accepting application/json",
    "B7N8": "SHOULD use 400 status code on JSON parsing failure when accepting application/graphql-response+json",
    "8764": "MAY use 4xx or 5xx status codes if parameters are invalid",
    "3E3A": "MAY use 400 status code if parameters are invalid",
    "572B": "SHOULD use 200 status code on document parsing failure when accepting application/json",
    "FDE2": "SHOULD use 200 status code on document validation failure when accepting application/json",
    "7B9B": "SHOULD use a status code of 200 on variable coercion failure when accepting application/json",
    "865D": "SHOULD use 4xx or 5xx status codes on document parsing failure when accepting application/graphql-response+json",
    "556A": "SHOULD use 400 status code on document parsing failure when accepting application/graphql-response+json",
    "D586": "SHOULD not contain the data entry on document parsing failure when accepting application/graphql-response+json",
    "51FE": "SHOULD use 4xx or 5xx status codes on document validation failure when accepting application/graphql-response+json",
    "74FF": "SHOULD use 400 status code on document validation failure when accepting application/graphql-response+json",
    "5E5B": "SHOULD not contain the data entry on document validation failure when accepting application/graphql-response+json",
    "86EE": "SHOULD use a status code of 400 on variable coercion failure when accepting application/graphql-response+json",
}
"""Every audit of graphql-http 1.23.1 (package-lock.json pins it), by id: an upgrade that adds or drops one fails below."""

NOT_PASSING: dict[str, str] = {}
"""SHOULD and MAY audits this server does not pass, by id, with the reason; none at the moment."""


def _install() -> None:
    """`npm ci` into tests/audit/node_modules, unless it already holds what package-lock.json pins."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing("node and npm are needed to run graphql-http's audits")
    lock = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    if INSTALLED.is_file() and INSTALLED.read_text(encoding="utf-8").strip() == lock:
        return
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=HERE, capture_output=True, text=True, timeout=300
    )
    if installed.returncode != 0:
        missing(f"`npm ci` failed in {HERE}: {installed.stderr[-2000:]}")
    INSTALLED.write_text(lock + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each audit's result, by id, from one run of the whole suite against one server."""
    _install()
    database = tmp_path_factory.mktemp("audit") / "demarche.db"
    server = start_server(f"sqlite:///{database}", load_demo=False)
    try:
        ran = subprocess.run(
            ["node", "audit.mjs", f"{server.url}/graphql"], cwd=HERE, capture_output=True, text=True, timeout=300, check=False
        )
    finally:
        stop_server(server)
    assert ran.returncode == 0, ran.stderr
    found = [json.loads(line) for line in ran.stdout.splitlines() if line.strip()]
    return {result["id"]: result for result in found}


def test_the_suite_runs_exactly_the_audits_listed_here(results: dict[str, dict[str, Any]]) -> None:
    assert {key: result["name"] for key, result in results.items()} == AUDITS


@pytest.mark.parametrize("audit", AUDITS, ids=[f"{key} {name}" for key, name in AUDITS.items()])
def test_audit(results: dict[str, dict[str, Any]], audit: str) -> None:
    result = results[audit]
    if audit in NOT_PASSING:
        assert not AUDITS[audit].startswith("MUST"), "a MUST cannot be excused"
        assert result["status"] != "ok", f"{audit} passes now: take it out of NOT_PASSING ({NOT_PASSING[audit]})"
        assert result["status"] != "fatal", result["reason"]
        return
    assert result["status"] == "ok", f"{result['reason']}; the server answered {result['response']}"

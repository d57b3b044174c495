"""Shared machinery for the end-to-end suites.

- `running_server`: one real server per test module and backend (start-up costs about a
  second), with its stderr drained so a chatty server never blocks on a full pipe.
- `mutate` / `read`: mutation documents built from the committed schema.graphql, so a test
  names a mutation and its variables, and gets back the record or the typed failure.
- `snapshot` / `unchanged`: the whole record read over HTTP, every list page by page, to
  prove that a refused change wrote nothing.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType, GraphQLUnionType, build_schema, get_named_type

from tests.conftest import throwaway_postgres
from tests.e2e.conftest import Server, start_server, stop_server

MISSING = "999999"
"""A key no record in these tests has."""

CONTRACT = build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text(encoding="utf-8"))
MUTATIONS = CONTRACT.mutation_type.fields if CONTRACT.mutation_type else {}

DATE = "value precision start end"
HEADCOUNT = "qualifier value"
CITATION = f"id excerpt reportedHeadcount {{ {HEADCOUNT} }} source {{ id }} measure {{ id }} statement {{ id }}"
FIELDS = {
    "State": "id code name kind alpha3 numeric officialName dissolved isFormer",
    "Organisation": "id code name kind",
    "Mission": "id kind city name sendingState { code } hostState { code } accreditedTo { code kind }",
    "Diplomat": "id name rank staffCategory sendingState { code } mission { id }",
    "Wave": "id name description",
    "Source": f"id publisher title kind url published {{ {DATE} }}",
    "Citation": CITATION,
    "Statement": (
        "id speakerName speakerRole channel relayedBy stance quote quoteLanguage translation translationLanguage"
        f" saidOn {{ {DATE} }} onBehalfOf {{ code kind }} measures {{ id }} citations {{ {CITATION} }}"
    ),
    "Expulsion": (
        f"id measureType legalBasis reasonCategory statedReason headcount {{ {HEADCOUNT} }}"
        f" announced {{ {DATE} }} notified {{ {DATE} }} deadline {{ {DATE} }} departed {{ {DATE} }}"
        " actor { code kind } target { code } targetMission { id } people { id } answers { id } answeredBy { id }"
        f" wave {{ id }} statements {{ id }} citations {{ {CITATION} }}"
    ),
    "Membership": (
        f"id version joined {{ {DATE} }} left {{ {DATE} }} basis source {{ publisher title url checked unverified }}"
        " organisation { code } state { code }"
    ),
    "Deleted": "id",
    "ApiToken": "name role createdBy revokedAt",
    "CreatedToken": "secret token { name role createdBy revokedAt }",
    "PersonalDataErased": "fields redactedEntries liveRecord entry { action author reason }",
}
OUTCOME = (
    # `errorCode:` because State and Organisation, which some of these unions hold, have a `code` of another type.
    "__typename ... on UserError { message errorCode: code problems { field path code message } } "
    "... on ValidationError { field } ... on NotFoundError { missing: field entity key }"
)
LISTS = {
    "expulsions": "Expulsion",
    "statements": "Statement",
    "sources": "Source",
    "missions": "Mission",
    "diplomats": "Diplomat",
    "waves": "Wave",
    "organisations": "Organisation",
    "states": "State",
}
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@dataclass
class LiveServer(Server):
    """A running server whose stderr is collected line by line, asked through one kept-alive HTTP client."""

    log: list[str] = field(default_factory=list)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30), repr=False)

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | bool | None = True) -> dict[str, Any]:
        sent = self.token if token is True else (None if token is False else token)
        payload = {"query": query, "variables": variables or {}}
        response = self.client.post(f"{self.url}/graphql", json=payload, headers=self.headers(sent))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def unexpected_errors(self) -> list[str]:
        """Lines where the API logged an error it masked as 'Unexpected error.'."""
        return [line for line in self.log if "unexpected error" in line.lower()]


def _drain(server: LiveServer) -> None:
    assert server.process.stderr is not None
    for raw in server.process.stderr:
        server.log.append(raw.decode(errors="replace"))


@contextmanager
def running_server(backend: str, tmp_path_factory: pytest.TempPathFactory, settings: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """A server with the demo record on a fresh database of `backend`, for one test module, with `DEMARCHE_*` `settings`."""
    with ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demarche.db'}"
        else:
            url = stack.enter_context(throwaway_postgres("demarche_e2e"))
        started = start_server(url, pipe_stderr=True, settings=settings)
        server = LiveServer(started.url, started.process, started.token)
        threading.Thread(target=_drain, args=(server,), daemon=True).start()
        try:
            yield server
        finally:
            server.client.close()
            stop_server(server)


def global_id(type_name: str, key: object) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def mutation_document(name: str) -> str:
    """`mutation { result: name(args) { ...every outcome } }` with the argument types the contract gives."""
    definition = MUTATIONS[name]
    declared = ", ".join(f"${arg}: {argument.type}" for arg, argument in definition.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in definition.args)
    union = get_named_type(definition.type)
    members = union.types if isinstance(union, GraphQLUnionType) else [union]
    records = [t for t in members if isinstance(t, GraphQLObjectType) and t.name in FIELDS]
    # A result that may be any kind of record asks what every record has; their own fields can clash in type.
    many = len(records) > 2
    success = (
        "... on Node { id } ... on Recorded { version }" if many else " ".join(f"... on {t.name} {{ {FIELDS[t.name]} }}" for t in records)
    )
    return f"mutation Run({declared}) {{ result: {name}({passed}) {{ {OUTCOME} {success} }} }}"


def current_version(server: Server, id: object) -> int:
    """The version a record has now (1 for an ID that names no record, so the mutation can say so itself)."""
    query = "query Version($id: ID!) { node(id: $id) { ... on Recorded { version } } }"
    body = server.graphql(f"# {uuid.uuid4().hex}\n{query}", {"id": id})
    found = (body.get("data") or {}).get("node")
    return int(found["version"]) if found else 1


def mutate(server: Server, name: str, /, **variables: Any) -> dict[str, Any]:
    """Run one mutation; its result: the record with every field, or the typed failure.

    An update or delete that is not given `expectedVersion` is sent with the record's current one.
    """
    arguments = MUTATIONS[name].args
    if "expectedVersion" in arguments and "expectedVersion" not in variables and str(arguments["expectedVersion"].type).endswith("!"):
        variables["expectedVersion"] = current_version(server, variables.get("id"))
    result: dict[str, Any] = server.data(mutation_document(name), variables)["result"]
    return result


def ok(result: dict[str, Any], type_name: str) -> dict[str, Any]:
    """The record a mutation returned, failing with the typed error if it returned one."""
    assert result["__typename"] == type_name, result
    return result


def read(server: Server, id: str, type_name: str) -> dict[str, Any] | None:
    """The record with this global ID, with every field of `type_name`, or None when there is none."""
    query = f"query Read($id: ID!) {{ node(id: $id) {{ __typename ... on {type_name} {{ {FIELDS[type_name]} }} }} }}"
    found: dict[str, Any] | None = server.data(query, {"id": id})["node"]
    return found


def errors(server: Server, query: str, variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The errors of a request GraphQL refuses: HTTP 200, `errors` given, no data, never the masked 'Unexpected error.'."""
    body = server.graphql(query, variables)
    assert body.get("errors"), body
    assert not any((body.get("data") or {}).values()), body
    found: list[dict[str, Any]] = body["errors"]
    assert all("unexpected error" not in error["message"].lower() for error in found), found
    return found


def measure_input(**values: Any) -> dict[str, Any]:
    """`createExpulsion`'s input: Poland declares three Russians persona non grata on 24 March 2022, unless `values` say otherwise."""
    base = {"actor": "PL", "target": "RU", "measureType": "PERSONA_NON_GRATA", "announced": "2022-03-24"}
    return {**base, "headcount": {"qualifier": "EXACT", "value": 3}, **values}


def demo_ids(server: Server) -> dict[str, str]:
    """IDs in the March 2022 demo record: each measure by its actor's code, a cited source, the missions, a statement,
    and the actors Russia ("RU state") and the UN ("UN")."""
    query = """{ expulsions(first: 10) { nodes { id actor { code } targetMission { id } citations { source { id } } } }
                 statements(first: 1) { nodes { id } } state(code: "RU") { id } organisation(code: "UN") { id } }"""
    found = server.data(query)
    ids = {measure["actor"]["code"]: measure["id"] for measure in found["expulsions"]["nodes"]}
    by_actor = {measure["actor"]["code"]: measure for measure in found["expulsions"]["nodes"]}
    ids["UN mission"] = by_actor["US"]["targetMission"]["id"]
    ids["Moscow embassy"] = by_actor["RU"]["targetMission"]["id"]
    ids["cited source"] = by_actor["PL"]["citations"][0]["source"]["id"]
    ids["statement"] = found["statements"]["nodes"][0]["id"]
    ids["RU state"] = found["state"]["id"]
    ids["UN"] = found["organisation"]["id"]
    return ids


def _page(list_name: str, after: str | None) -> str:
    cursor = "" if after is None else f", after: {json.dumps(after)}"
    fields = FIELDS[LISTS[list_name]]
    return f"{list_name}(first: 100{cursor}) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {fields} }} }}"


def snapshot(server: Server) -> dict[str, Any]:
    """The whole record as the API shows it, each list paged through and sorted by id; citations gathered from measures and statements.

    The first page of every list comes in one request, later pages one request per list. Each
    document carries a fresh comment, so the server's response cache never answers for the database.
    """
    fresh = f"# snapshot {uuid.uuid4().hex}\n"
    record: dict[str, Any] = {}
    pages = server.data(fresh + "{ " + " ".join(_page(name, None) for name in LISTS) + " }")
    for name in LISTS:
        page = pages[name]
        items = list(page["nodes"])
        while page["pageInfo"]["hasNextPage"]:
            page = server.data(fresh + "{ " + _page(name, page["pageInfo"]["endCursor"]) + " }")[name]
            items += page["nodes"]
        assert len(items) == page["totalCount"], f"{name}: paging gave {len(items)} items, totalCount says {page['totalCount']}"
        record[name] = sorted(items, key=lambda item: item["id"])
    cited = [c for owner in (*record["expulsions"], *record["statements"]) for c in owner["citations"]]
    record["citations"] = sorted(cited, key=lambda citation: citation["id"])
    return record


def history_size(server: Server) -> int:
    """How many entries the history holds."""
    found: int = server.data(f"# {uuid.uuid4().hex}\n{{ history(first: 0) {{ totalCount }} }}")["history"]["totalCount"]
    return found


@contextmanager
def unchanged(server: LiveServer) -> Iterator[dict[str, Any]]:
    """Prove that what runs inside writes nothing, leaves the server up and logs no masked error."""
    before = snapshot(server)
    entries = history_size(server)
    masked = len(server.unexpected_errors())
    yield before
    assert server.alive()
    assert snapshot(server) == before
    assert history_size(server) == entries, "a refused change left an entry in the history"
    assert server.unexpected_errors()[masked:] == []


def assert_invalid(result: dict[str, Any], field: str) -> None:
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == field, result
    assert result["message"], result
    assert "unexpected" not in result["message"].lower(), result


def assert_not_found(result: dict[str, Any], field: str, entity: str, key: str) -> None:
    assert result["__typename"] == "NotFoundError", result
    assert (result["missing"], result["entity"], result["key"]) == (field, entity, key), result

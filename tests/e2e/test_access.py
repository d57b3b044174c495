"""Tokens and roles, versions and the history, over HTTP on both databases.

The guard test walks every mutation field of the committed contract, so a mutation added
later is covered without anyone remembering to add it here.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from tests.e2e.conftest import start_server, stop_server
from tests.e2e.helpers import (
    MUTATIONS,
    LiveServer,
    current_version,
    demo_ids,
    global_id,
    mutate,
    mutation_document,
    ok,
    read,
    unchanged,
)

ADMIN_ONLY = ("createToken", "revokeToken", "erasePersonalData")
ROLE_OF = {name: ("admin" if name.startswith("delete") or name in ADMIN_ONLY else "editor") for name in MUTATIONS}


def sample(kind: GraphQLInputType, existing_id: str) -> Any:
    """A well-typed value for an argument, so a request reaches the resolver's guard instead of failing validation."""
    if isinstance(kind, GraphQLNonNull):
        return sample(kind.of_type, existing_id)
    if isinstance(kind, GraphQLList):
        return [sample(kind.of_type, existing_id)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {name: sample(field.type, existing_id) for name, field in kind.fields.items() if isinstance(field.type, GraphQLNonNull)}
    assert isinstance(kind, GraphQLScalarType), kind
    return {"ID": existing_id, "Int": 1, "String": "2022-03", "Boolean": False, "Float": 1.0, "Date": "2022-03-24"}[kind.name]


def arguments(name: str, existing_id: str) -> dict[str, Any]:
    return {arg: sample(definition.type, existing_id) for arg, definition in MUTATIONS[name].args.items()}


def call(api: LiveServer, name: str, variables: dict[str, Any], token: str | None) -> dict[str, Any]:
    body = api.graphql(mutation_document(name), variables, token=token)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["result"]
    return result


def create_token(api: LiveServer, role: str) -> tuple[str, str]:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    made = ok(mutate(api, "createToken", name=name, role=role.upper()), "CreatedToken")
    assert made["token"]["name"] == name
    assert made["token"]["role"] == role.upper()
    assert made["token"]["createdBy"].startswith("e2e-admin-")
    assert made["token"]["revokedAt"] is None
    assert made["secret"].startswith("dmr_")
    return name, made["secret"]


@pytest.fixture(scope="module")
def tokens(api: LiveServer) -> dict[str, str]:
    return {role: create_token(api, role)[1] for role in ("reader", "editor")}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_refuses_anonymous_callers_and_readers_and_writes_nothing(
    api: LiveServer, tokens: dict[str, str], name: str
) -> None:
    demo = demo_ids(api)
    with unchanged(api):
        for existing in (demo["PL"], global_id("Expulsion", 987654)):
            variables = arguments(name, existing)
            anonymous = call(api, name, variables, None)
            assert anonymous["__typename"] == "UnauthenticatedError", anonymous
            reader = call(api, name, variables, tokens["reader"])
            assert reader["__typename"] == "ForbiddenError", reader
            assert "reader" in reader["message"]
            if ROLE_OF[name] == "admin":
                editor = call(api, name, variables, tokens["editor"])
                assert editor["__typename"] == "ForbiddenError", editor
    # The refusal reads the same whether or not the record exists, so it reveals nothing.
    messages = {call(api, name, arguments(name, existing), None)["message"] for existing in (demo["PL"], global_id("Expulsion", 987654))}
    assert len(messages) == 1


@pytest.mark.parametrize(
    "header", ["Bearer dmr_not-a-token-that-was-ever-issued", "Bearer", "Basic dXNlcjpwYXNz", "dmr_no_scheme", "Bearer dmr_" + "x" * 300]
)
def test_a_malformed_or_unknown_token_is_refused_for_reads_and_writes(api: LiveServer, header: str) -> None:
    with unchanged(api):
        write = api.client.post(
            f"{api.url}/graphql",
            json={"query": mutation_document("createWave"), "variables": {"input": {"name": "never"}}},
            headers={"Authorization": header},
        )
        assert write.status_code == 200
        assert write.json()["data"]["result"]["__typename"] == "UnauthenticatedError"
        read = api.client.post(
            f"{api.url}/graphql", json={"query": "{ waves(first: 1) { totalCount } }"}, headers={"Authorization": header}
        )
        assert read.status_code == 200
        [error] = read.json()["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "unexpected" not in error["message"].lower()


def test_tokens_are_created_listed_and_revoked_by_admins_and_a_revoked_token_is_refused(api: LiveServer) -> None:
    name, secret = create_token(api, "editor")
    assert api.data("{ viewer { name role } }")["viewer"]["role"] == "ADMIN"
    assert api.graphql("{ viewer { name role } }", token=secret)["data"]["viewer"] == {"name": name, "role": "EDITOR"}
    made = ok(mutate_as(api, secret, "createWave", input={"name": f"by {name}"}), "Wave")
    listed = {token["name"]: token for token in api.data("{ tokens { name role createdBy revokedAt } }")["tokens"]}
    assert listed[name]["role"] == "EDITOR"
    assert listed[name]["revokedAt"] is None
    denied = api.graphql("{ tokens { name } }", token=secret)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    revoked = ok(mutate(api, "revokeToken", name=name), "ApiToken")
    assert revoked["name"] == name
    assert revoked["revokedAt"] is not None
    listed = {token["name"]: token for token in api.data("{ tokens { name revokedAt } }")["tokens"]}
    assert listed[name]["revokedAt"] == revoked["revokedAt"]
    refused = mutate_as(api, secret, "updateWave", id=made["id"], expectedVersion=1, input={"name": "after revocation"})
    assert refused["__typename"] == "UnauthenticatedError"
    duplicate = mutate(api, "createToken", name=name, role="READER")
    assert duplicate["__typename"] == "ConflictError", duplicate
    missing = mutate(api, "revokeToken", name="no-such-token")
    assert missing["__typename"] == "NotFoundError", missing


def mutate_as(api: LiveServer, secret: str, name: str, /, **variables: Any) -> dict[str, Any]:
    body = api.graphql(mutation_document(name), variables, token=secret)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["result"]
    return result


def history_of(api: LiveServer, id: str) -> list[dict[str, Any]]:
    query = f"""# {uuid.uuid4().hex}
    query($id: ID!) {{ node(id: $id) {{ ... on Recorded {{ version history(first: 100) {{ nodes {{
        id action author version before after changedFields recordId }} }} }} }} }}"""
    return list(api.data(query, {"id": id})["node"]["history"]["nodes"])


def test_an_edit_based_on_a_stale_version_is_refused_with_the_current_version_and_writes_nothing(api: LiveServer) -> None:
    made = ok(mutate(api, "createWave", input={"name": "Versioned"}), "Wave")
    assert current_version(api, made["id"]) == 1
    ok(mutate(api, "updateWave", id=made["id"], expectedVersion=1, input={"name": "Second"}), "Wave")
    with unchanged(api):
        stale = mutate(api, "updateWave", id=made["id"], expectedVersion=1, input={"name": "Lost update"})
        assert stale["__typename"] == "VersionConflictError", stale
        conflict = api.data(
            f"""mutation {{ updateWave(id: "{made["id"]}", expectedVersion: 1, input: {{name: "Again"}}) {{
                ... on VersionConflictError {{ entity key expectedVersion currentVersion }} }} }}"""
        )["updateWave"]
        key = base64.b64decode(made["id"]).decode().partition(":")[2]
        assert conflict == {"entity": "Wave", "key": key, "expectedVersion": 1, "currentVersion": 2}
        stale_delete = mutate(api, "deleteWave", id=made["id"], expectedVersion=1)
        assert stale_delete["__typename"] == "VersionConflictError", stale_delete
    assert current_version(api, made["id"]) == 2


def test_every_change_is_in_the_history_and_a_deleted_record_can_be_restored(api: LiveServer, tokens: dict[str, str]) -> None:
    demo = demo_ids(api)
    started = api.data("{ history(last: 1) { nodes { at } } }")["history"]["nodes"][0]["at"]
    source = ok(mutate_as(api, tokens["editor"], "createSource", input={"publisher": "ERR", "title": "Kept", "kind": "MEDIA"}), "Source")
    ok(mutate_as(api, tokens["editor"], "updateSource", id=source["id"], expectedVersion=1, input={"title": "Kept, revised"}), "Source")
    citation = ok(mutate_as(api, tokens["editor"], "createCitation", input={"sourceId": source["id"], "measureId": demo["PL"]}), "Citation")
    ok(mutate(api, "deleteCitation", id=citation["id"], expectedVersion=1), "Deleted")
    entries = history_of(api, source["id"])
    assert [(e["action"], e["version"]) for e in entries] == [("CREATE", 1), ("UPDATE", 2)]
    assert entries[1]["before"]["title"] == "Kept"
    assert entries[1]["after"]["title"] == "Kept, revised"
    assert entries[1]["changedFields"] == ["title"]
    editor_name = api.graphql("{ viewer { name } }", token=tokens["editor"])["data"]["viewer"]["name"]
    assert {e["author"] for e in entries} == {editor_name}

    deleted = api.data(
        f'{{ history(recordId: "{citation["id"]}", actions: [DELETE]) {{ nodes {{ id author before version recordId }} }} }}'
    )["history"]["nodes"]
    [deletion] = deleted
    assert deletion["before"]["excerpt"] is None
    assert deletion["recordId"] == citation["id"]
    restored = ok(mutate_as(api, tokens["editor"], "restoreRecord", entryId=deletion["id"]), "Citation")
    assert restored["id"] == citation["id"]
    assert current_version(api, citation["id"]) == 2
    again = mutate_as(api, tokens["editor"], "restoreRecord", entryId=deletion["id"])
    assert again["__typename"] == "ConflictError", again
    not_a_deletion = mutate_as(api, tokens["editor"], "restoreRecord", entryId=history_of(api, source["id"])[0]["id"])
    assert not_a_deletion["__typename"] == "ValidationError", not_a_deletion

    by_editor = api.data(
        "query($author: String!, $since: DateTime!) { history(author: $author, since: $since, first: 100) { nodes { action entity } } }",
        {"author": editor_name, "since": started},
    )["history"]
    assert [(n["action"], n["entity"]) for n in by_editor["nodes"]] == [
        ("CREATE", "SOURCE"),
        ("UPDATE", "SOURCE"),
        ("CREATE", "CITATION"),
        ("RESTORE", "CITATION"),
    ]


def test_deleting_a_measure_records_its_citations_and_statement_links_in_the_history(api: LiveServer) -> None:
    made = ok(
        mutate(
            api,
            "createExpulsion",
            input={
                "actor": "EE",
                "target": "RU",
                "measureType": "RECALL",
                "announced": "2022-04-02",
                "headcount": {"qualifier": "UNKNOWN"},
            },
        ),
        "Expulsion",
    )
    source = ok(mutate(api, "createSource", input={"publisher": "ERR", "title": "On the recall", "kind": "MEDIA"}), "Source")
    citation = ok(mutate(api, "createCitation", input={"sourceId": source["id"], "measureId": made["id"]}), "Citation")
    statement = ok(
        mutate(
            api,
            "createStatement",
            input={
                "onBehalfOf": "EE",
                "speakerRole": "Foreign ministry",
                "stance": "ANNOUNCES",
                "quote": "Recalled.",
                "quoteLanguage": "en",
                "measureIds": [made["id"]],
            },
        ),
        "Statement",
    )
    ok(mutate(api, "deleteExpulsion", id=made["id"]), "Deleted")
    citation_deleted = api.data(f'{{ history(recordId: "{citation["id"]}") {{ nodes {{ action }} }} }}')["history"]["nodes"]
    assert [n["action"] for n in citation_deleted] == ["CREATE", "DELETE"]
    statement_entries = history_of(api, statement["id"])
    assert [(e["action"], e["version"]) for e in statement_entries] == [("CREATE", 1), ("UNLINK", 2)]
    assert statement_entries[1]["changedFields"] == ["measure_ids"]


def test_history_cannot_be_changed_through_the_api() -> None:
    names = [name for name in MUTATIONS if "history" in name.lower() or "entry" in name.lower()]
    assert names == [], "no mutation may edit or delete history entries"
    assert "restoreRecord" in MUTATIONS


@pytest.fixture(scope="module")
def closed_reads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('closed') / 'demarche.db'}"
    server = start_server(url, settings={"DEMARCHE_READS_REQUIRE_TOKEN": "true"})
    yield server
    stop_server(server)


def test_reads_can_be_closed_to_callers_without_a_token(closed_reads: Any) -> None:
    anonymous = closed_reads.graphql("{ expulsions(first: 1) { totalCount } }", token=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not (anonymous.get("data") or {}).get("expulsions")
    assert closed_reads.data("{ expulsions(first: 1) { totalCount } }")["expulsions"]["totalCount"] == 4


def test_an_admin_erases_a_persons_name_from_the_record_and_its_history(api: LiveServer) -> None:
    name = f"Person {uuid.uuid4().hex}"
    made = ok(mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "DIPLOMATIC", "name": name}), "Diplomat")
    erased = ok(mutate(api, "erasePersonalData", recordId=made["id"], reason="the person asked"), "PersonalDataErased")
    assert (erased["fields"], erased["redactedEntries"], erased["liveRecord"]) == (["name"], 1, True)
    assert erased["entry"]["action"] == "REDACT"
    assert erased["entry"]["reason"] == "the person asked"
    stored = read(api, made["id"], "Diplomat")
    assert stored is not None
    assert stored["name"] is None

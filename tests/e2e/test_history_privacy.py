"""People's names in the history, over HTTP on both databases: shown to editors only, and erased for good by an admin.

tests/e2e/test_personal_data.py holds the same rule to every other path (live reads, statements' speakers, search,
subscriptions, the database files after an erasure)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.helpers import LiveServer, assert_invalid, assert_not_found, global_id, mutate, ok

ENTRY = "id action entity author at version reason before after recordId changedFields"
ERASE = (
    "mutation Erase($recordId: ID!, $reason: String!) { result: erasePersonalData(recordId: $recordId, reason: $reason) { "
    "__typename ... on UserError { message } ... on ValidationError { field } ... on NotFoundError { missing: field entity key } "
    f"... on ForbiddenError {{ requiredRole }} ... on PersonalDataErased {{ fields redactedEntries liveRecord entry {{ {ENTRY} }} }} }} }}"
)


def make_token(api: LiveServer, role: str) -> tuple[str, str]:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    made = ok(mutate(api, "createToken", name=name, role=role.upper()), "CreatedToken")
    return name, made["secret"]


@pytest.fixture(scope="module")
def tokens(api: LiveServer) -> dict[str, str | None]:
    """A secret per kind of caller; None asks without a token."""
    return {"anonymous": None, "reader": make_token(api, "reader")[1], "editor": make_token(api, "editor")[1], "admin": api.token}


def a_person(api: LiveServer, *, deleted: bool) -> tuple[str, str, datetime]:
    """A diplomat with a name no other test uses, renamed once (and deleted if asked): its ID, its first name, and a time before it."""
    started = datetime.now(UTC) - timedelta(seconds=1)
    name = f"Person {uuid.uuid4().hex}"
    made = ok(mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "DIPLOMATIC", "name": name}), "Diplomat")
    ok(mutate(api, "updateDiplomat", id=made["id"], input={"name": f"{name} Jr", "rank": "COUNSELLOR"}), "Diplomat")
    if deleted:
        ok(mutate(api, "deleteDiplomat", id=made["id"]), "Deleted")
    return made["id"], name, started


def history_pages(api: LiveServer, token: str | None, since: datetime, size: int = 100) -> tuple[str, list[dict[str, Any]], int]:
    """Every entry since `since` as `token` reads it, page by page: the raw response texts, the entries, and the total claimed."""
    query = (
        f"# {uuid.uuid4().hex}\nquery History($since: DateTime!, $after: String, $first: Int!) {{ history(since: $since, after: $after, "
        f"first: $first) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {ENTRY} }} }} }}"
    )
    texts, entries, after = [], [], None
    while True:
        body = api.graphql(query, {"since": since.isoformat(), "after": after, "first": size}, token=token)
        assert "errors" not in body, body
        texts.append(json.dumps(body, ensure_ascii=False))
        page = body["data"]["history"]
        entries += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return "\n".join(texts), entries, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


def everything_about(api: LiveServer, token: str | None, person: str, entry_ids: list[str]) -> str:
    """What every other path that reads the history answers about the person: by kind, by record, the record's own, each entry by ID."""
    query = f"""# {uuid.uuid4().hex}
    query About($person: ID!, $entries: [ID!]!) {{
        byKind: history(entity: DIPLOMAT, first: 100, descending: true) {{ totalCount nodes {{ {ENTRY} }} }}
        byRecord: history(recordId: $person, first: 100) {{ totalCount nodes {{ {ENTRY} }} }}
        record: node(id: $person) {{ ... on Diplomat {{ history(first: 100) {{ totalCount nodes {{ {ENTRY} }} }} }} }}
        entries: nodes(ids: $entries) {{ ... on HistoryEntry {{ {ENTRY} }} }}
    }}"""
    body = api.graphql(query, {"person": person, "entries": entry_ids}, token=token)
    assert "errors" not in body, body
    return json.dumps(body, ensure_ascii=False)


def test_a_persons_name_in_the_history_is_shown_to_editors_and_to_nobody_else_on_any_path(
    api: LiveServer, tokens: dict[str, str | None]
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    ok(mutate(api, "createWave", input={"name": "Before the person"}), "Wave")
    person, name, _ = a_person(api, deleted=False)
    ok(mutate(api, "createWave", input={"name": "After the person"}), "Wave")
    _, editor_entries, editor_total = history_pages(api, tokens["editor"], started)
    mine = [entry for entry in editor_entries if entry["recordId"] == person]
    assert [entry["action"] for entry in mine] == ["CREATE", "UPDATE"]
    assert mine[0]["after"]["name"] == name
    assert name in everything_about(api, tokens["editor"], person, [entry["id"] for entry in mine])

    for caller in ("anonymous", "reader"):
        text, entries, total = history_pages(api, tokens[caller], started, size=1)
        assert name not in text
        # The entries are there, with what describes the post; the name alone is null, in `before` and `after` alike.
        assert len(entries) == total == editor_total
        theirs = [entry for entry in entries if entry["recordId"] == person]
        assert [entry["action"] for entry in theirs] == ["CREATE", "UPDATE"]
        assert theirs[0]["after"]["name"] is None
        assert theirs[0]["after"]["sending_state"] == "RU"
        assert (theirs[1]["before"]["name"], theirs[1]["after"]["name"], theirs[1]["after"]["rank"]) == (None, None, "counsellor")
        about = everything_about(api, tokens[caller], person, [entry["id"] for entry in mine])
        assert name not in about
        found = json.loads(about)["data"]
        assert found["byRecord"]["totalCount"] == found["record"]["history"]["totalCount"] == 2
        assert [entry["after"]["name"] for entry in found["entries"]] == [None, None]


def test_after_an_admin_erases_a_deleted_person_nobody_sees_their_name_and_a_redact_entry_says_who_when_and_why(
    api: LiveServer, tokens: dict[str, str | None]
) -> None:
    person, name, started = a_person(api, deleted=True)
    admin = api.data("{ viewer { name } }")["viewer"]["name"]

    result = api.data(ERASE, {"recordId": person, "reason": "Erasure request of 2 May (ticket 118)"})["result"]

    assert result["__typename"] == "PersonalDataErased", result
    assert (result["fields"], result["redactedEntries"], result["liveRecord"]) == (["name"], 3, False)
    entry = result["entry"]
    assert (entry["action"], entry["entity"], entry["recordId"], entry["author"]) == ("REDACT", "DIPLOMAT", person, admin)
    assert entry["reason"] == "Erasure request of 2 May (ticket 118)"
    assert started <= datetime.fromisoformat(entry["at"]) <= datetime.now(UTC)
    assert entry["before"]["name"] is None
    assert entry["before"]["rank"] == "counsellor"
    assert entry["after"] is None
    assert entry["changedFields"] == ["name"]
    assert name not in json.dumps(result, ensure_ascii=False)
    for caller, token in tokens.items():
        text, entries, _ = history_pages(api, token, started)
        assert name not in text, caller
        ids = [e["id"] for e in entries if e["recordId"] == person]
        assert name not in everything_about(api, token, person, ids), caller
        if caller in ("editor", "admin"):
            assert [e["action"] for e in entries if e["recordId"] == person] == ["CREATE", "UPDATE", "DELETE", "REDACT"]


def test_erasing_a_living_person_blanks_the_record_too(api: LiveServer) -> None:
    person, name, started = a_person(api, deleted=False)

    result = api.data(ERASE, {"recordId": person, "reason": "request"})["result"]

    assert (result["__typename"], result["redactedEntries"], result["liveRecord"]) == ("PersonalDataErased", 2, True)
    query = f"# {uuid.uuid4().hex}\nquery R($id: ID!) {{ node(id: $id) {{ ... on Diplomat {{ name rank version }} }} }}"
    record = api.data(query, {"id": person})
    assert record["node"] == {"name": None, "rank": "COUNSELLOR", "version": 3}
    assert result["entry"]["after"]["name"] is None
    assert result["entry"]["version"] == 3
    text, _, _ = history_pages(api, api.token, started)
    assert name not in text


def test_only_an_admin_may_erase(api: LiveServer, tokens: dict[str, str | None]) -> None:
    person, name, started = a_person(api, deleted=True)
    for caller, expected in (("anonymous", "UnauthenticatedError"), ("reader", "ForbiddenError"), ("editor", "ForbiddenError")):
        body = api.graphql(ERASE, {"recordId": person, "reason": "request"}, token=tokens[caller])
        assert "errors" not in body, body
        refused = body["data"]["result"]
        assert refused["__typename"] == expected, refused
        if expected == "ForbiddenError":
            assert refused["requiredRole"] == "ADMIN"
    _, entries, _ = history_pages(api, tokens["editor"], started)
    assert [e["action"] for e in entries if e["recordId"] == person] == ["CREATE", "UPDATE", "DELETE"]
    assert any(name == (e["before"] or {}).get("name") for e in entries)


@pytest.mark.parametrize(
    ("record", "reason", "field"),
    [
        ("not-a-global-id", "request", "recordId"),
        (global_id("Wave", 1), "request", "recordId"),
        (global_id("Diplomat", 1), "   ", "reason"),
    ],
)
def test_an_erasure_of_something_that_is_not_a_person_or_without_a_reason_is_refused(
    api: LiveServer, record: str, reason: str, field: str
) -> None:
    assert_invalid(api.data(ERASE, {"recordId": record, "reason": reason})["result"], field)


def test_an_erasure_of_a_person_the_record_never_held_is_refused_as_not_found(api: LiveServer) -> None:
    result = api.data(ERASE, {"recordId": global_id("Diplomat", 987654), "reason": "request"})["result"]
    assert_not_found(result, "recordId", "Diplomat", "987654")


async def _named_and_deleted(database_url: str, name: str) -> int:
    from domain.record.diplomats import Diplomat, StaffCategory
    from domain.use_cases.missions import diplomats
    from persistence.setup import prepare
    from persistence.sql.engine import create_engine
    from persistence.write.unit_of_work import SqlUnitOfWorkFactory

    engine = create_engine(database_url)
    try:
        await prepare(engine, load_demo=False)
        uow_factory = SqlUnitOfWorkFactory(engine)
        made = await diplomats.create(Diplomat(sending_state="RU", staff_category=StaffCategory.DIPLOMATIC, name=name), uow=uow_factory())
        assert made.id is not None
        await diplomats.delete(made.id, uow=uow_factory())
        return made.id
    finally:
        await engine.dispose()


async def _stored_history(database_url: str) -> list[tuple[Any, ...]]:
    from persistence.sql.engine import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = "SELECT action, author, reason, before, after FROM history WHERE entity = 'Diplomat' ORDER BY id"
            return [tuple(row) for row in await connection.exec_driver_sql(query)]
    finally:
        await engine.dispose()


def demarche(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DEMARCHE_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "cli.main", *arguments], env=environment, capture_output=True, text=True, timeout=120)


def test_the_history_erase_command_erases_a_name_for_good_and_refuses_what_it_cannot_erase(database_url: str) -> None:
    name = f"Person {uuid.uuid4().hex}"
    person = asyncio.run(_named_and_deleted(database_url, name))
    assert name in repr(asyncio.run(_stored_history(database_url)))

    erased = demarche(database_url, "history", "erase", "diplomat", str(person), "--reason", "ticket 7", "--author", "dpo")

    assert erased.returncode == 0, erased.stderr
    assert f"erased name of Diplomat {person} from 2 history entries" in erased.stdout
    stored = asyncio.run(_stored_history(database_url))
    assert name not in repr(stored)
    assert [row[:3] for row in stored] == [("create", "demarche", None), ("delete", "demarche", None), ("redact", "dpo", "ticket 7")]
    for arguments, code, said in (
        (("diplomat", "987654", "--reason", "ticket 8"), 1, "987654"),
        (("diplomat", str(person), "--reason", "  "), 2, "reason"),
        (("wave", "1", "--reason", "ticket 9"), 2, "Wave"),
    ):
        refused = demarche(database_url, "history", "erase", *arguments)
        assert refused.returncode == code, refused.stderr
        assert said in refused.stderr
        assert "Traceback" not in refused.stderr
    assert len(asyncio.run(_stored_history(database_url))) == 3

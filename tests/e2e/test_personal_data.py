"""One personal-data policy on every path, over HTTP and websockets on SQLite and PostgreSQL.

Personal fields (the registry's `personal`): a diplomat's `name` and a statement's `speakerName`. Editors and admins
read them; anonymous callers and readers get null in their place on every path: `node`, `nodes`, lists (the compiled
path and the executor), nested records, the history's `before` and `after`, subscriptions. The `speaker` filter
matches a name only for a caller who may read it. An admin's erasure blanks a statement's speaker as it blanks a
diplomat's name, and afterwards the erased text is in none of the database's files.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKENDS, throwaway_postgres
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.helpers import LiveServer, measure_input, mutate, ok
from tests.e2e.test_history_privacy import ERASE, demarche, make_token
from tests.e2e.test_subscriptions import Subscriber

CALLERS_WITHOUT = ("anonymous", "reader")
CALLERS_WITH = ("editor", "admin")


@pytest.fixture(scope="module")
def tokens(api: LiveServer) -> dict[str, str | None]:
    """A secret per kind of caller; None asks without a token."""
    return {"anonymous": None, "reader": make_token(api, "reader")[1], "editor": make_token(api, "editor")[1], "admin": api.token}


def fresh(query: str) -> str:
    """The query under a comment no other request carries: never answered from the response cache."""
    return f"# {uuid.uuid4().hex}\n{query}"


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def a_statement(api: LiveServer, speaker: str | None, *, role: str | None = "Spokesperson", measures: list[str] | None = None) -> str:
    given = {"onBehalfOf": "RU", "stance": "CONDEMNS", "quote": "We will answer.", "quoteLanguage": "en", "speakerName": speaker}
    made = mutate(api, "createStatement", input={**given, "speakerRole": role, "measureIds": measures or []})
    return str(ok(made, "Statement")["id"])


def a_diplomat(api: LiveServer, name: str) -> str:
    made = mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "DIPLOMATIC", "name": name})
    return str(ok(made, "Diplomat")["id"])


def asked(api: LiveServer, query: str, variables: dict[str, Any], token: str | None) -> tuple[str, dict[str, Any]]:
    body = api.graphql(query, variables, token=token)
    assert "errors" not in body, body
    return json.dumps(body, ensure_ascii=False), body["data"]


LIVE = """query Live($diplomat: ID!, $statement: ID!, $ids: [ID!]!) {
  diplomat: node(id: $diplomat) { ... on Diplomat { id name rank } }
  statement: node(id: $statement) { ... on Statement { id speakerName speakerRole } }
  several: nodes(ids: $ids) { ... on Diplomat { name } ... on Statement { speakerName } }
  diplomats(first: 100) { nodes { id name } }
  statements(first: 100) { nodes { id speakerName measures { people { name } } } }
  expulsions(first: 100, actor: "PL", target: "RU") { nodes { id people { id name } statements { id speakerName } } }
}"""


def test_live_names_are_read_by_editors_and_by_nobody_else_on_every_read_path(api: LiveServer, tokens: dict[str, str | None]) -> None:
    name, speaker = unique("Diplomat"), unique("Speaker")
    diplomat = a_diplomat(api, name)
    measure = ok(mutate(api, "createExpulsion", input=measure_input(diplomatIds=[diplomat])), "Expulsion")["id"]
    statement = a_statement(api, speaker, measures=[measure])
    variables = {"diplomat": diplomat, "statement": statement, "ids": [diplomat, statement]}
    # The same document, asked first by those who may read names: nothing they were answered is kept for the others.
    for caller in (*CALLERS_WITH, *CALLERS_WITHOUT):
        text, data = asked(api, LIVE, variables, tokens[caller])
        shown = caller in CALLERS_WITH
        assert (name in text, speaker in text) == (shown, shown), caller
        assert data["diplomat"]["name"] == (name if shown else None)
        assert data["diplomat"]["rank"] is None
        assert data["statement"]["speakerName"] == (speaker if shown else None)
        assert data["statement"]["speakerRole"] == "Spokesperson"
        assert data["several"] == [{"name": name if shown else None}, {"speakerName": speaker if shown else None}]
        [theirs] = [node for node in data["expulsions"]["nodes"] if node["id"] == measure]
        assert theirs["people"] == [{"id": diplomat, "name": name if shown else None}]
        assert theirs["statements"] == [{"id": statement, "speakerName": speaker if shown else None}]


def test_a_deleted_statements_speaker_is_not_in_the_history_of_those_who_may_not_read_it(
    api: LiveServer, tokens: dict[str, str | None]
) -> None:
    speaker = unique("Speaker")
    statement = a_statement(api, speaker)
    ok(mutate(api, "deleteStatement", id=statement), "Deleted")
    query = fresh("{ history(entity: STATEMENT, first: 100, descending: true) { nodes { recordId action before after } } }")
    for caller, token in tokens.items():
        text, data = asked(api, query, {}, token)
        mine = [entry for entry in data["history"]["nodes"] if entry["recordId"] == statement]
        assert [entry["action"] for entry in mine] == ["DELETE", "CREATE"], caller
        assert (speaker in text) == (caller in CALLERS_WITH), caller
        assert mine[0]["before"]["speaker_role"] == "Spokesperson"  # the rest of the statement stays public
        if caller in CALLERS_WITHOUT:
            assert mine[0]["before"]["speaker_name"] is None
            assert mine[1]["after"]["speaker_name"] is None


def test_the_speaker_filter_matches_a_name_only_for_a_caller_who_may_read_it(api: LiveServer, tokens: dict[str, str | None]) -> None:
    speaker, role = unique("Speaker"), unique("Role")
    statement = a_statement(api, speaker, role=role)
    query = "query Said($speaker: String!) { statements(speaker: $speaker, first: 100) { totalCount nodes { id speakerName } } }"
    for caller, token in tokens.items():
        by_name = asked(api, query, {"speaker": speaker.split()[1]}, token)[1]["statements"]
        by_role = asked(api, query, {"speaker": role.split()[1]}, token)[1]["statements"]
        assert [node["id"] for node in by_role["nodes"]] == [statement], caller
        if caller in CALLERS_WITH:
            assert by_name["nodes"] == [{"id": statement, "speakerName": speaker}]
        else:
            assert by_name == {"totalCount": 0, "nodes": []}, caller


def test_an_admin_erases_a_statements_speaker_from_the_record_and_its_history(api: LiveServer, tokens: dict[str, str | None]) -> None:
    speaker = unique("Speaker")
    statement = a_statement(api, speaker)
    ok(mutate(api, "updateStatement", id=statement, input={"quote": "We will answer, in time."}), "Statement")

    result = api.data(ERASE, {"recordId": statement, "reason": "request of the speaker"})["result"]

    assert result["__typename"] == "PersonalDataErased", result
    assert (result["fields"], result["redactedEntries"], result["liveRecord"]) == (["speaker_name"], 2, True)
    record = api.data(
        f"# {uuid.uuid4().hex}\nquery S($id: ID!) {{ node(id: $id) {{ ... on Statement {{ speakerName speakerRole quote }} }} }}",
        {"id": statement},
    )
    assert record["node"] == {"speakerName": None, "speakerRole": "Spokesperson", "quote": "We will answer, in time."}
    history = api.data(
        f"# {uuid.uuid4().hex}\nquery H($id: ID!) {{ history(recordId: $id) {{ nodes {{ action before after }} }} }}", {"id": statement}
    )
    assert [entry["action"] for entry in history["history"]["nodes"]] == ["CREATE", "UPDATE", "REDACT"]
    assert speaker not in json.dumps(history, ensure_ascii=False)


def test_a_deleted_statements_speaker_is_erased_and_one_named_only_by_name_asks_for_a_role_first(api: LiveServer) -> None:
    speaker = unique("Speaker")
    deleted = a_statement(api, speaker)
    ok(mutate(api, "deleteStatement", id=deleted), "Deleted")
    erased = api.data(ERASE, {"recordId": deleted, "reason": "request"})["result"]
    assert (erased["__typename"], erased["redactedEntries"], erased["liveRecord"]) == ("PersonalDataErased", 2, False)
    history = api.data(fresh("query H($id: ID!) { history(recordId: $id) { nodes { action } } }"), {"id": deleted})
    assert speaker not in json.dumps(history)

    # A statement must name its speaker or the speaker's role: erasing the only one would leave neither.
    named_only = a_statement(api, speaker, role=None)
    refused = api.data(ERASE, {"recordId": named_only, "reason": "request"})["result"]
    assert (refused["__typename"], refused["field"]) == ("ValidationError", "speakerRole")
    record = api.data(
        f"# {uuid.uuid4().hex}\nquery S($id: ID!) {{ node(id: $id) {{ ... on Statement {{ speakerName }} }} }}", {"id": named_only}
    )
    assert record["node"] == {"speakerName": speaker}


FEEDS = {
    "history": "subscription { history(entity: STATEMENT) { recordId after } }",
    "measures": 'subscription { expulsions(actor: "PL") { expulsion { people { name } statements { speakerName } } } }',
}


def test_subscribers_read_names_only_with_the_editor_role(api: LiveServer, tokens: dict[str, str | None]) -> None:
    name, speaker = unique("Diplomat"), unique("Speaker")
    diplomat = a_diplomat(api, name)

    async def run() -> dict[str, list[dict[str, Any]]]:
        subscribers = {caller: await Subscriber.open(api, {"token": tokens[caller]} if tokens[caller] else None) for caller in tokens}
        for subscriber in subscribers.values():
            for feed, query in FEEDS.items():
                await subscriber.subscribe(feed, query)
        await asyncio.sleep(0.5)
        made = await asyncio.to_thread(mutate, api, "createExpulsion", input=measure_input(diplomatIds=[diplomat]))
        measure = ok(made, "Expulsion")["id"]
        await asyncio.to_thread(a_statement, api, speaker, measures=[measure])
        # The measure's creation (measures), the statement's creation (history), and whatever else the two writes send.
        received: dict[str, list[dict[str, Any]]] = {}
        for caller, subscriber in subscribers.items():
            received[caller] = await subscriber.events(2)
            with contextlib.suppress(TimeoutError):
                while True:
                    received[caller].append(await subscriber.receive(1.0))
        for subscriber in subscribers.values():
            await subscriber.close()
        return received

    for caller, events in asyncio.run(run()).items():
        text = json.dumps(events, ensure_ascii=False)
        shown = caller in CALLERS_WITH
        assert (name in text, speaker in text) == (shown, shown), (caller, text)
        statement_events = [event for event in events if event["id"] == "history"]
        assert [event["payload"]["data"]["history"]["after"]["speaker_name"] for event in statement_events] == [speaker if shown else None]


def database_bytes(url: str) -> bytes:
    """Every byte SQLite keeps for the database: the file, and its WAL and shared memory if any."""
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal", "-shm") if Path(f"{path}{suffix}").exists())


async def postgres_holding(url: str, text: str, *, free_space: bool) -> list[str]:
    """Where the record's tables hold `text` in PostgreSQL's pages: in a row version, live or dead (`heap_page_items`),
    or, with `free_space`, anywhere in the raw page, the space no row uses included."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        found = []
        for table in ("history", "statement", "diplomat"):
            toast = await connection.fetchval(
                "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = $1 AND reltoastrelid <> 0", table
            )
            for relation in [table, *([toast] if toast else [])]:
                pages = await connection.fetchval(f"SELECT pg_relation_size('{relation}') / current_setting('block_size')::int")
                for page in range(pages):
                    raw = await connection.fetchval("SELECT get_raw_page($1, $2)", relation, page)
                    rows = await connection.fetch("SELECT t_data FROM heap_page_items($1) WHERE t_data IS NOT NULL", raw)
                    if (free_space and text.encode() in raw) or any(text.encode() in row["t_data"] for row in rows):
                        found.append(f"{relation} page {page}")
        return found
    finally:
        await connection.close()


def held(database_url: str, texts: tuple[str, ...], *, free_space: bool = True) -> list[str]:
    """Which of `texts` the database's files hold, and where (on PostgreSQL, as `postgres_holding` looks)."""
    if database_url.startswith("sqlite"):
        stored = database_bytes(database_url)
        return [text for text in texts if text.encode() in stored]
    return [f"{text}: {where}" for text in texts for where in asyncio.run(postgres_holding(database_url, text, free_space=free_space))]


@pytest.fixture(params=BACKENDS)
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'demarche.db'}"
    else:
        with throwaway_postgres("demarche_erasure") as url:
            yield url


def a_named_past(server: LiveServer) -> tuple[str, str, str, str]:
    """A renamed diplomat and a deleted statement with a speaker: their IDs and the names."""
    name, speaker = unique("Diplomat"), unique("Speaker")
    diplomat = a_diplomat(server, name)
    ok(mutate(server, "updateDiplomat", id=diplomat, input={"rank": "COUNSELLOR"}), "Diplomat")
    statement = a_statement(server, speaker)
    ok(mutate(server, "deleteStatement", id=statement), "Deleted")
    return diplomat, name, statement, speaker


def test_after_an_erasure_the_erased_names_are_in_none_of_the_database_files(own_database: str) -> None:
    """SQLite: in no byte of the database, its WAL or its shared memory. PostgreSQL: in no row version, live or dead
    (the erasure vacuums); the space VACUUM frees is not zeroed, which the next test's `--compact` answers."""
    started = start_server(own_database, load_demo=False)
    server = LiveServer(started.url, started.process, started.token)
    try:
        diplomat, name, statement, speaker = a_named_past(server)
        assert len(held(own_database, (name, speaker), free_space=False)) >= 2  # the check finds them before the erasure
        for record in (diplomat, statement):
            result = server.data(ERASE, {"recordId": record, "reason": "request"})["result"]
            assert result["__typename"] == "PersonalDataErased", result
        assert held(own_database, (name, speaker), free_space=False) == []
    finally:
        server.client.close()
        stop_server(server)


def test_the_erase_command_with_compact_leaves_the_names_in_no_page_at_all(own_database: str) -> None:
    started = start_server(own_database, load_demo=False)
    server = LiveServer(started.url, started.process, started.token)
    try:
        diplomat, name, statement, speaker = a_named_past(server)
    finally:
        server.client.close()
        stop_server(server)
    assert len(held(own_database, (name, speaker))) >= 2
    for kind, record in (("diplomat", diplomat), ("statement", statement)):
        number = base64.b64decode(record).decode().split(":")[1]
        done = demarche(own_database, "history", "erase", kind, number, "--reason", "ticket 9", "--compact")
        assert done.returncode == 0, done.stderr
    assert held(own_database, (name, speaker)) == []

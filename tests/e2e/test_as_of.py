"""`asOf`: the record as it stood at a past instant, held to a copy of the database taken at that instant.

A seeded random sequence of writes goes through the API (creates, updates, deletes, links and unlinks of
measures, waves, statements, sources, citations and diplomats). After every second write the database is copied
as it stands (SQLite: the file, by SQLite's backup; PostgreSQL: pg_dump into a new database). At the end, the live
server asked with `asOf` at each copy's instant must answer what a server on that copy answers now: every list,
a node, the tallies, the rankings, the timeline and a search.
"""

from __future__ import annotations

import base64
import contextlib
import random
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import throwaway_postgres
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.helpers import BACKENDS, FIELDS, LISTS, LiveServer, measure_input, mutate, ok, running_server
from tests.e2e.test_exchange_cli import demarche

TALLY = "measures knownHeadcount lowerBoundMeasures unknownMeasures minimumHeadcount maximumHeadcount contestedMeasures"


def record_query() -> str:
    """Everything compared, each root field asked `asOf: $at` (null: now)."""
    lists = " ".join(
        f"{name}(first: 100, asOf: $at) {{ totalCount nodes {{ {FIELDS[kind]} }} }}" for name, kind in LISTS.items() if name != "states"
    )
    return f"""query($at: DateTime) {{
      {lists}
      russia: state(code: "RU", asOf: $at) {{ code name }}
      tally(target: "RU", asOf: $at) {{ {TALLY} }}
      eu: tally(memberOf: "EU", asOf: $at) {{ {TALLY} }}
      tallies(by: WAVE, asOf: $at) {{ tally {{ {TALLY} }} }}
      rankings(role: EXPELLER, by: MEASURES, limit: 50, asOf: $at) {{ actor {{ code }} tally {{ {TALLY} }} }}
      timeline(granularity: YEAR, asOf: $at) {{ buckets {{ period tally {{ {TALLY} }} }} }}
      search(text: "Russia", first: 50, asOf: $at) {{ totalCount edges {{ node {{ __typename ... on Node {{ id }} }} }} }}
    }}"""


def _copy_sqlite(url: str, into: Path) -> str:
    source = url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(source)) as live, contextlib.closing(sqlite3.connect(into)) as copy:
        live.backup(copy)
    return f"sqlite:///{into}"


def _copy_postgres(url: str, target: str) -> str:
    plain = [part.replace("+asyncpg", "") for part in (url, target)]
    dump = subprocess.run(["pg_dump", "--no-owner", "--no-privileges", plain[0]], check=True, capture_output=True)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", plain[1]], input=dump.stdout, check=True, capture_output=True)
    return target


class Writer:
    """A seeded random sequence of writes through the API, remembering what exists to refer to."""

    def __init__(self, server: LiveServer, seed: int) -> None:
        self.server = server
        self.random = random.Random(seed)
        self.measures: list[str] = []
        self.waves: list[str] = []
        self.statements: list[str] = []
        self.diplomats: list[str] = []
        self.sources: list[str] = []
        self.answers: list[tuple[str, str]] = []

    def step(self) -> str:
        options = ["create measure", "create wave", "create diplomat", "create source"]
        if self.measures:
            options += ["update measure", "update measure", "delete measure", "create statement"]
        if self.measures and self.waves:
            options.append("measure into wave")
        if len(self.measures) > 1:
            options.append("link answer")
        if self.answers:
            options.append("unlink answer")
        if self.diplomats:
            options += ["rename diplomat", "delete diplomat"]
        if self.sources and self.measures:
            options.append("cite")
        if self.statements:
            options.append("update statement")
        chosen = self.random.choice(options)
        getattr(self, chosen.replace(" ", "_"))()
        return chosen

    def create_measure(self) -> None:
        actor = self.random.choice(["PL", "DE", "FR", "EE", "US", "GB"])
        value = self.random.randint(1, 40)
        made = mutate(
            self.server,
            "createExpulsion",
            input=measure_input(
                actor=actor,
                announced=f"20{self.random.randint(18, 23)}-0{self.random.randint(1, 9)}",
                headcount={"qualifier": "EXACT", "value": value},
            ),
        )
        self.measures.append(ok(made, "Expulsion")["id"])

    def update_measure(self) -> None:
        changes = self.random.choice(
            [{"headcount": {"qualifier": "AT_LEAST", "value": self.random.randint(1, 9)}}, {"reasonCategory": "ESPIONAGE"}, {"actor": "LV"}]
        )
        ok(mutate(self.server, "updateExpulsion", id=self.random.choice(self.measures), input=changes), "Expulsion")

    def delete_measure(self) -> None:
        id = self.measures.pop(self.random.randrange(len(self.measures)))
        result = mutate(self.server, "deleteExpulsion", id=id)
        if result["__typename"] != "Deleted":
            self.measures.append(id)  # still answered or spoken about: refused, which is a write too few
        else:
            self.answers = [pair for pair in self.answers if id not in pair]

    def create_wave(self) -> None:
        self.waves.append(ok(mutate(self.server, "createWave", input={"name": f"wave {uuid.uuid4().hex[:6]}"}), "Wave")["id"])

    def measure_into_wave(self) -> None:
        changes = {"waveId": self.random.choice(self.waves)}
        ok(mutate(self.server, "updateExpulsion", id=self.random.choice(self.measures), input=changes), "Expulsion")

    def link_answer(self) -> None:
        measure, answered = self.random.sample(self.measures, 2)
        result = mutate(self.server, "linkAnswer", measureId=measure, answeredId=answered)
        if result["__typename"] == "Expulsion":
            self.answers.append((measure, answered))

    def unlink_answer(self) -> None:
        measure, answered = self.answers.pop()
        ok(mutate(self.server, "unlinkAnswer", measureId=measure, answeredId=answered), "Expulsion")

    def create_diplomat(self) -> None:
        made = mutate(
            self.server,
            "createDiplomat",
            input={"sendingState": "RU", "name": f"Person {self.random.randint(1, 999)}", "staffCategory": "DIPLOMATIC"},
        )
        self.diplomats.append(ok(made, "Diplomat")["id"])

    def rename_diplomat(self) -> None:
        changes = {"name": f"Renamed {self.random.randint(1, 999)}"}
        ok(mutate(self.server, "updateDiplomat", id=self.random.choice(self.diplomats), input=changes), "Diplomat")

    def delete_diplomat(self) -> None:
        result = mutate(self.server, "deleteDiplomat", id=self.diplomats[-1])
        if result["__typename"] == "Deleted":
            self.diplomats.pop()

    def create_source(self) -> None:
        made = mutate(self.server, "createSource", input={"publisher": "Test", "title": f"Report {uuid.uuid4().hex[:6]}", "kind": "MEDIA"})
        self.sources.append(ok(made, "Source")["id"])

    def cite(self) -> None:
        citation: dict[str, Any] = {"sourceId": self.random.choice(self.sources), "measureId": self.random.choice(self.measures)}
        citation["reportedHeadcount"] = {"qualifier": "EXACT", "value": self.random.randint(1, 50)}
        ok(mutate(self.server, "createCitation", input=citation), "Citation")

    def create_statement(self) -> None:
        values = {
            "speakerName": "A spokesperson",
            "onBehalfOf": "RU",
            "quote": f"Russia answers measure {self.random.randint(1, 99)}",
            "quoteLanguage": "en",
            "stance": "CONDEMNS",
            "saidOn": "2022-04-01",
            "measureIds": [self.random.choice(self.measures)],
        }
        self.statements.append(ok(mutate(self.server, "createStatement", input=values), "Statement")["id"])

    def update_statement(self) -> None:
        changes = {"quote": f"Russia retaliates, says {self.random.randint(1, 99)}"}
        ok(mutate(self.server, "updateStatement", id=self.random.choice(self.statements), input=changes), "Statement")


@contextlib.contextmanager
def copies(backend: str, tmp_path: Path) -> Iterator[Any]:
    """Makes copies of the live database; PostgreSQL copies are dropped at the end."""
    with contextlib.ExitStack() as stack:

        def copy(url: str) -> str:
            if backend == "sqlite":
                return _copy_sqlite(url, tmp_path / f"copy-{uuid.uuid4().hex[:8]}.db")
            return _copy_postgres(url, stack.enter_context(throwaway_postgres("demarche_asof_copy")))

        yield copy


@contextlib.contextmanager
def live_on(backend: str, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    """A server with the demo record on a fresh database, and that database's URL."""
    with contextlib.ExitStack() as stack:
        url = f"sqlite:///{tmp_path / 'live.db'}" if backend == "sqlite" else stack.enter_context(throwaway_postgres("demarche_asof"))
        started = start_server(url)
        server = LiveServer(started.url, started.process, started.token)
        try:
            yield server, url
        finally:
            server.client.close()
            stop_server(server)


@pytest.mark.parametrize("backend", BACKENDS)
def test_as_of_answers_what_a_copy_taken_then_answers(backend: str, tmp_path: Path) -> None:
    with live_on(backend, tmp_path) as (live, url):
        writer = Writer(live, seed=22)
        taken: list[tuple[datetime, str, list[str]]] = []
        with copies(backend, tmp_path) as copy:
            done: list[str] = []
            for step in range(14):
                done.append(writer.step())
                if step % 2 == 1:
                    time.sleep(0.01)
                    taken.append((datetime.now(UTC), copy(url), list(done)))
                    time.sleep(0.01)
            query = record_query()
            for at, copied, steps in taken:
                asked = live.graphql(query, {"at": at.isoformat()})
                assert "errors" not in asked, asked
                assert asked["extensions"]["asOf"]["instant"].startswith(at.strftime("%Y-%m-%dT%H:%M:%S")), asked["extensions"]
                then = start_server(copied, load_demo=False)
                try:
                    expected = then.graphql(query, {"at": None})
                finally:
                    stop_server(then)
                assert "errors" not in expected, expected
                assert asked["data"] == expected["data"], f"after {steps}"
            now = live.graphql(query, {"at": None})
            assert now["data"] != live.graphql(query, {"at": taken[0][0].isoformat()})["data"], "the writes changed nothing the query shows"


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(request.param, tmp_path_factory) as server:
        yield server


def test_as_of_names_the_instant_and_reads_the_record_then(api: LiveServer) -> None:
    before = datetime.now(UTC)
    time.sleep(0.01)
    made = ok(mutate(api, "createExpulsion", input=measure_input(actor="EE", announced="2019-02-03")), "Expulsion")["id"]
    query = f"""query($at: DateTime) {{ expulsions(actor: "EE", asOf: $at) {{ totalCount }}
                node(id: "{made}", asOf: $at) {{ id }} tally(actor: "EE", asOf: $at) {{ measures }} }}"""
    then = api.graphql(query, {"at": before.isoformat()})
    now = api.graphql(query, {"at": None})
    assert then["data"]["node"] is None
    assert now["data"]["node"] == {"id": made}
    assert then["data"]["expulsions"]["totalCount"] == now["data"]["expulsions"]["totalCount"] - 1
    assert then["data"]["tally"]["measures"] == now["data"]["tally"]["measures"] - 1
    assert then["extensions"]["asOf"]["entry"] < now_entry(api)
    assert "asOf" not in now.get("extensions", {})


def now_entry(api: LiveServer) -> int:
    found = api.data(f"# {uuid.uuid4().hex}\n{{ history(first: 1, descending: true) {{ nodes {{ id }} }} }}")
    return int(base64.b64decode(found["history"]["nodes"][0]["id"]).decode().rpartition(":")[2])


def test_as_of_in_the_future_before_the_history_or_mixed_is_refused(api: LiveServer) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = api.graphql("query($at: DateTime) { expulsions(asOf: $at) { totalCount } }", {"at": future})
    assert body["data"]["expulsions"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["argument"] == "asOf"
    assert "future" in body["errors"][0]["message"]
    body = api.graphql('{ expulsions(asOf: "2001-01-01T00:00:00Z") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "first entry" in body["errors"][0]["message"]
    body = api.graphql('{ a: tally(asOf: "2001-01-01T00:00:00Z") { measures } b: tally { measures } }')
    assert body["data"] == {"a": None, "b": None}
    assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in body["errors"])
    assert "one instant" in body["errors"][0]["message"]
    body = api.graphql('{ expulsions(asOf: "yesterday") { totalCount } }')
    assert body["errors"], body
    assert body.get("data") is None, body
    body = api.graphql("query($at: DateTime) { expulsions(asOf: $at) { totalCount } }", {"at": "not a time"})
    assert body["errors"], body
    assert body.get("data") is None, body
    assert api.unexpected_errors() == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_export_as_of_writes_the_file_an_export_then_wrote(backend: str, tmp_path: Path) -> None:
    with live_on(backend, tmp_path) as (live, url):
        then = demarche(url, "export", "--quiet")
        assert then.returncode == 0, then.stderr
        time.sleep(0.01)
        at = datetime.now(UTC)
        time.sleep(0.01)
        made = ok(mutate(live, "createExpulsion", input=measure_input(actor="EE", announced="2019-02-03")), "Expulsion")["id"]
        ok(mutate(live, "updateExpulsion", id=made, input={"reasonCategory": "ESPIONAGE"}), "Expulsion")
        now = demarche(url, "export", "--quiet")
        assert now.stdout != then.stdout
        past = demarche(url, "export", "--quiet", "--as-of", at.isoformat())
        assert past.returncode == 0, past.stderr
        assert past.stdout == then.stdout
        assert "history entry" in past.stderr
        refused = demarche(url, "export", "--as-of", "2001-01-01T00:00:00Z")
        assert refused.returncode != 0
        assert "first entry" in refused.stderr

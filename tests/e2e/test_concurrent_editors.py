"""Many editors changing the same records at once, over HTTP, on SQLite and PostgreSQL: no update is lost.

Each round, every editor reads the version of the wave it works on, then all of them write at
once naming that version. Exactly one write per wave and round can win; every other one must
get a typed version conflict. At the end every accepted write is the wave's current state or
an entry of its history, with versions 1, 2, 3, ... and no gaps.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import httpx

from tests.e2e.helpers import LiveServer, mutate, ok

EDITORS = 8
WAVES = 3
ROUNDS = 6

READ = "query($id: ID!) { node(id: $id) { ... on Wave { version } } }"
WRITE = """mutation($id: ID!, $version: Int!, $name: String!) {
  updateWave(id: $id, expectedVersion: $version, input: {name: $name}) {
    __typename
    ... on Wave { version name }
    ... on VersionConflictError { expectedVersion currentVersion }
  }
}"""


def editor_tokens(api: LiveServer) -> list[tuple[str, str]]:
    made = []
    for number in range(EDITORS):
        name = f"concurrent-{number}-{uuid.uuid4().hex[:6]}"
        token = ok(mutate(api, "createToken", name=name, role="EDITOR"), "CreatedToken")
        made.append((name, token["secret"]))
    return made


async def post(client: httpx.AsyncClient, secret: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    # A fresh comment makes every document distinct, so no response cache answers for the database.
    response = await client.post(
        "/graphql",
        json={"query": f"# {uuid.uuid4().hex}\n{query}", "variables": variables},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def contend(api: LiveServer, waves: list[str], editors: list[tuple[str, str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=api.url, timeout=120) as client:
        for round in range(ROUNDS):
            targets = [waves[(number + round) % WAVES] for number in range(EDITORS)]
            reads = await asyncio.gather(
                *(post(client, secret, READ, {"id": target}) for (_, secret), target in zip(editors, targets, strict=True))
            )
            versions = [read["node"]["version"] for read in reads]
            attempts = [
                {"editor": name, "wave": target, "version": version, "name": f"{name} round {round}"}
                for (name, _), target, version in zip(editors, targets, versions, strict=True)
            ]
            results = await asyncio.gather(
                *(
                    post(client, secret, WRITE, {"id": attempt["wave"], "version": attempt["version"], "name": attempt["name"]})
                    for (_, secret), attempt in zip(editors, attempts, strict=True)
                )
            )
            for attempt, result in zip(attempts, results, strict=True):
                outcome = result["updateWave"]
                if outcome["__typename"] == "Wave":
                    assert outcome == {"__typename": "Wave", "version": attempt["version"] + 1, "name": attempt["name"]}
                    accepted.append(attempt)
                else:
                    assert outcome["__typename"] == "VersionConflictError", outcome
                    assert outcome["expectedVersion"] == attempt["version"]
                    assert outcome["currentVersion"] > attempt["version"]
                    rejected.append(attempt)
    return accepted, rejected


def wave_history(api: LiveServer, id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    query = f"""# {uuid.uuid4().hex}
    query($id: ID!) {{ node(id: $id) {{ ... on Wave {{ name version history(first: 100) {{
      nodes {{ action author version after }} }} }} }} }}"""
    node = api.data(query, {"id": id})["node"]
    return node, node["history"]["nodes"]


def test_concurrent_editors_lose_no_update_and_every_refusal_is_a_version_conflict(api: LiveServer) -> None:
    waves = [ok(mutate(api, "createWave", input={"name": f"Contended {n}"}), "Wave")["id"] for n in range(WAVES)]
    editors = editor_tokens(api)
    accepted, rejected = asyncio.run(contend(api, waves, editors))

    assert len(accepted) + len(rejected) == EDITORS * ROUNDS
    # Every editor read the same version of its wave before anyone wrote, so exactly one write per wave and round wins.
    wins: defaultdict[str, int] = defaultdict(int)
    for attempt in accepted:
        wins[attempt["wave"]] += 1
    assert dict(wins) == dict.fromkeys(waves, ROUNDS)
    assert len(rejected) == EDITORS * ROUNDS - WAVES * ROUNDS

    for wave in waves:
        node, entries = wave_history(api, wave)
        mine = [a for a in accepted if a["wave"] == wave]
        updates = [entry for entry in entries if entry["action"] == "UPDATE"]
        assert [entry["version"] for entry in entries] == list(range(1, ROUNDS + 2)), "versions rise by one with no gap"
        assert node["version"] == ROUNDS + 1
        assert sorted((e["author"], e["after"]["name"]) for e in updates) == sorted((a["editor"], a["name"]) for a in mine)
        assert node["name"] == updates[-1]["after"]["name"]
    refused_names = {a["name"] for a in rejected}
    every_written = set()
    for wave in waves:
        every_written |= {entry["after"]["name"] for entry in wave_history(api, wave)[1]}
    assert not refused_names & every_written, "a refused write left no trace"

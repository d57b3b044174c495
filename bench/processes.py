"""The servers the benchmark runs, each in a process of its own, and the load it puts on them."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
LOGS = ROOT / "bench" / ".data" / "logs"
DRIVERS = ("wrk", "aiohttp")
"""The load generators: wrk (compiled, a process of its own, one thread) and aiohttp in the benchmark's own
Python process (which earlier releases' figures were measured with; it takes CPU from the servers it measures)."""


def wrk_path() -> str:
    """wrk's executable, or a RuntimeError saying how to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError(
            "the benchmark drives its load with wrk, which is not installed: `apt-get install -y wrk` (Debian, Ubuntu), "
            "`brew install wrk` (macOS); or pass --driver aiohttp to use the in-process client instead"
        )
    return found


def start(command: list[str], url: str, port: int, *, cache: int = 0, compiled: bool = True) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEMARCHE_DATABASE_URL": url,
        "DEMARCHE_LOAD_DEMO": "false",
        "DEMARCHE_RESPONSE_CACHE": str(cache),
        "DEMARCHE_COMPILED_READS": "true" if compiled else "false",
        # The load comes from one address: the rate limit stays on (its cost is measured) but cannot refuse it.
        "DEMARCHE_RATE_LIMIT": "100000000",
    }
    # What the server says goes to a file, not a pipe: a pipe nobody reads fills up after 64 KB of log lines
    # and then blocks the server in the middle of a round.
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / f"server-{port}.log").open("wb") as log:
        return subprocess.Popen([*command, "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def log_tail(port: int, size: int = 2000) -> str:
    path = LOGS / f"server-{port}.log"
    return path.read_bytes()[-size:].decode(errors="replace") if path.exists() else ""


async def wait(url: str, process: subprocess.Popen[bytes] | None = None, body: dict[str, Any] | None = None) -> None:
    """Until `url` answers (a GET, or a POST of `body` answered with data); fail early if `process` exits."""
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                port = url.split(":")[2].split("/")[0]
                said = log_tail(int(port)) if port.isdigit() else ""
                raise RuntimeError(f"the server for {url} exited with {process.returncode}: {said}")
            try:
                if body is None:
                    async with session.get(url) as response:
                        if response.status < 500:
                            return
                else:
                    async with session.post(url, json=body) as response:
                        if response.status == 200 and b'"data"' in await response.read():
                            return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


async def up(start: Any, url: str, body: dict[str, Any] | None = None) -> subprocess.Popen[bytes]:
    """Start a server with `start()` and wait for it; a start that fails is retried once."""
    for attempt in (1, 2):
        process: subprocess.Popen[bytes] = start()
        try:
            await wait(url, process, body)
            return process
        except RuntimeError as error:
            stop(process)
            if attempt == 2:
                raise
            print(f"{error}; starting it once more", flush=True)
    raise AssertionError("unreachable")


def stop(process: subprocess.Popen[bytes], patience: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not gone within `patience` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=patience)


class Meter(Protocol):
    def start(self) -> None: ...

    def stop(self) -> float: ...


async def measure(
    url: str,
    body: dict[str, Any] | None,
    clients: int,
    duration: float,
    warmup: int = 10,
    *,
    headers: dict[str, str] | None = None,
    expect: bytes | None = None,
    meters: Mapping[str, Meter] | None = None,
    driver: str = "aiohttp",
) -> dict[str, float]:
    """Requests per second and latencies of `clients` clients for `duration` seconds after a warm-up;
    each meter's CPU seconds over the timed part, per request, as `<name>_cpu_ms`. `driver` is the load
    generator: "wrk" or "aiohttp" (the warm-up, ten requests one after another, is aiohttp's either way)."""
    if driver == "wrk":
        await _warm_up(url, body, warmup, headers, expect)
        return await asyncio.to_thread(_wrk, url, body, clients, duration, headers or {}, expect, meters or {})
    if driver != "aiohttp":
        raise ValueError(f"unknown driver {driver!r}: one of {DRIVERS}")
    meters = meters or {}
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, headers=headers or {}) as session:

        async def once() -> bool:
            async with session.post(url, json=body or {}) as response:
                payload = await response.read()
                return response.status == 200 and b'"errors"' not in payload and (expect is None or expect in payload)

        for _ in range(warmup):
            if not await once():
                raise RuntimeError(f"{url} failed during warm-up")
        stop = time.perf_counter() + duration

        async def client() -> None:
            nonlocal failures
            while time.perf_counter() < stop:
                began = time.perf_counter()
                ok = await once()
                latencies.append(time.perf_counter() - began)
                failures += not ok

        for meter in meters.values():
            meter.start()
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
        cpu = {name: meter.stop() for name, meter in meters.items()}
    ordered = sorted(latencies)
    result = {
        "requests": len(latencies),
        "failures": failures,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }
    for name, seconds in cpu.items():
        result[f"{name}_cpu_ms"] = seconds * 1000 / len(latencies)
    return result


async def _warm_up(url: str, body: dict[str, Any] | None, count: int, headers: dict[str, str] | None, expect: bytes | None) -> None:
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(headers=headers or {}, timeout=timeout) as session:
        for _ in range(count):
            async with session.post(url, json=body or {}) as response:
                payload = await response.read()
                if response.status != 200 or b'"errors"' in payload or (expect is not None and expect not in payload):
                    raise RuntimeError(f"{url} failed during warm-up: {response.status} {payload[:300]!r}")


def _wrk(
    url: str,
    body: dict[str, Any] | None,
    clients: int,
    duration: float,
    headers: dict[str, str],
    expect: bytes | None,
    meters: Mapping[str, Meter],
) -> dict[str, float]:
    """One wrk run: `clients` connections on one thread (wrk's own CPU stays small, leaving the cores to the
    servers), each sending the next request as soon as the last is answered, as the aiohttp clients do."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        body_file, header_file = Path(folder, "body.json"), Path(folder, "headers")
        body_file.write_bytes(json.dumps(body or {}).encode())
        header_file.write_text("".join(f"{name}: {value}\n" for name, value in headers.items()))
        env = {
            **os.environ,
            "WRK_BODY": str(body_file),
            "WRK_HEADERS": str(header_file),
            "WRK_EXPECT": "" if expect is None else expect.decode(),
        }
        seconds = max(1, round(duration))
        command = [wrk_path(), "--threads", "1", "--connections", str(clients), "--duration", f"{seconds}s", "--timeout", "30s"]
        command += ["--script", str(WRK_SCRIPT), url]
        for meter in meters.values():
            meter.start()
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        cpu = {name: meter.stop() for name, meter in meters.items()}
    lines = [line for line in finished.stdout.splitlines() if line.startswith("WRK-RESULT ")]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stdout[-1000:]} {finished.stderr[-1000:]}")
    found = json.loads(lines[-1].removeprefix("WRK-RESULT "))
    requests = int(found["requests"])
    if requests == 0:
        raise RuntimeError(f"wrk got no answer from {url}: {finished.stdout[-1000:]}")
    result: dict[str, float] = {
        "requests": requests,
        "failures": int(found["failures"]) + int(found["socket_errors"]),
        "rps": requests / (found["duration_us"] / 1e6),
        "p50_ms": found["p50_us"] / 1000,
        "p99_ms": found["p99_us"] / 1000,
    }
    for name, spent in cpu.items():
        result[f"{name}_cpu_ms"] = spent * 1000 / requests
    return result


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")

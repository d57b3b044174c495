"""The servers the benchmark runs, each in a process of its own, and the load it puts on them."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


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
    process = subprocess.Popen([*command, "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process


async def wait(url: str, process: subprocess.Popen[bytes] | None = None, body: dict[str, Any] | None = None) -> None:
    """Until `url` answers (a GET, or a POST of `body` answered with data); fail early if `process` exits."""
    deadline = time.monotonic() + 120
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                said = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
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
) -> dict[str, float]:
    """Requests per second and latencies of `clients` clients for `duration` seconds after a warm-up;
    each meter's CPU seconds over the timed part, per request, as `<name>_cpu_ms`."""
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


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")

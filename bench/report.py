"""docs/benchmarks.md from the results: the tables and what each figure means."""

from __future__ import annotations

import os
import platform
from typing import Any

from bench import peer

DRIVER_NAMES = {"wrk": "wrk, one thread, in a process of its own", "aiohttp": "aiohttp, in the benchmark's Python process"}


def cpu(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f}"


def peer_markdown(run: dict[str, Any]) -> list[str]:
    found = run["peer"]
    versions, answers = found["versions"], found["answers"]
    lines = [
        "### Demarche vs PostGraphile v4",
        "",
        f"PostGraphile {versions['postgraphile']} with @graphile-contrib/pg-many-to-many "
        f"{versions['@graphile-contrib/pg-many-to-many']} on Node {versions['node']}, on the same database, serving the same page "
        "(the first 50 expulsions by announcement date then id, with actor, target, people, statements and citations). "
        f"Rounds alternate Demarche (uncached) and PostGraphile, {found['rounds']} each of {found['duration_s']:g} s per "
        "client count; each figure is the median of its rounds, and the ratios are of those medians (a req/s ratio above 1, "
        "or a p50 or CPU ratio below 1, favours Demarche). CPU per request is "
        "user + system time of the server process (and any children) over a round, divided by the requests it served; "
        "PostgreSQL's is the same for the backends connected to the benchmark database"
        + ("" if found["postgres_cpu_measured"] else " (not measured here: PostgreSQL's processes are not visible in /proc)")
        + ".",
        "",
        f"Checked before measuring: both answers carry the same {answers['items']} expulsions in the same order, with the "
        f"same actor, target and numbers of people ({answers['people']}), statements ({answers['statements']}) and citations "
        f"({answers['citations']}) each. Demarche answered it with {run['page_sql_statements']} SQL statements. "
        f"Answer sizes: Demarche **{answers['demarche_bytes']:,} bytes**, PostGraphile "
        f"**{answers['postgraphile_bytes']:,} bytes**. Peak RSS: Demarche {run['server_peak_rss_mb']:.0f} MB, PostGraphile "
        f"{found['peer_peak_rss_mb']:.0f} MB.",
        "",
        "| clients | server | req/s | p50 ms | p99 ms | server CPU ms/request | PostgreSQL CPU ms/request |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for clients, level in found["clients"].items():
        for name, label in (("demarche", "Demarche"), ("postgraphile", "PostGraphile")):
            row = level[name]
            failed = f" ({row['failures']} failed)" if row["failures"] else ""
            lines.append(
                f"| {clients} | {label}{failed} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                f"{row['server_cpu_ms']:.1f} | {cpu(row.get('postgres_cpu_ms'))} |"
            )
        ratio = level["ratio"]
        postgres = f"{ratio['postgres_cpu_ms']:.2f}" if "postgres_cpu_ms" in ratio else "—"
        lines.append(
            f"| {clients} | **Demarche ÷ PostGraphile** | **{ratio['rps']:.2f}** | **{ratio['p50_ms']:.2f}** | — | "
            f"{ratio['server_cpu_ms']:.2f} | {postgres} |"
        )
    lines += ["", "<details><summary>The PostGraphile query</summary>", "", "```graphql", found["query"], "```", "", "</details>"]
    return lines


def versus_executor(op: dict[str, Any]) -> str:
    reference = op.get("executor")
    if reference is None:
        return "— | — | —"
    return f"{reference['rps']:.1f} | {reference['p50_ms']:.1f} | **{op['rps'] / reference['rps']:.2f}**"


def markdown(runs: list[dict[str, Any]], command: str, clients: int, duration: float, driver: str = "aiohttp") -> str:
    lines = [
        "# Benchmarks",
        "",
        "Measured over real HTTP against `demarche serve` (uvicorn, one worker) and, side by side in the",
        "same run, the floor: a bare Starlette route serving the same 50-item page from one hand-written SQL",
        "query serialised with orjson (`bench/floor.py`, not part of the product).",
        "",
        f"- command: `{command}`",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        f"- load: {clients} concurrent clients ({DRIVER_NAMES.get(driver, driver)}, same machine), "
        f"{duration:.0f} s per operation after a warm-up",
        "- SQL statements: counted in-process for one request of each operation (transaction control excluded)",
    ]
    if any("floor" in run for run in runs):
        lines += [
            "- tokens: reads are public, so the read rows send no token; `node lookup, reader token` is the same request with",
            "  a bearer token (one more statement: the token check); `create a wave, editor token` is a write (token check,",
            "  the insert, its history entry, the record version) by 16 writers at once, which the database serialises",
        ]
    if any("exchange" in run for run in runs):
        lines += [
            "- export and import: `demarche export` of the loaded record, `demarche import` of that file into an empty",
            "  database (whole processes, start-up included), then a second export compared byte for byte",
        ]
    if any("peer" in run for run in runs):
        lines += [
            "- the peer, on PostgreSQL: PostGraphile v4 (`bench/peer.py`, installed from npm into `bench/.peer/v4/`), one Node",
            f"  process started with `{' '.join(peer.FLAGS)}` and `NODE_ENV=production`; its query aliases",
            "  fields to Demarche's names, which changes no work, and walks the link tables with the many-to-many plugin;",
            "  before its rounds each server has an untimed warm-up of a few seconds at full load",
        ]
    lines += ["- the machine is shared and noisy: compare figures within one run, not across runs", ""]
    for run in runs:
        load = run["load"]
        rss = f" Server peak RSS under load: **{run['server_peak_rss_mb']:.0f} MB**." if "server_peak_rss_mb" in run else ""
        lines += [
            f"## {run['database']}, {run['statements']:,} statements",
            "",
            f"Bulk load: {load['records']:,} records in {load['load_s']:.1f} s = **{load['records_per_s']:,.0f} records/s** "
            f"(generation {load['generate_s']:.1f} s).{rss}",
            "",
        ]
        if "exchange" in run:
            lines += [
                f"`demarche export` of all {run['exchange']['records']:,} records: {run['exchange']['export_s']:.1f} s = "
                f"**{run['exchange']['export_per_s']:,.0f} records/s**; `demarche import` of that file into an empty database: "
                f"{run['exchange']['import_s']:.1f} s = **{run['exchange']['import_per_s']:,.0f} records/s**, and exporting the "
                "copy gave the identical file.",
                "",
            ]
        one = run.get("page_one_client")
        if "floor" in run:
            lines += [
                "| operation | path | req/s | p50 ms | p99 ms | p50 ÷ floor p50 | SQL statements | executor req/s | executor p50 ms "
                "| req/s ÷ executor's |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            floor = run["floor"]
            lines.append(
                f"| floor (bare route, one SQL query) | — | {floor['rps']:.1f} | {floor['p50_ms']:.1f} | {floor['p99_ms']:.1f} | 1.00 | 1 "
                "| — | — | — |"
            )
            for name, op in [*run["operations"].items(), ("page of 50, nested, from the response cache", run["cached"])]:
                figures = f"{op['rps']:.1f} | {op['p50_ms']:.1f} | {op['p99_ms']:.1f} | {op['p50_vs_floor']:.2f}"
                lines.append(f"| {name} | {op.get('path', 'cache')} | {figures} | {op['sql_statements']} | {versus_executor(op)} |")
            if one is not None:
                figures = f"{one['rps']:.1f} | {one['p50_ms']:.1f} | {one['p99_ms']:.1f}"
                statements = run["page_sql_statements"]
                lines.append(f"| page of 50, nested, **1 client** | compiled | {figures} | — | {statements} | {versus_executor(one)} |")
            page = run["operations"]["page of 50, nested"]
            lines += [
                "",
                f"Cached page ÷ uncached page, req/s: **{run['cached']['rps'] / page['rps']:.1f} times**. "
                "Every operation above the cached row ran on a server with the response cache off"
                + (", and the 1-client row after it on that same server." if one is not None else ".")
                + " `path` says how that server answered: `compiled` (one SQL statement per root field building the JSON) or"
                " `executor` (Strawberry's resolvers, for what does not compile). The executor columns are the same operation,"
                " measured right after on a second server of the same code with `DEMARCHE_COMPILED_READS=false`: the read"
                " path before the compiled one; the 1-client rows alternate between the two servers.",
            ]
        elif run["operations"]:
            lines += ["| operation | clients | req/s | p50 ms | p99 ms | SQL statements |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
            rows = [(name, clients, op) for name, op in run["operations"].items()]
            rows += [] if one is None else [("page of 50, nested", 1, one)]
            for name, count, op in rows:
                lines.append(
                    f"| {name} | {count} | {op['rps']:.1f} | {op['p50_ms']:.1f} | {op['p99_ms']:.1f} | {run['page_sql_statements']} |"
                )
        if "peer" in run:
            lines += [*([""] if lines[-1] else []), *peer_markdown(run)]
        lines.append("")
    return "\n".join(lines) + "\n"

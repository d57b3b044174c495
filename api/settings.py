"""Settings, read once from `DEMARCHE_*` environment variables and passed down."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MAX_WORKERS = 64


class Settings(BaseSettings):
    """Every knob of a Demarche server; see the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="DEMARCHE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///demarche.db", description="SQLAlchemy URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on")
    workers: int = Field(
        default=1,
        ge=1,
        le=MAX_WORKERS,
        description=(
            "Server processes sharing the port, each with its own connection pools and LISTEN connection; "
            "more than 1 needs PostgreSQL (SQLite serves one process)"
        ),
    )
    load_demo: bool = Field(default=True, description="Load the March 2022 demo record when the database holds no measures")
    max_page_size: int = Field(default=100, ge=1, le=1000, description="Largest `first` or `last` a connection accepts")
    max_query_depth: int = Field(default=12, ge=2, le=50, description="Deepest selection a query may nest")
    graphiql: bool = Field(default=True, description="Serve GraphiQL to browsers at /graphql")
    introspection: bool = Field(
        default=True,
        description=(
            "Answer introspection (`__schema`, `__type`) and a router's `_service { sdl }`; "
            "false refuses them, before anything runs, with INTROSPECTION_DISABLED"
        ),
    )
    # Documents named instead of sent: automatic persisted queries and trusted documents (api/documents/stored.py).
    persisted_queries: bool = Field(
        default=True,
        description="Keep automatic persisted queries (Apollo's protocol); false answers a hash alone PERSISTED_QUERY_NOT_SUPPORTED",
    )
    persisted_queries_entries: int = Field(
        default=10_000, ge=1, le=10_000_000, description="Most automatic persisted queries kept (shared by every process on PostgreSQL)"
    )
    persisted_queries_bytes: int = Field(
        default=16 * 2**20,
        ge=2**16,
        le=2**34,
        description="Most bytes of automatic persisted queries kept; a document over a tenth of it runs but is not kept",
    )
    persisted_queries_max_age: int = Field(
        default=60,
        ge=0,
        le=31_536_000,
        description=(
            "Seconds HTTP caches may keep the answer to a GET naming its document by hash, sent without a token "
            "(`Cache-Control: public, max-age`); 0 says `private, no-store` to every one"
        ),
    )
    trusted_documents_only: bool = Field(
        default=False,
        description=(
            "Run only operations registered with `demarche documents register`, named by hash (`extensions.persistedQuery` "
            "or `documentId`) or by `operationName`; refuse any other document with TRUSTED_DOCUMENT_REQUIRED"
        ),
    )
    response_cache: int = Field(
        default=1000, ge=0, le=100_000, description="Query responses kept in memory, made stale by any write; 0 turns the cache off"
    )
    pool_size: int = Field(default=10, ge=1, le=100, description="PostgreSQL connections kept open")
    reads_require_token: bool = Field(
        default=False, description="Refuse queries without a valid bearer token (by default anyone may read; writing always needs one)"
    )
    max_query_cost: int = Field(
        default=25_000,
        ge=0,
        le=10_000_000,
        description=(
            "Most objects one operation may return, counted before it runs (connections multiply by `first`/`last`, "
            "`nodes` and `_entities` by their ids or representations, other lists by 10, analyses of the whole record "
            "weigh 100); 0 lifts the limit"
        ),
    )
    max_aliases: int = Field(default=30, ge=1, le=1000, description="Most aliased fields a document may select, fragments expanded")
    max_tokens: int = Field(default=5000, ge=100, le=100_000, description="Most tokens a document may have; parsing stops there")
    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, le=100_000_000, description="Largest request body, in bytes; a larger one is answered 413 unread"
    )
    rate_limit: int = Field(
        default=5000,
        ge=0,
        le=100_000_000,
        description=(
            "Points each caller (a token, or an address when anonymous) may spend per window; a request spends one point per "
            "100 of its cost, at least one; over it, 429 with Retry-After; 0 turns rate limiting off"
        ),
    )
    rate_window: int = Field(default=60, ge=1, le=86_400, description="Seconds of the rate limit's window")
    request_timeout: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Seconds one request may run before it is stopped and answered with an UNAVAILABLE error (nothing is half-written)",
    )
    response_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        le=16 * 1024 * 1024 * 1024,
        description="Bytes of responses the cache may hold in all; a response larger than a tenth of it is not cached",
    )
    compiled_reads: bool = Field(
        default=True,
        description="Answer queries from one SQL statement per root field where they compile; false sends every query to the executor",
    )
    migrate_on_start: bool = Field(
        default=True,
        description="Upgrade the database schema on start; when false, refuse to start on a schema that is not current",
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description=(
            "Seconds a client has to send a whole request line and headers, counted from its connection or from the previous "
            "response; a slower client is answered 408 and disconnected"
        ),
    )
    body_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a request body may stall between two chunks; a stalled request is answered 408 and disconnected",
    )
    keep_alive_timeout: int = Field(
        default=5, ge=1, le=300, description="Whole seconds an idle connection is kept open after a response (uvicorn's own keep-alive)"
    )
    db_connect_timeout: float = Field(
        default=5, gt=0, le=300, description="Seconds to wait for a new database connection before the request is answered UNAVAILABLE"
    )
    db_statement_timeout: float = Field(
        default=10,
        gt=0,
        le=3600,
        description=(
            "Seconds one SQL statement may run (PostgreSQL cancels it; the server gives up on a database that does not answer "
            "half a second later); on SQLite, how long a writer waits for another's lock"
        ),
    )
    db_pool_timeout: float = Field(
        default=5, gt=0, le=300, description="Seconds a request waits for a pooled database connection when all are in use"
    )
    metrics: bool = Field(
        default=True,
        description=(
            "Count requests, query cost, response-cache lookups, database connections and errors for Prometheus, served at "
            "/metrics (or on `metrics_port`); false counts nothing and serves nothing"
        ),
    )
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Serve the metrics on this port of their own, on the server's host, instead of at /metrics; 0 serves them at /metrics",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description=(
            "`json`: every log record as one JSON object per line, and one line per request with its request id, operation, "
            "outcome, duration and cost (never a token or a variable); `text`: uvicorn's own log"
        ),
    )
    tracing: bool = Field(
        default=False,
        description=(
            "Make each GraphQL request an OpenTelemetry span, with its operation and every SQL statement as child spans, sent "
            "to the tracer provider set up for the process (needs the `otel` extra)"
        ),
    )
    read_database_url: str | None = Field(
        default=None,
        description=(
            "PostgreSQL URL of a streaming replica that answers queries (mutations still write to `database_url`); "
            "a client always reads its own writes (see the README's section on replicas)"
        ),
    )
    replica_wait: float = Field(
        default=1.0,
        ge=0,
        le=30,
        description="Seconds a query waits for the replica to replay the writes it must see before it reads from the primary instead",
    )
    max_sockets: int = Field(
        default=5000, ge=0, le=1_000_000, description="Most subscription sockets one process holds open; one more is closed with 1013"
    )
    max_subscriptions_per_socket: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Most subscriptions running at once on one socket; one more is refused with SUBSCRIPTION_LIMIT",
    )
    socket_init_timeout: float = Field(
        default=10.0, gt=0, le=300, description="Seconds a new socket has to send `connection_init`; a silent one is closed with 4408"
    )
    subscription_queue: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description=(
            "Events one subscriber may fall behind; past that it receives a SUBSCRIPTION_OVERFLOW error naming the last entry it "
            "got (`extensions.after`) and completes, to resume with `after`"
        ),
    )
    # What subscriptions may hold and cost (queued bytes, running subscriptions, replays).
    socket_queue_bytes: int = Field(
        default=8 * 2**20,
        ge=2**16,
        le=2**34,
        description=(
            "Bytes of encoded events one socket's subscriptions may hold for a client that reads slower than they come; past "
            "it every subscription of the socket receives SUBSCRIPTION_OVERFLOW with `extensions.after` and completes"
        ),
    )
    subscription_queue_bytes: int = Field(
        default=128 * 2**20,
        ge=2**16,
        le=2**36,
        description=(
            "Bytes of encoded events all the sockets of one process may hold queued; past it the socket holding the most has "
            "every subscription overflowed (SUBSCRIPTION_OVERFLOW with `extensions.after`), until the process is under it"
        ),
    )
    max_subscriptions: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description="Most subscriptions one process runs at once, every socket together; one more is refused with SUBSCRIPTION_LIMIT",
    )
    max_subscriptions_per_caller: int = Field(
        default=100,
        ge=1,
        le=1_000_000,
        description=(
            "Most subscriptions one caller (a token, or an address when anonymous) runs at once on one process, every socket "
            "together; one more is refused with SUBSCRIPTION_LIMIT"
        ),
    )
    subscription_points: int = Field(
        default=20,
        ge=0,
        le=1_000_000,
        description=(
            "Rate-limit points a subscription spends on top of its cost's when it runs an execution of its own (no running "
            "subscription asked exactly the same), as each of its events is then computed for it alone"
        ),
    )
    max_replays_per_caller: int = Field(
        default=2,
        ge=1,
        le=10_000,
        description="Subscriptions with `after` one caller may have replaying the history at once; one more is refused with REPLAY_LIMIT",
    )
    replay_page: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description=(
            "History entries a replay reads and pays for at once: each page spends the points of that many events of the "
            "subscription (out of points: RATE_LIMITED with `extensions.after` and `retryAfter`, to resume later)"
        ),
    )

    # The HTTP edge: who may speak for a client, and how large a request's head and variables may be.
    trusted_proxies: str | None = Field(
        default=None,
        description=(
            "Addresses or networks of the proxies in front of the server, comma-separated (`10.0.0.5,10.1.0.0/16`, or `*` "
            "for any): only from them is `X-Forwarded-For` taken as the client's address (for its rate budget and logs) and "
            "`X-Forwarded-Proto` as its scheme, on requests and websocket handshakes; unset (the default) or empty believes "
            "no forwarding header from anyone, each caller being the address its connection comes from"
        ),
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=[],
        description=(
            "Origins of the web pages allowed to call /graphql from a browser (CORS), as a JSON list or comma-separated "
            "(`https://app.example.org,http://localhost:5173`), or `*` for any; a websocket opened from a page of another "
            "origin is refused too; empty (the default): no other origin may"
        ),
    )

    max_header_bytes: int = Field(
        default=65_536,
        ge=4096,
        le=16 * 1024 * 1024,
        description=(
            "Largest request head, in bytes: the request line (with a GET request's query string) and every header; a larger "
            "one is answered 431 (414 when the request line alone is) and disconnected, having been read no further"
        ),
    )
    max_headers: int = Field(default=100, ge=10, le=10_000, description="Most headers one request may have; more are answered 431")
    max_header_line_bytes: int = Field(
        default=16_384,
        ge=1024,
        le=16 * 1024 * 1024,
        description="Longest header line (name and value), in bytes; a longer one is answered 431",
    )

    max_variable_values: int = Field(
        default=10_000,
        ge=100,
        le=1_000_000,
        description=(
            "Most JSON values a request's variables may hold in all (every string, number, list, object and key); a body "
            "with more is refused with VARIABLES_TOO_LARGE by a bounded scan, before it is even decoded"
        ),
    )
    max_variable_list: int = Field(
        default=1_000,
        ge=10,
        le=1_000_000,
        description="Most items one list (or fields one object) in a request's variables may hold; more: VARIABLES_TOO_LARGE",
    )
    max_variable_text: int = Field(
        default=100_000,
        ge=1_000,
        le=100_000_000,
        description="Most characters one string in a request's variables may hold; more is refused with VARIABLES_TOO_LARGE",
    )

    metrics_operations: str | None = Field(
        default=None,
        description=(
            "Operation names, comma-separated, that label the request metrics (`operation`); any other named operation is "
            "counted as `other`, one without a name as `anonymous`, so that no client chooses a label"
        ),
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        description=(
            "A secret of at least 16 characters: /metrics then answers only requests with `Authorization: Bearer <it>` "
            "(401 otherwise); unset, /metrics is open to whoever reaches the server"
        ),
    )

    @property
    def metrics_operation_names(self) -> frozenset[str]:
        """The registered operation names, each a GraphQL name."""
        return frozenset(name.strip() for name in (self.metrics_operations or "").split(",") if name.strip())

    @field_validator("metrics_operations")
    @classmethod
    def _graphql_names(cls, value: str | None) -> str | None:
        for name in (value or "").split(","):
            if name.strip() and not re.fullmatch(r"[_A-Za-z][_0-9A-Za-z]*", name.strip()):
                raise ValueError(f"{name.strip()!r} is not a GraphQL operation name")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> list[str]:
        return origin_list(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: str | None) -> str | None:
        return None if value is None else proxy_list(value)


def proxy_list(value: str) -> str:
    """A list of trusted proxies as uvicorn reads it, each entry checked; ValueError names one that is no address or network."""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if entries == ["*"]:
        return "*"
    checked = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network (such as 10.0.0.5 or 10.1.0.0/16)") from None
        checked.append(str(network) if "/" in entry else entry)
    return ",".join(checked)


_ORIGIN = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>[^/?#@\s:]+|\[[0-9a-f:.]+\])(?P<port>:[0-9]{1,5})?")


def origin_list(value: Any) -> list[str]:
    """Allowed browser origins from a JSON list, a comma-separated text or a list, each one checked as a browser writes
    an origin (`scheme://host[:port]`, lower case, no path, not even a `/`); ValueError names one that is none."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError("a JSON list of origins that is not JSON; write it as a list of strings or comma-separated") from None
        else:
            value = text.split(",")
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise ValueError("a list of origins (strings), as JSON or comma-separated")
    origins = [entry.strip() for entry in value if entry.strip()]
    for origin in origins:
        if origin == "*":
            continue
        if origin == "null":
            raise ValueError("'null' is the origin of sandboxed and local pages, which any page can make itself: allow real origins")
        matched = _ORIGIN.fullmatch(origin.lower())
        if matched is None:
            raise ValueError(f"{origin!r} is not an origin: write scheme://host[:port], with no path (https://app.example.org)")
        if matched["port"] is not None and not 0 < int(matched["port"][1:]) < 65536:
            raise ValueError(f"{origin!r} names no valid port")
    if "*" in origins and len(origins) > 1:
        raise ValueError("`*` allows every origin: give it alone, or list the origins")
    return [_serialised(origin) for origin in origins]


_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _serialised(origin: str) -> str:
    """An origin as a browser sends it: in lower case, without its scheme's default port."""
    matched = _ORIGIN.fullmatch(origin.lower())
    if matched is None:  # `*`
        return origin
    port = matched["port"] if matched["port"] != _DEFAULT_PORTS.get(matched["scheme"]) else None
    return f"{matched['scheme']}://{matched['host']}{port or ''}"

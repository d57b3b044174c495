"""The HTTP server: uvicorn, with the read deadlines it does not set by itself.

uvicorn (0.54) bounds only the idle time after a response (its keep-alive timeout, which any
byte from the client cancels). A client that sends part of a request line or headers and then
nothing, or a body that stalls, keeps its connection — and, for the body, a running request —
for ever. `GuardedHttpProtocol` adds two deadlines to uvicorn's httptools protocol:

- the head deadline: the request line and headers are complete within `header_timeout` of the
  connection opening or of the previous response;
- the body deadline: the body never stalls longer than `body_timeout` between two chunks.

A client that misses one after sending part of a request is answered 408 and disconnected; one
that sent nothing is just disconnected. uvicorn's `limit_concurrency` is left off on purpose: it
counts open connections, slow ones included, so any limit would let a few hundred slow clients
turn every normal request into a 503.

uvicorn bounds no request head either: httptools gathers a header's value whole before handing it
on, so four requests with 100 MB of headers each were answered 200 and left the process 400 MB
larger. `GuardedHttpProtocol` feeds the parser at most `max_header_bytes` of a head (request line
and headers) and counts the headers as they come: a head past that size, with more than
`max_headers` headers or a header line longer than `max_header_line_bytes`, is answered 431 (a
request line alone past the size, 414) and disconnected, having cost at most that many bytes.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, Literal

import httptools
import uvicorn
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from api.ops.observability import json_logging
from api.settings import Settings

TIMED_OUT = b"the request did not arrive in time\n"
HEAD_TOO_LARGE = b"the request's headers are too large: at most %d bytes in all, %d headers, %d bytes a header line\n"
URL_TOO_LONG = b"the request line is too long: the request line and headers may take at most %d bytes\n"


@dataclass(frozen=True, slots=True)
class ReadDeadlines:
    """How long a client may take, in seconds: for a whole request head, and between two chunks of a body."""

    head: float
    body: float


@dataclass(frozen=True, slots=True)
class HeadLimits:
    """How large a request head may be: its bytes in all (request line included), its headers, one header line."""

    bytes: int
    headers: int
    line: int


class _HeadRefused(Exception):
    """Raised from the parser's header callback to stop it; the protocol then answers 431."""


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration with the read deadlines, which each connection's protocol reads from it."""

    def __init__(self, app: Any, *, deadlines: ReadDeadlines, head_limits: HeadLimits, **options: Any) -> None:
        super().__init__(app, http=GuardedHttpProtocol, **options)
        self.deadlines = deadlines
        self.head_limits = head_limits


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head deadline and a body deadline (at most one armed at a time), and a bounded head."""

    def __init__(
        self, config: uvicorn.Config, server_state: ServerState, app_state: dict[str, Any], _loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        if not isinstance(config, ServerConfig):
            raise TypeError("GuardedHttpProtocol needs a ServerConfig, which carries its deadlines")
        self.deadlines = config.deadlines
        self.deadline: asyncio.TimerHandle | None = None
        self.awaiting: Literal["head", "body"] | None = None
        self.head_begun = False
        self.head_limits = config.head_limits
        self.head_bytes: int | None = 0
        """Bytes of the current request head fed to the parser; None once its headers are complete."""
        self.header_count = 0
        self.line_ended = False
        """Whether the current request's line has ended (past it, an oversized head is 431, not 414)."""
        self.head_refused = False

    def _arm(self, awaiting: Literal["head", "body"]) -> None:
        self._disarm()
        seconds = self.deadlines.head if awaiting == "head" else self.deadlines.body
        self.deadline = self.loop.call_later(seconds, self._expired)
        self.awaiting = awaiting

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        self.deadline = None
        self.awaiting = None

    def _expired(self) -> None:
        awaiting, self.deadline = self.awaiting, None
        if self.transport.is_closing():
            return
        if awaiting == "body" and self.flow.read_paused:
            # uvicorn stopped reading because the application has not taken what arrived: the wait is ours, not the client's.
            self._arm("body")
            return
        self.awaiting = None
        if awaiting == "head" and not self.head_begun:
            self.transport.close()
            return
        self.logger.info("%s:%d - closed a connection whose request stalled", *(self.client or ("?", 0)))
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            headers = b"".join(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers)
            self.transport.write(
                STATUS_LINE[408]
                + headers
                + b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: %d\r\n\r\n" % len(TIMED_OUT)
                + TIMED_OUT
            )
        # Closing ends the request: uvicorn then tells the application the client is gone.
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        """Feed the parser at most the rest of a head's allowance while a head is being read; the body goes in whole."""
        while data and not self.transport.is_closing():
            if self.head_bytes is None:
                self._feed(data)
                return
            room = self.head_limits.bytes - self.head_bytes
            if room <= 0:
                self._refuse_head(uri=not self.line_ended)
                return
            piece, data = data[:room], data[room:]
            self.head_bytes += len(piece)
            self.line_ended = self.line_ended or b"\n" in piece
            if not self._feed(piece):
                return

    def _feed(self, data: bytes) -> bool:
        """uvicorn's own `data_received`, answering 431 when a header callback stopped the parser; False once the
        connection is no longer this protocol's to read (refused, or handed to the websocket protocol)."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
                return False
            self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            if self.head_refused:
                self._refuse_head(uri=False)
                return False
            message = "Invalid HTTP request received."
            self.logger.warning(message)
            self.send_400_response(message)
            return False
        return True

    def _refuse_head(self, *, uri: bool) -> None:
        self._disarm()
        self.logger.info("%s:%d - refused a request whose head was too large", *(self.client or ("?", 0)))
        limits = self.head_limits
        status, body = (414, URL_TOO_LONG % limits.bytes) if uri else (431, HEAD_TOO_LARGE % (limits.bytes, limits.headers, limits.line))
        headers = b"".join(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers)
        self.transport.write(
            STATUS_LINE[status]
            + headers
            + b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: %d\r\n\r\n" % len(body)
            + body
        )
        self.transport.close()

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_count += 1
        if self.header_count > self.head_limits.headers or len(name) + len(value) + 2 > self.head_limits.line:
            self.head_refused = True
            raise _HeadRefused
        super().on_header(name, value)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_begun = True

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        super().on_headers_complete()
        self.head_begun = False
        self._arm("body")

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        if not self.cycle.response_complete:
            self._arm("body")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.head_bytes, self.header_count, self.line_ended = 0, 0, False  # what follows is the next request's head
        if self.awaiting == "body":
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete):
            self._arm("head")


class DepartedClientsQuiet:
    """Ends a request whose client left before its body arrived, as a missed body deadline makes it, without an error.

    Starlette raises `ClientDisconnect` there; uncaught, uvicorn would log a traceback per slow
    client. Nobody is left to answer, and nothing was read, let alone written.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            return


class AnnouncedServer(uvicorn.Server):
    """Says where to go once it listens: a new user's `make serve` ends on the address to open (in plain-text
    logging only: with JSON logs every line on stderr is a JSON object)."""

    def __init__(self, config: uvicorn.Config, *, announce: bool) -> None:
        super().__init__(config)
        self.announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if sockets is not None and self.started and not self.should_exit:
            self._log_started_message(sockets)  # uvicorn says where it runs only when it binds the sockets itself
        if self.announce and self.started and not self.should_exit:
            host = self.config.host if self.config.host not in ("0.0.0.0", "::") else "127.0.0.1"
            address = f"[{host}]" if ":" in host else host
            print(
                f"Demarche is ready: open http://{address}:{self.config.port}/graphql in a browser for GraphiQL (Ctrl-C stops it)",
                file=sys.stderr,
                flush=True,
            )


def uvicorn_options(settings: Settings, *, log_level: str) -> dict[str, Any]:
    """uvicorn's options from the settings, the same for one process and for several.

    - Websockets: a message no larger than a request body, and no permessage-deflate (subscription events are small
      and go to many sockets: compressing each for each socket took memory for no latency, see docs/benchmarks.md).
    - Logs: with `log_format` json, uvicorn's own logging is configured as JSON from the start (api.ops.observability).
    - Forwarding headers: uvicorn by itself believes `X-Forwarded-For` from 127.0.0.1 (or `FORWARDED_ALLOW_IPS`), so
      that any local proxy or tunnel would let each client name its own address, and so its own rate budget. They are
      read only from the proxies `trusted_proxies` names, on requests and websocket handshakes alike.
    """
    proxies = settings.trusted_proxies
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": log_level,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "deadlines": ReadDeadlines(head=settings.header_timeout, body=settings.body_timeout),
        "head_limits": HeadLimits(settings.max_header_bytes, settings.max_headers, settings.max_header_line_bytes),
        "ws_per_message_deflate": False,
        "ws_max_size": settings.max_body_bytes,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        **({"log_config": json_logging(), "access_log": False} if settings.log_format == "json" else {}),
    }


def server(app: ASGIApp, settings: Settings, *, log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server for `app` on the settings' address, with their read deadlines and keep-alive."""
    config = ServerConfig(DepartedClientsQuiet(app), **uvicorn_options(settings, log_level=log_level))
    return AnnouncedServer(config, announce=settings.log_format == "text")


def _address(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class CannotListen(Exception):
    """The server's address cannot be listened on (another process holds the port, or the host is not this machine's);
    its message is one line naming the setting to change."""


def listening_sockets(settings: Settings) -> list[socket.socket]:
    """Sockets bound to `settings.port` on every address `settings.host` names, as uvicorn's own would be, bound before
    anything else starts (migrations included), so that a busy port is said at once; CannotListen says why not."""
    host, port = settings.host, settings.port
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as error:
        raise CannotListen(
            f"cannot listen on {host}: {error.strerror or error}; choose another with DEMARCHE_HOST=... (or --host)"
        ) from None
    bound: list[socket.socket] = []
    try:
        for family, kind, protocol, _, address in {(info[0], info[4]): info for info in addresses}.values():
            listener = socket.socket(family, kind, protocol)
            bound.append(listener)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            listener.bind(address)
            listener.set_inheritable(True)
    except OSError as error:
        for listener in bound:
            listener.close()
        if error.errno == errno.EADDRINUSE:
            raise CannotListen(
                f"port {port} is in use on {host}; choose another with PORT=... (make serve) or DEMARCHE_PORT=... (or --port)"
            ) from None
        raise CannotListen(
            f"cannot listen on {host} port {port}: {error.strerror or error}; change DEMARCHE_HOST or DEMARCHE_PORT (or --host, --port)"
        ) from None
    return bound


WORKER_APP = "api.http.server:worker_app"
"""What each worker process imports and calls to build the app it serves."""
MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
SEVERAL_PROCESSES_NEED_POSTGRESQL = (
    "several worker processes need PostgreSQL: SQLite serves one process, which alone hears its writes "
    "(set DEMARCHE_WORKERS=1, or DEMARCHE_DATABASE_URL to a postgresql:// database)"
)


def worker_app() -> ASGIApp:
    """The app of one worker process, from the settings in the environment, which the parent process passed on."""
    from api.app import create_app

    return DepartedClientsQuiet(create_app(Settings()))


def serve_workers(settings: Settings, *, log_level: str = "info") -> int:
    """Serve with `settings.workers` processes on one listening socket, each with its own pools and LISTEN connection,
    restarted by uvicorn's supervisor if one dies; returns the exit code (3 when the workers could not start).

    The workers read their settings from the environment, so the address given on the command line is put there.
    With metrics on and no `PROMETHEUS_MULTIPROC_DIR` set, a directory of the process's own is made for the
    workers' metrics and removed at the end, so that /metrics reports every worker, whichever one answers.
    """
    if settings.database_url.startswith("sqlite"):
        print(f"demarche: {SEVERAL_PROCESSES_NEED_POSTGRESQL}", file=sys.stderr)
        return 2
    os.environ.update(
        {
            "DEMARCHE_HOST": settings.host,
            "DEMARCHE_PORT": str(settings.port),
            "DEMARCHE_WORKERS": "1",
            "DEMARCHE_TRUSTED_PROXIES": settings.trusted_proxies or "",
        }
    )
    made = None
    if settings.metrics and not os.environ.get(MULTIPROCESS_DIRECTORY):
        made = os.environ[MULTIPROCESS_DIRECTORY] = tempfile.mkdtemp(prefix="demarche-metrics-")
    try:
        config = ServerConfig(WORKER_APP, factory=True, workers=settings.workers, **uvicorn_options(settings, log_level=log_level))
        sockets = listening_sockets(settings)
        addresses = ", ".join(_address(*listener.getsockname()[:2]) for listener in sockets)
        logging.getLogger("uvicorn.error").info("Uvicorn running on %s (Press CTRL+C to quit)", addresses)
        supervisor = Multiprocess(config, sockets=sockets)
        if settings.log_format == "text":
            print(
                f"Demarche is starting {settings.workers} worker processes on http://{settings.host}:{settings.port}/graphql "
                "(Ctrl-C stops them)",
                file=sys.stderr,
                flush=True,
            )
        supervisor.run()
        return 3 if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes) else 0
    finally:
        if made is not None:
            del os.environ[MULTIPROCESS_DIRECTORY]
            shutil.rmtree(made, ignore_errors=True)

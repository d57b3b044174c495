"""Feeds: one execution of a subscription, shared by every socket subscription that asked exactly the same.

A subscription's events are executed once per feed, not once per subscriber, and each event is
encoded once: subscribers with the same document, operation, variables and role share a feed and
receive the same bytes. A subscription that replays from `after` gets a feed of its own, as no
one else has its past.

Each subscriber (a `Member`) holds at most `queue` encoded events, each socket at most
`socket_queue_bytes` bytes of them, and the process at most `subscription_queue_bytes` (past it the
socket holding the most gives way). A subscriber past a bound is dropped with a SUBSCRIPTION_OVERFLOW
error naming the last entry it was sent (`extensions.after`), then completed; its queue goes at once.
A socket sends one message at a time, taken from a queue only when it can be written, so a client
that never reads holds one message in flight, not one per subscription. The feed never waits for a
subscriber's socket (a replay's own feed waits for its one subscriber to read), so a slow one delays
no one else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError
from strawberry import relay

from api.graphql.context import Context
from api.graphql.errors import CODES, should_mask
from api.live.hub import Following, Overflow, Unpaid
from domain.errors import DomainError

log = logging.getLogger(__name__)

OVERFLOW = "SUBSCRIPTION_OVERFLOW"
UNAVAILABLE = "UNAVAILABLE"
Send = Callable[[str], Awaitable[None]]
"""Sends one text message on the subscriber's socket."""


def formatted(errors: list[GraphQLError]) -> list[dict[str, Any]]:
    """Errors as the HTTP path sends them: unexpected ones masked, domain ones with their code."""
    shown = []
    for error in errors:
        if should_mask(error):
            error = GraphQLError("Unexpected error.", path=error.path, nodes=error.nodes)
        shown.append(dict(error.formatted))
    return shown


def entry_id(entry: int) -> str | None:
    """The global ID a client passes back as `after`; None before any entry."""
    return str(relay.GlobalID("HistoryEntry", str(entry))) if entry else None


class ProcessQueue:
    """The bytes of encoded events every socket of the process holds queued, against `bound`."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.bytes = 0
        self.sockets: set[SocketQueue] = set()

    def shed(self) -> None:
        """Over the bound: overflow the socket holding the most, then the next, until the process is under it (or every
        socket holding any has been overflowed: what remains is each one's message in flight, which its closing frees)."""
        while self.bytes > self.bound:
            holding = [socket for socket in self.sockets if socket.bytes > 0 and not socket.overflowing]
            if not holding:
                return
            largest = max(holding, key=lambda socket: socket.bytes)
            largest.overflow(f"this process holds {self.bound:,} bytes of events for slow sockets at most, and this socket held the most")


class SocketQueue:
    """The bytes of encoded events one socket's subscriptions hold queued, against `bound`, and the lock its messages go out
    under: a subscriber takes an event from its queue only once it may send it, so a socket that is not read holds at
    most one message in flight, never one per subscription."""

    def __init__(self, process: ProcessQueue, bound: int, sending: asyncio.Lock, overflowed: Callable[[], None] = lambda: None) -> None:
        self.process = process
        self.bound = bound
        self.sending = sending
        self.overflowed = overflowed
        """Told when the socket passed a bound: its session closes it if it does not read its notices in time."""
        self.overflowing = False
        self.bytes = 0
        """Queued and in flight: a message counts until the socket took it."""
        self.members: set[Member] = set()
        self.drained = asyncio.Event()
        process.sockets.add(self)

    def add(self, size: int) -> None:
        self.bytes += size
        self.process.bytes += size
        if self.bytes > self.bound:
            self.overflow(f"this socket's subscriptions hold {self.bound:,} bytes of unsent events at most")
        elif self.process.bytes > self.process.bound:
            self.process.shed()

    def remove(self, size: int) -> None:
        self.bytes -= size
        self.process.bytes -= size
        if self.bytes == 0:
            self.overflowing = False
        self.drained.set()

    def crowded(self) -> bool:
        """Half the bound is held: a replay waits for the client to read before it adds more."""
        return self.bytes * 2 >= self.bound or self.process.bytes * 2 >= self.process.bound

    def overflow(self, reason: str) -> None:
        """Every subscription of the socket gives way; the socket is closed if it does not take their notices in time."""
        self.overflowing = True
        for member in list(self.members):
            member.overflow(reason)
        self.overflowed()

    def close(self) -> None:
        self.process.sockets.discard(self)


class Member:
    """One subscription on one socket: its queue of encoded events, and the sender that writes them out."""

    def __init__(self, id: str, send: Send, *, queue: int, socket: SocketQueue, after: int, done: Callable[[Member], None]) -> None:
        self.id = id
        self.send = send
        """Writes one message on the socket; called with `socket.sending` held."""
        self.limit = queue
        self.socket = socket
        self.delivered = after
        """The last history entry this subscriber was sent an event for (or started after)."""
        self.pending: deque[tuple[int, str]] = deque()
        self.woken = asyncio.Event()
        self.ending: list[dict[str, Any]] | None = None
        """How the subscription ends once its pending events are sent: [] completes it, errors end it with them."""
        self.overflowed: str | None = None
        """Why this subscriber was dropped (it resumes with `after`), once it was."""
        self.feed: Feed | None = None
        self.following: Following | None = None
        self._done = done
        socket.members.add(self)
        self.sender = asyncio.create_task(self._send_all(), name=f"demarche-subscriber-{id}")

    def offer(self, entry: int, payload: str) -> None:
        if self.overflowed is not None or self.ending is not None:
            return
        if len(self.pending) >= self.limit:
            self.overflow(f"this subscriber fell more than {self.limit} events behind")
            return
        self.pending.append((entry, payload))
        self.woken.set()
        self.socket.add(len(payload))  # over a bound, this or another socket overflows here

    async def room(self) -> None:
        """Wait until this subscriber's queue and its socket's have room (or it has ended)."""
        while (
            (len(self.pending) >= self.limit or self.socket.crowded())
            and self.overflowed is None
            and self.ending is None
            and not self.sender.done()
        ):
            self.socket.drained.clear()
            await self.socket.drained.wait()

    def end(self, errors: list[dict[str, Any]]) -> None:
        """Send what is pending, then these errors (none: just complete)."""
        if self.ending is None:
            self.ending = errors
            self.woken.set()

    def overflow(self, reason: str) -> None:
        """Drop this subscriber: its queue goes at once, and it is told where to resume from."""
        if self.overflowed is not None:
            return
        self.overflowed = reason
        self._drop_pending()
        self.woken.set()

    def _drop_pending(self) -> None:
        if self.pending:
            self.socket.remove(sum(len(payload) for _, payload in self.pending))
            self.pending.clear()

    async def _send_all(self) -> None:
        prefix = '{"id":' + json.dumps(self.id) + ',"type":"next","payload":'
        try:
            while True:
                await self.woken.wait()
                self.woken.clear()
                while self.pending and self.overflowed is None:
                    async with self.socket.sending:
                        if not self.pending or self.overflowed is not None:
                            break
                        entry, payload = self.pending.popleft()
                        try:
                            await self.send(prefix + payload + "}")
                        finally:
                            self.socket.remove(len(payload))
                    self.delivered = max(self.delivered, entry)
                if self.overflowed is not None:
                    started = self.following.started if self.following is not None else None
                    after = entry_id(self.delivered or started or 0)
                    message = (
                        f"{self.overflowed}, so it was dropped; subscribe again with `after` set to `extensions.after` "
                        "to receive everything since, exactly once"
                    )
                    error = {"message": message, "extensions": {"code": OVERFLOW, "after": after}}
                    async with self.socket.sending:
                        await self.send(prefix + json.dumps({"data": None, "errors": [error]}) + "}")
                        await self.send(json.dumps({"id": self.id, "type": "complete"}))
                    return
                if self.ending is not None and not self.pending:
                    async with self.socket.sending:
                        if self.ending:
                            await self.send(json.dumps({"id": self.id, "type": "error", "payload": self.ending}))
                        else:
                            await self.send(json.dumps({"id": self.id, "type": "complete"}))
                    return
        except Exception:  # the socket is gone: its session cleans up
            log.debug("a subscriber's socket went away", exc_info=True)
            return
        finally:
            self.leave()

    def leave(self) -> None:
        """Stop this subscription (the client completed it, or its socket closed)."""
        self._drop_pending()
        self.socket.members.discard(self)
        self.socket.drained.set()
        feed, self.feed = self.feed, None
        if feed is not None:
            feed.members.discard(self)
            if not feed.members:
                feed.stop()
        self._done(self)
        if self.sender is not asyncio.current_task():
            self.sender.cancel()


class Feed:
    """One execution of a subscription document for all its members (see the module's docstring)."""

    def __init__(self, key: tuple[Any, ...], following: Following, forget: Callable[[Feed], None], *, own: bool = False) -> None:
        self.key = key
        self.own = own
        """A feed of one subscriber's own (it replays from `after`): it waits for its subscriber instead of dropping it, so a
        replay longer than the queue still arrives; live entries wait in the hub's bounded queue meanwhile."""
        self.following = following
        self.members: set[Member] = set()
        self._forget = forget
        self.task: asyncio.Task[None] | None = None

    def join(self, member: Member) -> None:
        member.feed = self
        member.following = self.following
        self.members.add(member)

    def start(self, stream: Callable[[], Awaitable[Any]], context: Context) -> None:
        self.task = asyncio.create_task(self._run(stream, context), name="demarche-feed")

    def stop(self) -> None:
        self._forget(self)
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()

    async def _run(self, stream: Callable[[], Awaitable[Any]], context: Context) -> None:
        ending: list[dict[str, Any]] = []
        try:
            # Starting (parsing, validating, running the resolver) takes a turn too: a thousand subscriptions sent at once
            # start one after another, with the event loop serving requests in between. The turn ends when the
            # subscription first waits for an entry (api/live/subscriptions.py, `_entries`).
            await self.following.take_turn()
            results = await stream()
            if hasattr(results, "__aiter__"):
                async with contextlib.aclosing(results) as events:
                    async for result in events:
                        self.following.release()  # shaped: the next subscription's turn
                        body: dict[str, Any] = {"data": result.data}
                        if result.errors:
                            body["errors"] = formatted(list(result.errors))
                            if any(error.get("extensions", {}).get("code") == UNAVAILABLE for error in body["errors"]):
                                # The event exists, but the store failed while it was shaped: never send UNAVAILABLE in its
                                # place; the subscribers resume from the last entry they were sent, and get it then.
                                for member in list(self.members):
                                    member.overflow("the store failed while this subscription's event was read")
                                break
                        payload = json.dumps(body, separators=(",", ":"))
                        for member in list(self.members):
                            if self.own:
                                await member.room()
                            member.offer(self.following.entry, payload)
                        await asyncio.sleep(0)  # let the senders write before the next event
                    stopped = self.following.stopped
                    if isinstance(stopped, Overflow):
                        for member in list(self.members):
                            member.overflow("this subscription fell more than the live history's queue behind")
                    elif isinstance(stopped, Unpaid):
                        after = entry_id(self.following.entry or self.following.started or 0)
                        message = (
                            "this caller has no points left for the next page of this replay; subscribe again with `after` set "
                            "to `extensions.after` once `retryAfter` seconds have passed"
                        )
                        extensions = {"code": "RATE_LIMITED", "retryAfter": stopped.retry_after, "after": after}
                        ending = [{"message": message, "extensions": extensions}]
            else:  # refused before it began: an argument the resolver would not take
                ending = formatted(list(results.errors or [])) or [{"message": "the subscription could not start"}]
        except DomainError as error:
            code = next((code for kind, code in CODES.items() if isinstance(error, kind)), "BAD_USER_INPUT")
            ending = [{"message": error.message, "extensions": {"code": code}}]
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a subscription failed")
            ending = [{"message": "Unexpected error."}]
        finally:
            self.following.release()
            if self.following.listening is not None:
                self.following.listening.close()  # a subscription refused as it started never took its listener
            self._forget(self)
        for member in list(self.members):
            member.end(ending)

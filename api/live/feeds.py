"""Feeds: one execution of a subscription, shared by every socket subscription that asked exactly the same.

A subscription's events are executed once per feed, not once per subscriber, and each event is
encoded once: subscribers with the same document, operation, variables and role share a feed and
receive the same bytes. A subscription that replays from `after` gets a feed of its own, as no
one else has its past.

Each subscriber (a `Member`) holds at most `queue` encoded events; one that falls further behind
is dropped with a SUBSCRIPTION_OVERFLOW error naming the last entry it was sent, then completed.
The feed never waits for a subscriber's socket, so a slow one delays no one else.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError
from strawberry import relay

from api.graphql.context import Context
from api.graphql.errors import CODES, should_mask
from api.live.hub import Following, Overflow
from domain.errors import DomainError

log = logging.getLogger(__name__)

OVERFLOW = "SUBSCRIPTION_OVERFLOW"
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


class Member:
    """One subscription on one socket: its queue of encoded events, and the sender that writes them out."""

    def __init__(self, id: str, send: Send, *, queue: int, after: int, done: Callable[[Member], None]) -> None:
        self.id = id
        self.send = send
        self.limit = queue
        self.delivered = after
        """The last history entry this subscriber was sent an event for (or started after)."""
        self.pending: deque[tuple[int, str]] = deque()
        self.woken = asyncio.Event()
        self.drained = asyncio.Event()
        self.ending: list[dict[str, Any]] | None = None
        """How the subscription ends once its pending events are sent: [] completes it, errors end it with them."""
        self.overflowed = False
        self.feed: Feed | None = None
        self.following: Following | None = None
        self._done = done
        self.sender = asyncio.create_task(self._send_all(), name=f"demarche-subscriber-{id}")

    def offer(self, entry: int, payload: str) -> None:
        if self.overflowed or self.ending is not None:
            return
        if len(self.pending) >= self.limit:
            self.overflowed = True
            self.pending.clear()  # its memory goes at once; it resumes from the history
        else:
            self.pending.append((entry, payload))
        self.woken.set()

    async def room(self) -> None:
        """Wait until this subscriber's queue has room (or it has ended)."""
        while len(self.pending) >= self.limit and not self.overflowed and self.ending is None and not self.sender.done():
            self.drained.clear()
            await self.drained.wait()

    def end(self, errors: list[dict[str, Any]]) -> None:
        """Send what is pending, then these errors (none: just complete)."""
        if self.ending is None:
            self.ending = errors
            self.woken.set()

    def overflow(self) -> None:
        self.overflowed = True
        self.pending.clear()
        self.woken.set()

    async def _send_all(self) -> None:
        prefix = '{"id":' + json.dumps(self.id) + ',"type":"next","payload":'
        try:
            while True:
                await self.woken.wait()
                self.woken.clear()
                while self.pending and not self.overflowed:
                    entry, payload = self.pending.popleft()
                    self.drained.set()
                    await self.send(prefix + payload + "}")
                    self.delivered = max(self.delivered, entry)
                if self.overflowed:
                    started = self.following.started if self.following is not None else None
                    after = entry_id(self.delivered or started or 0)
                    message = (
                        f"this subscriber fell more than {self.limit} events behind and was dropped; "
                        "subscribe again with `after` set to `extensions.after` to receive everything since, exactly once"
                    )
                    error = {"message": message, "extensions": {"code": OVERFLOW, "after": after}}
                    await self.send(prefix + json.dumps({"data": None, "errors": [error]}) + "}")
                    await self.send(json.dumps({"id": self.id, "type": "complete"}))
                    return
                if self.ending is not None and not self.pending:
                    if self.ending:
                        await self.send(json.dumps({"id": self.id, "type": "error", "payload": self.ending}))
                    else:
                        await self.send(json.dumps({"id": self.id, "type": "complete"}))
                    return
        except Exception:  # the socket is gone: its session cleans up
            log.debug("a subscriber's socket went away", exc_info=True)
            return
        finally:
            self.drained.set()
            self.leave()

    def leave(self) -> None:
        """Stop this subscription (the client completed it, or its socket closed)."""
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
            results = await stream()
            if hasattr(results, "__aiter__"):
                async for result in results:
                    body: dict[str, Any] = {"data": result.data}
                    if result.errors:
                        body["errors"] = formatted(list(result.errors))
                    payload = json.dumps(body, separators=(",", ":"))
                    for member in list(self.members):
                        if self.own:
                            await member.room()
                        member.offer(self.following.entry, payload)
                    await asyncio.sleep(0)  # let the senders write before the next event
            else:  # refused before it began: an argument the resolver would not take
                ending = formatted(list(results.errors or [])) or [{"message": "the subscription could not start"}]
        except Overflow:
            for member in list(self.members):
                member.overflow()
        except DomainError as error:
            code = next((code for kind, code in CODES.items() if isinstance(error, kind)), "BAD_USER_INPUT")
            ending = [{"message": error.message, "extensions": {"code": code}}]
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a subscription failed")
            ending = [{"message": "Unexpected error."}]
        finally:
            self._forget(self)
            await context.reads.close()
        for member in list(self.members):
            member.end(ending)

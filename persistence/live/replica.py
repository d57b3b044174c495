"""Reading from a streaming replica while every write stays visible to whoever may have seen it made.

Writes go to the primary. After each commit the unit of work takes the primary's WAL position
(its LSN): the commit is in the WAL up to there. A read is answered by the replica only once the
replica has replayed up to the highest position this process knows to be written (its own
commits, and the positions other processes' notifications carry); if the replica does not get
there within a bounded wait, or a client hands back with `Demarche-Read-After` a position the
replica has not replayed and this process has not heard of, the read goes to the primary instead.
So a client never reads older than its own write, and a cached answer is never older than the
writes already announced.

A replica that hangs or stops never takes reads with it. Every question to the replica is one
shared task bounded by the wait, and a read waits for it only until its own deadline; a replica
that does not answer within the wait, or refuses a connection, is marked gone: reads go to the
primary at once, and a question is asked again every `RETRY` seconds until it answers.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from persistence.sql.engine import STORE_FAULTS

log = logging.getLogger(__name__)

CAUGHT_UP = 2**64
"""What a database that is no standby has replayed: everything (a primary given as its own replica)."""


def lsn_number(text: str) -> int:
    """A WAL position as PostgreSQL writes it (`16/B374D848`) as one comparable number."""
    high, _, low = text.strip().partition("/")
    if not low:
        raise ValueError(f"not a WAL position: {text!r}")
    number = (int(high, 16) << 32) + int(low, 16)
    if not 0 <= number < CAUGHT_UP:
        raise ValueError(f"not a WAL position: {text!r}")
    return number


def lsn_text(number: int) -> str:
    return f"{number >> 32:X}/{number & 0xFFFFFFFF:X}"


async def written_position(connection: AsyncConnection) -> int:
    """The primary's WAL position now; after a commit returns, the commit lies at or before it."""
    return lsn_number(str((await connection.exec_driver_sql("SELECT pg_current_wal_lsn()::text")).scalar_one()))


RETRY = 1.0
"""Seconds between two questions to a replica marked gone, to see whether it is back."""

LOOK_FLOOR = 0.25
"""The least time one question to the replica is given, whatever the wait (a wait of 0 still asks)."""


class ReplicaPosition:
    """How far the primary is known to have written and the replica to have replayed, in one process;
    and whether the replica answers at all."""

    def __init__(self, replica: AsyncEngine, *, wait: float, poll: float = 0.005, retry: float = RETRY) -> None:
        self.replica = replica
        self.wait = wait
        """The longest a read waits for the replica before it reads from the primary."""
        self.poll = poll
        self.retry = retry
        self.written = 0
        """The highest primary position known to hold a committed write."""
        self.replayed = 0
        """The highest position the replica was seen to have replayed."""
        self.gone: str | None = None
        """Why the replica is taken to be gone (it did not answer within the wait, or refused), or None while it answers."""
        self._question: asyncio.Task[None] | None = None
        """The one question to the replica in flight, which every waiting read shares."""
        self._asked_at = float("-inf")

    def wrote(self, position: int) -> None:
        self.written = max(self.written, position)

    def lost(self, reason: str) -> None:
        """A read could not reach the replica: reads go to the primary until a question to the replica is answered."""
        if self.gone is None:
            log.warning("the replica is gone (%s); reading from the primary until it answers again", reason)
        self.gone = reason

    async def caught_up(self, position: int = 0) -> bool:
        """Whether the replica has replayed every write known here (and `position`); waits up to `wait` seconds for it.

        A `position` past every write known here (a client's, made through another process, not yet heard of, or
        one made up) is not waited for: the replica is asked once, within the wait, and unless it has replayed that
        far the request reads from the primary, which holds it if it exists. A replica taken to be gone is not waited
        for either.
        """
        if self.gone is not None:
            self._ask_again()
            return False
        target = max(self.written, position)
        if self.replayed >= target:
            return True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        while True:
            if not await self._ask(deadline):
                return False
            if self.replayed >= target:
                return True
            if position > self.written or loop.time() >= deadline:
                return False
            await asyncio.sleep(min(self.poll, max(0.0, deadline - loop.time())))

    async def probe(self) -> str | None:
        """For readiness: None when the replica answers a question now, else why it is taken to be gone."""
        loop = asyncio.get_running_loop()
        await self._ask(loop.time() + max(self.wait, LOOK_FLOOR) + 0.1, fresh=True)
        return self.gone

    async def _ask(self, deadline: float, *, fresh: bool = False) -> bool:
        """Ask the replica how far it has replayed (or join the question in flight), waiting for the answer until
        `deadline`; whether it answered. At most one question per `poll` seconds, however many reads wait."""
        loop = asyncio.get_running_loop()
        if self._question is None or self._question.done():
            if not fresh and loop.time() - self._asked_at < self.poll:
                return self.gone is None
            self._start()
        assert self._question is not None
        try:
            async with asyncio.timeout_at(deadline):
                await asyncio.shield(self._question)
        except TimeoutError:
            return False  # this read's wait is over; the question goes on, bounded, and may mark the replica gone
        return self.gone is None

    def _ask_again(self) -> None:
        """While the replica is gone: a question in the background every `retry` seconds, to see whether it is back."""
        loop = asyncio.get_running_loop()
        if (self._question is None or self._question.done()) and loop.time() - self._asked_at >= self.retry:
            self._start()

    def _start(self) -> None:
        self._asked_at = asyncio.get_running_loop().time()
        self._question = asyncio.create_task(self._look(), name="replica position")

    async def _look(self) -> None:
        bound = max(self.wait, LOOK_FLOOR)
        try:
            async with asyncio.timeout(bound):
                found = await self._replayed()
        except TimeoutError:
            self.lost(f"no answer within {bound:g} s")
            return
        except STORE_FAULTS as error:
            self.lost(f"unreachable: {type(error).__name__}")
            return
        if self.gone is not None:
            log.warning("the replica answers again; reading from it")
        self.gone = None
        self.replayed = max(self.replayed, found)

    async def _replayed(self) -> int:
        async with self.replica.connect() as connection:
            found = (await connection.exec_driver_sql("SELECT pg_last_wal_replay_lsn()::text")).scalar()
        return CAUGHT_UP if found is None else lsn_number(str(found))

"""Reading from a streaming replica while every write stays visible to whoever may have seen it made.

Writes go to the primary. After each commit the unit of work takes the primary's WAL position
(its LSN): the commit is in the WAL up to there. A read is answered by the replica only once the
replica has replayed up to the highest position this process knows to be written (its own
commits, and the positions other processes' notifications carry); if the replica does not get
there within a bounded wait, or a client hands back with `Demarche-Read-After` a position this
process has not heard of, the read goes to the primary instead. So a client never reads
older than its own write, and a cached answer is never older than the writes already announced.
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


class ReplicaPosition:
    """How far the primary is known to have written and the replica to have replayed, in one process."""

    def __init__(self, replica: AsyncEngine, *, wait: float, poll: float = 0.005) -> None:
        self.replica = replica
        self.wait = wait
        """The longest a read waits for the replica before it reads from the primary."""
        self.poll = poll
        self.written = 0
        """The highest primary position known to hold a committed write."""
        self.replayed = 0
        """The highest position the replica was seen to have replayed."""
        self._asking = asyncio.Lock()
        self._asked_at = float("-inf")

    def wrote(self, position: int) -> None:
        self.written = max(self.written, position)

    async def caught_up(self, position: int = 0) -> bool:
        """Whether the replica has replayed every write known here (and `position`); waits up to `wait` seconds for it.

        A `position` past every write known here (a client's, made through another process, not yet heard of, or
        one made up) is not waited for: the request reads from the primary, which holds it if it exists.
        """
        if position > self.written:
            return False
        target = self.written
        if self.replayed >= target:
            return True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        while True:
            async with self._asking:  # one question to the replica per poll, however many requests wait
                if self.replayed < target and loop.time() - self._asked_at >= self.poll:
                    self._asked_at = loop.time()
                    try:
                        self.replayed = max(self.replayed, await self._replayed())
                    except STORE_FAULTS:
                        log.warning("the replica's position could not be read; reading from the primary", exc_info=True)
                        return False
            if self.replayed >= target:
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(self.poll)

    async def _replayed(self) -> int:
        async with self.replica.connect() as connection:
            found = (await connection.exec_driver_sql("SELECT pg_last_wal_replay_lsn()::text")).scalar()
        return CAUGHT_UP if found is None else lsn_number(str(found))

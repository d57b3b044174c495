"""How a process hears that the record changed: a signal raised once for every committed write.

Units of work raise it after their commit. Whatever must follow the record (the response cache,
subscriptions) waits on it instead of asking the database. One process hears its own writes this
way; hearing other processes' writes (PostgreSQL's LISTEN/NOTIFY) raises the same signal.
"""

from __future__ import annotations

import asyncio


class ChangeSignal:
    """A generation number that grows with every change heard; waiters wake when it moves.

    `live` says whether every committed change is being heard. While it is false (a listening
    connection is down), whatever relies on the signal must not trust that nothing changed.
    """

    def __init__(self) -> None:
        self._generation = 0
        self._live = True
        self._moved = asyncio.Event()

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def live(self) -> bool:
        return self._live

    def changed(self) -> None:
        """The record changed (a write committed here, or one was heard from elsewhere)."""
        self._generation += 1
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    def deaf(self) -> None:
        """Changes may be missed from now on, until `hearing` is called."""
        self._live = False
        self.changed()

    def hearing(self) -> None:
        """Every change is heard again; what happened meanwhile is unknown, so it counts as a change."""
        self._live = True
        self.changed()

    async def wait(self, seen: int) -> int:
        """Wait until the generation is past `seen`; return the generation then."""
        while self._generation <= seen:
            await self._moved.wait()
        return self._generation

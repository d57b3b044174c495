"""A per-caller budget of points over fixed windows, in the manner of GitHub's `rateLimit`, shared across processes.

A process does not ask the database for every request: it takes a lease of points (a twentieth of
the budget, or what the request needs if more) and spends it locally until it runs out. Processes
that share one database therefore share one budget, and together they can let a caller overspend
by at most one unspent lease each. A lease the database refuses is retried for exactly the points
the request needs, so the last points of a window are not lost to lease sizes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

Spend = Callable[[str, int, int, int], Awaitable[int | None]]
"""(caller, window, points, limit) -> the caller's total spent in the window after, or None when refused."""
Forget = Callable[[int], Awaitable[None]]

CALLERS = 10_000
"""Callers whose leases a process keeps; the least recent lose their unspent lease."""
LEASES_PER_WINDOW = 20


def points_for(cost: int) -> int:
    """What a request of `cost` spends: one point per 100 objects, at least one."""
    return max(1, math.ceil(cost / 100))


@dataclass(slots=True)
class _Lease:
    window: int
    granted: int = 0
    used: int = 0
    spent_everywhere: int = 0
    leasing: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while the ledger is asked, so that concurrent requests of one caller take one lease, not one each."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a request may run, and the figures for its RateLimit headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_after: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        found = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset_after).encode()),
        ]
        if not self.allowed:
            found.append((b"retry-after", str(self.reset_after).encode()))
        return found


class RateLimiter:
    """The budget of every caller seen by this process, leased from a ledger every process shares."""

    def __init__(self, spend: Spend, forget: Forget, *, limit: int, window: int, clock: Callable[[], float] = time.time) -> None:
        self.spend = spend
        self.forget = forget
        self.limit = limit
        self.window = window
        self.clock = clock
        self.lease_size = max(1, limit // LEASES_PER_WINDOW)
        self._leases: OrderedDict[str, _Lease] = OrderedDict()
        self._last_window = -1

    async def take(self, caller: str, points: int) -> Verdict:
        now = self.clock()
        window = int(now // self.window)
        reset_after = max(1, math.ceil((window + 1) * self.window - now))
        lease = self._leases.get(caller)
        if lease is None or lease.window != window:
            lease = self._leases[caller] = _Lease(window)
        self._leases.move_to_end(caller)
        while len(self._leases) > CALLERS:
            self._leases.popitem(last=False)
        if window != self._last_window:
            self._last_window = window
            await self._forget(window)
        if lease.used + points > lease.granted:
            async with lease.leasing:
                # Another request of this caller may have leased enough while this one waited.
                if lease.used + points > lease.granted and not await self._lease(lease, caller, window, points):
                    remaining = max(0, self.limit - max(lease.spent_everywhere, lease.used))
                    return Verdict(False, self.limit, remaining, reset_after)
        lease.used += points
        remaining = max(0, self.limit - lease.spent_everywhere) + (lease.granted - lease.used)
        return Verdict(True, self.limit, min(self.limit, remaining), reset_after)

    async def _lease(self, lease: _Lease, caller: str, window: int, points: int) -> bool:
        """Lease enough for `points` more: a twentieth of the budget if the ledger allows, else just what is short."""
        short = lease.used + points - lease.granted
        for ask in dict.fromkeys((max(short, self.lease_size), short)):
            total = await self._spend(caller, window, ask)
            if total is not None:
                lease.granted += ask
                lease.spent_everywhere = total
                return True
        return False

    async def _spend(self, caller: str, window: int, points: int) -> int | None:
        try:
            return await self.spend(caller, window, points, self.limit)
        except Exception:
            # The ledger is in the database: when it cannot be reached, the request is let through
            # (it will meet the same outage and be answered UNAVAILABLE) rather than refused as over budget.
            log.warning("the rate limit's ledger could not be reached; the request is let through", exc_info=True)
            return 0

    async def _forget(self, window: int) -> None:
        try:
            await self.forget(window - 1)
        except Exception:
            log.warning("the rate limit's ledger could not drop its old windows", exc_info=True)

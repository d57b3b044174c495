"""The rate limiter's leases, against an in-memory ledger shared like the database's."""

from __future__ import annotations

import asyncio

from api.limits.rates import RateLimiter


class Ledger:
    """What the rate_budget table does: spend if the total stays within the limit, with a pause like a round trip."""

    def __init__(self) -> None:
        self.spent: dict[tuple[str, int], int] = {}
        self.asked = 0

    async def spend(self, caller: str, window: int, points: int, limit: int) -> int | None:
        self.asked += 1
        await asyncio.sleep(0.001)
        total = self.spent.get((caller, window), 0) + points
        if total > limit:
            return None
        self.spent[(caller, window)] = total
        return total

    async def forget(self, window: int) -> None:
        return None


def limiter(ledger: Ledger, limit: int) -> RateLimiter:
    return RateLimiter(ledger.spend, ledger.forget, limit=limit, window=3600, clock=lambda: 7200.0)


def test_concurrent_first_requests_of_one_caller_share_one_lease() -> None:
    async def run() -> list[bool]:
        ledger = Ledger()
        shared = limiter(ledger, 10_000_000)
        verdicts = await asyncio.gather(*(shared.take("address:1", 1) for _ in range(60)))
        assert ledger.asked == 1, "one lease serves them all"
        return [verdict.allowed for verdict in verdicts]

    assert all(asyncio.run(run()))


def test_two_processes_on_one_ledger_allow_exactly_the_budget_between_them() -> None:
    async def run() -> int:
        ledger = Ledger()
        first, second = limiter(ledger, 100), limiter(ledger, 100)
        allowed = 0
        for turn in range(300):
            verdict = await (first if turn % 3 else second).take("token:abc", 1)
            allowed += verdict.allowed
        return allowed

    assert asyncio.run(run()) == 100


def test_a_request_costing_more_than_a_lease_takes_what_it_needs_and_the_last_points_are_not_lost() -> None:
    async def run() -> list[bool]:
        ledger = Ledger()
        one = limiter(ledger, 100)  # leases of 5
        return [(await one.take("c", points)).allowed for points in (30, 60, 9, 2, 1)]

    assert asyncio.run(run()) == [True, True, True, False, True]

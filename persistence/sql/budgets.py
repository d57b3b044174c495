"""The rate limit's shared ledger: points each caller spent per window, in the database every process uses."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.sql.engine import is_sqlite

_SPEND = text(
    'INSERT INTO rate_budget (caller, "window", spent) VALUES (:caller, :window, :points) '
    'ON CONFLICT (caller, "window") DO UPDATE SET spent = rate_budget.spent + excluded.spent '
    "WHERE rate_budget.spent + excluded.spent <= :limit "
    "RETURNING spent"
)
_FORGET = text('DELETE FROM rate_budget WHERE "window" < :window')


class SqlBudgetLedger:
    """Takes points from a caller's budget in one statement, so that processes sharing a database share the budget."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sqlite = is_sqlite(engine)

    async def spend(self, caller: str, window: int, points: int, limit: int) -> int | None:
        """Spend `points` of `caller`'s budget in `window` if that keeps it within `limit`: the total spent
        after, or None when it would not fit (nothing is then spent)."""
        if points > limit:
            return None
        options = {"sqlite_begin": "BEGIN IMMEDIATE"} if self._sqlite else {}
        async with self.engine.connect() as connection:
            connection = await connection.execution_options(**options)
            async with connection.begin():
                found = (await connection.execute(_SPEND, {"caller": caller, "window": window, "points": points, "limit": limit})).first()
        return None if found is None else int(found[0])

    async def forget_before(self, window: int) -> None:
        """Drop the counts of windows before `window`: they can refuse nothing any more."""
        options = {"sqlite_begin": "BEGIN IMMEDIATE"} if self._sqlite else {}
        async with self.engine.connect() as connection:
            connection = await connection.execution_options(**options)
            async with connection.begin():
                await connection.execute(_FORGET, {"window": window})

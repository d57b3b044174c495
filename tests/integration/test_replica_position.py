"""How long a read waits for the replica, and how often it asks it, with the replica's answers made up here."""

from __future__ import annotations

import asyncio
from typing import Any

from persistence.live.replica import ReplicaPosition, lsn_number, lsn_text
from persistence.sql.engine import create_engine


class Replica(ReplicaPosition):
    """A replica position whose replay is set by the test, and whose questions are counted."""

    def __init__(self, *, wait: float) -> None:
        super().__init__(create_engine("sqlite://"), wait=wait, poll=0.01)  # never connected: `_replayed` is the test's
        self.at = 0
        self.asked = 0

    async def _replayed(self) -> int:
        self.asked += 1
        return self.at


def test_wal_positions_read_and_written_alike() -> None:
    assert lsn_number("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn_text(lsn_number("16/B374D848")) == "16/B374D848"
    for bad in ("", "16", "yesterday", "-1/0"):
        try:
            lsn_number(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} read as a WAL position")


async def test_a_replica_that_has_replayed_every_known_write_is_read_at_once() -> None:
    replica = Replica(wait=1)
    replica.wrote(100)
    replica.at = 100
    assert await replica.caught_up()
    assert await replica.caught_up(50)
    assert replica.asked == 1  # the answer is kept: the next request asks nothing


async def test_a_position_no_write_known_here_reaches_goes_to_the_primary_without_waiting() -> None:
    replica = Replica(wait=5)
    replica.wrote(100)
    replica.at = 100
    started = asyncio.get_running_loop().time()
    assert not await replica.caught_up(2**63)
    assert asyncio.get_running_loop().time() - started < 0.5
    assert replica.asked == 0


async def test_many_waiting_requests_ask_the_replica_once_per_poll_and_give_up_after_the_wait() -> None:
    replica = Replica(wait=0.2)
    replica.wrote(100)
    replica.at = 50  # lagging throughout
    answers: list[Any] = await asyncio.gather(*(replica.caught_up() for _ in range(50)))
    assert answers == [False] * 50
    # 0.2 s of polling every 0.01 s: about 20 questions, not 50 requests times 20.
    assert replica.asked <= 30

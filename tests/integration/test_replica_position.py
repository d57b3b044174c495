"""How long a read waits for the replica, and how often it asks it, with the replica's answers made up here."""

from __future__ import annotations

import asyncio
from typing import Any

from persistence.live.replica import ReplicaPosition, lsn_number, lsn_text
from persistence.sql.engine import create_engine


class Replica(ReplicaPosition):
    """A replica position whose replay is set by the test, and whose questions are counted."""

    def __init__(self, *, wait: float, retry: float = 1.0) -> None:
        super().__init__(create_engine("sqlite://"), wait=wait, poll=0.01, retry=retry)  # never connected: `_replayed` is the test's
        self.at = 0
        self.asked = 0
        self.hung = False
        self.refusing = False

    async def _replayed(self) -> int:
        self.asked += 1
        if self.refusing:
            raise ConnectionRefusedError
        if self.hung:
            await asyncio.sleep(3600)
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
    assert replica.asked <= 1  # asked once whether it has replayed that far, never waited for


async def test_a_position_the_replica_has_replayed_reads_the_replica_though_no_write_known_here_reaches_it() -> None:
    replica = Replica(wait=5)  # a process with the cache off hears of no other process's writes
    replica.wrote(100)
    replica.at = 300
    assert await replica.caught_up(250)
    assert not await replica.caught_up(301)


async def test_a_hung_replica_holds_no_read_past_the_wait_and_then_none_at_all() -> None:
    replica = Replica(wait=0.3)
    replica.wrote(100)
    replica.hung = True
    loop = asyncio.get_running_loop()
    started = loop.time()
    answers = await asyncio.gather(*(replica.caught_up() for _ in range(20)))
    assert answers == [False] * 20
    assert loop.time() - started < 0.6
    assert replica.asked == 1  # one question, shared, not one per read or a queue of them
    await asyncio.sleep(0.05)
    assert replica.gone is not None
    started = loop.time()
    assert not await replica.caught_up()
    assert loop.time() - started < 0.05  # gone: the primary at once


async def test_a_gone_replica_is_asked_again_in_the_background_and_read_again_once_it_answers() -> None:
    replica = Replica(wait=0.2, retry=0.1)
    replica.wrote(100)
    replica.refusing = True
    assert not await replica.caught_up()
    assert replica.gone == "unreachable: ConnectionRefusedError"
    replica.refusing = False
    replica.at = 100
    assert not await replica.caught_up()  # still gone: no read waits for the question that checks it
    await asyncio.sleep(0.15)
    assert not await replica.caught_up()  # the retry interval is over: that read set a question going
    await asyncio.sleep(0.05)
    assert replica.gone is None
    assert await replica.caught_up()


async def test_readiness_asks_the_replica_and_says_why_it_is_gone() -> None:
    replica = Replica(wait=0.2)
    assert await replica.probe() is None
    replica.hung = True
    assert await replica.probe() == "no answer within 0.25 s"


async def test_many_waiting_requests_ask_the_replica_once_per_poll_and_give_up_after_the_wait() -> None:
    replica = Replica(wait=0.2)
    replica.wrote(100)
    replica.at = 50  # lagging throughout
    answers: list[Any] = await asyncio.gather(*(replica.caught_up() for _ in range(50)))
    assert answers == [False] * 50
    # 0.2 s of polling every 0.01 s: about 20 questions, not 50 requests times 20.
    assert replica.asked <= 30

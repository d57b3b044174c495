"""The change signal: waiters wake on every change, and a deaf spell counts as a change."""

from __future__ import annotations

import asyncio

from persistence.live.changes import ChangeSignal


async def test_a_waiter_wakes_when_the_record_changes() -> None:
    signal = ChangeSignal()
    waiting = asyncio.create_task(signal.wait(signal.generation))
    await asyncio.sleep(0)
    assert not waiting.done()
    signal.changed()
    assert await asyncio.wait_for(waiting, 1) == 1


async def test_a_change_made_before_waiting_is_not_missed() -> None:
    signal = ChangeSignal()
    seen = signal.generation
    signal.changed()
    assert await asyncio.wait_for(signal.wait(seen), 1) == seen + 1


async def test_losing_and_regaining_the_signal_each_count_as_a_change() -> None:
    signal = ChangeSignal()
    signal.deaf()
    assert not signal.live
    assert signal.generation == 1
    signal.hearing()
    assert signal.live
    assert signal.generation == 2

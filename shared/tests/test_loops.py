"""A loop built on verzuim_shared.loops stops when cancelled, also when the CancelledError itself was swallowed."""

from __future__ import annotations

import asyncio

import pytest
from verzuim_shared.loops import raise_if_cancelled, stop_requested, wait_for_wakeup


async def test_wait_for_wakeup_returns_when_set_and_after_the_timeout() -> None:
    wakeup = asyncio.Event()
    asyncio.get_running_loop().call_soon(wakeup.set)
    await asyncio.wait_for(wait_for_wakeup(wakeup, 30), 5)  # returns at once: it was set
    wakeup.clear()
    await asyncio.wait_for(wait_for_wakeup(wakeup, 0.01), 5)  # returns: the timeout passed, nothing is raised


async def test_a_loop_stops_even_when_a_library_swallowed_the_cancellation() -> None:
    rounds = 0
    started = asyncio.Event()

    async def loop() -> None:
        nonlocal rounds
        while True:
            raise_if_cancelled()
            rounds += 1
            started.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                pass  # what a library's wait_for does when its future completes at the same moment

    task = asyncio.create_task(loop())
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert rounds == 1


async def test_wait_for_wakeup_passes_a_cancellation_through() -> None:
    task = asyncio.create_task(wait_for_wakeup(asyncio.Event(), 3600))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert not stop_requested()  # this (test) task was never asked to stop

"""Background loops that stop when the service stops.

On Python 3.11 `asyncio.wait_for` can swallow a cancellation that arrives just as the awaited future completes or
its timeout fires (nats-py's `fetch` waits that way too). A loop that relies on the CancelledError alone then runs on
after the service was asked to stop, and the shutdown waits for it forever. The request does still count in
`Task.cancelling()`, so a loop that checks it every round always stops.
"""

from __future__ import annotations

import asyncio
import contextlib


def stop_requested() -> bool:
    """Whether the running task was asked to stop (even if a library swallowed the CancelledError)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def raise_if_cancelled() -> None:
    """Raise CancelledError when the running task was asked to stop; call it once every round of a loop."""
    if stop_requested():
        raise asyncio.CancelledError


async def wait_for_wakeup(wakeup: asyncio.Event, timeout: float) -> None:
    """Wait until `wakeup` is set or `timeout` seconds passed; a cancellation always comes through.

    `asyncio.timeout` rather than `wait_for`: it turns only its own expiry into a TimeoutError."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await wakeup.wait()
    raise_if_cancelled()

"""The scheduler loop stops when the service shuts down, also when a library swallowed the cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from verzuim_deadlines.entrypoints.scheduler import Planner


class SwallowingRound:
    """A round that, like asyncio.wait_for on Python 3.11 when its future completes at the same moment, loses the
    CancelledError it receives."""

    def __init__(self) -> None:
        self.rounds = 0
        self.started = asyncio.Event()

    async def ronde(self) -> int:
        self.rounds += 1
        self.started.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(30)
        return 0

    async def herbereken_gemarkeerde(self, *args: Any, **kwargs: Any) -> int:
        return 0


async def test_a_swallowed_cancellation_still_stops_the_scheduler_loop() -> None:
    werk = SwallowingRound()
    planner = Planner(werk, werk, interval_s=0.01)  # type: ignore[arg-type]
    task = asyncio.create_task(planner.run())
    await asyncio.wait_for(werk.started.wait(), 10)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=10)
    assert done == {task} and task.cancelled()
    assert werk.rounds == 1


async def test_the_loop_waits_for_the_dossier_facts_before_a_round_but_not_forever() -> None:
    werk = SwallowingRound()
    werk.ronde = _snel(werk)  # type: ignore[method-assign]
    antwoorden = iter([False, False, True])

    async def feiten_verwerkt() -> bool:
        return next(antwoorden)

    planner = Planner(werk, werk, interval_s=60, feiten_verwerkt=feiten_verwerkt, max_wacht_op_feiten_s=10)  # type: ignore[arg-type]
    assert await planner.ronde() == 0
    assert next(antwoorden, "op") == "op"  # it asked until the facts were in, then signalled

    nooit = Planner(werk, werk, interval_s=60, feiten_verwerkt=_nooit, max_wacht_op_feiten_s=0.2)  # type: ignore[arg-type]
    assert await asyncio.wait_for(nooit.ronde(), 10) == 0  # gave up waiting after 0.2 s and signalled anyway


def _snel(werk: SwallowingRound) -> Any:
    async def ronde() -> int:
        werk.rounds += 1
        return 0

    return ronde


async def _nooit() -> bool:
    return False

"""The scheduler loop: every interval (or at once when woken), it finishes recalculations that a rules change left,
waits until the dossier events that arrived have been processed (facts first, then signals: a fulfilment that is
waiting in the stream must not be reported as missed), then runs a signalling round (application.Signalering).
A failed round is logged and retried at the next tick; rounds are idempotent."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from verzuim_shared.loops import raise_if_cancelled, stop_requested, wait_for_wakeup

from verzuim_deadlines.application import Signalering, Termijnbewaking

log = logging.getLogger(__name__)


class Planner:
    def __init__(
        self,
        signalering: Signalering,
        bewaking: Termijnbewaking,
        interval_s: float,
        feiten_verwerkt: Callable[[], Awaitable[bool]] | None = None,
        max_wacht_op_feiten_s: float = 30.0,
    ) -> None:
        self._signalering = signalering
        self._bewaking = bewaking
        self._interval = interval_s
        self._feiten_verwerkt = feiten_verwerkt
        self._max_wacht = max_wacht_op_feiten_s
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()

    def wake(self) -> None:
        self._wakeup.set()

    async def ronde(self) -> int:
        """One round now (serialised with the loop's own rounds)."""
        async with self._lock:
            await self._bewaking.herbereken_gemarkeerde()
            await self._wacht_op_feiten()
            return await self._signalering.ronde()

    async def _wacht_op_feiten(self) -> None:
        if self._feiten_verwerkt is None:
            return
        deadline = time.monotonic() + self._max_wacht
        while time.monotonic() < deadline and not stop_requested():
            try:
                if await self._feiten_verwerkt():
                    return
            except Exception as exc:  # NATS away: signal on what is known rather than not at all
                log.warning("scheduler: cannot see the dossier consumer (%s: %s)", type(exc).__name__, exc)
                return
            await asyncio.sleep(0.05)
        log.warning("scheduler: dossier events still pending after %.0fs; signalling anyway", self._max_wacht)

    async def run(self) -> None:
        while True:
            raise_if_cancelled()
            self._wakeup.clear()
            try:
                verstuurd = await self.ronde()
                if verstuurd:
                    log.info("scheduler: %d signal(s) sent", verstuurd)
            except Exception as exc:
                log.warning("scheduler: round failed (%s: %s); retry at the next tick", type(exc).__name__, exc)
            await wait_for_wakeup(self._wakeup, self._interval)

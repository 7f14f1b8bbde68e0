"""The outbox relay: publishes the termijn events stored in `uitgaand_event` to JetStream, in order.

A termijn change and its event are committed in one transaction; this relay publishes afterwards with
`Nats-Msg-Id` = the event id, then marks the row. After a crash between publishing and marking, the row is published
again and JetStream's dedupe drops the copy (and consumers of termijn events are idempotent on the event id).
With several replicas, one relay publishes at a time (a transaction-scoped advisory lock, tried, never waited for):
two relays publishing different rows side by side would put the events on the stream out of order, and the order
matters (a `nadert` before its `verstreken`, signals in date order). The others find the lock taken and try again
at their next wake-up or poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from faststream.nats import NatsBroker
from verzuim_shared.events import parse_event
from verzuim_shared.loops import raise_if_cancelled, wait_for_wakeup
from verzuim_shared.messaging import publish_event

from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.settings import DeadlinesSettings

log = logging.getLogger(__name__)


MAX_BACKOFF_S = 10.0
RELAY_LOCK_KEY = 0x7665727A75696D33  # "verzuim" + "3": the deadlines outbox


class OutboxRelay:
    def __init__(self, database: Database, broker: NatsBroker, settings: DeadlinesSettings) -> None:
        self._database = database
        self._broker = broker
        self._source = settings.event_source
        self._poll_interval = settings.outbox_poll_interval_s
        self._batch_size = settings.outbox_batch_size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None

    def wake(self) -> None:
        """New events were stored: publish now instead of at the next poll. Safe to call from any thread."""
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(wakeup.set)

    async def run(self) -> None:
        """Publish until cancelled (a background task of the service)."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        failures = 0
        while True:
            raise_if_cancelled()
            self._wakeup.clear()
            try:
                count = await self.publish_pending()
            except Exception as exc:
                failures += 1
                delay = min(self._poll_interval * 2**failures, MAX_BACKOFF_S)
                log.warning("outbox relay: publishing failed (%s: %s); retry in %.1fs", type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if count == self._batch_size:
                continue  # there may be more waiting
            await wait_for_wakeup(self._wakeup, self._poll_interval)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished events; returns how many were claimed."""
        async with self._database.pool.connection() as conn, conn.transaction():
            lock = await conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (RELAY_LOCK_KEY,))
            row = await lock.fetchone()
            if row is None or not row[0]:
                return 0  # another replica is publishing
            cur = await conn.execute(
                "SELECT volgnummer, subject, body FROM uitgaand_event WHERE gepubliceerd_op IS NULL"
                " ORDER BY volgnummer LIMIT %s FOR UPDATE SKIP LOCKED",
                (self._batch_size,),
            )
            rows = await cur.fetchall()
            for volgnummer, subject, body in rows:
                await publish_event(self._broker, parse_event(subject, body.encode()), source=self._source)
                await conn.execute(
                    "UPDATE uitgaand_event SET gepubliceerd_op = now() WHERE volgnummer = %s", (volgnummer,)
                )
            return len(rows)

"""The outbox relay: the event store's notification log, published in order to JetStream.

The dossier's events and their notification-log entries are stored in one transaction, so the log is the outbox.
The relay reads it from the last recorded position, publishes each entry as its public contract event with
`Nats-Msg-Id = cases:<notification id>` and records how far it got after each batch. After a crash it starts again
from the recorded position: JetStream's dedupe drops the re-published tail, so subscribers see no gap and no
duplicate. One relay is active per database (a PostgreSQL advisory lock); other replicas wait on standby.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from faststream.nats import NatsBroker
from verzuim_shared.events import DossierEvent
from verzuim_shared.loops import raise_if_cancelled, wait_for_wakeup
from verzuim_shared.messaging import publish_event

from verzuim_cases.adapters.public_events import to_public_event
from verzuim_cases.application import DossierApplication
from verzuim_cases.settings import CasesSettings

log = logging.getLogger(__name__)

Connection = psycopg.AsyncConnection[tuple[Any, ...]]

RELAY_NAME = "dossier-events"
# Advisory-lock key of the active relay (advisory locks are scoped to the database).
RELAY_LOCK_KEY = 4_262_019_117
MAX_BACKOFF_S = 5.0

POSITION_DDL = (
    "CREATE TABLE IF NOT EXISTS outbox_relay_position ("
    " relay text PRIMARY KEY,"
    " notification_id bigint NOT NULL,"
    " bijgewerkt_op timestamptz NOT NULL DEFAULT now())"
)


def msg_id(notification_id: int) -> str:
    return f"cases:{notification_id}"


class OutboxRelay:
    def __init__(self, application: DossierApplication, broker: NatsBroker, settings: CasesSettings) -> None:
        self._app = application
        self._broker = broker
        self._database_url = settings.database_url
        self._poll_interval = settings.relay_poll_interval_s
        self._batch_size = settings.relay_batch_size
        self._source = settings.relay_source
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        # Observability: the last published notification id (once active), publishes, and publishes that JetStream
        # reported as duplicates (a re-published tail after a crash).
        self.position: int | None = None
        self.published = 0
        self.duplicates = 0

    def wake(self) -> None:
        """New events were stored: look now instead of at the next poll. Safe to call from any thread."""
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(wakeup.set)

    async def run(self) -> None:
        """Publish until cancelled. Raises when the database connection breaks (the caller restarts it)."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        async with await psycopg.AsyncConnection.connect(self._database_url, autocommit=True) as conn:
            await conn.execute(POSITION_DDL)
            await self._become_active(conn)
            position = await self._load_position(conn)
            self.position = position
            log.info("outbox relay active from notification %d", position)
            failures = 0
            while True:
                raise_if_cancelled()
                self._wakeup.clear()
                try:
                    position, count = await self._publish_batch(conn, position)
                except Exception as exc:
                    if conn.broken or conn.closed:
                        raise
                    if self.position is not None:
                        position = self.position  # what did go out before the failure is recorded
                    failures = min(failures + 1, 10)
                    delay = min(self._poll_interval * 2**failures, MAX_BACKOFF_S)
                    log.warning(
                        "outbox relay: publishing failed (%s: %s); retry in %.1fs", type(exc).__name__, exc, delay
                    )
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                if count == self._batch_size:
                    continue  # there may be more waiting
                await wait_for_wakeup(self._wakeup, self._poll_interval)

    async def _become_active(self, conn: Connection) -> None:
        announced = False
        while True:
            cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (RELAY_LOCK_KEY,))
            row = await cur.fetchone()
            if row is not None and row[0]:
                return
            if not announced:
                log.info("outbox relay on standby: another instance is active")
                announced = True
            await asyncio.sleep(max(self._poll_interval, 1.0))

    async def _load_position(self, conn: Connection) -> int:
        cur = await conn.execute("SELECT notification_id FROM outbox_relay_position WHERE relay = %s", (RELAY_NAME,))
        row = await cur.fetchone()
        return int(row[0]) if row is not None else 0

    async def _store_position(self, conn: Connection, position: int) -> None:
        await conn.execute(
            "INSERT INTO outbox_relay_position (relay, notification_id) VALUES (%s, %s)"
            " ON CONFLICT (relay) DO UPDATE SET notification_id = EXCLUDED.notification_id, bijgewerkt_op = now()",
            (RELAY_NAME, position),
        )
        self.position = position

    async def _publish_batch(self, conn: Connection, position: int) -> tuple[int, int]:
        """Publish the next entries after `position`; return the new position and how many entries were read.

        The entries go out in waves: a wave holds at most one event per dossier and is published concurrently (the
        acks of JetStream with fsync-always would otherwise cap the relay at one round trip per event); the next
        event of the same dossier waits for the next wave. So when a publish fails, only events of *other*
        dossiers can already be in the stream after it: the order per dossier always holds. The position moves to
        the last entry before the first failure; what went out after it is re-published and dropped by dedupe."""
        notifications = await asyncio.to_thread(
            self._app.notification_log.select, position, self._batch_size, inclusive_of_start=False
        )
        published = position
        try:
            entries: list[tuple[int, DossierEvent | None]] = []
            mapping_error: Exception | None = None
            for notification in notifications:
                try:
                    entries.append((notification.id, to_public_event(self._app.mapper.to_domain_event(notification))))
                except Exception as exc:  # never skip an entry: stop here, publish what comes before it
                    mapping_error = exc
                    break
            for wave in waves(entries):
                results = await asyncio.gather(
                    *(self._publish(nid, event) for nid, event in wave), return_exceptions=True
                )
                failure: BaseException | None = None
                for (nid, _), result in zip(wave, results, strict=True):
                    if isinstance(result, BaseException):
                        failure = failure or result
                    elif failure is None:
                        published = nid
                if failure is not None:
                    raise failure
            if mapping_error is not None:
                raise mapping_error
        finally:
            if published != position:
                await self._store_position(conn, published)
        return published, len(notifications)

    async def _publish(self, notification_id: int, event: DossierEvent | None) -> None:
        if event is None:
            return
        result = await publish_event(self._broker, event, source=self._source, msg_id=msg_id(notification_id))
        self.published += 1
        self.duplicates += int(result.duplicate)


def waves(entries: list[tuple[int, DossierEvent | None]]) -> list[list[tuple[int, DossierEvent | None]]]:
    """Consecutive groups in log order with at most one event per dossier each."""
    result: list[list[tuple[int, DossierEvent | None]]] = []
    current: list[tuple[int, DossierEvent | None]] = []
    dossiers: set[object] = set()
    for nid, event in entries:
        if event is not None and event.dossier_id in dossiers:
            result.append(current)
            current, dossiers = [], set()
        current.append((nid, event))
        if event is not None:
            dossiers.add(event.dossier_id)
    if current:
        result.append(current)
    return result

"""Publishes intake facts to JetStream through the shared `publish_event` (Nats-Msg-Id + CloudEvents headers)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from faststream.nats import NatsBroker
from verzuim_shared.events import Event
from verzuim_shared.messaging import publish_event

from verzuim_intake.adapters.nats_fouten import als_storing
from verzuim_intake.domain.fouten import BerichtenbusNietBeschikbaar


class JetStreamPublisher:
    def __init__(self, broker: NatsBroker, *, source: str, timeout: float, concurrency: int) -> None:
        self._broker = broker
        self._source = source
        self._timeout = timeout
        self._concurrency = concurrency

    async def publish(self, event: Event) -> bool:
        with als_storing(f"{event.type_name()} publiceren"):
            result = await publish_event(self._broker, event, source=self._source, timeout=self._timeout)
        return result.duplicate

    async def publish_all(self, events: Sequence[Event]) -> list[bool]:
        """Many publishes in flight at once (bounded), each waiting for its own ack. On the first failure the rest
        is cancelled; what was published stays, and a retry of the whole batch is deduplicated by JetStream."""
        limit = asyncio.Semaphore(self._concurrency)

        async def one(event: Event) -> bool:
            async with limit:
                return await self.publish(event)

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(event)) for event in events]
        except ExceptionGroup as failed:
            first = failed.exceptions[0]
            storingen = [e for e in failed.exceptions if isinstance(e, BerichtenbusNietBeschikbaar)]
            raise (storingen[0] if storingen else first) from None
        return [task.result() for task in tasks]

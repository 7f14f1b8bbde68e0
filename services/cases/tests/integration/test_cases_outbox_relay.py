"""The outbox relay on its own, with a broker that fails once in the middle of a batch."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, date, datetime
from typing import Any, cast
from uuid import UUID, uuid4

import nats
import psycopg
from faststream.nats import NatsBroker
from nats.js.api import ConsumerConfig, DeliverPolicy
from verzuim_cases.adapters.outbox_relay import OutboxRelay
from verzuim_cases.application import DossierApplication
from verzuim_cases.settings import CasesSettings
from verzuim_devstack.testing import eventually
from verzuim_shared.events import Actor, Bereikbaarheid, Rol, ZiekGemeld
from verzuim_shared.messaging import ensure_streams

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def ziek(werkgever: str, werknemer: str) -> ZiekGemeld:
    return ZiekGemeld(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=NOW,
        actor=Actor(id="hr-1", rol=Rol.HR),
        melding_id=uuid4(),
        werknemer_id=werknemer,
        eerste_ziektedag=date(2025, 1, 6),
        gemeld_op=NOW,
        gemeld_door=Actor(id=werknemer, rol=Rol.WERKNEMER),
        bereikbaarheid=Bereikbaarheid(telefoon="0612345678"),
        meldtijd_grens=NOW,
        na_meldtijd=False,
    )


class BrokerThatFailsOnce:
    """Passes publishes to the real broker, except the n-th, which fails as if NATS were unreachable."""

    def __init__(self, real: NatsBroker, fail_on: int) -> None:
        self.real = real
        self.fail_on = fail_on
        self.calls = 0

    async def publish(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self.fail_on:
            raise ConnectionError("nats: no servers available")
        return await self.real.publish(*args, **kwargs)


async def published_msg_ids(nats_url: str, werkgever: str) -> list[str]:
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            "verzuim.dossier.v1.>",
            durable=None,
            stream="VERZUIM_DOSSIER",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        ids: list[str] = []
        while True:
            try:
                batch = await sub.fetch(200, timeout=0.5)
            except TimeoutError:  # nats-py raises its own subclass or asyncio's, depending on where it gives up
                return ids
            for msg in batch:
                if json.loads(msg.data)["werkgever_id"] == werkgever and msg.headers:
                    ids.append(msg.headers["Nats-Msg-Id"])
                await msg.ack()
    finally:
        await nc.close()


async def test_a_failed_publish_is_retried_from_the_recorded_position_without_gaps_or_duplicates(
    cases_settings: CasesSettings, nats_url: str
) -> None:
    werkgever = f"wg-{uuid4().hex[:8]}"
    application = DossierApplication.from_settings(cases_settings)
    broker = NatsBroker(nats_url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), cases_settings)
    task: asyncio.Task[None] | None = None
    try:
        dossiers: list[UUID] = []
        for werknemer in ("wn-1", "wn-2", "wn-3"):
            dossiers.append(application.open_dossier(ziek(werkgever, werknemer)).id)
        with psycopg.connect(cases_settings.database_url) as conn:
            rows = conn.execute("SELECT notification_id FROM cases_events ORDER BY notification_id").fetchall()
        notification_ids = [int(r[0]) for r in rows]

        flaky = BrokerThatFailsOnce(broker, fail_on=2)
        relay = OutboxRelay(application, cast(NatsBroker, flaky), cases_settings)
        task = asyncio.create_task(relay.run())
        await eventually(lambda: relay.position == notification_ids[-1])

        assert flaky.calls == 4  # three events, one of them twice
        assert (relay.published, relay.duplicates) == (3, 0)  # the retry started after the one that did go out
        assert await published_msg_ids(nats_url, werkgever) == [f"cases:{n}" for n in notification_ids]
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await broker.stop()
        application.close()

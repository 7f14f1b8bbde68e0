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
from verzuim_shared.events import Actor, Bereikbaarheid, HerstelGemeld, HerstelSoort, Rol, ZiekGemeld
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
        # Log order: A1, B1, A2. The relay sends A1 and B1 together (one event per dossier per wave), then A2.
        a = application.open_dossier(ziek(werkgever, "wn-a"))
        application.open_dossier(ziek(werkgever, "wn-b"))
        application.registreer_herstel(herstel(werkgever, "wn-a", a.melding_id))
        with psycopg.connect(cases_settings.database_url) as conn:
            rows = conn.execute("SELECT notification_id FROM cases_events ORDER BY notification_id").fetchall()
        a1, b1, a2 = (int(r[0]) for r in rows)

        flaky = BrokerThatFailsOnce(broker, fail_on=1)  # A1 fails, B1 goes out in the same wave
        relay = OutboxRelay(application, cast(NatsBroker, flaky), cases_settings)
        task = asyncio.create_task(relay.run())
        await eventually(lambda: relay.position == a2)

        assert flaky.calls == 5  # A1 (fails), B1; then A1, B1 again (a JetStream duplicate), A2
        assert (relay.published, relay.duplicates) == (4, 1)
        ids = await published_msg_ids(nats_url, werkgever)
        assert sorted(ids) == sorted(f"cases:{n}" for n in (a1, b1, a2))  # no gap, no duplicate
        assert ids.index(f"cases:{a1}") < ids.index(f"cases:{a2}")  # in order per dossier
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await broker.stop()
        application.close()


def herstel(werkgever: str, werknemer: str, melding_id: UUID) -> HerstelGemeld:
    return HerstelGemeld(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=NOW,
        actor=Actor(id="hr-1", rol=Rol.HR),
        herstel_id=uuid4(),
        werknemer_id=werknemer,
        melding_id=melding_id,
        soort=HerstelSoort.GEDEELTELIJK,
        hersteldatum=date(2025, 1, 8),
        arbeidsongeschiktheidspercentage=50,
        gemeld_op=NOW,
        gemeld_door=Actor(id="hr-1", rol=Rol.HR),
    )

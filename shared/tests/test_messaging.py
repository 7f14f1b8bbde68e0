"""Shared JetStream helpers on a real NATS server: dedupe, explicit ack, bounded redelivery, dead letters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import nats
import pytest
from faststream.nats import NatsBroker
from verzuim_devstack.testing import eventually
from verzuim_shared.events import Actor, AfdelingVastgelegd, Event, Rol
from verzuim_shared.messaging import Delivery, durable_consumer, ensure_consumers, ensure_streams, publish_event
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream


def afdeling(werkgever: str, naam: str = "Magazijn") -> AfdelingVastgelegd:
    return AfdelingVastgelegd(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=datetime.now(UTC),
        actor=Actor(id="hr", rol=Rol.HR),
        afdeling_id="afd-1",
        naam=naam,
    )


@pytest.fixture
def settings(nats_url: str) -> ServiceSettings:
    return ServiceSettings(nats_url=nats_url, consumer_max_deliver=3, consumer_backoff_s=(0.05,), consumer_ack_wait_s=5)


async def test_publish_dedupes_and_consumer_acks_once(settings: ServiceSettings) -> None:
    broker = NatsBroker(settings.nats_url)
    seen: list[tuple[Event, Delivery]] = []
    durable = f"t-{uuid4().hex[:8]}"

    @durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=durable)
    async def handle(event: Event, delivery: Delivery) -> None:
        if event.werkgever_id == werkgever:
            seen.append((event, delivery))

    werkgever = f"wg-{uuid4().hex[:6]}"
    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), settings)
    await broker.start()
    try:
        event = afdeling(werkgever)
        first = await publish_event(broker, event, source="test")
        second = await publish_event(broker, event, source="test")
        assert not first.duplicate and second.duplicate and first.sequence == second.sequence
        await eventually(lambda: len(seen) == 1)
        assert seen[0][0] == event
        assert seen[0][1].headers["ce-type"] == "verzuim.personeel.v1.afdeling-vastgelegd"
        assert seen[0][1].headers["ce-id"] == str(event.event_id)
    finally:
        await broker.stop()


async def test_failing_handler_is_retried_then_dead_lettered_with_reason(settings: ServiceSettings) -> None:
    broker = NatsBroker(settings.nats_url)
    attempts: list[int] = []
    durable = f"t-{uuid4().hex[:8]}"
    werkgever = f"wg-{uuid4().hex[:6]}"

    @durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=durable)
    async def handle(event: Event, delivery: Delivery) -> None:
        if event.werkgever_id == werkgever:
            attempts.append(delivery.num_delivered)
            raise RuntimeError("database is down")

    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), settings)
    nc = await nats.connect(settings.nats_url)
    js = nc.jetstream()
    dl = await js.pull_subscribe(f"verzuim.deadletter.v1.{durable}", durable=f"dl-{durable}")
    await broker.start()
    try:
        await publish_event(broker, afdeling(werkgever), source="test")
        await eventually(lambda: len(attempts) == 3)
        msgs = await dl.fetch(1, timeout=10)
        assert "gave up after 3 attempts" in msgs[0].headers["verzuim-dead-letter-reason"]
        assert "database is down" in msgs[0].headers["verzuim-dead-letter-reason"]
        assert json.loads(msgs[0].data)["werkgever_id"] == werkgever
        await msgs[0].ack()
    finally:
        await broker.stop()
        await nc.close()
    assert attempts == [1, 2, 3]


async def test_invalid_payload_is_dead_lettered_at_once(settings: ServiceSettings) -> None:
    broker = NatsBroker(settings.nats_url)
    durable = f"t-{uuid4().hex[:8]}"
    handled: list[Event] = []

    @durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=durable)
    async def handle(event: Event, delivery: Delivery) -> None:
        handled.append(event)

    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), settings)
    nc = await nats.connect(settings.nats_url)
    js = nc.jetstream()
    dl = await js.pull_subscribe(f"verzuim.deadletter.v1.{durable}", durable=f"dl-{durable}")
    await broker.start()
    try:
        await js.publish("verzuim.personeel.v1.afdeling-vastgelegd", b'{"diagnose": "griep"}')
        msgs = await dl.fetch(1, timeout=10)
        assert msgs[0].headers["verzuim-attempts"] == "1"
        assert "invalid message" in msgs[0].headers["verzuim-dead-letter-reason"]
    finally:
        await broker.stop()
        await nc.close()


async def test_startup_brings_an_existing_durables_settings_in_line(settings: ServiceSettings) -> None:
    durable = f"t-{uuid4().hex[:8]}"

    async def handle(event: Event, delivery: Delivery) -> None:
        pass

    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js, settings)
        for max_deliver in (3, 5):  # a release raises the redelivery bound; the durable already exists on the server
            broker = NatsBroker(settings.nats_url)
            durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=durable, max_deliver=max_deliver)(
                handle
            )
            await ensure_consumers(js, broker)
            info = await js.consumer_info(Stream.PERSONEEL.jetstream_name, durable)
            assert info.config.max_deliver == max_deliver
            assert info.config.filter_subject == Stream.PERSONEEL.wildcard
    finally:
        await nc.close()

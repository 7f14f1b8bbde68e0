"""/readyz of the shared service shell, against servers of the test's own that it stops and starts again: 503
problem+json naming what is down (NATS, PostgreSQL, a stuck consumer), and 200 again after recovery."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from psycopg_pool import AsyncConnectionPool
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.postgres import EmbeddedPostgres
from verzuim_devstack.testing import eventually_sync
from verzuim_shared.db import check_database, open_pool
from verzuim_shared.events import Actor, AfdelingVastgelegd, Event, Rol
from verzuim_shared.messaging import Delivery, durable_consumer, publish_event
from verzuim_shared.service import ServiceSpec, create_app, make_broker
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    # a server of its own: the session's (or the one VERZUIM_TEST_DATABASE_URL names) must not be stopped
    server = EmbeddedPostgres(tmp_path / "pg").start()
    try:
        yield server
    finally:
        server.stop()


def readyz(client: TestClient) -> httpx.Response:
    return client.get("/readyz")


def not_ready_naming(client: TestClient, word: str) -> dict[str, Any] | None:
    r = readyz(client)
    if r.status_code != 503:
        return None
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    body: dict[str, Any] = r.json()
    assert body["status"] == 503 and body["type"].endswith("/niet-gereed")
    return body if any(word in p for p in body["problems"]) and word in body["detail"] else None


def ready(client: TestClient) -> bool:
    r = readyz(client)
    return r.status_code == 200 and r.json() == {"status": "ready"}


def test_readyz_names_postgresql_and_nats_when_down_and_recovers(
    own_nats_server: NatsServer, postgres: EmbeddedPostgres
) -> None:
    settings = ServiceSettings(nats_url=own_nats_server.url, database_url=postgres.admin_url, service_name="probe")
    broker = make_broker(settings)
    pools: list[AsyncConnectionPool] = []

    async def open_database() -> None:
        pools.append(await open_pool(settings, min_size=1, max_size=2))

    async def close_database() -> None:
        await pools[0].close()

    async def postgres_check() -> None:  # what the services with a database register
        await check_database(pools[0])

    postgres_check.__name__ = "postgres"
    app = create_app(
        ServiceSpec(
            title="probe",
            settings=settings,
            broker=broker,
            on_startup=[open_database],
            on_shutdown=[close_database],
            readiness=[postgres_check],
        )
    )
    with TestClient(app) as client:
        assert ready(client)

        postgres.stop()
        problem = eventually_sync(lambda: not_ready_naming(client, "postgres"), timeout=30, interval=0.2)
        assert not any("nats" in p for p in problem["problems"])
        postgres.start()
        eventually_sync(lambda: ready(client), timeout=60, interval=0.2)

        own_nats_server.kill()
        problem = eventually_sync(lambda: not_ready_naming(client, "nats: not connected"), timeout=30, interval=0.2)
        assert not any("postgres" in p for p in problem["problems"])
        own_nats_server.start()
        eventually_sync(lambda: ready(client), timeout=60, interval=0.2)


def test_readyz_names_a_consumer_whose_handler_hangs(own_nats_server: NatsServer) -> None:
    """FastStream waits for a whole fetched batch before it fetches again: a handler that hangs stops the consumer
    of this process. Readiness says so once it has been busy for longer than the ack wait."""
    settings = ServiceSettings(nats_url=own_nats_server.url, service_name="probe", consumer_ack_wait_s=1.0)
    broker = make_broker(settings)
    durable = f"probe-{uuid4().hex[:8]}"
    release = asyncio.Event()
    handled: list[Event] = []

    @durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=durable)
    async def handle(event: Event, delivery: Delivery) -> None:
        await release.wait()
        handled.append(event)

    app = create_app(ServiceSpec(title="probe", settings=settings, broker=broker))
    with TestClient(app) as client:
        assert ready(client)
        event = AfdelingVastgelegd(
            event_id=uuid4(),
            werkgever_id="wg-probe",
            geregistreerd_op=datetime.now(UTC),
            actor=Actor(id="hr", rol=Rol.HR),
            afdeling_id="afd-1",
            naam="Magazijn",
        )
        assert client.portal is not None

        async def publish() -> None:
            await publish_event(broker, event, source="urn:test")

        client.portal.call(publish)
        problem = eventually_sync(lambda: not_ready_naming(client, f"consumer {durable}"), timeout=30, interval=0.2)
        assert "no progress" in problem["detail"]

        client.portal.call(_set, release)
        eventually_sync(lambda: handled and ready(client), timeout=30, interval=0.2)


async def _set(event: asyncio.Event) -> None:
    event.set()

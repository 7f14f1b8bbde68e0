"""The composition root: builds the store, the use cases, the consumer, the outbox relay and the API."""

from __future__ import annotations

from fastapi import FastAPI
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.adapters.opslag import PostgresOpslag, PostgresTermijnLezer
from verzuim_deadlines.adapters.outbox import OutboxRelay
from verzuim_deadlines.application import Termijnbewaking, Termijnoverzicht
from verzuim_deadlines.entrypoints.http import build_router
from verzuim_deadlines.entrypoints.worker import register_consumers
from verzuim_deadlines.settings import DeadlinesSettings


def create_app(settings: DeadlinesSettings | None = None) -> FastAPI:
    settings = settings or DeadlinesSettings()
    database = Database(settings)
    broker = make_broker(settings)
    relay = OutboxRelay(database, broker, settings)
    bewaking = Termijnbewaking(PostgresOpslag(database), settings.clock_impl, na_commit=relay.wake)
    register_consumers(broker, settings, bewaking)

    async def outbox_relay() -> None:
        await relay.run()

    return create_service_app(
        ServiceSpec(
            title="verzuim deadlines",
            description="The WvP timeline (termijnen) of every verzuimdossier, with legal basis and derivation.",
            settings=settings,
            broker=broker,
            routers=[build_router(Termijnoverzicht(PostgresTermijnLezer(database)))],
            on_startup=[database.open],
            on_shutdown=[database.close],
            background=[outbox_relay],
            readiness=[database.postgres],
        )
    )

"""The composition root: builds the store, the use cases, the consumers, the scheduler, the outbox relay and the API."""

from __future__ import annotations

from fastapi import FastAPI
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app
from verzuim_shared.subjects import Stream

from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.adapters.opslag import PostgresOpslag, PostgresTermijnLezer, PostgresTermijnregels
from verzuim_deadlines.adapters.outbox import OutboxRelay
from verzuim_deadlines.application import Personeelprojectie, Signalering, Termijnbewaking, Termijnoverzicht
from verzuim_deadlines.entrypoints.http import build_router
from verzuim_deadlines.entrypoints.scheduler import Planner
from verzuim_deadlines.entrypoints.worker import DOSSIER_CONSUMER, register_consumers
from verzuim_deadlines.settings import DeadlinesSettings


def create_app(settings: DeadlinesSettings | None = None) -> FastAPI:
    settings = settings or DeadlinesSettings()
    database = Database(settings)
    broker = make_broker(settings)
    relay = OutboxRelay(database, broker, settings)
    opslag = PostgresOpslag(database)
    clock = settings.clock_impl
    bewaking = Termijnbewaking(opslag, clock, na_commit=relay.wake)

    async def dossierfeiten_verwerkt() -> bool:
        """The dossier consumer has nothing waiting or in flight: every fact that arrived is in the store."""
        info = await broker.connection.jetstream().consumer_info(Stream.DOSSIER.jetstream_name, DOSSIER_CONSUMER)
        return not info.num_pending and not info.num_ack_pending

    planner = Planner(
        Signalering(opslag, clock, na_commit=relay.wake, batch=settings.scheduler_batch_size),
        bewaking,
        settings.scheduler_interval_s,
        feiten_verwerkt=dossierfeiten_verwerkt,
        max_wacht_op_feiten_s=settings.scheduler_max_wacht_op_feiten_s,
    )
    register_consumers(broker, settings, bewaking, Personeelprojectie(opslag))

    async def outbox_relay() -> None:
        await relay.run()

    async def scheduler() -> None:
        await planner.run()

    router = build_router(
        Termijnoverzicht(PostgresTermijnLezer(database)),
        PostgresTermijnregels(database),
        bewaking,
        clock,
        planner.ronde,
    )
    return create_service_app(
        ServiceSpec(
            title="verzuim deadlines",
            description="The WvP timeline (termijnen) of every verzuimdossier, with legal basis and derivation, "
            "recomputed on every dossier event, and the nadert/verstreken signals.",
            settings=settings,
            broker=broker,
            routers=[router],
            on_startup=[database.open],
            on_shutdown=[database.close],
            background=[outbox_relay, scheduler],
            readiness=[database.postgres],
        )
    )

"""The composition root of the cases service: settings → event store, relay, consumer, HTTP API → FastAPI app."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from faststream.nats import NatsBroker
from verzuim_shared.problems import ServiceUnavailable
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_cases.adapters.outbox_relay import OutboxRelay
from verzuim_cases.application import DossierApplication
from verzuim_cases.entrypoints.http import install_error_handlers, router
from verzuim_cases.entrypoints.worker import register_intake_consumer
from verzuim_cases.settings import CasesSettings

DESCRIPTION = (
    "Verzuimdossiers as event-sourced aggregates. A ZiekGemeld opens a dossier, a HerstelGemeld records "
    "(deel)herstel; every change is published on verzuim.dossier.v1.* through the outbox relay."
)


class CasesRuntime:
    """What exists only while the service runs: the event-sourced application and its outbox relay."""

    def __init__(self, settings: CasesSettings, broker: NatsBroker) -> None:
        self.settings = settings
        self.broker = broker
        self._application: DossierApplication | None = None
        self._relay: OutboxRelay | None = None

    def application(self) -> DossierApplication:
        if self._application is None:
            raise ServiceUnavailable("De dossieropslag is (nog) niet gestart.")
        return self._application

    @property
    def relay(self) -> OutboxRelay:
        if self._relay is None:
            raise RuntimeError("the outbox relay exists once the service has started")
        return self._relay

    async def start(self) -> None:
        # Connects to PostgreSQL and creates the event and lookup tables when missing.
        application = await asyncio.to_thread(DossierApplication.from_settings, self.settings)
        relay = OutboxRelay(application, self.broker, self.settings)
        application.on_saved(relay.wake)
        self._application, self._relay = application, relay

    async def stop(self) -> None:
        application, self._application = self._application, None
        if application is not None:
            await asyncio.to_thread(application.close)

    async def outbox_relay(self) -> None:
        await self.relay.run()

    async def event_store(self) -> None:
        """Readiness: the event store's database answers."""
        await asyncio.to_thread(self.application().check_database)


def create_app(settings: CasesSettings | None = None) -> FastAPI:
    settings = settings or CasesSettings()
    broker = make_broker(settings)
    runtime = CasesRuntime(settings, broker)
    register_intake_consumer(broker, settings, runtime.application)
    app = create_service_app(
        ServiceSpec(
            title="verzuim cases",
            description=DESCRIPTION,
            settings=settings,
            broker=broker,
            routers=[router],
            on_startup=[runtime.start],
            on_shutdown=[runtime.stop],
            background=[runtime.outbox_relay],
            readiness=[runtime.event_store],
            state={
                "cases_runtime": runtime,
                "dossier_application": runtime.application,
                "clock": settings.clock_impl,
            },
        )
    )
    install_error_handlers(app)
    return app

"""The composition root of the cases service: settings → event store, documents, relay, consumers, HTTP API."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from faststream.nats import NatsBroker
from verzuim_shared.problems import ServiceUnavailable
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_cases.adapters.document_store import DocumentStore, LocalDocumentStore, S3DocumentStore
from verzuim_cases.adapters.outbox_relay import OutboxRelay
from verzuim_cases.adapters.personeel import PersoneelProjectie
from verzuim_cases.application import DossierApplication
from verzuim_cases.entrypoints.http import install_error_handlers, router
from verzuim_cases.entrypoints.worker import IntakeBatchConsumer, register_personeel_consumer
from verzuim_cases.settings import CasesSettings

DESCRIPTION = (
    "Verzuimdossiers as event-sourced aggregates with the whole Wet verbetering poortwachter process: samentelling "
    "of episodes, every WvP step as a command, documents, replay by version or peildatum, and a hash chain that "
    "shows tampering. Every change is published on verzuim.dossier.v1.* through the outbox relay."
)


def document_store(settings: CasesSettings) -> DocumentStore:
    if settings.document_store == "s3":
        return S3DocumentStore.connect(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url or None,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key.get_secret_value() or None,
            create_bucket=settings.s3_create_bucket,
        )
    return LocalDocumentStore(settings.document_dir)


class CasesRuntime:
    """What exists only while the service runs: the event-sourced application, its relay and its consumers."""

    def __init__(self, settings: CasesSettings, broker: NatsBroker) -> None:
        self.settings = settings
        self.broker = broker
        self._application: DossierApplication | None = None
        self._relay: OutboxRelay | None = None
        self._personeel: PersoneelProjectie | None = None
        self.intake = IntakeBatchConsumer(broker, settings, self.application, batch_size=settings.intake_batch_size)

    def application(self) -> DossierApplication:
        if self._application is None:
            raise ServiceUnavailable("De dossieropslag is (nog) niet gestart.")
        return self._application

    def personeel(self) -> PersoneelProjectie:
        if self._personeel is None:
            raise ServiceUnavailable("De dossieropslag is (nog) niet gestart.")
        return self._personeel

    @property
    def relay(self) -> OutboxRelay:
        if self._relay is None:
            raise RuntimeError("the outbox relay exists once the service has started")
        return self._relay

    async def start(self) -> None:
        # Connects to PostgreSQL and creates the event and lookup tables when missing.
        documents = await asyncio.to_thread(document_store, self.settings)
        application = await asyncio.to_thread(DossierApplication.from_settings, self.settings, documents)
        relay = OutboxRelay(application, self.broker, self.settings)
        application.on_saved(relay.wake)
        self._personeel = PersoneelProjectie(application.lookup_datastore)
        self._application, self._relay = application, relay

    async def stop(self) -> None:
        application, self._application = self._application, None
        if application is not None:
            await asyncio.to_thread(application.close)

    async def outbox_relay(self) -> None:
        await self.relay.run()

    async def intake_consumer(self) -> None:
        await self.intake.run()

    async def event_store(self) -> None:
        """Readiness: the event store's database answers."""
        await asyncio.to_thread(self.application().check_database)

    async def documenten(self) -> None:
        """Readiness: the document store answers."""
        application = self.application()
        if application.documents is not None:
            await asyncio.to_thread(application.documents.check)


def create_app(settings: CasesSettings | None = None) -> FastAPI:
    settings = settings or CasesSettings()
    broker = make_broker(settings)
    runtime = CasesRuntime(settings, broker)
    register_personeel_consumer(broker, settings, runtime.personeel)
    app = create_service_app(
        ServiceSpec(
            title="verzuim cases",
            description=DESCRIPTION,
            settings=settings,
            broker=broker,
            routers=[router],
            on_startup=[runtime.start],
            on_shutdown=[runtime.stop],
            background=[runtime.outbox_relay, runtime.intake_consumer],
            readiness=[runtime.event_store, runtime.documenten],
            state={
                "cases_runtime": runtime,
                "dossier_application": runtime.application,
                "clock": settings.clock_impl,
            },
        )
    )
    install_error_handlers(app)
    return app

"""The composition root: builds the publisher, the KV stores, the use cases and the API from the settings."""

from __future__ import annotations

from fastapi import FastAPI
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_intake.adapters.kv import KvBuckets, NatsIdempotencyStore, NatsInstellingenStore, NatsPersoneelGeheugen
from verzuim_intake.adapters.publisher import JetStreamPublisher
from verzuim_intake.application import Intake
from verzuim_intake.domain.meldtijd import Meldtijden
from verzuim_intake.entrypoints.http import build_router, install_error_handlers
from verzuim_intake.settings import IntakeSettings

DESCRIPTION = (
    "The HTTP front door of verzuim: ziekmeldingen, (deel)herstelmeldingen and the HR sync of medewerkers and "
    "afdelingen. Every accepted request becomes an immutable fact on NATS JetStream (`verzuim.intake.v1.*`, "
    "`verzuim.personeel.v1.*`); the intake keeps no database. Medical data is refused everywhere (AVG). "
    "All /v1 endpoints need a bearer JWT with `sub`, `rol` and `werkgever_id`."
)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    broker = make_broker(settings)
    buckets = KvBuckets(
        broker, settings, idempotency_ttl_s=settings.idempotency_ttl_s, timeout_s=settings.publish_timeout_s
    )
    intake = Intake(
        publisher=JetStreamPublisher(
            broker,
            source=settings.event_source,
            timeout=settings.publish_timeout_s,
            concurrency=settings.publish_concurrency,
        ),
        idempotency=NatsIdempotencyStore(buckets),
        instellingen=NatsInstellingenStore(buckets),
        personeel=NatsPersoneelGeheugen(buckets, concurrency=settings.publish_concurrency),
        clock=settings.clock_impl,
        standaard_meldtijden=Meldtijden(
            leidinggevende=settings.meldtijd_leidinggevende, verzuim_support=settings.meldtijd_verzuim_support
        ),
        herstel_max_dagen_vooruit=settings.herstel_max_dagen_vooruit,
    )

    async def kv_buckets() -> None:
        await buckets.ready()

    app = create_service_app(
        ServiceSpec(
            title="verzuim intake",
            description=DESCRIPTION,
            settings=settings,
            broker=broker,
            routers=[build_router(intake, public_url_cases=settings.public_url_cases)],
            background=[kv_buckets],
            readiness=[kv_buckets],
        )
    )
    install_error_handlers(app, retry_after_s=settings.retry_after_s)
    return app

"""The composition root: builds the stores, the use cases, the consumers and the API from the settings."""

from __future__ import annotations

from fastapi import FastAPI
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_notifications.adapters.berichten_store import PostgresBerichtenlog, PostgresInboxStore
from verzuim_notifications.adapters.database import Database
from verzuim_notifications.adapters.personeel_store import PostgresPersoneelStore
from verzuim_notifications.adapters.sjablonen import Sjablonen
from verzuim_notifications.application import Inbox, Notificaties, PersoneelProjectie
from verzuim_notifications.entrypoints.http import build_router
from verzuim_notifications.entrypoints.worker import register_consumers
from verzuim_notifications.settings import NotificationsSettings


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    database = Database(settings)
    personeel = PostgresPersoneelStore(database)
    notificaties = Notificaties(
        personeel,
        PostgresBerichtenlog(database),
        Sjablonen(),
        settings.clock_impl,
        public_url_cases=settings.public_url_cases,
        fallback_rol=settings.fallback_rol,
    )
    broker = make_broker(settings)
    register_consumers(broker, settings, PersoneelProjectie(personeel), notificaties)
    inbox = Inbox(PostgresInboxStore(database), settings.clock_impl)
    return create_service_app(
        ServiceSpec(
            title="verzuim notifications",
            description="Tells each role what to do: an inbox item for the leidinggevende when a dossier opens.",
            settings=settings,
            broker=broker,
            routers=[build_router(inbox)],
            on_startup=[database.open],
            on_shutdown=[database.close],
            readiness=[database.postgres],
        )
    )

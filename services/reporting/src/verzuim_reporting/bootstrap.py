"""The composition root: builds the read model, the projector, the consumers and the API from the settings."""

from __future__ import annotations

from fastapi import FastAPI
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.leesmodel import PostgresLeesmodel
from verzuim_reporting.adapters.projectiestore import PostgresProjectiestore
from verzuim_reporting.application import Projector, Rapportages
from verzuim_reporting.entrypoints.http import build_router
from verzuim_reporting.entrypoints.worker import register_consumers
from verzuim_reporting.settings import ReportingSettings


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    database = Database(settings)
    broker = make_broker(settings)
    register_consumers(broker, settings, Projector(PostgresProjectiestore(database)))
    rapportages = Rapportages(PostgresLeesmodel(database), settings.clock_impl)
    return create_service_app(
        ServiceSpec(
            title="verzuim reporting",
            description="Rebuildable read model of the personeel and dossier streams, and management information.",
            settings=settings,
            broker=broker,
            routers=[build_router(rapportages)],
            on_startup=[database.open],
            on_shutdown=[database.close],
            readiness=[database.postgres],
        )
    )

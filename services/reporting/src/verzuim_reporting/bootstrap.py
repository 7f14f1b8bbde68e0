"""The composition root: builds the read model, the projector, the consumers and the API from the settings."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from verzuim_shared.problems import Unprocessable, problem_response
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.herbouw import Herbouwer
from verzuim_reporting.adapters.leesmodel import PostgresLeesmodel
from verzuim_reporting.adapters.projectiestore import PostgresProjectiestore
from verzuim_reporting.application import Bundelaar, Projector, Rapportages
from verzuim_reporting.domain.kerncijfers import NietAnnualiseerbaar
from verzuim_reporting.domain.periode import OngeldigePeriode
from verzuim_reporting.entrypoints.dashboard import build_dashboard_router
from verzuim_reporting.entrypoints.http import build_router
from verzuim_reporting.entrypoints.worker import register_consumers
from verzuim_reporting.settings import ReportingSettings

log = logging.getLogger(__name__)


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    database = Database(settings)
    broker = make_broker(settings)
    register_consumers(broker, settings, Bundelaar(Projector(PostgresProjectiestore(database))))
    rapportages = Rapportages(PostgresLeesmodel(database), settings.clock_impl)

    async def herbouw_als_nodig() -> None:
        """An empty read model (a new database) or one of another version is rebuilt from the streams, in the
        background: the process is alive at once and ready when the rebuild is done. Consumers that already run
        are no problem; the rebuild catches up with what they applied after it read the streams."""
        if database.herbouw_nodig:
            log.info("the read model is empty or of another version: rebuilding it from the streams")
            await Herbouwer(database, settings).herbouw()
            database.herbouw_nodig = False

    async def herbouwd() -> None:
        """Readiness: not while the read model is being rebuilt (its figures would be incomplete)."""
        if database.herbouw_nodig:
            raise RuntimeError("het leesmodel wordt opnieuw opgebouwd uit de stromen")

    app = create_service_app(
        ServiceSpec(
            title="verzuim reporting",
            description="Rebuildable read model of the personeel, dossier and termijn streams: management "
            "information (decisions D8) as JSON and CSV, and a dashboard at /dashboard.",
            settings=settings,
            broker=broker,
            routers=[build_router(rapportages), build_dashboard_router()],
            on_startup=[database.open],
            on_shutdown=[database.close],
            background=[herbouw_als_nodig],
            readiness=[database.postgres, herbouwd],
            state={"rapportages": rapportages},
        )
    )

    async def onmeetbaar(request: Request, exc: Exception) -> JSONResponse:
        # a period that cannot be counted (yet), or the × 4 method on a custom period: the caller can fix the query
        return problem_response(Unprocessable(str(exc)), request)

    app.add_exception_handler(OngeldigePeriode, onmeetbaar)
    app.add_exception_handler(NietAnnualiseerbaar, onmeetbaar)
    return app

"""The dossier read API under /v1: thin routes over the application, scoped to the caller's werkgever.

The routes are plain `def` functions: eventsourcing is synchronous, so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from verzuim_shared.auth import CurrentPrincipal, authenticated_router
from verzuim_shared.clock import Clock, today_nl
from verzuim_shared.events import Actor
from verzuim_shared.problems import PROBLEM_JSON, Conflict, NotFound, problem_response

from verzuim_cases.adapters.dossier_lookup import DossierRegel
from verzuim_cases.application import DossierApplication, DossierNietGevonden
from verzuim_cases.domain import DossierFout, DossierStatus, Verzuimdossier


class EpisodeOut(BaseModel):
    melding_id: UUID
    eerste_ziektedag: date
    gemeld_op: datetime
    hersteldatum: date | None = Field(description="First fully fit day; empty while the episode lasts")


class StapOut(BaseModel):
    versie: int = Field(description="Version of the dossier after this step")
    soort: str = Field(description="e.g. dossier_geopend, herstel_geregistreerd")
    datum: date = Field(description="Business date of the step")
    geregistreerd_op: datetime = Field(description="When the system recorded it")
    actor: Actor
    omschrijving: str


class DossierOut(BaseModel):
    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    melding_id: UUID = Field(description="The ziekmelding that opened the dossier")
    status: DossierStatus
    eerste_ziektedag: date
    gemeld_op: datetime
    hersteldatum: date | None
    herstelafspraak: date | None
    vangnet_van_toepassing: bool
    arbeidsongeval: bool
    regres_derde: bool
    na_meldtijd: bool
    episodes: list[EpisodeOut]
    peildatum: date = Field(description="Today (service clock, Dutch date): the date the figures below apply to")
    arbeidsongeschiktheidspercentage: int = Field(ge=0, le=100)
    verzuimdagen: int = Field(ge=0, description="Sick days of the case up to and including the peildatum")
    versie: int
    stappen: list[StapOut] = Field(description="Every recorded event, oldest first")

    @classmethod
    def of(cls, dossier: Verzuimdossier, peildatum: date) -> DossierOut:
        return cls(
            dossier_id=dossier.id,
            werkgever_id=dossier.werkgever_id,
            werknemer_id=dossier.werknemer_id,
            melding_id=dossier.melding_id,
            status=dossier.status,
            eerste_ziektedag=dossier.eerste_ziektedag,
            gemeld_op=dossier.gemeld_op,
            hersteldatum=dossier.hersteldatum,
            herstelafspraak=dossier.herstelafspraak,
            vangnet_van_toepassing=dossier.vangnet_van_toepassing,
            arbeidsongeval=dossier.arbeidsongeval,
            regres_derde=dossier.regres_derde,
            na_meldtijd=dossier.na_meldtijd,
            episodes=[EpisodeOut(**vars(e)) for e in dossier.episodes],
            peildatum=peildatum,
            arbeidsongeschiktheidspercentage=dossier.arbeidsongeschiktheidspercentage_op(peildatum),
            verzuimdagen=dossier.verzuimdagen(peildatum),
            versie=dossier.version,
            stappen=[StapOut(**vars(s)) for s in dossier.stappen],
        )


class DossierRegelOut(BaseModel):
    dossier_id: UUID
    werknemer_id: str
    status: DossierStatus
    eerste_ziektedag: date
    hersteldatum: date | None
    versie: int

    @classmethod
    def of(cls, regel: DossierRegel) -> DossierRegelOut:
        return cls(
            dossier_id=regel.dossier_id,
            werknemer_id=regel.werknemer_id,
            status=regel.status,
            eerste_ziektedag=regel.eerste_ziektedag,
            hersteldatum=regel.hersteldatum,
            versie=regel.versie,
        )


class DossierLijst(BaseModel):
    items: list[DossierRegelOut]
    limit: int
    offset: int


def _application(request: Request) -> DossierApplication:
    application: DossierApplication = request.app.state.dossier_application()
    return application


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


Dossiers = Annotated[DossierApplication, Depends(_application)]
ServiceClock = Annotated[Clock, Depends(_clock)]

_not_found: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown, or not visible to the caller", "content": {PROBLEM_JSON: {}}}
}

router = authenticated_router(prefix="/v1", tags=["dossiers"])


@router.get("/dossiers/{dossier_id}", response_model=DossierOut, responses=_not_found, summary="One verzuimdossier")
def get_dossier(dossier_id: UUID, principal: CurrentPrincipal, dossiers: Dossiers, clock: ServiceClock) -> DossierOut:
    return DossierOut.of(dossiers.dossier_voor(principal, dossier_id), today_nl(clock))


@router.get(
    "/meldingen/{melding_id}/dossier",
    response_model=DossierOut,
    responses=_not_found,
    summary="The verzuimdossier of a ziekmelding",
)
def get_dossier_for_melding(
    melding_id: UUID, principal: CurrentPrincipal, dossiers: Dossiers, clock: ServiceClock
) -> DossierOut:
    return DossierOut.of(dossiers.dossier_voor_melding(principal, melding_id), today_nl(clock))


@router.get("/dossiers", response_model=DossierLijst, summary="The werkgever's verzuimdossiers, newest first")
def list_dossiers(
    principal: CurrentPrincipal,
    dossiers: Dossiers,
    werknemer_id: str | None = None,
    status: DossierStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DossierLijst:
    regels = dossiers.dossiers(principal, werknemer_id=werknemer_id, status=status, limit=limit, offset=offset)
    return DossierLijst(items=[DossierRegelOut.of(r) for r in regels], limit=limit, offset=offset)


def install_error_handlers(app: FastAPI) -> None:
    """Application and domain errors as problem+json with a Dutch detail: unknown → 404, refused → 409."""

    @app.exception_handler(DossierNietGevonden)
    async def _not_found(request: Request, exc: DossierNietGevonden) -> JSONResponse:
        return problem_response(NotFound(exc.detail), request)

    @app.exception_handler(DossierFout)
    async def _refused(request: Request, exc: DossierFout) -> JSONResponse:
        return problem_response(Conflict(exc.melding), request)

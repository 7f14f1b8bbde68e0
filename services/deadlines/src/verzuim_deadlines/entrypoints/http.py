"""The termijnen API under /v1. Thin: parse the request, call the use case, map the result or the error."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from verzuim_shared.auth import CurrentPrincipal, authenticated_router
from verzuim_shared.problems import NotFound

from verzuim_deadlines.application import (
    DossierNietGevonden,
    DossierTermijn,
    Termijnoverzicht,
    Werklijstfilter,
)
from verzuim_deadlines.domain import TermijnCode, TermijnStatus


class TermijnOut(BaseModel):
    termijn_id: UUID
    dossier_id: UUID
    werknemer_id: str
    code: TermijnCode = Field(description="e.g. PROBLEEMANALYSE")
    volgnummer: int = Field(description="1 for a one-off termijn; 1, 2, ... for a repeating one")
    vervaldatum: date = Field(description="The day the step is due (decisions D1–D3)")
    status: TermijnStatus
    grondslag: str = Field(description="Legal basis")
    afleiding: str = Field(description="How the vervaldatum follows from the dossier's facts")
    reden: str | None = Field(description="Why it was closed (vervallen, afgeweken); null otherwise")
    gepland_op: datetime
    bijgewerkt_op: datetime

    @classmethod
    def of(cls, t: DossierTermijn) -> TermijnOut:
        return cls(
            termijn_id=t.termijn_id,
            dossier_id=t.dossier_id,
            werknemer_id=t.werknemer_id,
            code=t.termijn.code,
            volgnummer=t.termijn.volgnummer,
            vervaldatum=t.termijn.vervaldatum,
            status=t.termijn.status,
            grondslag=t.termijn.grondslag,
            afleiding=t.termijn.afleiding,
            reden=t.termijn.reden,
            gepland_op=t.gepland_op,
            bijgewerkt_op=t.bijgewerkt_op,
        )


class DossierTermijnenOut(BaseModel):
    dossier_id: UUID
    werknemer_id: str
    eerste_ziektedag: date = Field(description="E of the verzuim the dossier is in")
    hersteldatum: date | None = Field(description="First fully fit day when volledig hersteld; null while sick")
    termijnen: list[TermijnOut] = Field(description="Ordered by vervaldatum")


class WerklijstOut(BaseModel):
    termijnen: list[TermijnOut] = Field(description="Ordered by vervaldatum")


def build_router(overzicht: Termijnoverzicht) -> APIRouter:
    router = authenticated_router(prefix="/v1", tags=["termijnen"])

    @router.get(
        "/dossiers/{dossier_id}/termijnen",
        response_model=DossierTermijnenOut,
        summary="The termijnen of one verzuimdossier",
        responses={404: {"description": "The dossier is unknown here for the caller's werkgever"}},
    )
    async def dossier_termijnen(dossier_id: UUID, principal: CurrentPrincipal) -> DossierTermijnenOut:
        try:
            dossier = await overzicht.van_dossier(principal, dossier_id)
        except DossierNietGevonden as exc:
            raise NotFound(str(exc)) from None
        return DossierTermijnenOut(
            dossier_id=dossier.feiten.dossier_id,
            werknemer_id=dossier.feiten.werknemer_id,
            eerste_ziektedag=dossier.feiten.eerste_ziektedag,
            hersteldatum=dossier.feiten.hersteldatum,
            termijnen=[TermijnOut.of(t) for t in dossier.termijnen],
        )

    @router.get(
        "/termijnen",
        response_model=WerklijstOut,
        summary="Work list: the werkgever's termijnen, filtered",
        description="All termijnen of the caller's werkgever (a werknemer: their own), ordered by vervaldatum.",
    )
    async def werklijst(
        principal: CurrentPrincipal,
        status: Annotated[TermijnStatus | None, Query(description="e.g. open")] = None,
        voor: Annotated[date | None, Query(description="Only termijnen due before this date (exclusive)")] = None,
        code: Annotated[TermijnCode | None, Query(description="e.g. PROBLEEMANALYSE")] = None,
        werknemer_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> WerklijstOut:
        filter = Werklijstfilter(
            status=status, voor=voor, code=code, werknemer_id=werknemer_id, limit=limit, offset=offset
        )
        return WerklijstOut(termijnen=[TermijnOut.of(t) for t in await overzicht.werklijst(principal, filter)])

    return router

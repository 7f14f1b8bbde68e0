"""The management-information API under /v1/rapportages. Thin: parse the query, call the use case, map the result.

Every report is JSON by default and CSV with `formaat=csv` (or `Accept: text/csv`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field
from verzuim_shared.auth import ForbiddenError, Principal, authenticated_router, require_roles
from verzuim_shared.events import Rol
from verzuim_shared.problems import NotFound, Unprocessable

from verzuim_reporting.application import Filter, Groepering, Rapportages, WerknemerOnbekend
from verzuim_reporting.domain.duurklassen import DuurklassenSchema
from verzuim_reporting.domain.frequent import STANDAARD_DREMPEL, STANDAARD_VENSTER_DAGEN
from verzuim_reporting.domain.kerncijfers import Annualisering
from verzuim_reporting.domain.periode import Interval, OngeldigePeriode, Periode, kwartaal, lees_periode
from verzuim_reporting.domain.rapportage import ONBEKEND
from verzuim_reporting.entrypoints import csv_export
from verzuim_reporting.entrypoints.modellen import (
    AfdelingenOut,
    AfdelingOut,
    DuurklassenOut,
    FrequentVerzuimOut,
    KerncijfersOut,
    OpenDossiersDuurOut,
    TermijnbewakingOut,
    TrendsOut,
    VerzuimverledenOut,
)

# Company-wide figures are for the roles that steer verzuim across the organisation; an auditor reads along.
_MANAGEMENT = (Rol.HR, Rol.CASEMANAGER, Rol.VERZUIMCOACH, Rol.BEHEERDER, Rol.AUDITOR)
MagManagementinformatieZien = Annotated[Principal, require_roles(*_MANAGEMENT)]
# A leidinggevende sees the same reports, but only about their own team (filter on their id).
MagTeamcijfersZien = Annotated[Principal, require_roles(*_MANAGEMENT, Rol.LEIDINGGEVENDE)]
# The verzuimverleden: also the werknemer themselves (inzage).
MagVerzuimverledenZien = Annotated[Principal, require_roles(*_MANAGEMENT, Rol.LEIDINGGEVENDE, Rol.WERKNEMER)]


class Formaat(StrEnum):
    JSON = "json"
    CSV = "csv"


def _periode(
    request: Request,
    periode: Annotated[
        str | None,
        Query(
            max_length=30,
            description="2025 (year), 2025-Q1 (quarter), 2025-03 (month) or 2025-01-01..2025-02-15 (days, inclusive). "
            "Default: the current quarter.",
        ),
    ] = None,
    van: Annotated[date | None, Query(description="First day (instead of periode, with tot)")] = None,
    tot: Annotated[date | None, Query(description="Last day, inclusive (instead of periode, with van)")] = None,
) -> Periode:
    try:
        if periode is not None:
            if van is not None or tot is not None:
                raise OngeldigePeriode("Geef óf 'periode', óf 'van' en 'tot', niet allebei.")
            return lees_periode(periode)
        if van is not None or tot is not None:
            if van is None or tot is None:
                raise OngeldigePeriode("Met 'van' hoort ook 'tot' (en andersom).")
            return Periode(van, tot)
    except OngeldigePeriode as exc:
        raise Unprocessable(str(exc)) from None
    rapportages: Rapportages = request.app.state.rapportages
    vandaag = rapportages.vandaag()
    return kwartaal(vandaag.year, (vandaag.month - 1) // 3 + 1)


PeriodeParam = Annotated[Periode, Depends(_periode)]
AfdelingParam = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="Only this afdeling"),
]
GroeperingParam = Annotated[Groepering, Query(description="werkgever, afdeling, leidinggevende or rayon")]
FormaatParam = Annotated[Formaat | None, Query(description="json (default) or csv")]


def _filter(principal: Principal, afdeling_id: str | None) -> Filter:
    return Filter(
        afdeling_id=afdeling_id,
        leidinggevende_id=principal.id if principal.rol is Rol.LEIDINGGEVENDE else None,
    )


def _csv(request: Request, formaat: Formaat | None) -> bool:
    if formaat is not None:
        return formaat is Formaat.CSV
    return "text/csv" in request.headers.get("accept", "")


# --------------------------------------------------------------------------------------------- existing report


class AfdelingAantal(BaseModel):
    afdeling_id: str = Field(description=f"Id of the afdeling; '{ONBEKEND}' for werknemers without personeel data")
    afdeling_naam: str | None = Field(description="Name from AfdelingVastgelegd; null while not known")
    aantal: int = Field(ge=0, description="Open dossiers on the peildatum")


class OpenDossiers(BaseModel):
    werkgever_id: str
    peildatum: date = Field(description="The day the figures are about")
    totaal: int = Field(ge=0, description="Sum of aantal over per_afdeling")
    per_afdeling: list[AfdelingAantal] = Field(
        description="Every known afdeling (also with 0), ordered by name; 'onbekend' last"
    )
    definitie: str = Field(description="What is counted, in words")


def build_router(rapportages: Rapportages) -> APIRouter:
    router = authenticated_router(prefix="/v1/rapportages", tags=["rapportages"])

    @router.get(
        "/open-dossiers",
        response_model=OpenDossiers,
        summary="Open verzuimdossiers per afdeling",
        description="Counts the werkgever's open dossiers on the peildatum, per afdeling of the werknemer.",
    )
    async def open_dossiers(
        principal: MagManagementinformatieZien,
        afdeling_id: Annotated[
            str | None,
            Query(min_length=1, max_length=100, description=f"Only this afdeling ('{ONBEKEND}': no personeel data)"),
        ] = None,
        peildatum: Annotated[date | None, Query(description="Default: today (Europe/Amsterdam)")] = None,
    ) -> OpenDossiers:
        rapport = await rapportages.open_dossiers(principal.werkgever_id, peildatum=peildatum, afdeling_id=afdeling_id)
        return OpenDossiers.model_validate(asdict(rapport))

    @router.get(
        "/open-dossiers/duur",
        response_model=OpenDossiersDuurOut,
        response_model_by_alias=True,
        summary="Open verzuimdossiers by duration",
        description="The open dossiers on the peildatum in duurklassen (sick days of the dossier so far), "
        "longest first.",
    )
    async def open_dossiers_duur(
        request: Request,
        principal: MagTeamcijfersZien,
        afdeling_id: Annotated[
            str | None,
            Query(min_length=1, max_length=100, description=f"Only this afdeling ('{ONBEKEND}': no personeel data)"),
        ] = None,
        peildatum: Annotated[date | None, Query(description="Default: today (Europe/Amsterdam)")] = None,
        schema: Annotated[DuurklassenSchema, Query(description="vernet (default) or alternatief")] = (
            DuurklassenSchema.VERNET
        ),
        groepering: GroeperingParam = Groepering.WERKGEVER,
        formaat: FormaatParam = None,
    ) -> OpenDossiersDuurOut | Response:
        rapport = await rapportages.open_dossiers_naar_duur(
            principal.werkgever_id,
            peildatum=peildatum,
            schema=schema,
            filter_=_filter(principal, afdeling_id),
            groepering=groepering,
        )
        out = OpenDossiersDuurOut.van_rapport(rapport)
        return csv_export.open_dossiers_duur_csv(out) if _csv(request, formaat) else out

    @router.get(
        "/kerncijfers",
        response_model=KerncijfersOut,
        summary="Verzuimpercentage, meldingsfrequentie, gemiddelde verzuimduur, nulverzuim, activeringspercentage",
        description="The kerncijfers of decisions D8 for a period, in total and per group. A period that has not "
        "ended yet is counted up to today.",
    )
    async def kerncijfers(
        request: Request,
        principal: MagTeamcijfersZien,
        periode: PeriodeParam,
        groepering: GroeperingParam = Groepering.WERKGEVER,
        afdeling_id: AfdelingParam = None,
        annualisering: Annotated[
            Annualisering, Query(description="kalenderdagen (× 365/dagen, default) or perioden (× 4 per kwartaal)")
        ] = Annualisering.KALENDERDAGEN,
        formaat: FormaatParam = None,
    ) -> KerncijfersOut | Response:
        rapport = await rapportages.kerncijfers(
            principal.werkgever_id,
            periode,
            groepering=groepering,
            filter_=_filter(principal, afdeling_id),
            annualisering=annualisering,
        )
        out = KerncijfersOut.van_rapport(rapport)
        return csv_export.kerncijfers_csv(out) if _csv(request, formaat) else out

    @router.get(
        "/trends",
        response_model=TrendsOut,
        summary="The kerncijfers as time series",
        description="One series per figure (and per group), one point per month, quarter or year of the period.",
    )
    async def trends(
        request: Request,
        principal: MagTeamcijfersZien,
        periode: PeriodeParam,
        interval: Annotated[Interval, Query(description="maand (default), kwartaal or jaar")] = Interval.MAAND,
        groepering: GroeperingParam = Groepering.WERKGEVER,
        afdeling_id: AfdelingParam = None,
        annualisering: Annotated[Annualisering, Query()] = Annualisering.KALENDERDAGEN,
        formaat: FormaatParam = None,
    ) -> TrendsOut | Response:
        rapport = await rapportages.trends(
            principal.werkgever_id,
            periode,
            interval,
            groepering=groepering,
            filter_=_filter(principal, afdeling_id),
            annualisering=annualisering,
        )
        out = TrendsOut.van_rapport(rapport)
        return csv_export.trends_csv(out) if _csv(request, formaat) else out

    @router.get(
        "/duurklassen",
        response_model=DuurklassenOut,
        response_model_by_alias=True,
        summary="Verzuimgevallen per duurklasse",
        description="Vernet's classes by default, the 1–7 / 8–42 / 43–365 / 366+ scheme with schema=alternatief.",
    )
    async def duurklassen(
        request: Request,
        principal: MagTeamcijfersZien,
        periode: PeriodeParam,
        schema: Annotated[DuurklassenSchema, Query(description="vernet (default) or alternatief")] = (
            DuurklassenSchema.VERNET
        ),
        groepering: GroeperingParam = Groepering.WERKGEVER,
        afdeling_id: AfdelingParam = None,
        formaat: FormaatParam = None,
    ) -> DuurklassenOut | Response:
        rapport = await rapportages.duurklassen(
            principal.werkgever_id,
            periode,
            schema=schema,
            groepering=groepering,
            filter_=_filter(principal, afdeling_id),
        )
        out = DuurklassenOut.van_rapport(rapport)
        return csv_export.duurklassen_csv(out) if _csv(request, formaat) else out

    @router.get(
        "/frequent-verzuim",
        response_model=FrequentVerzuimOut,
        summary="Frequent verzuimers",
        description="Werknemers with `drempel` or more meldingen within `venster_dagen`, the newest one in the period.",
    )
    async def frequent_verzuim(
        request: Request,
        principal: MagTeamcijfersZien,
        periode: PeriodeParam,
        drempel: Annotated[int, Query(ge=2, le=50)] = STANDAARD_DREMPEL,
        venster_dagen: Annotated[int, Query(ge=7, le=3650)] = STANDAARD_VENSTER_DAGEN,
        groepering: GroeperingParam = Groepering.WERKGEVER,
        afdeling_id: AfdelingParam = None,
        formaat: FormaatParam = None,
    ) -> FrequentVerzuimOut | Response:
        rapport = await rapportages.frequent_verzuim(
            principal.werkgever_id,
            periode,
            drempel=drempel,
            venster_dagen=venster_dagen,
            filter_=_filter(principal, afdeling_id),
            groepering=groepering,
        )
        out = FrequentVerzuimOut.van_rapport(rapport)
        return csv_export.frequent_verzuim_csv(out) if _csv(request, formaat) else out

    @router.get(
        "/termijnbewaking",
        response_model=TermijnbewakingOut,
        summary="WvP termijnen per code: open, on time, late, verstreken, afgeweken",
    )
    async def termijnbewaking(
        request: Request,
        principal: MagTeamcijfersZien,
        periode: PeriodeParam,
        afdeling_id: Annotated[
            str | None,
            Query(min_length=1, max_length=100, description=f"Only this afdeling ('{ONBEKEND}': no personeel data)"),
        ] = None,
        groepering: GroeperingParam = Groepering.WERKGEVER,
        formaat: FormaatParam = None,
    ) -> TermijnbewakingOut | Response:
        rapport = await rapportages.termijnbewaking(
            principal.werkgever_id, periode, filter_=_filter(principal, afdeling_id), groepering=groepering
        )
        out = TermijnbewakingOut.van_rapport(rapport)
        return csv_export.termijnbewaking_csv(out) if _csv(request, formaat) else out

    @router.get(
        "/werknemers/{werknemer_id}/verzuimverleden",
        response_model=VerzuimverledenOut,
        summary="The verzuimverleden of one werknemer",
        description="Every melding with its duration and percentages, and the werknemer's own figures over the period "
        "(default: the last 365 days). A leidinggevende sees only their own team; a werknemer only themselves.",
    )
    async def verzuimverleden(
        request: Request,
        principal: MagVerzuimverledenZien,
        werknemer_id: Annotated[str, Path(min_length=1, max_length=100)],
        periode: Annotated[
            str | None, Query(max_length=30, description="As elsewhere; default the last 365 days")
        ] = None,
        formaat: FormaatParam = None,
    ) -> VerzuimverledenOut | Response:
        if principal.rol is Rol.WERKNEMER and principal.id != werknemer_id:
            raise ForbiddenError("Een werknemer ziet alleen het eigen verzuimverleden.")
        try:
            gekozen = lees_periode(periode) if periode is not None else None
            verleden = await rapportages.verzuimverleden(
                principal.werkgever_id,
                werknemer_id,
                periode=gekozen,
                leidinggevende_id=principal.id if principal.rol is Rol.LEIDINGGEVENDE else None,
            )
        except OngeldigePeriode as exc:
            raise Unprocessable(str(exc)) from None
        except WerknemerOnbekend:
            raise NotFound(f"Er is geen werknemer '{werknemer_id}' bekend (in uw team).") from None
        out = VerzuimverledenOut.van_verleden(principal.werkgever_id, verleden)
        return csv_export.verzuimverleden_csv(out) if _csv(request, formaat) else out

    @router.get("/afdelingen", response_model=AfdelingenOut, summary="The afdelingen to filter on")
    async def afdelingen(principal: MagTeamcijfersZien) -> AfdelingenOut:
        groepen = await rapportages.afdelingen(principal.werkgever_id, _filter(principal, None))
        return AfdelingenOut(
            werkgever_id=principal.werkgever_id,
            vandaag=rapportages.vandaag(),
            afdelingen=[AfdelingOut(afdeling_id=g.sleutel, naam=g.naam) for g in groepen],
        )

    return router

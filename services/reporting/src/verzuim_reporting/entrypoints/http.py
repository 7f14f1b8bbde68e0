"""The management-information API under /v1/rapportages. Thin: parse the query, call the use case, map the result."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from verzuim_shared.auth import Principal, authenticated_router, require_roles
from verzuim_shared.events import Rol

from verzuim_reporting.application import Rapportages
from verzuim_reporting.domain.rapportage import ONBEKEND

# Company-wide figures are for the roles that steer verzuim across the organisation; an auditor reads along.
# A leidinggevende would see other teams here: team-scoped figures come with the dashboard.
MagManagementinformatieZien = Annotated[
    Principal, require_roles(Rol.HR, Rol.CASEMANAGER, Rol.VERZUIMCOACH, Rol.BEHEERDER, Rol.AUDITOR)
]


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

    return router

"""The delivery log of e-mail and webhooks, the dead-letter list (status `mislukt`, with the reason) and replay.
For hr and beheerder of the werkgever."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from verzuim_shared.auth import CurrentPrincipal, authenticated_router, require_roles
from verzuim_shared.events import Rol
from verzuim_shared.problems import Conflict, NotFound

from verzuim_notifications.application import Afleveringen, AfleveringStaat
from verzuim_notifications.domain.aflevering import AfleverStatus
from verzuim_notifications.domain.routering import Kanaal


class PogingOut(BaseModel):
    ronde: int = Field(description="0, and one more for every replay")
    poging: int
    op: datetime
    gelukt: bool
    fout: str | None


class AfleveringOut(BaseModel):
    id: UUID
    kanaal: Kanaal
    ontvanger_id: str
    adres: str
    onderwerp: str
    status: AfleverStatus
    pogingen: int
    laatste_fout: str | None = Field(description="Why it failed (on the dead-letter list: why it was given up)")
    aangemaakt_op: datetime
    verzonden_op: datetime | None
    mislukt_op: datetime | None
    volgende_poging_op: datetime | None
    opnieuw_aangeboden: int
    poging_log: list[PogingOut]

    @classmethod
    def of(cls, a: AfleveringStaat) -> AfleveringOut:
        return cls(
            id=a.id,
            kanaal=a.kanaal,
            ontvanger_id=a.ontvanger_id,
            adres=a.adres,
            onderwerp=a.onderwerp,
            status=a.status,
            pogingen=a.pogingen,
            laatste_fout=a.laatste_fout,
            aangemaakt_op=a.aangemaakt_op,
            verzonden_op=a.verzonden_op,
            mislukt_op=a.mislukt_op,
            volgende_poging_op=a.volgende_poging_op,
            opnieuw_aangeboden=a.opnieuw_aangeboden,
            poging_log=[PogingOut(**p.__dict__) for p in a.poging_log],
        )


class AfleveringenOut(BaseModel):
    afleveringen: list[AfleveringOut]


def build_router(afleveringen: Afleveringen) -> APIRouter:
    router = authenticated_router(
        prefix="/v1/afleveringen", tags=["afleveringen"], dependencies=[require_roles(Rol.HR, Rol.BEHEERDER)]
    )

    @router.get("", summary="Deliveries; status=mislukt is the dead-letter list", response_model=AfleveringenOut)
    async def lijst(
        principal: CurrentPrincipal,
        status: Annotated[AfleverStatus | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> AfleveringenOut:
        return AfleveringenOut(
            afleveringen=[AfleveringOut.of(a) for a in await afleveringen.lijst(principal, status, limit)]
        )

    @router.get("/{aflevering_id}", summary="One delivery with every attempt", response_model=AfleveringOut)
    async def een(aflevering_id: UUID, principal: CurrentPrincipal) -> AfleveringOut:
        staat = await afleveringen.staat(principal, aflevering_id)
        if staat is None:
            raise NotFound(f"Er is geen aflevering {aflevering_id}.")
        return AfleveringOut.of(staat)

    @router.post(
        "/{aflevering_id}/opnieuw", summary="Replay a delivery from the dead-letter list", response_model=AfleveringOut
    )
    async def opnieuw(aflevering_id: UUID, principal: CurrentPrincipal) -> AfleveringOut:
        staat = await afleveringen.bied_opnieuw_aan(principal, aflevering_id)
        if staat is None:
            bestaand = await afleveringen.staat(principal, aflevering_id)
            if bestaand is None:
                raise NotFound(f"Er is geen aflevering {aflevering_id}.")
            raise Conflict(
                f"Aflevering {aflevering_id} staat niet op de dead-letterlijst (status {bestaand.status.value}): "
                "alleen een mislukte aflevering kan opnieuw worden aangeboden."
            )
        return AfleveringOut.of(staat)

    return router

"""The inbox API: thin routes over the Inbox use case, every query scoped to the caller's werkgever."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from verzuim_shared.auth import CurrentPrincipal, authenticated_router
from verzuim_shared.problems import NotFound

from verzuim_notifications.application import Inbox
from verzuim_notifications.domain.inbox import InboxItem, InboxStatus
from verzuim_notifications.domain.regiemodel import Soort


class InboxItemOut(BaseModel):
    id: UUID
    type: str = Field(description="The signal, e.g. ziekmelding, termijn_nadert, frequent_verzuim")
    soort: Soort = Field(description="taak: act by the deadline; bericht: for information")
    titel: str
    tekst: str
    rol: str = Field(description="The role you received it in (or the team role of a team inbox)")
    namens: str | None = Field(description="The empty role you stand in for, if any")
    dossier_id: UUID | None
    werknemer_id: str | None
    link: str | None = Field(description="The verzuimdossier in the cases service")
    termijn_id: UUID | None
    termijn_code: str | None
    termijn_link: str | None = Field(description="The termijn in the deadlines service")
    deadline: date | None = Field(description="The day by which the task is due")
    status: InboxStatus
    aangemaakt_op: datetime
    afgehandeld_door: str | None = Field(description="systeem when the termijn was fulfilled or ended")

    @classmethod
    def of(cls, item: InboxItem) -> InboxItemOut:
        b = item.bericht
        return cls(
            id=b.id,
            type=b.type,
            soort=b.soort,
            titel=b.titel,
            tekst=b.tekst,
            rol=b.bestemming.ontvanger.rol,
            namens=b.namens,
            dossier_id=b.dossier_id,
            werknemer_id=b.werknemer_id,
            link=b.link,
            termijn_id=b.termijn_id,
            termijn_code=b.termijn_code,
            termijn_link=b.termijn_link,
            deadline=b.deadline,
            status=item.status,
            aangemaakt_op=b.aangemaakt_op,
            afgehandeld_door=item.afgehandeld_door,
        )


class InboxOut(BaseModel):
    items: list[InboxItemOut]


def _niet_gevonden(item_id: UUID) -> NotFound:
    return NotFound(f"Er staat geen inbox-item {item_id} in jouw inbox.")


def build_router(inbox: Inbox) -> APIRouter:
    router = authenticated_router(prefix="/v1/inbox", tags=["inbox"])

    @router.get("", summary="My inbox: items addressed to me, or to my role", response_model=InboxOut)
    async def lijst(
        principal: CurrentPrincipal,
        status: Annotated[InboxStatus | None, Query(description="Only items with this status")] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="At most this many, newest first")] = 100,
    ) -> InboxOut:
        items = await inbox.items(principal, status, limit)
        return InboxOut(items=[InboxItemOut.of(item) for item in items])

    @router.post("/{item_id}/gelezen", summary="Mark an item of my inbox as read", response_model=InboxItemOut)
    async def gelezen(item_id: UUID, principal: CurrentPrincipal) -> InboxItemOut:
        item = await inbox.markeer(principal, item_id, InboxStatus.GELEZEN)
        if item is None:
            raise _niet_gevonden(item_id)
        return InboxItemOut.of(item)

    @router.post("/{item_id}/afgehandeld", summary="Mark an item of my inbox as done", response_model=InboxItemOut)
    async def afgehandeld(item_id: UUID, principal: CurrentPrincipal) -> InboxItemOut:
        item = await inbox.markeer(principal, item_id, InboxStatus.AFGEHANDELD)
        if item is None:
            raise _niet_gevonden(item_id)
        return InboxItemOut.of(item)

    return router

"""The caller's own notification preferences: extra channels (e-mail, webhook), direct or a daily digest, and the
webhook URL with its signing secret."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints
from verzuim_shared.auth import CurrentPrincipal, authenticated_router
from verzuim_shared.problems import Unprocessable

from verzuim_notifications.application import Voorkeuren
from verzuim_notifications.domain.aflevering import Bezorging, Voorkeur
from verzuim_notifications.domain.routering import Kanaal

# http is refused later too, except for the hosts of VERZUIM_WEBHOOK_TOEGESTANE_HOSTS (see adapters/webhook.py).
WebhookUrl = Annotated[AnyHttpUrl, UrlConstraints(allowed_schemes=["https", "http"], max_length=2000)]


class VoorkeurIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kanalen: list[Kanaal] = Field(
        description="inbox, email, webhook; the inbox always gets a copy (a task is marked done there)"
    )
    bezorging: Bezorging = Field(default=Bezorging.DIRECT, description="E-mail at once, or one digest a day")


class WebhookOut(BaseModel):
    url: str


class VoorkeurOut(BaseModel):
    kanalen: list[Kanaal]
    bezorging: Bezorging
    webhook: WebhookOut | None


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: WebhookUrl


class WebhookSecretOut(BaseModel):
    url: str
    secret: str = Field(description="Shown only now: verify every call's webhook-signature with it")


def _out(voorkeur: Voorkeur, webhook_url: str | None) -> VoorkeurOut:
    kanalen = sorted(voorkeur.kanalen, key=list(Kanaal).index)
    return VoorkeurOut(
        kanalen=kanalen, bezorging=voorkeur.bezorging, webhook=WebhookOut(url=webhook_url) if webhook_url else None
    )


def build_router(voorkeuren: Voorkeuren) -> APIRouter:
    router = authenticated_router(prefix="/v1/voorkeuren", tags=["voorkeuren"])

    @router.get("", summary="My notification preferences", response_model=VoorkeurOut)
    async def lees(principal: CurrentPrincipal) -> VoorkeurOut:
        voorkeur, webhook = await voorkeuren.voorkeur(principal)
        return _out(voorkeur, webhook.url if webhook else None)

    @router.put("", summary="Set my channels and direct or daily delivery", response_model=VoorkeurOut)
    async def zet(body: VoorkeurIn, principal: CurrentPrincipal) -> VoorkeurOut:
        voorkeur = await voorkeuren.zet(principal, Voorkeur(kanalen=frozenset(body.kanalen), bezorging=body.bezorging))
        _, webhook = await voorkeuren.voorkeur(principal)
        return _out(voorkeur, webhook.url if webhook else None)

    @router.put("/webhook", summary="Set my webhook URL; answers a new signing secret", response_model=WebhookSecretOut)
    async def zet_webhook(body: WebhookIn, principal: CurrentPrincipal) -> WebhookSecretOut:
        try:
            webhook = await voorkeuren.zet_webhook(principal, str(body.url))
        except ValueError as exc:
            raise Unprocessable(f"Deze webhook-URL kan niet: {exc}.") from None
        return WebhookSecretOut(url=webhook.url, secret=webhook.secret)

    @router.delete("/webhook", summary="Remove my webhook", status_code=204)
    async def verwijder_webhook(principal: CurrentPrincipal) -> Response:
        await voorkeuren.verwijder_webhook(principal)
        return Response(status_code=204)

    return router

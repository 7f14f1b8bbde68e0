"""The intake's HTTP API under /v1. Thin: check for medical data, parse, call the use case, map the result."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from verzuim_shared.auth import CurrentPrincipal, ForbiddenError, Principal, authenticated_router, require_roles
from verzuim_shared.events import Actor, Rol
from verzuim_shared.problems import PROBLEM_JSON, Problem, ServiceUnavailable, Unprocessable, problem_response

from verzuim_intake.application import Intake, SyncResultaat, WerkgeverInstellingen
from verzuim_intake.domain.commands import (
    AfdelingenSync,
    Herstelmelding,
    MedewerkersSync,
    MeldtijdInstellingen,
    Ziekmelding,
)
from verzuim_intake.domain.fouten import (
    BerichtenbusNietBeschikbaar,
    GeenToegang,
    IdempotencyKeyHergebruikt,
    MedischeGegevensNietToegestaan,
    OngeldigeInvoer,
)
from verzuim_intake.domain.medische_gegevens import medische_velden, uitleg_medische_gegevens

MELDERS = (Rol.WERKNEMER, Rol.LEIDINGGEVENDE, Rol.VERZUIMCOACH, Rol.CASEMANAGER, Rol.HR, Rol.BEHEERDER)
MagMelden = Annotated[Principal, require_roles(*MELDERS)]
MagPersoneelSynchroniseren = Annotated[Principal, require_roles(Rol.HR, Rol.BEHEERDER)]
MagInstellingenWijzigen = Annotated[Principal, require_roles(Rol.HR, Rol.BEHEERDER)]

WerkgeverId = Annotated[str, Path(min_length=1, max_length=100, description="Must be the werkgever of the token")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Makes a retry safe: the same key with the same body gives the same answer and one fact, also "
        "after a long time; the same key with a different body is refused (422) while the key is remembered "
        "(24 hours, configurable) and is a new melding with an id of its own after that.",
    ),
]


# --------------------------------------------------------------------------------------------- problems


class MedischeGegevensProblem(Unprocessable):
    title = "Medische gegevens niet toegestaan"
    type_slug = "medische-gegevens-niet-toegestaan"


class IdempotencyKeyProblem(Unprocessable):
    title = "Idempotency-Key al gebruikt voor een ander verzoek"
    type_slug = "idempotency-key-hergebruikt"


def _loc(veld: str) -> list[str]:
    """`medewerkers[3].datum_uit_dienst` -> ["body", "medewerkers", "3", "datum_uit_dienst"]."""
    return ["body", *[part for part in re.split(r"[.\[\]]+", veld) if part]]


def install_error_handlers(app: FastAPI, *, retry_after_s: int) -> None:
    """Map the intake's domain errors to problem+json answers."""

    def problem_for(exc: Exception) -> Problem:
        if isinstance(exc, MedischeGegevensNietToegestaan):
            return MedischeGegevensProblem(exc.detail, velden=exc.velden)
        if isinstance(exc, OngeldigeInvoer):
            errors = [{"loc": _loc(f.veld), "msg": f.melding, "type": "intake_regel"} for f in exc.fouten]
            return Unprocessable(exc.detail, errors=errors)
        if isinstance(exc, IdempotencyKeyHergebruikt):
            return IdempotencyKeyProblem(exc.detail)
        if isinstance(exc, GeenToegang):
            return ForbiddenError(exc.detail)
        if isinstance(exc, BerichtenbusNietBeschikbaar):
            return ServiceUnavailable(exc.detail)
        raise exc

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        headers = {"Retry-After": str(retry_after_s)} if isinstance(exc, BerichtenbusNietBeschikbaar) else None
        return problem_response(problem_for(exc), request, headers)

    for error in (
        MedischeGegevensNietToegestaan,
        OngeldigeInvoer,
        IdempotencyKeyHergebruikt,
        GeenToegang,
        BerichtenbusNietBeschikbaar,
    ):
        app.add_exception_handler(error, handle)


async def geen_medische_gegevens(request: Request, principal: CurrentPrincipal) -> None:
    """Every intake body is checked on its raw JSON, before normal validation (decisions D9)."""
    if not await request.body():
        return
    try:
        data: Any = await request.json()  # parsed once: Starlette caches it for the body validation
    except ValueError:
        return  # not JSON: the normal validation says so
    velden = medische_velden(data)
    if velden:
        raise MedischeGegevensNietToegestaan(velden, uitleg_medische_gegevens(velden))


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}


FOUTEN: dict[int | str, dict[str, Any]] = {
    401: _problem("No or invalid bearer token"),
    403: _problem("Wrong role, another werkgever, or a werknemer reporting someone else"),
    422: _problem(
        "Invalid input, a rule broken (e.g. a date in the future), medical data (type "
        "…/medische-gegevens-niet-toegestaan) or a reused Idempotency-Key (…/idempotency-key-hergebruikt)"
    ),
    503: _problem("NATS could not take the publish; retry after Retry-After seconds with the same Idempotency-Key"),
}


# --------------------------------------------------------------------------------------------- answers


class Links(BaseModel):
    dossier: str = Field(description="Where the verzuimdossier of this melding appears (cases service)")


class ZiekmeldingAntwoord(BaseModel):
    melding_id: UUID
    na_meldtijd: bool = Field(description="True when the melding came after the werkgever's meldtijd")
    meldtijd_grens: datetime = Field(description="The cut-off on the eerste ziektedag (Europe/Amsterdam)")
    links: Links


class HerstelmeldingAntwoord(BaseModel):
    herstel_id: UUID


class SyncAntwoord(BaseModel):
    ontvangen: int = Field(description="Items in the request")
    gepubliceerd: int = Field(description="Items that yielded at least one new message")
    ongewijzigd: int = Field(description="Items JetStream already had in full (an identical re-sync)")
    berichten_gepubliceerd: int = Field(description="New messages stored")
    berichten_ongewijzigd: int = Field(description="Messages JetStream reported as duplicate")


class InstellingenAntwoord(BaseModel):
    werkgever_id: str
    meldtijd_leidinggevende: str = Field(examples=["09:00"])
    meldtijd_verzuim_support: str = Field(examples=["10:00"])
    standaard: bool = Field(description="True while the werkgever has not set its own meldtijden")
    gewijzigd_op: datetime | None = None
    gewijzigd_door: Actor | None = None


def _sync_antwoord(resultaat: SyncResultaat) -> SyncAntwoord:
    return SyncAntwoord(
        ontvangen=resultaat.ontvangen,
        gepubliceerd=resultaat.gepubliceerd,
        ongewijzigd=resultaat.ongewijzigd,
        berichten_gepubliceerd=resultaat.berichten_gepubliceerd,
        berichten_ongewijzigd=resultaat.berichten_ongewijzigd,
    )


def _instellingen_antwoord(instellingen: WerkgeverInstellingen) -> InstellingenAntwoord:
    return InstellingenAntwoord(
        werkgever_id=instellingen.werkgever_id,
        meldtijd_leidinggevende=instellingen.meldtijden.leidinggevende.strftime("%H:%M"),
        meldtijd_verzuim_support=instellingen.meldtijden.verzuim_support.strftime("%H:%M"),
        standaard=instellingen.standaard,
        gewijzigd_op=instellingen.gewijzigd_op,
        gewijzigd_door=instellingen.gewijzigd_door,
    )


# --------------------------------------------------------------------------------------------- routes


def build_router(intake: Intake, *, public_url_cases: str) -> APIRouter:
    router = authenticated_router(prefix="/v1", responses=FOUTEN)
    body_check = [Depends(geen_medische_gegevens)]

    @router.post(
        "/ziekmeldingen",
        status_code=202,
        response_model=ZiekmeldingAntwoord,
        dependencies=body_check,
        tags=["meldingen"],
        summary="Report a werknemer sick",
        description=(
            "Validates the ziekmelding and publishes `ZiekGemeld` on `verzuim.intake.v1.ziek-gemeld`. "
            "The answer says whether the melding came after the werkgever's meldtijd and links to the dossier "
            "the cases service opens for it. Past dates are welcome (migration); medical data is refused. "
            "A werknemer may only report himself."
        ),
    )
    async def ziekmelding(
        melding: Ziekmelding, principal: MagMelden, response: Response, idempotency_key: IdempotencyKey = None
    ) -> ZiekmeldingAntwoord:
        ontvangen = await intake.meld_ziek(principal, melding, idempotency_key)
        dossier = f"{public_url_cases.rstrip('/')}/v1/meldingen/{ontvangen.melding_id}/dossier"
        response.headers["Location"] = dossier
        return ZiekmeldingAntwoord(
            melding_id=ontvangen.melding_id,
            na_meldtijd=ontvangen.na_meldtijd,
            meldtijd_grens=ontvangen.meldtijd_grens,
            links=Links(dossier=dossier),
        )

    @router.post(
        "/herstelmeldingen",
        status_code=202,
        response_model=HerstelmeldingAntwoord,
        dependencies=body_check,
        tags=["meldingen"],
        summary="Report full or partial recovery",
        description=(
            "Publishes `HerstelGemeld` on `verzuim.intake.v1.herstel-gemeld`. Volledig: percentage 0 (may be left "
            "out). Gedeeltelijk: the remaining arbeidsongeschiktheidspercentage, 1..99. A hersteldatum more than "
            "`herstel_max_dagen_vooruit` days ahead is refused."
        ),
    )
    async def herstelmelding(
        melding: Herstelmelding, principal: MagMelden, idempotency_key: IdempotencyKey = None
    ) -> HerstelmeldingAntwoord:
        ontvangen = await intake.meld_herstel(principal, melding, idempotency_key)
        return HerstelmeldingAntwoord(herstel_id=ontvangen.herstel_id)

    @router.post(
        "/personeel/medewerkers",
        status_code=202,
        response_model=SyncAntwoord,
        dependencies=body_check,
        tags=["personeel"],
        summary="Sync employees from the HR system (bulk upsert, up to 5000)",
        description=(
            "Per medewerker publishes `MedewerkerInDienst`, `MedewerkerGegevensGewijzigd` (valid from `geldig_vanaf`, "
            "default today) and, when given, `MedewerkerUitDienst`, for the werkgever of the token. Only what changed "
            "since the last sync is published, also on a later day (an unchanged medewerker counts as ongewijzigd). "
            "One invalid item refuses the whole request (422 naming its index); nothing is published then."
        ),
    )
    async def medewerkers(sync: MedewerkersSync, principal: MagPersoneelSynchroniseren) -> SyncAntwoord:
        return _sync_antwoord(await intake.synchroniseer_medewerkers(principal, sync.medewerkers))

    @router.post(
        "/personeel/afdelingen",
        status_code=202,
        response_model=SyncAntwoord,
        dependencies=body_check,
        tags=["personeel"],
        summary="Sync afdelingen from the HR system (up to 5000)",
        description=(
            "Publishes `AfdelingVastgelegd` per afdeling for the werkgever of the token; identical data is a no-op."
        ),
    )
    async def afdelingen(sync: AfdelingenSync, principal: MagPersoneelSynchroniseren) -> SyncAntwoord:
        return _sync_antwoord(await intake.leg_afdelingen_vast(principal, sync.afdelingen))

    @router.get(
        "/werkgevers/{werkgever_id}/instellingen",
        response_model=InstellingenAntwoord,
        tags=["instellingen"],
        summary="The werkgever's meldtijden",
        description="The cut-off times that decide `na_meldtijd`; the service defaults while none are set.",
    )
    async def instellingen(werkgever_id: WerkgeverId, principal: CurrentPrincipal) -> InstellingenAntwoord:
        return _instellingen_antwoord(await intake.bekijk_instellingen(principal, werkgever_id))

    @router.put(
        "/werkgevers/{werkgever_id}/instellingen",
        response_model=InstellingenAntwoord,
        dependencies=body_check,
        tags=["instellingen"],
        summary="Set the werkgever's meldtijden (hr, beheerder)",
        description=(
            "Dutch wall-clock times ('HH:MM'): a ziekmelding on the eerste ziektedag after this time at the "
            "leidinggevende resp. verzuim support is `na_meldtijd`. Applies to meldingen received from now on."
        ),
    )
    async def wijzig_instellingen(
        werkgever_id: WerkgeverId, invoer: MeldtijdInstellingen, principal: MagInstellingenWijzigen
    ) -> InstellingenAntwoord:
        return _instellingen_antwoord(await intake.wijzig_instellingen(principal, werkgever_id, invoer))

    return router

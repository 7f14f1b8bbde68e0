"""The routing configuration API: presets, the versioned regiemodel per werkgever and afdeling, the rolbezetting
(the arbodienst's bedrijfsarts and taakgedelegeerde, and the other role holders without another source) and the
routing gaps.

Who may do what: the presets and the model in force say who gets which signal and hold nothing about a person, so
every user of the werkgever may read them. The routing gaps name colleagues with the signal about them (frequent
verzuim, a complex triage), the rolbezetting names people with their e-mail address, and the history names who
changed the model and why: those are for hr, beheerder and auditor. Changing anything is for hr and beheerder."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field
from verzuim_shared.auth import CurrentPrincipal, Principal, authenticated_router, require_roles
from verzuim_shared.clock import Clock
from verzuim_shared.events import Rol
from verzuim_shared.problems import Conflict, NotFound, Unprocessable

from verzuim_notifications.application import GeldendModel, GeregistreerdGat, Regiemodellen, Rolhouder
from verzuim_notifications.domain.presets import PRESETS, preset
from verzuim_notifications.domain.regiemodel import (
    FrequentVerzuimInstelling,
    Ontvangerrol,
    Regiemodel,
    RegiemodelVersie,
    Soort,
    TerugwerkendeKracht,
    Toewijzing,
    VersieConflict,
    geldig_tot,
    pas_aan,
)

# Changing the routing is for hr and beheerder; what names people is for them and the auditor.
Beheerder = Annotated[Principal, require_roles(Rol.HR, Rol.BEHEERDER)]
Toezicht = Annotated[Principal, require_roles(Rol.HR, Rol.BEHEERDER, Rol.AUDITOR)]
AfdelingParam = Annotated[
    str | None, Query(min_length=1, max_length=100, description="An afdeling; without it, the werkgever as a whole")
]


class ToewijzingModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rol: Ontvangerrol
    soort: Soort = Soort.TAAK


class FrequentVerzuimModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    drempel: int = Field(default=3, ge=2, le=50, description="Meldingen within the window, the new one included")
    venster_dagen: int = Field(default=365, ge=1, le=3660)
    vroeg_signaal: bool = Field(default=False, description="Also signal at the melding before the threshold")
    gesprek_binnen_dagen: int = Field(default=14, ge=0, le=365)


class RegiemodelOut(BaseModel):
    basis: str = Field(description="The preset it was built from")
    omschrijving: str
    regievoerder: Ontvangerrol
    procesbewaker: Ontvangerrol
    regels: dict[str, list[ToewijzingModel]] = Field(
        description="Signal (e.g. ziekmelding, termijn_nadert:PROBLEEMANALYSE) -> who gets it, as task or message"
    )
    terugval: dict[Ontvangerrol, Ontvangerrol] = Field(description="Who stands in when a role is not filled")
    fallback_rol: Rol = Field(description="The team inbox of a task nobody can take")
    frequent_verzuim: FrequentVerzuimModel
    aangepast: list[str] = Field(description="What differs from the preset")

    @classmethod
    def of(cls, m: Regiemodel) -> RegiemodelOut:
        return cls(
            basis=m.basis,
            omschrijving=m.omschrijving,
            regievoerder=m.regievoerder,
            procesbewaker=m.procesbewaker,
            regels={k: [ToewijzingModel(rol=t.rol, soort=t.soort) for t in v] for k, v in sorted(m.regels.items())},
            terugval=dict(m.terugval),
            fallback_rol=m.fallback_rol,
            frequent_verzuim=FrequentVerzuimModel(**m.frequent_verzuim.__dict__),
            aangepast=list(m.aangepast),
        )


class RegiemodelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    afdeling_id: str | None = Field(default=None, min_length=1, max_length=100)
    preset: str = Field(description="model-i, model-ii, model-iii, model-iv, samen-regie or verzuim-support")
    regels: dict[str, list[ToewijzingModel]] = Field(
        default_factory=dict, description="Rules that replace the preset's rule for that signal ([] = nobody)"
    )
    terugval: dict[Ontvangerrol, Ontvangerrol | None] = Field(
        default_factory=dict, description="Stand-ins to change; null removes the preset's stand-in"
    )
    fallback_rol: Rol | None = None
    frequent_verzuim: FrequentVerzuimModel | None = None
    geldig_vanaf: AwareDatetime | None = Field(default=None, description="From when it applies; default now")
    reden: str | None = Field(default=None, max_length=2000)
    verwachte_versie: int | None = Field(
        default=None, ge=0, description="The current version you based this on; 409 when it moved on"
    )


class OpheffenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    geldig_vanaf: AwareDatetime | None = None
    reden: str | None = Field(default=None, max_length=2000)
    verwachte_versie: int | None = Field(default=None, ge=0)


class Door(BaseModel):
    id: str
    rol: str


class VersieOut(BaseModel):
    werkgever_id: str
    afdeling_id: str | None
    versie: int
    geldig_vanaf: datetime
    geldig_tot: datetime | None = Field(description="When a later version took over; null while in force/planned")
    nooit_van_kracht: bool = Field(description="Replaced before it applied")
    geregistreerd_op: datetime
    door: Door
    reden: str | None
    model: RegiemodelOut | None = Field(description="null: the afdeling follows the werkgever (or the default)")

    @classmethod
    def of(cls, v: RegiemodelVersie, tot: datetime | None) -> VersieOut:
        return cls(
            werkgever_id=v.werkgever_id,
            afdeling_id=v.afdeling_id,
            versie=v.versie,
            geldig_vanaf=v.geldig_vanaf,
            geldig_tot=tot,
            nooit_van_kracht=tot is not None and tot <= v.geldig_vanaf,
            geregistreerd_op=v.geregistreerd_op,
            door=Door(id=v.actor_id, rol=v.actor_rol),
            reden=v.reden,
            model=RegiemodelOut.of(v.model) if v.model else None,
        )


class GeldendOut(BaseModel):
    op: datetime
    bron: str = Field(description="afdeling, werkgever or standaard (no choice made: the default preset)")
    versie: int | None
    model: RegiemodelOut


class GeschiedenisOut(BaseModel):
    versies: list[VersieOut]


class PresetOut(BaseModel):
    id: str
    naam: str
    bron: str
    model: RegiemodelOut


class PresetsOut(BaseModel):
    presets: list[PresetOut]


class RolhouderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    afdeling_id: str | None = Field(default=None, min_length=1, max_length=100)
    persoon_id: str = Field(min_length=1, max_length=200, description="The id the person logs in with (sub)")
    naam: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    organisatie: str | None = Field(default=None, max_length=200, description="e.g. the arbodienst")


class RolhouderOut(BaseModel):
    rol: Ontvangerrol
    afdeling_id: str | None
    persoon_id: str
    naam: str | None
    email: str | None
    organisatie: str | None
    bijgewerkt_op: datetime | None
    bijgewerkt_door: str | None

    @classmethod
    def of(cls, r: Rolhouder) -> RolhouderOut:
        return cls(**{k: getattr(r, k) for k in cls.model_fields})


class RolbezettingOut(BaseModel):
    rolbezetting: list[RolhouderOut]


class GatOut(BaseModel):
    signaal: str
    signaal_id: str
    bron_event_id: str
    dossier_id: str | None
    werknemer_id: str
    rol: Ontvangerrol
    reden: str = Field(description="medewerker_onbekend, afdeling_onbekend, niet_bezet or werknemer_zelf")
    soort: Soort
    opgevangen_door: str | None = Field(description="persoon:<id> or team:<rol> that took it over; null: nobody")
    aangemaakt_op: datetime

    @classmethod
    def of(cls, g: GeregistreerdGat) -> GatOut:
        return cls(
            signaal=g.signaal,
            signaal_id=str(g.signaal_id),
            bron_event_id=str(g.bron_event_id),
            dossier_id=str(g.dossier_id) if g.dossier_id else None,
            werknemer_id=g.werknemer_id,
            rol=g.gat.rol,
            reden=g.gat.reden.value,
            soort=g.gat.soort,
            opgevangen_door=g.gat.opgevangen_door,
            aangemaakt_op=g.aangemaakt_op,
        )


class GatenOut(BaseModel):
    gaten: list[GatOut]


# Roles that are not filled from the personeel data or the dossier alone, and can be set in the rolbezetting.
ROLBEZETTING = (
    Ontvangerrol.BEDRIJFSARTS,
    Ontvangerrol.TAAKGEDELEGEERDE,
    Ontvangerrol.VERZUIMCOACH,
    Ontvangerrol.CASEMANAGER,
    Ontvangerrol.WERKCOACH,
    Ontvangerrol.HR_ADVISEUR,
    Ontvangerrol.RAYONMANAGER,
)


def _bouw_model(body: RegiemodelIn) -> Regiemodel:
    try:
        return pas_aan(
            preset(body.preset),
            regels={k: [Toewijzing(t.rol, t.soort) for t in v] for k, v in body.regels.items()},
            terugval=body.terugval,
            fallback_rol=body.fallback_rol,
            frequent_verzuim=FrequentVerzuimInstelling(**body.frequent_verzuim.model_dump())
            if body.frequent_verzuim
            else None,
        )
    except ValueError as exc:
        raise Unprocessable(f"Het regiemodel is ongeldig: {exc}.") from None


async def _nieuwe_versie(
    regiemodellen: Regiemodellen,
    principal: Principal,
    afdeling_id: str | None,
    model: Regiemodel | None,
    *,
    geldig_vanaf: datetime | None,
    verwachte_versie: int | None,
    reden: str | None,
) -> VersieOut:
    try:
        v = await regiemodellen.stel_in(
            principal,
            afdeling_id,
            model,
            geldig_vanaf=geldig_vanaf,
            verwachte_versie=verwachte_versie,
            reden=reden,
        )
    except VersieConflict as exc:
        raise Conflict(
            f"Het regiemodel is intussen gewijzigd: je ging uit van versie {exc.verwacht}, de huidige is "
            f"{exc.huidig}. Haal de geschiedenis op en probeer het opnieuw.",
            huidige_versie=exc.huidig,
        ) from None
    except TerugwerkendeKracht as exc:
        raise Unprocessable(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
    return VersieOut.of(v, None)


def _geldend(g: GeldendModel, op: datetime) -> GeldendOut:
    return GeldendOut(op=op, bron=g.bron, versie=g.versie.versie if g.versie else None, model=RegiemodelOut.of(g.model))


def build_router(regiemodellen: Regiemodellen, clock: Clock) -> APIRouter:
    router = authenticated_router(prefix="/v1/routering", tags=["routering"])

    @router.get("/presets", summary="The regiemodellen that ship with the service", response_model=PresetsOut)
    async def presets() -> PresetsOut:
        return PresetsOut(
            presets=[
                PresetOut(id=p.id, naam=p.naam, bron=p.bron, model=RegiemodelOut.of(p.regiemodel()))
                for p in PRESETS.values()
            ]
        )

    @router.get("/regiemodel", summary="The regiemodel in force (now, or at a moment)", response_model=GeldendOut)
    async def geldend(
        principal: CurrentPrincipal,
        afdeling_id: AfdelingParam = None,
        op: Annotated[AwareDatetime | None, Query(description="A moment (ISO 8601 with offset); default now")] = None,
    ) -> GeldendOut:
        moment = op or clock.now()
        return _geldend(await regiemodellen.geldend(principal.werkgever_id, afdeling_id, moment), moment)

    @router.get(
        "/regiemodel/geschiedenis", summary="Every version of the regiemodel of a scope", response_model=GeschiedenisOut
    )
    async def geschiedenis(principal: Toezicht, afdeling_id: AfdelingParam = None) -> GeschiedenisOut:
        versies = await regiemodellen.geschiedenis(principal.werkgever_id, afdeling_id)
        tot = geldig_tot(versies)
        return GeschiedenisOut(versies=[VersieOut.of(v, tot[v.versie]) for v in versies])

    @router.put(
        "/regiemodel",
        summary="Choose a regiemodel (a preset with changes) for the werkgever or an afdeling: a new version",
        response_model=VersieOut,
        status_code=201,
    )
    async def stel_in(body: RegiemodelIn, principal: Beheerder) -> VersieOut:
        return await _nieuwe_versie(
            regiemodellen,
            principal,
            body.afdeling_id,
            _bouw_model(body),
            geldig_vanaf=body.geldig_vanaf,
            verwachte_versie=body.verwachte_versie,
            reden=body.reden,
        )

    @router.post(
        "/regiemodel/opheffen",
        summary="End the own model of an afdeling (it follows the werkgever) or of the werkgever (the default)",
        response_model=VersieOut,
        status_code=201,
    )
    async def opheffen(body: OpheffenIn, principal: Beheerder, afdeling_id: AfdelingParam = None) -> VersieOut:
        return await _nieuwe_versie(
            regiemodellen,
            principal,
            afdeling_id,
            None,
            geldig_vanaf=body.geldig_vanaf,
            verwachte_versie=body.verwachte_versie,
            reden=body.reden,
        )

    @router.get("/rolbezetting", summary="Who fills which role (werkgever or afdeling)", response_model=RolbezettingOut)
    async def rolbezetting(principal: Toezicht, afdeling_id: AfdelingParam = None) -> RolbezettingOut:
        return RolbezettingOut(
            rolbezetting=[
                RolhouderOut.of(r) for r in await regiemodellen.rolbezetting(principal.werkgever_id, afdeling_id)
            ]
        )

    @router.put(
        "/rolbezetting/{rol}",
        summary="Set who fills a role, e.g. the arbodienst's bedrijfsarts",
        response_model=RolhouderOut,
    )
    async def zet_rolhouder(rol: Ontvangerrol, body: RolhouderIn, principal: Beheerder) -> RolhouderOut:
        if rol not in ROLBEZETTING:
            namen = ", ".join(r.value for r in ROLBEZETTING)
            raise Unprocessable(
                f"De rol {rol.value} komt uit de personeelsgegevens of het dossier; instelbaar: {namen}."
            )
        opgeslagen = await regiemodellen.zet_rolhouder(
            principal,
            Rolhouder(
                rol=rol,
                persoon_id=body.persoon_id,
                afdeling_id=body.afdeling_id,
                naam=body.naam,
                email=str(body.email) if body.email else None,
                organisatie=body.organisatie,
            ),
        )
        return RolhouderOut.of(opgeslagen)

    @router.delete("/rolbezetting/{rol}", summary="Remove a role holder", status_code=204)
    async def verwijder_rolhouder(
        rol: Ontvangerrol, principal: Beheerder, afdeling_id: AfdelingParam = None
    ) -> Response:
        if not await regiemodellen.verwijder_rolhouder(principal, afdeling_id, rol):
            raise NotFound(
                f"Er is geen {rol.value} ingesteld voor {'afdeling ' + afdeling_id if afdeling_id else 'de werkgever'}."
            )
        return Response(status_code=204)

    @router.get("/gaten", summary="Roles nobody filled when a signal was routed", response_model=GatenOut)
    async def gaten(
        principal: Toezicht,
        sinds: Annotated[AwareDatetime | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> GatenOut:
        return GatenOut(gaten=[GatOut.of(g) for g in await regiemodellen.gaten(principal.werkgever_id, sinds, limit)])

    return router

"""The termijnen API under /v1. Thin: parse the request, call the use case, map the result or the error."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from verzuim_shared.auth import CurrentPrincipal, ForbiddenError, Principal, authenticated_router, require_roles
from verzuim_shared.clock import Clock, SimulatedClock
from verzuim_shared.events import Rol
from verzuim_shared.problems import NotFound, Problem

from verzuim_deadlines.application import (
    DossierNietGevonden,
    DossierTermijn,
    Historieregel,
    Regellezer,
    Termijnbewaking,
    TermijnNietGevonden,
    Termijnoverzicht,
    Werklijstfilter,
)
from verzuim_deadlines.domain import (
    Deelherstel,
    DossierFeiten,
    Episode,
    OngeldigeEpisodes,
    Stap,
    Stapfeit,
    Termijn,
    TermijnCode,
    TermijnStatus,
    Werkgeverregels,
    Ziekmelding,
    bereken_tijdlijn,
)

# A rules change recalculates this many running dossiers before the answer; the scheduler loop does the rest.
DIRECT_HERBEREKENEN = 500


class OngeldigeInvoer(Problem):
    status = 422
    title = "Ongeldige invoer"
    type_slug = "ongeldige-invoer"


class NietInDezeModus(Problem):
    status = 409
    title = "Alleen met een gesimuleerde klok"
    type_slug = "alleen-gesimuleerde-klok"


# --------------------------------------------------------------------------------------------- schemas


class TermijnIn(BaseModel):
    code: TermijnCode = Field(description="e.g. PROBLEEMANALYSE")
    volgnummer: int = Field(
        description="1 for a one-off termijn; 1, 2, ... for a repeating one (EVALUATIE, BELAFSPRAAK)"
    )
    vervaldatum: date = Field(description="The day the step is due (decisions D1–D3)")
    status: TermijnStatus
    grondslag: str = Field(description="Legal basis")
    afleiding: str = Field(description="How the vervaldatum follows from the dossier's facts")
    reden: str | None = Field(default=None, description="Why it ended (vervallen, afgeweken, verstreken)")
    vervuld_op: date | None = Field(default=None, description="Business date of the step that fulfilled it")
    op_tijd: bool | None = Field(default=None, description="Whether it was fulfilled on or before the vervaldatum")

    @classmethod
    def van(cls, t: Termijn) -> TermijnIn:
        return cls(
            code=t.code,
            volgnummer=t.volgnummer,
            vervaldatum=t.vervaldatum,
            status=t.status,
            grondslag=t.grondslag,
            afleiding=t.afleiding,
            reden=t.reden,
            vervuld_op=t.vervuld_op,
            op_tijd=t.op_tijd,
        )


class TermijnOut(TermijnIn):
    termijn_id: UUID
    dossier_id: UUID
    werknemer_id: str
    casemanager_id: str | None
    bron_event_id: UUID | None = Field(description="The dossier event that fulfilled it or motivated the deviation")
    volgende_signaal_op: date | None = Field(description="When the scheduler signals it next (nadert / verstreken)")
    gepland_op: datetime
    bijgewerkt_op: datetime

    @classmethod
    def of(cls, t: DossierTermijn) -> TermijnOut:
        return cls(
            **TermijnIn.van(t.termijn).model_dump(),
            termijn_id=t.termijn_id,
            dossier_id=t.dossier_id,
            werknemer_id=t.werknemer_id,
            casemanager_id=t.casemanager_id,
            bron_event_id=t.termijn.bron_event_id,
            volgende_signaal_op=t.volgende_signaal_op,
            gepland_op=t.gepland_op,
            bijgewerkt_op=t.bijgewerkt_op,
        )


class EpisodeOut(BaseModel):
    eerste_ziektedag: date
    hersteldatum: date | None = Field(description="First fully fit day; null while it runs")


class WaarschuwingOut(BaseModel):
    event_id: UUID | None = Field(description="The dossier event that could not be applied")
    tekst: str


class DossierTermijnenOut(BaseModel):
    dossier_id: UUID
    werknemer_id: str
    eerste_ziektedag: date = Field(description="E of the verzuim the dossier is in")
    hersteldatum: date | None = Field(description="First fully fit day when volledig hersteld; null while sick")
    episodes: list[EpisodeOut] = Field(description="The episodes of the dossier (samentelling, decisions D4)")
    casemanager_id: str | None
    vld_laatste_dag: date | None = Field(description="Last day of the wachttijd extended by a VLD (decisions D3)")
    waarschuwingen: list[WaarschuwingOut] = Field(description="Dossier events that could not be applied, and why")
    termijnen: list[TermijnOut] = Field(description="Ordered by vervaldatum")


class HistorieOut(BaseModel):
    termijn_id: UUID
    code: TermijnCode
    volgnummer: int
    op: datetime = Field(description="When the change was recorded")
    wat: str = Field(description="gepland, gewijzigd, vervuld, vervallen, afgeweken, heropend, nadert, verstreken")
    vervaldatum: date
    status: TermijnStatus
    reden: str | None
    oorzaak_event_id: UUID | None = Field(description="The dossier event that caused it; null for the scheduler")

    @classmethod
    def of(cls, r: Historieregel) -> HistorieOut:
        return cls(**r.__dict__)


class TermijnMetHistorieOut(TermijnOut):
    historie: list[HistorieOut]


class WerklijstOut(BaseModel):
    termijnen: list[TermijnOut] = Field(description="Ordered by vervaldatum")


class TijdlijnOut(BaseModel):
    eerste_ziektedag: date = Field(description="E of the verzuim the timeline is for")
    episodes: list[EpisodeOut]
    vld_laatste_dag: date | None
    termijnen: list[TermijnIn]
    toelichting: str


class TermijnregelsIn(BaseModel):
    model_config = {"extra": "forbid"}

    arbodienst_melding_ziektedag: int = Field(default=7, ge=1, le=42, description="D1: default 7 (end of week 1)")
    evaluatie_interval_dagen: int = Field(default=42, ge=7, le=182, description="D2: default 42")
    belafspraak_werkdagen: int = Field(default=10, ge=1, le=30, description="D2: default 10 werkdagen")
    extra_vrije_dagen: list[date] = Field(default=[], max_length=400, description="D6: the werkgever's own days off")
    nadert_dagen: dict[TermijnCode, int] = Field(
        default={}, description="D7: reminder lead time in days (0–90) per code; default 7"
    )

    def regels(self) -> Werkgeverregels:
        try:
            return Werkgeverregels(
                arbodienst_melding_ziektedag=self.arbodienst_melding_ziektedag,
                evaluatie_interval_dagen=self.evaluatie_interval_dagen,
                belafspraak_werkdagen=self.belafspraak_werkdagen,
                extra_vrije_dagen=frozenset(self.extra_vrije_dagen),
                nadert_dagen=dict(self.nadert_dagen),
            )
        except ValueError as exc:
            raise OngeldigeInvoer(str(exc)) from None

    @classmethod
    def van(cls, r: Werkgeverregels) -> TermijnregelsIn:
        return cls(
            arbodienst_melding_ziektedag=r.arbodienst_melding_ziektedag,
            evaluatie_interval_dagen=r.evaluatie_interval_dagen,
            belafspraak_werkdagen=r.belafspraak_werkdagen,
            extra_vrije_dagen=sorted(r.extra_vrije_dagen),
            nadert_dagen=dict(r.nadert_dagen),
        )


class TermijnregelsOut(TermijnregelsIn):
    werkgever_id: str
    versie: int = Field(description="0: the defaults of decisions.md (never changed)")


class TermijnregelsVersie(TermijnregelsOut):
    geldig_vanaf: datetime
    vastgelegd_door: str


class Herberekend(TermijnregelsOut):
    dossiers_herberekend: int = Field(description="Running dossiers recalculated before this answer")
    dossiers_te_herberekenen: int = Field(description="Running dossiers the scheduler still recalculates (in seconds)")


class KlokIn(BaseModel):
    nu: datetime = Field(description="The new moment of the simulated clock (timezone-aware)")


class KlokOut(BaseModel):
    nu: datetime
    signalen_verstuurd: int


# --------------------------------------------------------------------------------------------- what-if input

_DATUM = r"\d{4}-\d{2}-\d{2}"
_EPISODE = re.compile(rf"^({_DATUM})(?:(?:/|\.\.)({_DATUM})?)?$")
_DEEL = re.compile(rf"^({_DATUM})[:/](\d{{1,3}})$")
_STAP = re.compile(rf"^([a-z0-9_]+)[:/]({_DATUM})$")


def _datum(tekst: str, wat: str) -> date:
    try:
        return date.fromisoformat(tekst)
    except ValueError:
        raise OngeldigeInvoer(f"{wat}: {tekst!r} is geen bestaande datum (JJJJ-MM-DD)") from None


def _episodes(eerste_ziektedag: date, episodes: list[str], hersteldatum: date | None) -> tuple[Episode, ...]:
    result: list[Episode] = []
    for tekst in episodes:
        m = _EPISODE.match(tekst.strip())
        if not m:
            raise OngeldigeInvoer(f"episode {tekst!r}: gebruik <eerste ziektedag>/<hersteldatum> of <eerste ziektedag>")
        try:
            eind = _datum(m[2], f"episode {tekst!r}") if m[2] else None
            result.append(Episode(_datum(m[1], f"episode {tekst!r}"), eind))
        except OngeldigeEpisodes as exc:
            raise OngeldigeInvoer(f"episode {tekst!r}: {exc}") from None
    if not result:
        result = [Episode(eerste_ziektedag)]
    elif result[0].eerste_ziektedag != eerste_ziektedag:
        raise OngeldigeInvoer(
            f"de eerste episode begint op de eerste_ziektedag: episode={eerste_ziektedag.isoformat()}/<hersteldatum>"
        )
    if hersteldatum is not None:
        if result[-1].hersteldatum is not None:
            raise OngeldigeInvoer("hersteldatum hoort bij de laatste episode, en die heeft er al een")
        try:
            result[-1] = Episode(result[-1].eerste_ziektedag, hersteldatum)
        except OngeldigeEpisodes as exc:
            raise OngeldigeInvoer(str(exc)) from None
    return tuple(result)


HrOfBeheer = Annotated[Principal, require_roles(Rol.HR, Rol.BEHEERDER)]
Beheer = Annotated[Principal, require_roles(Rol.BEHEERDER)]


def build_router(
    overzicht: Termijnoverzicht,
    regels: Regellezer,
    bewaking: Termijnbewaking,
    clock: Clock,
    signaleer: Callable[[], Awaitable[int]],
) -> APIRouter:
    router = authenticated_router(prefix="/v1", tags=["termijnen"])

    @router.get(
        "/dossiers/{dossier_id}/termijnen",
        response_model=DossierTermijnenOut,
        summary="The termijnen of one verzuimdossier, with legal basis and derivation",
        responses={404: {"description": "The dossier is unknown here for the caller"}},
    )
    async def dossier_termijnen(dossier_id: UUID, principal: CurrentPrincipal) -> DossierTermijnenOut:
        try:
            overzicht_ = await overzicht.van_dossier(principal, dossier_id)
        except DossierNietGevonden as exc:
            raise NotFound(str(exc)) from None
        d = overzicht_.dossier
        return DossierTermijnenOut(
            dossier_id=d.dossier_id,
            werknemer_id=d.werknemer_id,
            eerste_ziektedag=d.eerste_ziektedag,
            hersteldatum=d.hersteldatum,
            episodes=[EpisodeOut(eerste_ziektedag=e, hersteldatum=h) for e, h in d.episodes],
            casemanager_id=d.casemanager_id,
            vld_laatste_dag=d.vld_laatste_dag,
            waarschuwingen=[WaarschuwingOut(event_id=w.event_id, tekst=w.tekst) for w in d.waarschuwingen],
            termijnen=[TermijnOut.of(t) for t in overzicht_.termijnen],
        )

    @router.get(
        "/dossiers/{dossier_id}/termijnen/historie",
        response_model=list[HistorieOut],
        summary="Every change of the dossier's termijnen, in order: planned, moved, fulfilled, signalled, ...",
    )
    async def historie(dossier_id: UUID, principal: CurrentPrincipal) -> list[HistorieOut]:
        try:
            return [HistorieOut.of(r) for r in await overzicht.historie(principal, dossier_id)]
        except DossierNietGevonden as exc:
            raise NotFound(str(exc)) from None

    @router.get(
        "/termijnen",
        response_model=WerklijstOut,
        summary="Work list: the werkgever's termijnen, filtered",
        description="E.g. what is due this week: `status=open&vanaf=<monday>&voor=<next monday>`; what is overdue: "
        "`status=verstreken` (or `status=open&voor=<today>`); per afdeling: `afdeling=<id>`; per casemanager: "
        "`casemanager=<id>`. A leidinggevende sees their own team only, a werknemer their own termijnen. Ordered by "
        "vervaldatum.",
    )
    async def werklijst(
        principal: CurrentPrincipal,
        status: Annotated[TermijnStatus | None, Query(description="e.g. open")] = None,
        voor: Annotated[date | None, Query(description="Only termijnen due before this date (exclusive)")] = None,
        vanaf: Annotated[date | None, Query(description="Only termijnen due on or after this date")] = None,
        code: Annotated[TermijnCode | None, Query(description="e.g. PROBLEEMANALYSE")] = None,
        werknemer_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        afdeling: Annotated[str | None, Query(min_length=1, max_length=100, description="An afdeling_id")] = None,
        casemanager: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        werkgever: Annotated[str | None, Query(description="Must be the caller's own werkgever")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> WerklijstOut:
        if werkgever is not None and werkgever != principal.werkgever_id:
            raise ForbiddenError(f"U ziet alleen termijnen van uw eigen werkgever ({principal.werkgever_id}).")
        filter = Werklijstfilter(
            status=status,
            voor=voor,
            vanaf=vanaf,
            code=code,
            werknemer_id=werknemer_id,
            afdeling_id=afdeling,
            casemanager_id=casemanager,
            limit=limit,
            offset=offset,
        )
        return WerklijstOut(termijnen=[TermijnOut.of(t) for t in await overzicht.werklijst(principal, filter)])

    @router.get(
        "/termijnen/{termijn_id}",
        response_model=TermijnMetHistorieOut,
        summary="One termijn with its history: why its date is what it is, and every change of it",
    )
    async def termijn(termijn_id: UUID, principal: CurrentPrincipal) -> TermijnMetHistorieOut:
        try:
            t, regels_ = await overzicht.termijn(principal, termijn_id)
        except TermijnNietGevonden as exc:
            raise NotFound(str(exc)) from None
        return TermijnMetHistorieOut(**TermijnOut.of(t).model_dump(), historie=[HistorieOut.of(r) for r in regels_])

    @router.get(
        "/tijdlijn",
        response_model=TijdlijnOut,
        summary="What-if: the full WvP timeline for the given facts, computed and not stored",
        description="Episodes as `episode=2025-01-06/2025-03-01&episode=2025-03-20` (first sick day / first fully "
        "fit day; the last may run), or just `hersteldatum` for one episode; `deelherstel=2025-02-01:50` (moves "
        "nothing, decisions D5); `vld_laatste_dag` (D3); `gemeld_op` the date of the ziekmelding (default the "
        "eerste ziektedag); `herstelafspraak` (then no belafspraak); steps done as `stap=probleemanalyse:2025-02-10` "
        f"(steps: {', '.join(s.value for s in Stap)}); `spoor1_perspectief=true` when the eerstejaarsevaluatie saw "
        "a structural prospect in spoor 1. Uses the caller's werkgever's termijnregels. Stores nothing.",
    )
    async def tijdlijn(
        principal: CurrentPrincipal,
        eerste_ziektedag: date,
        episode: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
        hersteldatum: date | None = None,
        deelherstel: Annotated[list[str], Query()] = [],  # noqa: B006
        vld_laatste_dag: date | None = None,
        gemeld_op: date | None = None,
        herstelafspraak: date | None = None,
        stap: Annotated[list[str], Query()] = [],  # noqa: B006
        spoor1_perspectief: bool = False,
    ) -> TijdlijnOut:
        episodes = _episodes(eerste_ziektedag, episode, hersteldatum)
        delen = []
        for tekst in deelherstel:
            m = _DEEL.match(tekst.strip())
            if not m or not 0 <= int(m[2]) <= 100:
                raise OngeldigeInvoer(f"deelherstel {tekst!r}: gebruik <datum>:<percentage 0-100>")
            delen.append(Deelherstel(_datum(m[1], f"deelherstel {tekst!r}"), int(m[2])))
        stappen = []
        for tekst in stap:
            m = _STAP.match(tekst.strip().lower())
            if not m or m[1] not in Stap.__members__.values():
                raise OngeldigeInvoer(
                    f"stap {tekst!r}: gebruik <stap>:<datum>, stap is een van {', '.join(s.value for s in Stap)}"
                )
            soort = Stap(m[1])
            perspectief = spoor1_perspectief and soort is Stap.EERSTEJAARSEVALUATIE
            stappen.append(Stapfeit(soort, _datum(m[2], f"stap {tekst!r}"), structureel_spoor1_perspectief=perspectief))
        feiten = DossierFeiten(
            uuid4(),
            principal.werkgever_id,
            "wat-als",
            episodes,
            meldingen=(Ziekmelding(gemeld_op or eerste_ziektedag, herstelafspraak),),
            stappen=tuple(stappen),
            deelherstel=tuple(delen),
            vld_laatste_dag=vld_laatste_dag,
        )
        _, werkgeverregels = await regels.huidige(principal.werkgever_id)
        return TijdlijnOut(
            eerste_ziektedag=feiten.eerste_ziektedag,
            episodes=[EpisodeOut(eerste_ziektedag=e.eerste_ziektedag, hersteldatum=e.hersteldatum) for e in episodes],
            vld_laatste_dag=vld_laatste_dag,
            termijnen=[TermijnIn.van(t) for t in bereken_tijdlijn(feiten, werkgeverregels)],
            toelichting="Berekend met de termijnregels van de werkgever; niets is opgeslagen. Zonder klok: een "
            "lopende termijn waarvan de datum voorbij is staat hier open; alleen wat vóór een herstel al verstreken "
            "was (de dag na de vervaldatum op of vóór de hersteldatum), staat als verstreken.",
        )

    @router.get("/termijnregels", response_model=TermijnregelsOut, summary="The werkgever's current termijnregels")
    async def huidige_regels(principal: CurrentPrincipal) -> TermijnregelsOut:
        versie, r = await regels.huidige(principal.werkgever_id)
        return TermijnregelsOut(
            **TermijnregelsIn.van(r).model_dump(), werkgever_id=principal.werkgever_id, versie=versie
        )

    @router.put(
        "/termijnregels",
        response_model=Herberekend,
        summary="Set the werkgever's termijnregels (a new version); its running dossiers are recomputed",
        description="Stored with the marks for recalculation in one transaction; up to "
        f"{DIRECT_HERBEREKENEN} running dossiers are recomputed before the answer, the rest by the scheduler "
        "within seconds. Closed or recovered dossiers keep the timeline they ended with.",
    )
    async def zet_regels(body: TermijnregelsIn, principal: HrOfBeheer) -> Herberekend:
        nieuw = body.regels()
        versie, gemarkeerd = await bewaking.zet_regels(principal.werkgever_id, nieuw, principal.id)
        gedaan = await bewaking.herbereken_gemarkeerde(principal.werkgever_id, maximaal=DIRECT_HERBEREKENEN)
        return Herberekend(
            **TermijnregelsIn.van(nieuw).model_dump(),
            werkgever_id=principal.werkgever_id,
            versie=versie,
            dossiers_herberekend=gedaan,
            dossiers_te_herberekenen=max(0, gemarkeerd - gedaan),
        )

    @router.get(
        "/termijnregels/geschiedenis",
        response_model=list[TermijnregelsVersie],
        summary="Every version of the werkgever's termijnregels, oldest first",
    )
    async def regels_geschiedenis(principal: CurrentPrincipal) -> list[TermijnregelsVersie]:
        return [
            TermijnregelsVersie(
                **TermijnregelsIn.van(r).model_dump(),
                werkgever_id=principal.werkgever_id,
                versie=versie,
                geldig_vanaf=vanaf,
                vastgelegd_door=door,
            )
            for versie, vanaf, door, r in await regels.geschiedenis(principal.werkgever_id)
        ]

    @router.post(
        "/beheer/klok",
        response_model=KlokOut,
        summary="Move the simulated clock (tests and demos only) and run the scheduler at once",
        description="Refused with 409 unless the service runs with `VERZUIM_CLOCK=simulated:...`.",
    )
    async def zet_klok(body: KlokIn, principal: Beheer) -> KlokOut:
        if not isinstance(clock, SimulatedClock):
            raise NietInDezeModus(
                "De klok van deze dienst is niet met de hand te verzetten (alleen met VERZUIM_CLOCK=simulated:...)."
            )
        if body.nu.tzinfo is None:
            raise OngeldigeInvoer("nu moet een tijdzone hebben")
        clock.set(body.nu)
        return KlokOut(nu=clock.now(), signalen_verstuurd=await signaleer())

    return router

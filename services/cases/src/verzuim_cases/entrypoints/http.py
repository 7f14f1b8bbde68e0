"""The dossier API under /v1: thin routes over the application, scoped to the caller's werkgever.

Queries: one dossier (now, at a version, or at a peildatum), the list, the history, the integrity check, documents.
Commands: `POST /v1/dossiers/{id}/<stap>` for every WvP step; the request bodies are the step's fields of the public
contract event (`verzuim_shared.events.dossier`) plus its `datum`, so the API and the published events cannot
drift apart.

The routes are plain `def` functions: eventsourcing is synchronous, so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model
from starlette.concurrency import run_in_threadpool
from verzuim_shared.auth import CurrentPrincipal, Principal, authenticated_router
from verzuim_shared.clock import NL, Clock, today_nl
from verzuim_shared.events import Actor
from verzuim_shared.events import dossier as contract
from verzuim_shared.problems import PROBLEM_JSON, Conflict, NotFound, Problem, Unprocessable, problem_response

from verzuim_cases.adapters.document_store import DocumentBeschadigd, DocumentNietGevonden
from verzuim_cases.adapters.dossier_lookup import DossierRegel
from verzuim_cases.adapters.public_events import PUBLIC_STEPS
from verzuim_cases.application import DossierApplication, DossierNietGevonden, GeenSchrijfrecht
from verzuim_cases.domain import DOCUMENT_STAPPEN, CorrigeerbaarFeit, DossierFout, DossierStatus, Verzuimdossier
from verzuim_cases.domain.keten import Integriteit

# ---------------------------------------------------------------------------------------------- response models


class EpisodeOut(BaseModel):
    melding_id: UUID
    eerste_ziektedag: date
    gemeld_op: datetime
    hersteldatum: date | None = Field(description="First fully fit day; empty while the episode lasts")


class StapOut(BaseModel):
    versie: int = Field(description="Version of the dossier after this event")
    type: str = Field(description="Event type, e.g. PlanVanAanpakVastgesteld")
    soort: str = Field(description="The step, e.g. plan_van_aanpak")
    datum: date = Field(description="Business date of the step")
    geregistreerd_op: datetime = Field(description="When the system recorded it")
    actor: Actor
    omschrijving: str
    reden: str | None = None
    keten_hash: str = Field(description="This event's link in the dossier's hash chain")


class DocumentOut(BaseModel):
    sha256: str
    stap: str
    naam: str
    mediatype: str
    grootte: int
    datum: date
    versie: int
    ondertekend_door: list[str]


class Begeleider(BaseModel):
    id: str
    rol: str


class DossierOut(BaseModel):
    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    melding_id: UUID = Field(description="The ziekmelding that opened the dossier")
    status: DossierStatus
    eerste_ziektedag: date
    gemeld_op: datetime
    hersteldatum: date | None = Field(description="Hersteldatum of the latest episode, if hersteld")
    herstelafspraak: date | None
    belafspraak: datetime | None
    vangnet_van_toepassing: bool
    arbeidsongeval: bool
    regres_derde: bool
    na_meldtijd: bool
    episodes: list[EpisodeOut]
    peildatum: date = Field(
        description="The date the figures below apply to: today, or the date of the replayed moment"
    )
    arbeidsongeschiktheidspercentage: int = Field(ge=0, le=100)
    verzuimdagen: int = Field(ge=0, description="Sick days of the case up to and including the peildatum (D4)")
    route: str | None = Field(description="Triage route: regulier or complex")
    begeleider: Begeleider | None
    casemanager_id: str | None
    laatste_dag_wachttijd: date | None = Field(description="Only after a VLD: the new last day of the wachttijd")
    gesloten_op: date | None
    gesloten_reden: str | None
    stappen_gedaan: list[str] = Field(description="The WvP steps recorded so far, in the order they first happened")
    processtappen: dict[str, list[dict[str, Any]]] = Field(description="Every recorded step with its own fields")
    documenten: list[DocumentOut]
    versie: int
    geregistreerd_op: datetime = Field(description="Recording time of this version")
    keten_hash: str = Field(description="Head of the hash chain at this version")
    stappen: list[StapOut] = Field(description="Every recorded event, oldest first")

    @classmethod
    def of(cls, dossier: Verzuimdossier, peildatum: date) -> DossierOut:
        laatste = dossier.stappen[-1] if dossier.stappen else None
        gedaan: list[str] = []
        for stap in dossier.stappen:
            if stap.soort not in gedaan:
                gedaan.append(stap.soort)
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
            belafspraak=dossier.belafspraak,
            vangnet_van_toepassing=dossier.vangnet_van_toepassing,
            arbeidsongeval=dossier.arbeidsongeval,
            regres_derde=dossier.regres_derde,
            na_meldtijd=dossier.na_meldtijd,
            episodes=[EpisodeOut(**vars(e)) for e in dossier.episodes],
            peildatum=peildatum,
            arbeidsongeschiktheidspercentage=dossier.arbeidsongeschiktheidspercentage_op(peildatum),
            verzuimdagen=dossier.verzuimdagen(peildatum),
            route=None if dossier.route is None else dossier.route.value,
            begeleider=None
            if dossier.begeleider_id is None or dossier.begeleider_rol is None
            else Begeleider(id=dossier.begeleider_id, rol=dossier.begeleider_rol.value),
            casemanager_id=dossier.casemanager_id,
            laatste_dag_wachttijd=dossier.laatste_dag_wachttijd,
            gesloten_op=dossier.gesloten_op,
            gesloten_reden=dossier.gesloten_reden,
            stappen_gedaan=gedaan,
            processtappen=dossier.processtappen,
            documenten=[DocumentOut(**vars(d)) for d in dossier.documenten.values()],
            versie=dossier.version,
            geregistreerd_op=laatste.geregistreerd_op if laatste else dossier.modified_on,
            keten_hash=dossier.keten_hash,
            stappen=[stap_out(s) for s in dossier.stappen],
        )


def stap_out(stap: Any) -> StapOut:
    return StapOut(
        versie=stap.versie,
        type=stap.gebeurtenis,
        soort=stap.soort,
        datum=stap.datum,
        geregistreerd_op=stap.geregistreerd_op,
        actor=stap.actor,
        omschrijving=stap.omschrijving,
        reden=stap.reden,
        keten_hash=stap.keten_hash,
    )


class Geschiedenis(BaseModel):
    dossier_id: UUID
    versie: int
    gebeurtenissen: list[StapOut]


class BreukOut(BaseModel):
    versie: int = Field(description="The first version whose link does not hold")
    reden: str


class IntegriteitOut(BaseModel):
    dossier_id: UUID
    intact: bool = Field(description="The chain holds and every snapshot is what the events give")
    versies: int
    kop_hash: str
    eerste_breuk: BreukOut | None = Field(description="The first broken link of the hash chain")
    onverzegeld: list[int] = Field(description="Versions stored before the hash chain existed (content not covered)")
    snapshots: list[int] = Field(description="Versions of the stored snapshots (reads start from the latest one)")
    snapshot_breuken: list[BreukOut] = Field(
        description="Every snapshot that differs from the state the events give at its version"
    )

    @classmethod
    def of(cls, dossier_id: UUID, controle: Integriteit) -> IntegriteitOut:
        breuk = controle.keten.eerste_breuk
        return cls(
            dossier_id=dossier_id,
            intact=controle.intact,
            versies=controle.keten.versies,
            kop_hash=controle.keten.kop_hash,
            eerste_breuk=None if breuk is None else BreukOut(versie=breuk.versie, reden=breuk.reden),
            onverzegeld=list(controle.keten.onverzegeld),
            snapshots=list(controle.snapshots),
            snapshot_breuken=[BreukOut(versie=b.versie, reden=b.reden) for b in controle.snapshot_breuken],
        )


class DossierRegelOut(BaseModel):
    dossier_id: UUID
    werknemer_id: str
    afdeling_id: str | None
    status: DossierStatus
    eerste_ziektedag: date
    hersteldatum: date | None
    versie: int

    @classmethod
    def of(cls, regel: DossierRegel) -> DossierRegelOut:
        return cls(
            dossier_id=regel.dossier_id,
            werknemer_id=regel.werknemer_id,
            afdeling_id=regel.afdeling_id,
            status=regel.status,
            eerste_ziektedag=regel.eerste_ziektedag,
            hersteldatum=regel.hersteldatum,
            versie=regel.versie,
        )


class DossierLijst(BaseModel):
    items: list[DossierRegelOut]
    limit: int
    offset: int


class DocumentToegevoegdOut(BaseModel):
    sha256: str
    grootte: int
    versie: int


# ---------------------------------------------------------------------------------------------- request models

_GEMEENSCHAPPELIJK = frozenset({*contract.DossierEvent.model_fields})
# Steps that cannot be posted as such: an episode comes from a ziekmelding, documents and corrections have routes
# of their own below.
_EIGEN_ROUTE = (
    Verzuimdossier.EpisodeToegevoegd,
    Verzuimdossier.DocumentToegevoegd,
    Verzuimdossier.DocumentOndertekend,
    Verzuimdossier.FeitGecorrigeerd,
)


def verzoekmodel(publiek: type[contract.DossierStap]) -> type[BaseModel]:
    """The request body of a step: the public event's own fields (with their validation) plus `datum`."""
    velden: dict[str, Any] = {
        name: (info.annotation, info) for name, info in publiek.model_fields.items() if name not in _GEMEENSCHAPPELIJK
    }
    model: type[BaseModel] = create_model(
        f"{publiek.__name__}Verzoek", __config__={"extra": "forbid"}, __doc__=publiek.__doc__, **velden
    )
    return model


class CorrectieVerzoek(BaseModel):
    model_config = {"extra": "forbid"}

    datum: date = Field(description="Date of the correction")
    feit: CorrigeerbaarFeit
    nieuwe_waarde: date
    reden: str = Field(min_length=1, max_length=4000)


class OndertekeningVerzoek(BaseModel):
    model_config = {"extra": "forbid"}

    datum: date = Field(description="Date of the signature or agreement")


def _velden(verzoek: BaseModel) -> tuple[date, dict[str, Any]]:
    """The domain's plain values: enums as their values, nested models as dicts."""
    data = verzoek.model_dump(mode="python")
    datum = data.pop("datum")
    return datum, {k: _plain(v) for k, v in data.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    return value


# ---------------------------------------------------------------------------------------------- problems


class DocumentProbleem(Problem):
    status = 500
    title = "Document beschadigd of zoek"
    type_slug = "document-beschadigd"


class TeGroot(Problem):
    status = 413
    title = "Te groot"
    type_slug = "te-groot"


class GeenToegang(Problem):
    status = 403
    title = "Geen toegang"
    type_slug = "geen-toegang"


# ---------------------------------------------------------------------------------------------- dependencies


def _application(request: Request) -> DossierApplication:
    application: DossierApplication = request.app.state.dossier_application()
    return application


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


Dossiers = Annotated[DossierApplication, Depends(_application)]
ServiceClock = Annotated[Clock, Depends(_clock)]
IfMatch = Annotated[
    str | None,
    Header(description='Optional: the version you last saw, e.g. "12". A changed dossier is answered with 409.'),
]

_problems: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown, or not visible to the caller", "content": {PROBLEM_JSON: {}}},
}
_command_problems: dict[int | str, dict[str, Any]] = {
    **_problems,
    403: {"description": "The caller's role may not record this", "content": {PROBLEM_JSON: {}}},
    409: {"description": "Refused in the dossier's current state; nothing was recorded", "content": {PROBLEM_JSON: {}}},
}

router = authenticated_router(prefix="/v1", tags=["dossiers"])


def _verwachte_versie(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    waarde = if_match.strip().removeprefix("W/").strip('"')
    if not waarde.isdigit():
        raise Unprocessable(f'If-Match moet een dossierversie zijn, zoals "12"; niet {if_match!r}.')
    return int(waarde)


def _moment(peildatum: str) -> datetime:
    """A timestamp (naive = Dutch time) or a date (= the end of that Dutch day)."""
    try:
        if len(peildatum) == 10:
            dag = date.fromisoformat(peildatum)
            return datetime.combine(dag + timedelta(days=1), time(0), tzinfo=NL) - timedelta(microseconds=1)
        moment = datetime.fromisoformat(peildatum)
    except ValueError:
        raise Unprocessable(
            f"peildatum {peildatum!r} is geen datum of tijdstip (bijvoorbeeld 2025-03-01 of 2025-03-01T12:00:00+01:00)."
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=NL)


def _antwoord(response: Response, dossier: Verzuimdossier, clock: Clock) -> DossierOut:
    response.headers["ETag"] = f'"{dossier.version}"'
    return DossierOut.of(dossier, today_nl(clock))


# ---------------------------------------------------------------------------------------------- queries


def dossier_antwoord(
    dossiers: DossierApplication,
    lezer: Principal,
    dossier_id: UUID,
    *,
    vandaag: date,
    versie: int | None = None,
    moment: datetime | None = None,
) -> DossierOut:
    """What `GET /v1/dossiers/{id}` answers: the current dossier, or a replay at a version or a moment.

    A replay at a version is one replay: the scope and the last version come from the lookup row. `bench/cases.py`
    times this function and the route."""
    if versie is not None:
        dossier = dossiers.dossier_op_versie(lezer, dossier_id, versie)
        # The figures of a replayed version apply to the day it was recorded.
        return DossierOut.of(dossier, dossier.stappen[-1].geregistreerd_op.astimezone(NL).date())
    if moment is not None:
        return DossierOut.of(dossiers.dossier_op_moment(lezer, dossier_id, moment), moment.astimezone(NL).date())
    return DossierOut.of(dossiers.dossier_voor(lezer, dossier_id), vandaag)


@router.get("/dossiers/{dossier_id}", response_model=DossierOut, responses=_problems, summary="One verzuimdossier")
def get_dossier(
    dossier_id: UUID,
    principal: CurrentPrincipal,
    dossiers: Dossiers,
    clock: ServiceClock,
    response: Response,
    versie: Annotated[int | None, Query(ge=1, description="Replay: the dossier as it stood after this version")] = None,
    peildatum: Annotated[
        str | None,
        Query(
            description="Replay: the dossier as it stood at this moment (ISO timestamp, or a date = end of that day)"
        ),
    ] = None,
) -> DossierOut:
    if versie is not None and peildatum is not None:
        raise Unprocessable("Geef versie óf peildatum, niet allebei.")
    antwoord = dossier_antwoord(
        dossiers,
        principal,
        dossier_id,
        vandaag=today_nl(clock),
        versie=versie,
        moment=None if peildatum is None else _moment(peildatum),
    )
    response.headers["ETag"] = f'"{antwoord.versie}"'
    return antwoord


@router.get(
    "/meldingen/{melding_id}/dossier",
    response_model=DossierOut,
    responses=_problems,
    summary="The verzuimdossier of a ziekmelding (also of a later episode)",
)
def get_dossier_for_melding(
    melding_id: UUID, principal: CurrentPrincipal, dossiers: Dossiers, clock: ServiceClock, response: Response
) -> DossierOut:
    return _antwoord(response, dossiers.dossier_voor_melding(principal, melding_id), clock)


@router.get("/dossiers", response_model=DossierLijst, summary="The werkgever's verzuimdossiers, newest first")
def list_dossiers(
    principal: CurrentPrincipal,
    dossiers: Dossiers,
    werkgever_id: Annotated[str | None, Query(description="Only your own werkgever (from the token)")] = None,
    werknemer_id: str | None = None,
    afdeling_id: Annotated[str | None, Query(description="The werknemer's current afdeling (personeel data)")] = None,
    status: DossierStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DossierLijst:
    if werkgever_id is not None and werkgever_id != principal.werkgever_id:
        return DossierLijst(items=[], limit=limit, offset=offset)  # another tenant's dossiers do not exist for you
    regels = dossiers.dossiers(
        principal, werknemer_id=werknemer_id, afdeling_id=afdeling_id, status=status, limit=limit, offset=offset
    )
    return DossierLijst(items=[DossierRegelOut.of(r) for r in regels], limit=limit, offset=offset)


@router.get(
    "/dossiers/{dossier_id}/geschiedenis",
    response_model=Geschiedenis,
    responses=_problems,
    summary="Every event of the dossier in order: version, type, actor, business date, recording time",
)
def get_geschiedenis(dossier_id: UUID, principal: CurrentPrincipal, dossiers: Dossiers) -> Geschiedenis:
    dossier = dossiers.dossier_voor(principal, dossier_id)
    return Geschiedenis(
        dossier_id=dossier.id, versie=dossier.version, gebeurtenissen=[stap_out(s) for s in dossier.stappen]
    )


@router.get(
    "/dossiers/{dossier_id}/integriteit",
    response_model=IntegriteitOut,
    responses=_problems,
    summary="Verify the hash chain over the stored events and every snapshot; names the first broken link",
)
def get_integriteit(dossier_id: UUID, principal: CurrentPrincipal, dossiers: Dossiers) -> IntegriteitOut:
    return IntegriteitOut.of(dossier_id, dossiers.integriteit(principal, dossier_id))


# ---------------------------------------------------------------------------------------------- commands


def _stap_route(soort: type[Verzuimdossier.Processtap], model: type[BaseModel]) -> Any:
    def route(
        dossier_id: UUID,
        verzoek: BaseModel,
        principal: CurrentPrincipal,
        dossiers: Dossiers,
        clock: ServiceClock,
        response: Response,
        if_match: IfMatch = None,
    ) -> DossierOut:
        datum, velden = _velden(verzoek)
        dossier = dossiers.registreer_stap(
            principal, dossier_id, soort, datum, velden, verwachte_versie=_verwachte_versie(if_match)
        )
        return _antwoord(response, dossier, clock)

    route.__annotations__ = {**route.__annotations__, "verzoek": model}
    route.__name__ = f"post_{soort.STAP}"
    return route


for _soort, _publiek in PUBLIC_STEPS.items():
    if _soort in _EIGEN_ROUTE:
        continue
    router.post(
        f"/dossiers/{{dossier_id}}/{_soort.STAP.replace('_', '-')}",
        response_model=DossierOut,
        responses=_command_problems,
        summary=f"Record: {_soort.NAAM}",
        description=(_soort.__doc__ or _publiek.__doc__ or "").strip(),
        tags=["processtappen"],
    )(_stap_route(_soort, verzoekmodel(_publiek)))


@router.post(
    "/dossiers/{dossier_id}/correctie",
    response_model=DossierOut,
    responses=_command_problems,
    summary="Correct an earlier fact (eerste_ziektedag, hersteldatum); the old value stays in the history",
    tags=["processtappen"],
)
def post_correctie(
    dossier_id: UUID,
    verzoek: CorrectieVerzoek,
    principal: CurrentPrincipal,
    dossiers: Dossiers,
    clock: ServiceClock,
    response: Response,
    if_match: IfMatch = None,
) -> DossierOut:
    def opdracht(dossier: Verzuimdossier, now: datetime, vandaag: date) -> None:
        dossier.corrigeer_feit(
            verzoek.feit,
            verzoek.nieuwe_waarde,
            reden=verzoek.reden,
            datum=verzoek.datum,
            actor=principal.as_actor(),
            geregistreerd_op=now,
            vandaag=vandaag,
        )

    dossier = dossiers.voer_uit(principal, dossier_id, opdracht, verwachte_versie=_verwachte_versie(if_match))
    return _antwoord(response, dossier, clock)


@router.post(
    "/dossiers/{dossier_id}/documenten",
    response_model=DocumentToegevoegdOut,
    status_code=201,
    responses=_command_problems,
    summary="Attach a WvP document to its step (the request body is the file; Content-Type its media type)",
    tags=["documenten"],
)
async def post_document(
    dossier_id: UUID,
    principal: CurrentPrincipal,
    dossiers: Dossiers,
    request: Request,
    stap: Annotated[str, Query(description=f"One of: {', '.join(DOCUMENT_STAPPEN)}")],
    naam: Annotated[str, Query(min_length=1, max_length=300)],
    datum: Annotated[date | None, Query(description="Business date; default today")] = None,
    content_type: Annotated[str, Header()] = "application/octet-stream",
    if_match: IfMatch = None,
) -> DocumentToegevoegdOut:
    inhoud = await _lees_begrensd(request, request.app.state.settings.document_max_bytes)
    dossier, sha256 = await run_in_threadpool(
        dossiers.voeg_document_toe,
        principal,
        dossier_id,
        stap=stap,
        naam=naam,
        mediatype=content_type.split(";")[0].strip() or "application/octet-stream",
        inhoud=inhoud,
        datum=datum or today_nl(dossiers.clock),
        verwachte_versie=_verwachte_versie(if_match),
    )
    return DocumentToegevoegdOut(sha256=sha256, grootte=len(inhoud), versie=dossier.version)


async def _lees_begrensd(request: Request, maximum: int) -> bytes:
    """The request body, refused as soon as it is larger than `maximum` (FastAPI has no size limit of its own)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > maximum:
        raise TeGroot(f"Een document is hooguit {maximum} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > maximum:
            raise TeGroot(f"Een document is hooguit {maximum} bytes.")
    if not body:
        raise Unprocessable("De body van het verzoek is het document; die is leeg.")
    return bytes(body)


@router.get(
    "/dossiers/{dossier_id}/documenten",
    response_model=list[DocumentOut],
    responses=_problems,
    summary="The dossier's documents",
    tags=["documenten"],
)
def list_documenten(dossier_id: UUID, principal: CurrentPrincipal, dossiers: Dossiers) -> list[DocumentOut]:
    dossier = dossiers.dossier_voor(principal, dossier_id)
    return [DocumentOut(**vars(d)) for d in dossier.documenten.values()]


@router.get(
    "/dossiers/{dossier_id}/documenten/{sha256}",
    responses={**_problems, 200: {"content": {"application/octet-stream": {}}, "description": "The document"}},
    response_class=Response,
    summary="Download a document; its bytes are checked against the sha256 first",
    tags=["documenten"],
)
def get_document(dossier_id: UUID, sha256: str, principal: CurrentPrincipal, dossiers: Dossiers) -> Response:
    document, inhoud = dossiers.lees_document(principal, dossier_id, sha256)
    veilige_naam = "".join(c if c.isalnum() or c in "._- " else "_" for c in document.naam)
    return Response(
        content=inhoud,
        media_type=document.mediatype,
        headers={
            "Content-Disposition": f'attachment; filename="{veilige_naam}"',
            "X-Content-SHA256": document.sha256,
            "ETag": f'"{document.sha256}"',
        },
    )


@router.post(
    "/dossiers/{dossier_id}/documenten/{sha256}/ondertekening",
    response_model=DossierOut,
    responses=_command_problems,
    summary="The werknemer's agreement or signature on a document (an event of its own)",
    tags=["documenten"],
)
def post_ondertekening(
    dossier_id: UUID,
    sha256: str,
    verzoek: OndertekeningVerzoek,
    principal: CurrentPrincipal,
    dossiers: Dossiers,
    clock: ServiceClock,
    response: Response,
    if_match: IfMatch = None,
) -> DossierOut:
    dossier = dossiers.registreer_stap(
        principal,
        dossier_id,
        Verzuimdossier.DocumentOndertekend,
        verzoek.datum,
        {"sha256": sha256, "ondertekend_door": principal.id},
        verwachte_versie=_verwachte_versie(if_match),
    )
    return _antwoord(response, dossier, clock)


# ---------------------------------------------------------------------------------------------- errors


def install_error_handlers(app: FastAPI) -> None:
    """Application and domain errors as problem+json with a Dutch detail: unknown → 404, refused → 409."""

    @app.exception_handler(DossierNietGevonden)
    async def _not_found(request: Request, exc: DossierNietGevonden) -> JSONResponse:
        return problem_response(NotFound(exc.detail), request)

    @app.exception_handler(DossierFout)
    async def _refused(request: Request, exc: DossierFout) -> JSONResponse:
        return problem_response(Conflict(exc.melding), request)

    @app.exception_handler(GeenSchrijfrecht)
    async def _forbidden(request: Request, exc: GeenSchrijfrecht) -> JSONResponse:
        return problem_response(GeenToegang(exc.detail), request)

    @app.exception_handler(DocumentBeschadigd)
    async def _damaged(request: Request, exc: DocumentBeschadigd) -> JSONResponse:
        return problem_response(DocumentProbleem(str(exc)), request)

    @app.exception_handler(DocumentNietGevonden)
    async def _missing(request: Request, exc: DocumentNietGevonden) -> JSONResponse:
        return problem_response(DocumentProbleem(f"{exc} Het dossier noemt het wel: de opslag is onvolledig."), request)

"""Public facts about verzuimdossiers, published by the cases service from its event store."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from verzuim_shared.events.base import ContractModel, Event
from verzuim_shared.events.intake import HerstelSoort
from verzuim_shared.subjects import Stream


class DossierEvent(Event):
    dossier_id: UUID
    versie: int = Field(ge=1, description="Version of the dossier after this event")
    werknemer_id: str


class DossierGeopend(DossierEvent):
    stream: ClassVar[Stream] = Stream.DOSSIER

    melding_id: UUID
    eerste_ziektedag: date
    gemeld_op: AwareDatetime
    herstelafspraak: date | None = None
    vangnet_van_toepassing: bool = False
    arbeidsongeval: bool = False
    regres_derde: bool = False
    na_meldtijd: bool = False


class HerstelGeregistreerd(DossierEvent):
    stream: ClassVar[Stream] = Stream.DOSSIER

    herstel_id: UUID
    soort: HerstelSoort
    hersteldatum: date
    arbeidsongeschiktheidspercentage: int = Field(ge=0, le=100)


# ------------------------------------------------------------------------------------------------------------------
# The WvP process steps. Each carries its business date (`datum`) next to the recording time of the base event.
# Free-text fields are for process facts only: never a diagnosis, cause, symptoms or treatment (decisions D9).


class Route(StrEnum):
    REGULIER = "regulier"
    COMPLEX = "complex"


class BegeleiderRol(StrEnum):
    CASEMANAGER = "casemanager"
    VERZUIMCOACH = "verzuimcoach"


class WerkgerelateerdeSoort(StrEnum):
    ARBEIDSCONFLICT = "arbeidsconflict"
    OVERPLAATSING = "overplaatsing"
    CONTRACTAANPASSING = "contractaanpassing"


class DossierStap(DossierEvent):
    """Base of the process-step events: a business date next to the recording time."""

    datum: date = Field(description="Business date of the step")


class EpisodeToegevoegd(DossierStap):
    """A new ziekmelding within 28 days of the last hersteldatum continues this dossier (samentelling, D4)."""

    stream: ClassVar[Stream] = Stream.DOSSIER

    melding_id: UUID
    eerste_ziektedag: date
    gemeld_op: AwareDatetime
    hersteld_dagen_tussen: int = Field(ge=0, le=27, description="Recovered days between the episodes (not counted)")


class TriageUitgevoerd(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    route: Route
    toelichting: str | None = Field(default=None, max_length=2000)


class BegeleiderToegewezen(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    begeleider_id: str
    begeleider_rol: BegeleiderRol


class ContactmomentVastgelegd(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    met_rol: str = Field(description="e.g. leidinggevende")
    met_id: str | None = None
    verslag: str | None = Field(default=None, max_length=4000, description="Process notes, no medical content")


class HerstelafspraakGemaakt(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    herstel_verwacht_op: date


class BelafspraakGemaakt(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    bellen_op: AwareDatetime


class ArbodienstGemeld(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    arbodienst: str | None = None


class SpreekuurGepland(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    spreekuur_op: AwareDatetime
    bedrijfsarts_id: str | None = None
    vraagstelling: str = Field(max_length=4000)


class ProbleemanalyseOntvangen(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    mogelijkheden: str = Field(max_length=4000, description="Functional possibilities")
    beperkingen: str = Field(max_length=4000, description="Functional limitations")
    verwachte_duur: str | None = Field(default=None, max_length=200)
    advies: str = Field(max_length=4000)


class PlanVanAanpakVastgesteld(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    doelen: list[str]
    activiteiten: list[str]
    casemanager_id: str
    evaluatiemomenten: list[date]
    akkoord_werknemer: bool


class EvaluatieVastgelegd(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    bijstelling: bool = Field(description="Whether the plan van aanpak was adjusted")
    toelichting: str | None = Field(default=None, max_length=4000)


class InterventieGestart(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    soort: str = Field(max_length=200, description="bedrijfsfysiotherapie, arbeidsdeskundig onderzoek, coaching, ...")


class OpbouwStap(ContractModel):
    vanaf: date
    uren_per_week: float = Field(ge=0, le=80)
    loonwaarde_pct: int = Field(ge=0, le=100)


class OpbouwschemaVastgesteld(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    stappen: list[OpbouwStap] = Field(min_length=1)


class WerkgerelateerdeComponentGemeld(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    soort: WerkgerelateerdeSoort


class Uwv42eWeeksmeldingGedaan(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER


class EerstejaarsevaluatieVastgelegd(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    structureel_spoor1_perspectief: bool


class Spoor2Gestart(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER


class ActueelOordeelOntvangen(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER


class EindevaluatieVastgelegd(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER


class ReIntegratieverslagCompleet(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER


class WiaAangevraagd(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER


class VldToegekend(DossierStap):
    """Vrijwillige verlenging loondoorbetaling: the wachttijd now ends on `laatste_dag_wachttijd` (D3)."""

    stream: ClassVar[Stream] = Stream.DOSSIER

    laatste_dag_wachttijd: date


class TermijnAfwijkingGemotiveerd(DossierStap):
    """A termijn is deviated from with a motivation (Regeling procesgang art. 5); it ends as AFGEWEKEN."""

    stream: ClassVar[Stream] = Stream.DOSSIER

    termijn_code: str
    reden: str = Field(min_length=1, max_length=4000)
    # Added within v1 (optional): without it, the deadlines service takes the occurrence the date points to.
    volgnummer: int | None = Field(
        default=None,
        ge=1,
        description="Which occurrence of the code, numbered as the deadlines service numbers its termijnen (the "
        "`volgnummer` of the verzuim.termijn.v1 events): EVALUATIE 1, 2, ... in date order; BELAFSPRAAK the "
        "ziekmelding's number within the verzuim (1 the first melding, 2 the first relapse, ...); 1 for a one-off "
        "termijn. Absent: the deadlines service takes the occurrence `datum` points to (the melding whose period "
        "holds it for BELAFSPRAAK, the nearest open one for EVALUATIE)",
    )


class FeitGecorrigeerd(DossierStap):
    """Correction of an earlier fact, e.g. the eerste ziektedag. Nothing is overwritten; derived data recompute."""

    stream: ClassVar[Stream] = Stream.DOSSIER

    feit: str = Field(description="e.g. eerste_ziektedag")
    oude_waarde: str
    nieuwe_waarde: str
    reden: str = Field(min_length=1, max_length=4000)


class DocumentToegevoegd(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    stap: str = Field(description="The step it belongs to, e.g. plan_van_aanpak")
    naam: str
    mediatype: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    grootte: int = Field(ge=0)


class DocumentOndertekend(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    ondertekend_door: str


class DossierGesloten(DossierStap):
    stream: ClassVar[Stream] = Stream.DOSSIER

    reden: str = Field(max_length=2000)

"""The verzuimdossier: one case of sickness absence, kept as an event-sourced aggregate.

Every change is a stored event that carries the tenant, the werknemer, the actor (who, in which role), the business
date, the recording time and a link in the dossier's hash chain (`keten_hash`, see `keten.py`), so an auditor can
replay the dossier to any version and check that nobody rewrote it. Commands check their guards and raise a
`DossierFout` *before* an event is recorded; the events' `_wijzig` methods only change state.

The WvP process steps (`Processtap` subclasses) carry the fields of their public contract event
(`verzuim_shared.events.dossier`), under the same names, so the outbox relay maps them one to one.

Enum values are stored as their string values: JSON keeps a `str` subclass as a plain string, so the events declare
`str` and the state converts back to the enum where it matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.domain import Snapshot as BaseSnapshot
from eventsourcing.utils import get_topic
from verzuim_shared.clock import NL
from verzuim_shared.events import Actor, HerstelSoort, MeldingOntvanger
from verzuim_shared.events.dossier import BegeleiderRol, Route, WerkgerelateerdeSoort
from verzuim_shared.ids import dossier_id_for_melding

from verzuim_cases.domain.errors import (
    DatumInDeToekomst,
    DatumVoorEersteZiektedag,
    DocumentAlOndertekend,
    DocumentOnbekend,
    DossierAlHersteld,
    DossierFout,
    DossierIsGesloten,
    HerstelAlGeregistreerd,
    HerstelNietNaVorigeWijziging,
    HerstelVoorEersteZiektedag,
    OngeldigArbeidsongeschiktheidspercentage,
    OngeldigeStap,
    StapAlGedaan,
    StapNaHerstel,
    StapVereistEerdereStap,
)
from verzuim_cases.domain.keten import GENESIS, onverzegelde_schakel, schakel
from verzuim_cases.domain.samentelling import SAMENTELLING_GRENS_DAGEN

VOLLEDIG_ARBEIDSONGESCHIKT = 100
SHA256_PATROON = re.compile(r"^[0-9a-f]{64}$")
TERMIJN_CODE_PATROON = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")


class DossierStatus(StrEnum):
    OPEN = "open"  # the werknemer is (partly) sick
    HERSTELD = "hersteld"  # volledig hersteld; a new melding within four weeks still continues this dossier (D4)
    GESLOTEN = "gesloten"  # closed on purpose (DossierGesloten): nothing more is recorded


class CorrigeerbaarFeit(StrEnum):
    EERSTE_ZIEKTEDAG = "eerste_ziektedag"  # of the first episode: sick day 1 of the case
    HERSTELDATUM = "hersteldatum"  # of the latest episode, once it is hersteld


# The WvP documents and the step each belongs to (None: no step needs to be recorded first).
DOCUMENT_STAPPEN: dict[str, str | None] = {
    "probleemanalyse": "probleemanalyse",
    "plan_van_aanpak": "plan_van_aanpak",
    "evaluatie": "evaluatie",
    "opbouwschema": "opbouwschema",
    "eerstejaarsevaluatie": "eerstejaarsevaluatie",
    "actueel_oordeel": "actueel_oordeel",
    "eindevaluatie": "eindevaluatie",
    "re_integratieverslag": None,  # the verslag is put together from its parts before it is complete
    "overig": None,
}


@dataclass
class Episode:
    """One uninterrupted period of (partial) sickness. Samentelling (decisions D4) adds episodes to a dossier."""

    melding_id: UUID
    eerste_ziektedag: date
    gemeld_op: datetime
    hersteldatum: date | None = None  # the first fully fit day; not a sick day itself

    def ziektedagen(self, peildatum: date) -> int:
        """Calendar days on which the werknemer was (partly) sick in this episode, up to and including `peildatum`."""
        einde = peildatum + timedelta(days=1)
        if self.hersteldatum is not None:
            einde = min(einde, self.hersteldatum)
        return max(0, (einde - self.eerste_ziektedag).days)


@dataclass(frozen=True)
class Arbeidsongeschiktheid:
    """The arbeidsongeschiktheidspercentage that applies from `vanaf` on."""

    vanaf: date
    percentage: int


@dataclass(frozen=True)
class Herstel:
    herstel_id: UUID
    soort: HerstelSoort
    hersteldatum: date
    arbeidsongeschiktheidspercentage: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "soort", HerstelSoort(self.soort))  # a snapshot gives back the plain string


@dataclass(frozen=True)
class Stap:
    """One recorded event as the dossier's history shows it."""

    versie: int
    soort: str  # the step, e.g. plan_van_aanpak
    gebeurtenis: str  # the event type, e.g. PlanVanAanpakVastgesteld
    datum: date  # business date
    geregistreerd_op: datetime  # recording time
    actor: Actor
    omschrijving: str
    reden: str | None = None
    keten_hash: str = ""


@dataclass
class Document:
    sha256: str
    stap: str
    naam: str
    mediatype: str
    grootte: int
    datum: date
    versie: int
    ondertekend_door: list[str] = field(default_factory=list)


class Verzuimdossier(Aggregate):
    # ------------------------------------------------------------------------------------------------ events

    class Gebeurtenis(Aggregate.Event):
        """What every stored dossier event carries, next to its version and its business date."""

        werkgever_id: str
        werknemer_id: str
        actor: Actor
        geregistreerd_op: datetime
        bron_event_id: UUID | None  # the public event that led to this one, if any (provenance for the audit trail)
        keten_hash: str | None  # None only for events stored before the hash chain existed (upcast from v1)

        STAP: ClassVar[str] = ""

        def bedrijfsdatum(self) -> date:
            raise NotImplementedError

        def omschrijving(self) -> str:
            raise NotImplementedError

        def reden_van(self) -> str | None:
            return None

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            """The state change of this event (no checks: those ran before the event was recorded)."""

        def apply(self, aggregate: Any) -> None:
            dossier: Verzuimdossier = aggregate
            self._wijzig(dossier)
            vorige = getattr(dossier, "keten_hash", GENESIS)
            dossier.keten_hash = self.keten_hash or onverzegelde_schakel(
                vorige, get_topic(type(self)), self.originator_id, self.originator_version
            )
            dossier.stappen.append(
                Stap(
                    versie=self.originator_version,
                    soort=self.STAP,
                    gebeurtenis=type(self).__name__,
                    datum=self.bedrijfsdatum(),
                    geregistreerd_op=self.geregistreerd_op,
                    actor=self.actor,
                    omschrijving=self.omschrijving(),
                    reden=self.reden_van(),
                    keten_hash=dossier.keten_hash,
                )
            )

    class Geopend(Gebeurtenis, Aggregate.Created):
        """The dossier was opened by a ziekmelding. Holds only non-medical facts of the melding (decisions D9).

        v2 added `keten_hash` (the hash chain); v1 events, stored by the first release, replay with `None` and count
        as unsealed in the integrity check.
        """

        class_version = 2

        melding_id: UUID
        eerste_ziektedag: date
        gemeld_op: datetime
        gemeld_door: Actor
        gemeld_bij: str  # MeldingOntvanger value
        verwachte_duur_dagen: int | None
        herstelafspraak: date | None
        belafspraak: datetime | None
        vangnet_van_toepassing: bool
        arbeidsongeval: bool
        regres_derde: bool
        na_meldtijd: bool

        STAP: ClassVar[str] = "dossier_geopend"

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["keten_hash"] = None

        def bedrijfsdatum(self) -> date:
            return self.eerste_ziektedag

        def omschrijving(self) -> str:
            return f"Dossier geopend na ziekmelding; eerste ziektedag {self.eerste_ziektedag.isoformat()}."

    class HerstelGeregistreerd(Gebeurtenis):
        """Deelherstel (a new arbeidsongeschiktheidspercentage) or volledig herstel (ends the current episode).

        v2 added `keten_hash`, like `Geopend`.
        """

        class_version = 2

        herstel_id: UUID
        soort: str  # HerstelSoort value
        hersteldatum: date
        arbeidsongeschiktheidspercentage: int
        gemeld_op: datetime
        gemeld_door: Actor

        STAP: ClassVar[str] = "herstel_geregistreerd"

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["keten_hash"] = None

        def bedrijfsdatum(self) -> date:
            return self.hersteldatum

        def omschrijving(self) -> str:
            if HerstelSoort(self.soort) is HerstelSoort.VOLLEDIG:
                return f"Volledig hersteld per {self.hersteldatum.isoformat()}."
            return (
                f"Gedeeltelijk hersteld: {self.arbeidsongeschiktheidspercentage}% arbeidsongeschikt "
                f"vanaf {self.hersteldatum.isoformat()}."
            )

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            soort = HerstelSoort(self.soort)
            dossier.herstellen.append(
                Herstel(self.herstel_id, soort, self.hersteldatum, self.arbeidsongeschiktheidspercentage)
            )
            dossier.arbeidsongeschiktheid.append(
                Arbeidsongeschiktheid(self.hersteldatum, self.arbeidsongeschiktheidspercentage)
            )
            if soort is HerstelSoort.VOLLEDIG:
                dossier.huidige_episode.hersteldatum = self.hersteldatum
                dossier.status = DossierStatus.HERSTELD

    # -------------------------------------------------------------------------------------- process steps

    class Processtap(Gebeurtenis):
        """A WvP process step with its business date. Subclasses declare the step's own fields (their public names)."""

        datum: date

        NAAM: ClassVar[str] = ""  # in plain words, for messages
        EENMALIG: ClassVar[bool] = False  # happens once per dossier
        # Allowed after volledig herstel with a date on or after the hersteldatum (administrative steps).
        NA_HERSTEL: ClassVar[bool] = False
        # Steps that must be in the dossier first (on or before this step's date), with the reason.
        VEREIST: ClassVar[tuple[tuple[str, str], ...]] = ()

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            """The step's own guards (beyond the common ones). Raise a `DossierFout`."""

        def bedrijfsdatum(self) -> date:
            return self.datum

        def omschrijving(self) -> str:
            return f"{self.NAAM[:1].upper()}{self.NAAM[1:]} op {self.datum.isoformat()}."

        def velden(self) -> dict[str, Any]:
            """The step's own fields (what the public event carries next to the common ones)."""
            return {name: getattr(self, name) for name in type(self).stapvelden()}

        @classmethod
        def stapvelden(cls) -> tuple[str, ...]:
            base = set(Verzuimdossier.Processtap.__dataclass_fields__)
            return tuple(n for n in cls.__dataclass_fields__ if n not in base)

        def apply(self, aggregate: Any) -> None:
            dossier: Verzuimdossier = aggregate
            dossier.processtappen.setdefault(self.STAP, []).append(
                {"versie": self.originator_version, "datum": self.datum, **self.velden()}
            )
            super().apply(dossier)

    class EpisodeToegevoegd(Processtap):
        """A new ziekmelding within four weeks after the hersteldatum continues this case (samentelling, D4)."""

        melding_id: UUID
        eerste_ziektedag: date
        gemeld_op: datetime
        hersteld_dagen_tussen: int
        gemeld_door: Actor
        gemeld_bij: str
        verwachte_duur_dagen: int | None
        herstelafspraak: date | None
        belafspraak: datetime | None
        vangnet_van_toepassing: bool
        arbeidsongeval: bool
        regres_derde: bool
        na_meldtijd: bool

        STAP: ClassVar[str] = "episode_toegevoegd"
        NAAM: ClassVar[str] = "nieuwe episode"

        def omschrijving(self) -> str:
            return (
                f"Opnieuw ziek vanaf {self.eerste_ziektedag.isoformat()}, {self.hersteld_dagen_tussen} dagen na het "
                "herstel: samentelling, het dossier loopt door (minder dan vier weken ertussen)."
            )

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.episodes.append(Episode(self.melding_id, self.eerste_ziektedag, self.gemeld_op))
            dossier.arbeidsongeschiktheid.append(
                Arbeidsongeschiktheid(self.eerste_ziektedag, VOLLEDIG_ARBEIDSONGESCHIKT)
            )
            dossier.status = DossierStatus.OPEN
            dossier.gesloten_op = None
            dossier.gesloten_reden = None
            if self.herstelafspraak is not None:
                dossier.herstelafspraak = self.herstelafspraak
            if self.belafspraak is not None:
                dossier.belafspraak = self.belafspraak

    class TriageUitgevoerd(Processtap):
        """The verzuimcoach chose the route (seed process): complex gets casemanagement from day 1."""

        route: str  # Route value
        toelichting: str | None

        STAP: ClassVar[str] = "triage"
        NAAM: ClassVar[str] = "triage"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            Route(velden["route"])

        def omschrijving(self) -> str:
            return f"Triage op {self.datum.isoformat()}: route {self.route}."

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.route = Route(self.route)

    class BegeleiderToegewezen(Processtap):
        begeleider_id: str
        begeleider_rol: str  # BegeleiderRol value

        STAP: ClassVar[str] = "begeleider"
        NAAM: ClassVar[str] = "begeleider toegewezen"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            rol = BegeleiderRol(velden["begeleider_rol"])
            if not velden["begeleider_id"].strip():
                raise OngeldigeStap("Geef aan wie de begeleider is (begeleider_id).")
            if dossier.route is Route.COMPLEX and rol is BegeleiderRol.VERZUIMCOACH:
                raise OngeldigeStap(
                    "Dit dossier volgt de complexe route: daar begeleidt een casemanager vanaf dag 1. "
                    "Een verzuimcoach hoort bij de reguliere route; wijzig eerst de triage."
                )

        def omschrijving(self) -> str:
            return f"{self.begeleider_rol.capitalize()} {self.begeleider_id} toegewezen op {self.datum.isoformat()}."

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.begeleider_id = self.begeleider_id
            dossier.begeleider_rol = BegeleiderRol(self.begeleider_rol)
            if dossier.begeleider_rol is BegeleiderRol.CASEMANAGER:
                dossier.casemanager_id = self.begeleider_id

    class ContactmomentVastgelegd(Processtap):
        met_rol: str
        met_id: str | None
        verslag: str | None

        STAP: ClassVar[str] = "contactmoment"
        NAAM: ClassVar[str] = "contactmoment"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if not velden["met_rol"].strip():
                raise OngeldigeStap("Geef aan met wie het contact was (met_rol, bijvoorbeeld leidinggevende).")

        def omschrijving(self) -> str:
            return f"Contact met de {self.met_rol} op {self.datum.isoformat()}."

    class HerstelafspraakGemaakt(Processtap):
        herstel_verwacht_op: date

        STAP: ClassVar[str] = "herstelafspraak"
        NAAM: ClassVar[str] = "herstelafspraak"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if velden["herstel_verwacht_op"] < datum:
                raise OngeldigeStap(
                    f"De afgesproken hersteldatum {velden['herstel_verwacht_op'].isoformat()} ligt vóór de datum van "
                    f"de afspraak ({datum.isoformat()})."
                )

        def omschrijving(self) -> str:
            return f"Herstelafspraak op {self.datum.isoformat()}: terug verwacht op {self.herstel_verwacht_op}."

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.herstelafspraak = self.herstel_verwacht_op

    class BelafspraakGemaakt(Processtap):
        bellen_op: datetime

        STAP: ClassVar[str] = "belafspraak"
        NAAM: ClassVar[str] = "belafspraak"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if velden["bellen_op"].astimezone(NL).date() < datum:
                raise OngeldigeStap(f"Het belmoment ligt vóór de datum van de afspraak ({datum.isoformat()}).")

        def omschrijving(self) -> str:
            moment = self.bellen_op.astimezone(NL).strftime("%Y-%m-%d %H:%M")
            return f"Belafspraak gemaakt op {self.datum.isoformat()}: bellen op {moment}."

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.belafspraak = self.bellen_op

    class ArbodienstGemeld(Processtap):
        arbodienst: str | None

        STAP: ClassVar[str] = "arbodienstmelding"
        NAAM: ClassVar[str] = "melding bij de arbodienst"

    class SpreekuurGepland(Processtap):
        """The organisation runs the bedrijfsarts agenda itself (seed) and states the vraagstelling."""

        spreekuur_op: datetime
        bedrijfsarts_id: str | None
        vraagstelling: str

        STAP: ClassVar[str] = "spreekuur"
        NAAM: ClassVar[str] = "spreekuur bedrijfsarts gepland"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if not velden["vraagstelling"].strip():
                raise OngeldigeStap("Een spreekuur heeft een vraagstelling aan de bedrijfsarts nodig.")
            if velden["spreekuur_op"].astimezone(NL).date() < datum:
                raise OngeldigeStap(f"Het spreekuur ligt vóór de datum waarop het is gepland ({datum.isoformat()}).")

        def omschrijving(self) -> str:
            moment = self.spreekuur_op.astimezone(NL).strftime("%Y-%m-%d %H:%M")
            return f"Spreekuur bij de bedrijfsarts gepland op {self.datum.isoformat()} voor {moment}."

    class ProbleemanalyseOntvangen(Processtap):
        """Functional possibilities and limitations, expected duration and advice of the bedrijfsarts. Never a
        diagnosis (decisions D9). Regeling procesgang art. 2 lid 2-3."""

        mogelijkheden: str
        beperkingen: str
        verwachte_duur: str | None
        advies: str

        STAP: ClassVar[str] = "probleemanalyse"
        NAAM: ClassVar[str] = "probleemanalyse ontvangen"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            for naam in ("mogelijkheden", "beperkingen", "advies"):
                if not velden[naam].strip():
                    raise OngeldigeStap(f"Een probleemanalyse bevat {naam}; dat veld is leeg.")

    class PlanVanAanpakVastgesteld(Processtap):
        """Regeling procesgang art. 4: goals, activities, the casemanager and evaluation moments, with the werknemer."""

        doelen: list[str]
        activiteiten: list[str]
        casemanager_id: str
        evaluatiemomenten: list[date]
        akkoord_werknemer: bool

        STAP: ClassVar[str] = "plan_van_aanpak"
        NAAM: ClassVar[str] = "plan van aanpak vastgesteld"
        VEREIST = (
            (
                "probleemanalyse",
                "het plan van aanpak volgt op de probleemanalyse (Regeling procesgang art. 4 lid 1).",
            ),
        )

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if not [d for d in velden["doelen"] if d.strip()] or not [a for a in velden["activiteiten"] if a.strip()]:
                raise OngeldigeStap("Een plan van aanpak noemt ten minste één doel en één activiteit.")
            if not velden["casemanager_id"].strip():
                raise OngeldigeStap("Een plan van aanpak noemt de casemanager (Regeling procesgang art. 4 lid 2).")
            momenten: list[date] = velden["evaluatiemomenten"]
            if not momenten:
                raise OngeldigeStap("Een plan van aanpak legt de evaluatiemomenten vast.")
            if any(m <= datum for m in momenten):
                raise OngeldigeStap(f"De evaluatiemomenten liggen na de datum van het plan ({datum.isoformat()}).")

        def omschrijving(self) -> str:
            akkoord = "met" if self.akkoord_werknemer else "nog zonder"
            return (
                f"Plan van aanpak vastgesteld op {self.datum.isoformat()}, {akkoord} akkoord van de werknemer; "
                f"casemanager {self.casemanager_id}."
            )

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.casemanager_id = self.casemanager_id

    class EvaluatieVastgelegd(Processtap):
        bijstelling: bool
        toelichting: str | None

        STAP: ClassVar[str] = "evaluatie"
        NAAM: ClassVar[str] = "evaluatie"
        VEREIST = (("plan_van_aanpak", "een evaluatie gaat over het plan van aanpak (Regeling procesgang art. 4)."),)

        def omschrijving(self) -> str:
            bij = "met bijstelling van het plan van aanpak" if self.bijstelling else "zonder bijstelling"
            return f"Evaluatie op {self.datum.isoformat()}, {bij}."

    class InterventieGestart(Processtap):
        soort: str

        STAP: ClassVar[str] = "interventie"
        NAAM: ClassVar[str] = "interventie gestart"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if not velden["soort"].strip():
                raise OngeldigeStap("Geef de soort interventie (bijvoorbeeld bedrijfsfysiotherapie of coaching).")

        def omschrijving(self) -> str:
            return f"Interventie gestart op {self.datum.isoformat()}: {self.soort}."

    class OpbouwschemaVastgesteld(Processtap):
        stappen: list[dict[str, Any]]  # {"vanaf": date, "uren_per_week": float, "loonwaarde_pct": int}

        STAP: ClassVar[str] = "opbouwschema"
        NAAM: ClassVar[str] = "opbouwschema vastgesteld"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            stappen = velden["stappen"]
            if not stappen:
                raise OngeldigeStap("Een opbouwschema heeft ten minste één stap.")
            vanaf = [s["vanaf"] for s in stappen]
            if vanaf != sorted(set(vanaf)):
                raise OngeldigeStap("De stappen van een opbouwschema volgen elkaar op: elke 'vanaf' na de vorige.")
            if vanaf[0] < dossier.eerste_ziektedag:
                raise OngeldigeStap("Het opbouwschema begint niet vóór de eerste ziektedag.")

        def omschrijving(self) -> str:
            eerste, laatste = self.stappen[0], self.stappen[-1]
            return (
                f"Opbouwschema vastgesteld op {self.datum.isoformat()}: {len(self.stappen)} stappen, van "
                f"{eerste['uren_per_week']:g} uur per week vanaf {eerste['vanaf']} tot {laatste['uren_per_week']:g} "
                f"uur per week vanaf {laatste['vanaf']}."
            )

    class WerkgerelateerdeComponentGemeld(Processtap):
        """HR adviser and rayonmanager join dossiers with a work-related component (seed)."""

        soort: str  # WerkgerelateerdeSoort value

        STAP: ClassVar[str] = "werkgerelateerde_component"
        NAAM: ClassVar[str] = "werkgerelateerde component gemeld"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            WerkgerelateerdeSoort(velden["soort"])

        def omschrijving(self) -> str:
            return f"Werkgerelateerde component gemeld op {self.datum.isoformat()}: {self.soort}."

    class Uwv42eWeeksmeldingGedaan(Processtap):
        """Ziektewet art. 38 lid 1: the ziekmelding at UWV after 42 weeks."""

        STAP: ClassVar[str] = "uwv_42e_weeksmelding"
        NAAM: ClassVar[str] = "42e-weeksmelding bij UWV"
        EENMALIG = True

    class EerstejaarsevaluatieVastgelegd(Processtap):
        """Regeling procesgang art. 4 lid 2 sub b: at the latest at the end of the first year."""

        structureel_spoor1_perspectief: bool

        STAP: ClassVar[str] = "eerstejaarsevaluatie"
        NAAM: ClassVar[str] = "eerstejaarsevaluatie"
        EENMALIG = True
        VEREIST = (("plan_van_aanpak", "de eerstejaarsevaluatie evalueert het plan van aanpak."),)

        def omschrijving(self) -> str:
            perspectief = "met" if self.structureel_spoor1_perspectief else "zonder"
            return (
                f"Eerstejaarsevaluatie op {self.datum.isoformat()}, {perspectief} structureel perspectief in spoor 1."
            )

    class Spoor2Gestart(Processtap):
        """BW 7:658a lid 1: re-integration at another employer."""

        STAP: ClassVar[str] = "spoor_2"
        NAAM: ClassVar[str] = "spoor 2 gestart"
        EENMALIG = True

    class ActueelOordeelOntvangen(Processtap):
        STAP: ClassVar[str] = "actueel_oordeel"
        NAAM: ClassVar[str] = "actueel oordeel van de bedrijfsarts ontvangen"

    class EindevaluatieVastgelegd(Processtap):
        STAP: ClassVar[str] = "eindevaluatie"
        NAAM: ClassVar[str] = "eindevaluatie"
        EENMALIG = True
        VEREIST = (("plan_van_aanpak", "de eindevaluatie kijkt terug op het plan van aanpak."),)

    class ReIntegratieverslagCompleet(Processtap):
        """WIA art. 25 lid 3; Regeling procesgang art. 6: the verslag holds the actueel oordeel and eindevaluatie."""

        STAP: ClassVar[str] = "re_integratieverslag"
        NAAM: ClassVar[str] = "re-integratieverslag compleet"
        EENMALIG = True
        VEREIST = (
            ("actueel_oordeel", "het re-integratieverslag bevat het actuele oordeel (Regeling procesgang art. 6)."),
            ("eindevaluatie", "het re-integratieverslag bevat de eindevaluatie (Regeling procesgang art. 6)."),
        )

    class WiaAangevraagd(Processtap):
        """WIA art. 64 lid 3: the werknemer applies, with the re-integratieverslag."""

        STAP: ClassVar[str] = "wia_aanvraag"
        NAAM: ClassVar[str] = "WIA aangevraagd"
        EENMALIG = True
        VEREIST = (("re_integratieverslag", "de WIA-aanvraag gaat vergezeld van het re-integratieverslag."),)

        def omschrijving(self) -> str:
            return f"WIA aangevraagd op {self.datum.isoformat()}."

    class VldToegekend(Processtap):
        """WIA art. 24: a granted vrijwillige verlenging loondoorbetaling moves the end of the wachttijd (D3)."""

        laatste_dag_wachttijd: date

        STAP: ClassVar[str] = "vld"
        NAAM: ClassVar[str] = "verlenging loondoorbetaling (VLD) toegekend"

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            nieuw: date = velden["laatste_dag_wachttijd"]
            if nieuw <= datum:
                raise OngeldigeStap("De nieuwe laatste dag van de wachttijd ligt na de datum van het besluit.")
            if dossier.laatste_dag_wachttijd is not None and nieuw <= dossier.laatste_dag_wachttijd:
                raise OngeldigeStap(
                    f"Een nieuwe VLD verlengt de wachttijd tot na {dossier.laatste_dag_wachttijd.isoformat()} "
                    "(de vorige verlenging)."
                )

        def omschrijving(self) -> str:
            return (
                f"VLD toegekend op {self.datum.isoformat()}: de wachttijd eindigt nu op "
                f"{self.laatste_dag_wachttijd.isoformat()}."
            )

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.laatste_dag_wachttijd = self.laatste_dag_wachttijd

    class TermijnAfwijkingGemotiveerd(Processtap):
        """Regeling procesgang art. 5: a termijn may be deviated from with a motivation.

        v2 added `volgnummer`, which occurrence of a repeating termijn (EVALUATIE 3, the BELAFSPRAAK of the second
        melding) is meant, as the deadlines service numbers them; v1 events replay with `None` (the deadlines service
        then takes the occurrence the date points to). How many occurrences there are is the deadlines service's
        knowledge, so here it is only checked to be at least 1.
        """

        class_version = 2

        termijn_code: str
        reden: str
        volgnummer: int | None

        STAP: ClassVar[str] = "termijnafwijking"
        NAAM: ClassVar[str] = "gemotiveerde afwijking van een termijn"
        NA_HERSTEL = True

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["volgnummer"] = None

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if not TERMIJN_CODE_PATROON.match(velden["termijn_code"]):
                raise OngeldigeStap(
                    f"'{velden['termijn_code']}' is geen termijncode (hoofdletters en _, zoals PLAN_VAN_AANPAK)."
                )
            if not velden["reden"].strip():
                raise OngeldigeStap("Een afwijking van een termijn vraagt een motivering (Regeling procesgang art. 5).")
            volgnummer = velden["volgnummer"]
            if volgnummer is not None and (
                isinstance(volgnummer, bool) or not isinstance(volgnummer, int) or volgnummer < 1
            ):
                raise OngeldigeStap(
                    f"Het volgnummer van een termijn telt vanaf 1 (EVALUATIE 1, 2, ...); {volgnummer!r} is er geen."
                )

        def omschrijving(self) -> str:
            # Without a volgnummer exactly the v1 text: the history lines in older snapshots must stay equal.
            termijn = self.termijn_code if self.volgnummer is None else f"{self.termijn_code} nr. {self.volgnummer}"
            return f"Gemotiveerd afgeweken van termijn {termijn} op {self.datum.isoformat()}."

        def velden(self) -> dict[str, Any]:
            # Without a volgnummer the step reads as v1 wrote it, so a snapshot taken before v2 equals the state the
            # (upcast) events give and the integrity check does not flag it.
            velden = super().velden()
            if velden["volgnummer"] is None:
                del velden["volgnummer"]
            return velden

        def reden_van(self) -> str | None:
            return self.reden

    class FeitGecorrigeerd(Processtap):
        """Decisions D5: a correction of a past fact is a new event; nothing is overwritten in the store."""

        feit: str  # CorrigeerbaarFeit value
        oude_waarde: str
        nieuwe_waarde: str
        reden: str

        STAP: ClassVar[str] = "correctie"
        NAAM: ClassVar[str] = "correctie"
        NA_HERSTEL = True

        def omschrijving(self) -> str:
            return (
                f"Gecorrigeerd op {self.datum.isoformat()}: {self.feit.replace('_', ' ')} {self.oude_waarde} "
                f"wordt {self.nieuwe_waarde}."
            )

        def reden_van(self) -> str | None:
            return self.reden

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            nieuw = date.fromisoformat(self.nieuwe_waarde)
            if CorrigeerbaarFeit(self.feit) is CorrigeerbaarFeit.EERSTE_ZIEKTEDAG:
                dossier.episodes[0].eerste_ziektedag = nieuw
                eerste = dossier.arbeidsongeschiktheid[0]
                dossier.arbeidsongeschiktheid[0] = Arbeidsongeschiktheid(nieuw, eerste.percentage)
                return
            oud = date.fromisoformat(self.oude_waarde)
            dossier.huidige_episode.hersteldatum = nieuw
            dossier.herstellen = [
                Herstel(h.herstel_id, h.soort, nieuw, h.arbeidsongeschiktheidspercentage)
                if h.soort is HerstelSoort.VOLLEDIG and h.hersteldatum == oud
                else h
                for h in dossier.herstellen
            ]
            dossier.arbeidsongeschiktheid = [
                Arbeidsongeschiktheid(nieuw, a.percentage) if a.percentage == 0 and a.vanaf == oud else a
                for a in dossier.arbeidsongeschiktheid
            ]

    class DocumentToegevoegd(Processtap):
        """A WvP document, content-addressed: the store keeps the bytes under their sha256."""

        stap: str
        naam: str
        mediatype: str
        sha256: str
        grootte: int

        STAP: ClassVar[str] = "document"
        NAAM: ClassVar[str] = "document toegevoegd"
        NA_HERSTEL = True

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            stap = velden["stap"]
            if stap not in DOCUMENT_STAPPEN:
                raise OngeldigeStap(
                    f"'{stap}' is geen stap waar een document bij hoort; kies uit {', '.join(DOCUMENT_STAPPEN)}."
                )
            vereist = DOCUMENT_STAPPEN[stap]
            if vereist is not None and vereist not in dossier.processtappen:
                raise StapVereistEerdereStap(
                    f"document bij {stap.replace('_', ' ')}", vereist.replace("_", " "), "leg eerst die stap vast."
                )
            if not SHA256_PATROON.match(velden["sha256"]):
                raise OngeldigeStap("De sha256 van een document bestaat uit 64 hexadecimale tekens.")
            if velden["sha256"] in dossier.documenten:
                bestaand = dossier.documenten[velden["sha256"]]
                raise OngeldigeStap(
                    f"Dit document staat al in het dossier (als '{bestaand.naam}', versie {bestaand.versie})."
                )
            if not velden["naam"].strip():
                raise OngeldigeStap("Een document heeft een naam.")

        def omschrijving(self) -> str:
            return f"Document '{self.naam}' toegevoegd bij {self.stap.replace('_', ' ')} (sha256 {self.sha256[:12]}…)."

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.documenten[self.sha256] = Document(
                sha256=self.sha256,
                stap=self.stap,
                naam=self.naam,
                mediatype=self.mediatype,
                grootte=self.grootte,
                datum=self.datum,
                versie=self.originator_version,
            )

    class DocumentOndertekend(Processtap):
        """The werknemer's agreement or signature on a document: an event of its own."""

        sha256: str
        ondertekend_door: str

        STAP: ClassVar[str] = "ondertekening"
        NAAM: ClassVar[str] = "document ondertekend"
        NA_HERSTEL = True

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            document = dossier.documenten.get(velden["sha256"])
            if document is None:
                raise DocumentOnbekend(velden["sha256"])
            if velden["ondertekend_door"] in document.ondertekend_door:
                raise DocumentAlOndertekend(velden["sha256"], velden["ondertekend_door"])
            if datum < document.datum:
                raise OngeldigeStap(f"Het document is pas op {document.datum.isoformat()} toegevoegd.")

        def omschrijving(self) -> str:
            return f"Document {self.sha256[:12]}… ondertekend door {self.ondertekend_door} op {self.datum.isoformat()}."

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.documenten[self.sha256].ondertekend_door.append(self.ondertekend_door)

    class DossierGesloten(Processtap):
        reden: str

        STAP: ClassVar[str] = "sluiting"
        NAAM: ClassVar[str] = "dossier gesloten"
        NA_HERSTEL = True

        @classmethod
        def controleer(cls, dossier: Verzuimdossier, datum: date, velden: dict[str, Any]) -> None:
            if not velden["reden"].strip():
                raise OngeldigeStap("Geef de reden waarom het dossier wordt gesloten.")

        def omschrijving(self) -> str:
            return f"Dossier gesloten op {self.datum.isoformat()}: {self.reden}"

        def reden_van(self) -> str | None:
            return self.reden

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            dossier.status = DossierStatus.GESLOTEN
            dossier.gesloten_op = self.datum
            dossier.gesloten_reden = self.reden

    class Snapshot(BaseSnapshot):
        """Snapshots keep replay fast for long dossiers; the state comes back with its enums restored."""

        def mutate(self, _: None) -> Verzuimdossier:
            dossier = super().mutate(None)
            assert isinstance(dossier, Verzuimdossier)
            dossier._na_snapshot()
            return dossier

    # ------------------------------------------------------------------------------------------------ state

    def __init__(
        self,
        werkgever_id: str,
        werknemer_id: str,
        melding_id: UUID,
        eerste_ziektedag: date,
        gemeld_op: datetime,
        gemeld_door: Actor,
        gemeld_bij: str,
        verwachte_duur_dagen: int | None,
        herstelafspraak: date | None,
        belafspraak: datetime | None,
        vangnet_van_toepassing: bool,
        arbeidsongeval: bool,
        regres_derde: bool,
        na_meldtijd: bool,
    ) -> None:
        # Called with the attributes of the `Geopend` event, when it is recorded and on every replay.
        self.werkgever_id = werkgever_id
        self.werknemer_id = werknemer_id
        self.melding_id = melding_id
        self.gemeld_door = gemeld_door
        self.gemeld_bij = MeldingOntvanger(gemeld_bij)
        self.verwachte_duur_dagen = verwachte_duur_dagen
        self.herstelafspraak = herstelafspraak
        self.belafspraak = belafspraak
        self.vangnet_van_toepassing = vangnet_van_toepassing
        self.arbeidsongeval = arbeidsongeval
        self.regres_derde = regres_derde
        self.na_meldtijd = na_meldtijd
        self.status = DossierStatus.OPEN
        self.episodes: list[Episode] = [Episode(melding_id, eerste_ziektedag, gemeld_op)]
        self.arbeidsongeschiktheid: list[Arbeidsongeschiktheid] = [
            Arbeidsongeschiktheid(eerste_ziektedag, VOLLEDIG_ARBEIDSONGESCHIKT)
        ]
        self.herstellen: list[Herstel] = []
        self.stappen: list[Stap] = []
        self.processtappen: dict[str, list[dict[str, Any]]] = {}
        self.documenten: dict[str, Document] = {}
        self.route: Route | None = None
        self.begeleider_id: str | None = None
        self.begeleider_rol: BegeleiderRol | None = None
        self.casemanager_id: str | None = None
        self.laatste_dag_wachttijd: date | None = None  # only after a VLD; otherwise sick day 728 (deadlines)
        self.gesloten_op: date | None = None
        self.gesloten_reden: str | None = None
        self.keten_hash: str = GENESIS

    def _na_snapshot(self) -> None:
        """JSON gives enums back as plain strings; restore them."""
        self.status = DossierStatus(self.status)
        self.gemeld_bij = MeldingOntvanger(self.gemeld_bij)
        self.route = None if self.route is None else Route(self.route)
        self.begeleider_rol = None if self.begeleider_rol is None else BegeleiderRol(self.begeleider_rol)

    # ---------------------------------------------------------------------------------------- hash chain

    @classmethod
    def _create(  # type: ignore[override]
        cls, event_class: type[Any], *, id: UUID, **kwargs: Any
    ) -> Verzuimdossier:
        if kwargs.get("timestamp") is None:
            raise ValueError("a dossier event needs its recording time as timestamp")
        sealed = {**kwargs, "originator_topic": get_topic(cls)}
        kwargs["keten_hash"] = schakel(GENESIS, get_topic(event_class), id, cls.INITIAL_VERSION, sealed)
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        if kwargs.get("timestamp") is None:
            raise ValueError("a dossier event needs its recording time as timestamp")
        kwargs["keten_hash"] = schakel(self.keten_hash, get_topic(event_class), self.id, self.version + 1, kwargs)
        super().trigger_event(event_class, **kwargs)

    # ------------------------------------------------------------------------------------------------ commands

    @classmethod
    def open(
        cls,
        *,
        werkgever_id: str,
        werknemer_id: str,
        melding_id: UUID,
        eerste_ziektedag: date,
        gemeld_op: datetime,
        gemeld_door: Actor,
        gemeld_bij: MeldingOntvanger,
        verwachte_duur_dagen: int | None,
        herstelafspraak: date | None,
        belafspraak: datetime | None,
        vangnet_van_toepassing: bool,
        arbeidsongeval: bool,
        regres_derde: bool,
        na_meldtijd: bool,
        actor: Actor,
        geregistreerd_op: datetime,
        bron_event_id: UUID | None,
    ) -> Verzuimdossier:
        """Open the dossier of a ziekmelding. Its id is derived from the melding, so one melding opens one dossier."""
        return cls._create(
            cls.Geopend,
            id=dossier_id_for_melding(melding_id),
            timestamp=geregistreerd_op,
            werkgever_id=werkgever_id,
            werknemer_id=werknemer_id,
            actor=actor,
            geregistreerd_op=geregistreerd_op,
            bron_event_id=bron_event_id,
            melding_id=melding_id,
            eerste_ziektedag=eerste_ziektedag,
            gemeld_op=gemeld_op,
            gemeld_door=gemeld_door,
            gemeld_bij=MeldingOntvanger(gemeld_bij).value,
            verwachte_duur_dagen=verwachte_duur_dagen,
            herstelafspraak=herstelafspraak,
            belafspraak=belafspraak,
            vangnet_van_toepassing=vangnet_van_toepassing,
            arbeidsongeval=arbeidsongeval,
            regres_derde=regres_derde,
            na_meldtijd=na_meldtijd,
        )

    def voeg_episode_toe(
        self,
        *,
        melding_id: UUID,
        eerste_ziektedag: date,
        gemeld_op: datetime,
        gemeld_door: Actor,
        gemeld_bij: MeldingOntvanger,
        verwachte_duur_dagen: int | None,
        herstelafspraak: date | None,
        belafspraak: datetime | None,
        vangnet_van_toepassing: bool,
        arbeidsongeval: bool,
        regres_derde: bool,
        na_meldtijd: bool,
        actor: Actor,
        geregistreerd_op: datetime,
        bron_event_id: UUID | None,
    ) -> None:
        """A relapse less than four weeks after the hersteldatum continues this case (decisions D4)."""
        if self.heeft_melding(melding_id):
            raise OngeldigeStap(f"De ziekmelding {melding_id} staat al in dit dossier.")
        hersteldatum = self.huidige_episode.hersteldatum
        if hersteldatum is None:
            raise OngeldigeStap(
                f"De werknemer is nog niet hersteld van de episode sinds "
                f"{self.huidige_episode.eerste_ziektedag.isoformat()}; een nieuwe episode kan pas na het herstel."
            )
        gap = (eerste_ziektedag - hersteldatum).days
        if not 0 <= gap < SAMENTELLING_GRENS_DAGEN:
            raise OngeldigeStap(
                f"Een nieuwe episode in dit dossier begint binnen vier weken na de hersteldatum "
                f"{hersteldatum.isoformat()} (decisions D4); {eerste_ziektedag.isoformat()} ligt daarbuiten."
            )
        self.trigger_event(
            self.EpisodeToegevoegd,
            timestamp=geregistreerd_op,
            werkgever_id=self.werkgever_id,
            werknemer_id=self.werknemer_id,
            actor=actor,
            geregistreerd_op=geregistreerd_op,
            bron_event_id=bron_event_id,
            datum=eerste_ziektedag,
            melding_id=melding_id,
            eerste_ziektedag=eerste_ziektedag,
            gemeld_op=gemeld_op,
            hersteld_dagen_tussen=gap,
            gemeld_door=gemeld_door,
            gemeld_bij=MeldingOntvanger(gemeld_bij).value,
            verwachte_duur_dagen=verwachte_duur_dagen,
            herstelafspraak=herstelafspraak,
            belafspraak=belafspraak,
            vangnet_van_toepassing=vangnet_van_toepassing,
            arbeidsongeval=arbeidsongeval,
            regres_derde=regres_derde,
            na_meldtijd=na_meldtijd,
        )

    def registreer_herstel(
        self,
        *,
        herstel_id: UUID,
        soort: HerstelSoort,
        hersteldatum: date,
        arbeidsongeschiktheidspercentage: int,
        gemeld_op: datetime,
        gemeld_door: Actor,
        actor: Actor,
        geregistreerd_op: datetime,
        bron_event_id: UUID | None,
    ) -> None:
        """Record deelherstel (a new percentage) or volledig herstel (ends the current episode)."""
        soort = HerstelSoort(soort)
        self._controleer_herstel(herstel_id, soort, hersteldatum, arbeidsongeschiktheidspercentage)
        self.trigger_event(
            self.HerstelGeregistreerd,
            timestamp=geregistreerd_op,
            werkgever_id=self.werkgever_id,
            werknemer_id=self.werknemer_id,
            actor=actor,
            geregistreerd_op=geregistreerd_op,
            bron_event_id=bron_event_id,
            herstel_id=herstel_id,
            soort=soort.value,
            hersteldatum=hersteldatum,
            arbeidsongeschiktheidspercentage=arbeidsongeschiktheidspercentage,
            gemeld_op=gemeld_op,
            gemeld_door=gemeld_door,
        )

    def _controleer_herstel(self, herstel_id: UUID, soort: HerstelSoort, hersteldatum: date, percentage: int) -> None:
        volledig = soort is HerstelSoort.VOLLEDIG
        if self.heeft_herstel(herstel_id):
            raise HerstelAlGeregistreerd(herstel_id)
        if self.status is DossierStatus.GESLOTEN and self.gesloten_op is not None:
            raise DossierIsGesloten(self.gesloten_op, self.gesloten_reden or "")
        episode = self.huidige_episode
        if episode.hersteldatum is not None:
            raise DossierAlHersteld(episode.hersteldatum)
        if (volledig and percentage != 0) or (not volledig and not 0 < percentage < VOLLEDIG_ARBEIDSONGESCHIKT):
            raise OngeldigArbeidsongeschiktheidspercentage(percentage, volledig=volledig)
        # Volledig: the hersteldatum is the first fully fit day, so it lies after the eerste ziektedag.
        # Gedeeltelijk: the new percentage may apply from the eerste ziektedag on.
        if hersteldatum < episode.eerste_ziektedag or (volledig and hersteldatum == episode.eerste_ziektedag):
            raise HerstelVoorEersteZiektedag(hersteldatum, episode.eerste_ziektedag, volledig=volledig)
        # Herstelmeldingen follow each other in time; correcting an earlier one is a separate command.
        vorige = [h.hersteldatum for h in self.herstellen if h.hersteldatum >= episode.eerste_ziektedag]
        if vorige and hersteldatum <= max(vorige):
            raise HerstelNietNaVorigeWijziging(hersteldatum, max(vorige))

    def registreer_stap(
        self,
        stapsoort: type[Verzuimdossier.Processtap],
        /,
        *,
        datum: date,
        actor: Actor,
        geregistreerd_op: datetime,
        vandaag: date,
        bron_event_id: UUID | None = None,
        **velden: Any,
    ) -> None:
        """Record one WvP process step after its guards: `velden` are the step's own fields (see `stapvelden`)."""
        verwacht = set(stapsoort.stapvelden())
        if set(velden) != verwacht:
            raise TypeError(f"{stapsoort.__name__} takes {sorted(verwacht)}, got {sorted(velden)}")
        if stapsoort is Verzuimdossier.EpisodeToegevoegd:
            raise TypeError("a new episode comes from a ziekmelding: use voeg_episode_toe")
        self._controleer_stap(stapsoort, datum, vandaag, velden)
        self.trigger_event(
            stapsoort,
            timestamp=geregistreerd_op,
            werkgever_id=self.werkgever_id,
            werknemer_id=self.werknemer_id,
            actor=actor,
            geregistreerd_op=geregistreerd_op,
            bron_event_id=bron_event_id,
            datum=datum,
            **velden,
        )

    def corrigeer_feit(
        self,
        feit: CorrigeerbaarFeit,
        nieuwe_waarde: date,
        *,
        reden: str,
        datum: date,
        actor: Actor,
        geregistreerd_op: datetime,
        vandaag: date,
    ) -> None:
        """Correct an earlier fact (decisions D5). The old value stays in the history; derived data recompute."""
        feit = CorrigeerbaarFeit(feit)
        oud = self._controleer_correctie(feit, nieuwe_waarde, vandaag)
        self.registreer_stap(
            Verzuimdossier.FeitGecorrigeerd,
            datum=datum,
            actor=actor,
            geregistreerd_op=geregistreerd_op,
            vandaag=vandaag,
            feit=feit.value,
            oude_waarde=oud.isoformat(),
            nieuwe_waarde=nieuwe_waarde.isoformat(),
            reden=reden,
        )

    def _controleer_correctie(self, feit: CorrigeerbaarFeit, nieuw: date, vandaag: date) -> date:
        if self.status is DossierStatus.GESLOTEN and self.gesloten_op is not None:
            raise DossierIsGesloten(self.gesloten_op, self.gesloten_reden or "")
        if feit is CorrigeerbaarFeit.EERSTE_ZIEKTEDAG:
            oud = self.eerste_ziektedag
            if nieuw == oud:
                raise OngeldigeStap(f"De eerste ziektedag is al {oud.isoformat()}.")
            if nieuw > vandaag:
                raise DatumInDeToekomst("correctie eerste ziektedag", nieuw, vandaag)
            eerste = self.episodes[0]
            grens = [d for d in (eerste.hersteldatum,) if d is not None]
            grens += [s.datum for s in self.stappen if s.soort != Verzuimdossier.Geopend.STAP and s.versie > 1]
            if grens and nieuw > min(grens):
                raise OngeldigeStap(
                    f"De nieuwe eerste ziektedag {nieuw.isoformat()} ligt na {min(grens).isoformat()}, de datum van "
                    "een herstel of stap in dit dossier; corrigeer eerst die."
                )
            return oud
        episode = self.huidige_episode
        if episode.hersteldatum is None:
            raise OngeldigeStap("Er is nog geen hersteldatum om te corrigeren: de werknemer is niet hersteld.")
        oud = episode.hersteldatum
        if nieuw == oud:
            raise OngeldigeStap(f"De hersteldatum is al {oud.isoformat()}.")
        if nieuw <= episode.eerste_ziektedag:
            raise HerstelVoorEersteZiektedag(nieuw, episode.eerste_ziektedag, volledig=True)
        eerdere = [a.vanaf for a in self.arbeidsongeschiktheid if a.vanaf >= episode.eerste_ziektedag and a.vanaf < oud]
        if eerdere and nieuw <= max(eerdere):
            raise HerstelNietNaVorigeWijziging(nieuw, max(eerdere))
        return oud

    def _controleer_stap(
        self, soort: type[Verzuimdossier.Processtap], datum: date, vandaag: date, velden: dict[str, Any]
    ) -> None:
        if self.status is DossierStatus.GESLOTEN and self.gesloten_op is not None:
            raise DossierIsGesloten(self.gesloten_op, self.gesloten_reden or "")
        naam = soort.NAAM
        if datum < self.eerste_ziektedag:
            raise DatumVoorEersteZiektedag(naam, datum, self.eerste_ziektedag)
        if datum > vandaag:
            raise DatumInDeToekomst(naam, datum, vandaag)
        hersteld = self.huidige_episode.hersteldatum
        if not soort.NA_HERSTEL and hersteld is not None and datum >= hersteld:
            raise StapNaHerstel(naam, datum, hersteld)
        if soort.EENMALIG and soort.STAP in self.processtappen:
            raise StapAlGedaan(naam, self.processtappen[soort.STAP][0]["datum"])
        for vereist, uitleg in soort.VEREIST:
            eerder = self.processtappen.get(vereist)
            if not eerder:
                raise StapVereistEerdereStap(naam, vereist.replace("_", " "), uitleg)
            if min(s["datum"] for s in eerder) > datum:
                raise StapVereistEerdereStap(
                    naam,
                    vereist.replace("_", " "),
                    f"{uitleg} Die staat pas op {min(s['datum'] for s in eerder).isoformat()} in het dossier, "
                    f"na {datum.isoformat()}.",
                )
        try:
            soort.controleer(self, datum, velden)
        except ValueError as exc:  # an enum value that does not exist
            if isinstance(exc, DossierFout):
                raise
            raise OngeldigeStap(f"Ongeldige waarde voor {naam}: {exc}.") from exc

    # ------------------------------------------------------------------------------------------------ queries

    @property
    def huidige_episode(self) -> Episode:
        return self.episodes[-1]

    @property
    def eerste_ziektedag(self) -> date:
        """Sick day 1 of the case (of its first episode)."""
        return self.episodes[0].eerste_ziektedag

    @property
    def gemeld_op(self) -> datetime:
        return self.episodes[0].gemeld_op

    @property
    def hersteldatum(self) -> date | None:
        return self.huidige_episode.hersteldatum

    def heeft_herstel(self, herstel_id: UUID) -> bool:
        return any(h.herstel_id == herstel_id for h in self.herstellen)

    def heeft_melding(self, melding_id: UUID) -> bool:
        return any(e.melding_id == melding_id for e in self.episodes)

    def gemelde_eerste_ziektedag(self, melding_id: UUID) -> date | None:
        """The eerste ziektedag as the ziekmelding reported it, before any correction (a correction changes only the
        first episode, and keeps the old value in its record); None when the melding is not in this dossier."""
        for positie, episode in enumerate(self.episodes):
            if episode.melding_id != melding_id:
                continue
            if positie == 0:
                correcties = self.processtappen.get(Verzuimdossier.FeitGecorrigeerd.STAP, [])
                eerste = [c for c in correcties if c["feit"] == CorrigeerbaarFeit.EERSTE_ZIEKTEDAG.value]
                if eerste:
                    return date.fromisoformat(eerste[0]["oude_waarde"])
            return episode.eerste_ziektedag
        return None

    def arbeidsongeschiktheidspercentage_op(self, peildatum: date) -> int:
        """The percentage that applies on `peildatum` (0 before the eerste ziektedag and between episodes)."""
        percentage = 0
        for periode in self.arbeidsongeschiktheid:
            if periode.vanaf <= peildatum:
                percentage = periode.percentage
        if peildatum < self.eerste_ziektedag:
            return 0
        return percentage

    def verzuimdagen(self, peildatum: date) -> int:
        """Sick days of the case up to and including `peildatum`; recovered days between episodes do not count."""
        return sum(episode.ziektedagen(peildatum) for episode in self.episodes)

"""The verzuimdossier: one case of sickness absence, kept as an event-sourced aggregate.

Every change is a stored event that carries the tenant, the werknemer, the actor (who, in which role), the business
date and the recording time, so an auditor can replay the dossier to any version. Commands check their guards and
raise a `DossierFout` *before* an event is recorded; the events' `_wijzig` methods only change state.

Enum values (`HerstelSoort`, `MeldingOntvanger`) are stored as their string values: JSON keeps a `str` subclass as
a plain string, so the events declare `str` and the state converts back to the enum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from verzuim_shared.events import Actor, HerstelSoort, MeldingOntvanger
from verzuim_shared.ids import dossier_id_for_melding

from verzuim_cases.domain.errors import (
    DossierAlHersteld,
    HerstelAlGeregistreerd,
    HerstelNietNaVorigeWijziging,
    HerstelVoorEersteZiektedag,
    OngeldigArbeidsongeschiktheidspercentage,
)

VOLLEDIG_ARBEIDSONGESCHIKT = 100


class DossierStatus(StrEnum):
    OPEN = "open"
    HERSTELD = "hersteld"


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


@dataclass(frozen=True)
class Stap:
    """One recorded event as the dossier's history shows it."""

    versie: int
    soort: str
    datum: date
    geregistreerd_op: datetime
    actor: Actor
    omschrijving: str


class Verzuimdossier(Aggregate):
    # ------------------------------------------------------------------------------------------------ events

    class Gebeurtenis(Aggregate.Event):
        """What every stored dossier event carries, next to its version and its business date."""

        werkgever_id: str
        werknemer_id: str
        actor: Actor
        geregistreerd_op: datetime
        bron_event_id: UUID  # the public event that led to this one (provenance for the audit trail)

        STAP: ClassVar[str] = ""

        def bedrijfsdatum(self) -> date:
            raise NotImplementedError

        def omschrijving(self) -> str:
            raise NotImplementedError

        def _wijzig(self, dossier: Verzuimdossier) -> None:
            """The state change of this event (no checks: those ran before the event was recorded)."""

        def apply(self, aggregate: Any) -> None:
            dossier: Verzuimdossier = aggregate
            self._wijzig(dossier)
            dossier.stappen.append(
                Stap(
                    versie=self.originator_version,
                    soort=self.STAP,
                    datum=self.bedrijfsdatum(),
                    geregistreerd_op=self.geregistreerd_op,
                    actor=self.actor,
                    omschrijving=self.omschrijving(),
                )
            )

    class Geopend(Gebeurtenis, Aggregate.Created):
        """The dossier was opened by a ziekmelding. Holds only non-medical facts of the melding (decisions D9)."""

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

        def bedrijfsdatum(self) -> date:
            return self.eerste_ziektedag

        def omschrijving(self) -> str:
            return f"Dossier geopend na ziekmelding; eerste ziektedag {self.eerste_ziektedag.isoformat()}."

    class HerstelGeregistreerd(Gebeurtenis):
        """Deelherstel (a new arbeidsongeschiktheidspercentage) or volledig herstel (closes the dossier)."""

        herstel_id: UUID
        soort: str  # HerstelSoort value
        hersteldatum: date
        arbeidsongeschiktheidspercentage: int
        gemeld_op: datetime
        gemeld_door: Actor

        STAP: ClassVar[str] = "herstel_geregistreerd"

        def bedrijfsdatum(self) -> date:
            return self.hersteldatum

        def omschrijving(self) -> str:
            if HerstelSoort(self.soort) is HerstelSoort.VOLLEDIG:
                return f"Volledig hersteld per {self.hersteldatum.isoformat()}; dossier gesloten."
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
        bron_event_id: UUID,
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
        bron_event_id: UUID,
    ) -> None:
        """Record deelherstel (a new percentage) or volledig herstel (closes the dossier)."""
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
        if self.herstellen and hersteldatum <= self.herstellen[-1].hersteldatum:
            raise HerstelNietNaVorigeWijziging(hersteldatum, self.herstellen[-1].hersteldatum)

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

    def arbeidsongeschiktheidspercentage_op(self, peildatum: date) -> int:
        """The percentage that applies on `peildatum` (0 before the eerste ziektedag and after volledig herstel)."""
        percentage = 0
        for periode in self.arbeidsongeschiktheid:
            if periode.vanaf <= peildatum:
                percentage = periode.percentage
        return percentage

    def verzuimdagen(self, peildatum: date) -> int:
        """Sick days of the case up to and including `peildatum`; recovered days between episodes do not count."""
        return sum(episode.ziektedagen(peildatum) for episode in self.episodes)

"""Use cases: project an event into the read model, and answer the management-information questions."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from verzuim_shared.clock import Clock, today_nl
from verzuim_shared.events import (
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
)
from verzuim_shared.events.dossier import EpisodeToegevoegd

from verzuim_reporting.domain.dienstverband import (
    Dienstverband,
    DienstverbandMutatie,
    MutatieSoort,
    dienstverbanden,
)
from verzuim_reporting.domain.dossier import DossierToestand, Episode, Herstel, dossier_toestand
from verzuim_reporting.domain.rapportage import OpenDossiersRapport, open_dossiers_rapport


@dataclass(frozen=True)
class Positie:
    """Where an event sits in its stream: `stream` is the stream's short name (e.g. "dossier")."""

    stream: str
    sequence: int


@dataclass(frozen=True)
class MedewerkerGegevens:
    werknemer_id: str
    geldig_vanaf: date
    afdeling_id: str
    contracturen: float
    voltijduren: float
    leidinggevende_id: str | None


class ProjectieTransactie(Protocol):
    """What projecting one event needs from the read model, inside one database transaction."""

    async def vergrendel(self, *sleutel: str) -> None:
        """Serialise the work on one werknemer, afdeling or dossier (several replicas may project at once)."""

    async def markeer_verwerkt(self, event: Event, positie: Positie) -> bool:
        """Record the event as applied; False when it was applied before."""

    async def zet_positie(self, positie: Positie) -> None: ...

    async def leg_afdeling_vast(self, event: AfdelingVastgelegd, positie: Positie) -> None: ...

    async def leg_medewerker_gegevens_vast(
        self, werkgever_id: str, gegevens: MedewerkerGegevens, positie: Positie
    ) -> None: ...

    async def voeg_dienstverband_mutatie_toe(
        self, werkgever_id: str, werknemer_id: str, event_id: UUID, mutatie: DienstverbandMutatie
    ) -> None: ...

    async def dienstverband_mutaties(self, werkgever_id: str, werknemer_id: str) -> list[DienstverbandMutatie]: ...

    async def vervang_dienstverbanden(
        self, werkgever_id: str, werknemer_id: str, periodes: list[Dienstverband]
    ) -> None: ...

    async def leg_dossier_vast(self, event: DossierGeopend, positie: Positie) -> None: ...

    async def voeg_episode_toe(self, werkgever_id: str, dossier_id: UUID, episode: Episode) -> None: ...

    async def voeg_herstel_toe(self, werkgever_id: str, dossier_id: UUID, herstel: Herstel) -> None: ...

    async def dossier_feiten(self, werkgever_id: str, dossier_id: UUID) -> tuple[list[Episode], list[Herstel]]: ...

    async def werk_dossier_bij(self, werkgever_id: str, dossier_id: UUID, toestand: DossierToestand) -> None: ...


class Projectiestore(Protocol):
    def transactie(self) -> AbstractAsyncContextManager[ProjectieTransactie]: ...


class Leesmodel(Protocol):
    async def open_dossiers(self, werkgever_id: str, peildatum: date) -> tuple[dict[str | None, int], dict[str, str]]:
        """Open dossiers per afdeling id (None: no personeel data) and the werkgever's afdelingen (id -> naam)."""


class Projector:
    """Applies personeel and dossier events to the read model. Idempotent: an event applied before (same event id)
    changes nothing, and derived state is recomputed from all stored facts, so arrival order does not matter."""

    def __init__(self, store: Projectiestore) -> None:
        self._store = store

    async def verwerk(self, event: Event, positie: Positie) -> bool:
        """Apply one event and record its stream position, in one transaction. True when it changed the model."""
        async with self._store.transactie() as tx:
            toegepast = await self._pas_toe(tx, event, positie)
            await tx.zet_positie(positie)
        return toegepast

    async def _pas_toe(self, tx: ProjectieTransactie, event: Event, positie: Positie) -> bool:
        wg = event.werkgever_id
        match event:
            case AfdelingVastgelegd():
                await tx.vergrendel("afdeling", wg, event.afdeling_id)
                if not await tx.markeer_verwerkt(event, positie):
                    return False
                await tx.leg_afdeling_vast(event, positie)
            case MedewerkerInDienst() | MedewerkerGegevensGewijzigd() | MedewerkerUitDienst():
                await tx.vergrendel("medewerker", wg, event.werknemer_id)
                if not await tx.markeer_verwerkt(event, positie):
                    return False
                await self._medewerker(tx, event, positie)
            case DossierGeopend() | EpisodeToegevoegd() | HerstelGeregistreerd():
                await tx.vergrendel("dossier", wg, str(event.dossier_id))
                if not await tx.markeer_verwerkt(event, positie):
                    return False
                await self._dossier(tx, event, positie)
            case _:
                return False  # not (yet) part of this read model; only the position moves on
        return True

    async def _medewerker(
        self,
        tx: ProjectieTransactie,
        event: MedewerkerInDienst | MedewerkerGegevensGewijzigd | MedewerkerUitDienst,
        positie: Positie,
    ) -> None:
        wg, wn = event.werkgever_id, event.werknemer_id
        if isinstance(event, MedewerkerUitDienst):
            mutatie = DienstverbandMutatie(MutatieSoort.UIT_DIENST, event.datum_uit_dienst, positie.sequence)
        else:
            geldig_vanaf = event.datum_in_dienst if isinstance(event, MedewerkerInDienst) else event.geldig_vanaf
            gegevens = MedewerkerGegevens(
                werknemer_id=wn,
                geldig_vanaf=geldig_vanaf,
                afdeling_id=event.afdeling_id,
                contracturen=event.contracturen,
                voltijduren=event.voltijduren,
                leidinggevende_id=event.leidinggevende_id,
            )
            await tx.leg_medewerker_gegevens_vast(wg, gegevens, positie)
            if not isinstance(event, MedewerkerInDienst):
                return
            mutatie = DienstverbandMutatie(MutatieSoort.IN_DIENST, event.datum_in_dienst, positie.sequence)
        await tx.voeg_dienstverband_mutatie_toe(wg, wn, event.event_id, mutatie)
        await tx.vervang_dienstverbanden(wg, wn, dienstverbanden(await tx.dienstverband_mutaties(wg, wn)))

    async def _dossier(
        self,
        tx: ProjectieTransactie,
        event: DossierGeopend | EpisodeToegevoegd | HerstelGeregistreerd,
        positie: Positie,
    ) -> None:
        wg, dossier_id = event.werkgever_id, event.dossier_id
        if isinstance(event, HerstelGeregistreerd):
            herstel = Herstel(
                herstel_id=event.herstel_id,
                soort=event.soort,
                hersteldatum=event.hersteldatum,
                arbeidsongeschiktheidspercentage=event.arbeidsongeschiktheidspercentage,
                stream_sequence=positie.sequence,
            )
            await tx.voeg_herstel_toe(wg, dossier_id, herstel)
        else:
            if isinstance(event, DossierGeopend):
                await tx.leg_dossier_vast(event, positie)
            await tx.voeg_episode_toe(
                wg, dossier_id, Episode(event.melding_id, event.eerste_ziektedag, positie.sequence)
            )
        episodes, herstellen = await tx.dossier_feiten(wg, dossier_id)
        if episodes:  # facts that arrive before their DossierGeopend wait in the tables until it comes
            await tx.werk_dossier_bij(wg, dossier_id, dossier_toestand(episodes, herstellen))


class Rapportages:
    def __init__(self, leesmodel: Leesmodel, clock: Clock) -> None:
        self._leesmodel = leesmodel
        self._clock = clock

    async def open_dossiers(
        self, werkgever_id: str, *, peildatum: date | None = None, afdeling_id: str | None = None
    ) -> OpenDossiersRapport:
        """Open dossiers of one werkgever per afdeling on the peildatum (default: today in the Netherlands)."""
        peildatum = peildatum or today_nl(self._clock)
        aantallen, afdelingen = await self._leesmodel.open_dossiers(werkgever_id, peildatum)
        return open_dossiers_rapport(
            werkgever_id=werkgever_id,
            peildatum=peildatum,
            aantallen=aantallen,
            afdelingen=afdelingen,
            afdeling_id=afdeling_id,
        )

"""The use cases of the cases service, as an eventsourcing `Application` on PostgreSQL.

The application is synchronous (eventsourcing is): async callers run it in a worker thread.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import CanMutateProtocol
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording, StoredEvent
from verzuim_shared.auth import Principal
from verzuim_shared.clock import Clock, today_nl
from verzuim_shared.events import HerstelGemeld, HerstelSoort, Rol, ZiekGemeld

from verzuim_cases.adapters.document_store import DocumentStore
from verzuim_cases.adapters.dossier_lookup import (
    BekendeMelding,
    DossierLookup,
    DossierRegel,
    LookupUpdate,
    WerknemerEpisodes,
)
from verzuim_cases.adapters.event_store import (
    LOOKUP_UPDATE_KWARG,
    DossierRecorder,
    persistence_env,
    register_transcodings,
)
from verzuim_cases.domain import (
    Document,
    DossierFout,
    DossierStatus,
    EpisodeOverlapt,
    EpisodeTussenvoegen,
    SamentellingMetLaterDossier,
    VersieConflict,
    Verzuimdossier,
)
from verzuim_cases.domain.keten import (
    Breuk,
    Integriteit,
    OpgeslagenGebeurtenis,
    controleer_keten,
    vergelijk_toestand,
)
from verzuim_cases.domain.samentelling import (
    BekendeEpisode,
    NieuwDossier,
    OverlaptMet,
    TussenEpisodes,
    VoortzettenIn,
    bepaal_dossier,
    later_dossier_binnen_grens,
)
from verzuim_cases.settings import MAX_RELAY_BATCH_SIZE, CasesSettings

log = logging.getLogger(__name__)

# How often a command is tried when another writer stored an event for the same dossier first.
MAX_CONCURRENCY_RETRIES = 10
# Roles that only read (an auditor never writes; a werknemer only signs their own documents).
ALLEEN_LEZEN = frozenset({Rol.AUDITOR, Rol.WERKNEMER})


class DossierNietGevonden(LookupError):
    """No dossier (yet) for this id, melding or werknemer, within the caller's werkgever."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MeldingPastNietBijDossier(ValueError):
    """The incoming fact names a dossier that belongs to someone else: it can never be applied."""


class GeenSchrijfrecht(PermissionError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# ---------------------------------------------------------------------------------------------- intake results


@dataclass(frozen=True)
class Verwerkt:
    dossier_id: UUID


@dataclass(frozen=True)
class Geweigerd:
    """The fact can never be applied (dead-letter it with the reason)."""

    reden: str
    fout: Exception


@dataclass(frozen=True)
class LaterOpnieuw:
    """A precondition is missing, e.g. the ziekmelding of a herstel has not arrived yet (redeliver)."""

    reden: str


Uitkomst = Verwerkt | Geweigerd | LaterOpnieuw
Intakefeit = ZiekGemeld | HerstelGemeld


def intake_volgorde(event: Intakefeit) -> tuple[str, str, date, int]:
    """Within one werknemer, apply facts in business-date order (history arrives in bulk, not always sorted).

    On one date a volledig herstel comes before a new ziekmelding (gap 0), which comes before a deelherstel."""
    if isinstance(event, ZiekGemeld):
        return (event.werkgever_id, event.werknemer_id, event.eerste_ziektedag, 1)
    rank = 0 if event.soort is HerstelSoort.VOLLEDIG else 2
    return (event.werkgever_id, event.werknemer_id, event.hersteldatum, rank)


@dataclass
class _Batch:
    """The working set of one intake batch: the dossiers it touches and what it learned about each werknemer."""

    app: DossierApplication
    werknemers: dict[tuple[str, str], WerknemerEpisodes]
    meldingen: dict[UUID, BekendeMelding]
    dossiers: dict[UUID, Verzuimdossier] = field(default_factory=dict)
    nieuwe_episodes: dict[UUID, list[tuple[UUID, int]]] = field(default_factory=dict)

    def dossier(self, dossier_id: UUID) -> Verzuimdossier:
        if dossier_id not in self.dossiers:
            self.dossiers[dossier_id] = self.app.get_dossier(dossier_id)
        return self.dossiers[dossier_id]

    def episode_erbij(self, dossier: Verzuimdossier, melding_id: UUID, eerste_ziektedag: date) -> None:
        key = (dossier.werkgever_id, dossier.werknemer_id)
        bekend = self.werknemers.setdefault(key, WerknemerEpisodes([], 0))
        volgnummer = bekend.aantal + 1
        bekend.episodes.append(BekendeEpisode(dossier.id, melding_id, eerste_ziektedag, None))
        self.werknemers[key] = WerknemerEpisodes(bekend.episodes, volgnummer)
        self.nieuwe_episodes.setdefault(dossier.id, []).append((melding_id, volgnummer))
        self.meldingen[melding_id] = BekendeMelding(
            dossier.werkgever_id, dossier.id, dossier.werknemer_id, eerste_ziektedag
        )

    def herstel_erbij(self, dossier: Verzuimdossier, hersteldatum: date) -> None:
        bekend = self.werknemers.get((dossier.werkgever_id, dossier.werknemer_id))
        if bekend is None:
            return
        melding = dossier.huidige_episode.melding_id
        bekend.episodes[:] = [
            replace(e, hersteldatum=hersteldatum) if e.melding_id == melding else e for e in bekend.episodes
        ]


class DossierApplication(Application[UUID]):
    name = "cases"  # the event table is `cases_events`, the snapshots `cases_snapshots`
    log_section_size = MAX_RELAY_BATCH_SIZE

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        clock: Clock,
        snapshot_interval: int = 25,
        documents: DocumentStore | None = None,
    ) -> None:
        self.clock = clock
        self.documents = documents
        self._after_save: list[Callable[[], None]] = []
        # A snapshot every `snapshot_interval` versions: replay at any version reads at most that many events.
        self.snapshotting_intervals = {Verzuimdossier: snapshot_interval}  # type: ignore[misc]
        super().__init__(env=dict(env))
        recorder = self.recorder
        if not isinstance(recorder, DossierRecorder):
            raise TypeError(f"the cases event store needs DossierRecorder, got {type(recorder).__name__}")
        self.lookup = DossierLookup(recorder.datastore)
        self.lookup_datastore = recorder.datastore
        self.lookup.backfill()

    @classmethod
    def from_settings(cls, settings: CasesSettings, documents: DocumentStore | None = None) -> DossierApplication:
        return cls(
            env=persistence_env(settings),
            clock=settings.clock_impl,
            snapshot_interval=settings.snapshot_interval,
            documents=documents,
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    def on_saved(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from the saving thread) after new events were stored, e.g. to wake the outbox relay."""
        self._after_save.append(listener)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        super()._notify(recordings)
        for listener in self._after_save:
            listener()

    # ------------------------------------------------------------------------------------------------ intake

    def open_dossier(self, ziek: ZiekGemeld) -> Verzuimdossier:
        """Apply one ziekmelding (a new dossier or, by samentelling, a new episode). Idempotent on the melding."""
        (uitkomst,) = self.verwerk_intake([ziek])
        return self._dossier_van_uitkomst(uitkomst)

    def registreer_herstel(self, herstel: HerstelGemeld) -> Verzuimdossier:
        """Record a (deel)herstel on its dossier. Idempotent on herstel_id."""
        (uitkomst,) = self.verwerk_intake([herstel])
        return self._dossier_van_uitkomst(uitkomst)

    def _dossier_van_uitkomst(self, uitkomst: Uitkomst) -> Verzuimdossier:
        if isinstance(uitkomst, Verwerkt):
            return self.get_dossier(uitkomst.dossier_id)
        if isinstance(uitkomst, LaterOpnieuw):
            raise DossierNietGevonden(uitkomst.reden)
        raise uitkomst.fout

    def verwerk_intake(self, events: Sequence[Intakefeit]) -> list[Uitkomst]:
        """Apply a batch of intake facts and store every resulting event in one transaction.

        Idempotent: a redelivered ZiekGemeld (known melding) or HerstelGemeld (known herstel) changes nothing. When a
        concurrent writer got in between (an IntegrityError on a dossier version or a werknemer's episode number),
        the facts are applied again one by one, each against the state that writer left."""
        if not events:
            return []
        try:
            return self._verwerk_batch(events)
        except IntegrityError:
            if len(events) > 1:
                log.info("intake batch of %d collided with another writer; applying one by one", len(events))
                return [self._verwerk_een(e) for e in events]
        return [self._verwerk_een(events[0], pogingen=MAX_CONCURRENCY_RETRIES - 1)]

    def _verwerk_een(self, event: Intakefeit, pogingen: int = MAX_CONCURRENCY_RETRIES) -> Uitkomst:
        for poging in range(1, pogingen + 1):
            try:
                (uitkomst,) = self._verwerk_batch([event])
                return uitkomst
            except IntegrityError:
                if poging == pogingen:
                    raise
        raise AssertionError("unreachable")

    def _verwerk_batch(self, events: Sequence[Intakefeit]) -> list[Uitkomst]:
        ziekmeldingen = [e.melding_id for e in events if isinstance(e, ZiekGemeld)]
        ziekmeldingen += [e.melding_id for e in events if isinstance(e, HerstelGemeld) and e.melding_id is not None]
        batch = _Batch(
            app=self,
            werknemers=self.lookup.episodes_van((e.werkgever_id, e.werknemer_id) for e in events),
            meldingen=self.lookup.bekende_meldingen(ziekmeldingen),
        )
        uitkomsten: dict[int, Uitkomst] = {}
        volgorde = sorted(range(len(events)), key=lambda i: intake_volgorde(events[i]))
        for i in volgorde:
            event = events[i]
            try:
                if isinstance(event, ZiekGemeld):
                    uitkomsten[i] = self._ziekmelding(batch, event)
                else:
                    uitkomsten[i] = self._herstel(batch, event)
            except DossierFout as exc:
                uitkomsten[i] = Geweigerd(exc.melding, exc)
            except MeldingPastNietBijDossier as exc:
                uitkomsten[i] = Geweigerd(str(exc), exc)
        gewijzigd = [d for d in batch.dossiers.values() if d.pending_events]
        if gewijzigd:
            updates = [LookupUpdate.of(d, nieuwe_episodes=batch.nieuwe_episodes.get(d.id, ())) for d in gewijzigd]
            kwargs: dict[str, Any] = {LOOKUP_UPDATE_KWARG: updates}
            self.save(*gewijzigd, **kwargs)
        return [uitkomsten[i] for i in range(len(events))]

    def _ziekmelding(self, batch: _Batch, ziek: ZiekGemeld) -> Uitkomst:
        bekend = batch.meldingen.get(ziek.melding_id)
        if bekend is not None:
            self._zelfde_melding(batch, ziek, bekend)
            return Verwerkt(bekend.dossier_id)  # a redelivery: nothing to add
        episodes = batch.werknemers.get((ziek.werkgever_id, ziek.werknemer_id), WerknemerEpisodes([], 0)).episodes
        besluit = bepaal_dossier(episodes, ziek.eerste_ziektedag)
        feiten: dict[str, Any] = {
            "melding_id": ziek.melding_id,
            "eerste_ziektedag": ziek.eerste_ziektedag,
            "gemeld_op": ziek.gemeld_op,
            "gemeld_door": ziek.gemeld_door,
            "gemeld_bij": ziek.gemeld_bij,
            "verwachte_duur_dagen": ziek.verwachte_duur_dagen,
            "herstelafspraak": ziek.herstelafspraak,
            "belafspraak": ziek.belafspraak,
            "vangnet_van_toepassing": ziek.vangnet_van_toepassing,
            "arbeidsongeval": ziek.arbeidsongeval,
            "regres_derde": ziek.regres_derde,
            "na_meldtijd": ziek.na_meldtijd,
            "actor": ziek.actor,
            "geregistreerd_op": self.clock.now(),
            "bron_event_id": ziek.event_id,
        }
        if isinstance(besluit, NieuwDossier):
            dossier = Verzuimdossier.open(werkgever_id=ziek.werkgever_id, werknemer_id=ziek.werknemer_id, **feiten)
            batch.dossiers[dossier.id] = dossier
        elif isinstance(besluit, VoortzettenIn):
            dossier = batch.dossier(besluit.dossier_id)
            dossier.voeg_episode_toe(**feiten)
        elif isinstance(besluit, OverlaptMet):
            fout = EpisodeOverlapt(ziek.eerste_ziektedag, besluit.eerste_ziektedag, besluit.hersteldatum)
            if besluit.hersteldatum is None:
                # The herstel of the running episode may still be on its way (e.g. history sent in date order
                # across batches): try again later; the last attempt dead-letters it with this reason.
                return LaterOpnieuw(fout.melding)
            raise fout
        else:
            assert isinstance(besluit, TussenEpisodes)
            raise EpisodeTussenvoegen(ziek.eerste_ziektedag)
        batch.episode_erbij(dossier, ziek.melding_id, ziek.eerste_ziektedag)
        return Verwerkt(dossier.id)

    def _zelfde_melding(self, batch: _Batch, ziek: ZiekGemeld, bekend: BekendeMelding) -> None:
        """A known melding id is only a redelivery when it is the same melding: same werkgever, werknemer and
        eerste ziektedag as recorded. Anything else is a melding id used twice; treating it as a redelivery would drop
        a ziekmelding without a word, so it is refused (dead-lettered with this reason)."""
        if bekend.werkgever_id != ziek.werkgever_id:
            raise MeldingPastNietBijDossier(
                f"melding {ziek.melding_id} names dossier {bekend.dossier_id} of another werkgever"
            )
        gemeld = bekend.eerste_ziektedag
        if bekend.werknemer_id == ziek.werknemer_id and gemeld != ziek.eerste_ziektedag:
            # The lookup holds the current date; a correction may have moved it since the melding was recorded.
            gemeld = batch.dossier(bekend.dossier_id).gemelde_eerste_ziektedag(ziek.melding_id) or gemeld
        if (bekend.werknemer_id, gemeld) != (ziek.werknemer_id, ziek.eerste_ziektedag):
            raise MeldingPastNietBijDossier(
                f"melding id {ziek.melding_id} was already used for another ziekmelding (werknemer "
                f"{bekend.werknemer_id}, eerste ziektedag {gemeld.isoformat()}, dossier {bekend.dossier_id}); this one "
                f"(werknemer {ziek.werknemer_id}, eerste ziektedag {ziek.eerste_ziektedag.isoformat()}) is not a "
                "redelivery of it and was not applied: send it again under a new melding id"
            )

    def _herstel(self, batch: _Batch, herstel: HerstelGemeld) -> Uitkomst:
        werkgever = herstel.werkgever_id
        dossier_id = self.lookup.dossier_voor_herstel(werkgever, herstel.herstel_id)
        if dossier_id is None and herstel.melding_id is not None:
            bekend = batch.meldingen.get(herstel.melding_id)
            if bekend is None or bekend.werkgever_id != werkgever:
                return LaterOpnieuw(f"Er is (nog) geen dossier voor ziekmelding {herstel.melding_id}.")
            dossier_id = bekend.dossier_id
        werknemer = batch.werknemers.get((werkgever, herstel.werknemer_id), WerknemerEpisodes([], 0))
        if dossier_id is None:
            lopend = [e for e in werknemer.episodes if e.hersteldatum is None and not e.dossier_gesloten]
            if not lopend:
                return LaterOpnieuw(f"Werknemer {herstel.werknemer_id} heeft (nog) geen open dossier.")
            dossier_id = max(lopend, key=lambda e: e.eerste_ziektedag).dossier_id
        dossier = batch.dossier(dossier_id)
        if dossier.werkgever_id != werkgever or dossier.werknemer_id != herstel.werknemer_id:
            raise MeldingPastNietBijDossier(
                f"herstel {herstel.herstel_id} of werknemer {herstel.werknemer_id} names dossier {dossier.id} "
                "of another werknemer"
            )
        if dossier.heeft_herstel(herstel.herstel_id):
            return Verwerkt(dossier.id)
        if herstel.soort is HerstelSoort.VOLLEDIG:
            later = later_dossier_binnen_grens(werknemer.episodes, dossier.id, herstel.hersteldatum)
            if later is not None:
                raise SamentellingMetLaterDossier(herstel.hersteldatum, later.eerste_ziektedag)
        dossier.registreer_herstel(
            herstel_id=herstel.herstel_id,
            soort=herstel.soort,
            hersteldatum=herstel.hersteldatum,
            arbeidsongeschiktheidspercentage=herstel.arbeidsongeschiktheidspercentage,
            gemeld_op=herstel.gemeld_op,
            gemeld_door=herstel.gemeld_door,
            actor=herstel.actor,
            geregistreerd_op=self.clock.now(),
            bron_event_id=herstel.event_id,
        )
        if herstel.soort is HerstelSoort.VOLLEDIG:
            batch.herstel_erbij(dossier, herstel.hersteldatum)
        return Verwerkt(dossier.id)

    # ------------------------------------------------------------------------------------------------ commands

    def voer_uit(
        self,
        lezer: Principal,
        dossier_id: UUID,
        opdracht: Callable[[Verzuimdossier, datetime, date], None],
        *,
        verwachte_versie: int | None = None,
        ondertekening: bool = False,
    ) -> Verzuimdossier:
        """Run a command on behalf of `lezer`: `opdracht(dossier, now, today)` checks its guards and records.

        Two racing commands: the one that stores second gets an IntegrityError, loads the new version and decides
        again (its guards may now refuse it). With `verwachte_versie` (If-Match) a changed dossier is a conflict.
        """
        self._controleer_schrijfrecht(lezer, ondertekening=ondertekening)
        self._controleer_eigen_dossier(lezer, self.regel_voor(lezer, dossier_id), ondertekening=ondertekening)
        for poging in range(1, MAX_CONCURRENCY_RETRIES + 1):
            dossier = self.dossier_voor(lezer, dossier_id)
            if verwachte_versie is not None and dossier.version != verwachte_versie:
                raise VersieConflict(verwachte_versie, dossier.version)
            now = self.clock.now()
            opdracht(dossier, now, today_nl(self.clock))
            try:
                self._save(dossier)
            except IntegrityError:
                huidig = self.get_dossier(dossier_id).version
                if verwachte_versie is not None:
                    raise VersieConflict(verwachte_versie, huidig) from None
                if poging == MAX_CONCURRENCY_RETRIES:
                    raise VersieConflict(dossier.version - len(dossier.pending_events), huidig) from None
                log.info("dossier %s changed while a command ran; deciding again (attempt %d)", dossier_id, poging)
                time.sleep(random.uniform(0, 0.005 * poging))  # spread out writers that keep colliding
                continue
            return dossier
        raise AssertionError("unreachable")

    def registreer_stap(
        self,
        lezer: Principal,
        dossier_id: UUID,
        soort: type[Verzuimdossier.Processtap],
        datum: date,
        velden: dict[str, Any],
        *,
        verwachte_versie: int | None = None,
    ) -> Verzuimdossier:
        def opdracht(dossier: Verzuimdossier, now: datetime, vandaag: date) -> None:
            dossier.registreer_stap(
                soort, datum=datum, actor=lezer.as_actor(), geregistreerd_op=now, vandaag=vandaag, **velden
            )

        return self.voer_uit(
            lezer,
            dossier_id,
            opdracht,
            verwachte_versie=verwachte_versie,
            ondertekening=soort is Verzuimdossier.DocumentOndertekend,
        )

    def voeg_document_toe(
        self,
        lezer: Principal,
        dossier_id: UUID,
        *,
        stap: str,
        naam: str,
        mediatype: str,
        inhoud: bytes,
        datum: date,
        verwachte_versie: int | None = None,
    ) -> tuple[Verzuimdossier, str]:
        """Store the bytes (content-addressed) and record the document on its step."""
        self._controleer_schrijfrecht(lezer)
        self._controleer_eigen_dossier(lezer, self.regel_voor(lezer, dossier_id))  # scoping before anything is stored
        sha256 = self._documenten().bewaar(inhoud)
        velden = {"stap": stap, "naam": naam, "mediatype": mediatype, "sha256": sha256, "grootte": len(inhoud)}
        dossier = self.registreer_stap(
            lezer, dossier_id, Verzuimdossier.DocumentToegevoegd, datum, velden, verwachte_versie=verwachte_versie
        )
        return dossier, sha256

    def lees_document(self, lezer: Principal, dossier_id: UUID, sha256: str) -> tuple[Document, bytes]:
        """The document's bytes, checked against their sha256 (DocumentBeschadigd when they no longer match)."""
        dossier = self.dossier_voor(lezer, dossier_id)
        document = dossier.documenten.get(sha256)
        if document is None:
            raise DossierNietGevonden(f"Dossier {dossier_id} heeft geen document {sha256}.")
        return document, self._documenten().lees(sha256)

    def _documenten(self) -> DocumentStore:
        if self.documents is None:
            raise RuntimeError("no document store configured")
        return self.documents

    @staticmethod
    def _controleer_schrijfrecht(lezer: Principal, *, ondertekening: bool = False) -> None:
        if lezer.rol is Rol.AUDITOR:
            raise GeenSchrijfrecht("Een auditor leest dossiers, maar legt niets vast.")
        if lezer.rol is Rol.WERKNEMER and not ondertekening:
            raise GeenSchrijfrecht(
                "Een werknemer kan documenten in het eigen dossier ondertekenen; andere stappen legt de werkgever vast."
            )

    @staticmethod
    def _controleer_eigen_dossier(lezer: Principal, regel: DossierRegel, *, ondertekening: bool = False) -> None:
        # A leidinggevende who is ill reads their own dossier like any werknemer, and signs their own documents, but
        # the steps in it are recorded by their own leidinggevende or HR, never by themselves.
        if lezer.rol is Rol.LEIDINGGEVENDE and regel.werknemer_id == lezer.id and not ondertekening:
            raise GeenSchrijfrecht(
                "Uw eigen verzuimdossier kunt u inzien, maar de stappen erin legt uw eigen leidinggevende of HR vast."
            )

    # ------------------------------------------------------------------------------------------------ queries

    def get_dossier(self, dossier_id: UUID, versie: int | None = None) -> Verzuimdossier:
        dossier = self._find(dossier_id, versie)
        if dossier is None:
            raise DossierNietGevonden(f"Dossier {dossier_id} bestaat niet.")
        return dossier

    def dossier_van(self, werkgever_id: str, dossier_id: UUID, versie: int | None = None) -> Verzuimdossier:
        """The dossier, if it belongs to this werkgever (another werkgever's dossier is 'not found')."""
        dossier = self._find(dossier_id, versie)
        if dossier is None or dossier.werkgever_id != werkgever_id:
            raise DossierNietGevonden(f"Dossier {dossier_id} bestaat niet.")
        return dossier

    # Reads on behalf of a caller: scoped to the caller's werkgever; a werknemer only sees their own dossiers, a
    # leidinggevende only those of their team. Scoping uses the lookup row, so nothing is replayed for a dossier the
    # caller may not see, and a replay at a version does not need the current dossier first.

    def regel_voor(self, lezer: Principal, dossier_id: UUID) -> DossierRegel:
        """The dossier's lookup row, if the caller may see the dossier; else 'not found' (its existence is not told)."""
        regel = self.lookup.regel(dossier_id)
        if regel is None or regel.werkgever_id != lezer.werkgever_id or not self.mag_zien(lezer, regel.werknemer_id):
            raise DossierNietGevonden(f"Dossier {dossier_id} bestaat niet.")
        return regel

    def mag_zien(self, lezer: Principal, werknemer_id: str) -> bool:
        """Whether the caller may see (and, with a writing role, change) this werknemer's dossiers."""
        if lezer.rol is Rol.WERKNEMER:
            return lezer.id == werknemer_id
        if lezer.rol is Rol.LEIDINGGEVENDE:
            # Their team as the personeel data say now, and their own dossier (read only: AVG inzage; their own
            # leidinggevende keeps it, see _controleer_eigen_dossier).
            if lezer.id == werknemer_id:
                return True
            return self.lookup.leidinggevende_van(lezer.werkgever_id, werknemer_id) == lezer.id
        return True

    def dossier_voor(self, lezer: Principal, dossier_id: UUID, versie: int | None = None) -> Verzuimdossier:
        self.regel_voor(lezer, dossier_id)
        return self.dossier_van(lezer.werkgever_id, dossier_id, versie)

    def dossier_op_versie(self, lezer: Principal, dossier_id: UUID, versie: int) -> Verzuimdossier:
        """The dossier exactly as it stood after version `versie` (replay for auditors; snapshots keep it fast).

        The lookup row (written with every save) gives the caller's scope and the last version: one replay only."""
        regel = self.regel_voor(lezer, dossier_id)
        if not 1 <= versie <= regel.versie:
            raise DossierNietGevonden(
                f"Dossier {dossier_id} heeft geen versie {versie} (de laatste is {regel.versie})."
            )
        return self.dossier_van(lezer.werkgever_id, dossier_id, versie)

    def dossier_op_moment(self, lezer: Principal, dossier_id: UUID, moment: datetime) -> Verzuimdossier:
        """The dossier as it stood at `moment` (recording time): every event recorded at or before it.

        The current dossier's history lines map the moment to a version; only an earlier version is replayed again."""
        huidig = self.dossier_voor(lezer, dossier_id)
        versies = [s.versie for s in huidig.stappen if s.geregistreerd_op <= moment]
        versie = max(versies, default=None)
        if versie is None:
            raise DossierNietGevonden(f"Dossier {dossier_id} bestond op {moment.isoformat()} nog niet.")
        if versie == huidig.version:
            return huidig
        return self.dossier_van(lezer.werkgever_id, dossier_id, versie)

    def dossier_voor_melding(self, lezer: Principal, melding_id: UUID) -> Verzuimdossier:
        niet_gevonden = DossierNietGevonden(f"Er is (nog) geen dossier voor ziekmelding {melding_id}.")
        dossier_id = self.lookup.dossier_voor_melding(lezer.werkgever_id, melding_id)
        if dossier_id is None:
            raise niet_gevonden
        try:
            return self.dossier_voor(lezer, dossier_id)
        except DossierNietGevonden:
            raise niet_gevonden from None  # outside the caller's scope: not even the dossier's id is told

    def dossiers(
        self,
        lezer: Principal,
        *,
        werknemer_id: str | None = None,
        afdeling_id: str | None = None,
        status: DossierStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[DossierRegel]:
        if lezer.rol is Rol.WERKNEMER:
            if werknemer_id not in (None, lezer.id):
                return []
            werknemer_id = lezer.id
        return self.lookup.dossiers(
            lezer.werkgever_id,
            werknemer_id=werknemer_id,
            afdeling_id=afdeling_id,
            team_van=lezer.id if lezer.rol is Rol.LEIDINGGEVENDE else None,
            status=status,
            limit=limit,
            offset=offset,
        )

    def integriteit(self, lezer: Principal, dossier_id: UUID) -> Integriteit:
        """Recompute the hash chain over the events as they are stored (read raw, before upcasting), and check every
        stored snapshot against the state the events give at its version (reads start from a snapshot)."""
        # Scoped by the lookup row, so a dossier whose stored events no longer decode can still be checked.
        self.regel_voor(lezer, dossier_id)
        opgeslagen = list(self.recorder.select_events(dossier_id))
        gebeurtenissen: list[OpgeslagenGebeurtenis] = []
        for stored in opgeslagen:
            try:
                attributen = self.mapper.transcoder.decode(stored.state)
            except Exception:  # the stored bytes are no longer valid JSON: certainly not what was sealed
                attributen = {"keten_hash": "onleesbaar"}
            gebeurtenissen.append(OpgeslagenGebeurtenis(stored.originator_version, stored.topic, attributen))
        kop = self.lookup.kop(dossier_id)
        keten = controleer_keten(
            dossier_id,
            gebeurtenissen,
            verwachte_versie=kop[0] if kop else None,
            verwachte_kop_hash=kop[1] if kop else None,
        )
        snapshots, breuken = self._controleer_snapshots(dossier_id, opgeslagen)
        return Integriteit(keten=keten, snapshots=snapshots, snapshot_breuken=breuken)

    def _controleer_snapshots(
        self, dossier_id: UUID, opgeslagen: list[StoredEvent]
    ) -> tuple[tuple[int, ...], tuple[Breuk, ...]]:
        """Replay the events one by one (no snapshot) and compare each stored snapshot at its version."""
        if self.snapshots is None:
            return (), ()
        per_versie = {s.originator_version: s for s in self.snapshots.recorder.select_events(dossier_id)}
        breuken: dict[int, Breuk] = {}
        gecontroleerd: set[int] = set()
        dossier: Any = None
        for stored in sorted(opgeslagen, key=lambda s: s.originator_version):
            if not per_versie.keys() - gecontroleerd:
                break
            try:
                dossier = _muteer(self.mapper.to_domain_event(stored), dossier)
            except Exception:
                break  # the chain check names this event; no later snapshot can be compared with the events
            snapshot = per_versie.get(stored.originator_version)
            if snapshot is None:
                continue
            gecontroleerd.add(stored.originator_version)
            try:
                uit_snapshot = _muteer(self.snapshots.mapper.to_domain_event(snapshot), None)
            except Exception as exc:
                breuken[snapshot.originator_version] = Breuk(
                    snapshot.originator_version,
                    f"de snapshot van versie {snapshot.originator_version} is onleesbaar ({type(exc).__name__})",
                )
                continue
            verschil = vergelijk_toestand(vars(dossier), vars(uit_snapshot))
            if verschil is not None:
                breuken[snapshot.originator_version] = Breuk(
                    snapshot.originator_version, f"de snapshot van versie {snapshot.originator_version} {verschil}"
                )
        for versie in sorted(per_versie.keys() - gecontroleerd):
            breuken[versie] = Breuk(
                versie,
                f"de snapshot van versie {versie} kan niet met de gebeurtenissen worden vergeleken: die versie "
                "ontbreekt in de opslag of een eerdere gebeurtenis is onleesbaar",
            )
        return tuple(sorted(per_versie)), tuple(breuken[v] for v in sorted(breuken))

    def check_database(self) -> None:
        self.lookup.check()

    # ------------------------------------------------------------------------------------------------ internals

    def _find(self, dossier_id: UUID, versie: int | None = None) -> Verzuimdossier | None:
        try:
            dossier: Verzuimdossier = self.repository.get(dossier_id, version=versie)
        except AggregateNotFoundError:
            return None
        return dossier

    def _save(self, dossier: Verzuimdossier) -> None:
        kwargs: dict[str, Any] = {LOOKUP_UPDATE_KWARG: [LookupUpdate.of(dossier)]}
        self.save(dossier, **kwargs)


def _muteer(event: object, dossier: Any) -> Any:
    """Apply one decoded stored event (or snapshot) to the dossier as eventsourcing's projector does."""
    assert isinstance(event, CanMutateProtocol)
    return event.mutate(dossier)

"""The use cases of the cases service, as an eventsourcing `Application` on PostgreSQL.

The application is synchronous (eventsourcing is): async callers run it in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording
from verzuim_shared.auth import Principal
from verzuim_shared.clock import Clock
from verzuim_shared.events import HerstelGemeld, Rol, ZiekGemeld
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.settings import ServiceSettings

from verzuim_cases.adapters.dossier_lookup import DossierLookup, DossierRegel, LookupUpdate
from verzuim_cases.adapters.event_store import (
    LOOKUP_UPDATE_KWARG,
    DossierRecorder,
    persistence_env,
    register_transcodings,
)
from verzuim_cases.domain import DossierStatus, Verzuimdossier
from verzuim_cases.settings import MAX_RELAY_BATCH_SIZE

log = logging.getLogger(__name__)

# How often a command is retried when another writer stored an event for the same dossier first.
MAX_CONCURRENCY_RETRIES = 3


class DossierNietGevonden(LookupError):
    """No dossier (yet) for this id, melding or werknemer, within the caller's werkgever."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MeldingPastNietBijDossier(ValueError):
    """The incoming fact names a dossier that belongs to someone else: it can never be applied."""


class DossierApplication(Application[UUID]):
    name = "cases"  # the event table is `cases_events`
    log_section_size = MAX_RELAY_BATCH_SIZE

    def __init__(self, *, env: Mapping[str, str], clock: Clock) -> None:
        self.clock = clock
        self._after_save: list[Callable[[], None]] = []
        super().__init__(env=dict(env))
        recorder = self.recorder
        if not isinstance(recorder, DossierRecorder):
            raise TypeError(f"the cases event store needs DossierRecorder, got {type(recorder).__name__}")
        self.lookup = DossierLookup(recorder.datastore)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> DossierApplication:
        return cls(env=persistence_env(settings), clock=settings.clock_impl)

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

    # ------------------------------------------------------------------------------------------------ commands

    def open_dossier(self, ziek: ZiekGemeld) -> Verzuimdossier:
        """Open the dossier of a ziekmelding.

        Idempotent: a redelivered ZiekGemeld finds its dossier (its id is derived from the melding) and adds nothing.
        """
        dossier_id = dossier_id_for_melding(ziek.melding_id)
        bestaand = self._find(dossier_id)
        if bestaand is not None:
            self._check_same_werkgever(bestaand, ziek.werkgever_id, f"melding {ziek.melding_id}")
            return bestaand
        dossier = Verzuimdossier.open(
            werkgever_id=ziek.werkgever_id,
            werknemer_id=ziek.werknemer_id,
            melding_id=ziek.melding_id,
            eerste_ziektedag=ziek.eerste_ziektedag,
            gemeld_op=ziek.gemeld_op,
            gemeld_door=ziek.gemeld_door,
            gemeld_bij=ziek.gemeld_bij,
            verwachte_duur_dagen=ziek.verwachte_duur_dagen,
            herstelafspraak=ziek.herstelafspraak,
            belafspraak=ziek.belafspraak,
            vangnet_van_toepassing=ziek.vangnet_van_toepassing,
            arbeidsongeval=ziek.arbeidsongeval,
            regres_derde=ziek.regres_derde,
            na_meldtijd=ziek.na_meldtijd,
            actor=ziek.actor,
            geregistreerd_op=self.clock.now(),
            bron_event_id=ziek.event_id,
        )
        try:
            self._save(dossier)
        except IntegrityError:
            # Two deliveries of the same ZiekGemeld raced and the other one stored version 1 first: done.
            log.info("dossier %s was opened concurrently; nothing to add", dossier_id)
            return self.get_dossier(dossier_id)
        return dossier

    def registreer_herstel(self, herstel: HerstelGemeld) -> Verzuimdossier:
        """Record a (deel)herstel on its dossier. Idempotent on herstel_id.

        Raises DossierNietGevonden while the dossier is unknown, DossierFout when the dossier refuses it.
        """
        for attempt in range(1, MAX_CONCURRENCY_RETRIES + 1):
            dossier = self._dossier_voor_herstel(herstel)
            if dossier.heeft_herstel(herstel.herstel_id):
                return dossier
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
            try:
                self._save(dossier)
            except IntegrityError:
                # Another writer stored the next version first: load the dossier again and decide again.
                if attempt == MAX_CONCURRENCY_RETRIES:
                    raise
                continue
            return dossier
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------------------------------------ queries

    def get_dossier(self, dossier_id: UUID) -> Verzuimdossier:
        dossier = self._find(dossier_id)
        if dossier is None:
            raise DossierNietGevonden(f"Dossier {dossier_id} bestaat niet.")
        return dossier

    def dossier_van(self, werkgever_id: str, dossier_id: UUID) -> Verzuimdossier:
        """The dossier, if it belongs to this werkgever (another werkgever's dossier is 'not found')."""
        dossier = self._find(dossier_id)
        if dossier is None or dossier.werkgever_id != werkgever_id:
            raise DossierNietGevonden(f"Dossier {dossier_id} bestaat niet.")
        return dossier

    # Reads on behalf of a caller: scoped to the caller's werkgever, and a werknemer only sees their own dossiers.
    # (Team scoping for leidinggevenden needs the personeel data and comes with the fine-grained authorisation.)

    def dossier_voor(self, lezer: Principal, dossier_id: UUID) -> Verzuimdossier:
        dossier = self.dossier_van(lezer.werkgever_id, dossier_id)
        if not _mag_zien(lezer, dossier.werknemer_id):
            raise DossierNietGevonden(f"Dossier {dossier_id} bestaat niet.")
        return dossier

    def dossier_voor_melding(self, lezer: Principal, melding_id: UUID) -> Verzuimdossier:
        dossier_id = self.lookup.dossier_voor_melding(lezer.werkgever_id, melding_id)
        if dossier_id is None:
            raise DossierNietGevonden(f"Er is (nog) geen dossier voor ziekmelding {melding_id}.")
        return self.dossier_voor(lezer, dossier_id)

    def dossiers(
        self,
        lezer: Principal,
        *,
        werknemer_id: str | None = None,
        status: DossierStatus | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[DossierRegel]:
        if lezer.rol is Rol.WERKNEMER:
            if werknemer_id not in (None, lezer.id):
                return []
            werknemer_id = lezer.id
        return self.lookup.dossiers(
            lezer.werkgever_id, werknemer_id=werknemer_id, status=status, limit=limit, offset=offset
        )

    def check_database(self) -> None:
        self.lookup.check()

    # ------------------------------------------------------------------------------------------------ internals

    def _find(self, dossier_id: UUID) -> Verzuimdossier | None:
        try:
            dossier: Verzuimdossier = self.repository.get(dossier_id)
        except AggregateNotFoundError:
            return None
        return dossier

    def _save(self, dossier: Verzuimdossier) -> None:
        kwargs: dict[str, Any] = {LOOKUP_UPDATE_KWARG: LookupUpdate.of(dossier)}
        self.save(dossier, **kwargs)

    def _dossier_voor_herstel(self, herstel: HerstelGemeld) -> Verzuimdossier:
        werkgever = herstel.werkgever_id
        # A herstel that is already recorded identifies its dossier, even after it closed that dossier.
        dossier_id = self.lookup.dossier_voor_herstel(werkgever, herstel.herstel_id)
        if dossier_id is None and herstel.melding_id is not None:
            dossier_id = self.lookup.dossier_voor_melding(werkgever, herstel.melding_id)
            if dossier_id is None:
                raise DossierNietGevonden(f"Er is (nog) geen dossier voor ziekmelding {herstel.melding_id}.")
        if dossier_id is None:
            open_dossiers = self.lookup.dossiers(
                werkgever, werknemer_id=herstel.werknemer_id, status=DossierStatus.OPEN
            )
            if not open_dossiers:
                raise DossierNietGevonden(f"Werknemer {herstel.werknemer_id} heeft (nog) geen open dossier.")
            dossier_id = open_dossiers[0].dossier_id  # the most recent eerste ziektedag
        dossier = self.dossier_van(werkgever, dossier_id)
        if dossier.werknemer_id != herstel.werknemer_id:
            raise MeldingPastNietBijDossier(
                f"herstel {herstel.herstel_id} of werknemer {herstel.werknemer_id} names dossier {dossier.id} "
                f"of another werknemer"
            )
        return dossier

    @staticmethod
    def _check_same_werkgever(dossier: Verzuimdossier, werkgever_id: str, what: str) -> None:
        if dossier.werkgever_id != werkgever_id:
            raise MeldingPastNietBijDossier(f"{what} names dossier {dossier.id} of another werkgever")


def _mag_zien(lezer: Principal, werknemer_id: str) -> bool:
    return lezer.rol is not Rol.WERKNEMER or lezer.id == werknemer_id

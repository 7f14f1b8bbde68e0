"""The use cases of the deadlines service.

`Termijnbewaking` keeps every dossier's termijnen in step with its dossier events: each relevant event is stored, the
dossier's facts are folded from all its events, the whole timeline is recomputed (`domain.bereken_tijdlijn`) and the
difference with the stored termijnen is written, with its history and the termijn events to publish, in one
transaction (the outbox, published by `adapters.outbox`). Each event takes effect once (its id is recorded).

`Signalering` is the scheduler of decisions D7: `nadert` before and `verstreken` after the due date, exactly once per
termijn and due date, in date order, catching up after downtime; rows are claimed with SKIP LOCKED so replicas never
signal twice. `Personeelprojectie` keeps the afdeling and leidinggevende of each werknemer for the work lists.
`Termijnoverzicht` answers the reading side, always within the caller's werkgever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID, uuid4

from verzuim_shared.auth import Principal
from verzuim_shared.clock import Clock, today_nl
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    Event,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    Rol,
    TermijnAfgeweken,
    TermijnEvent,
    TermijnGepland,
    TermijnGewijzigd,
    TermijnNadert,
    TermijnVerstreken,
    TermijnVervallen,
    TermijnVervuld,
)
from verzuim_shared.events.dossier import DossierEvent, DossierGeopend
from verzuim_shared.ids import derived_id

from verzuim_deadlines.domain import (
    RELEVANTE_EVENTS,
    VERSTREKEN_REDEN,
    DossierFeiten,
    DossierNietGeopend,
    Termijn,
    TermijnCode,
    TermijnStatus,
    Waarschuwing,
    Werkgeverregels,
    bereken_tijdlijn_met_waarschuwingen,
    feiten_uit_events,
    termijn_id,
)

log = logging.getLogger(__name__)

# The actor of the events this service publishes: the system, not a person.
DEADLINES_ACTOR = Actor(id="deadlines", rol=Rol.SYSTEEM)


# ------------------------------------------------------------------------------------------------------------ errors


class NogNietVerwerkbaar(Exception):
    """The event cannot be applied yet (its dossier is not known here, or a fact it builds on has not arrived): try
    again later; when it never becomes applicable it is dead-lettered with this reason."""


class OnverwerkbaarFeit(Exception):
    """An event contradicts what is known and can never be applied; it needs a person (dead letter)."""


class DossierNietGevonden(LookupError):
    """The dossier is unknown to this service, or not visible to the caller."""


class TermijnNietGevonden(LookupError):
    """The termijn is unknown to this service, or not visible to the caller."""


# ------------------------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class DossierTermijn:
    """A termijn as stored: the domain value plus its identity, its dossier, and its signalling state."""

    termijn_id: UUID
    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    termijn: Termijn
    gepland_op: datetime
    bijgewerkt_op: datetime
    casemanager_id: str | None = None
    # Every vervaldatum for which `nadert` / `verstreken` was sent, not just the last: a termijn that moves A → B → A
    # must not get a second `nadert` for A (exactly once per termijn and due date, whatever the dedupe window).
    nadert_verstuurd: frozenset[date] = frozenset()
    verstreken_verstuurd: frozenset[date] = frozenset()
    volgende_signaal_op: date | None = None  # when the scheduler must look at it next; None: nothing to signal

    def met_signaal(self, regels: Werkgeverregels) -> DossierTermijn:
        """Recompute `volgende_signaal_op` (decisions D7): the nadert day, then the day after the due date; each once
        per due date, so a termijn that moves gets its signals again for its new date. A termijn that a herstel (or
        closure) ended as VERSTREKEN before the scheduler saw its day pass still gets its `verstreken` signal, from
        the scheduler, in date order; its `nadert` no longer (it is closed)."""
        t = self.termijn
        volgende: date | None = None
        if t.status is TermijnStatus.OPEN:
            if t.vervaldatum not in self.nadert_verstuurd:
                volgende = t.vervaldatum - timedelta(days=regels.nadert(t.code))
            elif t.vervaldatum not in self.verstreken_verstuurd:
                volgende = t.vervaldatum + timedelta(days=1)
        elif t.status is TermijnStatus.VERSTREKEN and t.vervaldatum not in self.verstreken_verstuurd:
            volgende = t.vervaldatum + timedelta(days=1)
        return replace(self, volgende_signaal_op=volgende)


@dataclass(frozen=True)
class Dossierkop:
    """What the reading side shows of a dossier next to its termijnen."""

    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    eerste_ziektedag: date  # E of the verzuim the dossier is in now
    hersteldatum: date | None
    episodes: tuple[tuple[date, date | None], ...]
    casemanager_id: str | None
    vld_laatste_dag: date | None
    gesloten_op: date | None
    versie: int
    waarschuwingen: tuple[Waarschuwing, ...]


@dataclass(frozen=True)
class DossierOverzicht:
    dossier: Dossierkop
    termijnen: list[DossierTermijn]


@dataclass(frozen=True)
class Historieregel:
    termijn_id: UUID
    code: TermijnCode
    volgnummer: int
    op: datetime
    wat: str  # gepland, gewijzigd, vervuld, vervallen, afgeweken, heropend, nadert, verstreken
    vervaldatum: date
    status: TermijnStatus
    reden: str | None
    oorzaak_event_id: UUID | None


@dataclass(frozen=True)
class Werklijstfilter:
    status: TermijnStatus | None = None
    voor: date | None = None  # vervaldatum strictly before this date
    vanaf: date | None = None  # vervaldatum on or after this date
    code: TermijnCode | None = None
    werknemer_id: str | None = None
    casemanager_id: str | None = None
    afdeling_id: str | None = None
    leidinggevende_id: str | None = None  # the werknemers this person leads (own or afdeling's leidinggevende)
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class Medewerkerfeit:
    """Where a werknemer works, for the work lists: no name, no contact data (decisions D9: only what is needed)."""

    werkgever_id: str
    werknemer_id: str
    afdeling_id: str
    leidinggevende_id: str | None
    geldig_vanaf: date
    sequence: int  # stream sequence: with the same geldig_vanaf the later message wins


@dataclass(frozen=True)
class Afdelingfeit:
    werkgever_id: str
    afdeling_id: str
    leidinggevende_id: str | None
    sequence: int


# ------------------------------------------------------------------------------------------------------------ ports


class Termijnboek(Protocol):
    """The store of the deadlines service within one transaction: everything in it commits together or not at all."""

    async def markeer_verwerkt(self, event: Event) -> bool:
        """Record that the event is handled; False when it was handled before (then nothing else may change)."""
        ...

    async def vergrendel_dossier(self, dossier_id: UUID) -> None:
        """Serialise the recalculations of one dossier until the transaction ends."""
        ...

    async def bewaar_event(self, event: DossierEvent) -> None: ...

    async def events(self, dossier_id: UUID) -> list[Event]: ...

    async def bewaar_dossier(self, feiten: DossierFeiten, nu: datetime) -> None:
        """Store the folded facts (for reading) and clear a pending recalculation of the dossier."""
        ...

    async def regels(self, werkgever_id: str) -> Werkgeverregels: ...

    async def termijnen(self, dossier_id: UUID) -> list[DossierTermijn]:
        """The dossier's stored termijnen, locked until the transaction ends (the scheduler skips them meanwhile)."""
        ...

    async def bewaar_termijn(self, termijn: DossierTermijn, historie: Historieregel | None) -> None:
        """Insert or update the termijn and append the line, if any, to its history."""
        ...

    async def verstuur(self, event: Event) -> None:
        """Queue the event for publication once the transaction commits (the outbox)."""
        ...

    async def te_signaleren(self, tot_en_met: date, limit: int) -> list[DossierTermijn]:
        """Termijnen whose next signal is due on the earliest such date ≤ `tot_en_met`, locked (SKIP LOCKED)."""
        ...

    async def leg_regels_vast(self, werkgever_id: str, regels: Werkgeverregels, door: str, nu: datetime) -> int:
        """Store the werkgever's rules as a new version; returns its number."""
        ...

    async def markeer_herberekenen(self, werkgever_id: str) -> int:
        """Mark every running dossier of the werkgever for recalculation; returns how many."""
        ...

    async def volgende_te_herberekenen(self, werkgever_id: str | None) -> UUID | None:
        """A dossier marked for recalculation that no other transaction is working on, locked as by
        `vergrendel_dossier`; None when there is none."""
        ...

    async def medewerker(self, werkgever_id: str, werknemer_id: str) -> Medewerkerfeit | None: ...

    async def bewaar_medewerker(self, medewerker: Medewerkerfeit) -> None: ...

    async def afdeling(self, werkgever_id: str, afdeling_id: str) -> Afdelingfeit | None: ...

    async def bewaar_afdeling(self, afdeling: Afdelingfeit) -> None: ...


class Opslag(Protocol):
    def transactie(self) -> AbstractAsyncContextManager[Termijnboek]: ...


class TermijnLezer(Protocol):
    async def dossier(self, werkgever_id: str, dossier_id: UUID) -> Dossierkop | None: ...

    async def termijnen_van_dossier(self, werkgever_id: str, dossier_id: UUID) -> list[DossierTermijn]: ...

    async def termijn(self, werkgever_id: str, termijn_id: UUID) -> DossierTermijn | None: ...

    async def historie(
        self, werkgever_id: str, dossier_id: UUID, termijn_id: UUID | None = None
    ) -> list[Historieregel]: ...

    async def werklijst(self, werkgever_id: str, filter: Werklijstfilter) -> list[DossierTermijn]: ...

    async def leidt(self, werkgever_id: str, leidinggevende_id: str, werknemer_id: str) -> bool:
        """Whether the werknemer's leidinggevende (their own, else their afdeling's) is this person."""
        ...


class Regellezer(Protocol):
    async def huidige(self, werkgever_id: str) -> tuple[int, Werkgeverregels]:
        """The version in force (0: never set, the defaults of decisions.md) and the rules."""
        ...

    async def geschiedenis(self, werkgever_id: str) -> list[tuple[int, datetime, str, Werkgeverregels]]:
        """Every version: number, valid from, set by, rules; oldest first."""
        ...


# ------------------------------------------------------------------------------------------------------------ events


def _velden(t: DossierTermijn) -> dict[str, Any]:
    return {
        "werkgever_id": t.werkgever_id,
        "actor": DEADLINES_ACTOR,
        "termijn_id": t.termijn_id,
        "dossier_id": t.dossier_id,
        "werknemer_id": t.werknemer_id,
        "code": t.termijn.code.value,
        "volgnummer": t.termijn.volgnummer,
        "vervaldatum": t.termijn.vervaldatum,
        "grondslag": t.termijn.grondslag,
        "afleiding": t.termijn.afleiding,
    }


def status_event(t: DossierTermijn, nu: datetime, oorzaak: UUID) -> TermijnEvent | None:
    """The public event of the termijn's (new) end status; None for OPEN and VERSTREKEN (the scheduler's)."""
    term = t.termijn
    eid = derived_id(f"termijn-{term.status.value}", t.termijn_id, oorzaak)
    if term.status is TermijnStatus.VERVULD:
        assert term.vervuld_op is not None
        return TermijnVervuld(
            event_id=eid,
            geregistreerd_op=nu,
            vervuld_op=term.vervuld_op,
            op_tijd=bool(term.op_tijd),
            bron_event_id=term.bron_event_id,
            **_velden(t),
        )
    if term.status is TermijnStatus.VERVALLEN:
        return TermijnVervallen(event_id=eid, geregistreerd_op=nu, reden=term.reden or "vervallen", **_velden(t))
    if term.status is TermijnStatus.AFGEWEKEN:
        return TermijnAfgeweken(event_id=eid, geregistreerd_op=nu, reden=term.reden or "afgeweken", **_velden(t))
    return None


def op_vandaag(termijn: Termijn, vorig: DossierTermijn | None, vandaag: date) -> Termijn:
    """The computed termijn as it stands today. The rules have no clock, so two verdicts are time's:
    - a termijn the scheduler marked VERSTREKEN that the rules see as OPEN stays VERSTREKEN while its (new) date lies
      in the past: missed stays missed (D7) until it is fulfilled late, motivated, or moved to today or later; so is
      one moved back to a past date it was already reported missed for (it gets no second signal for that date);
    - a termijn the rules close as VERSTREKEN because a herstel (or closure) dated ahead of today came after its
      due date is not missed yet: it is open until the day after its due date, when the scheduler marks it.
    Everything else, VERVALLEN at herstel included, is the rules' deterministic answer."""
    if termijn.status is TermijnStatus.OPEN and termijn.vervaldatum < vandaag and vorig is not None:
        if vorig.termijn.status is TermijnStatus.VERSTREKEN or termijn.vervaldatum in vorig.verstreken_verstuurd:
            return replace(termijn, status=TermijnStatus.VERSTREKEN, reden=VERSTREKEN_REDEN)
    if termijn.status is TermijnStatus.VERSTREKEN and termijn.vervaldatum >= vandaag:
        return replace(termijn, status=TermijnStatus.OPEN, reden=None)
    return termijn


def _regel(t: DossierTermijn, nu: datetime, wat: str, oorzaak: UUID | None) -> Historieregel:
    return Historieregel(
        t.termijn_id, t.termijn.code, t.termijn.volgnummer, nu, wat, t.termijn.vervaldatum, t.termijn.status,
        t.termijn.reden, oorzaak,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------------------ use cases


RELEVANT = tuple(RELEVANTE_EVENTS)


class Termijnbewaking:
    """Keeps each dossier's termijnen in step with its dossier events (recalculation on every event)."""

    def __init__(self, opslag: Opslag, clock: Clock, na_commit: Callable[[], None] = lambda: None) -> None:
        self._opslag = opslag
        self._clock = clock
        self._na_commit = na_commit  # e.g. wake the outbox relay

    async def verwerk(self, event: Event) -> None:
        if not isinstance(event, DossierEvent) or not isinstance(event, RELEVANT):
            return  # carries no fact the rules use
        nu = self._clock.now()
        async with self._opslag.transactie() as boek:
            if not await boek.markeer_verwerkt(event):
                return
            await boek.vergrendel_dossier(event.dossier_id)
            await boek.bewaar_event(event)
            try:
                feiten = feiten_uit_events(await boek.events(event.dossier_id))
            except DossierNietGeopend:
                # Rolled back with the exception: retried until its DossierGeopend is here, else dead-lettered.
                raise NogNietVerwerkbaar(
                    f"{type(event).__name__} {event.event_id}: dossier {event.dossier_id} is hier (nog) niet bekend"
                ) from None
            if feiten.werkgever_id != event.werkgever_id:
                raise OnverwerkbaarFeit(
                    f"{type(event).__name__} {event.event_id} noemt dossier {event.dossier_id} van een andere werkgever"
                )
            if isinstance(event, DossierGeopend) and event.werknemer_id != feiten.werknemer_id:
                raise OnverwerkbaarFeit(f"DossierGeopend {event.event_id}: het dossier is al van een andere werknemer")
            eigen = [w.tekst for w in feiten.waarschuwingen if w.event_id == event.event_id]
            if eigen:
                # Perhaps a fact it builds on has not arrived yet (a herstel before a relapse): retry, then dead-letter.
                raise NogNietVerwerkbaar("; ".join(eigen))
            await self._herbereken(boek, feiten, event.event_id, type(event).__name__, nu)
        self._na_commit()

    async def zet_regels(self, werkgever_id: str, regels: Werkgeverregels, door: str) -> tuple[int, int]:
        """Store the werkgever's new rules and, in the same transaction, mark its running dossiers for recalculation
        (so a crash cannot leave a dossier on the old rules). Returns the version and the number of dossiers marked;
        `herbereken_gemarkeerde` does the work."""
        async with self._opslag.transactie() as boek:
            versie = await boek.leg_regels_vast(werkgever_id, regels, door, self._clock.now())
            return versie, await boek.markeer_herberekenen(werkgever_id)

    async def herbereken_gemarkeerde(self, werkgever_id: str | None = None, maximaal: int | None = None) -> int:
        """Recalculate dossiers marked by a rules change, one per transaction; safe to run in several replicas at once
        and to resume after a crash (the mark is cleared with the result). Returns how many were done."""
        gedaan = 0
        while maximaal is None or gedaan < maximaal:
            nu = self._clock.now()
            async with self._opslag.transactie() as boek:
                dossier_id = await boek.volgende_te_herberekenen(werkgever_id)
                if dossier_id is None:
                    break
                feiten = feiten_uit_events(await boek.events(dossier_id))
                await self._herbereken(boek, feiten, None, "gewijzigde termijnregels van de werkgever", nu)
            gedaan += 1
        if gedaan:
            self._na_commit()
        return gedaan

    async def _herbereken(
        self, boek: Termijnboek, feiten: DossierFeiten, oorzaak: UUID | None, waarom: str, nu: datetime
    ) -> None:
        """Recompute the dossier's timeline and write the difference. `oorzaak` is the dossier event that caused it
        (None for a rules change: its events get ids of their own, committed together with the cleared mark)."""
        oorzaak_id = oorzaak or uuid4()
        vandaag = today_nl(self._clock)
        regels = await boek.regels(feiten.werkgever_id)
        tijdlijn = bereken_tijdlijn_met_waarschuwingen(feiten, regels)
        if tijdlijn.niet_toegepast:
            # A deviation naming an occurrence the dossier does not have (or one already ended) changes nothing; it is
            # no reason to retry or dead-letter the event, but a person must see it: logged, and stored with the
            # dossier's warnings (GET /v1/dossiers/{id}/termijnen). Recomputed on every event, so it disappears when a
            # later fact (a correction, a relapse) makes the occurrence exist.
            for w in tijdlijn.niet_toegepast:
                # a warning when it arrives; on later recalculations of the same dossier only for the record
                niveau = logging.WARNING if w.event_id == oorzaak else logging.INFO
                log.log(niveau, "dossier %s: %s (event %s)", feiten.dossier_id, w.tekst, w.event_id)
            feiten = replace(feiten, waarschuwingen=(*feiten.waarschuwingen, *tijdlijn.niet_toegepast))
        await boek.bewaar_dossier(feiten, nu)
        oud = {t.termijn.sleutel: t for t in await boek.termijnen(feiten.dossier_id)}
        for termijn in tijdlijn.termijnen:
            vorig = oud.pop(termijn.sleutel, None)
            termijn = op_vandaag(termijn, vorig, vandaag)
            if vorig is None:
                await self._plan(boek, feiten, termijn, regels, oorzaak_id, oorzaak, nu)
            else:
                await self._werk_bij(
                    boek, vorig, termijn, regels, feiten.casemanager_id, oorzaak_id, oorzaak, waarom, vandaag, nu
                )
        for vervalt in oud.values():  # no longer part of the timeline (e.g. a later plan van aanpak: fewer evaluaties)
            if vervalt.termijn.status is TermijnStatus.OPEN:
                term = replace(
                    vervalt.termijn, status=TermijnStatus.VERVALLEN, reden=f"niet meer van toepassing na {waarom}"
                )
                await self._werk_bij(
                    boek, vervalt, term, regels, feiten.casemanager_id, oorzaak_id, oorzaak, waarom, vandaag, nu
                )

    async def _plan(
        self,
        boek: Termijnboek,
        feiten: DossierFeiten,
        termijn: Termijn,
        regels: Werkgeverregels,
        oorzaak_id: UUID,
        bron: UUID | None,
        nu: datetime,
    ) -> None:
        nieuw = DossierTermijn(
            termijn_id=termijn_id(feiten.dossier_id, termijn.code, termijn.volgnummer),
            dossier_id=feiten.dossier_id,
            werkgever_id=feiten.werkgever_id,
            werknemer_id=feiten.werknemer_id,
            termijn=termijn,
            gepland_op=nu,
            bijgewerkt_op=nu,
            casemanager_id=feiten.casemanager_id,
        ).met_signaal(regels)
        await boek.bewaar_termijn(nieuw, _regel(nieuw, nu, "gepland", bron))
        # event_id = termijn_id: planning the same termijn again never publishes a second TermijnGepland
        await boek.verstuur(TermijnGepland(event_id=nieuw.termijn_id, geregistreerd_op=nu, **_velden(nieuw)))
        if termijn.status is not TermijnStatus.OPEN:
            # planned already ended; VERSTREKEN (a herstel after its due date) has no event here: the scheduler
            # sends its `verstreken` signal
            if (ev := status_event(nieuw, nu, oorzaak_id)) is not None:
                await boek.verstuur(ev)
            await boek.bewaar_termijn(nieuw, _regel(nieuw, nu, termijn.status.value, bron))

    async def _werk_bij(
        self,
        boek: Termijnboek,
        vorig: DossierTermijn,
        termijn: Termijn,
        regels: Werkgeverregels,
        casemanager_id: str | None,
        oorzaak_id: UUID,
        bron: UUID | None,
        waarom: str,
        vandaag: date,
        nu: datetime,
    ) -> None:
        oud = vorig.termijn
        nieuw = replace(vorig, termijn=termijn, casemanager_id=casemanager_id).met_signaal(regels)
        if nieuw == vorig:
            return
        nieuw = replace(nieuw, bijgewerkt_op=nu)
        verschoven = termijn.vervaldatum != oud.vervaldatum
        if verschoven:
            reden = f"herberekend na {waarom}: {oud.vervaldatum.isoformat()} → {termijn.vervaldatum.isoformat()}"
            await boek.verstuur(
                TermijnGewijzigd(
                    event_id=derived_id("termijn-gewijzigd", vorig.termijn_id, oorzaak_id),
                    geregistreerd_op=nu,
                    vorige_vervaldatum=oud.vervaldatum,
                    reden=reden,
                    **_velden(nieuw),
                )
            )
        vervulling_anders = termijn.status is TermijnStatus.VERVULD and (
            (termijn.vervuld_op, termijn.op_tijd, termijn.bron_event_id)
            != (oud.vervuld_op, oud.op_tijd, oud.bron_event_id)
        )
        wat: str | None = "gewijzigd" if verschoven else None
        if termijn.status is not oud.status or vervulling_anders:
            if termijn.status is TermijnStatus.OPEN:  # reopened, e.g. a relapse after herstel (samentelling)
                wat = "heropend"
                if not verschoven:
                    await boek.verstuur(
                        TermijnGewijzigd(
                            event_id=derived_id("termijn-heropend", vorig.termijn_id, oorzaak_id),
                            geregistreerd_op=nu,
                            vorige_vervaldatum=oud.vervaldatum,
                            reden=f"weer open na {waarom}",
                            **_velden(nieuw),
                        )
                    )
            else:
                # VERSTREKEN by a herstel: its `verstreken` signal comes from the scheduler (met_signaal), in order
                wat = termijn.status.value
                if (ev := status_event(nieuw, nu, oorzaak_id)) is not None:
                    await boek.verstuur(ev)
        await boek.bewaar_termijn(nieuw, _regel(nieuw, nu, wat, bron) if wat else None)


class Signalering:
    """The scheduler (decisions D7): one `nadert` and one `verstreken` per termijn and due date, in date order."""

    def __init__(
        self,
        opslag: Opslag,
        clock: Clock,
        na_commit: Callable[[], None] = lambda: None,
        batch: int = 500,
    ) -> None:
        self._opslag = opslag
        self._clock = clock
        self._na_commit = na_commit
        self._batch = batch

    async def ronde(self) -> int:
        """Signal everything due up to today, oldest signal date first; returns the number of signals sent."""
        vandaag = today_nl(self._clock)
        nu = self._clock.now()
        totaal = 0
        while True:
            async with self._opslag.transactie() as boek:
                rijen = await boek.te_signaleren(vandaag, self._batch)
                if not rijen:
                    break
                regels_cache: dict[str, Werkgeverregels] = {}
                for rij in rijen:
                    if rij.werkgever_id not in regels_cache:
                        regels_cache[rij.werkgever_id] = await boek.regels(rij.werkgever_id)
                    totaal += await self._signaleer(boek, rij, regels_cache[rij.werkgever_id], vandaag, nu)
            self._na_commit()
        return totaal

    async def _signaleer(
        self, boek: Termijnboek, rij: DossierTermijn, regels: Werkgeverregels, vandaag: date, nu: datetime
    ) -> int:
        t = rij.termijn
        if t.status not in (TermijnStatus.OPEN, TermijnStatus.VERSTREKEN) or rij.volgende_signaal_op is None:
            await boek.bewaar_termijn(rij.met_signaal(regels), None)  # nothing (more) to signal
            return 0
        if t.status is TermijnStatus.VERSTREKEN:
            # VERSTREKEN without the signal for its current due date (a herstel closed it after that date, or it
            # moved while missed): the signal it has not had yet (D7), in date order with the rest
            if t.vervaldatum in rij.verstreken_verstuurd:
                await boek.bewaar_termijn(rij.met_signaal(regels), None)
                return 0
            nieuw = replace(rij, verstreken_verstuurd=rij.verstreken_verstuurd | {t.vervaldatum}).met_signaal(regels)
            await boek.verstuur(self._verstreken(rij, nu))
            await boek.bewaar_termijn(nieuw, None)  # the history has the change, with the herstel that caused it
            return 1
        if t.vervaldatum not in rij.nadert_verstuurd:
            nieuw = replace(rij, nadert_verstuurd=rij.nadert_verstuurd | {t.vervaldatum}).met_signaal(regels)
            await boek.verstuur(
                TermijnNadert(
                    # one per termijn and due date: a replica or a retry producing it again is deduplicated
                    event_id=derived_id("termijn-nadert", rij.termijn_id, t.vervaldatum.isoformat()),
                    geregistreerd_op=nu,
                    dagen_resterend=max(0, (t.vervaldatum - vandaag).days),
                    **_velden(rij),
                )
            )
            await boek.bewaar_termijn(nieuw, _regel(nieuw, nu, "nadert", None))
            return 1
        nieuw = replace(
            rij,
            termijn=replace(t, status=TermijnStatus.VERSTREKEN, reden=VERSTREKEN_REDEN),
            verstreken_verstuurd=rij.verstreken_verstuurd | {t.vervaldatum},
            bijgewerkt_op=nu,
        ).met_signaal(regels)
        await boek.verstuur(self._verstreken(rij, nu))
        await boek.bewaar_termijn(nieuw, _regel(nieuw, nu, "verstreken", None))
        return 1

    @staticmethod
    def _verstreken(rij: DossierTermijn, nu: datetime) -> TermijnVerstreken:
        return TermijnVerstreken(
            # one per termijn and due date, whoever decided it was missed
            event_id=derived_id("termijn-verstreken", rij.termijn_id, rij.termijn.vervaldatum.isoformat()),
            geregistreerd_op=nu,
            **_velden(rij),
        )


class Personeelprojectie:
    """Where each werknemer works and who leads them, from the HR sync (for work lists per afdeling and the
    leidinggevende's own team). Idempotent and tolerant of order: data that apply from an older date never overwrite
    newer data; with the same date, or for an afdeling (a snapshot without date), the later stream message wins."""

    def __init__(self, opslag: Opslag) -> None:
        self._opslag = opslag

    async def verwerk(self, event: Event, sequence: int) -> None:
        async with self._opslag.transactie() as boek:
            if isinstance(event, MedewerkerInDienst | MedewerkerGegevensGewijzigd):
                vanaf = event.datum_in_dienst if isinstance(event, MedewerkerInDienst) else event.geldig_vanaf
                huidig = await boek.medewerker(event.werkgever_id, event.werknemer_id)
                if huidig is None or (vanaf, sequence) >= (huidig.geldig_vanaf, huidig.sequence):
                    await boek.bewaar_medewerker(
                        Medewerkerfeit(
                            event.werkgever_id,
                            event.werknemer_id,
                            event.afdeling_id,
                            event.leidinggevende_id,
                            vanaf,
                            sequence,
                        )
                    )
            elif isinstance(event, AfdelingVastgelegd):
                bestaand = await boek.afdeling(event.werkgever_id, event.afdeling_id)
                if bestaand is None or sequence >= bestaand.sequence:
                    await boek.bewaar_afdeling(
                        Afdelingfeit(event.werkgever_id, event.afdeling_id, event.leidinggevende_id, sequence)
                    )


class Termijnoverzicht:
    """Reading termijnen: scoped to the caller's werkgever; a werknemer sees only their own dossiers, a leidinggevende
    those of the werknemers they lead."""

    def __init__(self, lezer: TermijnLezer) -> None:
        self._lezer = lezer

    async def van_dossier(self, wie: Principal, dossier_id: UUID) -> DossierOverzicht:
        dossier = await self._zichtbaar(wie, dossier_id)
        return DossierOverzicht(dossier, await self._lezer.termijnen_van_dossier(wie.werkgever_id, dossier_id))

    async def historie(self, wie: Principal, dossier_id: UUID) -> list[Historieregel]:
        await self._zichtbaar(wie, dossier_id)
        return await self._lezer.historie(wie.werkgever_id, dossier_id)

    async def termijn(self, wie: Principal, id: UUID) -> tuple[DossierTermijn, list[Historieregel]]:
        termijn = await self._lezer.termijn(wie.werkgever_id, id)
        if termijn is None or not await self._mag_zien(wie, termijn.werknemer_id):
            raise TermijnNietGevonden(f"Termijn {id} is bij de termijnbewaking niet bekend.")
        return termijn, await self._lezer.historie(wie.werkgever_id, termijn.dossier_id, id)

    async def werklijst(self, wie: Principal, filter: Werklijstfilter) -> Sequence[DossierTermijn]:
        if wie.rol is Rol.WERKNEMER:
            if filter.werknemer_id not in (None, wie.id):
                return []
            filter = replace(filter, werknemer_id=wie.id)
        elif wie.rol is Rol.LEIDINGGEVENDE:
            filter = replace(filter, leidinggevende_id=wie.id)
        return await self._lezer.werklijst(wie.werkgever_id, filter)

    async def _zichtbaar(self, wie: Principal, dossier_id: UUID) -> Dossierkop:
        dossier = await self._lezer.dossier(wie.werkgever_id, dossier_id)
        if dossier is None or not await self._mag_zien(wie, dossier.werknemer_id):
            raise DossierNietGevonden(f"Dossier {dossier_id} is bij de termijnbewaking niet bekend.")
        return dossier

    async def _mag_zien(self, wie: Principal, werknemer_id: str) -> bool:
        if wie.rol is Rol.WERKNEMER:
            return wie.id == werknemer_id
        if wie.rol is Rol.LEIDINGGEVENDE:
            return await self._lezer.leidt(wie.werkgever_id, wie.id, werknemer_id)
        return True

"""The use cases of the deadlines service.

`Termijnbewaking` turns the dossier events of the cases service into stored facts and termijnen, and records the
termijn events to publish in the same transaction (an outbox, published by `adapters.outbox`). Each event is
handled at most once (its event id is recorded with its effect), so a redelivery changes nothing twice.
`Termijnoverzicht` answers the reading side, always within the caller's werkgever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from verzuim_shared.auth import Principal
from verzuim_shared.clock import Clock
from verzuim_shared.events import (
    Actor,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    HerstelSoort,
    Rol,
    TermijnGepland,
    TermijnVervallen,
)
from verzuim_shared.events.dossier import EpisodeToegevoegd
from verzuim_shared.ids import derived_id

from verzuim_deadlines.domain import (
    DossierFeiten,
    Episode,
    OngeldigeEpisodes,
    Termijn,
    TermijnCode,
    TermijnStatus,
    bij_volledig_herstel,
    plan_termijnen,
    termijn_id,
)

# The dossier events whose facts the termijn rules use.
Dossierfeit = DossierGeopend | HerstelGeregistreerd | EpisodeToegevoegd

# The actor of the events this service publishes: the system, not a person.
DEADLINES_ACTOR = Actor(id="deadlines", rol=Rol.SYSTEEM)


# ------------------------------------------------------------------------------------------------------------ errors


class NogNietVerwerkbaar(Exception):
    """An event arrived before the fact it builds on (e.g. a herstel before its dossier): try again later."""


class OnverwerkbaarFeit(Exception):
    """An event contradicts what is known and can never be applied; it needs a person (dead letter)."""


class DossierNietGevonden(LookupError):
    """The dossier is unknown to this service, or not visible to the caller."""


# ------------------------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class DossierTermijn:
    """A termijn as stored: the domain value plus its identity, its dossier and when it was planned and changed."""

    termijn_id: UUID
    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    termijn: Termijn
    gepland_op: datetime
    bijgewerkt_op: datetime

    @classmethod
    def nieuw(cls, feiten: DossierFeiten, termijn: Termijn, nu: datetime) -> DossierTermijn:
        return cls(
            termijn_id=termijn_id(feiten.dossier_id, termijn.code, termijn.volgnummer),
            dossier_id=feiten.dossier_id,
            werkgever_id=feiten.werkgever_id,
            werknemer_id=feiten.werknemer_id,
            termijn=termijn,
            gepland_op=nu,
            bijgewerkt_op=nu,
        )


@dataclass(frozen=True)
class DossierOverzicht:
    feiten: DossierFeiten
    termijnen: list[DossierTermijn]


@dataclass(frozen=True)
class Werklijstfilter:
    status: TermijnStatus | None = None
    voor: date | None = None  # vervaldatum strictly before this date
    code: TermijnCode | None = None
    werknemer_id: str | None = None
    limit: int = 100
    offset: int = 0


# ------------------------------------------------------------------------------------------------------------ ports


class Termijnboek(Protocol):
    """The store of the deadlines service within one transaction: everything in it commits together or not at all."""

    async def markeer_verwerkt(self, event: Event) -> bool:
        """Record that the event is handled; False when it was handled before (then nothing else may change)."""
        ...

    async def dossier(self, dossier_id: UUID) -> DossierFeiten | None:
        """The dossier's facts, locked until the transaction ends."""
        ...

    async def bewaar_dossier(self, feiten: DossierFeiten, versie: int, nu: datetime) -> None: ...

    async def bewaar_herstel(self, herstel: HerstelGeregistreerd) -> None: ...

    async def termijnen(self, dossier_id: UUID) -> list[DossierTermijn]: ...

    async def plan(self, termijn: DossierTermijn) -> bool:
        """Store a new termijn; False when a termijn with this id already exists (it is left as it is)."""
        ...

    async def werk_bij(self, termijn: DossierTermijn) -> None:
        """Store the new status, reden and bijgewerkt_op of an existing termijn."""
        ...

    async def verstuur(self, event: Event) -> None:
        """Queue the event for publication once the transaction commits (the outbox)."""
        ...


class Opslag(Protocol):
    def transactie(self) -> AbstractAsyncContextManager[Termijnboek]: ...


class TermijnLezer(Protocol):
    async def dossier(self, werkgever_id: str, dossier_id: UUID) -> DossierFeiten | None: ...

    async def termijnen_van_dossier(self, werkgever_id: str, dossier_id: UUID) -> list[DossierTermijn]: ...

    async def werklijst(self, werkgever_id: str, filter: Werklijstfilter) -> list[DossierTermijn]: ...


# ------------------------------------------------------------------------------------------------------------ events


def termijn_gepland(termijn: DossierTermijn, nu: datetime) -> TermijnGepland:
    # event_id = termijn_id: planning the same termijn again can never publish a second TermijnGepland.
    return TermijnGepland(event_id=termijn.termijn_id, geregistreerd_op=nu, **_termijn_velden(termijn))


def termijn_vervallen(termijn: DossierTermijn, nu: datetime, oorzaak: Event) -> TermijnVervallen:
    return TermijnVervallen(
        event_id=derived_id("termijn-vervallen", termijn.termijn_id, oorzaak.event_id),
        geregistreerd_op=nu,
        reden=termijn.termijn.reden or "vervallen",
        **_termijn_velden(termijn),
    )


def _termijn_velden(termijn: DossierTermijn) -> dict[str, Any]:
    return {
        "werkgever_id": termijn.werkgever_id,
        "actor": DEADLINES_ACTOR,
        "termijn_id": termijn.termijn_id,
        "dossier_id": termijn.dossier_id,
        "werknemer_id": termijn.werknemer_id,
        "code": termijn.termijn.code.value,
        "vervaldatum": termijn.termijn.vervaldatum,
        "grondslag": termijn.termijn.grondslag,
        "afleiding": termijn.termijn.afleiding,
    }


# ------------------------------------------------------------------------------------------------------------ use cases


class Termijnbewaking:
    """Keeps each dossier's facts and termijnen in step with the dossier events."""

    def __init__(self, opslag: Opslag, clock: Clock, na_commit: Callable[[], None] = lambda: None) -> None:
        self._opslag = opslag
        self._clock = clock
        self._na_commit = na_commit  # e.g. wake the outbox relay

    async def verwerk(self, event: Event) -> None:
        if isinstance(event, DossierGeopend):
            await self.dossier_geopend(event)
        elif isinstance(event, HerstelGeregistreerd):
            await self.herstel_geregistreerd(event)
        elif isinstance(event, EpisodeToegevoegd):
            await self.episode_toegevoegd(event)
        # Any other dossier event carries no fact the current rules depend on.

    async def dossier_geopend(self, event: DossierGeopend) -> None:
        nu = self._clock.now()
        async with self._opslag.transactie() as boek:
            if not await boek.markeer_verwerkt(event):
                return
            feiten = await boek.dossier(event.dossier_id)
            if feiten is None:
                feiten = DossierFeiten(
                    dossier_id=event.dossier_id,
                    werkgever_id=event.werkgever_id,
                    werknemer_id=event.werknemer_id,
                    episodes=(Episode(event.eerste_ziektedag),),
                    gemeld_op=event.gemeld_op,
                    herstelafspraak=event.herstelafspraak,
                    vangnet_van_toepassing=event.vangnet_van_toepassing,
                )
                await boek.bewaar_dossier(feiten, event.versie, nu)
            else:
                # The same opening under another event id: the facts stored first stand.
                self._zelfde_werkgever(feiten, event)
            await self._plan_nieuwe_termijnen(boek, feiten, nu)
        self._na_commit()

    async def herstel_geregistreerd(self, event: HerstelGeregistreerd) -> None:
        nu = self._clock.now()
        async with self._opslag.transactie() as boek:
            if not await boek.markeer_verwerkt(event):
                return
            feiten = await self._bekend_dossier(boek, event)
            await boek.bewaar_herstel(event)
            if event.soort is HerstelSoort.GEDEELTELIJK:
                return  # decisions D5: deelherstel never moves or closes a termijn
            if feiten.hersteldatum is None:
                try:
                    feiten = feiten.volledig_hersteld(event.hersteldatum)
                except OngeldigeEpisodes as exc:
                    raise OnverwerkbaarFeit(f"herstel {event.herstel_id} in dossier {event.dossier_id}: {exc}") from exc
                await boek.bewaar_dossier(feiten, event.versie, nu)
            opgeslagen = {t.termijn.sleutel: t for t in await boek.termijnen(event.dossier_id)}
            for vervallen in bij_volledig_herstel([t.termijn for t in opgeslagen.values()], event.hersteldatum):
                termijn = replace(opgeslagen[vervallen.sleutel], termijn=vervallen, bijgewerkt_op=nu)
                await boek.werk_bij(termijn)
                await boek.verstuur(termijn_vervallen(termijn, nu, event))
        self._na_commit()

    async def episode_toegevoegd(self, event: EpisodeToegevoegd) -> None:
        """A relapse within four weeks continues the dossier (D4). Its facts are stored so the timeline can be
        recomputed; moving the termijnen it affects is the recalculation of a later version."""
        nu = self._clock.now()
        async with self._opslag.transactie() as boek:
            if not await boek.markeer_verwerkt(event):
                return
            feiten = await self._bekend_dossier(boek, event)
            if any(e.eerste_ziektedag == event.eerste_ziektedag for e in feiten.episodes):
                return
            if feiten.hersteldatum is None:
                raise NogNietVerwerkbaar(
                    f"dossier {event.dossier_id} loopt nog: het herstel vóór de episode vanaf "
                    f"{event.eerste_ziektedag.isoformat()} is hier nog niet bekend"
                )
            try:
                feiten = feiten.met_episode(Episode(event.eerste_ziektedag))
            except OngeldigeEpisodes as exc:
                raise OnverwerkbaarFeit(f"episode van dossier {event.dossier_id}: {exc}") from exc
            await boek.bewaar_dossier(feiten, event.versie, nu)

    async def _bekend_dossier(self, boek: Termijnboek, event: Dossierfeit) -> DossierFeiten:
        feiten = await boek.dossier(event.dossier_id)
        if feiten is None:
            raise NogNietVerwerkbaar(f"dossier {event.dossier_id} is hier (nog) niet geopend")
        self._zelfde_werkgever(feiten, event)
        return feiten

    @staticmethod
    def _zelfde_werkgever(feiten: DossierFeiten, event: Dossierfeit) -> None:
        if feiten.werkgever_id != event.werkgever_id:
            raise OnverwerkbaarFeit(
                f"{type(event).__name__} {event.event_id} noemt dossier {event.dossier_id} van een andere werkgever"
            )

    @staticmethod
    async def _plan_nieuwe_termijnen(boek: Termijnboek, feiten: DossierFeiten, nu: datetime) -> None:
        bestaand = {t.termijn.sleutel for t in await boek.termijnen(feiten.dossier_id)}
        for termijn in plan_termijnen(feiten):
            if termijn.sleutel in bestaand:
                continue
            nieuw = DossierTermijn.nieuw(feiten, termijn, nu)
            if await boek.plan(nieuw):
                await boek.verstuur(termijn_gepland(nieuw, nu))


class Termijnoverzicht:
    """Reading termijnen: scoped to the caller's werkgever; a werknemer sees only their own dossiers."""

    def __init__(self, lezer: TermijnLezer) -> None:
        self._lezer = lezer

    async def van_dossier(self, wie: Principal, dossier_id: UUID) -> DossierOverzicht:
        feiten = await self._lezer.dossier(wie.werkgever_id, dossier_id)
        if feiten is None or not _mag_zien(wie, feiten.werknemer_id):
            raise DossierNietGevonden(f"Dossier {dossier_id} is bij de termijnbewaking niet bekend.")
        return DossierOverzicht(feiten, await self._lezer.termijnen_van_dossier(wie.werkgever_id, dossier_id))

    async def werklijst(self, wie: Principal, filter: Werklijstfilter) -> Sequence[DossierTermijn]:
        if wie.rol is Rol.WERKNEMER:
            if filter.werknemer_id not in (None, wie.id):
                return []
            filter = replace(filter, werknemer_id=wie.id)
        return await self._lezer.werklijst(wie.werkgever_id, filter)


def _mag_zien(wie: Principal, werknemer_id: str) -> bool:
    return wie.rol is not Rol.WERKNEMER or wie.id == werknemer_id

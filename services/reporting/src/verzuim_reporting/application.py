"""Use cases: project an event into the read model, and answer the management-information questions."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from verzuim_shared.clock import Clock, today_nl
from verzuim_shared.events import (
    EVENT_TYPES,
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    TermijnEvent,
    TermijnVervuld,
)
from verzuim_shared.events.dossier import (
    DossierGesloten,
    EpisodeToegevoegd,
    FeitGecorrigeerd,
    OpbouwschemaVastgesteld,
)

from verzuim_reporting.domain.afleiding import WerknemerAfleiding, leid_werknemer_af
from verzuim_reporting.domain.dossier import DossierFeit, DossierFeitSoort, OpbouwStap
from verzuim_reporting.domain.duurklassen import SCHEMAS, DuurklassenSchema, KlasseTelling, klasse_voor
from verzuim_reporting.domain.frequent import FrequentVerzuimer, Melding, frequente_verzuimers
from verzuim_reporting.domain.kerncijfers import Annualisering, Kerncijfers, Tellers, annualisatiefactor, kerncijfers
from verzuim_reporting.domain.periode import Interval, Periode, indelen
from verzuim_reporting.domain.personeel import (
    AfdelingFeit,
    MedewerkerFeit,
    PersoneelFeitSoort,
    geldende_afdeling,
)
from verzuim_reporting.domain.rapportage import ONBEKEND, ONBEKEND_NAAM, OpenDossiersRapport, open_dossiers_rapport
from verzuim_reporting.domain.termijnen import (
    Termijn,
    TermijnFeit,
    TermijnFeitSoort,
    TermijnStatus,
    TermijnTelling,
    lege_aantallen,
    termijn_toestand,
)
from verzuim_reporting.domain.verleden import Verzuimverleden, verzuimverleden


@dataclass(frozen=True)
class Positie:
    """Where an event sits in its stream: `stream` is the stream's short name (e.g. "dossier")."""

    stream: str
    sequence: int


class SleutelSoort(StrEnum):
    WERKNEMER = "werknemer"
    AFDELING = "afdeling"
    TERMIJN = "termijn"


Feit = MedewerkerFeit | DossierFeit | AfdelingFeit | TermijnFeit


@dataclass(slots=True)  # not frozen: a rebuild makes millions (3x faster); never changed in place
class Projectiefeit:
    """An event as the read model keeps it: the fact, and whose derived rows it changes."""

    werkgever_id: str
    soort: SleutelSoort
    sleutel: str | UUID  # werknemer_id, afdeling_id (text) or termijn_id
    feit: Feit


# One small function per event type, looked up by the event's class: this runs for every event of a rebuild.
_W, _A, _T = SleutelSoort.WERKNEMER, SleutelSoort.AFDELING, SleutelSoort.TERMIJN
_IN, _GEGEVENS, _UIT = PersoneelFeitSoort.IN_DIENST, PersoneelFeitSoort.GEGEVENS, PersoneelFeitSoort.UIT_DIENST
_GEOPEND, _EPISODE, _HERSTEL = DossierFeitSoort.GEOPEND, DossierFeitSoort.EPISODE, DossierFeitSoort.HERSTEL
_OPBOUW, _CORRECTIE, _GESLOTEN = DossierFeitSoort.OPBOUWSCHEMA, DossierFeitSoort.CORRECTIE, DossierFeitSoort.GESLOTEN


def _in_dienst(e: MedewerkerInDienst, seq: int) -> Projectiefeit:
    f = MedewerkerFeit(
        e.event_id, _IN, e.datum_in_dienst, seq, e.afdeling_id, e.contracturen, e.voltijduren, e.leidinggevende_id
    )
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, f)


def _gegevens(e: MedewerkerGegevensGewijzigd, seq: int) -> Projectiefeit:
    f = MedewerkerFeit(
        e.event_id, _GEGEVENS, e.geldig_vanaf, seq, e.afdeling_id, e.contracturen, e.voltijduren, e.leidinggevende_id
    )
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, f)


def _uit_dienst(e: MedewerkerUitDienst, seq: int) -> Projectiefeit:
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, MedewerkerFeit(e.event_id, _UIT, e.datum_uit_dienst, seq))


def _afdeling(e: AfdelingVastgelegd, seq: int) -> Projectiefeit:
    f = AfdelingFeit(
        e.event_id, e.afdeling_id, e.naam, e.leidinggevende_id, e.hr_adviseur_id, e.rayonmanager_id, e.rayon, seq
    )
    return Projectiefeit(e.werkgever_id, _A, e.afdeling_id, f)


# The dossier facts are derived per werknemer, because the figures join them with the bezetting.
def _geopend(e: DossierGeopend, seq: int) -> Projectiefeit:
    f = DossierFeit(e.event_id, e.dossier_id, _GEOPEND, e.eerste_ziektedag, seq, melding_id=e.melding_id)
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, f)


def _episode(e: EpisodeToegevoegd, seq: int) -> Projectiefeit:
    f = DossierFeit(e.event_id, e.dossier_id, _EPISODE, e.eerste_ziektedag, seq, melding_id=e.melding_id)
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, f)


def _herstel(e: HerstelGeregistreerd, seq: int) -> Projectiefeit:
    f = DossierFeit(
        e.event_id,
        e.dossier_id,
        _HERSTEL,
        e.hersteldatum,
        seq,
        herstel_id=e.herstel_id,
        herstel_soort=e.soort,
        percentage=e.arbeidsongeschiktheidspercentage,
    )
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, f)


def _opbouwschema(e: OpbouwschemaVastgesteld, seq: int) -> Projectiefeit:
    stappen = tuple(OpbouwStap(s.vanaf, s.uren_per_week, s.loonwaarde_pct) for s in e.stappen)
    f = DossierFeit(e.event_id, e.dossier_id, _OPBOUW, e.datum, seq, stappen=stappen)
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, f)


def _correctie(e: FeitGecorrigeerd, seq: int) -> Projectiefeit:
    f = DossierFeit(
        e.event_id,
        e.dossier_id,
        _CORRECTIE,
        e.datum,
        seq,
        gecorrigeerd_feit=e.feit,
        oude_waarde=e.oude_waarde,
        nieuwe_waarde=e.nieuwe_waarde,
    )
    return Projectiefeit(e.werkgever_id, _W, e.werknemer_id, f)


def _gesloten(e: DossierGesloten, seq: int) -> Projectiefeit:
    return Projectiefeit(
        e.werkgever_id, _W, e.werknemer_id, DossierFeit(e.event_id, e.dossier_id, _GESLOTEN, e.datum, seq)
    )


def _termijn(soort: TermijnFeitSoort) -> Callable[[TermijnEvent, int], Projectiefeit]:
    def feit(e: TermijnEvent, seq: int) -> Projectiefeit:
        f = TermijnFeit(e.event_id, e.termijn_id, soort, e.code, e.vervaldatum, seq, e.dossier_id, e.werknemer_id)
        return Projectiefeit(e.werkgever_id, _T, e.termijn_id, f)

    return feit


def _termijn_vervuld(e: TermijnVervuld, seq: int) -> Projectiefeit:
    f = TermijnFeit(
        e.event_id,
        e.termijn_id,
        TermijnFeitSoort.VERVULD,
        e.code,
        e.vervaldatum,
        seq,
        e.dossier_id,
        e.werknemer_id,
        vervuld_op=e.vervuld_op,
        op_tijd=e.op_tijd,
    )
    return Projectiefeit(e.werkgever_id, _T, e.termijn_id, f)


# Each function reads the event's attributes only, so it also takes the rebuild's decoded form of the same event
# (adapters/ontleden.py), which has the contract's attribute names and value types: the rule lives here once.
_NAAR_FEIT: dict[type[Event], Callable[[Any, int], Projectiefeit]] = {
    MedewerkerInDienst: _in_dienst,
    MedewerkerGegevensGewijzigd: _gegevens,
    MedewerkerUitDienst: _uit_dienst,
    AfdelingVastgelegd: _afdeling,
    DossierGeopend: _geopend,
    EpisodeToegevoegd: _episode,
    HerstelGeregistreerd: _herstel,
    OpbouwschemaVastgesteld: _opbouwschema,
    FeitGecorrigeerd: _correctie,
    DossierGesloten: _gesloten,
    TermijnVervuld: _termijn_vervuld,
    **{
        t: _termijn(TermijnFeitSoort(t.type_name()))
        for t in EVENT_TYPES.values()
        if issubclass(t, TermijnEvent)
        and t is not TermijnVervuld
        and t.type_name() in {s.value for s in TermijnFeitSoort}
    },
}

# The event types the read model keeps a fact of; every other event only moves the recorded stream position.
PROJECTEERBAAR: tuple[type[Event], ...] = tuple(_NAAR_FEIT)


def projectiefeit(event: Event, sequence: int) -> Projectiefeit | None:
    """The fact an event contributes to the read model; None for events the figures do not depend on."""
    naar_feit = _NAAR_FEIT.get(type(event))
    return None if naar_feit is None else naar_feit(event, sequence)


def feitfunctie(soort: type[Event]) -> Callable[[Any, int], Projectiefeit]:
    """The rule that turns an event of this projectable type (or its decoded form) into its fact."""
    return _NAAR_FEIT[soort]


Sleutel = tuple[str, Any]  # (werkgever_id, werknemer_id / afdeling_id (str) or termijn_id (UUID))


class ProjectieTransactie(Protocol):
    """What projecting a bundle of events needs from the read model, inside one database transaction."""

    async def vergrendel(self, sleutels: Sequence[tuple[SleutelSoort, str, Any]]) -> None:
        """Serialise the work on these werknemers, afdelingen and termijnen (locks taken in the given order)."""

    async def leg_feiten_vast(self, feiten: Sequence[Projectiefeit]) -> list[bool]:
        """Store the facts; per fact True when it is new, or a copy at an earlier stream position (which moves the
        fact there)."""

    async def zet_posities(self, posities: Sequence[Positie]) -> None: ...

    async def werknemer_feiten(
        self, sleutels: Sequence[Sleutel]
    ) -> dict[Sleutel, tuple[list[MedewerkerFeit], list[DossierFeit]]]: ...

    async def vervang_werknemers(self, sleutels: Sequence[Sleutel], afleidingen: Sequence[WerknemerAfleiding]) -> None:
        """Replace every row derived from these werknemers' facts."""

    async def afdeling_feiten(self, sleutels: Sequence[Sleutel]) -> dict[Sleutel, list[AfdelingFeit]]: ...

    async def vervang_afdelingen(self, sleutels: Sequence[Sleutel], afdelingen: Sequence[AfdelingFeit]) -> None: ...

    async def termijn_feiten(self, sleutels: Sequence[Sleutel]) -> dict[Sleutel, list[TermijnFeit]]: ...

    async def vervang_termijnen(self, sleutels: Sequence[Sleutel], termijnen: Sequence[Termijn]) -> None: ...


class Projectiestore(Protocol):
    def transactie(self) -> AbstractAsyncContextManager[ProjectieTransactie]: ...


class Projector:
    """Applies events to the read model. Idempotent and order-independent: a fact is stored once under its event id
    (at the earliest stream position it was seen), and every derived row is recomputed from all stored facts of its
    werknemer, afdeling or termijn."""

    def __init__(self, store: Projectiestore) -> None:
        self._store = store

    async def verwerk(self, event: Event, positie: Positie) -> bool:
        """Apply one event and record its stream position, in one transaction. True when it changed the model."""
        (gewijzigd,) = await self.verwerk_bundel([(event, positie)])
        return gewijzigd

    async def verwerk_bundel(self, items: Sequence[tuple[Event, Positie]]) -> list[bool]:
        """Apply several events and record their positions in one transaction: every werknemer, afdeling and termijn
        they touch is derived once. Per event: True when it changed the model."""
        feiten = [projectiefeit(event, positie.sequence) for event, positie in items]
        te_leggen = [f for f in feiten if f is not None]
        async with self._store.transactie() as tx:
            # sorted, so that two transactions that share keys take their locks in the same order
            await tx.vergrendel(sorted({(f.soort, f.werkgever_id, f.sleutel) for f in te_leggen}))
            nieuw = iter(await tx.leg_feiten_vast(te_leggen)) if te_leggen else iter(())
            gewijzigd = [f is not None and next(nieuw) for f in feiten]
            geraakt: dict[SleutelSoort, set[Sleutel]] = {s: set() for s in SleutelSoort}
            for f, g in zip(feiten, gewijzigd, strict=True):
                if f is not None and g:
                    geraakt[f.soort].add((f.werkgever_id, f.sleutel))
            await self._leid_af(tx, geraakt)
            await tx.zet_posities([positie for _, positie in items])
        return gewijzigd

    async def _leid_af(self, tx: ProjectieTransactie, geraakt: dict[SleutelSoort, set[Sleutel]]) -> None:
        if werknemers := sorted(geraakt[SleutelSoort.WERKNEMER]):
            feiten = await tx.werknemer_feiten(werknemers)
            afleidingen = [leid_werknemer_af(wn, *feiten.get((wg, wn), ([], []))) for wg, wn in werknemers]
            await tx.vervang_werknemers(werknemers, afleidingen)
        if afdelingen := sorted(geraakt[SleutelSoort.AFDELING]):
            afdeling_feiten = await tx.afdeling_feiten(afdelingen)
            await tx.vervang_afdelingen(afdelingen, [geldende_afdeling(afdeling_feiten[k]) for k in afdelingen])
        if termijnen := sorted(geraakt[SleutelSoort.TERMIJN]):
            termijn_feiten = await tx.termijn_feiten(termijnen)
            await tx.vervang_termijnen(termijnen, [termijn_toestand(termijn_feiten[k]) for k in termijnen])


class Bundelaar:
    """Group commit for the consumers: FastStream hands the messages of a fetched batch to their handlers
    concurrently; each handler gives its event here and waits. Whatever arrived together is applied in one
    transaction. If that fails, every event is applied again on its own, so each message gets its own outcome (a
    poison message is retried and dead-lettered alone, the others are acked)."""

    def __init__(self, projector: Projector, *, max_bundel: int = 1000, wachttijd_s: float = 0.002) -> None:
        self._projector = projector
        self._max = max_bundel
        self._wachttijd = wachttijd_s
        self._wachtrij: list[tuple[Event, Positie, asyncio.Future[bool]]] = []
        self._taak: asyncio.Task[None] | None = None

    async def verwerk(self, event: Event, positie: Positie) -> bool:
        uitkomst: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._wachtrij.append((event, positie, uitkomst))
        if self._taak is None or self._taak.done():
            self._taak = asyncio.create_task(self._werk(), name="reporting-bundelaar")
        return await uitkomst

    async def _werk(self) -> None:
        try:
            await self._bundels()
        finally:
            # cancelled at shutdown: no handler may wait forever (its message is then redelivered)
            for _, _, uitkomst in self._wachtrij:
                if not uitkomst.done():
                    uitkomst.set_exception(RuntimeError("de projector stopt"))

    async def _bundels(self) -> None:
        while self._wachtrij:
            await asyncio.sleep(self._wachttijd)  # let the other handlers of the fetched batch join
            bundel, self._wachtrij = self._wachtrij[: self._max], self._wachtrij[self._max :]
            try:
                resultaten = await self._projector.verwerk_bundel([(e, p) for e, p, _ in bundel])
            except Exception:
                for event, positie, uitkomst in bundel:
                    try:
                        uitkomst.set_result(await self._projector.verwerk(event, positie))
                    except Exception as exc:
                        uitkomst.set_exception(exc)
            else:
                for (_, _, uitkomst), resultaat in zip(bundel, resultaten, strict=True):
                    uitkomst.set_result(resultaat)


# ------------------------------------------------------------------------------------------------ the questions


class Groepering(StrEnum):
    WERKGEVER = "werkgever"
    AFDELING = "afdeling"
    LEIDINGGEVENDE = "leidinggevende"
    RAYON = "rayon"


# The group of rows without a leidinggevende or a rayon.
ZONDER = "geen"


@dataclass(frozen=True)
class Filter:
    """Which rows count: one afdeling, and/or one leidinggevende's team (a leidinggevende only sees their own)."""

    afdeling_id: str | None = None
    leidinggevende_id: str | None = None


@dataclass(frozen=True)
class Groep:
    sleutel: str
    naam: str | None


@dataclass(frozen=True)
class GroepTellers:
    groepen: dict[str, Tellers]  # per group key
    totaal: Tellers  # all rows that pass the filter (werknemers counted once)


class Leesmodel(Protocol):
    async def open_dossiers(self, werkgever_id: str, peildatum: date) -> tuple[dict[str | None, int], dict[str, str]]:
        """Open dossiers per afdeling id (None: no personeel data) and the werkgever's afdelingen (id -> naam)."""

    async def tellers(
        self, werkgever_id: str, periodes: Sequence[Periode], groepering: Groepering, filter_: Filter
    ) -> list[GroepTellers]: ...

    async def groepnamen(self, werkgever_id: str, groepering: Groepering) -> dict[str, str | None]: ...

    async def duurklassen(
        self,
        werkgever_id: str,
        periode: Periode,
        grenzen: Sequence[int],
        groepering: Groepering,
        filter_: Filter,
    ) -> tuple[dict[str, list[int]], list[int]]:
        """Counted gevallen that ran in the period per class index (width_bucket over `grenzen`): per group, total."""

    async def meldingen(self, werkgever_id: str, van: date, tot: date) -> list[Melding]: ...

    async def effectieve_leidinggevenden(self, werkgever_id: str) -> dict[str, str | None]:
        """Per afdeling id its leidinggevende (for meldingen without a leidinggevende of their own)."""

    async def termijnen(
        self, werkgever_id: str, periode: Periode, filter_: Filter, groepering: Groepering
    ) -> dict[str, dict[str, dict[TermijnStatus, int]]]:
        """Per group key, per code, the termijnen due in the period by state."""

    async def afdelingskenmerken(self, werkgever_id: str) -> dict[str, tuple[str | None, str | None]]:
        """Per afdeling its (current) leidinggevende and rayon."""

    async def open_dossiers_met_duur(self, werkgever_id: str, peildatum: date) -> list[OpenDossier]: ...

    async def werknemer_feiten(
        self, werkgever_id: str, werknemer_id: str
    ) -> tuple[list[MedewerkerFeit], list[DossierFeit]]: ...

    async def afdelingen(self, werkgever_id: str) -> dict[str, str | None]:
        """Every afdeling known from AfdelingVastgelegd or from the personeel data (id -> naam, None if unknown)."""


@dataclass(frozen=True)
class OpenDossier:
    dossier_id: UUID
    werknemer_id: str
    afdeling_id: str | None  # None: no personeel data
    leidinggevende_id: str | None  # effective: the werknemer's own or the afdeling's
    eerste_ziektedag: date
    ziektedagen: int  # sick days of the dossier up to the peildatum (samentelling: the gaps are not counted)


@dataclass(frozen=True)
class GroepKerncijfers:
    groep: Groep
    kerncijfers: Kerncijfers
    tellers: Tellers


@dataclass(frozen=True)
class KerncijfersRapport:
    werkgever_id: str
    gevraagd: Periode
    periode: Periode  # what was counted: the asked period up to today at the latest
    groepering: Groepering
    filter: Filter
    annualisering: Annualisering
    totaal: GroepKerncijfers
    groepen: tuple[GroepKerncijfers, ...]


@dataclass(frozen=True)
class TrendPunt:
    periode: Periode
    totaal: Kerncijfers
    groepen: dict[str, Kerncijfers] = field(default_factory=dict)


@dataclass(frozen=True)
class TrendRapport:
    werkgever_id: str
    gevraagd: Periode
    periode: Periode
    interval: Interval
    groepering: Groepering
    filter: Filter
    annualisering: Annualisering
    groepen: tuple[Groep, ...]
    punten: tuple[TrendPunt, ...]


@dataclass(frozen=True)
class DuurklassenRapport:
    werkgever_id: str
    gevraagd: Periode
    periode: Periode
    schema: DuurklassenSchema
    groepering: Groepering
    filter: Filter
    totaal: tuple[KlasseTelling, ...]
    groepen: tuple[tuple[Groep, tuple[KlasseTelling, ...]], ...]


@dataclass(frozen=True)
class FrequentVerzuimRapport:
    werkgever_id: str
    gevraagd: Periode
    periode: Periode
    drempel: int
    venster_dagen: int
    filter: Filter
    verzuimers: tuple[FrequentVerzuimer, ...]
    afdelingen: dict[str, str]
    groepering: Groepering = Groepering.WERKGEVER
    groep_van: dict[str, str] = field(default_factory=dict)  # werknemer_id -> group key
    groepen: tuple[tuple[Groep, int], ...] = ()  # frequent verzuimers per group


@dataclass(frozen=True)
class TermijnbewakingRapport:
    werkgever_id: str
    periode: Periode
    filter: Filter
    per_code: tuple[TermijnTelling, ...]
    totaal: TermijnTelling
    groepering: Groepering = Groepering.WERKGEVER
    groepen: tuple[tuple[Groep, tuple[TermijnTelling, ...], TermijnTelling], ...] = ()  # per code, and in total


@dataclass(frozen=True)
class OpenDossiersDuurRapport:
    werkgever_id: str
    peildatum: date
    schema: DuurklassenSchema
    filter: Filter
    klassen: tuple[KlasseTelling, ...]
    dossiers: tuple[OpenDossier, ...]
    afdelingen: dict[str, str]
    groepering: Groepering = Groepering.WERKGEVER
    groep_van: dict[UUID, str] = field(default_factory=dict)  # dossier_id -> group key
    groepen: tuple[tuple[Groep, tuple[KlasseTelling, ...]], ...] = ()


class WerknemerOnbekend(LookupError):
    pass


def groepsleutel(
    groepering: Groepering,
    werkgever_id: str,
    afdeling_id: str | None,
    leidinggevende_id: str | None,
    kenmerken: dict[str, tuple[str | None, str | None]],
) -> str:
    """The group of a row counted in Python, as the SQL of the read model forms it: the werknemer's own leidinggevende,
    otherwise the afdeling's; the afdeling's rayon; an afdeling unknown to the personeel data is `onbekend`."""
    if groepering is Groepering.WERKGEVER:
        return werkgever_id
    if groepering is Groepering.AFDELING:
        return afdeling_id or ONBEKEND
    lg, rayon = kenmerken.get(afdeling_id or "", (None, None))
    if groepering is Groepering.LEIDINGGEVENDE:
        return leidinggevende_id or lg or ZONDER
    return rayon or ZONDER


class Rapportages:
    def __init__(self, leesmodel: Leesmodel, clock: Clock) -> None:
        self._leesmodel = leesmodel
        self._clock = clock

    def vandaag(self) -> date:
        return today_nl(self._clock)

    def tot_vandaag(self, periode: Periode) -> Periode:
        """Figures for a period that has not ended yet are about the days so far; a future period is refused."""
        return periode.tot_en_met(self.vandaag())

    async def open_dossiers(
        self, werkgever_id: str, *, peildatum: date | None = None, afdeling_id: str | None = None
    ) -> OpenDossiersRapport:
        """Open dossiers of one werkgever per afdeling on the peildatum (default: today in the Netherlands)."""
        peildatum = peildatum or self.vandaag()
        aantallen, afdelingen = await self._leesmodel.open_dossiers(werkgever_id, peildatum)
        return open_dossiers_rapport(
            werkgever_id=werkgever_id,
            peildatum=peildatum,
            aantallen=aantallen,
            afdelingen=afdelingen,
            afdeling_id=afdeling_id,
        )

    async def _groepen(self, werkgever_id: str, groepering: Groepering, sleutels: set[str]) -> list[Groep]:
        namen = await self._leesmodel.groepnamen(werkgever_id, groepering)
        if groepering is Groepering.AFDELING:
            namen.setdefault(ONBEKEND, ONBEKEND_NAAM)
        return sorted(
            (Groep(s, namen.get(s)) for s in sleutels),
            key=lambda g: (g.sleutel == ZONDER, (g.naam or g.sleutel).casefold(), g.sleutel),
        )

    async def kerncijfers(
        self,
        werkgever_id: str,
        periode: Periode,
        *,
        groepering: Groepering = Groepering.WERKGEVER,
        filter_: Filter = Filter(),
        annualisering: Annualisering = Annualisering.KALENDERDAGEN,
    ) -> KerncijfersRapport:
        geteld = self.tot_vandaag(periode)
        annualisatiefactor(geteld, annualisering)  # refuses the × 4 method on a part of a quarter before any query
        (resultaat,) = await self._leesmodel.tellers(werkgever_id, [geteld], groepering, filter_)
        totaal = GroepKerncijfers(
            Groep(werkgever_id, None), kerncijfers(resultaat.totaal, geteld, annualisering), resultaat.totaal
        )
        groepen = tuple(
            GroepKerncijfers(
                g, kerncijfers(resultaat.groepen[g.sleutel], geteld, annualisering), resultaat.groepen[g.sleutel]
            )
            for g in await self._groepen(werkgever_id, groepering, set(resultaat.groepen))
        )
        return KerncijfersRapport(werkgever_id, periode, geteld, groepering, filter_, annualisering, totaal, groepen)

    async def trends(
        self,
        werkgever_id: str,
        periode: Periode,
        interval: Interval,
        *,
        groepering: Groepering = Groepering.WERKGEVER,
        filter_: Filter = Filter(),
        annualisering: Annualisering = Annualisering.KALENDERDAGEN,
    ) -> TrendRapport:
        geteld = self.tot_vandaag(periode)
        delen = indelen(geteld, interval)
        if annualisering is Annualisering.PERIODEN:
            for deel in delen:
                annualisatiefactor(deel, annualisering)
        resultaten = await self._leesmodel.tellers(werkgever_id, delen, groepering, filter_)
        sleutels = {s for r in resultaten for s in r.groepen} if groepering is not Groepering.WERKGEVER else set()
        punten = tuple(
            TrendPunt(
                deel,
                kerncijfers(r.totaal, deel, annualisering),
                {s: kerncijfers(r.groepen.get(s, Tellers()), deel, annualisering) for s in sorted(sleutels)},
            )
            for deel, r in zip(delen, resultaten, strict=True)
        )
        groepen = tuple(await self._groepen(werkgever_id, groepering, sleutels))
        return TrendRapport(
            werkgever_id, periode, geteld, interval, groepering, filter_, annualisering, groepen, punten
        )

    async def duurklassen(
        self,
        werkgever_id: str,
        periode: Periode,
        *,
        schema: DuurklassenSchema = DuurklassenSchema.VERNET,
        groepering: Groepering = Groepering.WERKGEVER,
        filter_: Filter = Filter(),
    ) -> DuurklassenRapport:
        geteld = self.tot_vandaag(periode)
        klassen = SCHEMAS[schema]
        grenzen = [k.van_dag for k in klassen[1:]]
        per_groep, totaal = await self._leesmodel.duurklassen(werkgever_id, geteld, grenzen, groepering, filter_)

        def tellingen(aantallen: list[int]) -> tuple[KlasseTelling, ...]:
            return tuple(KlasseTelling(k, n) for k, n in zip(klassen, aantallen, strict=True))

        groepen = tuple(
            (g, tellingen(per_groep[g.sleutel])) for g in await self._groepen(werkgever_id, groepering, set(per_groep))
        )
        return DuurklassenRapport(
            werkgever_id, periode, geteld, schema, groepering, filter_, tellingen(totaal), groepen
        )

    async def frequent_verzuim(
        self,
        werkgever_id: str,
        periode: Periode,
        *,
        drempel: int,
        venster_dagen: int,
        filter_: Filter = Filter(),
        groepering: Groepering = Groepering.WERKGEVER,
    ) -> FrequentVerzuimRapport:
        """A frequent verzuimer counts in the group of the melding with which the threshold was reached."""
        geteld = self.tot_vandaag(periode)
        meldingen = await self._leesmodel.meldingen(
            werkgever_id, date.fromordinal(geteld.van.toordinal() - venster_dagen + 1), geteld.tot
        )
        verzuimers = frequente_verzuimers(meldingen, geteld, drempel, venster_dagen)
        kenmerken = await self._leesmodel.afdelingskenmerken(werkgever_id)
        if filter_.afdeling_id is not None:
            verzuimers = [v for v in verzuimers if v.afdeling_id == filter_.afdeling_id]
        if filter_.leidinggevende_id is not None:
            verzuimers = [
                v
                for v in verzuimers
                if groepsleutel(Groepering.LEIDINGGEVENDE, werkgever_id, v.afdeling_id, v.leidinggevende_id, kenmerken)
                == filter_.leidinggevende_id
            ]
        groep_van = {
            v.werknemer_id: groepsleutel(groepering, werkgever_id, v.afdeling_id, v.leidinggevende_id, kenmerken)
            for v in verzuimers
        }
        aantallen = Counter(groep_van.values())
        groepen = tuple(
            (g, aantallen[g.sleutel]) for g in await self._groepen(werkgever_id, groepering, set(aantallen))
        )
        namen = {k: v for k, v in (await self._leesmodel.groepnamen(werkgever_id, Groepering.AFDELING)).items() if v}
        return FrequentVerzuimRapport(
            werkgever_id,
            periode,
            geteld,
            drempel,
            venster_dagen,
            filter_,
            tuple(verzuimers),
            namen,
            groepering,
            groep_van,
            groepen,
        )

    async def termijnbewaking(
        self,
        werkgever_id: str,
        periode: Periode,
        *,
        filter_: Filter = Filter(),
        groepering: Groepering = Groepering.WERKGEVER,
    ) -> TermijnbewakingRapport:
        """A termijn counts in the group of its werknemer on its vervaldatum (afdeling by the personeel data then)."""
        per_groep = await self._leesmodel.termijnen(werkgever_id, periode, filter_, groepering)

        def tellingen(
            per_code: dict[str, dict[TermijnStatus, int]],
        ) -> tuple[tuple[TermijnTelling, ...], TermijnTelling]:
            totaal = lege_aantallen()
            for aantallen in per_code.values():
                for status, n in aantallen.items():
                    totaal[status] += n
            return tuple(TermijnTelling(c, per_code[c]) for c in sorted(per_code)), TermijnTelling("totaal", totaal)

        alle: dict[str, dict[TermijnStatus, int]] = {}
        for per_code in per_groep.values():  # the groups divide the termijnen: the total is their sum
            for code, aantallen in per_code.items():
                doel = alle.setdefault(code, lege_aantallen())
                for status, n in aantallen.items():
                    doel[status] += n
        per_code_totaal, totaal = tellingen(alle)
        groepen = []
        for g in await self._groepen(werkgever_id, groepering, set(per_groep)):
            codes, groepstotaal = tellingen(per_groep[g.sleutel])
            groepen.append((g, codes, groepstotaal))
        return TermijnbewakingRapport(
            werkgever_id, periode, filter_, per_code_totaal, totaal, groepering, tuple(groepen)
        )

    async def open_dossiers_naar_duur(
        self,
        werkgever_id: str,
        *,
        peildatum: date | None = None,
        schema: DuurklassenSchema = DuurklassenSchema.VERNET,
        filter_: Filter = Filter(),
        groepering: Groepering = Groepering.WERKGEVER,
    ) -> OpenDossiersDuurRapport:
        """A dossier counts in the group of its werknemer on the peildatum."""
        peildatum = peildatum or self.vandaag()
        dossiers = await self._leesmodel.open_dossiers_met_duur(werkgever_id, peildatum)
        if filter_.afdeling_id is not None:
            dossiers = [d for d in dossiers if (d.afdeling_id or ONBEKEND) == filter_.afdeling_id]
        if filter_.leidinggevende_id is not None:
            dossiers = [d for d in dossiers if d.leidinggevende_id == filter_.leidinggevende_id]
        kenmerken = await self._leesmodel.afdelingskenmerken(werkgever_id)
        klassen = SCHEMAS[schema]

        def tellingen(lijst: list[OpenDossier]) -> tuple[KlasseTelling, ...]:
            aantallen = dict.fromkeys((k.code for k in klassen), 0)
            for d in lijst:
                aantallen[klasse_voor(schema, d.ziektedagen).code] += 1
            return tuple(KlasseTelling(k, aantallen[k.code]) for k in klassen)

        groep_van = {
            d.dossier_id: groepsleutel(groepering, werkgever_id, d.afdeling_id, d.leidinggevende_id, kenmerken)
            for d in dossiers
        }
        per_groep: dict[str, list[OpenDossier]] = {}
        for d in dossiers:
            per_groep.setdefault(groep_van[d.dossier_id], []).append(d)
        groepen = tuple(
            (g, tellingen(per_groep[g.sleutel])) for g in await self._groepen(werkgever_id, groepering, set(per_groep))
        )
        dossiers.sort(key=lambda d: (-d.ziektedagen, d.werknemer_id, str(d.dossier_id)))
        namen = {k: v for k, v in (await self._leesmodel.groepnamen(werkgever_id, Groepering.AFDELING)).items() if v}
        return OpenDossiersDuurRapport(
            werkgever_id,
            peildatum,
            schema,
            filter_,
            tellingen(dossiers),
            tuple(dossiers),
            namen,
            groepering,
            groep_van,
            groepen,
        )

    async def afdelingen(self, werkgever_id: str, filter_: Filter = Filter()) -> list[Groep]:
        alle = await self._leesmodel.afdelingen(werkgever_id)
        if filter_.leidinggevende_id is not None:
            # a leidinggevende chooses among the afdelingen their team worked in
            (resultaat,) = await self._leesmodel.tellers(
                werkgever_id, [Periode(date(1900, 1, 1), self.vandaag())], Groepering.AFDELING, filter_
            )
            alle = {k: v for k, v in alle.items() if k in resultaat.groepen}
        return sorted(
            (Groep(k, v) for k, v in alle.items()), key=lambda g: ((g.naam or g.sleutel).casefold(), g.sleutel)
        )

    async def verzuimverleden(
        self,
        werkgever_id: str,
        werknemer_id: str,
        *,
        periode: Periode | None = None,
        leidinggevende_id: str | None = None,
    ) -> Verzuimverleden:
        """All meldingen of one werknemer with their durations and percentages, and their figures over the period
        (default: the 365 days up to today). With `leidinggevende_id`: only a werknemer of that leidinggevende."""
        medewerker, dossier = await self._leesmodel.werknemer_feiten(werkgever_id, werknemer_id)
        if not medewerker and not dossier:
            raise WerknemerOnbekend(werknemer_id)
        vandaag = self.vandaag()
        periode = periode or Periode(date.fromordinal(vandaag.toordinal() - 364), vandaag)
        afleiding = leid_werknemer_af(werknemer_id, medewerker, dossier)
        if leidinggevende_id is not None:
            van_afdeling = await self._leesmodel.effectieve_leidinggevenden(werkgever_id)
            huidige = afleiding.personeel.bezetting[-1] if afleiding.personeel.bezetting else None
            if huidige is None or (huidige.leidinggevende_id or van_afdeling.get(huidige.afdeling_id)) != (
                leidinggevende_id
            ):
                raise WerknemerOnbekend(werknemer_id)
        return verzuimverleden(afleiding, periode.tot_en_met(vandaag), vandaag)

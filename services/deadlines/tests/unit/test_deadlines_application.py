"""The use cases against an in-memory store that commits or rolls back like a transaction."""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from verzuim_deadlines.application import (
    Afdelingfeit,
    Dossierkop,
    DossierNietGevonden,
    DossierTermijn,
    Historieregel,
    Medewerkerfeit,
    NogNietVerwerkbaar,
    OnverwerkbaarFeit,
    Personeelprojectie,
    Signalering,
    Termijnbewaking,
    Termijnoverzicht,
    Werklijstfilter,
)
from verzuim_deadlines.domain import (
    DossierFeiten,
    Termijn,
    TermijnCode,
    TermijnStatus,
    Werkgeverregels,
    bereken_tijdlijn,
    feiten_uit_events,
    termijn_id,
)
from verzuim_shared.auth import Principal
from verzuim_shared.clock import SimulatedClock
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    HerstelSoort,
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
from verzuim_shared.events.dossier import (
    BegeleiderRol,
    BegeleiderToegewezen,
    DossierEvent,
    EpisodeToegevoegd,
    FeitGecorrigeerd,
    ProbleemanalyseOntvangen,
    TermijnAfwijkingGemotiveerd,
    Uwv42eWeeksmeldingGedaan,
)

C = TermijnCode
S = TermijnStatus
E = date(2025, 1, 6)
NL_9 = timedelta(hours=8)  # 09:00 in Amsterdam in winter


def moment(dag: date) -> datetime:
    return datetime.combine(dag, datetime.min.time(), UTC) + NL_9


# --------------------------------------------------------------------------------------------- the fake store


@dataclass
class Staat:
    verwerkt: set[UUID] = field(default_factory=set)
    events: dict[UUID, DossierEvent] = field(default_factory=dict)
    dossiers: dict[UUID, DossierFeiten] = field(default_factory=dict)
    herberekenen: set[UUID] = field(default_factory=set)
    termijnen: dict[UUID, DossierTermijn] = field(default_factory=dict)
    historie: list[Historieregel] = field(default_factory=list)
    uitgaand: dict[UUID, Event] = field(default_factory=dict)
    # every event handed to the outbox, also those its unique event id would drop: the service must not rely on that
    verstuurd: list[Event] = field(default_factory=list)
    regels: dict[str, list[Werkgeverregels]] = field(default_factory=dict)
    medewerkers: dict[tuple[str, str], Medewerkerfeit] = field(default_factory=dict)
    afdelingen: dict[tuple[str, str], Afdelingfeit] = field(default_factory=dict)


class GeheugenBoek:
    def __init__(self, staat: Staat) -> None:
        self.staat = staat

    async def markeer_verwerkt(self, event: Event) -> bool:
        if event.event_id in self.staat.verwerkt:
            return False
        self.staat.verwerkt.add(event.event_id)
        return True

    async def vergrendel_dossier(self, dossier_id: UUID) -> None:
        pass

    async def bewaar_event(self, event: DossierEvent) -> None:
        self.staat.events.setdefault(event.event_id, event)

    async def events(self, dossier_id: UUID) -> list[Event]:
        return [e for e in self.staat.events.values() if e.dossier_id == dossier_id]

    async def bewaar_dossier(self, feiten: DossierFeiten, nu: datetime) -> None:
        self.staat.dossiers[feiten.dossier_id] = feiten
        self.staat.herberekenen.discard(feiten.dossier_id)

    async def regels(self, werkgever_id: str) -> Werkgeverregels:
        versies = self.staat.regels.get(werkgever_id)
        return versies[-1] if versies else Werkgeverregels()

    async def termijnen(self, dossier_id: UUID) -> list[DossierTermijn]:
        return [t for t in self.staat.termijnen.values() if t.dossier_id == dossier_id]

    async def bewaar_termijn(self, termijn: DossierTermijn, historie: Historieregel | None) -> None:
        self.staat.termijnen[termijn.termijn_id] = termijn
        if historie is not None:
            self.staat.historie.append(historie)

    async def verstuur(self, event: Event) -> None:
        self.staat.verstuurd.append(event)
        self.staat.uitgaand.setdefault(event.event_id, event)

    async def te_signaleren(self, tot_en_met: date, limit: int) -> list[DossierTermijn]:
        due = [
            t for t in self.staat.termijnen.values() if t.volgende_signaal_op and t.volgende_signaal_op <= tot_en_met
        ]
        if not due:
            return []
        eerste = min(t.volgende_signaal_op for t in due if t.volgende_signaal_op)
        return sorted((t for t in due if t.volgende_signaal_op == eerste), key=lambda t: t.termijn_id)[:limit]

    async def leg_regels_vast(self, werkgever_id: str, regels: Werkgeverregels, door: str, nu: datetime) -> int:
        self.staat.regels.setdefault(werkgever_id, []).append(regels)
        return len(self.staat.regels[werkgever_id])

    async def markeer_herberekenen(self, werkgever_id: str) -> int:
        ids = {
            f.dossier_id
            for f in self.staat.dossiers.values()
            if f.werkgever_id == werkgever_id and f.hersteldatum is None and f.gesloten_op is None
        }
        self.staat.herberekenen |= ids
        return len(ids)

    async def volgende_te_herberekenen(self, werkgever_id: str | None) -> UUID | None:
        return next(iter(sorted(self.staat.herberekenen)), None)

    async def medewerker(self, werkgever_id: str, werknemer_id: str) -> Medewerkerfeit | None:
        return self.staat.medewerkers.get((werkgever_id, werknemer_id))

    async def bewaar_medewerker(self, medewerker: Medewerkerfeit) -> None:
        self.staat.medewerkers[(medewerker.werkgever_id, medewerker.werknemer_id)] = medewerker

    async def afdeling(self, werkgever_id: str, afdeling_id: str) -> Afdelingfeit | None:
        return self.staat.afdelingen.get((werkgever_id, afdeling_id))

    async def bewaar_afdeling(self, afdeling: Afdelingfeit) -> None:
        self.staat.afdelingen[(afdeling.werkgever_id, afdeling.afdeling_id)] = afdeling


class GeheugenOpslag:
    """Works on a copy and keeps it only when the block ends without an exception."""

    def __init__(self) -> None:
        self.staat = Staat()

    @contextlib.asynccontextmanager
    async def transactie(self) -> AsyncIterator[GeheugenBoek]:
        werkkopie = copy.deepcopy(self.staat)
        yield GeheugenBoek(werkkopie)
        self.staat = werkkopie

    # the reading side, on the committed state
    async def dossier(self, werkgever_id: str, dossier_id: UUID) -> Dossierkop | None:
        f = self.staat.dossiers.get(dossier_id)
        if f is None or f.werkgever_id != werkgever_id:
            return None
        return Dossierkop(
            f.dossier_id, f.werkgever_id, f.werknemer_id, f.eerste_ziektedag, f.hersteldatum,
            tuple((e.eerste_ziektedag, e.hersteldatum) for e in f.episodes), f.casemanager_id, f.vld_laatste_dag,
            f.gesloten_op, f.versie, f.waarschuwingen,
        )  # fmt: skip

    async def termijnen_van_dossier(self, werkgever_id: str, dossier_id: UUID) -> list[DossierTermijn]:
        sleutel = (werkgever_id, dossier_id)
        return [t for t in self.staat.termijnen.values() if (t.werkgever_id, t.dossier_id) == sleutel]

    async def termijn(self, werkgever_id: str, id: UUID) -> DossierTermijn | None:
        t = self.staat.termijnen.get(id)
        return t if t is not None and t.werkgever_id == werkgever_id else None

    async def historie(self, werkgever_id: str, dossier_id: UUID, id: UUID | None = None) -> list[Historieregel]:
        ids = {t.termijn_id for t in await self.termijnen_van_dossier(werkgever_id, dossier_id)}
        return [r for r in self.staat.historie if r.termijn_id in ids and id in (None, r.termijn_id)]

    async def werklijst(self, werkgever_id: str, filter: Werklijstfilter) -> list[DossierTermijn]:
        return [
            t
            for t in self.staat.termijnen.values()
            if t.werkgever_id == werkgever_id
            and filter.werknemer_id in (None, t.werknemer_id)
            and (
                filter.leidinggevende_id is None or self._leidt(werkgever_id, filter.leidinggevende_id, t.werknemer_id)
            )
        ]

    async def leidt(self, werkgever_id: str, leidinggevende_id: str, werknemer_id: str) -> bool:
        return self._leidt(werkgever_id, leidinggevende_id, werknemer_id)

    def _leidt(self, werkgever_id: str, lg: str, werknemer_id: str) -> bool:
        m = self.staat.medewerkers.get((werkgever_id, werknemer_id))
        if m is None or werknemer_id == lg:
            return False
        a = self.staat.afdelingen.get((werkgever_id, m.afdeling_id))
        return (m.leidinggevende_id or (a.leidinggevende_id if a else None)) == lg

    # helpers for the tests
    def termijn_van(self, dossier: DossierGeopend, code: TermijnCode, volgnummer: int = 1) -> DossierTermijn:
        return self.staat.termijnen[termijn_id(dossier.dossier_id, code, volgnummer)]

    def uitgaand(self, soort: type[TermijnEvent], code: TermijnCode | None = None) -> list[Any]:
        return [e for e in self.staat.uitgaand.values() if isinstance(e, soort) and code in (None, e.code)]


# --------------------------------------------------------------------------------------------- events


class Dossier:
    """Builds the dossier events of one dossier, with increasing versions, as the cases service would."""

    def __init__(self, werkgever: str = "wg-1", werknemer: str = "wn-1", e: date = E) -> None:
        self.id = uuid4()
        self.werkgever = werkgever
        self.werknemer = werknemer
        self.e = e
        self.versie = 0

    def basis(self, **extra: Any) -> dict[str, Any]:
        self.versie += 1
        return {
            "event_id": uuid4(),
            "werkgever_id": self.werkgever,
            "geregistreerd_op": moment(self.e),
            "actor": Actor(id="hr-1", rol=Rol.HR),
            "dossier_id": self.id,
            "versie": self.versie,
            "werknemer_id": self.werknemer,
            **extra,
        }

    def geopend(self) -> DossierGeopend:
        return DossierGeopend(**self.basis(melding_id=uuid4(), eerste_ziektedag=self.e, gemeld_op=moment(self.e)))

    def herstel(self, datum: date, soort: HerstelSoort = HerstelSoort.VOLLEDIG, **extra: Any) -> HerstelGeregistreerd:
        pct = 0 if soort is HerstelSoort.VOLLEDIG else 50
        return HerstelGeregistreerd(
            **self.basis(
                herstel_id=uuid4(), soort=soort, hersteldatum=datum, arbeidsongeschiktheidspercentage=pct, **extra
            )
        )

    def terugval(self, datum: date) -> EpisodeToegevoegd:
        return EpisodeToegevoegd(
            **self.basis(
                datum=datum,
                melding_id=uuid4(),
                eerste_ziektedag=datum,
                gemeld_op=moment(datum),
                hersteld_dagen_tussen=5,
            )
        )

    def pa(self, datum: date) -> ProbleemanalyseOntvangen:
        return ProbleemanalyseOntvangen(**self.basis(datum=datum, mogelijkheden="m", beperkingen="b", advies="a"))

    def melding_42(self, datum: date) -> Uwv42eWeeksmeldingGedaan:
        return Uwv42eWeeksmeldingGedaan(**self.basis(datum=datum))

    def correctie(self, feit: str, oud: str, nieuw: str) -> FeitGecorrigeerd:
        return FeitGecorrigeerd(
            **self.basis(datum=self.e, feit=feit, oude_waarde=oud, nieuwe_waarde=nieuw, reden="verkeerd ingevoerd")
        )

    def afwijking(
        self, code: str, datum: date, reden: str, volgnummer: int | None = None
    ) -> TermijnAfwijkingGemotiveerd:
        return TermijnAfwijkingGemotiveerd(
            **self.basis(datum=datum, termijn_code=code, reden=reden, volgnummer=volgnummer)
        )

    def begeleider(self, id: str) -> BegeleiderToegewezen:
        return BegeleiderToegewezen(
            **self.basis(datum=self.e, begeleider_id=id, begeleider_rol=BegeleiderRol.CASEMANAGER)
        )


@pytest.fixture
def opslag() -> GeheugenOpslag:
    return GeheugenOpslag()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(moment(E))


@pytest.fixture
def bewaking(opslag: GeheugenOpslag, clock: SimulatedClock) -> Termijnbewaking:
    return Termijnbewaking(opslag, clock)


@pytest.fixture
def signalering(opslag: GeheugenOpslag, clock: SimulatedClock) -> Signalering:
    return Signalering(opslag, clock)


# --------------------------------------------------------------------------------------------- recalculation


async def test_an_opened_dossier_gets_its_whole_timeline_each_announced_once(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    pa = opslag.termijn_van(_open(d), C.PROBLEEMANALYSE)
    assert pa.termijn.vervaldatum == date(2025, 2, 17) and pa.termijn.status is S.OPEN
    gepland = opslag.uitgaand(TermijnGepland)
    assert {e.termijn_id for e in gepland} == set(opslag.staat.termijnen)
    assert {e.code for e in gepland} == {c.value for c in TermijnCode}
    assert all(e.event_id == e.termijn_id and e.actor.rol is Rol.SYSTEEM for e in gepland)
    assert pa.volgende_signaal_op == date(2025, 2, 10)  # D7: nadert 7 days before


def _open(d: Dossier) -> DossierGeopend:
    """A DossierGeopend with the dossier's id (for looking termijnen up)."""
    return DossierGeopend(
        event_id=uuid4(), werkgever_id=d.werkgever, geregistreerd_op=moment(d.e), actor=Actor(id="x", rol=Rol.HR),
        dossier_id=d.id, versie=1, werknemer_id=d.werknemer, melding_id=uuid4(), eerste_ziektedag=d.e,
        gemeld_op=moment(d.e),
    )  # fmt: skip


async def test_the_same_event_twice_changes_nothing_the_second_time(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    geopend = d.geopend()
    await bewaking.verwerk(geopend)
    voor = copy.deepcopy(opslag.staat.uitgaand)
    await bewaking.verwerk(geopend)  # redelivery
    await bewaking.verwerk(geopend.model_copy(update={"event_id": uuid4()}))  # the same fact under another id
    assert opslag.staat.uitgaand == voor


async def test_deelherstel_changes_no_termijn(bewaking: Termijnbewaking, opslag: GeheugenOpslag) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    voor = copy.deepcopy(opslag.staat.termijnen)
    await bewaking.verwerk(d.herstel(date(2025, 1, 20), HerstelSoort.GEDEELTELIJK))
    assert opslag.staat.termijnen == voor
    assert len(opslag.staat.dossiers[d.id].deelherstel) == 1


async def test_volledig_herstel_makes_open_termijnen_vervallen_once_and_missed_ones_stay_missed(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 1, 25)))  # ARBODIENST_MELDING (01-12) and BELAFSPRAAK (01-20) have passed
    await signalering.ronde()
    assert opslag.termijn_van(_open(d), C.ARBODIENST_MELDING).termijn.status is S.VERSTREKEN
    volledig = d.herstel(date(2025, 1, 27))
    await bewaking.verwerk(volledig)
    await bewaking.verwerk(volledig)
    pa = opslag.termijn_van(_open(d), C.PROBLEEMANALYSE)
    assert (pa.termijn.status, pa.termijn.reden, pa.volgende_signaal_op) == (
        S.VERVALLEN,
        "volledig hersteld per 2025-01-27",
        None,
    )
    assert opslag.termijn_van(_open(d), C.ARBODIENST_MELDING).termijn.status is S.VERSTREKEN  # D5: only open ones
    vervallen = opslag.uitgaand(TermijnVervallen)
    assert len(vervallen) == len([t for t in opslag.staat.termijnen.values() if t.termijn.status is S.VERVALLEN])
    assert len({e.termijn_id for e in vervallen}) == len(vervallen)


def _zoals_berekend(opslag: GeheugenOpslag, d: Dossier) -> dict[tuple[TermijnCode, int], Termijn]:
    """The pure function's timeline for the dossier's stored events (the what-if calculator gives the same)."""
    feiten = feiten_uit_events([e for e in opslag.staat.events.values() if e.dossier_id == d.id])
    return {t.sleutel: t for t in bereken_tijdlijn(feiten)}


def _opgeslagen(opslag: GeheugenOpslag, d: Dossier) -> dict[tuple[TermijnCode, int], Termijn]:
    return {t.termijn.sleutel: t.termijn for t in opslag.staat.termijnen.values() if t.dossier_id == d.id}


@pytest.mark.parametrize("scheduler_eerst", [True, False])
async def test_at_herstel_what_was_overdue_ends_verstreken_whatever_the_schedulers_timing(
    bewaking: Termijnbewaking,
    signalering: Signalering,
    opslag: GeheugenOpslag,
    clock: SimulatedClock,
    scheduler_eerst: bool,
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 1, 27)))  # ARBODIENST_MELDING (due 01-12) and BELAFSPRAAK (01-20) have passed
    if scheduler_eerst:
        await signalering.ronde()
    await bewaking.verwerk(d.herstel(date(2025, 1, 27)))
    await signalering.ronde()
    opgeslagen = _opgeslagen(opslag, d)
    assert opgeslagen == _zoals_berekend(opslag, d)  # the service and the pure function agree, in every field
    assert {k[0] for k, t in opgeslagen.items() if t.status is S.VERSTREKEN} == {C.ARBODIENST_MELDING, C.BELAFSPRAAK}
    assert {t.status for k, t in opgeslagen.items() if k[0] not in (C.ARBODIENST_MELDING, C.BELAFSPRAAK)} == {
        S.VERVALLEN
    }
    # D7: one verstreken signal each, from the scheduler, with the one id per termijn and due date
    verstreken = opslag.uitgaand(TermijnVerstreken)
    assert sorted(e.code for e in verstreken) == ["ARBODIENST_MELDING", "BELAFSPRAAK"]
    assert {t.volgende_signaal_op for t in opslag.staat.termijnen.values()} == {None}
    assert await signalering.ronde() == 0
    assert opslag.uitgaand(TermijnVervallen, "ARBODIENST_MELDING") == []


async def test_a_herstel_dated_before_a_missed_day_makes_the_termijn_vervallen_after_all(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 2, 20)))
    await signalering.ronde()  # PROBLEEMANALYSE (due 02-17) marked verstreken on 02-18
    assert opslag.termijn_van(_open(d), C.PROBLEEMANALYSE).termijn.status is S.VERSTREKEN
    await bewaking.verwerk(d.herstel(date(2025, 2, 10)))  # recorded late: fit before the probleemanalyse was due
    pa = opslag.termijn_van(_open(d), C.PROBLEEMANALYSE).termijn
    assert (pa.status, pa.reden) == (S.VERVALLEN, "volledig hersteld per 2025-02-10")
    assert _opgeslagen(opslag, d) == _zoals_berekend(opslag, d)
    assert opslag.termijn_van(_open(d), C.ARBODIENST_MELDING).termijn.status is S.VERSTREKEN  # due 01-12: missed


async def test_a_herstel_dated_ahead_of_today_leaves_what_is_not_yet_due_open_until_it_passes(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 1, 10)))
    await bewaking.verwerk(d.herstel(date(2025, 1, 15)))  # ARBODIENST_MELDING is due 01-12: it can still be done
    assert opslag.termijn_van(_open(d), C.ARBODIENST_MELDING).termijn.status is S.OPEN
    clock.set(moment(date(2025, 1, 13)))
    await signalering.ronde()
    assert opslag.termijn_van(_open(d), C.ARBODIENST_MELDING).termijn.status is S.VERSTREKEN
    assert _opgeslagen(opslag, d) == _zoals_berekend(opslag, d)


async def test_a_termijn_planned_already_missed_says_so_in_its_history_and_is_signalled_once(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    await bewaking.verwerk(d.herstel(date(2025, 1, 20)))
    terugval, herstel = d.terugval(date(2025, 2, 3)), d.herstel(date(2025, 3, 20))
    clock.set(moment(date(2025, 3, 25)))
    await bewaking.verwerk(herstel)  # arrives before the relapse it ends: nothing to end yet
    await bewaking.verwerk(terugval)  # the relapse's BELAFSPRAAK (due 02-17) appears, missed before the herstel
    tweede = opslag.termijn_van(_open(d), C.BELAFSPRAAK, 2)
    assert tweede.termijn.status is S.VERSTREKEN
    assert [r.wat for r in opslag.staat.historie if r.termijn_id == tweede.termijn_id] == ["gepland", "verstreken"]
    await signalering.ronde()
    assert [e.volgnummer for e in opslag.uitgaand(TermijnVerstreken, "BELAFSPRAAK")] == [2]
    assert _opgeslagen(opslag, d) == _zoals_berekend(opslag, d)


async def test_a_relapse_moves_the_later_termijnen_by_the_gap_and_reopens_them(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    await bewaking.verwerk(d.herstel(date(2025, 2, 1)))
    clock.set(moment(date(2025, 2, 22)))
    await bewaking.verwerk(d.terugval(date(2025, 2, 22)))  # 21 recovered days
    melding = opslag.termijn_van(_open(d), C.UWV_42E_WEEK_MELDING)
    assert (melding.termijn.vervaldatum, melding.termijn.status) == (date(2025, 11, 17), S.OPEN)
    assert "21 herstelde dag(en)" in melding.termijn.afleiding
    gewijzigd = [e for e in opslag.uitgaand(TermijnGewijzigd, "UWV_42E_WEEK_MELDING")]
    assert [(e.vorige_vervaldatum, e.vervaldatum) for e in gewijzigd] == [(date(2025, 10, 27), date(2025, 11, 17))]
    wat = [r.wat for r in opslag.staat.historie if r.termijn_id == melding.termijn_id]
    assert wat == ["gepland", "vervallen", "heropend"]
    assert melding.volgende_signaal_op == date(2025, 11, 10)


async def test_a_correction_of_the_eerste_ziektedag_recomputes_and_keeps_the_history(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    correctie = d.correctie("eerste_ziektedag", "2025-01-06", "2025-01-03")
    await bewaking.verwerk(correctie)
    pa = opslag.termijn_van(_open(d), C.PROBLEEMANALYSE)
    assert pa.termijn.vervaldatum == date(2025, 2, 14)
    historie = [
        (r.wat, r.vervaldatum, r.oorzaak_event_id) for r in opslag.staat.historie if r.termijn_id == pa.termijn_id
    ]
    assert historie[0][:2] == ("gepland", date(2025, 2, 17))
    assert historie[1] == ("gewijzigd", date(2025, 2, 14), correctie.event_id)
    (gewijzigd,) = opslag.uitgaand(TermijnGewijzigd, "PROBLEEMANALYSE")
    assert "FeitGecorrigeerd" in gewijzigd.reden and "2025-02-17 → 2025-02-14" in gewijzigd.reden


async def test_fulfilment_is_published_with_the_fulfilling_event_and_whether_it_was_on_time(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    pa = d.pa(date(2025, 2, 20))
    await bewaking.verwerk(pa)
    (vervuld,) = opslag.uitgaand(TermijnVervuld, "PROBLEEMANALYSE")
    assert (vervuld.vervuld_op, vervuld.op_tijd, vervuld.bron_event_id) == (date(2025, 2, 20), False, pa.event_id)
    pva = opslag.termijn_van(_open(d), C.PLAN_VAN_AANPAK)
    assert pva.termijn.vervaldatum == date(2025, 3, 6)  # PA + 14


async def test_a_late_fulfilment_turns_a_missed_termijn_into_vervuld_te_laat(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 10, 29)))
    await signalering.ronde()
    assert opslag.termijn_van(_open(d), C.UWV_42E_WEEK_MELDING).termijn.status is S.VERSTREKEN
    await bewaking.verwerk(d.melding_42(date(2025, 10, 29)))
    t = opslag.termijn_van(_open(d), C.UWV_42E_WEEK_MELDING).termijn
    assert (t.status, t.op_tijd) == (S.VERVULD, False)


async def test_a_motivated_deviation_is_published_as_afgeweken(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    await bewaking.verwerk(d.afwijking("PLAN_VAN_AANPAK", date(2025, 3, 1), "geen benutbare mogelijkheden"))
    (afgeweken,) = opslag.uitgaand(TermijnAfgeweken)
    assert (afgeweken.code, afgeweken.reden) == ("PLAN_VAN_AANPAK", "geen benutbare mogelijkheden")
    assert opslag.termijn_van(_open(d), C.PLAN_VAN_AANPAK).volgende_signaal_op is None
    # no plan van aanpak: the evaluaties planned from its due date fall away
    assert {t.termijn.status for t in opslag.staat.termijnen.values() if t.termijn.code is C.EVALUATIE} == {S.VERVALLEN}


async def test_a_belafspraak_deviation_after_a_relapse_ends_the_relapses_belafspraak(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    e = date(2024, 11, 15)
    d = Dossier(e=e)
    await bewaking.verwerk(d.geopend())
    await bewaking.verwerk(d.herstel(e + timedelta(days=20)))
    clock.set(moment(e + timedelta(days=25)))
    await bewaking.verwerk(d.terugval(e + timedelta(days=25)))
    afwijking = d.afwijking("BELAFSPRAAK", e + timedelta(days=27), "werknemer opgenomen, niet bereikbaar")
    await bewaking.verwerk(afwijking)
    een = opslag.termijn_van(_open(d), C.BELAFSPRAAK, 1).termijn
    twee = opslag.termijn_van(_open(d), C.BELAFSPRAAK, 2).termijn
    assert een.status is S.VERSTREKEN  # due 2024-11-29, not called before the herstel on 2024-12-05
    assert (twee.status, twee.bron_event_id) == (S.AFGEWEKEN, afwijking.event_id)
    assert [(x.volgnummer, x.reden) for x in opslag.uitgaand(TermijnAfgeweken)] == [
        (2, "werknemer opgenomen, niet bereikbaar")
    ]


async def test_a_deviation_naming_an_evaluatie_the_grid_lacks_is_a_warning_until_a_fact_makes_it_exist(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag, caplog: pytest.LogCaptureFixture
) -> None:
    d = Dossier()
    opening = d.geopend()
    await bewaking.verwerk(opening)

    def evaluaties() -> dict[int, DossierTermijn]:
        return {t.termijn.volgnummer: t for t in opslag.staat.termijnen.values() if t.termijn.code is C.EVALUATIE}

    aantal = len(evaluaties())
    afwijking = d.afwijking("EVALUATIE", E + timedelta(days=10), "laatste evaluatie vervalt", volgnummer=aantal + 1)
    with caplog.at_level(logging.WARNING, logger="verzuim_deadlines.application"):
        await bewaking.verwerk(afwijking)  # applied to nothing: no error, so the message is acked, not retried
    assert opslag.uitgaand(TermijnAfgeweken) == []
    (waarschuwing,) = opslag.staat.dossiers[d.id].waarschuwingen
    assert waarschuwing.event_id == afwijking.event_id
    assert f"geen termijn EVALUATIE nr. {aantal + 1} (wel nr. 1–{aantal})" in waarschuwing.tekst
    assert any(r.levelno == logging.WARNING and str(afwijking.event_id) in r.getMessage() for r in caplog.records)

    # A probleemanalyse three weeks early brings the plan van aanpak, and so the grid, forward: now it has that one.
    await bewaking.verwerk(d.pa(E + timedelta(days=14)))
    assert len(evaluaties()) == aantal + 1
    t = evaluaties()[aantal + 1].termijn
    assert (t.status, t.bron_event_id) == (S.AFGEWEKEN, afwijking.event_id)
    assert opslag.staat.dossiers[d.id].waarschuwingen == ()
    assert [(x.code, x.volgnummer) for x in opslag.uitgaand(TermijnAfgeweken)] == [("EVALUATIE", aantal + 1)]


async def test_an_event_before_its_dossier_is_retried_and_leaves_nothing_behind(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    geopend = d.geopend()
    herstel = d.herstel(date(2025, 1, 20))
    with pytest.raises(NogNietVerwerkbaar, match="niet bekend"):
        await bewaking.verwerk(herstel)
    assert opslag.staat == Staat()
    await bewaking.verwerk(geopend)
    await bewaking.verwerk(herstel)  # the retry, now that the dossier is known
    assert opslag.termijn_van(geopend, C.PROBLEEMANALYSE).termijn.status is S.VERVALLEN


async def test_a_relapse_before_the_herstel_it_follows_is_retried(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    herstel = d.herstel(date(2025, 1, 20))
    terugval = d.terugval(date(2025, 1, 25))
    with pytest.raises(NogNietVerwerkbaar, match="vorige nog loopt"):
        await bewaking.verwerk(terugval)
    await bewaking.verwerk(herstel)
    await bewaking.verwerk(terugval)
    assert [e.eerste_ziektedag for e in opslag.staat.dossiers[d.id].episodes] == [E, date(2025, 1, 25)]


async def test_an_event_naming_another_werkgevers_dossier_is_refused(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    with pytest.raises(OnverwerkbaarFeit, match="andere werkgever"):
        await bewaking.verwerk(d.herstel(date(2025, 1, 20), werkgever_id="wg-2"))
    assert opslag.termijn_van(_open(d), C.PROBLEEMANALYSE).termijn.status is S.OPEN


async def test_a_hersteldatum_on_the_eerste_ziektedag_is_not_applied(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    with pytest.raises(NogNietVerwerkbaar, match="hersteldatum"):
        await bewaking.verwerk(d.herstel(E))
    assert opslag.termijn_van(_open(d), C.PROBLEEMANALYSE).termijn.status is S.OPEN


async def test_the_casemanager_follows_the_begeleider_on_every_termijn(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    await bewaking.verwerk(d.begeleider("cm-7"))
    assert {t.casemanager_id for t in opslag.staat.termijnen.values()} == {"cm-7"}


async def test_new_rules_recompute_running_dossiers_and_their_reminders(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    lopend, hersteld = Dossier(), Dossier(werknemer="wn-2")
    await bewaking.verwerk(lopend.geopend())
    await bewaking.verwerk(hersteld.geopend())
    await bewaking.verwerk(hersteld.herstel(date(2025, 1, 10)))
    regels = Werkgeverregels(arbodienst_melding_ziektedag=4, nadert_dagen={C.PROBLEEMANALYSE: 14})
    versie, gemarkeerd = await bewaking.zet_regels("wg-1", regels, "hr-1")
    assert (versie, gemarkeerd) == (1, 1)  # the recovered dossier keeps the timeline it ended with
    assert await bewaking.herbereken_gemarkeerde("wg-1") == 1
    assert opslag.termijn_van(_open(lopend), C.ARBODIENST_MELDING).termijn.vervaldatum == date(2025, 1, 9)
    assert opslag.termijn_van(_open(lopend), C.PROBLEEMANALYSE).volgende_signaal_op == date(2025, 2, 3)
    assert opslag.termijn_van(_open(hersteld), C.ARBODIENST_MELDING).termijn.vervaldatum == date(2025, 1, 12)
    assert await bewaking.herbereken_gemarkeerde("wg-1") == 0


# --------------------------------------------------------------------------------------------- the scheduler


async def test_nadert_then_verstreken_each_once_per_due_date_in_date_order(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 2, 10)))
    await signalering.ronde()
    nadert = opslag.uitgaand(TermijnNadert, "PROBLEEMANALYSE")
    assert [(e.vervaldatum, e.dagen_resterend) for e in nadert] == [(date(2025, 2, 17), 7)]
    assert await signalering.ronde() == 0  # nothing twice
    clock.set(moment(date(2025, 2, 17)))
    await signalering.ronde()
    assert opslag.uitgaand(TermijnVerstreken, "PROBLEEMANALYSE") == []  # due today: not missed yet
    clock.set(moment(date(2025, 2, 18)))
    await signalering.ronde()
    (verstreken,) = opslag.uitgaand(TermijnVerstreken, "PROBLEEMANALYSE")
    assert verstreken.vervaldatum == date(2025, 2, 17)
    assert opslag.termijn_van(_open(d), C.PROBLEEMANALYSE).termijn.status is S.VERSTREKEN
    signalen = [e for e in opslag.staat.uitgaand.values() if isinstance(e, TermijnNadert | TermijnVerstreken)]
    dagen = [
        e.vervaldatum - timedelta(days=7) if isinstance(e, TermijnNadert) else e.vervaldatum + timedelta(1)
        for e in signalen
    ]
    assert dagen == sorted(dagen)  # caught up in date order


async def test_a_moved_termijn_gets_its_signals_again_for_its_new_date(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 2, 11)))
    await signalering.ronde()  # nadert for 2025-02-17
    await bewaking.verwerk(d.correctie("eerste_ziektedag", "2025-01-06", "2025-01-13"))
    clock.set(moment(date(2025, 2, 17)))
    await signalering.ronde()
    nadert = opslag.uitgaand(TermijnNadert, "PROBLEEMANALYSE")
    assert [e.vervaldatum for e in nadert] == [date(2025, 2, 17), date(2025, 2, 24)]
    assert opslag.uitgaand(TermijnVerstreken, "PROBLEEMANALYSE") == []


async def test_a_termijn_moved_there_and_back_gets_no_second_nadert_for_a_date_it_had_one_for(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 2, 11)))
    await signalering.ronde()  # nadert for A = 2025-02-17
    await bewaking.verwerk(d.correctie("eerste_ziektedag", "2025-01-06", "2025-01-13"))  # A → B = 2025-02-24
    clock.set(moment(date(2025, 2, 17)))
    await signalering.ronde()  # nadert for B
    await bewaking.verwerk(d.correctie("eerste_ziektedag", "2025-01-13", "2025-01-06"))  # B → A again
    assert await signalering.ronde() == 0  # A had its nadert: not again, whatever an outbox or NATS would drop
    clock.set(moment(date(2025, 2, 18)))
    await signalering.ronde()  # but A's verstreken, once
    pa = opslag.termijn_van(_open(d), C.PROBLEEMANALYSE)
    signalen = [
        (type(e).__name__, e.vervaldatum)
        for e in opslag.staat.verstuurd
        if isinstance(e, TermijnNadert | TermijnVerstreken) and e.termijn_id == pa.termijn_id
    ]
    assert signalen == [
        ("TermijnNadert", date(2025, 2, 17)),
        ("TermijnNadert", date(2025, 2, 24)),
        ("TermijnVerstreken", date(2025, 2, 17)),
    ]
    assert pa.nadert_verstuurd == {date(2025, 2, 17), date(2025, 2, 24)}
    assert [r.wat for r in opslag.staat.historie if r.termijn_id == pa.termijn_id].count("nadert") == 2


async def test_a_missed_termijn_moved_ahead_and_back_is_missed_again_without_a_second_signal(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(moment(date(2025, 2, 18)))
    await signalering.ronde()  # PROBLEEMANALYSE (due A = 02-17): nadert and verstreken
    await bewaking.verwerk(d.correctie("eerste_ziektedag", "2025-01-06", "2025-01-20"))  # → 03-03: open again
    assert opslag.termijn_van(_open(d), C.PROBLEEMANALYSE).termijn.status is S.OPEN
    await bewaking.verwerk(d.correctie("eerste_ziektedag", "2025-01-20", "2025-01-06"))  # back to A
    pa = opslag.termijn_van(_open(d), C.PROBLEEMANALYSE)
    assert (pa.termijn.status, pa.volgende_signaal_op) == (S.VERSTREKEN, None)  # missed, and already reported
    await signalering.ronde()  # (other termijnen moved too; this one has nothing left to signal)
    signalen = [
        (type(e).__name__, e.vervaldatum)
        for e in opslag.staat.verstuurd
        if isinstance(e, TermijnNadert | TermijnVerstreken) and e.termijn_id == pa.termijn_id
    ]
    assert signalen == [("TermijnNadert", date(2025, 2, 17)), ("TermijnVerstreken", date(2025, 2, 17))]


async def test_a_fulfilled_termijn_is_never_signalled_as_missed(
    bewaking: Termijnbewaking, signalering: Signalering, opslag: GeheugenOpslag, clock: SimulatedClock
) -> None:
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    await bewaking.verwerk(d.pa(date(2025, 2, 12)))
    clock.set(moment(date(2025, 3, 1)))
    await signalering.ronde()
    assert opslag.uitgaand(TermijnVerstreken, "PROBLEEMANALYSE") == []


# --------------------------------------------------------------------------------------------- reading and personeel


def _personeel(werknemer: str, afdeling: str, seq: int, lg: str | None = None, vanaf: date = E) -> Event:
    return MedewerkerGegevensGewijzigd(
        event_id=uuid4(), werkgever_id="wg-1", geregistreerd_op=moment(E), actor=Actor(id="hr", rol=Rol.HR),
        werknemer_id=werknemer, geldig_vanaf=vanaf, naam="N", afdeling_id=afdeling, contracturen=32, voltijduren=40,
        leidinggevende_id=lg,
    )  # fmt: skip


async def test_the_personeel_projection_keeps_the_newest_data_whatever_the_order(opslag: GeheugenOpslag) -> None:
    projectie = Personeelprojectie(opslag)
    await projectie.verwerk(_personeel("wn-1", "kantoor", seq=5, vanaf=date(2025, 3, 1)), 5)
    await projectie.verwerk(_personeel("wn-1", "magazijn", seq=3, vanaf=date(2025, 1, 1)), 3)  # older, redelivered late
    assert opslag.staat.medewerkers[("wg-1", "wn-1")].afdeling_id == "kantoor"
    indienst = MedewerkerInDienst(
        event_id=uuid4(), werkgever_id="wg-1", geregistreerd_op=moment(E), actor=Actor(id="hr", rol=Rol.HR),
        werknemer_id="wn-2", datum_in_dienst=date(2020, 1, 1), naam="N", afdeling_id="magazijn", contracturen=32,
        voltijduren=40,
    )  # fmt: skip
    await projectie.verwerk(indienst, 6)
    afdeling = AfdelingVastgelegd(
        event_id=uuid4(), werkgever_id="wg-1", geregistreerd_op=moment(E), actor=Actor(id="hr", rol=Rol.HR),
        afdeling_id="magazijn", naam="Magazijn", leidinggevende_id="lg-1",
    )  # fmt: skip
    await projectie.verwerk(afdeling, 7)
    await projectie.verwerk(replace_afdeling(afdeling, "lg-oud"), 2)  # older snapshot: ignored
    assert opslag.staat.afdelingen[("wg-1", "magazijn")].leidinggevende_id == "lg-1"
    assert opslag.staat.medewerkers[("wg-1", "wn-2")].afdeling_id == "magazijn"


def replace_afdeling(event: AfdelingVastgelegd, lg: str) -> AfdelingVastgelegd:
    return event.model_copy(update={"event_id": uuid4(), "leidinggevende_id": lg})


async def test_who_sees_what(bewaking: Termijnbewaking, opslag: GeheugenOpslag) -> None:
    d = Dossier(werknemer="wn-1")
    await bewaking.verwerk(d.geopend())
    projectie = Personeelprojectie(opslag)
    await projectie.verwerk(_personeel("wn-1", "magazijn", 1), 1)
    await projectie.verwerk(
        AfdelingVastgelegd(
            event_id=uuid4(),
            werkgever_id="wg-1",
            geregistreerd_op=moment(E),
            actor=Actor(id="hr", rol=Rol.HR),
            afdeling_id="magazijn",
            naam="Magazijn",
            leidinggevende_id="lg-1",
        ),
        2,
    )
    overzicht = Termijnoverzicht(opslag)
    eigen = await overzicht.van_dossier(Principal("wn-1", Rol.WERKNEMER, "wg-1"), d.id)
    assert len(eigen.termijnen) == len(opslag.staat.termijnen)
    await overzicht.van_dossier(Principal("lg-1", Rol.LEIDINGGEVENDE, "wg-1"), d.id)  # their own team
    for wie in (
        Principal("wn-2", Rol.WERKNEMER, "wg-1"),
        Principal("lg-2", Rol.LEIDINGGEVENDE, "wg-1"),
        Principal("hr-2", Rol.HR, "wg-2"),
    ):
        with pytest.raises(DossierNietGevonden):
            await overzicht.van_dossier(wie, d.id)
    ander = Principal("wn-2", Rol.WERKNEMER, "wg-1")
    assert await overzicht.werklijst(ander, Werklijstfilter()) == []
    assert await overzicht.werklijst(ander, Werklijstfilter(werknemer_id="wn-1")) == []
    assert await overzicht.werklijst(Principal("lg-2", Rol.LEIDINGGEVENDE, "wg-1"), Werklijstfilter()) == []
    assert len(await overzicht.werklijst(Principal("lg-1", Rol.LEIDINGGEVENDE, "wg-1"), Werklijstfilter())) > 0
    assert len(await overzicht.werklijst(Principal("hr-1", Rol.HR, "wg-1"), Werklijstfilter())) > 0
    termijn, historie = await overzicht.termijn(Principal("hr-1", Rol.HR, "wg-1"), termijn_id(d.id, C.PROBLEEMANALYSE))
    assert termijn.termijn.code is C.PROBLEEMANALYSE and [r.wat for r in historie] == ["gepland"]

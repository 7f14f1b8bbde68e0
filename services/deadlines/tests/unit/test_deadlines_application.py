"""The use cases against an in-memory store that commits or rolls back like a transaction."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from verzuim_deadlines.application import (
    DossierNietGevonden,
    DossierTermijn,
    NogNietVerwerkbaar,
    OnverwerkbaarFeit,
    Termijnbewaking,
    Termijnoverzicht,
    Werklijstfilter,
)
from verzuim_deadlines.domain import DossierFeiten, TermijnCode, TermijnStatus, termijn_id
from verzuim_shared.auth import Principal
from verzuim_shared.clock import SimulatedClock
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

NU = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)
E = date(2025, 1, 6)


@dataclass
class Staat:
    verwerkt: set[UUID] = field(default_factory=set)
    dossiers: dict[UUID, DossierFeiten] = field(default_factory=dict)
    herstellen: dict[UUID, HerstelGeregistreerd] = field(default_factory=dict)
    termijnen: dict[UUID, DossierTermijn] = field(default_factory=dict)
    uitgaand: dict[UUID, Event] = field(default_factory=dict)


class GeheugenBoek:
    def __init__(self, staat: Staat) -> None:
        self.staat = staat

    async def markeer_verwerkt(self, event: Event) -> bool:
        if event.event_id in self.staat.verwerkt:
            return False
        self.staat.verwerkt.add(event.event_id)
        return True

    async def dossier(self, dossier_id: UUID) -> DossierFeiten | None:
        return self.staat.dossiers.get(dossier_id)

    async def bewaar_dossier(self, feiten: DossierFeiten, versie: int, nu: datetime) -> None:
        self.staat.dossiers[feiten.dossier_id] = feiten

    async def bewaar_herstel(self, herstel: HerstelGeregistreerd) -> None:
        self.staat.herstellen.setdefault(herstel.herstel_id, herstel)

    async def termijnen(self, dossier_id: UUID) -> list[DossierTermijn]:
        return [t for t in self.staat.termijnen.values() if t.dossier_id == dossier_id]

    async def plan(self, termijn: DossierTermijn) -> bool:
        if termijn.termijn_id in self.staat.termijnen:
            return False
        self.staat.termijnen[termijn.termijn_id] = termijn
        return True

    async def werk_bij(self, termijn: DossierTermijn) -> None:
        self.staat.termijnen[termijn.termijn_id] = termijn

    async def verstuur(self, event: Event) -> None:
        self.staat.uitgaand.setdefault(event.event_id, event)


class GeheugenOpslag:
    """Works on a copy and keeps it only when the block ends without an exception."""

    def __init__(self) -> None:
        self.staat = Staat()
        self.commits = 0

    @contextlib.asynccontextmanager
    async def transactie(self) -> AsyncIterator[GeheugenBoek]:
        werkkopie = copy.deepcopy(self.staat)
        yield GeheugenBoek(werkkopie)
        self.staat = werkkopie
        self.commits += 1

    # the reading side, on the committed state
    async def dossier(self, werkgever_id: str, dossier_id: UUID) -> DossierFeiten | None:
        feiten = self.staat.dossiers.get(dossier_id)
        return feiten if feiten is not None and feiten.werkgever_id == werkgever_id else None

    async def termijnen_van_dossier(self, werkgever_id: str, dossier_id: UUID) -> list[DossierTermijn]:
        sleutel = (werkgever_id, dossier_id)
        return [t for t in self.staat.termijnen.values() if (t.werkgever_id, t.dossier_id) == sleutel]

    async def werklijst(self, werkgever_id: str, filter: Werklijstfilter) -> list[DossierTermijn]:
        return [
            t
            for t in self.staat.termijnen.values()
            if t.werkgever_id == werkgever_id and filter.werknemer_id in (None, t.werknemer_id)
        ]


@pytest.fixture
def opslag() -> GeheugenOpslag:
    return GeheugenOpslag()


@pytest.fixture
def bewaking(opslag: GeheugenOpslag) -> Termijnbewaking:
    return Termijnbewaking(opslag, SimulatedClock(NU))


def geopend(dossier_id: UUID | None = None, werkgever: str = "wg-1", werknemer: str = "wn-1") -> DossierGeopend:
    return DossierGeopend(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=NU,
        actor=Actor(id="hr-1", rol=Rol.HR),
        dossier_id=dossier_id or uuid4(),
        versie=1,
        werknemer_id=werknemer,
        melding_id=uuid4(),
        eerste_ziektedag=E,
        gemeld_op=NU,
    )


def herstel(
    dossier: DossierGeopend, soort: HerstelSoort, hersteldatum: date, werkgever: str | None = None
) -> HerstelGeregistreerd:
    return HerstelGeregistreerd(
        event_id=uuid4(),
        werkgever_id=werkgever or dossier.werkgever_id,
        geregistreerd_op=NU,
        actor=Actor(id="hr-1", rol=Rol.HR),
        dossier_id=dossier.dossier_id,
        versie=2,
        werknemer_id=dossier.werknemer_id,
        herstel_id=uuid4(),
        soort=soort,
        hersteldatum=hersteldatum,
        arbeidsongeschiktheidspercentage=0 if soort is HerstelSoort.VOLLEDIG else 50,
    )


def episode(dossier: DossierGeopend, eerste_ziektedag: date) -> EpisodeToegevoegd:
    return EpisodeToegevoegd(
        event_id=uuid4(),
        werkgever_id=dossier.werkgever_id,
        geregistreerd_op=NU,
        actor=Actor(id="hr-1", rol=Rol.HR),
        dossier_id=dossier.dossier_id,
        versie=3,
        werknemer_id=dossier.werknemer_id,
        datum=eerste_ziektedag,
        melding_id=uuid4(),
        eerste_ziektedag=eerste_ziektedag,
        gemeld_op=NU,
        hersteld_dagen_tussen=5,
    )


def pa(opslag: GeheugenOpslag, dossier: DossierGeopend) -> DossierTermijn:
    return opslag.staat.termijnen[termijn_id(dossier.dossier_id, TermijnCode.PROBLEEMANALYSE)]


async def test_an_opened_dossier_gets_its_probleemanalyse_and_a_termijn_gepland(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    dossier = geopend()
    await bewaking.verwerk(dossier)
    termijn = pa(opslag, dossier)
    assert termijn.termijn.vervaldatum == date(2025, 2, 17) and termijn.termijn.status is TermijnStatus.OPEN
    assert termijn.gepland_op == NU and termijn.werknemer_id == "wn-1"
    (event,) = opslag.staat.uitgaand.values()
    assert isinstance(event, TermijnGepland)
    assert event.event_id == event.termijn_id == termijn.termijn_id
    assert (event.code, event.vervaldatum, event.werkgever_id) == ("PROBLEEMANALYSE", date(2025, 2, 17), "wg-1")
    assert event.actor.rol is Rol.SYSTEEM


async def test_the_same_opening_twice_plans_and_announces_once(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    dossier = geopend()
    await bewaking.verwerk(dossier)
    await bewaking.verwerk(dossier)  # redelivery
    await bewaking.verwerk(dossier.model_copy(update={"event_id": uuid4()}))  # the same fact under another id
    assert len(opslag.staat.termijnen) == 1
    assert len(opslag.staat.uitgaand) == 1


async def test_deelherstel_changes_no_termijn(bewaking: Termijnbewaking, opslag: GeheugenOpslag) -> None:
    dossier = geopend()
    await bewaking.verwerk(dossier)
    deel = herstel(dossier, HerstelSoort.GEDEELTELIJK, date(2025, 1, 20))
    await bewaking.verwerk(deel)
    assert pa(opslag, dossier).termijn.status is TermijnStatus.OPEN
    assert opslag.staat.herstellen[deel.herstel_id] == deel  # the fact is kept
    assert opslag.staat.dossiers[dossier.dossier_id].hersteldatum is None
    assert len(opslag.staat.uitgaand) == 1


async def test_volledig_herstel_makes_open_termijnen_vervallen_once(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    dossier = geopend()
    await bewaking.verwerk(dossier)
    volledig = herstel(dossier, HerstelSoort.VOLLEDIG, date(2025, 1, 20))
    await bewaking.verwerk(volledig)
    await bewaking.verwerk(volledig)  # redelivery
    termijn = pa(opslag, dossier)
    assert termijn.termijn.status is TermijnStatus.VERVALLEN
    assert termijn.termijn.reden == "volledig hersteld per 2025-01-20"
    assert opslag.staat.dossiers[dossier.dossier_id].hersteldatum == date(2025, 1, 20)
    vervallen = [e for e in opslag.staat.uitgaand.values() if isinstance(e, TermijnVervallen)]
    assert len(vervallen) == 1
    assert vervallen[0].termijn_id == termijn.termijn_id and vervallen[0].reden == termijn.termijn.reden


async def test_a_herstel_before_its_dossier_waits_and_leaves_nothing_behind(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    dossier = geopend()
    volledig = herstel(dossier, HerstelSoort.VOLLEDIG, date(2025, 1, 20))
    with pytest.raises(NogNietVerwerkbaar):
        await bewaking.verwerk(volledig)
    assert opslag.staat == Staat()
    await bewaking.verwerk(dossier)
    await bewaking.verwerk(volledig)  # the retry, now that the dossier is known
    assert pa(opslag, dossier).termijn.status is TermijnStatus.VERVALLEN


async def test_a_herstel_naming_another_werkgevers_dossier_is_refused(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    dossier = geopend()
    await bewaking.verwerk(dossier)
    with pytest.raises(OnverwerkbaarFeit, match="andere werkgever"):
        await bewaking.verwerk(herstel(dossier, HerstelSoort.VOLLEDIG, date(2025, 1, 20), werkgever="wg-2"))
    assert pa(opslag, dossier).termijn.status is TermijnStatus.OPEN


async def test_a_hersteldatum_on_the_eerste_ziektedag_is_refused(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    dossier = geopend()
    await bewaking.verwerk(dossier)
    with pytest.raises(OnverwerkbaarFeit, match="hersteldatum"):
        await bewaking.verwerk(herstel(dossier, HerstelSoort.VOLLEDIG, E))
    assert pa(opslag, dossier).termijn.status is TermijnStatus.OPEN


async def test_a_relapse_is_recorded_as_a_new_episode_after_the_herstel(
    bewaking: Termijnbewaking, opslag: GeheugenOpslag
) -> None:
    dossier = geopend()
    await bewaking.verwerk(dossier)
    terugval = episode(dossier, date(2025, 1, 25))
    with pytest.raises(NogNietVerwerkbaar):
        await bewaking.verwerk(terugval)  # the herstel before it has not arrived yet
    await bewaking.verwerk(herstel(dossier, HerstelSoort.VOLLEDIG, date(2025, 1, 20)))
    await bewaking.verwerk(terugval)
    await bewaking.verwerk(terugval.model_copy(update={"event_id": uuid4()}))
    feiten = opslag.staat.dossiers[dossier.dossier_id]
    assert [e.eerste_ziektedag for e in feiten.episodes] == [E, date(2025, 1, 25)]
    assert feiten.hersteldatum is None


async def test_a_werknemer_sees_only_their_own_dossier(bewaking: Termijnbewaking, opslag: GeheugenOpslag) -> None:
    dossier = geopend(werknemer="wn-1")
    await bewaking.verwerk(dossier)
    overzicht = Termijnoverzicht(opslag)
    eigen = await overzicht.van_dossier(Principal("wn-1", Rol.WERKNEMER, "wg-1"), dossier.dossier_id)
    assert [t.termijn.code for t in eigen.termijnen] == [TermijnCode.PROBLEEMANALYSE]
    with pytest.raises(DossierNietGevonden):
        await overzicht.van_dossier(Principal("wn-2", Rol.WERKNEMER, "wg-1"), dossier.dossier_id)
    with pytest.raises(DossierNietGevonden):
        await overzicht.van_dossier(Principal("hr-2", Rol.HR, "wg-2"), dossier.dossier_id)
    ander = Principal("wn-2", Rol.WERKNEMER, "wg-1")
    assert await overzicht.werklijst(ander, Werklijstfilter()) == []
    assert await overzicht.werklijst(ander, Werklijstfilter(werknemer_id="wn-1")) == []
    assert len(await overzicht.werklijst(Principal("hr-1", Rol.HR, "wg-1"), Werklijstfilter())) == 1

"""The use cases over in-memory stores (the PostgreSQL versions are covered by the integration tests)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from verzuim_notifications.adapters.sjablonen import Sjablonen
from verzuim_notifications.application import BronEvent, Notificaties, PersoneelProjectie
from verzuim_notifications.domain.berichten import Bericht
from verzuim_notifications.domain.personeel import Afdeling, Medewerker
from verzuim_notifications.domain.routering import Kanaal, Ontvanger, PersoneelNogNietBekend
from verzuim_shared.clock import SimulatedClock
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    DossierGeopend,
    HerstelGeregistreerd,
    HerstelSoort,
    MedewerkerInDienst,
    Rol,
)
from verzuim_shared.ids import new_id

WG = "wg-1"
NU = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


class GeheugenPersoneel:
    def __init__(self) -> None:
        self.medewerkers: dict[tuple[str, str], Medewerker] = {}
        self.afdelingen: dict[tuple[str, str], Afdeling] = {}

    async def medewerker(self, werkgever_id: str, werknemer_id: str) -> Medewerker | None:
        return self.medewerkers.get((werkgever_id, werknemer_id))

    async def afdeling(self, werkgever_id: str, afdeling_id: str) -> Afdeling | None:
        return self.afdelingen.get((werkgever_id, afdeling_id))

    async def wijzig_medewerker(
        self, werkgever_id: str, werknemer_id: str, wijziging: Callable[[Medewerker | None], Medewerker]
    ) -> None:
        key = (werkgever_id, werknemer_id)
        self.medewerkers[key] = wijziging(self.medewerkers.get(key))

    async def wijzig_afdeling(
        self, werkgever_id: str, afdeling_id: str, wijziging: Callable[[Afdeling | None], Afdeling]
    ) -> None:
        key = (werkgever_id, afdeling_id)
        self.afdelingen[key] = wijziging(self.afdelingen.get(key))


class GeheugenLog:
    def __init__(self) -> None:
        self.verwerkt: dict[UUID, BronEvent] = {}
        self.berichten: list[Bericht] = []

    async def is_verwerkt(self, event_id: UUID) -> bool:
        return event_id in self.verwerkt

    async def leg_vast(self, bron: BronEvent, berichten: Sequence[Bericht]) -> bool:
        if bron.event_id in self.verwerkt:
            return False
        self.verwerkt[bron.event_id] = bron
        self.berichten.extend(berichten)
        return True


def basis() -> dict[str, object]:
    return {
        "event_id": new_id(),
        "werkgever_id": WG,
        "geregistreerd_op": NU,
        "actor": Actor(id="hr-1", rol=Rol.HR),
    }


def geopend(werknemer_id: str = "wn-1") -> DossierGeopend:
    return DossierGeopend(
        **basis(),  # type: ignore[arg-type]
        dossier_id=uuid4(),
        versie=1,
        werknemer_id=werknemer_id,
        melding_id=uuid4(),
        eerste_ziektedag=date(2025, 1, 6),
        gemeld_op=datetime(2025, 1, 6, 7, 30, tzinfo=UTC),
    )


@pytest.fixture
def personeel() -> GeheugenPersoneel:
    return GeheugenPersoneel()


@pytest.fixture
def berichtenlog() -> GeheugenLog:
    return GeheugenLog()


@pytest.fixture
def notificaties(personeel: GeheugenPersoneel, berichtenlog: GeheugenLog) -> Notificaties:
    return Notificaties(
        personeel,
        berichtenlog,
        Sjablonen(),
        SimulatedClock(NU),
        public_url_cases="http://cases.example",
        fallback_rol=Rol.HR,
    )


async def vul_personeel(personeel: GeheugenPersoneel) -> None:
    projectie = PersoneelProjectie(personeel)
    await projectie.verwerk(
        AfdelingVastgelegd(**basis(), afdeling_id="magazijn", naam="Magazijn", leidinggevende_id="lg-magazijn"),  # type: ignore[arg-type]
        1,
    )
    await projectie.verwerk(
        MedewerkerInDienst(
            **basis(),  # type: ignore[arg-type]
            werknemer_id="wn-1",
            datum_in_dienst=date(2020, 1, 1),
            naam="Anouk de Vries",
            afdeling_id="magazijn",
            contracturen=32,
            voltijduren=40,
        ),
        2,
    )


async def test_a_dossier_geopend_puts_one_message_in_the_leidinggevendes_inbox(
    notificaties: Notificaties, personeel: GeheugenPersoneel, berichtenlog: GeheugenLog
) -> None:
    await vul_personeel(personeel)
    event = geopend()
    await notificaties.verwerk(event, laatste_poging=False)
    [bericht] = berichtenlog.berichten
    assert bericht.bestemming.ontvanger == Ontvanger(Rol.LEIDINGGEVENDE, "lg-magazijn")
    assert bericht.bestemming.kanaal is Kanaal.INBOX
    assert (bericht.werkgever_id, bericht.bron_event_id, bericht.dossier_id) == (WG, event.event_id, event.dossier_id)
    assert bericht.link == f"http://cases.example/v1/dossiers/{event.dossier_id}"
    assert bericht.deadline == date(2025, 1, 6)
    assert bericht.aangemaakt_op == NU
    assert "Anouk de Vries" in bericht.tekst
    assert berichtenlog.verwerkt[event.event_id].subject == "verzuim.dossier.v1.dossier-geopend"


async def test_the_same_event_again_changes_nothing_even_when_the_personeel_data_changed(
    notificaties: Notificaties, personeel: GeheugenPersoneel, berichtenlog: GeheugenLog
) -> None:
    event = geopend()
    await notificaties.verwerk(event, laatste_poging=True)  # to hr: nothing known yet
    await vul_personeel(personeel)
    await notificaties.verwerk(event, laatste_poging=False)
    assert [b.bestemming.ontvanger for b in berichtenlog.berichten] == [Ontvanger(Rol.HR, None)]


async def test_unknown_personeel_waits_and_then_falls_back(
    notificaties: Notificaties, berichtenlog: GeheugenLog
) -> None:
    event = geopend()
    with pytest.raises(PersoneelNogNietBekend):
        await notificaties.verwerk(event, laatste_poging=False)
    assert berichtenlog.berichten == []
    await notificaties.verwerk(event, laatste_poging=True)
    [bericht] = berichtenlog.berichten
    assert bericht.bestemming.ontvanger == Ontvanger(Rol.HR, None)
    assert "geen leidinggevende bekend" in bericht.tekst


async def test_other_dossier_facts_send_nothing_yet(notificaties: Notificaties, berichtenlog: GeheugenLog) -> None:
    herstel = HerstelGeregistreerd(
        **basis(),  # type: ignore[arg-type]
        dossier_id=uuid4(),
        versie=2,
        werknemer_id="wn-1",
        herstel_id=uuid4(),
        soort=HerstelSoort.VOLLEDIG,
        hersteldatum=date(2025, 1, 9),
        arbeidsongeschiktheidspercentage=0,
    )
    await notificaties.verwerk(herstel, laatste_poging=True)
    assert berichtenlog.berichten == [] and berichtenlog.verwerkt == {}

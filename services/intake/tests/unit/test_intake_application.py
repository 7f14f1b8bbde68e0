"""The use cases with in-memory ports: access rules, idempotency and the sync counts, without NATS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any

import pytest
from verzuim_intake.application import IdempotencyRecord, Intake, OpgeslagenInstellingen
from verzuim_intake.domain.commands import Afdeling, Herstelmelding, Medewerker, MeldtijdInstellingen, Ziekmelding
from verzuim_intake.domain.fouten import (
    BerichtenbusNietBeschikbaar,
    GeenToegang,
    IdempotencyKeyHergebruikt,
    OngeldigeInvoer,
)
from verzuim_intake.domain.identiteit import vingerafdruk
from verzuim_intake.domain.meldtijd import Meldtijden
from verzuim_shared.auth import Principal
from verzuim_shared.clock import SimulatedClock
from verzuim_shared.events import (
    Event,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    Rol,
    ZiekGemeld,
)
from verzuim_shared.ids import derived_id, melding_id_for_request


class GeheugenPublisher:
    """Keeps what was published and, like JetStream, reports a message id it already has as duplicate."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def publish(self, event: Event) -> bool:
        if any(e.event_id == event.event_id for e in self.events):
            return True
        self.events.append(event)
        return False

    async def publish_all(self, events: Sequence[Event]) -> list[bool]:
        return [await self.publish(e) for e in events]


class GeheugenIdempotency:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str, str], IdempotencyRecord] = {}

    async def claim(self, soort: str, werkgever_id: str, key: str, record: IdempotencyRecord) -> IdempotencyRecord:
        return self.records.setdefault((soort, werkgever_id, key), record)

    def vergeet_alles(self) -> None:
        """What the KV TTL does after `idempotency_ttl_s`."""
        self.records.clear()


class GeheugenPersoneel:
    def __init__(self) -> None:
        self.waarden: dict[tuple[str, str, str], str] = {}

    async def lees(self, werkgever_id: str, soort: str, ids: Sequence[str]) -> dict[str, str]:
        return {i: self.waarden[(werkgever_id, soort, i)] for i in ids if (werkgever_id, soort, i) in self.waarden}

    async def onthoud(self, werkgever_id: str, soort: str, waarden: Mapping[str, str]) -> None:
        self.waarden.update({(werkgever_id, soort, i): w for i, w in waarden.items()})


class GeheugenInstellingen:
    def __init__(self) -> None:
        self.opgeslagen: dict[str, OpgeslagenInstellingen] = {}

    async def get(self, werkgever_id: str) -> OpgeslagenInstellingen | None:
        return self.opgeslagen.get(werkgever_id)

    async def put(self, instellingen: OpgeslagenInstellingen) -> None:
        self.opgeslagen[instellingen.werkgever_id] = instellingen


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2025, 3, 3, 11, 0, tzinfo=UTC))


@pytest.fixture
def publisher() -> GeheugenPublisher:
    return GeheugenPublisher()


def maak_intake(
    publisher: GeheugenPublisher,
    clock: SimulatedClock,
    idempotency: GeheugenIdempotency | None = None,
    personeel: GeheugenPersoneel | None = None,
) -> Intake:
    return Intake(
        publisher=publisher,
        idempotency=idempotency or GeheugenIdempotency(),
        instellingen=GeheugenInstellingen(),
        personeel=personeel or GeheugenPersoneel(),
        clock=clock,
        standaard_meldtijden=Meldtijden(leidinggevende=time(9, 0), verzuim_support=time(10, 0)),
        herstel_max_dagen_vooruit=7,
    )


@pytest.fixture
def intake(publisher: GeheugenPublisher, clock: SimulatedClock) -> Intake:
    return maak_intake(publisher, clock)


HR = Principal(id="hr-1", rol=Rol.HR, werkgever_id="wg-1")


def ziekmelding(**overrides: Any) -> Ziekmelding:
    data: dict[str, Any] = {
        "werkgever_id": "wg-1",
        "werknemer_id": "wn-1",
        "eerste_ziektedag": "2025-03-03",
        "gemeld_op": "2025-03-03T08:30:00+01:00",
        "gemeld_door": {"id": "wn-1", "rol": "werknemer"},
        "bereikbaarheid": {"telefoon": "0612345678"},
    }
    data.update(overrides)
    return Ziekmelding.model_validate(data)


async def test_a_ziekmelding_becomes_one_ziekgemeld(intake: Intake, publisher: GeheugenPublisher) -> None:
    ontvangen = await intake.meld_ziek(HR, ziekmelding(gemeld_op="2025-03-03T09:10:00+01:00"))
    (event,) = publisher.events
    assert isinstance(event, ZiekGemeld)
    assert event.melding_id == ontvangen.melding_id
    assert event.event_id == derived_id("ziek-gemeld", ontvangen.melding_id)
    assert event.actor.id == "hr-1" and event.werkgever_id == "wg-1"
    assert event.na_meldtijd and ontvangen.na_meldtijd
    assert event.meldtijd_grens.isoformat() == "2025-03-03T09:00:00+01:00"


async def test_the_werkgevers_own_meldtijd_applies(intake: Intake) -> None:
    await intake.wijzig_instellingen(
        HR,
        "wg-1",
        MeldtijdInstellingen.model_validate({"meldtijd_leidinggevende": "09:30", "meldtijd_verzuim_support": "11:00"}),
    )
    ontvangen = await intake.meld_ziek(HR, ziekmelding(gemeld_op="2025-03-03T09:10:00+01:00"))
    assert not ontvangen.na_meldtijd
    assert ontvangen.meldtijd_grens.isoformat() == "2025-03-03T09:30:00+01:00"
    assert (await intake.instellingen("wg-2")).standaard


async def test_the_same_idempotency_key_gives_the_same_fact(
    intake: Intake, publisher: GeheugenPublisher, clock: SimulatedClock
) -> None:
    first = await intake.meld_ziek(HR, ziekmelding(), "key-1")
    clock.set(datetime(2025, 3, 3, 11, 30, tzinfo=UTC))
    second = await intake.meld_ziek(HR, ziekmelding(), "key-1")
    assert first == second
    assert first.melding_id == melding_id_for_request("wg-1", "key-1", vingerafdruk(ziekmelding()))
    assert len(publisher.events) == 1


async def test_a_retry_republishes_the_first_fact_exactly(clock: SimulatedClock) -> None:
    class Onthouder(GeheugenPublisher):
        async def publish(self, event: Event) -> bool:
            self.events.append(event)
            return False

    onthouder = Onthouder()
    intake = maak_intake(onthouder, clock)
    await intake.meld_ziek(HR, ziekmelding(), "key-1")
    clock.set(datetime(2025, 3, 3, 11, 45, tzinfo=UTC))
    await intake.meld_ziek(HR, ziekmelding(), "key-1")
    assert onthouder.events[0] == onthouder.events[1]  # same geregistreerd_op, so the same message


async def test_the_same_key_with_another_body_is_refused(intake: Intake, publisher: GeheugenPublisher) -> None:
    await intake.meld_ziek(HR, ziekmelding(), "key-1")
    with pytest.raises(IdempotencyKeyHergebruikt, match="key-1"):
        await intake.meld_ziek(HR, ziekmelding(werknemer_id="wn-2"), "key-1")
    assert len(publisher.events) == 1


async def test_a_key_reused_after_it_expired_gives_another_request_its_own_melding(clock: SimulatedClock) -> None:
    """After the TTL the store has forgotten the key. Another ziekmelding under it must not take the first one's id
    (cases would drop it as a redelivery); a late retry of the first request must still map to the first id."""
    publisher = GeheugenPublisher()
    sleutels = GeheugenIdempotency()
    intake = maak_intake(publisher, clock, sleutels)
    eerste = await intake.meld_ziek(HR, ziekmelding(), "key-1")

    clock.set(datetime(2025, 3, 5, 11, 0, tzinfo=UTC))
    sleutels.vergeet_alles()
    nieuw = ziekmelding(werknemer_id="wn-2", eerste_ziektedag="2025-03-05", gemeld_op="2025-03-05T08:00:00+01:00")
    andere = await intake.meld_ziek(HR, nieuw, "key-1")
    assert andere.melding_id != eerste.melding_id
    assert [e.melding_id for e in publisher.events if isinstance(e, ZiekGemeld)] == [
        eerste.melding_id,
        andere.melding_id,
    ]
    # within the window the key now belongs to the second request: the first body is refused again
    with pytest.raises(IdempotencyKeyHergebruikt):
        await intake.meld_ziek(HR, ziekmelding(), "key-1")

    sleutels.vergeet_alles()
    laat = await intake.meld_ziek(HR, ziekmelding(), "key-1")
    assert laat.melding_id == eerste.melding_id
    assert len(publisher.events) == 2  # the same event id again: a duplicate for JetStream, a redelivery for cases


async def test_a_herstel_key_reused_after_it_expired_gets_its_own_herstel_id(clock: SimulatedClock) -> None:
    publisher = GeheugenPublisher()
    sleutels = GeheugenIdempotency()
    intake = maak_intake(publisher, clock, sleutels)
    herstel = {
        "werkgever_id": "wg-1",
        "werknemer_id": "wn-1",
        "soort": "volledig",
        "hersteldatum": "2025-03-03",
        "gemeld_op": "2025-03-03T10:00:00+01:00",
        "gemeld_door": {"id": "hr-1", "rol": "hr"},
    }
    eerste = await intake.meld_herstel(HR, Herstelmelding.model_validate(herstel), "herstel-1")
    sleutels.vergeet_alles()
    ander = Herstelmelding.model_validate({**herstel, "werknemer_id": "wn-7"})
    assert (await intake.meld_herstel(HR, ander, "herstel-1")).herstel_id != eerste.herstel_id
    sleutels.vergeet_alles()
    opnieuw = await intake.meld_herstel(HR, Herstelmelding.model_validate(herstel), "herstel-1")
    assert opnieuw.herstel_id == eerste.herstel_id
    assert len(publisher.events) == 2


def test_the_fingerprint_ignores_key_order_and_defaults_but_not_content() -> None:
    a = ziekmelding()
    b = Ziekmelding.model_validate(
        dict(reversed(list({**a.model_dump(mode="json"), "gemeld_bij": "leidinggevende"}.items())))
    )
    assert vingerafdruk(a) == vingerafdruk(b)
    assert vingerafdruk(a) != vingerafdruk(ziekmelding(arbeidsongeval=True))
    assert vingerafdruk(a) != vingerafdruk(ziekmelding(werknemer_id="wn-2"))


async def test_keys_are_per_werkgever(intake: Intake) -> None:
    other = Principal(id="hr-9", rol=Rol.HR, werkgever_id="wg-9")
    a = await intake.meld_ziek(HR, ziekmelding(), "key-1")
    b = await intake.meld_ziek(other, ziekmelding(werkgever_id="wg-9", werknemer_id="wn-2"), "key-1")
    assert a.melding_id != b.melding_id


async def test_another_werkgever_is_forbidden(intake: Intake, publisher: GeheugenPublisher) -> None:
    with pytest.raises(GeenToegang, match="wg-1"):
        await intake.meld_ziek(HR, ziekmelding(werkgever_id="wg-2"))
    with pytest.raises(GeenToegang):
        await intake.bekijk_instellingen(HR, "wg-2")
    assert publisher.events == []


async def test_a_werknemer_reports_only_himself(intake: Intake, publisher: GeheugenPublisher) -> None:
    werknemer = Principal(id="wn-1", rol=Rol.WERKNEMER, werkgever_id="wg-1")
    await intake.meld_ziek(werknemer, ziekmelding())
    with pytest.raises(GeenToegang, match="alleen jezelf"):
        iemand_anders = ziekmelding(werknemer_id="wn-2", gemeld_door={"id": "wn-2", "rol": "werknemer"})
        await intake.meld_ziek(werknemer, iemand_anders)
    with pytest.raises(GeenToegang, match="gemeld_door"):
        await intake.meld_ziek(werknemer, ziekmelding(gemeld_door={"id": "lg-1", "rol": "leidinggevende"}))
    assert len(publisher.events) == 1


async def test_a_broken_rule_publishes_nothing(intake: Intake, publisher: GeheugenPublisher) -> None:
    with pytest.raises(OngeldigeInvoer, match="eerste_ziektedag"):
        await intake.meld_ziek(HR, ziekmelding(eerste_ziektedag="2025-03-04"))
    assert publisher.events == []


def medewerker(werknemer_id: str, **overrides: Any) -> Medewerker:
    data: dict[str, Any] = {
        "werknemer_id": werknemer_id,
        "naam": f"Medewerker {werknemer_id}",
        "afdeling_id": "magazijn",
        "contracturen": 32,
        "voltijduren": 40,
        "datum_in_dienst": "2020-01-01",
    }
    data.update(overrides)
    return Medewerker.model_validate(data)


async def test_sync_publishes_per_medewerker_and_an_identical_resync_is_unchanged(
    intake: Intake, publisher: GeheugenPublisher
) -> None:
    items = [medewerker("wn-1"), medewerker("wn-2", datum_uit_dienst="2025-06-30")]
    eerste = await intake.synchroniseer_medewerkers(HR, items)
    assert (eerste.ontvangen, eerste.gepubliceerd, eerste.ongewijzigd) == (2, 2, 0)
    assert eerste.berichten_gepubliceerd == 5 and eerste.berichten_ongewijzigd == 0
    assert [type(e) for e in publisher.events] == [
        MedewerkerInDienst,
        MedewerkerGegevensGewijzigd,
        MedewerkerInDienst,
        MedewerkerGegevensGewijzigd,
        MedewerkerUitDienst,
    ]
    gewijzigd = publisher.events[1]
    assert isinstance(gewijzigd, MedewerkerGegevensGewijzigd) and str(gewijzigd.geldig_vanaf) == "2025-03-03"

    tweede = await intake.synchroniseer_medewerkers(HR, items)
    assert (tweede.ontvangen, tweede.gepubliceerd, tweede.ongewijzigd) == (2, 0, 2)
    assert tweede.berichten_ongewijzigd == 5

    # one changed field: only that medewerker's snapshot is new
    derde = await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1", contracturen=24), items[1]])
    assert (derde.gepubliceerd, derde.ongewijzigd, derde.berichten_gepubliceerd) == (1, 1, 1)
    assert isinstance(publisher.events[-1], MedewerkerGegevensGewijzigd)
    assert publisher.events[-1].contracturen == 24


async def test_afdelingen_are_deduplicated_by_content(intake: Intake, publisher: GeheugenPublisher) -> None:
    afdelingen = [Afdeling(afdeling_id="magazijn", naam="Magazijn", leidinggevende_id="lg-1")]
    assert (await intake.leg_afdelingen_vast(HR, afdelingen)).gepubliceerd == 1
    assert (await intake.leg_afdelingen_vast(HR, afdelingen)).ongewijzigd == 1
    hernoemd = [Afdeling(afdeling_id="magazijn", naam="Magazijn Noord", leidinggevende_id="lg-1")]
    assert (await intake.leg_afdelingen_vast(HR, hernoemd)).gepubliceerd == 1
    assert len(publisher.events) == 2


class EchteJetStream(GeheugenPublisher):
    """Like JetStream after its dedupe window (24 h): a message id it saw days ago is stored again."""

    async def publish(self, event: Event) -> bool:
        self.events.append(event)
        return False


async def test_an_unchanged_daily_sync_publishes_nothing_on_the_next_day(clock: SimulatedClock) -> None:
    publisher = EchteJetStream()
    intake = maak_intake(publisher, clock)
    items = [medewerker("wn-1"), medewerker("wn-2", datum_uit_dienst="2025-06-30")]
    eerste = await intake.synchroniseer_medewerkers(HR, items)
    assert eerste.berichten_gepubliceerd == 5

    clock.set(datetime(2025, 3, 4, 6, 0, tzinfo=UTC))  # the next morning's sync, same data, no geldig_vanaf
    tweede = await intake.synchroniseer_medewerkers(HR, items)
    assert (tweede.gepubliceerd, tweede.ongewijzigd, tweede.berichten_ongewijzigd) == (0, 2, 5)
    assert len(publisher.events) == 5

    # a real change a day later: one snapshot, valid from that day
    clock.set(datetime(2025, 3, 5, 6, 0, tzinfo=UTC))
    derde = await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1", contracturen=24), items[1]])
    assert (derde.gepubliceerd, derde.berichten_gepubliceerd, derde.berichten_ongewijzigd) == (1, 1, 4)
    gewijzigd = publisher.events[-1]
    assert isinstance(gewijzigd, MedewerkerGegevensGewijzigd)
    assert (gewijzigd.werknemer_id, gewijzigd.contracturen, str(gewijzigd.geldig_vanaf)) == ("wn-1", 24, "2025-03-05")

    # and back on the day after: that is a change too, with its own id
    clock.set(datetime(2025, 3, 6, 6, 0, tzinfo=UTC))
    vierde = await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1")])
    assert vierde.berichten_gepubliceerd == 1
    terug = publisher.events[-1]
    assert isinstance(terug, MedewerkerGegevensGewijzigd) and str(terug.geldig_vanaf) == "2025-03-06"
    assert len({e.event_id for e in publisher.events}) == len(publisher.events) == 7


async def test_an_explicit_geldig_vanaf_is_a_change_of_its_own(clock: SimulatedClock) -> None:
    publisher = EchteJetStream()
    intake = maak_intake(publisher, clock)
    await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1", geldig_vanaf="2025-01-01")])
    clock.set(datetime(2025, 3, 4, 6, 0, tzinfo=UTC))
    assert (await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1", geldig_vanaf="2025-01-01")])).ongewijzigd
    # leaving the date out later is no change either: the data are the same
    assert (await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1")])).ongewijzigd == 1
    # the same data with another explicit date are published with that date
    await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1", geldig_vanaf="2025-02-01")])
    gewijzigd = publisher.events[-1]
    assert isinstance(gewijzigd, MedewerkerGegevensGewijzigd) and str(gewijzigd.geldig_vanaf) == "2025-02-01"
    assert len(publisher.events) == 3


async def test_a_change_undone_on_the_same_day_is_published_both_ways(
    intake: Intake, publisher: GeheugenPublisher
) -> None:
    """A -> B -> A within JetStream's dedupe window: the last A gets an id of its own (it replaces B), so consumers
    end with A rather than B."""
    await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1")])
    await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1", afdeling_id="kantoor")])
    terug = await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1")])
    assert terug.berichten_gepubliceerd == 1
    snapshots = [e for e in publisher.events if isinstance(e, MedewerkerGegevensGewijzigd)]
    assert [e.afdeling_id for e in snapshots] == ["magazijn", "kantoor", "magazijn"]


async def test_an_unchanged_afdeling_is_not_published_again_on_another_day(clock: SimulatedClock) -> None:
    publisher = EchteJetStream()
    intake = maak_intake(publisher, clock)
    afdelingen = [Afdeling(afdeling_id="magazijn", naam="Magazijn", leidinggevende_id="lg-1")]
    await intake.leg_afdelingen_vast(HR, afdelingen)
    clock.set(datetime(2025, 3, 10, 6, 0, tzinfo=UTC))
    assert (await intake.leg_afdelingen_vast(HR, afdelingen)).ongewijzigd == 1
    assert len(publisher.events) == 1


async def test_a_sync_that_failed_to_publish_is_not_remembered(clock: SimulatedClock) -> None:
    class Storing(GeheugenPublisher):
        async def publish_all(self, events: Sequence[Event]) -> list[bool]:
            raise BerichtenbusNietBeschikbaar("NATS weg")

    geheugen = GeheugenPersoneel()
    intake = maak_intake(Storing(), clock, personeel=geheugen)
    with pytest.raises(BerichtenbusNietBeschikbaar):
        await intake.synchroniseer_medewerkers(HR, [medewerker("wn-1")])
    assert geheugen.waarden == {}  # the retry publishes everything again

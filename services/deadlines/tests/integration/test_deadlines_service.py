"""The deadlines service on real NATS and a fresh PostgreSQL database: dossier and personeel events published as the
cases and intake services publish them, the termijnen observed through the HTTP API and on the termijn stream.

These tests get a NATS server of their own (module-scoped): they publish dossiers no other service's consumer can
place, and on the session's shared server those would be retried by the other services' durable consumers and
change the order in which their own tests' messages are processed."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import nats
import psycopg
import pytest
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import SecretStr
from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.adapters.opslag import PostgresOpslag
from verzuim_deadlines.application import Signalering
from verzuim_deadlines.bootstrap import create_app
from verzuim_deadlines.domain import TermijnCode, termijn_id
from verzuim_deadlines.entrypoints.worker import DOSSIER_CONSUMER
from verzuim_deadlines.settings import DeadlinesSettings
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.testing import eventually
from verzuim_shared.clock import SimulatedClock
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    HerstelSoort,
    MedewerkerInDienst,
    Rol,
)
from verzuim_shared.events.dossier import (
    BegeleiderRol,
    BegeleiderToegewezen,
    EpisodeToegevoegd,
    FeitGecorrigeerd,
    ProbleemanalyseOntvangen,
    TermijnAfwijkingGemotiveerd,
)
from verzuim_shared.messaging import ensure_streams, publish_event
from verzuim_shared.subjects import Stream

E = date(2025, 1, 6)  # decisions D1: PROBLEEMANALYSE due 2025-02-17
# The service's clock: before E, so its own scheduler has nothing to signal until a test moves the clock.
START = datetime(2024, 12, 2, 8, tzinfo=UTC)
PA_GRONDSLAG = "Regeling procesgang eerste en tweede ziektejaar, art. 2 lid 2 (binnen zes weken)"


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = NatsServer(tmp_path_factory.mktemp("deadlines-nats")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def deadlines_settings(nats_url: str, database_url: str, jwt_secret: str) -> DeadlinesSettings:
    return DeadlinesSettings(
        nats_url=nats_url,
        database_url=database_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        consumer_max_deliver=4,
        consumer_backoff_s=(0.05, 0.2),
        consumer_ack_wait_s=10,
        outbox_poll_interval_s=0.2,
        clock=f"simulated:{START.isoformat()}",
        scheduler_max_wacht_op_feiten_s=5,
    )


@pytest.fixture
def deadlines(deadlines_settings: DeadlinesSettings) -> Iterator[TestClient]:
    """The deadlines service, lifespan included (schema, streams, durable consumers, outbox relay, scheduler)."""
    with TestClient(create_app(deadlines_settings)) as client:
        yield client


@pytest.fixture
async def publisher(nats_url: str, deadlines_settings: DeadlinesSettings) -> AsyncIterator[NatsBroker]:
    broker = NatsBroker(nats_url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), deadlines_settings)
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def token(token_factory: Callable[..., str], werkgever: str) -> Callable[[str, str], dict[str, str]]:
    def headers(rol: str = "hr", sub: str = "hr-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {token_factory(sub=sub, rol=rol, werkgever_id=werkgever)}"}

    return headers


@pytest.fixture
def headers(token: Callable[[str, str], dict[str, str]]) -> dict[str, str]:
    return token("hr", "hr-1")


class Dossier:
    """The dossier events of one dossier, with increasing versions, as the cases service publishes them."""

    def __init__(self, werkgever: str, werknemer: str = "wn-1", e: date = E) -> None:
        self.id = uuid4()
        self.werkgever, self.werknemer, self.e = werkgever, werknemer, e
        self.versie = 0

    def basis(self, **extra: Any) -> dict[str, Any]:
        self.versie += 1
        return {
            "event_id": uuid4(),
            "werkgever_id": self.werkgever,
            "geregistreerd_op": datetime.now(UTC),
            "actor": Actor(id="hr-1", rol=Rol.HR),
            "dossier_id": self.id,
            "versie": self.versie,
            "werknemer_id": self.werknemer,
            **extra,
        }

    def geopend(self) -> DossierGeopend:
        gemeld = datetime.combine(self.e, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7)
        return DossierGeopend(**self.basis(melding_id=uuid4(), eerste_ziektedag=self.e, gemeld_op=gemeld))

    def herstel(self, soort: HerstelSoort, datum: date, **extra: Any) -> HerstelGeregistreerd:
        pct = 0 if soort is HerstelSoort.VOLLEDIG else 40
        return HerstelGeregistreerd(
            **self.basis(
                herstel_id=uuid4(), soort=soort, hersteldatum=datum, arbeidsongeschiktheidspercentage=pct, **extra
            )
        )


async def publish(broker: NatsBroker, *events: Event, msg_id: str | None = None) -> int:
    last = 0
    for event in events:
        last = (await publish_event(broker, event, source="urn:verzuim:cases", msg_id=msg_id)).sequence
    return last


def termijnen_of(client: TestClient, dossier_id: UUID, headers: dict[str, str]) -> list[dict[str, Any]] | None:
    r = client.get(f"/v1/dossiers/{dossier_id}/termijnen", headers=headers)
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return list(r.json()["termijnen"])


def per_code(termijnen: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {t["code"]: t for t in termijnen if t["volgnummer"] == 1}


async def termijn_messages(nats_url: str, werkgever: str, subject: str = "verzuim.termijn.v1.>") -> list[Any]:
    """Every termijn event of this werkgever on the stream, read from the start with an ephemeral consumer."""
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            subject,
            durable=None,
            stream=Stream.TERMIJN.jetstream_name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        found = []
        while True:
            try:
                batch = await sub.fetch(500, timeout=1)
            except TimeoutError:  # nothing more to read (asyncio's and nats' timeouts are both TimeoutError)
                break
            for msg in batch:
                if json.loads(msg.data)["werkgever_id"] == werkgever:
                    found.append(msg)
                await msg.ack()
        return found
    finally:
        await nc.close()


async def consumer_handled(nats_url: str, stream_sequence: int, stream: Stream = Stream.DOSSIER) -> bool:
    """The durable consumer acked every message up to and including this stream sequence."""
    nc = await nats.connect(nats_url)
    try:
        durable = DOSSIER_CONSUMER if stream is Stream.DOSSIER else "deadlines-personeel"
        info = await nc.jetstream().consumer_info(stream.jetstream_name, durable)
        return info.ack_floor is not None and (info.ack_floor.stream_seq or 0) >= stream_sequence
    finally:
        await nc.close()


# --------------------------------------------------------------------------------------------- recalculation


async def test_an_opened_dossier_gets_its_whole_timeline_via_the_api_and_the_termijn_stream(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    d = Dossier(werkgever)
    await publish(publisher, d.geopend())

    termijnen = await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)
    t = per_code(termijnen)
    assert {c: t[c]["vervaldatum"] for c in ("ARBODIENST_MELDING", "PROBLEEMANALYSE", "UWV_42E_WEEK_MELDING")} == {
        "ARBODIENST_MELDING": "2025-01-12",
        "PROBLEEMANALYSE": "2025-02-17",
        "UWV_42E_WEEK_MELDING": "2025-10-27",
    }
    pa = t["PROBLEEMANALYSE"]
    assert pa["termijn_id"] == str(termijn_id(d.id, TermijnCode.PROBLEEMANALYSE))
    assert (pa["status"], pa["grondslag"], pa["volgende_signaal_op"]) == ("open", PA_GRONDSLAG, "2025-02-10")
    assert pa["afleiding"] == "ziektedag 43 (na 6 weken) van dit verzuim, eerste ziektedag 2025-01-06: 2025-02-17"

    body = deadlines.get(f"/v1/dossiers/{d.id}/termijnen", headers=headers).json()
    assert body["eerste_ziektedag"] == "2025-01-06" and body["hersteldatum"] is None
    assert body["episodes"] == [{"eerste_ziektedag": "2025-01-06", "hersteldatum": None}]

    def gepland() -> Any:
        async def lees() -> list[Any]:
            return await termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.gepland")

        return lees()

    berichten = await eventually(lambda: _length(gepland(), len(termijnen)), timeout=30)
    msg = next(m for m in berichten if json.loads(m.data)["code"] == "PROBLEEMANALYSE")
    assert msg.headers["Nats-Msg-Id"] == msg.headers["ce-id"] == pa["termijn_id"]
    assert msg.headers["ce-source"] == "urn:verzuim:deadlines"
    data = json.loads(msg.data)
    assert (data["vervaldatum"], data["grondslag"], data["volgnummer"]) == ("2025-02-17", PA_GRONDSLAG, 1)


async def _length(coro: Any, n: int) -> list[Any] | None:
    found: list[Any] = await coro
    return found if len(found) >= n else None


async def test_a_redelivered_dossier_geopend_plans_and_announces_nothing_twice(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    d = Dossier(werkgever)
    geopend = d.geopend()
    await publish(publisher, geopend)
    termijnen = await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)
    await eventually(
        lambda: _length(termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.gepland"), len(termijnen)), timeout=30
    )

    # A copy beyond JetStream's dedupe (another Nats-Msg-Id): the consumer itself must not act twice.
    again = await publish(publisher, geopend, msg_id=f"redelivery-{uuid4()}")
    await eventually(lambda: consumer_handled(nats_url, again), timeout=30)
    assert len(termijnen_of(deadlines, d.id, headers) or []) == len(termijnen)
    berichten = await termijn_messages(nats_url, werkgever)  # (the scheduler may have sent a nadert meanwhile)
    assert len([m for m in berichten if m.subject.endswith(".gepland")]) == len(termijnen)
    assert len({m.headers["Nats-Msg-Id"] for m in berichten}) == len(berichten)


async def test_deelherstel_moves_nothing_volledig_herstel_ends_open_termijnen_a_relapse_reopens_them(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    d = Dossier(werkgever)
    await publish(publisher, d.geopend())
    voor = await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)

    deel = await publish(publisher, d.herstel(HerstelSoort.GEDEELTELIJK, date(2025, 1, 20)))
    await eventually(lambda: consumer_handled(nats_url, deel), timeout=30)

    def kern(termijnen: list[dict[str, Any]] | None) -> list[tuple[Any, ...]]:
        return [(t["code"], t["volgnummer"], t["vervaldatum"], t["status"], t["afleiding"]) for t in termijnen or []]

    assert kern(termijnen_of(deadlines, d.id, headers)) == kern(voor)  # decisions D5

    volledig = d.herstel(HerstelSoort.VOLLEDIG, date(2025, 2, 3))
    await publish(publisher, volledig)

    def pa_status(status: str) -> dict[str, Any] | None:
        t = per_code(termijnen_of(deadlines, d.id, headers) or [])["PROBLEEMANALYSE"]
        return t if t["status"] == status else None

    pa = await eventually(lambda: pa_status("vervallen"), timeout=30)
    assert pa["reden"] == "volledig hersteld per 2025-02-03" and pa["vervaldatum"] == "2025-02-17"
    vervallen = await eventually(
        lambda: termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.vervallen"), timeout=30
    )
    assert any(json.loads(m.data)["termijn_id"] == pa["termijn_id"] for m in vervallen)

    # the herstel redelivered: nothing changes twice
    again = await publish(publisher, volledig, msg_id=f"redelivery-{uuid4()}")
    await eventually(lambda: consumer_handled(nats_url, again), timeout=30)

    # a relapse after 14 recovered days (samentelling): the same clock goes on, 14 days later
    terug = date(2025, 2, 17)
    gemeld = datetime.combine(terug, datetime.min.time(), UTC) + timedelta(hours=7)
    episode = EpisodeToegevoegd(
        **d.basis(datum=terug, melding_id=uuid4(), eerste_ziektedag=terug, gemeld_op=gemeld, hersteld_dagen_tussen=14)
    )
    await publish(publisher, episode)
    pa = await eventually(lambda: pa_status("open"), timeout=30)
    assert pa["vervaldatum"] == "2025-03-03"
    assert "14 herstelde dag(en) tussen episodes niet meegeteld" in pa["afleiding"]
    historie = deadlines.get(f"/v1/termijnen/{pa['termijn_id']}", headers=headers).json()["historie"]
    assert [r["wat"] for r in historie] == ["gepland", "vervallen", "heropend"]
    assert historie[2]["oorzaak_event_id"] == str(episode.event_id)
    gewijzigd = await eventually(
        lambda: termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.gewijzigd"), timeout=30
    )
    assert any(
        json.loads(m.data)["termijn_id"] == pa["termijn_id"]
        and json.loads(m.data)["vorige_vervaldatum"] == "2025-02-17"
        for m in gewijzigd
    )
    assert len(await termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.vervallen")) == len(vervallen)


async def test_a_correction_and_a_fulfilment_recompute_and_are_kept_in_the_history(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    d = Dossier(werkgever)
    await publish(publisher, d.geopend())
    await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)
    correctie = FeitGecorrigeerd(
        **d.basis(
            datum=E, feit="eerste_ziektedag", oude_waarde="2025-01-06", nieuwe_waarde="2025-01-02", reden="typfout"
        )
    )
    pa_event = ProbleemanalyseOntvangen(
        **d.basis(datum=date(2025, 2, 14), mogelijkheden="halve dagen", beperkingen="niet tillen", advies="opbouwen")
    )
    await publish(publisher, correctie, pa_event)

    def vervuld() -> dict[str, Any] | None:
        t = per_code(termijnen_of(deadlines, d.id, headers) or [])
        return t if t["PROBLEEMANALYSE"]["status"] == "vervuld" else None

    t = await eventually(vervuld, timeout=30)
    pa = t["PROBLEEMANALYSE"]
    assert (pa["vervaldatum"], pa["vervuld_op"], pa["op_tijd"], pa["bron_event_id"]) == (
        "2025-02-13",
        "2025-02-14",
        False,
        str(pa_event.event_id),
    )
    assert t["PLAN_VAN_AANPAK"]["vervaldatum"] == "2025-02-28"  # PA + 14
    historie = deadlines.get(f"/v1/dossiers/{d.id}/termijnen/historie", headers=headers).json()
    eigen = [(r["wat"], r["vervaldatum"]) for r in historie if r["termijn_id"] == pa["termijn_id"]]
    assert eigen == [("gepland", "2025-02-17"), ("gewijzigd", "2025-02-13"), ("vervuld", "2025-02-13")]

    messages = await eventually(lambda: termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.vervuld"), timeout=30)
    data = next(json.loads(m.data) for m in messages if json.loads(m.data)["code"] == "PROBLEEMANALYSE")
    assert (data["vervuld_op"], data["op_tijd"], data["bron_event_id"]) == ("2025-02-14", False, str(pa_event.event_id))


async def test_a_deviation_naming_its_occurrence_ends_that_one_and_one_naming_none_is_acked_and_shown(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    """BELAFSPRAAK nr. 1 motivated after a relapse ends the first melding's belafspraak, not the relapse's; a
    deviation naming a belafspraak the dossier does not have changes nothing, is not retried or dead-lettered, and
    is listed with the dossier's warnings."""
    d = Dossier(werkgever)
    terug = E + timedelta(days=25)
    gemeld = datetime.combine(terug, datetime.min.time(), UTC) + timedelta(hours=7)
    await publish(
        publisher,
        d.geopend(),
        d.herstel(HerstelSoort.VOLLEDIG, E + timedelta(days=20)),
        EpisodeToegevoegd(
            **d.basis(
                datum=terug, melding_id=uuid4(), eerste_ziektedag=terug, gemeld_op=gemeld, hersteld_dagen_tussen=5
            )
        ),
    )
    genoemd = TermijnAfwijkingGemotiveerd(
        **d.basis(
            datum=terug + timedelta(days=3), termijn_code="BELAFSPRAAK", reden="achteraf: onbereikbaar", volgnummer=1
        )
    )
    geen = TermijnAfwijkingGemotiveerd(
        **d.basis(datum=terug + timedelta(days=4), termijn_code="BELAFSPRAAK", reden="welke?", volgnummer=3)
    )
    laatste = await publish(publisher, genoemd, geen)
    await eventually(lambda: consumer_handled(nats_url, laatste), timeout=30)

    r = deadlines.get(f"/v1/dossiers/{d.id}/termijnen", headers=headers)
    assert r.status_code == 200, r.text
    bel = {t["volgnummer"]: t for t in r.json()["termijnen"] if t["code"] == "BELAFSPRAAK"}
    assert (bel[1]["status"], bel[1]["reden"], bel[1]["bron_event_id"]) == (
        "afgeweken",
        "achteraf: onbereikbaar",
        str(genoemd.event_id),
    )
    assert (sorted(bel), bel[2]["status"]) == ([1, 2], "open")
    (waarschuwing,) = r.json()["waarschuwingen"]
    assert waarschuwing["event_id"] == str(geen.event_id)
    assert "geen termijn BELAFSPRAAK nr. 3 (wel nr. 1–2)" in waarschuwing["tekst"]
    afgeweken = await eventually(
        lambda: termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.afgeweken"), timeout=30
    )
    assert [(json.loads(m.data)["code"], json.loads(m.data)["volgnummer"]) for m in afgeweken] == [("BELAFSPRAAK", 1)]


# --------------------------------------------------------------------------------------------- bad input


async def test_a_herstel_that_names_another_werkgevers_dossier_is_dead_lettered_at_once_with_the_reason(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    d = Dossier(werkgever)
    await publish(publisher, d.geopend())
    await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)
    foreign = d.herstel(HerstelSoort.VOLLEDIG, date(2025, 2, 3), werkgever_id=f"{werkgever}-x")
    msg = await _dead_letter_of(nats_url, publisher, foreign)
    assert "andere werkgever" in msg.headers["verzuim-dead-letter-reason"]
    assert msg.headers["verzuim-attempts"] == "1"
    assert per_code(termijnen_of(deadlines, d.id, headers) or [])["PROBLEEMANALYSE"]["status"] == "open"


async def test_an_event_whose_dossier_never_opens_is_retried_then_dead_lettered_with_the_reason(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str
) -> None:
    wees = Dossier(werkgever)
    wees.versie = 1  # its DossierGeopend never comes
    msg = await _dead_letter_of(nats_url, publisher, wees.herstel(HerstelSoort.VOLLEDIG, date(2025, 2, 3)))
    assert "niet bekend" in msg.headers["verzuim-dead-letter-reason"]
    assert msg.headers["verzuim-attempts"] == "4"  # consumer_max_deliver


async def _dead_letter_of(nats_url: str, publisher: NatsBroker, event: Event) -> Any:
    nc = await nats.connect(nats_url)
    try:
        dead = await nc.jetstream().pull_subscribe(
            f"verzuim.deadletter.v1.{DOSSIER_CONSUMER}",
            durable=None,
            stream=Stream.DEADLETTER.jetstream_name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, inactive_threshold=60),
        )
        await publish(publisher, event)

        async def dead_letter() -> Any:
            try:
                batch = await dead.fetch(10, timeout=1)
            except TimeoutError:
                return None
            for msg in batch:
                await msg.ack()
                if json.loads(msg.data)["event_id"] == str(event.event_id):
                    return msg
            return None

        return await eventually(dead_letter, timeout=60)
    finally:
        await nc.close()


# --------------------------------------------------------------------------------------------- reading


async def test_another_werkgever_sees_nothing_and_every_endpoint_needs_a_token(
    deadlines: TestClient,
    publisher: NatsBroker,
    werkgever: str,
    headers: dict[str, str],
    token_factory: Callable[..., str],
) -> None:
    d = Dossier(werkgever)
    await publish(publisher, d.geopend())
    termijnen = await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)

    other = {"Authorization": f"Bearer {token_factory(sub='hr-9', rol='hr', werkgever_id=f'{werkgever}-ander')}"}
    r = deadlines.get(f"/v1/dossiers/{d.id}/termijnen", headers=other)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert str(d.id) in r.json()["detail"]
    assert deadlines.get("/v1/termijnen", headers=other).json() == {"termijnen": []}
    assert deadlines.get(f"/v1/termijnen/{termijnen[0]['termijn_id']}", headers=other).status_code == 404
    verboden = deadlines.get("/v1/termijnen", params={"werkgever": werkgever}, headers=other)
    assert verboden.status_code == 403 and "eigen werkgever" in verboden.json()["detail"]
    assert deadlines.get(f"/v1/dossiers/{uuid4()}/termijnen", headers=headers).status_code == 404
    for path in (f"/v1/dossiers/{d.id}/termijnen", "/v1/termijnen", "/v1/tijdlijn?eerste_ziektedag=2025-01-06"):
        assert deadlines.get(path).status_code == 401


async def test_the_werklijst_per_status_date_code_werknemer_afdeling_casemanager_and_leidinggevende(
    deadlines: TestClient,
    publisher: NatsBroker,
    nats_url: str,
    werkgever: str,
    token: Callable[[str, str], dict[str, str]],
) -> None:
    headers = token("hr", "hr-1")
    hr = Actor(id="hr-1", rol=Rol.HR)
    personeel: list[Event] = [
        AfdelingVastgelegd(
            event_id=uuid4(), werkgever_id=werkgever, geregistreerd_op=datetime.now(UTC), actor=hr,
            afdeling_id="magazijn", naam="Magazijn", leidinggevende_id="lg-magazijn",
        ),
        *(
            MedewerkerInDienst(
                event_id=uuid4(), werkgever_id=werkgever, geregistreerd_op=datetime.now(UTC), actor=hr,
                werknemer_id=wn, datum_in_dienst=date(2020, 1, 1), naam=f"Medewerker {wn}", afdeling_id=afd,
                contracturen=32, voltijduren=40,
            )
            for wn, afd in (("wn-1", "magazijn"), ("wn-2", "kantoor"), ("wn-3", "magazijn"))
        ),
    ]  # fmt: skip
    seq = 0
    for event in personeel:
        seq = (await publish_event(publisher, event, source="urn:verzuim:intake")).sequence
    vroeg = Dossier(werkgever, "wn-1", date(2025, 1, 6))  # PA 2025-02-17
    laat = Dossier(werkgever, "wn-2", date(2025, 3, 3))  # PA 2025-04-14
    hersteld = Dossier(werkgever, "wn-3", date(2025, 2, 3))  # PA 2025-03-17, vervallen below
    toegewezen = BegeleiderToegewezen(
        **laat.basis(datum=date(2025, 3, 3), begeleider_id="cm-1", begeleider_rol=BegeleiderRol.CASEMANAGER)
    )
    await publish(
        publisher,
        vroeg.geopend(),
        laat.geopend(),
        hersteld.geopend(),
        hersteld.herstel(HerstelSoort.VOLLEDIG, date(2025, 2, 10)),
        toegewezen,
    )
    await eventually(lambda: consumer_handled(nats_url, seq, Stream.PERSONEEL), timeout=30)

    def werklijst(h: dict[str, str] = headers, **params: str) -> list[tuple[str, str, str]]:
        r = deadlines.get("/v1/termijnen", params={"code": "PROBLEEMANALYSE", **params}, headers=h)
        assert r.status_code == 200, r.text
        return [(t["werknemer_id"], t["vervaldatum"], t["status"]) for t in r.json()["termijnen"]]

    await eventually(lambda: len(werklijst(status="vervallen")) == 1, timeout=30)
    await eventually(lambda: werklijst(casemanager="cm-1") == [("wn-2", "2025-04-14", "open")], timeout=30)
    assert werklijst() == [
        ("wn-1", "2025-02-17", "open"),
        ("wn-3", "2025-03-17", "vervallen"),
        ("wn-2", "2025-04-14", "open"),
    ]
    assert werklijst(status="OPEN", voor="2025-04-14") == [("wn-1", "2025-02-17", "open")]  # voor is exclusive
    assert werklijst(status="open", vanaf="2025-02-18", voor="2025-05-01") == [("wn-2", "2025-04-14", "open")]
    assert werklijst(werkgever=werkgever, status="open", voor="2025-02-18") == [("wn-1", "2025-02-17", "open")]
    assert werklijst(werknemer_id="wn-2") == [("wn-2", "2025-04-14", "open")]
    assert werklijst(afdeling="magazijn") == [("wn-1", "2025-02-17", "open"), ("wn-3", "2025-03-17", "vervallen")]
    assert werklijst(limit="1", offset="1") == [("wn-3", "2025-03-17", "vervallen")]
    assert werklijst(code="WIA_AANVRAAG", voor="2026-01-01") == []

    lg = token("leidinggevende", "lg-magazijn")
    assert werklijst(lg) == [("wn-1", "2025-02-17", "open"), ("wn-3", "2025-03-17", "vervallen")]
    assert deadlines.get(f"/v1/dossiers/{laat.id}/termijnen", headers=lg).status_code == 404
    assert deadlines.get(f"/v1/dossiers/{vroeg.id}/termijnen", headers=lg).status_code == 200
    eigen = token("werknemer", "wn-2")
    assert werklijst(eigen) == [("wn-2", "2025-04-14", "open")]
    assert deadlines.get(f"/v1/dossiers/{vroeg.id}/termijnen", headers=eigen).status_code == 404

    bad = deadlines.get("/v1/termijnen", params={"status": "dicht"}, headers=headers)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


async def test_the_what_if_calculator_computes_a_timeline_and_stores_nothing(
    deadlines: TestClient, database_url: str, headers: dict[str, str]
) -> None:
    r = deadlines.get(
        "/v1/tijdlijn",
        params=[
            ("eerste_ziektedag", "2022-01-03"),
            ("episode", "2022-01-03/2022-07-04"),
            ("episode", "2022-07-25"),
            ("deelherstel", "2022-09-01:50"),
            ("stap", "probleemanalyse:2022-02-10"),
        ],
        headers=headers,
    )
    assert r.status_code == 200, r.text
    t = per_code(r.json()["termijnen"])
    assert t["UWV_42E_WEEK_MELDING"]["vervaldatum"] == "2022-11-14"  # decisions D4 vector
    assert t["WACHTTIJD_EINDE"]["vervaldatum"] == "2024-01-21"
    assert t["PLAN_VAN_AANPAK"]["vervaldatum"] == "2022-02-24"
    assert t["PROBLEEMANALYSE"]["status"] == "vervuld"
    met_vld = deadlines.get(
        "/v1/tijdlijn", params={"eerste_ziektedag": "2025-01-06", "vld_laatste_dag": "2027-07-04"}, headers=headers
    ).json()
    assert per_code(met_vld["termijnen"])["WIA_AANVRAAG"]["vervaldatum"] == "2027-04-19"
    assert per_code(met_vld["termijnen"])["PROBLEEMANALYSE"]["vervaldatum"] == "2025-02-17"
    # at herstel: what was missed before it is verstreken, the rest vervallen (D5, D7), as the service stores it
    hersteld = per_code(
        deadlines.get(
            "/v1/tijdlijn", params={"eerste_ziektedag": "2025-01-06", "hersteldatum": "2025-03-10"}, headers=headers
        ).json()["termijnen"]
    )
    assert {c: t["status"] for c, t in hersteld.items() if t["status"] == "verstreken"} == {
        c: "verstreken" for c in ("ARBODIENST_MELDING", "BELAFSPRAAK", "PROBLEEMANALYSE", "PLAN_VAN_AANPAK")
    }
    assert hersteld["UWV_42E_WEEK_MELDING"]["status"] == "vervallen"

    for params, fout in (
        ({"eerste_ziektedag": "2025-01-06", "episode": "2025-02-01/2025-03-01"}, "eerste episode"),
        ({"eerste_ziektedag": "2025-01-06", "episode": "2025-01-06/2025-01-06"}, "hersteldatum"),
        ({"eerste_ziektedag": "2025-01-06", "deelherstel": "2025-02-01:150"}, "percentage"),
        ({"eerste_ziektedag": "2025-01-06", "stap": "koffie:2025-02-01"}, "stap"),
        ({"eerste_ziektedag": "2025-13-06"}, "eerste_ziektedag"),
    ):
        bad = deadlines.get("/v1/tijdlijn", params=params, headers=headers)
        assert bad.status_code == 422, (params, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert fout in json.dumps(bad.json()), bad.json()
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute("SELECT (SELECT count(*) FROM termijn) + (SELECT count(*) FROM dossier_feiten)")
        assert await cur.fetchone() == (0,)


async def test_werkgever_rules_are_persisted_versioned_and_recompute_running_dossiers(
    deadlines: TestClient,
    publisher: NatsBroker,
    werkgever: str,
    token: Callable[[str, str], dict[str, str]],
) -> None:
    headers = token("hr", "hr-1")
    d = Dossier(werkgever)
    await publish(publisher, d.geopend())
    await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)
    assert deadlines.get("/v1/termijnregels", headers=headers).json()["versie"] == 0

    nieuw = {
        "arbodienst_melding_ziektedag": 4,
        "evaluatie_interval_dagen": 28,
        "extra_vrije_dagen": ["2025-01-10"],
        "nadert_dagen": {"PROBLEEMANALYSE": 14},
    }
    r = deadlines.put("/v1/termijnregels", json=nieuw, headers=headers)
    assert r.status_code == 200, r.text
    assert (r.json()["versie"], r.json()["dossiers_herberekend"], r.json()["dossiers_te_herberekenen"]) == (1, 1, 0)
    t = per_code(termijnen_of(deadlines, d.id, headers) or [])
    assert t["ARBODIENST_MELDING"]["vervaldatum"] == "2025-01-09"
    assert t["BELAFSPRAAK"]["vervaldatum"] == "2025-01-21"  # 2025-01-10 is a day off at this werkgever
    assert t["PROBLEEMANALYSE"]["volgende_signaal_op"] == "2025-02-03"
    assert t["EVALUATIE"]["vervaldatum"] == "2025-03-31"  # PvA due 2025-03-03 + 28
    huidig = deadlines.get("/v1/termijnregels", headers=headers).json()
    assert (huidig["versie"], huidig["nadert_dagen"], huidig["extra_vrije_dagen"]) == (
        1,
        {"PROBLEEMANALYSE": 14},
        ["2025-01-10"],
    )
    what_if = deadlines.get("/v1/tijdlijn", params={"eerste_ziektedag": "2025-01-06"}, headers=headers).json()
    assert per_code(what_if["termijnen"])["ARBODIENST_MELDING"]["vervaldatum"] == "2025-01-09"
    geschiedenis = deadlines.get("/v1/termijnregels/geschiedenis", headers=headers).json()
    assert [(v["versie"], v["vastgelegd_door"]) for v in geschiedenis] == [(1, "hr-1")]

    for body in ({"evaluatie_interval_dagen": 3}, {"nadert_dagen": {"ONBEKEND": 7}}, {"kleur": "rood"}):
        bad = deadlines.put("/v1/termijnregels", json=body, headers=headers)
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert deadlines.put("/v1/termijnregels", json=nieuw, headers=token("werknemer", "wn-1")).status_code == 403


# --------------------------------------------------------------------------------------------- the scheduler


async def test_the_scheduler_signals_nadert_and_verstreken_once_moved_by_the_simulated_clock(
    deadlines: TestClient,
    publisher: NatsBroker,
    nats_url: str,
    werkgever: str,
    headers: dict[str, str],
    token: Callable[[str, str], dict[str, str]],
) -> None:
    d = Dossier(werkgever)
    await publish(publisher, d.geopend())
    await eventually(lambda: termijnen_of(deadlines, d.id, headers), timeout=30)
    beheer = token("beheerder", "beheer-1")

    def klok(dag: date) -> int:
        r = deadlines.post("/v1/beheer/klok", json={"nu": f"{dag.isoformat()}T09:00:00+01:00"}, headers=beheer)
        assert r.status_code == 200, r.text
        return int(r.json()["signalen_verstuurd"])

    klok(date(2025, 2, 10))  # nadert for PROBLEEMANALYSE, and what came due before (its own round or the loop's)
    pa = per_code(termijnen_of(deadlines, d.id, headers) or [])["PROBLEEMANALYSE"]
    assert (pa["status"], pa["volgende_signaal_op"]) == ("open", "2025-02-18")  # next: verstreken, the day after
    assert klok(date(2025, 2, 10)) == 0  # nothing twice
    klok(date(2025, 2, 18))
    pa = per_code(termijnen_of(deadlines, d.id, headers) or [])["PROBLEEMANALYSE"]
    assert pa["status"] == "verstreken" and pa["volgende_signaal_op"] is None
    assert deadlines.get("/v1/termijnen", params={"status": "verstreken"}, headers=headers).json()["termijnen"]

    def signalen() -> Any:
        return termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.*")

    async def signalen_pa() -> list[tuple[str, str]] | None:
        found = [
            (m.subject.rsplit(".", 1)[1], json.loads(m.data)["vervaldatum"])
            for m in await signalen()
            if m.subject.rsplit(".", 1)[1] in ("nadert", "verstreken")
            and json.loads(m.data)["code"] == "PROBLEEMANALYSE"
        ]
        return found if len(found) == 2 else None

    assert await eventually(signalen_pa, timeout=30) == [("nadert", "2025-02-17"), ("verstreken", "2025-02-17")]
    assert (
        deadlines.post("/v1/beheer/klok", json={"nu": "2025-03-01T09:00:00+01:00"}, headers=headers).status_code == 403
    )


async def test_two_schedulers_on_one_database_signal_each_termijn_once(
    deadlines: TestClient,
    publisher: NatsBroker,
    deadlines_settings: DeadlinesSettings,
    werkgever: str,
    headers: dict[str, str],
    database_url: str,
) -> None:
    dossiers = [Dossier(werkgever, f"wn-{i}") for i in range(12)]
    await publish(publisher, *(d.geopend() for d in dossiers))
    for d in dossiers:
        await eventually(lambda d=d: termijnen_of(deadlines, d.id, headers), timeout=30)  # type: ignore[misc]

    # Two replicas' schedulers, racing over the same rows at the same simulated moment (two years on: everything due)
    clock = SimulatedClock(datetime(2027, 2, 1, 8, tzinfo=UTC))
    databases = [Database(deadlines_settings), Database(deadlines_settings)]
    for db in databases:
        await db.open()
    try:
        replicas = [Signalering(PostgresOpslag(db), clock, batch=7) for db in databases]
        aantallen = await asyncio.gather(*(r.ronde() for r in replicas))
    finally:
        for db in databases:
            await db.close()
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT subject, body::jsonb ->> 'termijn_id', body::jsonb ->> 'vervaldatum' FROM uitgaand_event"
            " WHERE subject IN ('verzuim.termijn.v1.nadert', 'verzuim.termijn.v1.verstreken')"
        )
        signalen = await cur.fetchall()
        cur = await conn.execute("SELECT count(*) FROM termijn WHERE status = 'open'")
        open_ = await cur.fetchone()
    assert len(signalen) >= sum(aantallen) > 0  # (the service's own scheduler may have sent a few as well)
    assert max(Counter(signalen).values()) == 1  # no termijn signalled twice
    assert open_ == (0,)  # and none forgotten: every open termijn was due and is verstreken now

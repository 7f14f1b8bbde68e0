"""Routing by regiemodel and the channels, on the session's real NATS, a fresh PostgreSQL database, a real SMTP server
(aiosmtpd) and a real HTTP webhook receiver. Facts are published onto the JetStream streams as cases, deadlines and
intake publish them; what people get is observed through the HTTP API, the SMTP server and the receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

import nats
import psycopg
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from nats.js.errors import NotFoundError
from pydantic import SecretStr
from verzuim_devstack.ports import free_port
from verzuim_devstack.testing import eventually
from verzuim_notifications.adapters.webhook import controleer
from verzuim_notifications.bootstrap import create_app
from verzuim_notifications.entrypoints.worker import DOSSIER_CONSUMER, TERMIJN_CONSUMER
from verzuim_notifications.settings import NotificationsSettings
from verzuim_shared.clock import NL, SimulatedClock
from verzuim_shared.events import Actor, AfdelingVastgelegd, DossierGeopend, Event, MedewerkerInDienst, Rol
from verzuim_shared.events.termijn import TermijnNadert, TermijnVervuld
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.messaging import ensure_streams, publish_event
from verzuim_shared.subjects import Stream

NU = datetime(2025, 3, 3, 10, 0, tzinfo=NL)


# --------------------------------------------------------------------------------------------- real receivers


@dataclass
class Smtp:
    port: int
    berichten: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.berichten.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    ontvanger = Smtp(free_port())
    controller = Controller(ontvanger, hostname="127.0.0.1", port=ontvanger.port)
    controller.start()
    try:
        yield ontvanger
    finally:
        controller.stop()


@dataclass
class Oproep:
    headers: dict[str, str]
    body: bytes
    status: int


class Ontvanger:
    """A webhook receiver on a real port: answers `antwoorden` in turn (then the last one), records every call."""

    def __init__(self) -> None:
        self.oproepen: list[Oproep] = []
        self.antwoorden: list[int] = [204]
        self._lock = threading.Lock()
        ontvanger = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                with ontvanger._lock:
                    n = len(ontvanger.oproepen)
                    status = ontvanger.antwoorden[min(n, len(ontvanger.antwoorden) - 1)]
                    ontvanger.oproepen.append(Oproep({k.lower(): v for k, v in self.headers.items()}, body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/verzuim"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def gelukt(self) -> list[Oproep]:
        return [o for o in self.oproepen if 200 <= o.status < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ontvanger() -> Iterator[Ontvanger]:
    o = Ontvanger()
    try:
        yield o
    finally:
        o.stop()


# --------------------------------------------------------------------------------------------- the service


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def settings(nats_url: str, database_url: str, jwt_secret: str, smtp: Smtp) -> NotificationsSettings:
    return NotificationsSettings(
        nats_url=nats_url,
        database_url=database_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        public_url_cases="http://cases.test",
        public_url_deadlines="http://deadlines.test",
        clock=f"simulated:{NU.isoformat()}",
        consumer_max_deliver=10,
        consumer_backoff_s=(0.2, 0.5, 1.0, 2.0),
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_afzender="verzuim@example.org",
        aflever_backoff_basis_s=0.05,
        aflever_backoff_factor=2.0,
        aflever_backoff_max_s=0.5,
        aflever_max_pogingen=4,
        bezorger_interval_s=0.1,
        # the webhook receiver runs on this machine, over http
        webhook_toegestane_hosts=("127.0.0.1",),
    )


@pytest.fixture
def klok(settings: NotificationsSettings) -> SimulatedClock:
    clock = settings.clock_impl
    assert isinstance(clock, SimulatedClock)
    return clock


async def align_consumers(settings: NotificationsSettings) -> None:
    """A durable keeps the configuration it was created with, and the session shares the durables across tests with
    different settings: bring max_deliver in line with this test's settings."""
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        for stream, durable in ((Stream.DOSSIER, DOSSIER_CONSUMER), (Stream.TERMIJN, TERMIJN_CONSUMER)):
            try:
                info = await js.consumer_info(stream.jetstream_name, durable)
            except NotFoundError:
                continue
            if info.config.max_deliver != settings.consumer_max_deliver:
                await js.add_consumer(
                    stream.jetstream_name, config=info.config.evolve(max_deliver=settings.consumer_max_deliver)
                )
    finally:
        await nc.close()


@pytest.fixture
async def app(settings: NotificationsSettings) -> AsyncIterator[TestClient]:
    await align_consumers(settings)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
async def broker(nats_url: str, settings: NotificationsSettings) -> AsyncIterator[NatsBroker]:
    b = NatsBroker(nats_url)
    await b.connect()
    await ensure_streams(b.connection.jetstream(), settings)
    try:
        yield b
    finally:
        await b.stop()


Auth = Callable[[str, str], dict[str, str]]


@pytest.fixture
def auth(token_factory: Callable[..., str], werkgever: str) -> Auth:
    def headers(rol: str, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_factory(sub=sub, rol=rol, werkgever_id=werkgever)}"}

    return headers


class Feiten:
    def __init__(self, broker: NatsBroker, werkgever_id: str, klok: SimulatedClock) -> None:
        self.broker, self.werkgever_id, self.klok = broker, werkgever_id, klok

    def basis(self) -> dict[str, Any]:
        return {
            "event_id": uuid4(),
            "werkgever_id": self.werkgever_id,
            "geregistreerd_op": self.klok.now(),
            "actor": Actor(id="systeem", rol=Rol.SYSTEEM),
        }

    async def publish(self, event: Event) -> None:
        await publish_event(self.broker, event, source="urn:verzuim:test")

    async def organisatie(self) -> None:
        """magazijn: leidinggevende lg-1, HR adviser hr-1, rayonmanager rm-1 (all medewerkers with an e-mail); wn-1."""
        await self.publish(
            AfdelingVastgelegd(
                **self.basis(),
                afdeling_id="magazijn",
                naam="Magazijn",
                leidinggevende_id="lg-1",
                hr_adviseur_id="hr-1",
                rayonmanager_id="rm-1",
            )
        )
        for wie in ("wn-1", "lg-1", "hr-1", "rm-1"):
            await self.publish(
                MedewerkerInDienst(
                    **self.basis(),
                    werknemer_id=wie,
                    datum_in_dienst=date(2020, 1, 1),
                    naam=f"Naam {wie}",
                    email=f"{wie}@example.org",
                    afdeling_id="magazijn",
                    contracturen=36,
                    voltijduren=36,
                )
            )

    def geopend(self, werknemer_id: str = "wn-1", eerste_ziektedag: date | None = None) -> DossierGeopend:
        melding_id = uuid4()
        e = eerste_ziektedag or self.klok.now().astimezone(NL).date()
        return DossierGeopend(
            **self.basis(),
            dossier_id=dossier_id_for_melding(melding_id),
            versie=1,
            werknemer_id=werknemer_id,
            melding_id=melding_id,
            eerste_ziektedag=e,
            gemeld_op=min(datetime.combine(e, time(8, 30), tzinfo=NL), self.klok.now()),
        )

    def nadert(self, dossier_id: UUID, code: str, termijn_id: UUID | None = None) -> TermijnNadert:
        return TermijnNadert(
            **self.basis(),
            termijn_id=termijn_id or uuid4(),
            dossier_id=dossier_id,
            werknemer_id="wn-1",
            code=code,
            vervaldatum=self.klok.now().astimezone(NL).date() + timedelta(days=7),
            grondslag="Regeling procesgang",
            afleiding="test",
            dagen_resterend=7,
        )


@pytest.fixture
def feiten(broker: NatsBroker, werkgever: str, klok: SimulatedClock) -> Feiten:
    return Feiten(broker, werkgever, klok)


def inbox(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = client.get("/v1/inbox", headers=headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def items_in(client: TestClient, headers: dict[str, str], count: int = 1) -> list[dict[str, Any]]:
    return await eventually(lambda: i if len(i := inbox(client, headers)) >= count else None, timeout=30)


def kies(client: TestClient, headers: dict[str, str], preset: str, **extra: Any) -> dict[str, Any]:
    r = client.put("/v1/routering/regiemodel", json={"preset": preset, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


# --------------------------------------------------------------------------------------------- routing by model


async def test_changing_the_model_mid_case_changes_who_gets_later_signals_and_the_history_says_what_applied(
    app: TestClient, feiten: Feiten, auth: Auth, klok: SimulatedClock
) -> None:
    hr = auth("hr", "hr-beheer")
    await feiten.organisatie()
    v1 = kies(app, hr, "model-i", reden="start")
    assert (v1["versie"], v1["model"]["basis"]) == (1, "model-i")

    klok.advance(timedelta(minutes=5))
    dossier = feiten.geopend()
    await feiten.publish(dossier)
    [ziek] = await items_in(app, auth("leidinggevende", "lg-1"))
    assert ziek["type"] == "ziekmelding" and ziek["soort"] == "taak"

    # model I: the leidinggevende watches the process himself
    klok.advance(timedelta(minutes=5))
    await feiten.publish(feiten.nadert(dossier.dossier_id, "PROBLEEMANALYSE"))
    await items_in(app, auth("leidinggevende", "lg-1"), 2)
    assert inbox(app, auth("leidinggevende", "hr-1")) == []

    wissel = klok.advance(timedelta(hours=1))
    v2 = kies(app, hr, "model-iii", reden="HR bewaakt voortaan het proces", verwachte_versie=1)
    assert v2["versie"] == 2
    r = app.put("/v1/routering/regiemodel", json={"preset": "model-ii", "verwachte_versie": 1}, headers=hr)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"

    # model III: the HR adviser watches the process; the leidinggevende is informed
    klok.advance(timedelta(minutes=5))
    await feiten.publish(feiten.nadert(dossier.dossier_id, "UWV_42E_WEEK_MELDING"))
    [bij_hr] = await items_in(app, auth("hr", "hr-1"))
    assert (bij_hr["type"], bij_hr["termijn_code"], bij_hr["soort"], bij_hr["rol"]) == (
        "termijn_nadert",
        "UWV_42E_WEEK_MELDING",
        "taak",
        "hr_adviseur",
    )
    lg = await items_in(app, auth("leidinggevende", "lg-1"), 3)
    assert lg[0]["termijn_code"] == "UWV_42E_WEEK_MELDING" and lg[0]["soort"] == "bericht"

    geschiedenis = app.get("/v1/routering/regiemodel/geschiedenis", headers=auth("auditor", "a-1")).json()["versies"]
    assert [(v["versie"], v["model"]["basis"], v["door"]["id"]) for v in geschiedenis] == [
        (1, "model-i", "hr-beheer"),
        (2, "model-iii", "hr-beheer"),
    ]
    assert datetime.fromisoformat(geschiedenis[0]["geldig_tot"]) == wissel
    assert geschiedenis[1]["geldig_tot"] is None and geschiedenis[1]["reden"] == "HR bewaakt voortaan het proces"
    for moment, basis in ((wissel - timedelta(seconds=1), "model-i"), (wissel, "model-iii")):
        r = app.get("/v1/routering/regiemodel", params={"op": moment.isoformat()}, headers=hr)
        assert (r.json()["model"]["basis"], r.json()["bron"]) == (basis, "werkgever"), moment

    # a change cannot reach back before now
    r = app.put(
        "/v1/routering/regiemodel",
        json={"preset": "model-ii", "geldig_vanaf": (klok.now() - timedelta(days=1)).isoformat()},
        headers=hr,
    )
    assert r.status_code == 422 and "terugwerken" in r.json()["detail"]
    # only hr and beheerder change the routing
    r = app.put("/v1/routering/regiemodel", json={"preset": "model-ii"}, headers=auth("leidinggevende", "lg-1"))
    assert r.status_code == 403


async def test_an_afdeling_has_its_own_model_and_an_empty_role_is_taken_over_and_reported(
    app: TestClient, feiten: Feiten, auth: Auth
) -> None:
    hr = auth("hr", "hr-beheer")
    await feiten.organisatie()
    kies(app, hr, "model-i")
    kies(app, hr, "verzuim-support", afdeling_id="magazijn")
    r = app.get("/v1/routering/regiemodel", params={"afdeling_id": "magazijn"}, headers=hr)
    assert (r.json()["bron"], r.json()["model"]["basis"]) == ("afdeling", "verzuim-support")

    # seed 004: the ziekmelding is a task for the verzuimcoach (triage) and the leidinggevende; no verzuimcoach is
    # configured yet, so the hr team stands in and the gap is reported
    dossier = feiten.geopend()
    await feiten.publish(dossier)
    [team] = await items_in(app, auth("hr", "iemand-van-hr"))
    assert team["namens"] == "verzuimcoach" and "geen verzuimcoach bekend" in team["titel"]
    assert [i["type"] for i in await items_in(app, auth("leidinggevende", "lg-1"))] == ["ziekmelding"]
    [gat] = app.get("/v1/routering/gaten", headers=hr).json()["gaten"]
    assert (gat["rol"], gat["reden"], gat["opgevangen_door"], gat["dossier_id"]) == (
        "verzuimcoach",
        "niet_bezet",
        "team:hr",
        str(dossier.dossier_id),
    )

    # the Verzuim Support desk in the rolbezetting takes the next one
    r = app.put(
        "/v1/routering/rolbezetting/verzuimcoach",
        json={"persoon_id": "vs-desk", "naam": "Verzuim Support", "email": "support@example.org"},
        headers=hr,
    )
    assert r.status_code == 200, r.text
    r = app.put("/v1/routering/rolbezetting/leidinggevende", json={"persoon_id": "x"}, headers=hr)
    assert r.status_code == 422
    await feiten.publish(feiten.geopend())
    [desk] = await items_in(app, auth("verzuimcoach", "vs-desk"))
    assert desk["namens"] is None and desk["soort"] == "taak"
    assert len(inbox(app, auth("hr", "iemand-van-hr"))) == 1


async def test_the_third_melding_within_a_year_gives_the_leidinggevende_a_frequent_verzuim_task(
    app: TestClient, feiten: Feiten, auth: Auth, klok: SimulatedClock
) -> None:
    await feiten.organisatie()
    vandaag = klok.now().astimezone(NL).date()
    for dagen in (300, 120):
        await feiten.publish(feiten.geopend(eerste_ziektedag=vandaag - timedelta(days=dagen)))
    await items_in(app, auth("leidinggevende", "lg-1"), 2)
    assert all(i["type"] == "ziekmelding" for i in inbox(app, auth("leidinggevende", "lg-1")))
    await feiten.publish(feiten.geopend(eerste_ziektedag=vandaag))
    items = await items_in(app, auth("leidinggevende", "lg-1"), 4)
    [frequent] = [i for i in items if i["type"] == "frequent_verzuim"]
    assert frequent["titel"] == "Frequent verzuim: Naam wn-1 (3 meldingen in 365 dagen)"
    assert frequent["deadline"] == (vandaag + timedelta(days=14)).isoformat()


async def consumer_drained(settings: NotificationsSettings, stream: Stream, durable: str) -> bool:
    """Whether the service's consumer has handled (acked) everything in the stream. The stream is shared by the
    module's tests: an earlier test's message that waits for personeel data it never gets is retried with back-off
    until it is dead-lettered, so waiting on this needs a generous deadline on a loaded machine."""
    nc = await nats.connect(settings.nats_url)
    try:
        info = await nc.jetstream().consumer_info(stream.jetstream_name, durable)
        return info.num_pending == 0 and info.num_ack_pending == 0
    finally:
        await nc.close()


async def test_meldingen_published_newest_first_still_give_every_frequent_verzuim_task(
    app: TestClient, feiten: Feiten, auth: Auth, klok: SimulatedClock, settings: NotificationsSettings
) -> None:
    await feiten.organisatie()
    vandaag = klok.now().astimezone(NL).date()
    # six meldingen 50 days apart, newest first, in one burst (the consumer handles a fetched batch side by side)
    zes = [feiten.geopend(eerste_ziektedag=vandaag - timedelta(days=50 * j)) for j in range(6)]
    for dossier in zes:
        await feiten.publish(dossier)
    lg = auth("leidinggevende", "lg-1")
    await items_in(app, lg, 10)
    await eventually(lambda: consumer_drained(settings, Stream.DOSSIER, DOSSIER_CONSUMER), timeout=120)
    items = inbox(app, lg)
    assert sum(i["type"] == "ziekmelding" for i in items) == 6
    frequent = [i for i in items if i["type"] == "frequent_verzuim"]
    # the four newest each complete the threshold in their own 365 days, once each, whatever the order of arrival
    assert sorted(i["dossier_id"] for i in frequent) == sorted(str(d.dossier_id) for d in zes[:4])
    assert all(i["soort"] == "taak" and i["deadline"] == (vandaag + timedelta(days=14)).isoformat() for i in frequent)


async def test_late_meldingen_handled_side_by_side_complete_the_threshold_of_a_later_one(
    app: TestClient, feiten: Feiten, auth: Auth, klok: SimulatedClock, settings: NotificationsSettings
) -> None:
    await feiten.organisatie()
    werknemers = [f"wn-{letter}" for letter in "abcdefgh"]
    for wie in werknemers:
        await feiten.publish(
            MedewerkerInDienst(
                **feiten.basis(),
                werknemer_id=wie,
                datum_in_dienst=date(2020, 1, 1),
                naam=f"Naam {wie}",
                afdeling_id="magazijn",
                contracturen=36,
                voltijduren=36,
            )
        )
    vandaag = klok.now().astimezone(NL).date()
    lg = auth("leidinggevende", "lg-1")
    # today's melding of each of eight werknemers first
    vandaag_gemeld = {wie: feiten.geopend(wie, vandaag) for wie in werknemers}
    for dossier in vandaag_gemeld.values():
        await feiten.publish(dossier)
    await items_in(app, lg, 8)
    # then two earlier meldingen of each, entered late, all in one burst: those of one werknemer are handled side by
    # side, each must see the other, and together they complete the threshold at today's melding
    for d in (200, 100):
        for wie in werknemers:
            await feiten.publish(feiten.geopend(wie, vandaag - timedelta(days=d)))
    await items_in(app, lg, 32)
    await eventually(lambda: consumer_drained(settings, Stream.DOSSIER, DOSSIER_CONSUMER), timeout=120)
    frequent = [i for i in inbox(app, lg) if i["type"] == "frequent_verzuim"]
    assert sorted((i["werknemer_id"], i["dossier_id"]) for i in frequent) == sorted(
        (wie, str(dossier.dossier_id)) for wie, dossier in vandaag_gemeld.items()
    )
    assert all(i["titel"].endswith("(3 meldingen in 365 dagen)") for i in frequent)


async def test_a_fulfilled_termijn_closes_its_open_tasks(app: TestClient, feiten: Feiten, auth: Auth) -> None:
    await feiten.organisatie()
    dossier = feiten.geopend()
    await feiten.publish(dossier)
    termijn = feiten.nadert(dossier.dossier_id, "PLAN_VAN_AANPAK")
    await feiten.publish(termijn)
    lg = auth("leidinggevende", "lg-1")
    items = await items_in(app, lg, 2)
    [taak] = [i for i in items if i["termijn_id"] == str(termijn.termijn_id)]
    assert taak["status"] == "open" and taak["termijn_link"].endswith(f"/termijnen#{termijn.termijn_id}")
    vervuld = TermijnVervuld(
        **feiten.basis(),
        **termijn.model_dump(include={"termijn_id", "dossier_id", "werknemer_id", "code", "vervaldatum"}),
        grondslag=termijn.grondslag,
        afleiding=termijn.afleiding,
        vervuld_op=feiten.klok.now().date(),
        op_tijd=True,
    )
    await feiten.publish(vervuld)

    def gesloten() -> bool:
        item = next(i for i in inbox(app, lg) if i["id"] == taak["id"])
        return item["status"] == "afgehandeld" and item["afgehandeld_door"] == "systeem"

    await eventually(gesloten, timeout=30)


async def test_a_termijn_fulfilled_before_its_nadert_was_handled_leaves_no_open_task(
    app: TestClient, feiten: Feiten, auth: Auth, settings: NotificationsSettings, smtp: Smtp
) -> None:
    dossier_id = uuid4()
    # the deadlines service publishes nadert and then vervuld; here the nadert cannot be routed yet (the personeel
    # data are not in), so the vervuld is handled first, as it can be when both sit in one fetched batch
    termijn = feiten.nadert(dossier_id, "PLAN_VAN_AANPAK")
    await feiten.publish(termijn)
    await feiten.publish(
        TermijnVervuld(
            **feiten.basis(),
            **termijn.model_dump(include={"termijn_id", "dossier_id", "werknemer_id", "code", "vervaldatum"}),
            grondslag=termijn.grondslag,
            afleiding=termijn.afleiding,
            vervuld_op=feiten.klok.now().date(),
            op_tijd=True,
        )
    )

    async def einde_vastgelegd() -> bool:
        async with await psycopg.AsyncConnection.connect(settings.database_url) as conn:
            cur = await conn.execute("SELECT 1 FROM termijn_einde WHERE termijn_id = %s", (termijn.termijn_id,))
            return await cur.fetchone() is not None

    await eventually(einde_vastgelegd, timeout=30)
    await feiten.organisatie()  # now the nadert is routed, on its next attempt
    lg = auth("leidinggevende", "lg-1")
    [item] = await items_in(app, lg)
    await eventually(lambda: consumer_drained(settings, Stream.TERMIJN, TERMIJN_CONSUMER), timeout=120)
    assert (item["termijn_id"], item["type"], item["soort"]) == (str(termijn.termijn_id), "termijn_nadert", "taak")
    assert (item["status"], item["afgehandeld_door"]) == ("afgehandeld", "systeem")
    # and nobody is e-mailed to act on a termijn that is done
    assert app.get("/v1/afleveringen", headers=auth("hr", "hr-1")).json()["afleveringen"] == []
    assert smtp.berichten == []


async def test_a_reopened_termijn_gets_an_open_task_again(
    app: TestClient, feiten: Feiten, auth: Auth, settings: NotificationsSettings
) -> None:
    await feiten.organisatie()
    lg = auth("leidinggevende", "lg-1")
    termijn = feiten.nadert(uuid4(), "PLAN_VAN_AANPAK")
    await feiten.publish(termijn)
    [eerste] = await items_in(app, lg)
    velden = termijn.model_dump(include={"termijn_id", "dossier_id", "werknemer_id", "code", "vervaldatum"})
    await feiten.publish(
        TermijnVervuld(
            **feiten.basis(),
            **velden,
            grondslag=termijn.grondslag,
            afleiding=termijn.afleiding,
            vervuld_op=feiten.klok.now().date(),
            op_tijd=True,
        )
    )
    await eventually(lambda: inbox(app, lg)[0]["status"] == "afgehandeld", timeout=30)
    # reopened (a relapse after herstel) and approaching again: a signal after the end is a task again
    opnieuw = feiten.nadert(termijn.dossier_id, "PLAN_VAN_AANPAK", termijn_id=termijn.termijn_id)
    await feiten.publish(opnieuw)
    items = await items_in(app, lg, 2)
    assert {i["id"]: i["status"] for i in items} == {
        eerste["id"]: "afgehandeld",
        next(i["id"] for i in items if i["id"] != eerste["id"]): "open",
    }


# --------------------------------------------------------------------------------------------- e-mail


async def test_an_email_is_received_by_a_real_smtp_server_once(
    app: TestClient, feiten: Feiten, auth: Auth, smtp: Smtp
) -> None:
    await feiten.organisatie()
    event = feiten.geopend()
    await feiten.publish(event)
    await feiten.publish(event.model_copy(update={}))  # the same fact again (deduped) changes nothing
    [mail] = await eventually(lambda: smtp.berichten or None, timeout=30)
    assert mail["To"] == "lg-1@example.org" and mail["From"] == "verzuim@example.org"
    assert mail["Subject"] == "Ziekmelding van Naam wn-1"
    assert mail["Message-ID"].endswith("@example.org>")
    tekst = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Neem dezelfde dag" in tekst and f"/v1/dossiers/{event.dossier_id}" in tekst
    [item] = inbox(app, auth("leidinggevende", "lg-1"))
    assert item["titel"] == mail["Subject"]

    def afleveringen() -> list[tuple[str, str, int]] | None:
        lijst = app.get("/v1/afleveringen", headers=auth("hr", "hr-1")).json()["afleveringen"]
        # the server has the e-mail a moment before the dispatcher records that it was sent
        return [(a["kanaal"], a["status"], a["pogingen"]) for a in lijst] if lijst[0]["status"] != "wachtend" else None

    assert await eventually(afleveringen, timeout=30) == [("email", "verzonden", 1)]
    assert len(smtp.berichten) == 1


async def test_an_email_waits_for_the_recipients_personeel_data(
    app: TestClient, feiten: Feiten, auth: Auth, smtp: Smtp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="verzuim_shared.messaging")
    # the afdeling and the werknemer are in, the leidinggevende's own record (with his address) not yet: the
    # personeel consumer handles a batch side by side, and the dossier consumer does not wait for it
    await feiten.publish(
        AfdelingVastgelegd(**feiten.basis(), afdeling_id="magazijn", naam="Magazijn", leidinggevende_id="lg-1")
    )
    await feiten.publish(
        MedewerkerInDienst(
            **feiten.basis(),
            werknemer_id="wn-1",
            datum_in_dienst=date(2020, 1, 1),
            naam="Naam wn-1",
            afdeling_id="magazijn",
            contracturen=36,
            voltijduren=36,
        )
    )
    await feiten.publish(feiten.geopend())

    def gewacht() -> bool:
        return any(
            DOSSIER_CONSUMER in r.getMessage() and "lg-1" in r.getMessage() and feiten.werkgever_id in r.getMessage()
            for r in caplog.records
        )

    await eventually(gewacht, timeout=30)
    await feiten.organisatie()  # now lg-1 with his address
    [mail] = await eventually(lambda: smtp.berichten or None, timeout=30)
    assert mail["To"] == "lg-1@example.org"
    [item] = await items_in(app, auth("leidinggevende", "lg-1"))
    assert item["titel"] == mail["Subject"]


async def test_a_role_holder_without_an_address_is_not_waited_for(
    app: TestClient, feiten: Feiten, auth: Auth, smtp: Smtp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="verzuim_shared.messaging")
    hr = auth("hr", "hr-beheer")
    kies(app, hr, "verzuim-support")
    # the Verzuim Support desk is in the rolbezetting without an e-mail address: it is known, only in the inbox
    r = app.put("/v1/routering/rolbezetting/verzuimcoach", json={"persoon_id": "vs-desk"}, headers=hr)
    assert r.status_code == 200, r.text
    await feiten.organisatie()
    await feiten.publish(feiten.geopend())
    [desk] = await items_in(app, auth("verzuimcoach", "vs-desk"))
    assert desk["type"] == "ziekmelding"
    await eventually(lambda: [m["To"] for m in smtp.berichten] == ["lg-1@example.org"], timeout=30)
    assert not any("vs-desk" in r.getMessage() for r in caplog.records)


async def test_a_daily_digest_bundles_a_persons_emails(
    app: TestClient, feiten: Feiten, auth: Auth, smtp: Smtp, klok: SimulatedClock
) -> None:
    lg = auth("leidinggevende", "lg-1")
    r = app.put("/v1/voorkeuren", json={"kanalen": ["inbox", "email"], "bezorging": "dagelijks"}, headers=lg)
    assert r.status_code == 200 and r.json()["bezorging"] == "dagelijks"
    await feiten.organisatie()
    await feiten.publish(feiten.geopend("wn-1"))
    await feiten.publish(feiten.geopend("hr-1"))
    await items_in(app, lg, 2)
    assert smtp.berichten == []
    klok.set(datetime.combine(NU.date() + timedelta(days=1), time(7, 1), tzinfo=NL))  # the next morning
    [digest] = await eventually(lambda: smtp.berichten or None, timeout=30)
    assert digest["Subject"].startswith("Dagelijks overzicht verzuim van dinsdag 4 maart 2025: 2 bericht(en)")
    tekst = digest.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Ziekmelding van Naam wn-1" in tekst and "Ziekmelding van Naam hr-1" in tekst


# --------------------------------------------------------------------------------------------- webhooks


def zet_webhook(app: TestClient, headers: dict[str, str], url: str) -> str:
    r = app.put("/v1/voorkeuren/webhook", json={"url": url}, headers=headers)
    assert r.status_code == 200, r.text
    r2 = app.put("/v1/voorkeuren", json={"kanalen": ["inbox", "webhook"]}, headers=headers)
    assert r2.json()["webhook"] == {"url": url}
    secret: str = r.json()["secret"]
    return secret


async def test_a_webhook_receiver_verifies_the_signature(
    app: TestClient, feiten: Feiten, auth: Auth, ontvanger: Ontvanger
) -> None:
    secret = zet_webhook(app, auth("leidinggevende", "lg-1"), ontvanger.url)
    await feiten.organisatie()
    event = feiten.geopend()
    await feiten.publish(event)
    [oproep] = await eventually(lambda: ontvanger.gelukt() or None, timeout=30)
    controleer(secret, oproep.headers, oproep.body)  # what a receiver's library does
    # and by hand, per the Standard Webhooks scheme: HMAC-SHA256 over "id.timestamp.body"
    getekend = f"{oproep.headers['webhook-id']}.{oproep.headers['webhook-timestamp']}.".encode() + oproep.body
    mac = hmac.new(base64.b64decode(secret.removeprefix("whsec_")), getekend, hashlib.sha256).digest()
    assert oproep.headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()
    with pytest.raises(ValueError):
        controleer(secret, oproep.headers, oproep.body.replace(b"ziekmelding", b"herstel"))
    with pytest.raises(ValueError):
        controleer("whsec_" + base64.b64encode(b"x" * 32).decode(), oproep.headers, oproep.body)
    inhoud = json.loads(oproep.body)
    assert (inhoud["type"], inhoud["dossier_id"], inhoud["ontvanger"]) == (
        "ziekmelding",
        str(event.dossier_id),
        {"rol": "leidinggevende", "id": "lg-1"},
    )


async def test_a_receiver_that_fails_three_times_then_succeeds_gets_exactly_one_successful_delivery(
    app: TestClient, feiten: Feiten, auth: Auth, ontvanger: Ontvanger
) -> None:
    ontvanger.antwoorden = [500, 503, 500, 204]
    zet_webhook(app, auth("leidinggevende", "lg-1"), ontvanger.url)
    await feiten.organisatie()
    await feiten.publish(feiten.geopend())
    hr = auth("hr", "hr-1")

    def verzonden() -> dict[str, Any] | None:
        lijst = app.get("/v1/afleveringen", params={"status": "verzonden"}, headers=hr).json()["afleveringen"]
        return lijst[0] if lijst else None

    aflevering = await eventually(verzonden, timeout=30)
    assert [o.status for o in ontvanger.oproepen] == [500, 503, 500, 204]
    assert len({o.headers["webhook-id"] for o in ontvanger.oproepen}) == 1  # one delivery, retried
    staat = app.get(f"/v1/afleveringen/{aflevering['id']}", headers=hr).json()
    assert staat["pogingen"] == 4
    assert [p["gelukt"] for p in staat["poging_log"]] == [False, False, False, True]
    assert "HTTP 500" in staat["poging_log"][0]["fout"]
    assert len(ontvanger.gelukt()) == 1


async def test_a_receiver_that_always_fails_ends_on_the_dead_letter_list_and_can_be_replayed(
    app: TestClient, feiten: Feiten, auth: Auth, ontvanger: Ontvanger
) -> None:
    ontvanger.antwoorden = [500]
    zet_webhook(app, auth("leidinggevende", "lg-1"), ontvanger.url)
    await feiten.organisatie()
    await feiten.publish(feiten.geopend())
    hr = auth("hr", "hr-1")

    def mislukt() -> list[dict[str, Any]] | None:
        r = app.get("/v1/afleveringen", params={"status": "mislukt"}, headers=hr)
        return r.json()["afleveringen"] or None

    [dood] = await eventually(mislukt, timeout=30)
    assert dood["pogingen"] == 4 and "opgegeven na 4 pogingen" in dood["laatste_fout"]
    assert "HTTP 500" in dood["laatste_fout"]
    assert len(ontvanger.oproepen) == 4 and ontvanger.gelukt() == []
    assert app.get("/v1/afleveringen", headers=auth("leidinggevende", "lg-1")).status_code == 403

    ontvanger.antwoorden = [500, 500, 500, 500, 200]
    r = app.post(f"/v1/afleveringen/{dood['id']}/opnieuw", headers=hr)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "wachtend" and r.json()["opnieuw_aangeboden"] == 1
    staat = await eventually(
        lambda: (
            s if (s := app.get(f"/v1/afleveringen/{dood['id']}", headers=hr).json())["status"] == "verzonden" else None
        ),
        timeout=30,
    )
    assert len(ontvanger.gelukt()) == 1 and len(ontvanger.oproepen) == 5
    assert [(p["ronde"], p["gelukt"]) for p in staat["poging_log"]][-2:] == [(0, False), (1, True)]
    r = app.post(f"/v1/afleveringen/{dood['id']}/opnieuw", headers=hr)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert app.post(f"/v1/afleveringen/{uuid4()}/opnieuw", headers=hr).status_code == 404


async def test_who_may_read_and_change_the_routing(app: TestClient, feiten: Feiten, auth: Auth) -> None:
    # a routing gap names a colleague and the signal about him: nobody fills the verzuimcoach of model IV
    kies(app, auth("hr", "hr-beheer"), "model-iv")
    await feiten.organisatie()
    await feiten.publish(feiten.geopend())
    await eventually(lambda: app.get("/v1/routering/gaten", headers=auth("hr", "hr-1")).json()["gaten"], timeout=30)

    iedereen = set(Rol)
    toezicht = {Rol.HR, Rol.BEHEERDER, Rol.AUDITOR}
    beheer = {Rol.HR, Rol.BEHEERDER}
    endpoints: list[tuple[str, str, dict[str, Any] | None, set[Rol]]] = [
        ("GET", "/v1/routering/presets", None, iedereen),
        ("GET", "/v1/routering/regiemodel", None, iedereen),
        ("GET", "/v1/routering/regiemodel/geschiedenis", None, toezicht),
        ("GET", "/v1/routering/rolbezetting", None, toezicht),
        ("GET", "/v1/routering/gaten", None, toezicht),
        ("PUT", "/v1/routering/regiemodel", {"preset": "model-iv"}, beheer),
        ("POST", "/v1/routering/regiemodel/opheffen?afdeling_id=magazijn", {}, beheer),
        ("PUT", "/v1/routering/rolbezetting/bedrijfsarts", {"persoon_id": "ba-1"}, beheer),
        ("DELETE", "/v1/routering/rolbezetting/bedrijfsarts", None, beheer),
    ]
    for method, path, body, mogen in endpoints:
        for rol in Rol:
            r = app.request(method, path, json=body, headers=auth(rol.value, f"{rol.value}-1"))
            if rol in mogen:
                assert r.status_code != 403, (method, path, rol, r.text)
                assert r.status_code < 400 or method == "DELETE", (method, path, rol, r.text)
            else:
                assert r.status_code == 403, (method, path, rol, r.status_code)
                assert r.headers["content-type"] == "application/problem+json"
    # what the werknemer and a colleague cannot see, the auditor can
    [gat] = app.get("/v1/routering/gaten", headers=auth("auditor", "a-1")).json()["gaten"]
    assert (gat["werknemer_id"], gat["rol"]) == ("wn-1", "verzuimcoach")


async def test_a_webhook_must_be_https_to_a_public_address(app: TestClient, auth: Auth) -> None:
    lg = auth("leidinggevende", "lg-1")
    for url, reden in (
        ("http://hooks.example.org/verzuim", "https"),
        ("https://169.254.169.254/latest/meta-data/", "binnen het netwerk"),
        ("https://10.1.2.3/hooks", "binnen het netwerk"),
        ("https://localhost:8004/v1/routering/regiemodel", "binnen het netwerk"),
    ):
        r = app.put("/v1/voorkeuren/webhook", json={"url": url}, headers=lg)
        assert r.status_code == 422, (url, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert reden in r.json()["detail"], r.json()
    assert app.get("/v1/voorkeuren", headers=lg).json()["webhook"] is None
    # a public https address is fine (nothing is called until there is a message)
    r = app.put("/v1/voorkeuren/webhook", json={"url": "https://93.184.215.14/hooks/verzuim"}, headers=lg)
    assert r.status_code == 200, r.text


async def test_a_stored_webhook_to_an_internal_address_is_not_called(
    settings: NotificationsSettings, feiten: Feiten, auth: Auth, ontvanger: Ontvanger
) -> None:
    lg, hr = auth("leidinggevende", "lg-1"), auth("hr", "hr-1")
    await align_consumers(settings)
    with TestClient(create_app(settings)) as client:
        zet_webhook(client, lg, ontvanger.url)  # allowed by this test's settings
    # the same service without the exception for 127.0.0.1 (a URL stored before the rule, or a host that moved
    # inside the network): the call is refused, put on the dead-letter list, and the receiver never hears of it
    streng = settings.model_copy(update={"webhook_toegestane_hosts": ()})
    await align_consumers(streng)
    with TestClient(create_app(streng)) as client:
        await feiten.organisatie()
        await feiten.publish(feiten.geopend())

        def mislukt() -> list[dict[str, Any]] | None:
            r = client.get("/v1/afleveringen", params={"status": "mislukt"}, headers=hr)
            return r.json()["afleveringen"] or None

        [dood] = await eventually(mislukt, timeout=30)
        assert dood["kanaal"] == "webhook" and dood["pogingen"] == 1
        assert "geweigerd: een webhook gaat alleen over https" in dood["laatste_fout"]
        assert "blijvende fout" in dood["laatste_fout"]
        assert ontvanger.oproepen == []


async def test_every_new_endpoint_needs_a_token(app: TestClient) -> None:
    for method, path in (
        ("GET", "/v1/routering/presets"),
        ("GET", "/v1/routering/regiemodel"),
        ("PUT", "/v1/routering/regiemodel"),
        ("GET", "/v1/routering/gaten"),
        ("PUT", "/v1/routering/rolbezetting/bedrijfsarts"),
        ("GET", "/v1/voorkeuren"),
        ("PUT", "/v1/voorkeuren/webhook"),
        ("GET", "/v1/afleveringen"),
        ("POST", f"/v1/afleveringen/{uuid4()}/opnieuw"),
    ):
        r = app.request(method, path, json={})
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers["content-type"] == "application/problem+json"

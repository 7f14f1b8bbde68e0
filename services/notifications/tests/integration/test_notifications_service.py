"""The notifications service on the session's real NATS and a fresh PostgreSQL database: personeel and dossier facts
published as intake and cases publish them, the inbox observed through the HTTP API."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import uuid4

import nats
import psycopg
import pytest
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from nats.js.errors import NotFoundError
from pydantic import SecretStr
from verzuim_devstack.testing import eventually
from verzuim_notifications.bootstrap import create_app
from verzuim_notifications.entrypoints.worker import DOSSIER_CONSUMER
from verzuim_notifications.settings import NotificationsSettings
from verzuim_shared.clock import NL
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    Rol,
)
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.messaging import PublishResult, ensure_streams, publish_event
from verzuim_shared.subjects import Stream

NU = datetime(2025, 1, 6, 10, 0, tzinfo=NL)  # the service runs on a simulated clock
CASES_URL = "http://cases.test:8002"


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def settings(nats_url: str, database_url: str, jwt_secret: str) -> NotificationsSettings:
    return NotificationsSettings(
        nats_url=nats_url,
        database_url=database_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        public_url_cases=CASES_URL,
        clock=f"simulated:{NU.isoformat()}",
        # Room for the personeel stream to catch up, without slow tests.
        consumer_max_deliver=10,
        consumer_backoff_s=(0.2, 0.5, 1.0, 2.0),
    )


async def align_dossier_consumer(settings: NotificationsSettings) -> None:
    """A durable consumer keeps the configuration it was created with, and this session shares one durable across
    tests with different settings: bring its max_deliver in line with the settings of the test that starts now."""
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        try:
            info = await js.consumer_info(Stream.DOSSIER.jetstream_name, DOSSIER_CONSUMER)
        except NotFoundError:
            return
        if info.config.max_deliver != settings.consumer_max_deliver:
            await js.add_consumer(
                Stream.DOSSIER.jetstream_name, config=info.config.evolve(max_deliver=settings.consumer_max_deliver)
            )
    finally:
        await nc.close()


async def consumer_drained(settings: NotificationsSettings) -> bool:
    """Whether the service's dossier consumer has handled (acked) everything in the stream."""
    nc = await nats.connect(settings.nats_url)
    try:
        info = await nc.jetstream().consumer_info(Stream.DOSSIER.jetstream_name, DOSSIER_CONSUMER)
        return info.num_pending == 0 and info.num_ack_pending == 0
    finally:
        await nc.close()


@contextlib.asynccontextmanager
async def running(settings: NotificationsSettings) -> AsyncIterator[TestClient]:
    """The notifications service, lifespan included (database schema, streams, durable consumers)."""
    await align_dossier_consumer(settings)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
async def notifications(settings: NotificationsSettings) -> AsyncIterator[TestClient]:
    async with running(settings) as client:
        yield client


@pytest.fixture
async def publisher(nats_url: str, settings: NotificationsSettings) -> AsyncIterator[NatsBroker]:
    broker = NatsBroker(nats_url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), settings)
    try:
        yield broker
    finally:
        await broker.stop()


class Feiten:
    """Builds and publishes the facts of one werkgever, as intake (personeel) and cases (dossier) would."""

    def __init__(self, broker: NatsBroker, werkgever_id: str) -> None:
        self.broker = broker
        self.werkgever_id = werkgever_id

    def _basis(self) -> dict[str, Any]:
        return {
            "event_id": uuid4(),
            "werkgever_id": self.werkgever_id,
            "geregistreerd_op": datetime.now(UTC),
            "actor": Actor(id="hr-1", rol=Rol.HR),
        }

    async def publish(self, event: Event, *, msg_id: str | None = None) -> PublishResult:
        return await publish_event(self.broker, event, source="urn:verzuim:test", msg_id=msg_id)

    def afdeling(self, afdeling_id: str, leidinggevende_id: str | None) -> AfdelingVastgelegd:
        return AfdelingVastgelegd(
            **self._basis(), afdeling_id=afdeling_id, naam=afdeling_id.title(), leidinggevende_id=leidinggevende_id
        )

    def in_dienst(
        self, werknemer_id: str, afdeling_id: str, leidinggevende_id: str | None = None
    ) -> MedewerkerInDienst:
        return MedewerkerInDienst(
            **self._basis(),
            werknemer_id=werknemer_id,
            datum_in_dienst=date(2020, 1, 1),
            naam=f"Medewerker {werknemer_id}",
            email=f"{werknemer_id}@example.org",
            afdeling_id=afdeling_id,
            contracturen=32,
            voltijduren=40,
            leidinggevende_id=leidinggevende_id,
        )

    def gewijzigd(self, werknemer_id: str, afdeling_id: str, geldig_vanaf: date) -> MedewerkerGegevensGewijzigd:
        return MedewerkerGegevensGewijzigd(
            **self._basis(),
            werknemer_id=werknemer_id,
            geldig_vanaf=geldig_vanaf,
            naam=f"Medewerker {werknemer_id}",
            afdeling_id=afdeling_id,
            contracturen=32,
            voltijduren=40,
        )

    def geopend(self, werknemer_id: str, eerste_ziektedag: date = date(2025, 1, 6)) -> DossierGeopend:
        melding_id = uuid4()
        return DossierGeopend(
            **self._basis(),
            dossier_id=dossier_id_for_melding(melding_id),
            versie=1,
            werknemer_id=werknemer_id,
            melding_id=melding_id,
            eerste_ziektedag=eerste_ziektedag,
            gemeld_op=datetime.combine(eerste_ziektedag, time(8, 30), tzinfo=NL),
        )


@pytest.fixture
def feiten(publisher: NatsBroker, werkgever: str) -> Feiten:
    return Feiten(publisher, werkgever)


Auth = Callable[[str, str], dict[str, str]]


@pytest.fixture
def auth(token_factory: Callable[..., str], werkgever: str) -> Auth:
    def headers(rol: str, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_factory(sub=sub, rol=rol, werkgever_id=werkgever)}"}

    return headers


def inbox(client: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    r = client.get("/v1/inbox", headers=headers, params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def items_in(client: TestClient, headers: dict[str, str], count: int = 1) -> list[dict[str, Any]]:
    """Wait until the inbox holds `count` items, and return them."""

    def probe() -> list[dict[str, Any]] | None:
        items = inbox(client, headers)
        return items if len(items) >= count else None

    return await eventually(probe)


async def organisatie(feiten: Feiten) -> None:
    """magazijn (lg-magazijn): wn-1; kantoor (lg-kantoor): wn-2 with an own leidinggevende lg-eigen, and wn-3."""
    await feiten.publish(feiten.afdeling("magazijn", "lg-magazijn"))
    await feiten.publish(feiten.afdeling("kantoor", "lg-kantoor"))
    await feiten.publish(feiten.in_dienst("wn-1", "magazijn"))
    await feiten.publish(feiten.in_dienst("wn-2", "kantoor", leidinggevende_id="lg-eigen"))
    await feiten.publish(feiten.in_dienst("wn-3", "kantoor"))


async def medewerker_bekend(database_url: str, werkgever_id: str, werknemer_id: str) -> bool:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT 1 FROM medewerker WHERE werkgever_id = %s AND werknemer_id = %s", (werkgever_id, werknemer_id)
        )
        return await cur.fetchone() is not None


# --------------------------------------------------------------------------------------------- routing


async def test_a_dossier_geopend_reaches_only_the_werknemers_leidinggevende(
    notifications: TestClient, feiten: Feiten, auth: Auth, token_factory: Callable[..., str]
) -> None:
    await organisatie(feiten)
    dossier = feiten.geopend("wn-1")
    await feiten.publish(dossier)

    [item] = await items_in(notifications, auth("leidinggevende", "lg-magazijn"))
    assert item["id"]
    assert item["type"] == "ziekmelding"
    assert item["titel"] == "Ziekmelding van Medewerker wn-1"
    assert "Medewerker wn-1 heeft zich ziek gemeld op maandag 6 januari 2025 om 08:30." in item["tekst"]
    assert "belafspraak binnen 10 werkdagen" in item["tekst"]
    assert item["dossier_id"] == str(dossier.dossier_id)
    assert item["werknemer_id"] == "wn-1"
    assert item["link"] == f"{CASES_URL}/v1/dossiers/{dossier.dossier_id}"
    assert item["link"] in item["tekst"]
    assert item["deadline"] == "2025-01-06"
    assert item["status"] == "open"
    assert datetime.fromisoformat(item["aangemaakt_op"]) == NU

    assert inbox(notifications, auth("leidinggevende", "lg-kantoor")) == []
    assert inbox(notifications, auth("hr", "hr-1")) == []
    # the same person id at another werkgever sees nothing of this one
    elders = {"Authorization": f"Bearer {token_factory(sub='lg-magazijn', rol='leidinggevende', werkgever_id='wg-x')}"}
    assert inbox(notifications, elders) == []

    # the medewerker's own leidinggevende comes before the afdeling's
    await feiten.publish(feiten.geopend("wn-2"))
    [eigen] = await items_in(notifications, auth("leidinggevende", "lg-eigen"))
    assert eigen["werknemer_id"] == "wn-2"
    assert inbox(notifications, auth("leidinggevende", "lg-kantoor")) == []


async def test_a_redelivered_dossier_geopend_after_a_restart_still_gives_one_item(
    settings: NotificationsSettings, feiten: Feiten, auth: Auth
) -> None:
    lg_magazijn, lg_kantoor = auth("leidinggevende", "lg-magazijn"), auth("leidinggevende", "lg-kantoor")
    dossier = feiten.geopend("wn-1")
    async with running(settings) as client:
        await organisatie(feiten)
        await feiten.publish(dossier)
        [eerste] = await items_in(client, lg_magazijn)

    async with running(settings) as client:
        # the same fact again, beyond JetStream's dedupe (another Nats-Msg-Id), and a later fact
        copy = await feiten.publish(dossier, msg_id=f"redelivery-{uuid4()}")
        assert not copy.duplicate
        await feiten.publish(feiten.geopend("wn-3"))
        await items_in(client, lg_kantoor)
        # the messages of one fetched batch are handled side by side, so the later fact being routed does not say
        # the copy was: wait until the consumer has acked everything in the stream
        await eventually(lambda: consumer_drained(settings), timeout=120)
        assert inbox(client, lg_magazijn) == [eerste]


async def test_a_dossier_geopend_before_the_personeel_data_reaches_the_leidinggevende_on_a_retry(
    notifications: TestClient, feiten: Feiten, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="verzuim_shared.messaging")
    await feiten.publish(feiten.geopend("wn-1"))

    def eerste_poging_mislukt() -> bool:
        return any(
            DOSSIER_CONSUMER in r.getMessage()
            and "RetryLater" in r.getMessage()
            and feiten.werkgever_id in r.getMessage()
            for r in caplog.records
        )

    await eventually(eerste_poging_mislukt)
    await organisatie(feiten)

    [item] = await items_in(notifications, auth("leidinggevende", "lg-magazijn"))
    assert item["werknemer_id"] == "wn-1"
    assert "geen leidinggevende" not in item["tekst"]
    assert inbox(notifications, auth("hr", "hr-1")) == []


async def test_an_unknown_werknemer_lands_in_the_hr_inbox_on_the_last_attempt(
    settings: NotificationsSettings, feiten: Feiten, auth: Auth
) -> None:
    settings = settings.model_copy(update={"consumer_max_deliver": 2, "consumer_backoff_s": (0.1,)})
    async with running(settings) as client:
        dossier = feiten.geopend("wn-onbekend")
        await feiten.publish(dossier)

        [item] = await items_in(client, auth("hr", "hr-1"))
        assert item["titel"] == "Ziekmelding van werknemer wn-onbekend (geen leidinggevende bekend)"
        assert "Let op: voor deze werknemer is geen leidinggevende bekend." in item["tekst"]
        assert item["dossier_id"] == str(dossier.dossier_id)
        # addressed to the role: every hr user of the werkgever sees it, other roles do not
        assert [i["id"] for i in inbox(client, auth("hr", "hr-2"))] == [item["id"]]
        assert inbox(client, auth("leidinggevende", "lg-magazijn")) == []
        assert inbox(client, auth("casemanager", "hr-1")) == []


async def test_an_afdeling_without_leidinggevende_goes_to_hr_with_the_reason(
    notifications: TestClient, feiten: Feiten, auth: Auth
) -> None:
    await feiten.publish(feiten.afdeling("werkplaats", None))
    await feiten.publish(feiten.in_dienst("wn-9", "werkplaats"))
    await feiten.publish(feiten.geopend("wn-9"))
    [item] = await items_in(notifications, auth("hr", "hr-1"))
    assert "Bij de werknemer en bij de afdeling is geen leidinggevende vastgelegd." in item["tekst"]
    assert item["titel"] == "Ziekmelding van Medewerker wn-9 (geen leidinggevende bekend)"


async def test_older_personeel_data_arriving_later_do_not_overwrite_newer_data(
    notifications: TestClient, feiten: Feiten, auth: Auth, database_url: str
) -> None:
    await organisatie(feiten)
    # wn-1 moved to the kantoor from June 2024; a change from 2023 (magazijn) arrives after that one
    await feiten.publish(feiten.gewijzigd("wn-1", "kantoor", date(2024, 6, 1)))
    await feiten.publish(feiten.gewijzigd("wn-1", "magazijn", date(2023, 1, 1)))
    # the personeel consumer handles its stream in order: once this one is stored, the ones before it are too
    await feiten.publish(feiten.in_dienst("wn-merker", "kantoor"))
    await eventually(lambda: medewerker_bekend(database_url, feiten.werkgever_id, "wn-merker"))

    await feiten.publish(feiten.geopend("wn-1"))
    [item] = await items_in(notifications, auth("leidinggevende", "lg-kantoor"))
    assert item["werknemer_id"] == "wn-1"
    assert inbox(notifications, auth("leidinggevende", "lg-magazijn")) == []


# --------------------------------------------------------------------------------------------- the inbox API


async def test_the_recipient_marks_an_item_gelezen_and_afgehandeld(
    notifications: TestClient, feiten: Feiten, auth: Auth
) -> None:
    lg = auth("leidinggevende", "lg-magazijn")
    await organisatie(feiten)
    await feiten.publish(feiten.geopend("wn-1"))
    [item] = await items_in(notifications, lg)
    url = f"/v1/inbox/{item['id']}"

    # nobody else can touch it
    for anderen in (auth("leidinggevende", "lg-kantoor"), auth("hr", "hr-1")):
        r = notifications.post(f"{url}/gelezen", headers=anderen)
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert item["id"] in r.json()["detail"]
    assert notifications.post(f"/v1/inbox/{uuid4()}/afgehandeld", headers=lg).status_code == 404
    assert notifications.post("/v1/inbox/geen-uuid/gelezen", headers=lg).status_code == 422

    r = notifications.post(f"{url}/gelezen", headers=lg)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "gelezen"
    assert r.json()["id"] == item["id"]
    assert inbox(notifications, lg, status="open") == []
    assert [i["id"] for i in inbox(notifications, lg, status="gelezen")] == [item["id"]]

    r = notifications.post(f"{url}/afgehandeld", headers=lg)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "afgehandeld"
    # marking it gelezen again does not move it back
    assert notifications.post(f"{url}/gelezen", headers=lg).json()["status"] == "afgehandeld"
    assert [i["status"] for i in inbox(notifications, lg)] == ["afgehandeld"]
    assert inbox(notifications, lg, status="gelezen") == []
    assert [i["id"] for i in inbox(notifications, lg, status="afgehandeld")] == [item["id"]]

    r = notifications.get("/v1/inbox", headers=lg, params={"status": "weg"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


async def test_without_a_token_the_inbox_answers_401(notifications: TestClient) -> None:
    for method, path in (
        ("GET", "/v1/inbox"),
        ("POST", f"/v1/inbox/{uuid4()}/gelezen"),
        ("POST", f"/v1/inbox/{uuid4()}/afgehandeld"),
    ):
        r = notifications.request(method, path)
        assert r.status_code == 401, (path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"
    r = notifications.get("/v1/inbox", headers={"Authorization": "Bearer niet-een-token"})
    assert r.status_code == 401


async def test_the_service_reports_ready(notifications: TestClient) -> None:
    assert notifications.get("/healthz").json() == {"status": "ok"}
    r = notifications.get("/readyz")
    assert r.status_code == 200, r.text

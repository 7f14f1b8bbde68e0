"""The reporting service on the session's real NATS and a fresh PostgreSQL database: events published as intake and
cases publish them, the read model and the HTTP API observed from outside, and a rebuild from the streams."""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import uuid4

import nats
import psycopg
import pytest
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from psycopg.rows import dict_row
from pydantic import SecretStr
from verzuim_devstack.testing import eventually
from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.projectiestore import PostgresProjectiestore
from verzuim_reporting.application import Positie, Projector
from verzuim_reporting.bootstrap import create_app
from verzuim_reporting.settings import ReportingSettings
from verzuim_shared.clock import NL
from verzuim_shared.db import ensure_database
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    HerstelSoort,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    Rol,
    parse_event,
)
from verzuim_shared.events.dossier import EpisodeToegevoegd
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.messaging import PublishResult, ensure_streams, publish_event
from verzuim_shared.subjects import Stream

VANDAAG = date(2025, 3, 3)  # the service runs on a simulated clock: "today" in the Netherlands


@pytest.fixture
def reporting_settings(nats_url: str, database_url: str, jwt_secret: str) -> ReportingSettings:
    return ReportingSettings(
        nats_url=nats_url,
        database_url=database_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        consumer_backoff_s=(0.1, 0.5),
        clock=f"simulated:{VANDAAG.isoformat()}T12:00:00+01:00",
    )


@pytest.fixture
def reporting(reporting_settings: ReportingSettings) -> Iterator[TestClient]:
    """The reporting service, lifespan included (database schema, streams, durable consumers)."""
    with TestClient(create_app(reporting_settings)) as client:
        yield client


@pytest.fixture
async def publisher(nats_url: str, reporting_settings: ReportingSettings) -> AsyncIterator[NatsBroker]:
    broker = NatsBroker(nats_url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), reporting_settings)
    try:
        yield broker
    finally:
        await broker.stop()


class Feiten:
    """Builds and publishes the facts of one werkgever, as intake (personeel) and cases (dossier) would."""

    def __init__(self, broker: NatsBroker, werkgever_id: str) -> None:
        self.broker = broker
        self.werkgever_id = werkgever_id
        self.hr = Actor(id="hr-1", rol=Rol.HR)

    def _basis(self) -> dict[str, Any]:
        return {
            "event_id": uuid4(),
            "werkgever_id": self.werkgever_id,
            "geregistreerd_op": datetime.now(UTC),
            "actor": self.hr,
        }

    async def publish(self, event: Event, *, msg_id: str | None = None) -> PublishResult:
        return await publish_event(self.broker, event, source="test", msg_id=msg_id)

    def afdeling(self, afdeling_id: str, naam: str) -> AfdelingVastgelegd:
        return AfdelingVastgelegd(**self._basis(), afdeling_id=afdeling_id, naam=naam, leidinggevende_id=f"lg-{naam}")

    def in_dienst(self, werknemer_id: str, afdeling_id: str, datum: date = date(2020, 1, 1)) -> MedewerkerInDienst:
        return MedewerkerInDienst(
            **self._basis(),
            werknemer_id=werknemer_id,
            datum_in_dienst=datum,
            naam=f"Medewerker {werknemer_id}",
            email=f"{werknemer_id}@example.org",
            afdeling_id=afdeling_id,
            contracturen=32,
            voltijduren=40,
        )

    def gewijzigd(self, werknemer_id: str, afdeling_id: str, geldig_vanaf: date) -> MedewerkerGegevensGewijzigd:
        return MedewerkerGegevensGewijzigd(
            **self._basis(),
            werknemer_id=werknemer_id,
            geldig_vanaf=geldig_vanaf,
            naam=f"Medewerker {werknemer_id}",
            afdeling_id=afdeling_id,
            contracturen=24,
            voltijduren=40,
        )

    def uit_dienst(self, werknemer_id: str, datum: date) -> MedewerkerUitDienst:
        return MedewerkerUitDienst(**self._basis(), werknemer_id=werknemer_id, datum_uit_dienst=datum)

    def geopend(self, werknemer_id: str, eerste_ziektedag: date) -> DossierGeopend:
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

    def herstel(
        self, dossier: DossierGeopend, hersteldatum: date, percentage: int = 0, *, versie: int = 2
    ) -> HerstelGeregistreerd:
        return HerstelGeregistreerd(
            **self._basis(),
            dossier_id=dossier.dossier_id,
            versie=versie,
            werknemer_id=dossier.werknemer_id,
            herstel_id=uuid4(),
            soort=HerstelSoort.VOLLEDIG if percentage == 0 else HerstelSoort.GEDEELTELIJK,
            hersteldatum=hersteldatum,
            arbeidsongeschiktheidspercentage=percentage,
        )

    def episode(self, dossier: DossierGeopend, eerste_ziektedag: date, *, versie: int = 3) -> EpisodeToegevoegd:
        return EpisodeToegevoegd(
            **self._basis(),
            dossier_id=dossier.dossier_id,
            versie=versie,
            werknemer_id=dossier.werknemer_id,
            datum=eerste_ziektedag,
            melding_id=uuid4(),
            eerste_ziektedag=eerste_ziektedag,
            gemeld_op=datetime.combine(eerste_ziektedag, time(8, 30), tzinfo=NL),
            hersteld_dagen_tussen=7,
        )


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def feiten(publisher: NatsBroker, werkgever: str) -> Feiten:
    return Feiten(publisher, werkgever)


@pytest.fixture
def headers(token_factory: Callable[..., str], werkgever: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_factory(sub='hr-1', rol='hr', werkgever_id=werkgever)}"}


async def positie(database_url: str, stream: str) -> int:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute("SELECT laatste_sequence FROM projectie_positie WHERE stream = %s", (stream,))
        row = await cur.fetchone()
        return int(row[0]) if row else 0


async def verwerkt(database_url: str, *published: PublishResult) -> None:
    """Wait until the service has committed everything up to these publishes in their streams."""
    for result in published:
        stream = result.stream.removeprefix("VERZUIM_").lower()

        async def bijgewerkt(stream: str = stream, sequence: int = result.sequence) -> bool:
            return await positie(database_url, stream) >= sequence

        await eventually(bijgewerkt)


# --------------------------------------------------------------------------------------------- helpers


def open_dossiers(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    r = client.get("/v1/rapportages/open-dossiers", headers=headers, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["totaal"] == sum(row["aantal"] for row in body["per_afdeling"])
    return body


def aantallen(body: dict[str, Any]) -> dict[str, int]:
    return {row["afdeling_id"]: row["aantal"] for row in body["per_afdeling"]}


async def organisatie(feiten: Feiten) -> list[PublishResult]:
    """Two afdelingen and three werknemers: wn-1 and wn-2 in the magazijn, wn-3 at the kantoor."""
    return [
        await feiten.publish(feiten.afdeling("magazijn", "Magazijn")),
        await feiten.publish(feiten.afdeling("kantoor", "Kantoor")),
        await feiten.publish(feiten.in_dienst("wn-1", "magazijn")),
        await feiten.publish(feiten.in_dienst("wn-2", "magazijn")),
        await feiten.publish(feiten.in_dienst("wn-3", "kantoor")),
    ]


# --------------------------------------------------------------------------------------------- the report


async def test_open_dossiers_are_counted_per_afdeling_once_and_volledig_herstel_ends_them(
    reporting: TestClient, feiten: Feiten, headers: dict[str, str], database_url: str
) -> None:
    await organisatie(feiten)
    d1 = feiten.geopend("wn-1", date(2025, 2, 20))
    d3 = feiten.geopend("wn-3", date(2025, 2, 26))
    await verwerkt(database_url, await feiten.publish(d1), await feiten.publish(d3))

    body = open_dossiers(reporting, headers)
    assert body["werkgever_id"] == feiten.werkgever_id
    assert body["peildatum"] == VANDAAG.isoformat()
    assert body["totaal"] == 2
    assert body["per_afdeling"] == [
        {"afdeling_id": "kantoor", "afdeling_naam": "Kantoor", "aantal": 1},
        {"afdeling_id": "magazijn", "afdeling_naam": "Magazijn", "aantal": 1},
    ]
    assert "volledig herstel" in body["definitie"]

    # the same DossierGeopend again, beyond JetStream's dedupe (another Nats-Msg-Id): counted once
    copy = await feiten.publish(d1, msg_id=f"redelivery-{uuid4()}")
    assert not copy.duplicate
    await verwerkt(database_url, copy)
    assert aantallen(open_dossiers(reporting, headers)) == {"kantoor": 1, "magazijn": 1}

    # deelherstel keeps a dossier open; volledig herstel ends it
    deel = await feiten.publish(feiten.herstel(d3, date(2025, 3, 1), 50))
    volledig = await feiten.publish(feiten.herstel(d1, date(2025, 3, 2)))
    await verwerkt(database_url, deel, volledig)
    body = open_dossiers(reporting, headers)
    assert body["totaal"] == 1
    assert aantallen(body) == {"kantoor": 1, "magazijn": 0}


async def test_a_dossier_without_personeel_data_counts_under_onbekend_until_the_data_arrives(
    reporting: TestClient, feiten: Feiten, headers: dict[str, str], database_url: str
) -> None:
    await verwerkt(database_url, await feiten.publish(feiten.geopend("wn-9", date(2025, 3, 3))))
    body = open_dossiers(reporting, headers)
    assert body["totaal"] == 1
    assert body["per_afdeling"] == [
        {"afdeling_id": "onbekend", "afdeling_naam": "Onbekend (geen personeelsgegevens)", "aantal": 1}
    ]
    assert open_dossiers(reporting, headers, afdeling_id="onbekend")["totaal"] == 1

    # the personeel data comes late: the afdeling is joined when asked, so the dossier moves there
    late = [
        await feiten.publish(feiten.in_dienst("wn-9", "kantoor")),
        await feiten.publish(feiten.afdeling("kantoor", "Kantoor")),
    ]
    await verwerkt(database_url, *late)
    assert aantallen(open_dossiers(reporting, headers)) == {"kantoor": 1}


async def test_another_werkgever_sees_none_of_it(
    reporting: TestClient, feiten: Feiten, token_factory: Callable[..., str], database_url: str
) -> None:
    await organisatie(feiten)
    await verwerkt(database_url, await feiten.publish(feiten.geopend("wn-1", date(2025, 3, 1))))
    own = {"Authorization": f"Bearer {token_factory(rol='hr', werkgever_id=feiten.werkgever_id)}"}
    assert open_dossiers(reporting, own)["totaal"] == 1

    other = f"wg-{uuid4().hex[:8]}"
    theirs = {"Authorization": f"Bearer {token_factory(rol='hr', werkgever_id=other)}"}
    body = open_dossiers(reporting, theirs)
    assert body == {**body, "werkgever_id": other, "totaal": 0, "per_afdeling": []}
    assert open_dossiers(reporting, theirs, afdeling_id="magazijn")["totaal"] == 0


async def test_the_afdeling_filter_and_the_peildatum(
    reporting: TestClient, feiten: Feiten, headers: dict[str, str], database_url: str
) -> None:
    await organisatie(feiten)
    d1 = feiten.geopend("wn-1", date(2025, 1, 6))
    d2 = feiten.geopend("wn-2", date(2025, 2, 10))
    d3 = feiten.geopend("wn-3", date(2025, 2, 24))
    results = [await feiten.publish(d) for d in (d1, d2, d3)]
    results.append(await feiten.publish(feiten.herstel(d1, date(2025, 2, 3))))  # first fully fit day
    await verwerkt(database_url, *results)

    magazijn = open_dossiers(reporting, headers, afdeling_id="magazijn")
    assert magazijn["per_afdeling"] == [{"afdeling_id": "magazijn", "afdeling_naam": "Magazijn", "aantal": 1}]
    assert magazijn["totaal"] == 1

    # on 2025-02-02 wn-1 was still sick; wn-3 not yet
    body = open_dossiers(reporting, headers, peildatum="2025-02-02")
    assert body["peildatum"] == "2025-02-02"
    assert aantallen(body) == {"kantoor": 0, "magazijn": 1}
    # on the hersteldatum itself wn-1 is fit; wn-2 fell ill on 2025-02-10
    assert aantallen(open_dossiers(reporting, headers, peildatum="2025-02-03")) == {"kantoor": 0, "magazijn": 0}
    assert aantallen(open_dossiers(reporting, headers, peildatum="2025-02-24")) == {"kantoor": 1, "magazijn": 1}


async def test_a_werknemer_counts_under_the_afdeling_that_applies_on_the_peildatum(
    reporting: TestClient, feiten: Feiten, headers: dict[str, str], database_url: str
) -> None:
    await organisatie(feiten)
    results = [
        await feiten.publish(feiten.geopend("wn-2", date(2025, 1, 13))),
        await feiten.publish(feiten.gewijzigd("wn-2", "kantoor", geldig_vanaf=date(2025, 2, 1))),
    ]
    await verwerkt(database_url, *results)
    assert aantallen(open_dossiers(reporting, headers, peildatum="2025-01-31")) == {"kantoor": 0, "magazijn": 1}
    assert aantallen(open_dossiers(reporting, headers)) == {"kantoor": 1, "magazijn": 0}


def test_the_report_needs_a_token_a_management_role_and_a_valid_date(
    reporting: TestClient, token_factory: Callable[..., str]
) -> None:
    r = reporting.get("/v1/rapportages/open-dossiers")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"] == "Bearer"

    r = reporting.get("/v1/rapportages/open-dossiers", headers={"Authorization": "Bearer niet-een-token"})
    assert r.status_code == 401

    for rol in ("werknemer", "leidinggevende"):
        token = token_factory(rol=rol, werkgever_id="wg-x")
        r = reporting.get("/v1/rapportages/open-dossiers", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403, rol
        assert rol in r.json()["detail"]

    hr = {"Authorization": f"Bearer {token_factory(rol='hr', werkgever_id='wg-x')}"}
    r = reporting.get("/v1/rapportages/open-dossiers", headers=hr, params={"peildatum": "3 maart"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "peildatum" in r.json()["detail"]

    assert reporting.get("/readyz").json() == {"status": "ready"}


# --------------------------------------------------------------------------------------------- the read model


async def stroom_van(nats_url: str, stream: Stream, werkgever_id: str) -> list[tuple[Positie, Event]]:
    """Every event of one werkgever in a stream, read from the beginning with its stream sequence."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        laatste = (await js.stream_info(stream.jetstream_name)).state.last_seq
        sub = await js.pull_subscribe(
            stream.wildcard,
            durable=None,
            stream=stream.jetstream_name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30),
        )
        gevonden: list[tuple[Positie, Event]] = []
        gelezen = 0
        while gelezen < laatste:
            for msg in await sub.fetch(500, timeout=5):
                gelezen = msg.metadata.sequence.stream
                if json.loads(msg.data).get("werkgever_id") == werkgever_id:
                    gevonden.append((Positie(stream.value, gelezen), parse_event(msg.subject, msg.data)))
        return gevonden
    finally:
        await nc.close()


TABELLEN = (
    "afdeling",
    "medewerker_gegevens",
    "dienstverband_mutatie",
    "dienstverband",
    "dossier",
    "dossier_episode",
    "dossier_herstel",
    "verwerkt_event",
)


async def inhoud(database_url: str, werkgever_id: str) -> dict[str, list[dict[str, Any]]]:
    """The werkgever's rows of every read-model table, in a fixed order."""
    tabellen: dict[str, list[dict[str, Any]]] = {}
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        for tabel in TABELLEN:
            cur = await conn.execute(f"SELECT * FROM {tabel} WHERE werkgever_id = %s", (werkgever_id,))
            tabellen[tabel] = sorted(await cur.fetchall(), key=lambda r: repr(sorted(r.items())))
    return tabellen


@contextlib.asynccontextmanager
async def lege_projectie(postgres_admin_url: str) -> AsyncIterator[tuple[str, Projector]]:
    """A projector on a database of its own, as a rebuild would start."""
    naam = f"t_rebuild_{uuid4().hex[:12]}"
    url = postgres_admin_url.rpartition("/")[0] + f"/{naam}"
    await ensure_database(postgres_admin_url, naam)
    database = Database(ReportingSettings(database_url=url))
    await database.open()
    try:
        yield url, Projector(PostgresProjectiestore(database))
    finally:
        await database.close()
        async with await psycopg.AsyncConnection.connect(postgres_admin_url, autocommit=True) as conn:
            await conn.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


async def test_the_read_model_keeps_the_facts_and_a_rebuild_from_the_streams_gives_the_same_tables(
    reporting: TestClient,
    feiten: Feiten,
    headers: dict[str, str],
    database_url: str,
    nats_url: str,
    postgres_admin_url: str,
) -> None:
    results = await organisatie(feiten)
    # wn-1 leaves and comes back; wn-2 moves to the kantoor
    results += [
        await feiten.publish(feiten.uit_dienst("wn-1", date(2024, 6, 30))),
        await feiten.publish(feiten.in_dienst("wn-1", "kantoor", date(2024, 9, 1))),
        await feiten.publish(feiten.gewijzigd("wn-2", "kantoor", geldig_vanaf=date(2025, 1, 1))),
    ]
    # wn-2: deelherstel, volledig herstel, sick again within four weeks (samentelling): the same dossier, open
    d2 = feiten.geopend("wn-2", date(2025, 1, 6))
    d1 = feiten.geopend("wn-1", date(2025, 2, 17))
    results += [
        await feiten.publish(d2),
        await feiten.publish(feiten.herstel(d2, date(2025, 1, 20), 50, versie=2)),
        await feiten.publish(feiten.herstel(d2, date(2025, 2, 3), versie=3)),
        await feiten.publish(feiten.episode(d2, date(2025, 2, 24), versie=4)),
        await feiten.publish(d1),
        await feiten.publish(d1, msg_id=f"redelivery-{uuid4()}"),
    ]
    await verwerkt(database_url, *results)
    assert aantallen(open_dossiers(reporting, headers)) == {"kantoor": 2, "magazijn": 0}
    # in the gap between the two episodes wn-2 was fit
    assert aantallen(open_dossiers(reporting, headers, peildatum="2025-02-10")) == {"kantoor": 0, "magazijn": 0}

    live = await inhoud(database_url, feiten.werkgever_id)
    wg = feiten.werkgever_id
    assert sorted((r["werknemer_id"], r["datum_in_dienst"], r["datum_uit_dienst"]) for r in live["dienstverband"]) == [
        ("wn-1", date(2020, 1, 1), date(2024, 6, 30)),
        ("wn-1", date(2024, 9, 1), None),
        ("wn-2", date(2020, 1, 1), None),
        ("wn-3", date(2020, 1, 1), None),
    ]
    dossiers = {r["dossier_id"]: r for r in live["dossier"]}
    assert dossiers[d2.dossier_id] | {"stream_sequence": 0} == {
        "werkgever_id": wg,
        "dossier_id": d2.dossier_id,
        "werknemer_id": "wn-2",
        "melding_id": d2.melding_id,
        "eerste_ziektedag": date(2025, 1, 6),
        "status": "open",
        "hersteldatum": None,
        "arbeidsongeschiktheidspercentage": 100,
        "stream_sequence": 0,
    }
    assert dossiers[d1.dossier_id]["status"] == "open"
    episodes = [r for r in live["dossier_episode"] if r["dossier_id"] == d2.dossier_id]
    assert sorted((r["eerste_ziektedag"], r["hersteldatum"]) for r in episodes) == [
        (date(2025, 1, 6), date(2025, 2, 3)),
        (date(2025, 2, 24), None),
    ]
    herstellen = live["dossier_herstel"]
    assert sorted((r["soort"], r["hersteldatum"], r["arbeidsongeschiktheidspercentage"]) for r in herstellen) == [
        ("gedeeltelijk", date(2025, 1, 20), 50),
        ("volledig", date(2025, 2, 3), 0),
    ]
    assert len(live["verwerkt_event"]) == len(results) - 1  # the redelivered copy was not applied again

    # a rebuild: the werkgever's events from the beginning of both streams, into an empty read model
    gebeurtenissen = await stroom_van(nats_url, Stream.PERSONEEL, wg) + await stroom_van(nats_url, Stream.DOSSIER, wg)
    assert len(gebeurtenissen) == len(results)
    async with lege_projectie(postgres_admin_url) as (url, projector):
        for positie_, event in gebeurtenissen:
            await projector.verwerk(event, positie_)
        assert await inhoud(url, wg) == live
        # and once more: applying the same events again changes nothing
        for positie_, event in gebeurtenissen:
            assert not await projector.verwerk(event, positie_)
        assert await inhoud(url, wg) == live

    # the order in which events arrive does not matter either (redelivery after a nak can reorder them)
    uniek = list({event.event_id: (p, event) for p, event in reversed(gebeurtenissen)}.values())
    random.Random(7).shuffle(uniek)
    async with lege_projectie(postgres_admin_url) as (url, projector):
        for positie_, event in uniek:
            await projector.verwerk(event, positie_)
        assert await inhoud(url, wg) == live

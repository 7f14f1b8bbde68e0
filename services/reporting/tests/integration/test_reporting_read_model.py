"""The reporting service on the session's real NATS and a fresh PostgreSQL database: events published as intake and
cases publish them, the read model and the HTTP API observed from outside, and a rebuild from the streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from pydantic import SecretStr
from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.herbouw import Herbouwer
from verzuim_reporting.adapters.projectiestore import PostgresProjectiestore
from verzuim_reporting.application import Projector
from verzuim_reporting.bootstrap import create_app
from verzuim_reporting.settings import ReportingSettings
from verzuim_shared.db import ensure_database
from verzuim_shared.messaging import PublishResult, ensure_streams
from verzuim_shared.subjects import Stream

from .reporting_hulp import Feiten, inhoud, stroom_van, verwerkt, wacht_tot_klaar

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
        wacht_tot_klaar(client)
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


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def feiten(publisher: NatsBroker, werkgever: str) -> Feiten:
    return Feiten(publisher, werkgever)


@pytest.fixture
def headers(token_factory: Callable[..., str], werkgever: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_factory(sub='hr-1', rol='hr', werkgever_id=werkgever)}"}


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
    await feiten.publish(d1)
    await feiten.publish(d3)
    await verwerkt(database_url, feiten)

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
    await verwerkt(database_url, feiten)
    await _positie_bereikt(database_url, copy)
    assert aantallen(open_dossiers(reporting, headers)) == {"kantoor": 1, "magazijn": 1}

    # deelherstel keeps a dossier open; volledig herstel ends it
    await feiten.publish(feiten.herstel(d3, date(2025, 3, 1), 50))
    await feiten.publish(feiten.herstel(d1, date(2025, 3, 2)))
    await verwerkt(database_url, feiten)
    body = open_dossiers(reporting, headers)
    assert body["totaal"] == 1
    assert aantallen(body) == {"kantoor": 1, "magazijn": 0}


async def test_a_dossier_without_personeel_data_counts_under_onbekend_until_the_data_arrives(
    reporting: TestClient, feiten: Feiten, headers: dict[str, str], database_url: str
) -> None:
    await feiten.publish(feiten.geopend("wn-9", date(2025, 3, 3)))
    await verwerkt(database_url, feiten)
    body = open_dossiers(reporting, headers)
    assert body["totaal"] == 1
    assert body["per_afdeling"] == [
        {"afdeling_id": "onbekend", "afdeling_naam": "Onbekend (geen personeelsgegevens)", "aantal": 1}
    ]
    assert open_dossiers(reporting, headers, afdeling_id="onbekend")["totaal"] == 1

    # the personeel data comes late: the afdeling is joined when asked, so the dossier moves there
    await feiten.publish(feiten.in_dienst("wn-9", "kantoor"))
    await feiten.publish(feiten.afdeling("kantoor", "Kantoor"))
    await verwerkt(database_url, feiten)
    assert aantallen(open_dossiers(reporting, headers)) == {"kantoor": 1}


async def test_another_werkgever_sees_none_of_it(
    reporting: TestClient, feiten: Feiten, token_factory: Callable[..., str], database_url: str
) -> None:
    await organisatie(feiten)
    await feiten.publish(feiten.geopend("wn-1", date(2025, 3, 1)))
    await verwerkt(database_url, feiten)
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
    await verwerkt(database_url, feiten)

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
    await feiten.publish(feiten.geopend("wn-2", date(2025, 1, 13)))
    await feiten.publish(feiten.gewijzigd("wn-2", "kantoor", geldig_vanaf=date(2025, 2, 1)))
    await verwerkt(database_url, feiten)
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


async def _positie_bereikt(database_url: str, result: PublishResult) -> None:
    """Wait until the message itself was handled: its transaction records its position (also when it changed
    nothing, as for a copy of an event applied before)."""
    from verzuim_devstack.testing import eventually

    stream = result.stream.removeprefix("VERZUIM_").lower()

    async def bereikt() -> bool:
        async with await psycopg.AsyncConnection.connect(database_url) as conn:
            cur = await conn.execute(
                "SELECT laatste_sequence FROM leesmodel.projectie_positie WHERE stream = %s", (stream,)
            )
            row = await cur.fetchone()
            return row is not None and row[0] >= result.sequence

    await eventually(bereikt)


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
    reporting_settings: ReportingSettings,
    feiten: Feiten,
    headers: dict[str, str],
    database_url: str,
    nats_url: str,
    postgres_admin_url: str,
) -> None:
    await organisatie(feiten)
    # wn-1 leaves and comes back; wn-2 moves to the kantoor
    await feiten.publish(feiten.uit_dienst("wn-1", date(2024, 6, 30)))
    await feiten.publish(feiten.in_dienst("wn-1", "kantoor", date(2024, 9, 1)))
    await feiten.publish(feiten.gewijzigd("wn-2", "kantoor", geldig_vanaf=date(2025, 1, 1)))
    # wn-2: deelherstel, volledig herstel, sick again within four weeks (samentelling): the same dossier, open
    d2 = feiten.geopend("wn-2", date(2025, 1, 6))
    d1 = feiten.geopend("wn-1", date(2025, 2, 17))
    await feiten.publish(d2)
    await feiten.publish(feiten.herstel(d2, date(2025, 1, 20), 50, versie=2))
    await feiten.publish(feiten.herstel(d2, date(2025, 2, 3), versie=3))
    await feiten.publish(feiten.episode(d2, date(2025, 2, 24), versie=4))
    await feiten.publish(d1)
    kopie = await feiten.publish(d1, msg_id=f"redelivery-{uuid4()}")
    t = feiten.termijn(d1, "PROBLEEMANALYSE", date(2025, 3, 31))
    await feiten.publish_alle([t, feiten.vervuld(t, date(2025, 3, 20))])
    await verwerkt(database_url, feiten)
    await _positie_bereikt(database_url, kopie)
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
        "gesloten_op": None,
        "arbeidsongeschiktheidspercentage": 100,
        "stream_sequence": 0,
    }
    assert dossiers[d1.dossier_id]["status"] == "open"
    gevallen = [r for r in live["verzuimgeval"] if r["dossier_id"] == d2.dossier_id]
    assert sorted((r["eerste_ziektedag"], r["hersteldatum"], r["afdeling_id"]) for r in gevallen) == [
        (date(2025, 1, 6), date(2025, 2, 3), "kantoor"),
        (date(2025, 2, 24), None, "kantoor"),
    ]
    # the sick days of wn-2 with their percentage: 100 % until the deelherstel, 50 % until the herstel, 100 % again
    segmenten = sorted(
        (r["van"], r["tot"], r["percentage"]) for r in live["verzuim_segment"] if r["werknemer_id"] == "wn-2"
    )
    assert segmenten == [
        (date(2025, 1, 6), date(2025, 1, 19), 100),
        (date(2025, 1, 20), date(2025, 2, 2), 50),
        (date(2025, 2, 24), None, 100),
    ]
    assert [(r["code"], r["status"]) for r in live["termijn"]] == [("PROBLEEMANALYSE", "vervuld_op_tijd")]
    facts = sum(len(live[t]) for t in ("afdeling_feit", "medewerker_feit", "dossier_feit", "termijn_feit"))
    assert facts == len(feiten.gepubliceerd) - 1  # the redelivered copy is the same fact

    # a rebuild by hand: the werkgever's events from the beginning of the streams, into an empty read model
    gebeurtenissen = [
        e
        for stream in (Stream.PERSONEEL, Stream.DOSSIER, Stream.TERMIJN)
        for e in await stroom_van(nats_url, stream, wg)
    ]
    assert len(gebeurtenissen) == len(feiten.gepubliceerd)
    async with lege_projectie(postgres_admin_url) as (url, projector):
        for positie_, event in gebeurtenissen:
            await projector.verwerk(event, positie_)
        assert await inhoud(url, wg) == live
        # and once more: applying the same events again changes nothing
        for positie_, event in gebeurtenissen:
            assert not await projector.verwerk(event, positie_)
        assert await inhoud(url, wg) == live

    # the order in which events arrive does not matter either: a batch is applied concurrently and a nak reorders
    # redeliveries, so also the copy with the later position may come first (what once made this test flaky)
    for seed in range(3):
        volgorde = list(gebeurtenissen)
        random.Random(seed).shuffle(volgorde)
        async with lege_projectie(postgres_admin_url) as (url, projector):
            for positie_, event in volgorde:
                await projector.verwerk(event, positie_)
            assert await inhoud(url, wg) == live
    kopie_eerst = sorted(gebeurtenissen, key=lambda pe: pe[0] != kopie_positie(gebeurtenissen, kopie))
    async with lege_projectie(postgres_admin_url) as (url, projector):
        for positie_, event in kopie_eerst:
            await projector.verwerk(event, positie_)
        assert await inhoud(url, wg) == live

    # and the rebuild command: the whole streams into a fresh schema, swapped in under the running service
    before = reporting.get("/v1/rapportages/kerncijfers", headers=headers, params={"periode": "2025-Q1"}).json()
    database = Database(reporting_settings)
    await database.open()
    try:
        resultaat = await Herbouwer(database, reporting_settings).herbouw()
    finally:
        await database.close()
    assert resultaat.posities["dossier"] >= kopie.sequence
    assert await inhoud(database_url, wg) == live
    after = reporting.get("/v1/rapportages/kerncijfers", headers=headers, params={"periode": "2025-Q1"}).json()
    assert after == before
    # the same without a worker process (everything in this one)
    in_proces = reporting_settings.model_copy(update={"rebuild_worker_process": False})
    database = Database(in_proces)
    await database.open()
    try:
        await Herbouwer(database, in_proces).herbouw()
    finally:
        await database.close()
    assert await inhoud(database_url, wg) == live


def kopie_positie(gebeurtenissen: list[Any], kopie: PublishResult) -> Any:
    return next(p for p, _ in gebeurtenissen if p.sequence == kopie.sequence and p.stream == "dossier")


async def test_the_rebuild_command_replays_the_streams_into_a_fresh_read_model(
    reporting: TestClient, feiten: Feiten, database_url: str, nats_url: str, headers: dict[str, str]
) -> None:
    await organisatie(feiten)
    d = feiten.geopend("wn-1", date(2025, 2, 3))
    await feiten.publish_alle([d, feiten.herstel(d, date(2025, 2, 10))])
    await verwerkt(database_url, feiten)
    live = await inhoud(database_url, feiten.werkgever_id)
    env = {
        **os.environ,
        "VERZUIM_DATABASE_URL": database_url,
        "VERZUIM_NATS_URL": nats_url,
        "VERZUIM_LOG_LEVEL": "WARNING",
    }
    proces = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "verzuim_reporting", "rebuild", env=env, stdout=PIPE, stderr=PIPE
    )
    stdout, stderr = await asyncio.wait_for(proces.communicate(), timeout=300)
    assert proces.returncode == 0, stderr.decode()
    samenvatting = json.loads(stdout.decode().strip().splitlines()[-1])
    assert samenvatting["gelezen"] >= len(feiten.gepubliceerd)
    # the session's streams are shared: other tests publish invalid messages on purpose, which a rebuild skips
    assert samenvatting["feiten"] + samenvatting["ongeldig"] <= samenvatting["gelezen"]
    assert set(samenvatting["posities"]) == {"personeel", "dossier", "termijn"}
    assert await inhoud(database_url, feiten.werkgever_id) == live
    body = open_dossiers(reporting, headers, peildatum="2025-02-05")
    assert body["totaal"] == 1


async def test_the_live_projector_finds_a_termijn_through_its_index(postgres_admin_url: str) -> None:
    """A termijn's facts and row are looked up by (werkgever_id, termijn_id) compared as uuid, so the index on that
    pair serves the lookup (comparing termijn_id as text made PostgreSQL read every termijn of the werkgever)."""
    from verzuim_reporting.adapters.projectiestore import IN_TERMIJN, SELECT_TERMIJNEN

    sleutels = (["wg-1", "wg-1"], [uuid4(), uuid4()])
    async with lege_projectie(postgres_admin_url) as (url, _):
        async with await psycopg.AsyncConnection.connect(url, options="-c search_path=leesmodel") as conn:
            await conn.execute("SET enable_seqscan = off")  # an empty table: make the planner show what it can use
            for statement in (SELECT_TERMIJNEN, f"DELETE FROM termijn WHERE {IN_TERMIJN}"):
                cur = await conn.execute(f"EXPLAIN (FORMAT JSON) {statement}", sleutels)
                plan = json.dumps((await cur.fetchone() or [None])[0])
                assert "termijn_id = " in plan and "Index Cond" in plan, plan
                assert "::text" not in plan.split("Index Cond")[1].split('"')[2], plan


class _TelTransacties:
    """The live store, counting its transactions."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.aantal = 0

    def transactie(self) -> Any:
        self.aantal += 1
        return self.store.transactie()


async def test_catching_up_after_a_rebuild_applies_bundles_not_one_transaction_per_event(
    feiten: Feiten, nats_url: str, postgres_admin_url: str
) -> None:
    """What arrived while a rebuild ran goes through the live projector a bundle per transaction, and arrives
    completely."""
    import nats as nats_client
    from verzuim_reporting.adapters.herbouw import STROMEN, haal_in
    from verzuim_reporting.adapters.stroom import laatste_sequence

    nc = await nats_client.connect(nats_url)
    try:
        posities = {s.value: await laatste_sequence(nc, s) for s in STROMEN}  # where "the rebuild" stopped reading
        await feiten.publish(feiten.afdeling("magazijn", "Magazijn"))
        for i in range(80):
            d = feiten.geopend(f"wn-{i}", date(2025, 2, 3))
            await feiten.publish_alle(
                [feiten.in_dienst(f"wn-{i}", "magazijn"), d, feiten.termijn(d, "ARBO", date(2025, 2, 9))]
            )
        async with lege_projectie(postgres_admin_url) as (url, projector):
            geteld = _TelTransacties(projector._store)
            projector._store = geteld
            gelezen = await haal_in(nc, projector, posities, bundelgrootte=50)
            assert gelezen == len(feiten.gepubliceerd) == 241
            assert geteld.aantal == 6  # personeel 81, dossier 80, termijn 80: two bundles each (one per event: 241)
            assert len(await toegepaste_events(url, feiten.werkgever_id)) == 241
    finally:
        await nc.close()


async def toegepaste_events(url: str, werkgever_id: str) -> list[Any]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cur = await conn.execute(
            "SELECT event_id FROM leesmodel.verwerkt_event WHERE werkgever_id = %s", (werkgever_id,)
        )
        return await cur.fetchall()

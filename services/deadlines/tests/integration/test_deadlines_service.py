"""The deadlines service on the session's real NATS and a fresh PostgreSQL database: dossier events published as the
cases service publishes them, the termijnen observed through the HTTP API and on the termijn stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import nats
import psycopg
import pytest
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import SecretStr
from verzuim_deadlines.bootstrap import create_app
from verzuim_deadlines.domain import TermijnCode, termijn_id
from verzuim_deadlines.entrypoints.worker import DOSSIER_CONSUMER
from verzuim_deadlines.settings import DeadlinesSettings
from verzuim_devstack.testing import eventually
from verzuim_shared.events import Actor, DossierGeopend, HerstelGeregistreerd, HerstelSoort, Rol
from verzuim_shared.messaging import ensure_streams, publish_event
from verzuim_shared.subjects import Stream

E = date(2025, 1, 6)  # decisions D1: PROBLEEMANALYSE due 2025-02-17
PA_GRONDSLAG = "Regeling procesgang eerste en tweede ziektejaar, art. 2 lid 2"


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
    )


@pytest.fixture
def deadlines(deadlines_settings: DeadlinesSettings) -> Iterator[TestClient]:
    """The deadlines service, lifespan included (schema, streams, durable consumer, outbox relay)."""
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
def headers(token_factory: Callable[..., str], werkgever: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_factory(sub='hr-1', rol='hr', werkgever_id=werkgever)}"}


def dossier_geopend(werkgever: str, werknemer: str = "wn-1", eerste_ziektedag: date = E) -> DossierGeopend:
    return DossierGeopend(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=datetime.now(UTC),
        actor=Actor(id="hr-1", rol=Rol.HR),
        dossier_id=uuid4(),
        versie=1,
        werknemer_id=werknemer,
        melding_id=uuid4(),
        eerste_ziektedag=eerste_ziektedag,
        gemeld_op=datetime.combine(eerste_ziektedag, datetime.min.time(), tzinfo=UTC),
    )


def herstel_geregistreerd(
    dossier: DossierGeopend, soort: HerstelSoort, hersteldatum: date, *, werkgever: str | None = None
) -> HerstelGeregistreerd:
    return HerstelGeregistreerd(
        event_id=uuid4(),
        werkgever_id=werkgever or dossier.werkgever_id,
        geregistreerd_op=datetime.now(UTC),
        actor=Actor(id="hr-1", rol=Rol.HR),
        dossier_id=dossier.dossier_id,
        versie=2,
        werknemer_id=dossier.werknemer_id,
        herstel_id=uuid4(),
        soort=soort,
        hersteldatum=hersteldatum,
        arbeidsongeschiktheidspercentage=0 if soort is HerstelSoort.VOLLEDIG else 40,
    )


def termijnen_of(client: TestClient, dossier_id: UUID, headers: dict[str, str]) -> list[dict[str, Any]] | None:
    r = client.get(f"/v1/dossiers/{dossier_id}/termijnen", headers=headers)
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return list(r.json()["termijnen"])


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
                batch = await sub.fetch(200, timeout=1)
            except TimeoutError:  # nothing more to read (asyncio's and nats' timeouts are both TimeoutError)
                break
            for msg in batch:
                if json.loads(msg.data)["werkgever_id"] == werkgever:
                    found.append(msg)
                await msg.ack()
        return found
    finally:
        await nc.close()


async def consumer_handled(nats_url: str, stream_sequence: int) -> bool:
    """The durable consumer acked every dossier message up to and including this stream sequence."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(Stream.DOSSIER.jetstream_name, DOSSIER_CONSUMER)
        return info.ack_floor is not None and (info.ack_floor.stream_seq or 0) >= stream_sequence
    finally:
        await nc.close()


async def test_an_opened_dossier_gets_its_probleemanalyse_via_the_api_and_the_termijn_stream(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    dossier = dossier_geopend(werkgever)
    await publish_event(publisher, dossier, source="urn:verzuim:cases")

    (termijn,) = await eventually(lambda: termijnen_of(deadlines, dossier.dossier_id, headers), timeout=30)
    expected_id = termijn_id(dossier.dossier_id, TermijnCode.PROBLEEMANALYSE)
    assert termijn["termijn_id"] == str(expected_id)
    assert termijn["code"] == "PROBLEEMANALYSE"
    assert termijn["vervaldatum"] == "2025-02-17"
    assert termijn["status"] == "open"
    assert termijn["grondslag"] == PA_GRONDSLAG
    assert termijn["afleiding"] == "ziektedag 43 (na 6 weken) van dit verzuim; eerste ziektedag 2025-01-06"
    assert termijn["werknemer_id"] == "wn-1"

    body = deadlines.get(f"/v1/dossiers/{dossier.dossier_id}/termijnen", headers=headers).json()
    assert body["eerste_ziektedag"] == "2025-01-06" and body["hersteldatum"] is None

    (msg,) = await eventually(lambda: termijn_messages(nats_url, werkgever), timeout=30)
    assert msg.subject == "verzuim.termijn.v1.gepland"
    assert msg.headers["Nats-Msg-Id"] == msg.headers["ce-id"] == str(expected_id)
    assert msg.headers["ce-source"] == "urn:verzuim:deadlines"
    gepland = json.loads(msg.data)
    assert gepland["event_id"] == gepland["termijn_id"] == str(expected_id)
    assert gepland["dossier_id"] == str(dossier.dossier_id)
    assert (gepland["code"], gepland["vervaldatum"], gepland["grondslag"]) == (
        "PROBLEEMANALYSE",
        "2025-02-17",
        PA_GRONDSLAG,
    )


async def test_a_redelivered_dossier_geopend_still_gives_one_termijn_and_one_announcement(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    dossier = dossier_geopend(werkgever)
    await publish_event(publisher, dossier, source="urn:verzuim:cases")
    await eventually(lambda: termijnen_of(deadlines, dossier.dossier_id, headers), timeout=30)
    await eventually(lambda: termijn_messages(nats_url, werkgever), timeout=30)

    # A copy beyond JetStream's dedupe (another Nats-Msg-Id): the consumer itself must not act twice.
    again = await publish_event(publisher, dossier, source="urn:verzuim:cases", msg_id=f"redelivery-{uuid4()}")
    assert not again.duplicate
    await eventually(lambda: consumer_handled(nats_url, again.sequence), timeout=30)

    assert len(termijnen_of(deadlines, dossier.dossier_id, headers) or []) == 1
    assert len(await termijn_messages(nats_url, werkgever)) == 1


async def test_deelherstel_keeps_the_termijn_open_and_volledig_herstel_makes_it_vervallen(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    dossier = dossier_geopend(werkgever)
    await publish_event(publisher, dossier, source="urn:verzuim:cases")
    await eventually(lambda: termijnen_of(deadlines, dossier.dossier_id, headers), timeout=30)

    deel = await publish_event(
        publisher, herstel_geregistreerd(dossier, HerstelSoort.GEDEELTELIJK, date(2025, 1, 20)), source="test"
    )
    await eventually(lambda: consumer_handled(nats_url, deel.sequence), timeout=30)
    (termijn,) = termijnen_of(deadlines, dossier.dossier_id, headers) or []
    assert (termijn["status"], termijn["vervaldatum"]) == ("open", "2025-02-17")  # decisions D5

    volledig = herstel_geregistreerd(dossier, HerstelSoort.VOLLEDIG, date(2025, 2, 3))
    await publish_event(publisher, volledig, source="test")

    def vervallen() -> dict[str, Any] | None:
        (t,) = termijnen_of(deadlines, dossier.dossier_id, headers) or [None]
        return t if t is not None and t["status"] == "vervallen" else None

    termijn = await eventually(vervallen, timeout=30)
    assert termijn["reden"] == "volledig hersteld per 2025-02-03"
    assert termijn["vervaldatum"] == "2025-02-17"
    body = deadlines.get(f"/v1/dossiers/{dossier.dossier_id}/termijnen", headers=headers).json()
    assert body["hersteldatum"] == "2025-02-03"

    (msg,) = await eventually(lambda: termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.vervallen"), timeout=30)
    assert json.loads(msg.data)["termijn_id"] == termijn["termijn_id"]
    assert json.loads(msg.data)["reden"] == "volledig hersteld per 2025-02-03"

    # the herstel redelivered: nothing changes twice
    again = await publish_event(publisher, volledig, source="test", msg_id=f"redelivery-{uuid4()}")
    await eventually(lambda: consumer_handled(nats_url, again.sequence), timeout=30)
    assert len(await termijn_messages(nats_url, werkgever, "verzuim.termijn.v1.vervallen")) == 1


async def test_another_werkgever_cannot_see_the_dossier(
    deadlines: TestClient,
    publisher: NatsBroker,
    werkgever: str,
    headers: dict[str, str],
    token_factory: Callable[..., str],
) -> None:
    dossier = dossier_geopend(werkgever)
    await publish_event(publisher, dossier, source="urn:verzuim:cases")
    await eventually(lambda: termijnen_of(deadlines, dossier.dossier_id, headers), timeout=30)

    other = {"Authorization": f"Bearer {token_factory(sub='hr-9', rol='hr', werkgever_id=f'{werkgever}-ander')}"}
    r = deadlines.get(f"/v1/dossiers/{dossier.dossier_id}/termijnen", headers=other)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert str(dossier.dossier_id) in r.json()["detail"]
    assert deadlines.get("/v1/termijnen", headers=other).json() == {"termijnen": []}

    unknown = deadlines.get(f"/v1/dossiers/{uuid4()}/termijnen", headers=headers)
    assert unknown.status_code == 404 and unknown.json()["status"] == 404
    assert deadlines.get(f"/v1/dossiers/{dossier.dossier_id}/termijnen").status_code == 401


async def test_the_werklijst_filters_on_status_due_date_code_and_werknemer(
    deadlines: TestClient,
    publisher: NatsBroker,
    nats_url: str,
    werkgever: str,
    headers: dict[str, str],
    token_factory: Callable[..., str],
) -> None:
    vroeg = dossier_geopend(werkgever, "wn-1", date(2025, 1, 6))  # PA 2025-02-17
    laat = dossier_geopend(werkgever, "wn-2", date(2025, 3, 3))  # PA 2025-04-14
    hersteld = dossier_geopend(werkgever, "wn-3", date(2025, 2, 3))  # PA 2025-03-17, vervallen below
    for event in (vroeg, laat, hersteld):
        await publish_event(publisher, event, source="urn:verzuim:cases")
    await publish_event(
        publisher, herstel_geregistreerd(hersteld, HerstelSoort.VOLLEDIG, date(2025, 2, 10)), source="test"
    )

    def werklijst(**params: str) -> list[tuple[str, str, str]]:
        r = deadlines.get("/v1/termijnen", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return [(t["werknemer_id"], t["vervaldatum"], t["status"]) for t in r.json()["termijnen"]]

    await eventually(lambda: len(werklijst(status="vervallen")) == 1, timeout=30)
    assert werklijst() == [
        ("wn-1", "2025-02-17", "open"),
        ("wn-3", "2025-03-17", "vervallen"),
        ("wn-2", "2025-04-14", "open"),
    ]
    assert werklijst(status="open") == [("wn-1", "2025-02-17", "open"), ("wn-2", "2025-04-14", "open")]
    assert werklijst(status="OPEN", voor="2025-04-14") == [("wn-1", "2025-02-17", "open")]  # voor is exclusive
    assert werklijst(voor="2025-02-17") == []
    assert werklijst(code="PROBLEEMANALYSE", werknemer_id="wn-2") == [("wn-2", "2025-04-14", "open")]
    assert werklijst(code="WIA_AANVRAAG") == []
    assert werklijst(limit="1", offset="1") == [("wn-3", "2025-03-17", "vervallen")]

    eigen = {"Authorization": f"Bearer {token_factory(sub='wn-2', rol='werknemer', werkgever_id=werkgever)}"}
    r = deadlines.get("/v1/termijnen", headers=eigen)
    assert [t["werknemer_id"] for t in r.json()["termijnen"]] == ["wn-2"]
    assert deadlines.get(f"/v1/dossiers/{vroeg.dossier_id}/termijnen", headers=eigen).status_code == 404

    bad = deadlines.get("/v1/termijnen", params={"status": "dicht"}, headers=headers)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


async def test_a_herstel_that_names_another_werkgevers_dossier_is_dead_lettered_with_the_reason(
    deadlines: TestClient, publisher: NatsBroker, nats_url: str, werkgever: str, headers: dict[str, str]
) -> None:
    dossier = dossier_geopend(werkgever)
    await publish_event(publisher, dossier, source="urn:verzuim:cases")
    await eventually(lambda: termijnen_of(deadlines, dossier.dossier_id, headers), timeout=30)

    nc = await nats.connect(nats_url)
    try:
        dead = await nc.jetstream().pull_subscribe(
            f"verzuim.deadletter.v1.{DOSSIER_CONSUMER}",
            durable=None,
            stream=Stream.DEADLETTER.jetstream_name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, inactive_threshold=30),
        )
        foreign = herstel_geregistreerd(dossier, HerstelSoort.VOLLEDIG, date(2025, 2, 3), werkgever=f"{werkgever}-x")
        await publish_event(publisher, foreign, source="test")

        async def dead_letter() -> Any:
            for msg in await dead.fetch(10, timeout=1):
                await msg.ack()
                if json.loads(msg.data)["event_id"] == str(foreign.event_id):
                    return msg
            return None

        msg = await eventually(dead_letter, timeout=30)
        assert "andere werkgever" in msg.headers["verzuim-dead-letter-reason"]
        assert msg.headers["verzuim-attempts"] == "1"
    finally:
        await nc.close()
    (termijn,) = termijnen_of(deadlines, dossier.dossier_id, headers) or []
    assert termijn["status"] == "open"


async def test_an_event_published_again_after_a_crash_is_stored_once_on_the_stream(
    deadlines: TestClient,
    publisher: NatsBroker,
    nats_url: str,
    database_url: str,
    werkgever: str,
    headers: dict[str, str],
) -> None:
    dossier = dossier_geopend(werkgever)
    await publish_event(publisher, dossier, source="urn:verzuim:cases")
    await eventually(lambda: termijn_messages(nats_url, werkgever), timeout=30)

    # As if the relay crashed after publishing but before recording it: the row is pending again.
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        cur = await conn.execute("UPDATE uitgaand_event SET gepubliceerd_op = NULL RETURNING event_id")
        assert len(await cur.fetchall()) == 1

        async def published_again() -> bool:
            cur = await conn.execute("SELECT count(*) FROM uitgaand_event WHERE gepubliceerd_op IS NULL")
            row = await cur.fetchone()
            return row is not None and row[0] == 0

        await eventually(published_again, timeout=30)
    assert len(await termijn_messages(nats_url, werkgever)) == 1

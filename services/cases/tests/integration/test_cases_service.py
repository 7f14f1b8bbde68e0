"""The cases service as a whole on real NATS JetStream and PostgreSQL: intake events in, dossiers through the API,
public dossier events out through the outbox relay, across restarts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import nats
import psycopg
from fastapi import FastAPI
from fastapi.testclient import TestClient
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy, PubAck
from verzuim_cases.bootstrap import CasesRuntime, create_app
from verzuim_cases.settings import CasesSettings
from verzuim_devstack.testing import eventually
from verzuim_shared.clock import SystemClock, today_nl
from verzuim_shared.events import (
    Actor,
    Bereikbaarheid,
    DossierGeopend,
    Event,
    HerstelGemeld,
    HerstelGeregistreerd,
    HerstelSoort,
    Rol,
    ZiekGemeld,
    parse_event,
)
from verzuim_shared.ids import derived_id, dossier_id_for_melding

Auth = Callable[..., dict[str, str]]
TODAY = today_nl(SystemClock())
E = TODAY - timedelta(days=3)


def ziek(werkgever: str, werknemer: str = "wn-1", eerste_ziektedag: date = E) -> ZiekGemeld:
    now = datetime.now(UTC)
    return ZiekGemeld(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=now,
        actor=Actor(id="lg-1", rol=Rol.LEIDINGGEVENDE),
        melding_id=uuid4(),
        werknemer_id=werknemer,
        eerste_ziektedag=eerste_ziektedag,
        gemeld_op=now,
        gemeld_door=Actor(id=werknemer, rol=Rol.WERKNEMER),
        bereikbaarheid=Bereikbaarheid(telefoon="0612345678"),
        herstelafspraak=E + timedelta(days=7),
        meldtijd_grens=now,
        na_meldtijd=False,
    )


def hersteld(ziekmelding: ZiekGemeld, hersteldatum: date, percentage: int = 0) -> HerstelGemeld:
    return HerstelGemeld(
        event_id=uuid4(),
        werkgever_id=ziekmelding.werkgever_id,
        geregistreerd_op=datetime.now(UTC),
        actor=Actor(id="hr-1", rol=Rol.HR),
        herstel_id=uuid4(),
        werknemer_id=ziekmelding.werknemer_id,
        melding_id=ziekmelding.melding_id,
        soort=HerstelSoort.VOLLEDIG if percentage == 0 else HerstelSoort.GEDEELTELIJK,
        hersteldatum=hersteldatum,
        arbeidsongeschiktheidspercentage=percentage,
        gemeld_op=datetime.now(UTC),
        gemeld_door=Actor(id="hr-1", rol=Rol.HR),
    )


async def publish(nats_url: str, event: Event, msg_id: str | None = None) -> PubAck:
    """Publish an intake event the way the intake service does (its event id as Nats-Msg-Id, unless given)."""
    nc = await nats.connect(nats_url)
    try:
        headers = {"Nats-Msg-Id": msg_id or str(event.event_id)}
        return await nc.jetstream().publish(event.subject(), event.model_dump_json().encode(), headers=headers)
    finally:
        await nc.close()


async def stream_messages(
    nats_url: str, stream: str, subject: str, match: Callable[[dict[str, Any]], bool]
) -> list[Msg]:
    """Every message on `subject` in `stream` whose JSON body matches, read from the start by an ephemeral consumer."""
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            subject,
            durable=None,
            stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        found: list[Msg] = []
        while True:
            try:
                batch = await sub.fetch(200, timeout=0.5)
            except TimeoutError:  # nats-py raises its own subclass or asyncio's, depending on where it gives up
                return found
            for msg in batch:
                if match(json.loads(msg.data)):
                    found.append(msg)
                await msg.ack()
    finally:
        await nc.close()


async def dossier_events(nats_url: str, dossier_id: UUID) -> list[Msg]:
    """The public events of one dossier, in stream order."""
    return await stream_messages(
        nats_url, "VERZUIM_DOSSIER", "verzuim.dossier.v1.>", lambda body: body.get("dossier_id") == str(dossier_id)
    )


async def published(nats_url: str, dossier_id: UUID, count: int) -> list[Msg] | None:
    """For `eventually`: the dossier's public events once there are `count` of them."""
    found = await dossier_events(nats_url, dossier_id)
    return found if len(found) >= count else None


def notification_id(database_url: str, dossier_id: UUID, version: int) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT notification_id FROM cases_events WHERE originator_id = %s AND originator_version = %s",
            (dossier_id, version),
        ).fetchone()
    assert row is not None
    return int(row[0])


def relay_position(database_url: str) -> int | None:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT notification_id FROM outbox_relay_position").fetchone()
    return None if row is None else int(row[0])


def runtime(app: FastAPI) -> CasesRuntime:
    value: CasesRuntime = app.state.cases_runtime
    return value


def get_json(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    r = client.get(path, headers=headers)
    return r.json() if r.status_code == 200 else None


# ------------------------------------------------------------------------------------------------------------------


async def test_a_ziekmelding_opens_a_dossier_visible_through_the_api_and_the_melding_lookup(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    hr = auth()
    with TestClient(create_app(cases_settings)) as client:
        await publish(nats_url, melding)
        body = await eventually(lambda: get_json(client, f"/v1/meldingen/{melding.melding_id}/dossier", hr))
        assert body["dossier_id"] == str(dossier_id)
        assert (body["werkgever_id"], body["werknemer_id"], body["status"], body["versie"]) == (
            werkgever,
            "wn-1",
            "open",
            1,
        )
        assert body["eerste_ziektedag"] == E.isoformat()
        assert body["herstelafspraak"] == (E + timedelta(days=7)).isoformat()
        assert body["episodes"] == [
            {
                "melding_id": str(melding.melding_id),
                "eerste_ziektedag": E.isoformat(),
                "gemeld_op": body["gemeld_op"],
                "hersteldatum": None,
            }
        ]
        assert (body["peildatum"], body["verzuimdagen"], body["arbeidsongeschiktheidspercentage"]) == (
            TODAY.isoformat(),
            4,  # E is three days ago: sick days E, E+1, E+2 and today
            100,
        )
        (stap,) = body["stappen"]
        assert (stap["versie"], stap["soort"], stap["datum"]) == (1, "dossier_geopend", E.isoformat())
        assert stap["actor"] == {"id": "lg-1", "rol": "leidinggevende"}
        assert client.get(f"/v1/dossiers/{dossier_id}", headers=hr).json() == body

        listed = client.get("/v1/dossiers", params={"werknemer_id": "wn-1"}, headers=hr).json()
        assert [(i["dossier_id"], i["status"], i["versie"]) for i in listed["items"]] == [(str(dossier_id), "open", 1)]
        assert client.get("/v1/dossiers", params={"status": "hersteld"}, headers=hr).json()["items"] == []
        assert client.get("/v1/dossiers", params={"status": "onzin"}, headers=hr).status_code == 422

        # Only the werkgever's own callers, and of the werknemers only the werknemer concerned, see the dossier.
        assert get_json(client, f"/v1/dossiers/{dossier_id}", auth("werknemer", "wn-1"))["dossier_id"] == str(
            dossier_id
        )
        for headers in (auth(werkgever_id=f"{werkgever}-other"), auth("werknemer", "wn-2")):
            for path in (f"/v1/dossiers/{dossier_id}", f"/v1/meldingen/{melding.melding_id}/dossier"):
                r = client.get(path, headers=headers)
                assert r.status_code == 404, path
                assert r.headers["content-type"].startswith("application/problem+json")
                assert r.json()["detail"]
            assert client.get("/v1/dossiers", headers=headers).json()["items"] == []

        unknown = client.get(f"/v1/dossiers/{uuid4()}", headers=hr)
        assert unknown.status_code == 404 and unknown.json()["title"] == "Niet gevonden"
        assert "bestaat niet" in unknown.json()["detail"]
        assert client.get(f"/v1/dossiers/{dossier_id}").status_code == 401
        assert client.get("/readyz").status_code == 200


async def test_a_redelivered_ziekgemeld_under_another_msg_id_yields_one_dossier_at_version_1(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    hr = auth()
    with TestClient(create_app(cases_settings)) as client:
        await publish(nats_url, melding)
        await eventually(lambda: get_json(client, f"/v1/dossiers/{dossier_id}", hr))

        # The same fact again, beyond JetStream's dedupe (another Nats-Msg-Id): the consumer itself must cope.
        copy = await publish(nats_url, melding, msg_id=f"redelivery-{uuid4()}")
        assert not copy.duplicate
        # A marker published after it: once the marker's dossier exists, the copy has been processed too.
        marker = ziek(werkgever, "wn-marker")
        await publish(nats_url, marker)
        await eventually(lambda: get_json(client, f"/v1/meldingen/{marker.melding_id}/dossier", hr))

        listed = client.get("/v1/dossiers", params={"werknemer_id": "wn-1"}, headers=hr).json()["items"]
        assert [(i["dossier_id"], i["versie"]) for i in listed] == [(str(dossier_id), 1)]
        assert client.get(f"/v1/dossiers/{dossier_id}", headers=hr).json()["versie"] == 1
        marker_id = dossier_id_for_melding(marker.melding_id)
        await eventually(lambda: published(nats_url, marker_id, 1))  # the relay went past the first dossier
        assert len(await dossier_events(nats_url, dossier_id)) == 1


async def test_redelivered_herstelmeldingen_under_another_msg_id_change_nothing(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    deel, volledig = hersteld(melding, E + timedelta(days=1), 60), hersteld(melding, E + timedelta(days=2))
    hr = auth()
    with TestClient(create_app(cases_settings)) as client:
        intake = runtime(client.app).intake.totaal  # type: ignore[arg-type]
        for event in (melding, deel, volledig):
            await publish(nats_url, event)
        body = await eventually(lambda: (b := get_json(client, f"/v1/dossiers/{dossier_id}", hr)) and b["versie"] == 3)
        assert body

        # Both herstelmeldingen again, beyond JetStream's dedupe: a second volledig herstel would be refused if it
        # were applied, so a dead letter would show it.
        for event in (deel, volledig):
            copy = await publish(nats_url, event, msg_id=f"redelivery-{uuid4()}")
            assert not copy.duplicate
        marker = ziek(werkgever, "wn-marker")
        await publish(nats_url, marker)
        await eventually(lambda: intake.verwerkt + intake.dead_letters + intake.opnieuw >= 6)
        assert (intake.verwerkt, intake.dead_letters, intake.opnieuw) == (6, 0, 0)

        body = client.get(f"/v1/dossiers/{dossier_id}", headers=hr).json()
        assert (body["versie"], body["status"]) == (3, "hersteld")
        assert body["hersteldatum"] == (E + timedelta(days=2)).isoformat()
        assert [s["type"] for s in body["stappen"]] == ["Geopend", "HerstelGeregistreerd", "HerstelGeregistreerd"]
        marker_id = dossier_id_for_melding(marker.melding_id)
        await eventually(lambda: published(nats_url, marker_id, 1))  # the relay went past the herstel events
        assert len(await dossier_events(nats_url, dossier_id)) == 3


async def test_the_relay_publishes_every_dossier_event_once_in_order_and_resumes_after_a_restart(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    hr = auth()
    with TestClient(create_app(cases_settings)):
        await publish(nats_url, melding)
        (geopend,) = await eventually(lambda: published(nats_url, dossier_id, 1))
    n1 = notification_id(cases_settings.database_url, dossier_id, 1)
    assert geopend.subject == "verzuim.dossier.v1.dossier-geopend"
    assert geopend.headers is not None
    assert geopend.headers["Nats-Msg-Id"] == f"cases:{n1}"
    assert geopend.headers["ce-type"] == "verzuim.dossier.v1.dossier-geopend"
    assert geopend.headers["ce-source"] == cases_settings.relay_source
    event = parse_event(geopend.subject, geopend.data)
    assert isinstance(event, DossierGeopend)
    assert (event.dossier_id, event.versie, event.melding_id, event.werknemer_id) == (
        dossier_id,
        1,
        melding.melding_id,
        "wn-1",
    )
    assert event.event_id == derived_id("dossier-event", dossier_id, 1)
    assert relay_position(cases_settings.database_url) == n1

    # A new process on the same database starts from the recorded position: nothing is published again ...
    app = create_app(cases_settings)
    with TestClient(app) as client:
        relay = runtime(app).relay
        await eventually(lambda: relay.position == n1)
        # ... and a new event follows in order.
        await publish(nats_url, hersteld(melding, E + timedelta(days=2)))
        messages = await eventually(lambda: published(nats_url, dossier_id, 2))
        body = client.get(f"/v1/dossiers/{dossier_id}", headers=hr).json()
        assert (body["status"], body["versie"], body["hersteldatum"]) == (
            "hersteld",
            2,
            (E + timedelta(days=2)).isoformat(),
        )
        assert body["verzuimdagen"] == 2
        assert [s["soort"] for s in body["stappen"]] == ["dossier_geopend", "herstel_geregistreerd"]
        # Nothing was published twice (a re-published entry would come back as a JetStream duplicate).
        assert relay.published >= 1 and relay.duplicates == 0

    n2 = notification_id(cases_settings.database_url, dossier_id, 2)
    assert n2 > n1
    assert [m.headers["Nats-Msg-Id"] for m in messages if m.headers] == [f"cases:{n1}", f"cases:{n2}"]
    assert [m.subject for m in messages] == [
        "verzuim.dossier.v1.dossier-geopend",
        "verzuim.dossier.v1.herstel-geregistreerd",
    ]
    herstel_event = parse_event(messages[1].subject, messages[1].data)
    assert isinstance(herstel_event, HerstelGeregistreerd)
    assert (herstel_event.versie, herstel_event.soort, herstel_event.arbeidsongeschiktheidspercentage) == (
        2,
        HerstelSoort.VOLLEDIG,
        0,
    )


async def test_a_crash_before_the_position_was_recorded_republishes_a_tail_that_jetstream_drops(
    cases_settings: CasesSettings, nats_url: str, werkgever: str
) -> None:
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    with TestClient(create_app(cases_settings)):
        await publish(nats_url, melding)
        await publish(nats_url, hersteld(melding, E + timedelta(days=1), 50))
        await eventually(lambda: published(nats_url, dossier_id, 2))
    # As if the process died after publishing but before recording how far it got.
    with psycopg.connect(cases_settings.database_url, autocommit=True) as conn:
        conn.execute("UPDATE outbox_relay_position SET notification_id = 0")

    app = create_app(cases_settings)
    with TestClient(app):
        relay = runtime(app).relay
        n2 = notification_id(cases_settings.database_url, dossier_id, 2)
        await eventually(lambda: relay.position == n2)
        assert relay.duplicates == 2  # both entries went out again and JetStream reported both as duplicates
    messages = await dossier_events(nats_url, dossier_id)
    assert [parse_event(m.subject, m.data).versie for m in messages] == [1, 2]  # type: ignore[attr-defined]


async def test_a_herstel_that_arrives_before_its_ziekmelding_is_applied_once_the_dossier_exists(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    hr = auth()
    with TestClient(create_app(cases_settings)) as client:
        await publish(nats_url, hersteld(melding, E + timedelta(days=1), 60))
        await publish(nats_url, melding)

        def applied() -> Any:
            body = get_json(client, f"/v1/dossiers/{dossier_id}", hr)
            return body if body and body["versie"] == 2 else None

        body = await eventually(applied)
        assert (body["status"], body["arbeidsongeschiktheidspercentage"]) == ("open", 60)


async def test_a_herstel_the_dossier_refuses_is_dead_lettered_with_the_reason(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    hr = auth()
    with TestClient(create_app(cases_settings)) as client:
        await publish(nats_url, melding)
        await eventually(lambda: get_json(client, f"/v1/dossiers/{dossier_id}", hr))
        too_early = hersteld(melding, E - timedelta(days=1))
        await publish(nats_url, too_early)

        def dead_letters() -> Any:
            return stream_messages(
                nats_url,
                "VERZUIM_DEADLETTER",
                "verzuim.deadletter.v1.cases-intake",
                lambda body: body.get("herstel_id") == str(too_early.herstel_id),
            )

        (dead,) = await eventually(dead_letters)
        assert dead.headers is not None
        reason = dead.headers["verzuim-dead-letter-reason"]
        assert str(too_early.herstel_id) in reason and "eerste ziektedag" in reason
        assert dead.headers["verzuim-attempts"] == "1"
        assert client.get(f"/v1/dossiers/{dossier_id}", headers=hr).json()["versie"] == 1


async def test_a_ziekgemeld_whose_melding_id_is_known_for_another_melding_is_dead_lettered_not_dropped(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    """A known melding id is a redelivery only when it is the same melding. The same id for another werknemer or
    another eerste ziektedag (e.g. an idempotency key reused after it expired) must not vanish as a 'redelivery'."""
    melding = ziek(werkgever, "wn-1")
    dossier_id = dossier_id_for_melding(melding.melding_id)
    hr = auth()
    with TestClient(create_app(cases_settings)) as client:
        await publish(nats_url, melding)
        await eventually(lambda: get_json(client, f"/v1/dossiers/{dossier_id}", hr))

        ander = melding.model_copy(update={"event_id": uuid4(), "werknemer_id": "wn-2"})
        andere_dag = melding.model_copy(update={"event_id": uuid4(), "eerste_ziektedag": E - timedelta(days=1)})
        await publish(nats_url, ander)
        await publish(nats_url, andere_dag)

        async def dead_letters() -> list[Msg] | None:
            found = await stream_messages(
                nats_url,
                "VERZUIM_DEADLETTER",
                "verzuim.deadletter.v1.cases-intake",
                lambda body: body.get("melding_id") == str(melding.melding_id),
            )
            return found if len(found) == 2 else None

        dead = await eventually(dead_letters)
        redenen = {json.loads(m.data)["event_id"]: (m.headers or {})["verzuim-dead-letter-reason"] for m in dead}
        for event, wat in ((ander, "werknemer wn-2"), (andere_dag, f"eerste ziektedag {(E - timedelta(days=1))}")):
            reden = redenen[str(event.event_id)]
            assert "already used" in reden and "not a redelivery" in reden and wat in reden, reden
            assert f"werknemer wn-1, eerste ziektedag {E.isoformat()}" in reden
        # Nothing was recorded for either: the first melding's dossier is untouched, wn-2 has none.
        assert client.get(f"/v1/dossiers/{dossier_id}", headers=hr).json()["versie"] == 1
        assert client.get("/v1/dossiers", params={"werknemer_id": "wn-2"}, headers=hr).json()["items"] == []


async def test_a_herstel_without_its_ziekmelding_is_retried_then_dead_lettered_and_an_unknown_dossier_is_404(
    cases_settings: CasesSettings, nats_url: str, werkgever: str, auth: Auth
) -> None:
    """ADR 0018: intake is asynchronous, so a herstel before its ziekmelding is not refused (409) but retried with
    back-off; after the last attempt it is dead-lettered with the reason. Over HTTP a step for an unknown dossier is
    404 (nothing to refuse yet)."""
    settings = cases_settings.model_copy(update={"consumer_max_deliver": 3})
    melding = ziek(werkgever, "wn-1")  # never published
    herstel = hersteld(melding, E + timedelta(days=1))
    hr = auth()
    with TestClient(create_app(settings)) as client:
        intake = runtime(client.app).intake.totaal  # type: ignore[arg-type]
        await publish(nats_url, herstel)

        async def dead_letter() -> list[Msg] | None:
            found = await stream_messages(
                nats_url,
                "VERZUIM_DEADLETTER",
                "verzuim.deadletter.v1.cases-intake",
                lambda body: body.get("herstel_id") == str(herstel.herstel_id),
            )
            return found or None

        (dead,) = await eventually(dead_letter)
        headers = dead.headers or {}
        assert headers["verzuim-attempts"] == "3" and intake.opnieuw == 2
        assert "gave up after 3 attempts" in headers["verzuim-dead-letter-reason"]
        assert str(melding.melding_id) in headers["verzuim-dead-letter-reason"]

        triage = {"datum": E.isoformat(), "route": "regulier"}
        r = client.post(f"/v1/dossiers/{uuid4()}/triage", json=triage, headers=hr)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
        assert "bestaat niet" in r.json()["detail"]

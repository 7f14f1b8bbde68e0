"""The intake service on the session's real NATS JetStream: requests in over HTTP, facts observed in the streams."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import nats
import pytest
from fastapi.testclient import TestClient
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import SecretStr
from verzuim_devstack.testing import eventually
from verzuim_intake.adapters.kv import IDEMPOTENCY_BUCKET
from verzuim_intake.bootstrap import create_app
from verzuim_intake.domain.commands import Ziekmelding
from verzuim_intake.domain.identiteit import vingerafdruk
from verzuim_intake.settings import IntakeSettings
from verzuim_shared.ids import melding_id_for_request

VANDAAG = "2025-03-03"  # the service runs on a simulated clock: Monday 3 March 2025, 12:00 in the Netherlands
PROBLEMEN = "https://verzuim.example/problemen/"

Token = Callable[..., str]


@pytest.fixture
def settings(nats_url: str, jwt_secret: str) -> IntakeSettings:
    return IntakeSettings(
        nats_url=nats_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        clock=f"simulated:{VANDAAG}T12:00:00+01:00",
        public_url_cases="http://cases.example",
    )


@pytest.fixture
def client(settings: IntakeSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def hr(token_factory: Token, werkgever: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_factory(sub='hr-1', rol='hr', werkgever_id=werkgever)}"}


def auth(token_factory: Token, werkgever: str, rol: str, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_factory(sub=sub, rol=rol, werkgever_id=werkgever)}"}


def ziekmelding(werkgever: str, werknemer: str = "wn-1", **extra: Any) -> dict[str, Any]:
    return {
        "werkgever_id": werkgever,
        "werknemer_id": werknemer,
        "eerste_ziektedag": VANDAAG,
        "gemeld_op": f"{VANDAAG}T08:30:00+01:00",
        "gemeld_door": {"id": werknemer, "rol": "werknemer"},
        "bereikbaarheid": {"telefoon": "06 1234 5678"},
        "vangnet_van_toepassing": False,
        "arbeidsongeval": False,
        "regres_derde": False,
        **extra,
    }


async def in_stream(nats_url: str, stream: str, subject: str, werkgever: str) -> list[Msg]:
    """Every message on `subject` for this werkgever, read from the start with an ephemeral consumer."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            subject,
            stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30),
        )
        pending = (await sub.consumer_info()).num_pending
        found: list[Msg] = []
        seen = 0
        while seen < pending:
            batch = await sub.fetch(min(500, pending - seen), timeout=10)
            seen += len(batch)
            # other tests (and bad input) share the stream: skip what is not this werkgever's
            found.extend(m for m in batch if json.loads(m.data).get("werkgever_id") == werkgever)
        await sub.unsubscribe()
        return found
    finally:
        await nc.close()


async def ziek_gemeld(nats_url: str, werkgever: str) -> list[Msg]:
    return await in_stream(nats_url, "VERZUIM_INTAKE", "verzuim.intake.v1.ziek-gemeld", werkgever)


def msgs_data(msgs: list[Msg]) -> list[bytes]:
    return [m.data for m in msgs]


def assert_problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if slug:
        assert body["type"] == PROBLEMEN + slug
    return body


# --------------------------------------------------------------------------------------------- ziekmelding


async def test_a_ziekmelding_lands_in_the_stream_with_dedupe_and_cloudevents_headers(
    client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    r = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=hr)
    assert r.status_code == 202, r.text
    body = r.json()
    melding_id = body["melding_id"]
    assert body["na_meldtijd"] is False
    assert body["meldtijd_grens"] == f"{VANDAAG}T09:00:00+01:00"
    assert body["links"]["dossier"] == f"http://cases.example/v1/meldingen/{melding_id}/dossier"
    assert r.headers["location"] == body["links"]["dossier"]

    (msg,) = await ziek_gemeld(nats_url, werkgever)
    assert msg.subject == "verzuim.intake.v1.ziek-gemeld"
    payload = json.loads(msg.data)
    assert payload["melding_id"] == melding_id
    assert payload["werknemer_id"] == "wn-1"
    assert payload["actor"] == {"id": "hr-1", "rol": "hr"}
    assert payload["bereikbaarheid"] == {"telefoon": "06 1234 5678", "verpleegadres": None}
    headers = msg.headers or {}
    assert headers["Nats-Msg-Id"] == payload["event_id"] == headers["ce-id"]
    assert headers["ce-type"] == "verzuim.intake.v1.ziek-gemeld"
    assert headers["ce-source"] == "urn:verzuim:intake"
    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-subject"] == werkgever


async def test_the_same_idempotency_key_twice_stores_one_message(
    client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    headers = {**hr, "Idempotency-Key": "melding-0001"}
    first = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers)
    second = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    fingerprint = vingerafdruk(Ziekmelding.model_validate(ziekmelding(werkgever)))
    assert first.json()["melding_id"] == str(melding_id_for_request(werkgever, "melding-0001", fingerprint))
    assert len(await ziek_gemeld(nats_url, werkgever)) == 1


async def test_the_same_key_with_another_body_is_refused(
    client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    headers = {**hr, "Idempotency-Key": "melding-0002"}
    assert client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers).status_code == 202
    r = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever, "wn-2"), headers=headers)
    problem = assert_problem(r, 422, "idempotency-key-hergebruikt")
    assert "melding-0002" in problem["detail"]
    (msg,) = await ziek_gemeld(nats_url, werkgever)
    assert json.loads(msg.data)["werknemer_id"] == "wn-1"


async def test_a_key_reused_after_its_ttl_never_hands_another_melding_the_old_id(
    settings: IntakeSettings, hr: dict[str, str], werkgever: str, own_nats_url: str
) -> None:
    """The key is remembered for `idempotency_ttl_s` only (1 s here, on a server of its own so the shared bucket keeps
    its TTL). Afterwards a different ziekmelding under the same key gets a melding id of its own (before the fix it
    got the old id, and cases dropped it as a redelivery), and a late retry of the first one gets the first id."""
    kort = settings.model_copy(update={"nats_url": own_nats_url, "idempotency_ttl_s": 1.0})
    headers = {**hr, "Idempotency-Key": "hr-systeem-42"}
    eerste_body = ziekmelding(werkgever)
    andere_body = ziekmelding(werkgever, "wn-2")

    async def vergeten() -> bool:
        nc = await nats.connect(own_nats_url)
        try:
            kv = await nc.jetstream().key_value(IDEMPOTENCY_BUCKET)
            return (await kv.status()).values == 0
        finally:
            await nc.close()

    with TestClient(create_app(kort)) as client:
        eerste = client.post("/v1/ziekmeldingen", json=eerste_body, headers=headers)
        assert eerste.status_code == 202, eerste.text
        # within the TTL the key is bound to the first body
        assert_problem(client.post("/v1/ziekmeldingen", json=andere_body, headers=headers), 422)

        await eventually(vergeten, timeout=30, interval=0.2)
        andere = client.post("/v1/ziekmeldingen", json=andere_body, headers=headers)
        assert andere.status_code == 202, andere.text
        assert andere.json()["melding_id"] != eerste.json()["melding_id"]

        await eventually(vergeten, timeout=30, interval=0.2)
        laat = client.post("/v1/ziekmeldingen", json=eerste_body, headers=headers)
        assert laat.json()["melding_id"] == eerste.json()["melding_id"]

    payloads = [json.loads(m.data) for m in await ziek_gemeld(own_nats_url, werkgever)]
    assert [(p["melding_id"], p["werknemer_id"]) for p in payloads] == [
        (eerste.json()["melding_id"], "wn-1"),
        (andere.json()["melding_id"], "wn-2"),
    ]  # the late retry carried the first event id: JetStream kept one


async def test_medical_data_is_refused_with_the_reason_and_nothing_is_published(
    client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    r = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever, diagnose="griep"), headers=hr)
    problem = assert_problem(r, 422, "medische-gegevens-niet-toegestaan")
    assert "'diagnose'" in problem["detail"]
    assert "bedrijfsarts" in problem["detail"] and "AVG" in problem["detail"]
    assert problem["velden"] == ["diagnose"]

    nested = ziekmelding(werkgever, bereikbaarheid={"telefoon": "0612345678", "Klachten_Omschrijving": "hoofdpijn"})
    r = client.post("/v1/ziekmeldingen", json=nested, headers={**hr, "Idempotency-Key": "k"})
    assert assert_problem(r, 422, "medische-gegevens-niet-toegestaan")["velden"] == [
        "bereikbaarheid.Klachten_Omschrijving"
    ]
    assert await ziek_gemeld(nats_url, werkgever) == []


def test_every_intake_endpoint_refuses_medical_data(client: TestClient, hr: dict[str, str], werkgever: str) -> None:
    calls = [
        ("POST", "/v1/herstelmeldingen", {"medicatie": "x"}),
        ("POST", "/v1/personeel/medewerkers", {"medewerkers": [{"werknemer_id": "wn-1", "aandoening": "x"}]}),
        ("POST", "/v1/personeel/afdelingen", {"afdelingen": [{"afdeling_id": "a", "Behandeling": "x"}]}),
        ("PUT", f"/v1/werkgevers/{werkgever}/instellingen", {"meldtijd_leidinggevende": "09:00", "oorzaak": "x"}),
    ]
    for method, path, body in calls:
        r = client.request(method, path, json=body, headers=hr)
        assert_problem(r, 422, "medische-gegevens-niet-toegestaan")


def test_no_token_is_401_problem_json(client: TestClient, werkgever: str) -> None:
    r = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever))
    assert_problem(r, 401, "niet-geauthenticeerd")
    assert r.headers["www-authenticate"] == "Bearer"
    # also before the medical-data check: an anonymous caller learns nothing
    assert_problem(client.post("/v1/ziekmeldingen", json={"diagnose": "x"}), 401)


async def test_another_werkgever_is_403(client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str) -> None:
    other = f"wg-{uuid4().hex[:8]}"
    r = client.post("/v1/ziekmeldingen", json=ziekmelding(other), headers=hr)
    problem = assert_problem(r, 403, "geen-toegang")
    assert other in problem["detail"] and werkgever in problem["detail"]
    assert await ziek_gemeld(nats_url, other) == []


def test_a_werknemer_may_only_report_himself(client: TestClient, token_factory: Token, werkgever: str) -> None:
    werknemer = auth(token_factory, werkgever, "werknemer", "wn-1")
    assert client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever, "wn-1"), headers=werknemer).status_code == 202
    r = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever, "wn-2"), headers=werknemer)
    assert_problem(r, 403)
    # a role that may not report at all
    auditor = auth(token_factory, werkgever, "auditor", "au-1")
    assert_problem(client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=auditor), 403)


def test_a_future_eerste_ziektedag_and_other_impossible_dates_are_422(
    client: TestClient, hr: dict[str, str], werkgever: str
) -> None:
    r = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever, eerste_ziektedag="2025-03-04"), headers=hr)
    problem = assert_problem(r, 422, "ongeldige-invoer")
    assert "eerste_ziektedag: 2025-03-04 ligt in de toekomst" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "eerste_ziektedag"]

    both = ziekmelding(werkgever, herstelafspraak="2025-03-05", belafspraak="2025-03-04T10:00:00")
    assert "belafspraak" in assert_problem(client.post("/v1/ziekmeldingen", json=both, headers=hr), 422)["detail"]

    unknown = ziekmelding(werkgever, opmerking="x")
    assert "opmerking" in assert_problem(client.post("/v1/ziekmeldingen", json=unknown, headers=hr), 422)["detail"]


def test_history_is_accepted(client: TestClient, hr: dict[str, str], werkgever: str) -> None:
    oud = ziekmelding(werkgever, eerste_ziektedag="2023-05-02", gemeld_op="2023-05-02T10:05:00+02:00")
    r = client.post("/v1/ziekmeldingen", json=oud, headers=hr)
    assert r.status_code == 202, r.text
    assert r.json()["na_meldtijd"] is True
    assert r.json()["meldtijd_grens"] == "2023-05-02T09:00:00+02:00"


# --------------------------------------------------------------------------------------------- meldtijd


def test_meldtijd_follows_the_werkgevers_own_setting(
    client: TestClient, hr: dict[str, str], token_factory: Token, werkgever: str
) -> None:
    laat = ziekmelding(werkgever, gemeld_op=f"{VANDAAG}T09:20:00+01:00")
    r = client.post("/v1/ziekmeldingen", json=laat, headers=hr)
    assert r.json()["na_meldtijd"] is True
    support = ziekmelding(werkgever, gemeld_op=f"{VANDAAG}T09:20:00+01:00", gemeld_bij="verzuim_support")
    assert client.post("/v1/ziekmeldingen", json=support, headers=hr).json()["na_meldtijd"] is False

    pad = f"/v1/werkgevers/{werkgever}/instellingen"
    r = client.get(pad, headers=hr)
    assert r.status_code == 200, r.text
    assert r.json() | {"gewijzigd_op": None} == {
        "werkgever_id": werkgever,
        "meldtijd_leidinggevende": "09:00",
        "meldtijd_verzuim_support": "10:00",
        "standaard": True,
        "gewijzigd_op": None,
        "gewijzigd_door": None,
    }

    leidinggevende = auth(token_factory, werkgever, "leidinggevende", "lg-1")
    nieuw = {"meldtijd_leidinggevende": "09:30", "meldtijd_verzuim_support": "11:00"}
    assert_problem(client.put(pad, json=nieuw, headers=leidinggevende), 403)
    r = client.put(pad, json=nieuw, headers=hr)
    assert r.status_code == 200, r.text
    assert r.json()["meldtijd_leidinggevende"] == "09:30" and r.json()["standaard"] is False
    assert r.json()["gewijzigd_door"] == {"id": "hr-1", "rol": "hr"}
    assert client.get(pad, headers=leidinggevende).json()["meldtijd_leidinggevende"] == "09:30"

    r = client.post("/v1/ziekmeldingen", json=laat, headers=hr)
    assert r.json()["na_meldtijd"] is False
    assert r.json()["meldtijd_grens"] == f"{VANDAAG}T09:30:00+01:00"


def test_instellingen_of_another_werkgever_are_403(client: TestClient, hr: dict[str, str]) -> None:
    other = f"/v1/werkgevers/wg-{uuid4().hex[:8]}/instellingen"
    assert_problem(client.get(other, headers=hr), 403)
    assert_problem(
        client.put(other, json={"meldtijd_leidinggevende": "08:00", "meldtijd_verzuim_support": "09:00"}, headers=hr),
        403,
    )


def test_a_meldtijd_must_be_hours_and_minutes(client: TestClient, hr: dict[str, str], werkgever: str) -> None:
    pad = f"/v1/werkgevers/{werkgever}/instellingen"
    for fout in ("25:00", "09:00:30", "negen uur"):
        r = client.put(pad, json={"meldtijd_leidinggevende": fout, "meldtijd_verzuim_support": "10:00"}, headers=hr)
        assert_problem(r, 422)


# --------------------------------------------------------------------------------------------- herstel


async def test_herstelmeldingen_publish_herstel_gemeld(
    client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    melding_id = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=hr).json()["melding_id"]
    deel = {
        "werkgever_id": werkgever,
        "werknemer_id": "wn-1",
        "melding_id": melding_id,
        "soort": "gedeeltelijk",
        "hersteldatum": "2025-03-06",
        "arbeidsongeschiktheidspercentage": 60,
        "gemeld_op": f"{VANDAAG}T11:00:00+01:00",
        "gemeld_door": {"id": "hr-1", "rol": "hr"},
    }
    headers = {**hr, "Idempotency-Key": "herstel-1"}
    first = client.post("/v1/herstelmeldingen", json=deel, headers=headers)
    assert first.status_code == 202, first.text
    assert client.post("/v1/herstelmeldingen", json=deel, headers=headers).json() == first.json()
    volledig = {**deel, "soort": "volledig", "hersteldatum": "2025-03-10"}
    del volledig["arbeidsongeschiktheidspercentage"]
    assert client.post("/v1/herstelmeldingen", json=volledig, headers=hr).status_code == 202

    msgs = await in_stream(nats_url, "VERZUIM_INTAKE", "verzuim.intake.v1.herstel-gemeld", werkgever)
    payloads = [json.loads(m.data) for m in msgs]
    assert [(p["soort"], p["arbeidsongeschiktheidspercentage"]) for p in payloads] == [
        ("gedeeltelijk", 60),
        ("volledig", 0),
    ]
    assert payloads[0]["herstel_id"] == first.json()["herstel_id"]
    assert payloads[0]["melding_id"] == melding_id

    zonder = {**deel}
    del zonder["arbeidsongeschiktheidspercentage"]
    r = client.post("/v1/herstelmeldingen", json=zonder, headers=hr)
    assert "1 tot en met 99" in assert_problem(r, 422)["detail"]
    r = client.post("/v1/herstelmeldingen", json={**deel, "hersteldatum": "2025-03-11"}, headers=hr)
    assert "meer dan 7 dagen vooruit" in assert_problem(r, 422)["detail"]


# --------------------------------------------------------------------------------------------- personeel


def medewerkers(n: int, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "werknemer_id": f"wn-{i}",
            "naam": f"Medewerker {i}",
            "email": f"wn{i}@example.org",
            "afdeling_id": "magazijn",
            "contracturen": 32,
            "voltijduren": 40,
            "datum_in_dienst": "2020-01-01",
            **extra,
        }
        for i in range(n)
    ]


async def test_the_personeel_sync_publishes_the_right_events_and_a_resync_is_unchanged(
    client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    items = medewerkers(3)
    items[2]["datum_uit_dienst"] = "2025-06-30"
    r = client.post("/v1/personeel/medewerkers", json={"medewerkers": items}, headers=hr)
    assert r.status_code == 202, r.text
    assert r.json() == {
        "ontvangen": 3,
        "gepubliceerd": 3,
        "ongewijzigd": 0,
        "berichten_gepubliceerd": 7,
        "berichten_ongewijzigd": 0,
    }
    r = client.post("/v1/personeel/medewerkers", json={"medewerkers": items}, headers=hr)
    assert r.json() == {
        "ontvangen": 3,
        "gepubliceerd": 0,
        "ongewijzigd": 3,
        "berichten_gepubliceerd": 0,
        "berichten_ongewijzigd": 7,
    }

    async def subjects(kind: str) -> list[dict[str, Any]]:
        msgs = await in_stream(nats_url, "VERZUIM_PERSONEEL", f"verzuim.personeel.v1.{kind}", werkgever)
        return [json.loads(m.data) for m in msgs]

    in_dienst = await subjects("medewerker-in-dienst")
    assert sorted(p["werknemer_id"] for p in in_dienst) == ["wn-0", "wn-1", "wn-2"]
    gewijzigd = await subjects("medewerker-gegevens-gewijzigd")
    assert {p["geldig_vanaf"] for p in gewijzigd} == {VANDAAG} and len(gewijzigd) == 3
    (uit,) = await subjects("medewerker-uit-dienst")
    assert (uit["werknemer_id"], uit["datum_uit_dienst"]) == ("wn-2", "2025-06-30")

    afdelingen = [{"afdeling_id": "magazijn", "naam": "Magazijn", "leidinggevende_id": "lg-1", "rayon": "Noord"}]
    r = client.post("/v1/personeel/afdelingen", json={"afdelingen": afdelingen}, headers=hr)
    assert (r.status_code, r.json()["gepubliceerd"]) == (202, 1)
    r = client.post("/v1/personeel/afdelingen", json={"afdelingen": afdelingen}, headers=hr)
    assert r.json()["ongewijzigd"] == 1
    (afdeling,) = await subjects("afdeling-vastgelegd")
    assert afdeling["leidinggevende_id"] == "lg-1" and afdeling["actor"] == {"id": "hr-1", "rol": "hr"}


async def test_an_unchanged_daily_sync_publishes_nothing_on_the_next_day(
    settings: IntakeSettings, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    """The HR system sends everyone every morning without geldig_vanaf. Day 2 (another process: the clock is a
    setting) stores nothing new; a real change on day 2 is one snapshot valid from day 2."""
    items = medewerkers(3)
    with TestClient(create_app(settings)) as dag1:
        assert (
            dag1.post("/v1/personeel/medewerkers", json={"medewerkers": items}, headers=hr).json()["gepubliceerd"] == 3
        )
    dag2_settings = IntakeSettings.model_validate(
        {**settings.model_dump(), "clock": "simulated:2025-03-04T07:00:00+01:00"}
    )
    with TestClient(create_app(dag2_settings)) as dag2:
        r = dag2.post("/v1/personeel/medewerkers", json={"medewerkers": items}, headers=hr)
        assert (r.json()["gepubliceerd"], r.json()["ongewijzigd"], r.json()["berichten_ongewijzigd"]) == (0, 3, 6)
        items[1]["contracturen"] = 24
        r = dag2.post("/v1/personeel/medewerkers", json={"medewerkers": items}, headers=hr)
        assert (r.json()["gepubliceerd"], r.json()["berichten_gepubliceerd"]) == (1, 1)

    msgs = await in_stream(
        nats_url, "VERZUIM_PERSONEEL", "verzuim.personeel.v1.medewerker-gegevens-gewijzigd", werkgever
    )
    snapshots = sorted(
        (p["geldig_vanaf"], p["werknemer_id"], p["contracturen"]) for p in map(json.loads, msgs_data(msgs))
    )
    assert snapshots == [
        (VANDAAG, "wn-0", 32),
        (VANDAAG, "wn-1", 32),
        (VANDAAG, "wn-2", 32),
        ("2025-03-04", "wn-1", 24),
    ]


async def test_an_invalid_item_names_its_index_and_nothing_is_published(
    client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str
) -> None:
    items = medewerkers(5)
    items[3]["contracturen"] = 0
    r = client.post("/v1/personeel/medewerkers", json={"medewerkers": items}, headers=hr)
    problem = assert_problem(r, 422)
    assert problem["errors"][0]["loc"] == ["body", "medewerkers", "3", "contracturen"]
    assert "medewerkers.3.contracturen" in problem["detail"]

    items = medewerkers(5)
    items[4]["datum_uit_dienst"] = "2019-12-31"
    r = client.post("/v1/personeel/medewerkers", json={"medewerkers": items}, headers=hr)
    problem = assert_problem(r, 422)
    assert problem["errors"][0]["loc"] == ["body", "medewerkers", "4", "datum_uit_dienst"]
    assert "medewerkers[4].datum_uit_dienst" in problem["detail"]

    assert await in_stream(nats_url, "VERZUIM_PERSONEEL", "verzuim.personeel.v1.>", werkgever) == []


def test_only_hr_and_beheerder_sync_personeel(client: TestClient, token_factory: Token, werkgever: str) -> None:
    leidinggevende = auth(token_factory, werkgever, "leidinggevende", "lg-1")
    r = client.post("/v1/personeel/medewerkers", json={"medewerkers": medewerkers(1)}, headers=leidinggevende)
    assert_problem(r, 403)
    beheerder = auth(token_factory, werkgever, "beheerder", "bh-1")
    r = client.post("/v1/personeel/medewerkers", json={"medewerkers": medewerkers(1)}, headers=beheerder)
    assert r.status_code == 202


async def test_a_bulk_sync_of_5000_medewerkers(
    settings: IntakeSettings, hr: dict[str, str], werkgever: str, own_nats_url: str
) -> None:
    # a server of its own: 10000 messages on the shared stream would make every later projection test replay them
    with TestClient(create_app(settings.model_copy(update={"nats_url": own_nats_url}))) as client:
        await bulk_sync(client, hr, werkgever, own_nats_url)


async def bulk_sync(client: TestClient, hr: dict[str, str], werkgever: str, nats_url: str) -> None:
    r = client.post("/v1/personeel/medewerkers", json={"medewerkers": medewerkers(5000)}, headers=hr)
    assert r.status_code == 202, r.text
    assert (r.json()["gepubliceerd"], r.json()["berichten_gepubliceerd"]) == (5000, 10000)
    msgs = await in_stream(nats_url, "VERZUIM_PERSONEEL", "verzuim.personeel.v1.medewerker-in-dienst", werkgever)
    assert len(msgs) == 5000
    te_veel = client.post("/v1/personeel/medewerkers", json={"medewerkers": medewerkers(5001)}, headers=hr)
    assert "5000" in assert_problem(te_veel, 422)["detail"]


# --------------------------------------------------------------------------------------------- docs


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert spec["paths"]["/v1/ziekmeldingen"]["post"]["summary"] == "Report a werknemer sick"
    for path in (
        "/v1/ziekmeldingen",
        "/v1/herstelmeldingen",
        "/v1/personeel/medewerkers",
        "/v1/personeel/afdelingen",
        "/v1/werkgevers/{werkgever_id}/instellingen",
    ):
        assert path in spec["paths"]
    assert spec["components"]["schemas"]["Ziekmelding"]["examples"]

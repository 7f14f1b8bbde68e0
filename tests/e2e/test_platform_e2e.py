"""One real ziekmelding through all five services, as separate processes over real NATS JetStream and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from verzuim_devstack.stack import SERVICES, LocalStack
from verzuim_devstack.testing import eventually_sync

NL = ZoneInfo("Europe/Amsterdam")
Auth = Callable[[str, str], dict[str, str]]


def items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return body
    for key in ("items", "dossiers", "termijnen"):
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return list(body[key])
    raise AssertionError(f"no list in {body!r}")


def setup_organisatie(stack: LocalStack, werkgever: str, auth: Auth) -> None:
    hr = auth("hr", "hr-1")
    afdelingen = [
        {"afdeling_id": "magazijn", "naam": "Magazijn", "leidinggevende_id": "lg-magazijn"},
        {"afdeling_id": "kantoor", "naam": "Kantoor", "leidinggevende_id": "lg-kantoor"},
    ]
    r = httpx.post(
        f"{stack.services['intake'].url}/v1/personeel/afdelingen", json={"afdelingen": afdelingen}, headers=hr
    )
    assert r.status_code == 202, r.text
    medewerkers = [
        {
            "werknemer_id": f"wn-{i}",
            "naam": f"Medewerker {i}",
            "afdeling_id": "magazijn" if i < 3 else "kantoor",
            "contracturen": 32,
            "voltijduren": 40,
            "datum_in_dienst": "2020-01-01",
            "email": f"wn{i}@example.org",
        }
        for i in range(1, 5)
    ]
    r = httpx.post(
        f"{stack.services['intake'].url}/v1/personeel/medewerkers", json={"medewerkers": medewerkers}, headers=hr
    )
    assert r.status_code == 202, r.text


def gemeld_op(eerste_ziektedag: date) -> datetime:
    """08:30 on the eerste ziektedag, or just now if that is still to come: intake refuses a gemeld_op in the future."""
    return min(datetime.combine(eerste_ziektedag, time(8, 30), tzinfo=NL), datetime.now(NL) - timedelta(minutes=1))


def ziekmelding(werkgever: str, werknemer: str, eerste_ziektedag: date, **extra: Any) -> dict[str, Any]:
    return {
        "werkgever_id": werkgever,
        "werknemer_id": werknemer,
        "eerste_ziektedag": eerste_ziektedag.isoformat(),
        "gemeld_op": gemeld_op(eerste_ziektedag).isoformat(),
        "gemeld_door": {"id": werknemer, "rol": "werknemer"},
        "bereikbaarheid": {"telefoon": "0612345678"},
        "vangnet_van_toepassing": False,
        "arbeidsongeval": False,
        "regres_derde": False,
        **extra,
    }


def get_json(url: str, headers: dict[str, str]) -> Any:
    r = httpx.get(url, headers=headers, timeout=10)
    return r.json() if r.status_code == 200 else None


def dossiers_of(stack: LocalStack, werknemer: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = httpx.get(f"{stack.services['cases'].url}/v1/dossiers", params={"werknemer_id": werknemer}, headers=headers)
    assert r.status_code == 200, r.text
    return items(r.json())


async def intake_messages(stack: LocalStack, werknemer: str) -> list[nats.aio.msg.Msg]:
    """Every ZiekGemeld in the intake stream for this werknemer, read with an ephemeral consumer from the start."""
    nc = await nats.connect(stack.nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            "verzuim.intake.v1.ziek-gemeld",
            durable=None,
            stream="VERZUIM_INTAKE",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        found = []
        while True:
            try:
                batch = await sub.fetch(100, timeout=1)
            except (nats.errors.TimeoutError, TimeoutError):
                break
            for msg in batch:
                if json.loads(msg.data)["werknemer_id"] == werknemer:
                    found.append(msg)
                await msg.ack()
        return found
    finally:
        await nc.close()


def test_every_v1_endpoint_requires_a_token(stack: LocalStack) -> None:
    checked = 0
    for name in SERVICES:
        base = stack.services[name].url
        spec = httpx.get(f"{base}/openapi.json").json()
        for path, operations in spec["paths"].items():
            if not path.startswith("/v1"):
                continue
            concrete = path
            for part in path.split("/"):
                if part.startswith("{"):
                    concrete = concrete.replace(part, str(uuid.uuid4()))
            for method in operations:
                r = httpx.request(method.upper(), f"{base}{concrete}", json={})
                assert r.status_code == 401, f"{name} {method.upper()} {path} answered {r.status_code} without a token"
                assert r.headers["content-type"].startswith("application/problem+json")
                checked += 1
    assert checked >= 8


def test_health_and_readiness(stack: LocalStack) -> None:
    for name in SERVICES:
        assert httpx.get(f"{stack.services[name].url}/healthz").json()["status"] == "ok"
        assert httpx.get(f"{stack.services[name].url}/readyz").status_code == 200


def test_a_ziekmelding_travels_through_all_five_services(stack: LocalStack, werkgever: str, auth: Auth) -> None:
    setup_organisatie(stack, werkgever, auth)
    hr = auth("hr", "hr-1")
    e = date.today() - timedelta(days=3)
    r = httpx.post(
        f"{stack.services['intake'].url}/v1/ziekmeldingen", json=ziekmelding(werkgever, "wn-2", e), headers=hr
    )
    assert r.status_code == 202, r.text
    melding_id = r.json()["melding_id"]
    dossier_link = r.json()["links"]["dossier"]
    assert dossier_link.endswith(f"/v1/meldingen/{melding_id}/dossier")

    # cases: the dossier, found through the link the intake answered with
    dossier = eventually_sync(lambda: get_json(dossier_link, hr), timeout=30)
    dossier_id = dossier["dossier_id"]
    assert dossier["werknemer_id"] == "wn-2"
    assert dossier["eerste_ziektedag"] == e.isoformat()

    # deadlines: PROBLEEMANALYSE on sick day 43 = E + 42 (decisions D1)
    def probleemanalyse() -> dict[str, Any] | None:
        body = get_json(f"{stack.services['deadlines'].url}/v1/dossiers/{dossier_id}/termijnen", hr)
        if body is None:
            return None
        return next((t for t in items(body) if t["code"] == "PROBLEEMANALYSE"), None)

    termijn = eventually_sync(probleemanalyse, timeout=30)
    assert termijn["vervaldatum"] == (e + timedelta(days=42)).isoformat()

    # notifications: one inbox item for the leidinggevende of wn-2's afdeling (magazijn), none for the other one
    lg = auth("leidinggevende", "lg-magazijn")
    inbox = eventually_sync(lambda: items(get_json(f"{stack.services['notifications'].url}/v1/inbox", lg)), timeout=30)
    assert len(inbox) == 1
    assert inbox[0]["dossier_id"] == dossier_id
    other = items(get_json(f"{stack.services['notifications'].url}/v1/inbox", auth("leidinggevende", "lg-kantoor")))
    assert other == []

    # reporting: counted as open under afdeling magazijn
    def counted() -> dict[str, Any] | None:
        body = get_json(f"{stack.services['reporting'].url}/v1/rapportages/open-dossiers", hr)
        return body if body and body["totaal"] == 1 else None

    report = eventually_sync(counted, timeout=30)
    per_afdeling = {row["afdeling_id"]: row["aantal"] for row in report["per_afdeling"]}
    assert per_afdeling.get("magazijn") == 1
    assert per_afdeling.get("kantoor", 0) == 0


def test_same_idempotency_key_twice_yields_one_dossier(stack: LocalStack, werkgever: str, auth: Auth) -> None:
    hr = {**auth("hr", "hr-1"), "Idempotency-Key": "melding-2025-0001"}
    body = ziekmelding(werkgever, "wn-3", date.today() - timedelta(days=1))
    first = httpx.post(f"{stack.services['intake'].url}/v1/ziekmeldingen", json=body, headers=hr)
    second = httpx.post(f"{stack.services['intake'].url}/v1/ziekmeldingen", json=body, headers=hr)
    assert first.status_code == second.status_code == 202
    assert first.json()["melding_id"] == second.json()["melding_id"]
    eventually_sync(lambda: dossiers_of(stack, "wn-3", hr), timeout=30)
    assert len(asyncio.run(intake_messages(stack, "wn-3"))) == 1
    assert len(dossiers_of(stack, "wn-3", hr)) == 1


def test_a_redelivered_ziekgemeld_yields_one_dossier(stack: LocalStack, werkgever: str, auth: Auth) -> None:
    hr = auth("hr", "hr-1")
    body = ziekmelding(werkgever, "wn-4", date.today() - timedelta(days=2))
    r = httpx.post(f"{stack.services['intake'].url}/v1/ziekmeldingen", json=body, headers=hr)
    assert r.status_code == 202
    dossier = eventually_sync(lambda: get_json(r.json()["links"]["dossier"], hr), timeout=30)

    async def redeliver() -> None:
        (original,) = await intake_messages(stack, "wn-4")
        nc = await nats.connect(stack.nats_url)
        headers = dict(original.headers or {})
        headers["Nats-Msg-Id"] = f"redelivery-{uuid.uuid4()}"  # beyond JetStream's dedupe: the consumer must cope
        await nc.jetstream().publish(original.subject, original.data, headers=headers)
        await nc.close()

    asyncio.run(redeliver())
    eventually_sync(lambda: len(asyncio.run(intake_messages(stack, "wn-4"))) == 2, timeout=10)
    # the second copy is processed (the consumer moves past it) without opening a second dossier
    marker = ziekmelding(werkgever, "wn-1", date.today())
    r2 = httpx.post(f"{stack.services['intake'].url}/v1/ziekmeldingen", json=marker, headers=hr)
    eventually_sync(lambda: get_json(r2.json()["links"]["dossier"], hr), timeout=30)
    assert len(dossiers_of(stack, "wn-4", hr)) == 1
    assert (
        get_json(f"{stack.services['cases'].url}/v1/dossiers/{dossier['dossier_id']}", hr)["versie"]
        == dossier["versie"]
    )


def test_a_diagnose_is_refused_with_the_reason_and_nothing_is_published(
    stack: LocalStack, werkgever: str, auth: Auth
) -> None:
    body = ziekmelding(werkgever, "wn-9", date.today(), diagnose="griep")
    r = httpx.post(f"{stack.services['intake'].url}/v1/ziekmeldingen", json=body, headers=auth("hr", "hr-1"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert "diagnose" in problem["detail"]
    assert "bedrijfsarts" in problem["detail"].lower() or "medische" in problem["detail"].lower()
    assert asyncio.run(intake_messages(stack, "wn-9")) == []


@pytest.mark.timeout(240)
def test_a_ziekmelding_made_while_cases_is_down_is_processed_after_restart(
    stack: LocalStack, werkgever: str, auth: Auth
) -> None:
    hr = auth("hr", "hr-1")
    stack.services["cases"].kill()
    try:
        r = httpx.post(
            f"{stack.services['intake'].url}/v1/ziekmeldingen",
            json=ziekmelding(werkgever, "wn-7", date.today()),
            headers=hr,
        )
        assert r.status_code == 202
    finally:
        stack.services["cases"].start()
        stack.services["cases"].wait_ready()
    dossier = eventually_sync(lambda: get_json(r.json()["links"]["dossier"], hr), timeout=60)
    assert dossier["werknemer_id"] == "wn-7"
    assert len(dossiers_of(stack, "wn-7", hr)) == 1

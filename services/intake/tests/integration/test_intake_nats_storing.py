"""When NATS cannot take a publish the intake answers 503 with Retry-After, and a retry with the same
Idempotency-Key later yields exactly one fact. Runs on a private NATS server, so the shared one stays intact."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import nats
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from verzuim_devstack.nats import NatsServer
from verzuim_devstack.testing import eventually_sync
from verzuim_intake.bootstrap import create_app
from verzuim_intake.settings import IntakeSettings
from verzuim_shared.messaging import ensure_streams

VANDAAG = "2025-03-03"


@pytest.fixture
def server(own_nats_server: NatsServer) -> NatsServer:
    return own_nats_server


@pytest.fixture
def settings(server: NatsServer, jwt_secret: str) -> IntakeSettings:
    return IntakeSettings(
        nats_url=server.url,
        auth_jwt_secret=SecretStr(jwt_secret),
        clock=f"simulated:{VANDAAG}T12:00:00+01:00",
        publish_timeout_s=1.0,
        retry_after_s=3,
    )


@pytest.fixture
def werkgever() -> str:
    return f"wg-{uuid4().hex[:8]}"


@pytest.fixture
def headers(token_factory: Callable[..., str], werkgever: str) -> dict[str, str]:
    token = token_factory(sub="hr-1", rol="hr", werkgever_id=werkgever)
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": "melding-storing-1"}


def ziekmelding(werkgever: str) -> dict[str, Any]:
    return {
        "werkgever_id": werkgever,
        "werknemer_id": "wn-1",
        "eerste_ziektedag": VANDAAG,
        "gemeld_op": f"{VANDAAG}T08:30:00+01:00",
        "gemeld_door": {"id": "wn-1", "rol": "werknemer"},
        "bereikbaarheid": {"telefoon": "0612345678"},
    }


async def stream_messages(url: str) -> list[dict[str, Any]]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        state = (await js.stream_info("VERZUIM_INTAKE")).state
        if not state.messages:
            return []
        return [
            json.loads((await js.get_msg("VERZUIM_INTAKE", seq)).data or b"{}")
            for seq in range(state.first_seq, state.last_seq + 1)
        ]
    finally:
        await nc.close()


async def delete_intake_stream(url: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream("VERZUIM_INTAKE")
    finally:
        await nc.close()


async def recreate_streams(url: str, settings: IntakeSettings) -> None:
    nc = await nats.connect(url)
    try:
        await ensure_streams(nc.jetstream(), settings)
    finally:
        await nc.close()


def assert_503(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "3"
    assert "Idempotency-Key" in response.json()["detail"]


async def test_no_stream_gives_503_and_a_retry_with_the_same_key_publishes_once(
    server: NatsServer, settings: IntakeSettings, headers: dict[str, str], werkgever: str
) -> None:
    with TestClient(create_app(settings)) as client:
        await delete_intake_stream(server.url)
        assert_503(client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers))

        await recreate_streams(server.url, settings)
        first = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers)
        again = client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers)
        assert first.status_code == again.status_code == 202, first.text
        assert first.json() == again.json()

    messages = await stream_messages(server.url)
    assert [m["melding_id"] for m in messages] == [first.json()["melding_id"]]


async def test_nats_down_gives_503_and_the_intake_recovers_when_it_is_back(
    server: NatsServer, settings: IntakeSettings, headers: dict[str, str], werkgever: str
) -> None:
    with TestClient(create_app(settings)) as client:
        server.kill()
        assert_503(client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers))
        sync = client.post(
            "/v1/personeel/afdelingen", json={"afdelingen": [{"afdeling_id": "a", "naam": "A"}]}, headers=headers
        )
        assert_503(sync)

        server.start()
        ok = eventually_sync(
            lambda: (
                (r := client.post("/v1/ziekmeldingen", json=ziekmelding(werkgever), headers=headers)).status_code == 202
                and r
            ),
            timeout=30,
            interval=0.5,
        )
        assert client.get("/readyz").status_code == 200

    messages = await stream_messages(server.url)
    assert [m["melding_id"] for m in messages] == [ok.json()["melding_id"]]

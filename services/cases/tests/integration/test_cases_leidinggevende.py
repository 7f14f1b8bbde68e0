"""The scope of a leidinggevende (ARCHITECTURE: "a leidinggevende sees their own team"), on real PostgreSQL and NATS.

The team comes from the personeel stream as cases knows it when the request arrives: a werknemer's own
leidinggevende if the personeel data name one, else the leidinggevende of their afdeling. Outside the team every
dossier route answers 404, as for another werkgever's dossier, so not even the existence of a dossier is told.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats
import pytest
from fastapi.testclient import TestClient
from verzuim_cases.bootstrap import create_app
from verzuim_cases.settings import CasesSettings
from verzuim_devstack.testing import eventually
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    Event,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    Rol,
)

from .test_cases_dossier_api import application, d, ziek

Auth = Callable[..., dict[str, str]]
HR = Actor(id="hr-1", rol=Rol.HR)


@pytest.fixture
def client(cases_settings: CasesSettings, tmp_path: Path) -> Iterator[TestClient]:
    settings = cases_settings.model_copy(update={"document_dir": tmp_path / "documenten"})
    with TestClient(create_app(settings)) as c:
        yield c


def afdeling(werkgever: str, afdeling_id: str, leidinggevende: str | None) -> AfdelingVastgelegd:
    return AfdelingVastgelegd(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=datetime.now(UTC),
        actor=HR,
        afdeling_id=afdeling_id,
        naam=afdeling_id,
        leidinggevende_id=leidinggevende,
    )


def in_dienst(werkgever: str, werknemer: str, afdeling_id: str, leidinggevende: str | None = None) -> Event:
    return MedewerkerInDienst(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=datetime.now(UTC),
        actor=HR,
        werknemer_id=werknemer,
        datum_in_dienst=date(2020, 1, 1),
        naam=werknemer,
        afdeling_id=afdeling_id,
        contracturen=32,
        voltijduren=40,
        leidinggevende_id=leidinggevende,
    )


async def publiceer(nats_url: str, *events: Event) -> None:
    nc = await nats.connect(nats_url)
    try:
        for event in events:
            await nc.jetstream().publish(
                event.subject(), event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.event_id)}
            )
    finally:
        await nc.close()


async def test_a_leidinggevende_sees_and_records_only_in_the_dossiers_of_their_own_team(
    client: TestClient, werkgever: str, auth: Auth, nats_url: str
) -> None:
    app = application(client)
    # magazijn is led by lg-mag, kantoor by lg-kan; wn-3 works in kantoor but has lg-mag as their own leidinggevende;
    # lg-mag is in magazijn, the afdeling they lead themselves.
    dossiers = {wn: app.open_dossier(ziek(werkgever, wn)) for wn in ("wn-1", "wn-2", "wn-3", "lg-mag")}
    await publiceer(
        nats_url,
        afdeling(werkgever, "magazijn", "lg-mag"),
        afdeling(werkgever, "kantoor", "lg-kan"),
        in_dienst(werkgever, "wn-1", "magazijn"),
        in_dienst(werkgever, "wn-2", "kantoor"),
        in_dienst(werkgever, "wn-3", "kantoor", leidinggevende="lg-mag"),
        in_dienst(werkgever, "lg-mag", "magazijn"),
    )
    lg_mag, lg_kan, hr = auth("leidinggevende", "lg-mag"), auth("leidinggevende", "lg-kan"), auth("hr", "hr-1")

    def lijst(headers: dict[str, str], **params: Any) -> set[str]:
        r = client.get("/v1/dossiers", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return {i["werknemer_id"] for i in r.json()["items"]}

    # Every personeel fact is consumed before the checks (one message at a time, in stream order).
    await eventually(lambda: lijst(lg_mag) == {"wn-1", "wn-3", "lg-mag"} and lijst(lg_kan) == {"wn-2"})
    assert lijst(hr) == {"wn-1", "wn-2", "wn-3", "lg-mag"}  # other roles keep seeing the whole werkgever
    assert lijst(lg_mag, werknemer_id="wn-2") == set() and lijst(lg_mag, afdeling_id="kantoor") == {"wn-3"}

    eigen, vreemd, zelf = dossiers["wn-1"], dossiers["wn-2"], dossiers["lg-mag"]
    assert client.get(f"/v1/dossiers/{eigen.id}", headers=lg_mag).status_code == 200
    assert client.get(f"/v1/dossiers/{dossiers['wn-3'].id}/geschiedenis", headers=lg_mag).status_code == 200
    # Outside the team: every read is 404, the same answer as for an id nobody ever used.
    for pad, id_, params in (
        ("/v1/dossiers/{}", vreemd.id, {}),
        ("/v1/dossiers/{}", vreemd.id, {"versie": 1}),
        ("/v1/dossiers/{}", vreemd.id, {"peildatum": datetime.now(UTC).isoformat()}),
        ("/v1/dossiers/{}/geschiedenis", vreemd.id, {}),
        ("/v1/dossiers/{}/integriteit", vreemd.id, {}),
        ("/v1/dossiers/{}/documenten", vreemd.id, {}),
        ("/v1/meldingen/{}/dossier", vreemd.melding_id, {}),
    ):
        r = client.get(pad.format(id_), params=params, headers=lg_mag)
        assert r.status_code == 404, (pad, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        onbekend_id = uuid4()
        onbekend = client.get(pad.format(onbekend_id), params=params, headers=hr).json()
        assert r.json()["detail"] == onbekend["detail"].replace(str(onbekend_id), str(id_)), pad
    # Their own dossier: they read it (AVG inzage) but record nothing in it; their own leidinggevende or HR does.
    assert client.get(f"/v1/dossiers/{zelf.id}", headers=lg_mag).status_code == 200
    r = client.post(f"/v1/dossiers/{zelf.id}/triage", json={"datum": d(1), "route": "regulier"}, headers=lg_mag)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json"), r.text
    assert "eigen leidinggevende" in r.json()["detail"]
    assert client.get(f"/v1/dossiers/{zelf.id}", headers=hr).json()["versie"] == 1
    # Commands: outside the team 404 and nothing recorded; inside it recorded.
    r = client.post(f"/v1/dossiers/{vreemd.id}/triage", json={"datum": d(1), "route": "regulier"}, headers=lg_mag)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    r = client.post(
        f"/v1/dossiers/{vreemd.id}/documenten",
        params={"stap": "probleemanalyse", "naam": "pa.pdf"},
        content=b"%PDF",
        headers=lg_mag,
    )
    assert r.status_code == 404
    assert client.get(f"/v1/dossiers/{vreemd.id}", headers=hr).json()["versie"] == 1
    r = client.post(
        f"/v1/dossiers/{eigen.id}/contactmoment",
        json={"datum": d(2), "met_rol": "leidinggevende", "verslag": "gebeld"},
        headers=lg_mag,
    )
    assert r.status_code == 200 and r.json()["stappen"][-1]["actor"] == {"id": "lg-mag", "rol": "leidinggevende"}
    assert client.get(f"/v1/dossiers/{eigen.id}", params={"versie": 2}, headers=lg_mag).status_code == 200

    # wn-1 moves to kantoor: from then on the dossier is lg-kan's, not lg-mag's (the personeel data as known now).
    await publiceer(
        nats_url,
        MedewerkerGegevensGewijzigd(
            event_id=uuid4(),
            werkgever_id=werkgever,
            geregistreerd_op=datetime.now(UTC),
            actor=HR,
            werknemer_id="wn-1",
            geldig_vanaf=date(2024, 1, 1),
            naam="wn-1",
            afdeling_id="kantoor",
            contracturen=32,
            voltijduren=40,
        ),
    )
    await eventually(lambda: lijst(lg_kan) == {"wn-1", "wn-2"})
    assert lijst(lg_mag) == {"wn-3", "lg-mag"}
    assert client.get(f"/v1/dossiers/{eigen.id}", headers=lg_mag).status_code == 404
    assert client.get(f"/v1/dossiers/{eigen.id}", headers=lg_kan).status_code == 200

    # A new leidinggevende of magazijn takes over its team; the werknemer with a leidinggevende of their own stays.
    await publiceer(nats_url, afdeling(werkgever, "kantoor", "lg-nieuw"))
    lg_nieuw = auth("leidinggevende", "lg-nieuw")
    await eventually(lambda: lijst(lg_nieuw) == {"wn-1", "wn-2"})
    assert lijst(lg_kan) == set() and lijst(lg_mag) == {"wn-3", "lg-mag"}


async def test_a_leidinggevende_without_personeel_data_sees_no_dossier(
    client: TestClient, werkgever: str, auth: Auth
) -> None:
    dossier = application(client).open_dossier(ziek(werkgever, "wn-1"))
    lg = auth("leidinggevende", "lg-1")
    assert client.get("/v1/dossiers", headers=lg).json()["items"] == []
    assert client.get(f"/v1/dossiers/{dossier.id}", headers=lg).status_code == 404
    assert client.get(f"/v1/dossiers/{dossier.id}", headers=auth("casemanager", "cm-1")).status_code == 200

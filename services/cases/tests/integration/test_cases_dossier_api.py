"""The dossier API on real PostgreSQL (and the session's NATS): every step as a command, the 409/403 refusals that
record nothing, replay by version and peildatum across snapshots, the history, the documents, the afdeling filter,
and the integrity check against rows altered directly in the database."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import nats
import psycopg
import pytest
from fastapi.testclient import TestClient
from verzuim_cases.application import DossierApplication
from verzuim_cases.bootstrap import CasesRuntime, create_app
from verzuim_cases.domain.keten import onverzegelde_schakel
from verzuim_cases.settings import CasesSettings
from verzuim_devstack.testing import eventually
from verzuim_shared.clock import SystemClock, today_nl
from verzuim_shared.events import (
    Actor,
    Bereikbaarheid,
    HerstelGemeld,
    HerstelSoort,
    MedewerkerInDienst,
    Rol,
    ZiekGemeld,
)

Auth = Callable[..., dict[str, str]]
TODAY = today_nl(SystemClock())
E = TODAY - timedelta(days=400)


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
        meldtijd_grens=now,
        na_meldtijd=False,
    )


@pytest.fixture
def settings(cases_settings: CasesSettings, tmp_path: Path) -> CasesSettings:
    return cases_settings.model_copy(update={"snapshot_interval": 5, "document_dir": tmp_path / "documenten"})


@pytest.fixture
def client(settings: CasesSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def application(client: TestClient) -> DossierApplication:
    runtime: CasesRuntime = client.app.state.cases_runtime  # type: ignore[attr-defined]
    return runtime.application()


def post(client: TestClient, dossier_id: UUID, stap: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(f"/v1/dossiers/{dossier_id}/{stap}", json=body, headers=headers)


def d(days: int) -> str:
    return (E + timedelta(days=days)).isoformat()


def test_steps_are_recorded_over_http_and_refusals_are_409_problems_that_record_nothing(
    client: TestClient, werkgever: str, auth: Auth
) -> None:
    cm = auth("casemanager", "cm-1")
    dossier = application(client).open_dossier(ziek(werkgever))
    r = post(
        client,
        dossier.id,
        "plan-van-aanpak",
        {
            "datum": d(50),
            "doelen": ["eigen werk"],
            "activiteiten": ["opbouw"],
            "casemanager_id": "cm-1",
            "evaluatiemomenten": [d(92)],
            "akkoord_werknemer": True,
        },
        cm,
    )
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    assert "probleemanalyse" in r.json()["detail"] and r.json()["title"] == "Conflict met de huidige toestand"

    r = post(client, dossier.id, "triage", {"datum": d(0), "route": "complex"}, cm)
    assert r.status_code == 200, r.text
    assert (r.json()["route"], r.json()["versie"], r.headers["etag"]) == ("complex", 2, '"2"')
    r = post(
        client, dossier.id, "begeleider", {"datum": d(0), "begeleider_id": "vc-1", "begeleider_rol": "verzuimcoach"}, cm
    )
    assert r.status_code == 409 and "casemanager vanaf dag 1" in r.json()["detail"]
    r = post(
        client, dossier.id, "begeleider", {"datum": d(0), "begeleider_id": "cm-1", "begeleider_rol": "casemanager"}, cm
    )
    assert r.json()["casemanager_id"] == "cm-1"
    r = post(
        client,
        dossier.id,
        "probleemanalyse",
        {
            "datum": d(-1),
            "mogelijkheden": "m",
            "beperkingen": "b",
            "advies": "a",
        },
        cm,
    )
    assert r.status_code == 409 and "vóór de eerste ziektedag" in r.json()["detail"]
    r = post(
        client,
        dossier.id,
        "probleemanalyse",
        {
            "datum": (TODAY + timedelta(days=1)).isoformat(),
            "mogelijkheden": "m",
            "beperkingen": "b",
            "advies": "a",
        },
        cm,
    )
    assert r.status_code == 409 and "in de toekomst" in r.json()["detail"]
    r = post(
        client,
        dossier.id,
        "probleemanalyse",
        {"datum": d(40), "mogelijkheden": "m", "beperkingen": "b", "advies": "a", "diagnose": "griep"},
        cm,
    )
    assert r.status_code == 422  # no place for medical data (D9): unknown fields are refused

    body = client.get(f"/v1/dossiers/{dossier.id}", headers=cm).json()
    assert body["versie"] == 3 and body["stappen_gedaan"] == ["dossier_geopend", "triage", "begeleider"]
    assert body["begeleider"] == {"id": "cm-1", "rol": "casemanager"}

    # Read-only roles.
    r = post(client, dossier.id, "triage", {"datum": d(1), "route": "regulier"}, auth("auditor", "au-1"))
    assert r.status_code == 403 and "auditor" in r.json()["detail"]
    r = post(client, dossier.id, "triage", {"datum": d(1), "route": "regulier"}, auth("werknemer", "wn-1"))
    assert r.status_code == 403
    # Another werkgever's dossier does not exist for you.
    r = post(client, dossier.id, "triage", {"datum": d(1), "route": "regulier"}, auth(werkgever_id="wg-elders"))
    assert r.status_code == 404
    # If-Match: a stale version is a conflict, the current one goes through.
    r = client.post(
        f"/v1/dossiers/{dossier.id}/arbodienstmelding", json={"datum": d(3)}, headers={**cm, "If-Match": '"2"'}
    )
    assert r.status_code == 409 and "intussen gewijzigd" in r.json()["detail"]
    r = client.post(
        f"/v1/dossiers/{dossier.id}/arbodienstmelding", json={"datum": d(3)}, headers={**cm, "If-Match": '"3"'}
    )
    assert r.status_code == 200 and r.json()["versie"] == 4


def test_herstelafspraak_werkgerelateerde_component_vld_termijnafwijking_correctie_and_sluiting_over_http(
    client: TestClient, werkgever: str, auth: Auth
) -> None:
    hr = auth("hr", "hr-1")
    dossier = application(client).open_dossier(ziek(werkgever))

    def stap(route: str, body: dict[str, Any], status: int = 200) -> Any:
        r = post(client, dossier.id, route, body, hr)
        assert r.status_code == status, (route, r.text)
        if status != 200:
            assert r.headers["content-type"].startswith("application/problem+json")
        return r.json()

    assert "vóór de datum" in stap("herstelafspraak", {"datum": d(2), "herstel_verwacht_op": d(1)}, 409)["detail"]
    assert stap("herstelafspraak", {"datum": d(1), "herstel_verwacht_op": d(14)})["herstelafspraak"] == d(14)

    stap("werkgerelateerde-component", {"datum": d(5), "soort": "ruzie"}, 422)  # not one of the three kinds
    body = stap("werkgerelateerde-component", {"datum": d(5), "soort": "arbeidsconflict"})
    assert body["processtappen"]["werkgerelateerde_component"] == [
        {"versie": 3, "datum": d(5), "soort": "arbeidsconflict"}
    ]

    einde = (E + timedelta(days=727 + 91)).isoformat()
    assert stap("vld", {"datum": d(300), "laatste_dag_wachttijd": einde})["laatste_dag_wachttijd"] == einde
    eerder = (E + timedelta(days=727 + 30)).isoformat()
    assert "vorige verlenging" in stap("vld", {"datum": d(301), "laatste_dag_wachttijd": eerder}, 409)["detail"]

    afwijking = {"datum": d(310), "termijn_code": "plan van aanpak", "reden": "werknemer opgenomen"}
    assert "geen termijncode" in stap("termijnafwijking", afwijking, 409)["detail"]
    body = stap("termijnafwijking", {**afwijking, "termijn_code": "PLAN_VAN_AANPAK"})
    assert body["stappen"][-1]["reden"] == "werknemer opgenomen"
    assert body["processtappen"]["termijnafwijking"][0]["termijn_code"] == "PLAN_VAN_AANPAK"
    assert "volgnummer" not in body["processtappen"]["termijnafwijking"][0]  # none given: recorded as before
    # Which occurrence of a repeating termijn is meant: counted from 1 (how many there are is the deadlines service's).
    evaluatie = {**afwijking, "termijn_code": "EVALUATIE", "reden": "evaluatie verschoven"}
    problem = stap("termijnafwijking", {**evaluatie, "volgnummer": 0}, 422)
    assert any(e["loc"][-1] == "volgnummer" for e in problem["errors"]), problem
    assert stap("termijnafwijking", {**evaluatie, "volgnummer": "drie"}, 422)
    body = stap("termijnafwijking", {**evaluatie, "volgnummer": 7})
    assert body["processtappen"]["termijnafwijking"][1] == {
        "versie": 6,
        "datum": d(310),
        "termijn_code": "EVALUATIE",
        "reden": "evaluatie verschoven",
        "volgnummer": 7,
    }
    assert body["stappen"][-1]["omschrijving"] == f"Gemotiveerd afgeweken van termijn EVALUATIE nr. 7 op {d(310)}."

    correctie = {"datum": d(320), "feit": "eerste_ziektedag", "reden": "de werknemer was al eerder ziek"}
    assert "corrigeer eerst" in stap("correctie", {**correctie, "nieuwe_waarde": d(3)}, 409)["detail"]
    body = stap("correctie", {**correctie, "nieuwe_waarde": d(-2)})
    assert body["eerste_ziektedag"] == d(-2) and body["episodes"][0]["eerste_ziektedag"] == d(-2)
    assert body["stappen"][-1]["omschrijving"].endswith(f"eerste ziektedag {d(0)} wordt {d(-2)}.")

    body = stap("sluiting", {"datum": d(330), "reden": "uit dienst"})
    assert (body["status"], body["gesloten_op"], body["gesloten_reden"]) == ("gesloten", d(330), "uit dienst")
    assert "gesloten" in stap("herstelafspraak", {"datum": d(331), "herstel_verwacht_op": d(340)}, 409)["detail"]

    history = client.get(f"/v1/dossiers/{dossier.id}/geschiedenis", headers=hr).json()["gebeurtenissen"]
    assert [(g["versie"], g["type"], g["datum"]) for g in history] == [
        (1, "Geopend", d(0)),
        (2, "HerstelafspraakGemaakt", d(1)),
        (3, "WerkgerelateerdeComponentGemeld", d(5)),
        (4, "VldToegekend", d(300)),
        (5, "TermijnAfwijkingGemotiveerd", d(310)),
        (6, "TermijnAfwijkingGemotiveerd", d(310)),
        (7, "FeitGecorrigeerd", d(320)),
        (8, "DossierGesloten", d(330)),
    ]
    assert all(g["actor"] == {"id": "hr-1", "rol": "hr"} for g in history[1:])
    assert [g["reden"] for g in history[4:]] == [
        "werknemer opgenomen",
        "evaluatie verschoven",
        correctie["reden"],
        "uit dienst",
    ]


def test_eindevaluatie_and_re_integratieverslag_are_recorded_once_only(
    client: TestClient, werkgever: str, auth: Auth
) -> None:
    cm = auth("casemanager", "cm-1")
    eerste_ziektedag = TODAY - timedelta(days=700)
    dossier = application(client).open_dossier(ziek(werkgever, eerste_ziektedag=eerste_ziektedag))

    def d(days: int) -> str:
        return (eerste_ziektedag + timedelta(days=days)).isoformat()

    assert post(client, dossier.id, "eindevaluatie", {"datum": d(600)}, cm).status_code == 409  # no plan van aanpak
    for route, body in (
        ("probleemanalyse", {"datum": d(40), "mogelijkheden": "m", "beperkingen": "b", "advies": "a"}),
        (
            "plan-van-aanpak",
            {
                "datum": d(50),
                "doelen": ["eigen werk"],
                "activiteiten": ["opbouw"],
                "casemanager_id": "cm-1",
                "evaluatiemomenten": [d(92)],
                "akkoord_werknemer": True,
            },
        ),
        ("actueel-oordeel", {"datum": d(595)}),
        ("eindevaluatie", {"datum": d(600)}),
        ("re-integratieverslag", {"datum": d(610)}),
    ):
        assert post(client, dossier.id, route, body, cm).status_code == 200, route
    for route, datum, eerst in (("eindevaluatie", d(601), d(600)), ("re-integratieverslag", d(611), d(610))):
        r = post(client, dossier.id, route, {"datum": datum}, cm)
        assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
        assert f"staat al in het dossier (op {eerst})" in r.json()["detail"] and "één keer" in r.json()["detail"]
    body = client.get(f"/v1/dossiers/{dossier.id}", headers=cm).json()
    assert body["versie"] == 6
    assert [len(body["processtappen"][s]) for s in ("eindevaluatie", "re_integratieverslag")] == [1, 1]


def test_replay_at_every_version_and_at_a_peildatum_equals_the_dossier_as_it_stood_then(
    client: TestClient, werkgever: str, auth: Auth, settings: CasesSettings
) -> None:
    cm = auth("casemanager", "cm-1")
    dossier = application(client).open_dossier(ziek(werkgever))
    toestanden: dict[int, dict[str, Any]] = {1: client.get(f"/v1/dossiers/{dossier.id}", headers=cm).json()}
    momenten: dict[int, datetime] = {}
    for i in range(1, 13):
        momenten[i] = datetime.now(UTC)
        r = post(
            client,
            dossier.id,
            "contactmoment",
            {"datum": d(i), "met_rol": "leidinggevende", "verslag": f"gesprek {i}"},
            cm,
        )
        assert r.status_code == 200
        toestanden[r.json()["versie"]] = r.json()
    # Snapshots were taken every 5 versions.
    with psycopg.connect(settings.database_url) as conn:
        snapshots = conn.execute(
            "SELECT originator_version FROM cases_snapshots WHERE originator_id = %s ORDER BY 1", (dossier.id,)
        ).fetchall()
    assert [s[0] for s in snapshots] == [5, 10]
    for versie, verwacht in toestanden.items():
        replay = client.get(f"/v1/dossiers/{dossier.id}", params={"versie": versie}, headers=cm).json()
        for veld in ("versie", "stappen", "processtappen", "keten_hash", "status", "episodes"):
            assert replay[veld] == verwacht[veld], (versie, veld)
    # A peildatum just before the i-th contactmoment was recorded shows version i (the i-th step is version i+1).
    for i, moment in momenten.items():
        replay = client.get(f"/v1/dossiers/{dossier.id}", params={"peildatum": moment.isoformat()}, headers=cm).json()
        assert replay["versie"] == i
    eerder = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    r = client.get(f"/v1/dossiers/{dossier.id}", params={"peildatum": eerder}, headers=cm)
    assert r.status_code == 404 and "bestond" in r.json()["detail"]
    assert client.get(f"/v1/dossiers/{dossier.id}", params={"versie": 99}, headers=cm).status_code == 404
    assert (
        client.get(f"/v1/dossiers/{dossier.id}", params={"versie": 2, "peildatum": eerder}, headers=cm).status_code
        == 422
    )

    history = client.get(f"/v1/dossiers/{dossier.id}/geschiedenis", headers=cm).json()
    assert [g["versie"] for g in history["gebeurtenissen"]] == list(range(1, 14))
    assert history["gebeurtenissen"][1]["type"] == "ContactmomentVastgelegd"
    assert history["gebeurtenissen"][1]["actor"] == {"id": "cm-1", "rol": "casemanager"}
    assert history["gebeurtenissen"][1]["datum"] == d(1)


# What someone with database access could do: rewrite the text inside a stored event.
REPLACE_IN_STATE = (
    "UPDATE cases_events SET state = convert_to(replace(convert_from(state, 'UTF8'), %s, %s), 'UTF8')"
    " WHERE originator_id = %s AND originator_version = 4"
)


def test_a_row_altered_directly_in_postgresql_is_detected_and_named(
    client: TestClient, werkgever: str, auth: Auth, settings: CasesSettings
) -> None:
    cm = auth("auditor", "au-1")
    hr = auth("hr", "hr-1")
    dossier = application(client).open_dossier(ziek(werkgever))
    for i in range(1, 5):
        post(
            client,
            dossier.id,
            "contactmoment",
            {"datum": d(i), "met_rol": "leidinggevende", "verslag": f"gesprek {i}"},
            hr,
        )
    check = client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=cm).json()
    assert (check["intact"], check["versies"], check["eerste_breuk"]) == (True, 5, None)
    assert check["kop_hash"] == client.get(f"/v1/dossiers/{dossier.id}", headers=cm).json()["keten_hash"]

    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            REPLACE_IN_STATE,
            ("gesprek 3", "niets gezegd", dossier.id),
        )
    check = client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=cm).json()
    assert check["intact"] is False and check["eerste_breuk"]["versie"] == 4
    assert "gewijzigd" in check["eerste_breuk"]["reden"]

    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            REPLACE_IN_STATE,
            ("niets gezegd", "gesprek 3", dossier.id),
        )
        assert client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=cm).json()["intact"] is True
        conn.execute("DELETE FROM cases_events WHERE originator_id = %s AND originator_version = 5", (dossier.id,))
    check = client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=cm).json()
    assert (
        check["intact"] is False
        and check["eerste_breuk"]["versie"] == 5
        and "ontbreken" in check["eerste_breuk"]["reden"]
    )


def test_removing_the_hashes_of_rewritten_events_does_not_skip_the_chain(
    client: TestClient, werkgever: str, auth: Auth, settings: CasesSettings
) -> None:
    """Only the first release's events, at the start of a dossier, are unsealed. Someone who rewrites version 4,
    removes the hashes from version 4 on and recomputes the recorded head as if they had never been sealed, still
    breaks the chain at version 4."""
    au, hr = auth("auditor", "au-1"), auth("hr", "hr-1")
    dossier = application(client).open_dossier(ziek(werkgever))
    for i in range(1, 5):
        body = {"datum": d(i), "met_rol": "leidinggevende", "verslag": f"gesprek {i}"}
        assert post(client, dossier.id, "contactmoment", body, hr).status_code == 200
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(REPLACE_IN_STATE, ("gesprek 3", "niets gezegd", dossier.id))
        conn.execute(
            "UPDATE cases_events SET state = convert_to((convert_from(state, 'UTF8')::jsonb - 'keten_hash')::text,"
            " 'UTF8') WHERE originator_id = %s AND originator_version >= 4",
            (dossier.id,),
        )
        rows = conn.execute(
            "SELECT originator_version, topic, convert_from(state, 'UTF8')::jsonb ->> 'keten_hash'"
            " FROM cases_events WHERE originator_id = %s ORDER BY 1",
            (dossier.id,),
        ).fetchall()
        kop = rows[2][2]
        for versie, topic, _ in rows[3:]:
            kop = onverzegelde_schakel(kop, topic, dossier.id, versie)
        conn.execute("UPDATE dossier_lookup SET keten_hash = %s WHERE dossier_id = %s", (kop, dossier.id))
    check = client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=au).json()
    assert check["intact"] is False and check["eerste_breuk"]["versie"] == 4, check
    assert "geen hash" in check["eerste_breuk"]["reden"]


def test_a_snapshot_altered_directly_in_postgresql_is_detected_and_named(
    client: TestClient, werkgever: str, auth: Auth, settings: CasesSettings
) -> None:
    """Reads start from the latest snapshot, which sits outside the hash chain: /integriteit replays the events and
    compares every stored snapshot with the state they give at its version."""
    cm, au = auth("casemanager", "cm-1"), auth("auditor", "au-1")
    app = application(client)
    dossier = app.open_dossier(ziek(werkgever))
    stappen: list[tuple[str, dict[str, Any]]] = [
        ("triage", {"datum": d(1), "route": "complex"}),
        ("begeleider", {"datum": d(1), "begeleider_id": "cm-1", "begeleider_rol": "casemanager"}),
        ("probleemanalyse", {"datum": d(40), "mogelijkheden": "m", "beperkingen": "b", "advies": "a"}),
        (
            "plan-van-aanpak",
            {
                "datum": d(50),
                "doelen": ["eigen werk"],
                "activiteiten": ["opbouw"],
                "casemanager_id": "cm-1",
                "evaluatiemomenten": [d(92)],
                "akkoord_werknemer": True,
            },
        ),
        ("opbouwschema", {"datum": d(55), "stappen": [{"vanaf": d(56), "uren_per_week": 8, "loonwaarde_pct": 50}]}),
        ("contactmoment", {"datum": d(60), "met_rol": "leidinggevende", "verslag": "gesprek over de opbouw"}),
    ]
    for stap, body in stappen:
        assert post(client, dossier.id, stap, body, cm).status_code == 200, stap
    inhoud = b"%PDF plan"
    r = client.post(
        f"/v1/dossiers/{dossier.id}/documenten",
        params={"stap": "plan_van_aanpak", "naam": "pva.pdf", "datum": d(51)},
        content=inhoud,
        headers=cm,
    )
    assert r.status_code == 201
    sha = r.json()["sha256"]
    r = client.post(
        f"/v1/dossiers/{dossier.id}/documenten/{sha}/ondertekening",
        json={"datum": d(52)},
        headers=auth("werknemer", "wn-1"),
    )
    assert r.status_code == 200
    herstel_melding = app.get_dossier(dossier.id).melding_id
    app.registreer_herstel(
        HerstelGemeld(
            event_id=uuid4(),
            werkgever_id=werkgever,
            geregistreerd_op=datetime.now(UTC),
            actor=Actor(id="lg-1", rol=Rol.LEIDINGGEVENDE),
            herstel_id=uuid4(),
            melding_id=herstel_melding,
            werknemer_id="wn-1",
            soort=HerstelSoort.GEDEELTELIJK,
            hersteldatum=E + timedelta(days=70),
            arbeidsongeschiktheidspercentage=50,
            gemeld_op=datetime.now(UTC),
            gemeld_door=Actor(id="wn-1", rol=Rol.WERKNEMER),
        )
    )
    voor = client.get(f"/v1/dossiers/{dossier.id}", headers=au).json()
    assert voor["versie"] == 10
    check = client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=au).json()
    # Every kind of state (episodes, percentages, documents with signatures, nested step fields) survives the
    # snapshot's JSON unchanged: no false alarm.
    assert (check["intact"], check["snapshots"], check["snapshot_breuken"]) == (True, [5, 10], [])

    # Someone with database access changes what the latest snapshot says: reads now show it (they start there) …
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE cases_snapshots SET state = convert_to(replace(convert_from(state, 'UTF8'), %s, %s), 'UTF8')"
            " WHERE originator_id = %s AND originator_version = 10",
            ('"casemanager_id":"cm-1"', '"casemanager_id":"cm-9"', dossier.id),
        )
    assert client.get(f"/v1/dossiers/{dossier.id}", headers=au).json()["casemanager_id"] == "cm-9"
    # … but the chain of events still holds, and /integriteit names the snapshot and what differs.
    check = client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=au).json()
    assert check["intact"] is False and check["eerste_breuk"] is None
    (breuk,) = check["snapshot_breuken"]
    assert breuk["versie"] == 10 and "casemanager_id" in breuk["reden"], breuk
    # The older snapshot rewritten too (the route of the triage): both are named, each with what differs.
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE cases_snapshots SET state = convert_to(replace(convert_from(state, 'UTF8'), %s, %s), 'UTF8')"
            " WHERE originator_id = %s AND originator_version = 5",
            ('"complex"', '"regulier"', dossier.id),
        )
    check = client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=au).json()
    assert [b["versie"] for b in check["snapshot_breuken"]] == [5, 10]
    assert "route" in check["snapshot_breuken"][0]["reden"]


def test_racing_commands_one_wins_the_other_is_retried_or_refused_and_nothing_is_lost(
    client: TestClient, werkgever: str, auth: Auth, settings: CasesSettings
) -> None:
    hr = auth("hr", "hr-1")
    dossier = application(client).open_dossier(ziek(werkgever))
    barrier = threading.Barrier(4)
    antwoorden: list[int] = []

    def stuur(stap: str, body: dict[str, Any]) -> None:
        barrier.wait()
        antwoorden.append(post(client, dossier.id, stap, body, hr).status_code)

    bodies = [("contactmoment", {"datum": d(1), "met_rol": "leidinggevende", "verslag": f"r{i}"}) for i in range(2)]
    bodies += [("uwv-42e-weeksmelding", {"datum": d(290)})] * 2  # once only: exactly one may win
    threads = [threading.Thread(target=stuur, args=b) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(antwoorden) == [200, 200, 200, 409]
    body = client.get(f"/v1/dossiers/{dossier.id}", headers=hr).json()
    assert body["versie"] == 4
    assert sorted(s["soort"] for s in body["stappen"][1:]) == ["contactmoment", "contactmoment", "uwv_42e_weeksmelding"]
    with psycopg.connect(settings.database_url) as conn:
        versies = [
            r[0]
            for r in conn.execute(
                "SELECT originator_version FROM cases_events WHERE originator_id = %s ORDER BY 1", (dossier.id,)
            ).fetchall()
        ]
    assert versies == [1, 2, 3, 4]
    assert client.get(f"/v1/dossiers/{dossier.id}/integriteit", headers=hr).json()["intact"] is True


def test_documents_are_attached_to_their_step_downloaded_checked_and_signed_by_the_werknemer(
    client: TestClient, werkgever: str, auth: Auth, settings: CasesSettings
) -> None:
    cm = auth("casemanager", "cm-1")
    dossier = application(client).open_dossier(ziek(werkgever))
    inhoud = b"%PDF-1.7 plan van aanpak"
    sha = hashlib.sha256(inhoud).hexdigest()
    url = f"/v1/dossiers/{dossier.id}/documenten"
    params = {"stap": "plan_van_aanpak", "naam": "pva.pdf", "datum": d(55)}
    r = client.post(url, params=params, content=inhoud, headers={**cm, "Content-Type": "application/pdf"})
    assert r.status_code == 409 and "plan van aanpak" in r.json()["detail"]  # the step is not recorded yet
    post(
        client,
        dossier.id,
        "probleemanalyse",
        {"datum": d(40), "mogelijkheden": "m", "beperkingen": "b", "advies": "a"},
        cm,
    )
    post(
        client,
        dossier.id,
        "plan-van-aanpak",
        {
            "datum": d(50),
            "doelen": ["eigen werk"],
            "activiteiten": ["opbouw"],
            "casemanager_id": "cm-1",
            "evaluatiemomenten": [d(92)],
            "akkoord_werknemer": False,
        },
        cm,
    )
    r = client.post(url, params=params, content=inhoud, headers={**cm, "Content-Type": "application/pdf"})
    assert r.status_code == 201, r.text
    assert r.json() == {"sha256": sha, "grootte": len(inhoud), "versie": 4}
    assert client.post(url, params=params, content=b"", headers=cm).status_code == 422
    groot = b"x" * (settings.document_max_bytes + 1)
    assert client.post(url, params=params, content=groot, headers=cm).status_code == 413

    r = client.get(f"{url}/{sha}", headers=auth("werknemer", "wn-1"))
    assert r.status_code == 200 and r.content == inhoud
    assert r.headers["content-type"] == "application/pdf" and r.headers["x-content-sha256"] == sha
    r = client.post(f"{url}/{sha}/ondertekening", json={"datum": d(56)}, headers=auth("werknemer", "wn-1"))
    assert r.status_code == 200, r.text
    assert r.json()["documenten"][0]["ondertekend_door"] == ["wn-1"]
    assert r.json()["stappen"][-1]["type"] == "DocumentOndertekend"
    r = client.post(f"{url}/{sha}/ondertekening", json={"datum": d(57)}, headers=auth("werknemer", "wn-1"))
    assert r.status_code == 409

    # The stored copy is altered on disk: the download refuses it.
    pad = settings.document_dir / "sha256" / sha[:2] / sha[2:4] / sha
    pad.write_bytes(b"%PDF-1.7 een ander plan")
    r = client.get(f"{url}/{sha}", headers=cm)
    assert r.status_code == 500 and "komt niet overeen" in r.json()["detail"]


async def test_the_list_filters_on_afdeling_from_the_personeel_stream_and_on_status(
    client: TestClient, werkgever: str, auth: Auth, nats_url: str
) -> None:
    hr = auth("hr", "hr-1")
    app = application(client)
    magazijn = app.open_dossier(ziek(werkgever, "wn-1"))
    kantoor = app.open_dossier(ziek(werkgever, "wn-2"))
    nc = await nats.connect(nats_url)
    try:
        for werknemer, afdeling in (("wn-1", "magazijn"), ("wn-2", "kantoor")):
            event = MedewerkerInDienst(
                event_id=uuid4(),
                werkgever_id=werkgever,
                geregistreerd_op=datetime.now(UTC),
                actor=Actor(id="hr-1", rol=Rol.HR),
                werknemer_id=werknemer,
                datum_in_dienst=date(2020, 1, 1),
                naam=werknemer,
                afdeling_id=afdeling,
                contracturen=32,
                voltijduren=40,
            )
            await nc.jetstream().publish(
                event.subject(), event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.event_id)}
            )
    finally:
        await nc.close()

    def ids(**params: str) -> list[str]:
        return [i["dossier_id"] for i in client.get("/v1/dossiers", params=params, headers=hr).json()["items"]]

    # Both facts are consumed before the checks: the second may still be on its way when the first is in.
    await eventually(lambda: ids(afdeling_id="magazijn") == [str(magazijn.id)])
    await eventually(lambda: ids(afdeling_id="kantoor") == [str(kantoor.id)])
    assert ids(afdeling_id="kantoor", status="hersteld") == []
    assert set(ids(status="open")) == {str(magazijn.id), str(kantoor.id)}
    assert ids(werknemer_id="wn-2") == [str(kantoor.id)]
    assert ids(werkgever_id="wg-elders") == []

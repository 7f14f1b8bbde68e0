"""Application and domain errors reach HTTP callers as problem+json with a Dutch detail (no I/O: no lifespan)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from pydantic import SecretStr
from verzuim_cases.application import DossierNietGevonden
from verzuim_cases.bootstrap import create_app
from verzuim_cases.domain import DossierAlHersteld
from verzuim_cases.settings import CasesSettings
from verzuim_shared.auth import mint_token
from verzuim_shared.events import Rol


def test_domain_errors_are_409_and_unknown_dossiers_404_as_problem_json() -> None:
    app = create_app(CasesSettings())

    def refused() -> None:
        raise DossierAlHersteld(date(2025, 1, 20))

    def unknown() -> None:
        raise DossierNietGevonden("Dossier x bestaat niet.")

    app.add_api_route("/probe/refused", refused)
    app.add_api_route("/probe/unknown", unknown)
    client = TestClient(app)  # not started: these routes need neither NATS nor the database

    r = client.get("/probe/refused")
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "Conflict met de huidige toestand"
    assert "al gesloten" in r.json()["detail"] and "2025-01-20" in r.json()["detail"]

    r = client.get("/probe/unknown")
    assert r.status_code == 404
    assert r.json()["detail"] == "Dossier x bestaat niet."


def test_the_service_answers_503_while_its_event_store_is_not_started() -> None:
    settings = CasesSettings(auth_jwt_secret=SecretStr("s" * 32))
    client = TestClient(create_app(settings))  # not started
    assert client.get("/v1/dossiers").status_code == 401  # authentication comes first
    token = mint_token(settings, sub="hr-1", rol=Rol.HR, werkgever_id="wg-1")
    r = client.get("/v1/dossiers", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")

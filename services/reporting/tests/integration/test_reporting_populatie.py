"""A generated population of 2,000 werknemers over two years, published onto real JetStream streams: the live read
model gives the figures the pure rules give, and a rebuild from the streams gives the same tables and figures."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from verzuim_devstack.testing import eventually
from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.herbouw import Herbouwer
from verzuim_reporting.application import PROJECTEERBAAR, SleutelSoort, projectiefeit
from verzuim_reporting.bootstrap import create_app
from verzuim_reporting.domain.afleiding import leid_werknemer_af
from verzuim_reporting.domain.dossier import DossierFeit
from verzuim_reporting.domain.kerncijfers import kerncijfers, tellers_per_groep
from verzuim_reporting.domain.periode import Periode, lees_periode
from verzuim_reporting.domain.personeel import MedewerkerFeit
from verzuim_reporting.populatie import Instellingen, Populatie, genereer, publiceer
from verzuim_reporting.settings import ReportingSettings
from verzuim_shared.events import AfdelingVastgelegd
from verzuim_shared.messaging import ensure_streams

from .reporting_hulp import inhoud, toegepast, wacht_tot_klaar

INSTELLINGEN = Instellingen(werknemers=2000, van=date(2023, 1, 1), tot=date(2024, 12, 31), seed=20250101)
VANDAAG = date(2025, 1, 15)


@pytest.fixture(scope="module")
def populatie() -> Populatie:
    return genereer(INSTELLINGEN)


@pytest.fixture
def settings(own_nats_url: str, database_url: str, jwt_secret: str) -> ReportingSettings:
    return ReportingSettings(
        nats_url=own_nats_url,
        database_url=database_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        consumer_backoff_s=(0.1, 0.5),
        consumer_batch_size=256,
        clock=f"simulated:{VANDAAG.isoformat()}T12:00:00+01:00",
    )


@pytest.fixture
def reporting(settings: ReportingSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        wacht_tot_klaar(client)
        yield client


def referentie(populatie: Populatie, periode: Periode, groepering: str = "afdeling") -> dict[str, Any]:
    """The kerncijfers per afdeling (or rayon) and in total straight from the generated events, by the pure rules."""
    projecteerbaar = {t.subject() for t in PROJECTEERBAAR}
    eerste: dict[UUID, Any] = {}
    for seq, event in enumerate(populatie.events, start=1):  # the order within each stream is what counts
        if event.subject() in projecteerbaar:
            eerste.setdefault(event.event_id, projectiefeit(event, seq))
    per_werknemer: dict[str, tuple[list[MedewerkerFeit], list[DossierFeit]]] = {}
    for f in eerste.values():
        if f is not None and f.soort is SleutelSoort.WERKNEMER:
            lijst = per_werknemer.setdefault(f.sleutel, ([], []))
            if isinstance(f.feit, MedewerkerFeit):
                lijst[0].append(f.feit)
            else:
                assert isinstance(f.feit, DossierFeit)
                lijst[1].append(f.feit)
    werknemers = [leid_werknemer_af(wn, m, d).verzuim() for wn, (m, d) in per_werknemer.items()]
    rayons = {e.afdeling_id: e.rayon or "geen" for e in populatie.events if isinstance(e, AfdelingVastgelegd)}
    per_afdeling = tellers_per_groep(
        werknemers, periode, (lambda a, _lg: a) if groepering == "afdeling" else (lambda a, _lg: rayons.get(a, "geen"))
    )
    totaal = tellers_per_groep(werknemers, periode, lambda _a, _lg: "totaal")["totaal"]
    return {
        "totaal": {f.code: f.waarde for f in kerncijfers(totaal, periode).figuren()},
        "afdelingen": {
            a: {f.code: f.waarde for f in kerncijfers(t, periode).figuren()} for a, t in per_afdeling.items()
        },
    }


def waarden(body: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    def dec(w: float | None) -> Decimal | None:
        return None if w is None else Decimal(str(w)).quantize(Decimal("0.001"))

    return {
        "totaal": {c: dec(f["waarde"]) for c, f in body["totaal"]["cijfers"].items()},
        "afdelingen": {
            g["groep"]["id"]: {c: dec(f["waarde"]) for c, f in g["cijfers"].items()} for g in body["groepen"]
        },
    }


VRAGEN: tuple[tuple[str, dict[str, str]], ...] = (
    ("kerncijfers", {"periode": "2024"}),
    ("kerncijfers", {"periode": "2024-Q3", "groepering": "afdeling"}),
    ("kerncijfers", {"periode": "2024-Q3", "groepering": "afdeling", "annualisering": "perioden"}),
    ("kerncijfers", {"periode": "2023-05", "groepering": "leidinggevende"}),
    ("kerncijfers", {"periode": "2023-02-10..2024-08-20", "groepering": "rayon"}),
    ("trends", {"periode": "2023-01-01..2024-12-31", "interval": "maand"}),
    ("trends", {"periode": "2023", "interval": "kwartaal", "groepering": "rayon"}),
    ("duurklassen", {"periode": "2024", "groepering": "afdeling"}),
    ("duurklassen", {"periode": "2024-Q2", "schema": "alternatief"}),
    ("frequent-verzuim", {"periode": "2024"}),
    ("termijnbewaking", {"periode": "2024"}),
    ("open-dossiers/duur", {"peildatum": "2024-12-31"}),
    ("open-dossiers", {"peildatum": "2024-06-30"}),
)


def antwoorden(client: TestClient, headers: dict[str, str]) -> list[Any]:
    uit = []
    for pad, params in VRAGEN:
        r = client.get(f"/v1/rapportages/{pad}", headers=headers, params=params)
        assert r.status_code == 200, (pad, params, r.text)
        uit.append(r.json())
    return uit


async def test_a_generated_population_gives_the_same_figures_live_by_the_rules_and_after_a_rebuild(
    reporting: TestClient,
    populatie: Populatie,
    settings: ReportingSettings,
    database_url: str,
    token_factory: Callable[..., str],
) -> None:
    import nats

    nc = await nats.connect(settings.nats_url)
    await ensure_streams(nc.jetstream(), settings)
    await nc.close()
    # published while the service runs: everything goes through the live consumers, copies included
    await publiceer(settings.nats_url, populatie.events)
    await publiceer(settings.nats_url, populatie.kopieen, kopie=True)
    projecteerbaar = {t.subject() for t in PROJECTEERBAAR}
    verwacht = {e.event_id for e in populatie.events if e.subject() in projecteerbaar}
    assert len(verwacht) > 40_000

    start = time.monotonic()

    async def alles_toegepast() -> bool:
        return verwacht <= await toegepast(database_url, populatie.werkgever_id)

    await eventually(alles_toegepast, timeout=600, interval=1.0)
    print(f"live projection of {len(verwacht)} events: {time.monotonic() - start:.1f}s")

    headers = {
        "Authorization": f"Bearer {token_factory(rol='hr', werkgever_id=populatie.werkgever_id)}",
    }
    # the SQL over the read model gives the pure rules' figures, digit for digit
    for periode in ("2024", "2024-Q3", "2023-05", "2023-02-10..2024-08-20"):
        r = reporting.get(
            "/v1/rapportages/kerncijfers", headers=headers, params={"periode": periode, "groepering": "afdeling"}
        )
        assert r.status_code == 200, r.text
        assert waarden(r.json()) == referentie(populatie, lees_periode(periode)), periode
    # per rayon a werknemer who moved between two afdelingen of one rayon counts once in it (nulverzuim)
    for periode in ("2024", "2023-02-10..2024-08-20"):
        r = reporting.get(
            "/v1/rapportages/kerncijfers", headers=headers, params={"periode": periode, "groepering": "rayon"}
        )
        assert waarden(r.json()) == referentie(populatie, lees_periode(periode), "rayon"), periode

    # the population is lively enough to exercise every figure
    jaar = reporting.get("/v1/rapportages/kerncijfers", headers=headers, params={"periode": "2024"}).json()["totaal"]
    cijfers = {c: f["waarde"] for c, f in jaar["cijfers"].items()}
    assert 1 < cijfers["verzuimpercentage"] < 15
    assert 0.5 < cijfers["meldingsfrequentie"] < 3
    assert 0 < cijfers["activeringspercentage"] < 100
    assert 10 < cijfers["nulverzuim"] < 90
    frequent = reporting.get("/v1/rapportages/frequent-verzuim", headers=headers, params={"periode": "2024"}).json()
    assert frequent["aantal"] > 10
    termijnen = reporting.get("/v1/rapportages/termijnbewaking", headers=headers, params={"periode": "2024"}).json()
    assert all(termijnen["totaal"][s] > 0 for s in ("vervuld_op_tijd", "vervuld_te_laat", "verstreken", "afgeweken"))

    live_tabellen = await inhoud(database_url, populatie.werkgever_id)
    live_antwoorden = antwoorden(reporting, headers)

    database = Database(settings)
    await database.open()
    try:
        resultaat = await Herbouwer(database, settings).herbouw()
    finally:
        await database.close()
    assert resultaat.gelezen == len(populatie.events) + len(populatie.kopieen)
    assert resultaat.feiten == len(verwacht)

    assert await inhoud(database_url, populatie.werkgever_id) == live_tabellen
    assert antwoorden(reporting, headers) == live_antwoorden


def test_the_generator_is_deterministic(populatie: Populatie) -> None:
    again = genereer(INSTELLINGEN)
    assert again.events == populatie.events
    assert again.kopieen == populatie.kopieen
    assert len({e.werknemer_id for e in populatie.events if hasattr(e, "werknemer_id")}) == 2000
    assert sum(isinstance(e, AfdelingVastgelegd) for e in populatie.events) == INSTELLINGEN.afdelingen
    other = genereer(Instellingen(werknemers=50, seed=2))
    assert other.events != genereer(Instellingen(werknemers=50, seed=3)).events

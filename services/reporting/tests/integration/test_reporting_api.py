"""The figures of decisions D8 through the real streams and the HTTP API: the Q1 2025 reference vector, groups,
trends, CSV, the verzuimverleden, frequent verzuim, termijnbewaking, open dossiers by duration, who sees what, and
queries refused in plain words."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from faststream.nats import NatsBroker
from pydantic import SecretStr
from verzuim_reporting.bootstrap import create_app
from verzuim_reporting.settings import ReportingSettings
from verzuim_shared.messaging import ensure_streams

from .reporting_hulp import Feiten, verwerkt, wacht_tot_klaar

VANDAAG = date(2025, 6, 2)


@pytest.fixture
def settings(nats_url: str, database_url: str, jwt_secret: str) -> ReportingSettings:
    return ReportingSettings(
        nats_url=nats_url,
        database_url=database_url,
        auth_jwt_secret=SecretStr(jwt_secret),
        consumer_backoff_s=(0.1, 0.5),
        clock=f"simulated:{VANDAAG.isoformat()}T12:00:00+02:00",
    )


@pytest.fixture
def reporting(settings: ReportingSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        wacht_tot_klaar(client)
        yield client


@pytest.fixture
async def feiten(nats_url: str, settings: ReportingSettings) -> AsyncIterator[Feiten]:
    broker = NatsBroker(nats_url)
    await broker.connect()
    await ensure_streams(broker.connection.jetstream(), settings)
    try:
        yield Feiten(broker, f"wg-{uuid4().hex[:8]}")
    finally:
        await broker.stop()


@pytest.fixture
def als(token_factory: Callable[..., str], feiten: Feiten) -> Callable[..., dict[str, str]]:
    def headers(rol: str = "hr", sub: str = "hr-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {token_factory(sub=sub, rol=rol, werkgever_id=feiten.werkgever_id)}"}

    return headers


def get(client: TestClient, pad: str, headers: dict[str, str], **params: str) -> Any:
    r = client.get(f"/v1/rapportages/{pad}", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def waarden(groep: dict[str, Any]) -> dict[str, float | None]:
    return {code: f["waarde"] for code, f in groep["cijfers"].items()}


async def referentie(feiten: Feiten) -> None:
    """wvp-reference §6.3, spread over two afdelingen in two rayons: A and B in x (Noord), C and D in y (Zuid)."""
    f = feiten
    await f.publish(f.afdeling("x", "Expeditie", leidinggevende_id="lg-x", rayon="Noord"))
    await f.publish(f.afdeling("y", "Yoghurtlijn", leidinggevende_id="lg-y", rayon="Zuid"))
    await f.publish(f.in_dienst("A", "x", contracturen=40, voltijduren=40))
    await f.publish(f.in_dienst("B", "x", contracturen=20, voltijduren=40))
    await f.publish(f.in_dienst("C", "y", contracturen=40, voltijduren=40))
    await f.publish(f.in_dienst("D", "y", date(2025, 3, 1), contracturen=32, voltijduren=40))
    a = f.geopend("A", date(2025, 1, 6))
    b = f.geopend("B", date(2025, 2, 1))
    d = f.geopend("D", date(2025, 3, 20))
    await f.publish_alle([a, f.herstel(a, date(2025, 1, 11)), b, f.herstel(b, date(2025, 2, 15), 50)])
    await f.publish_alle([f.herstel(b, date(2025, 3, 1), versie=3), d, f.herstel(d, date(2025, 4, 7), versie=2)])


async def test_the_q1_2025_reference_vector_through_the_streams_and_the_api(
    reporting: TestClient, feiten: Feiten, als: Callable[..., dict[str, str]], database_url: str
) -> None:
    await referentie(feiten)
    await verwerkt(database_url, feiten)
    hr = als()

    body = get(reporting, "kerncijfers", hr, periode="2025-Q1", groepering="afdeling")
    assert body["versie"] == "v1"
    assert body["periode"] == {
        "van": "2025-01-01",
        "tot": "2025-03-31",
        "dagen": 90,
        "soort": "kwartaal",
        "label": "2025-Q1",
    }
    totaal = waarden(body["totaal"])
    assert totaal["verzuimpercentage"] == 10.048
    assert totaal["meldingsfrequentie"] == 3.638
    assert totaal["gemiddelde_verzuimduur"] == 16.5
    assert totaal["nulverzuim"] == 25.0
    zvp = body["totaal"]["cijfers"]["verzuimpercentage"]
    assert (zvp["teller"], zvp["noemer"]) == (25.1, 249.8)
    assert zvp["periode"]["label"] == "2025-Q1"
    assert "deeltijdfactor" in zvp["definitie"]
    assert body["totaal"]["aantallen"] == {"werknemers": 4, "nieuwe_meldingen": 3, "beeindigde_gevallen": 2}
    x4 = get(reporting, "kerncijfers", hr, periode="2025-Q1", annualisering="perioden")
    assert waarden(x4["totaal"])["meldingsfrequentie"] == 3.588
    assert "× 4" in x4["totaal"]["cijfers"]["meldingsfrequentie"]["definitie"]

    # per afdeling; the werkgever's figure is the capacity-weighted combination of its afdelingen
    groepen = {g["groep"]["id"]: g for g in body["groepen"]}
    assert [g["groep"] for g in body["groepen"]] == [
        {"soort": "afdeling", "id": "x", "naam": "Expeditie"},
        {"soort": "afdeling", "id": "y", "naam": "Yoghurtlijn"},
    ]
    x, y = groepen["x"]["cijfers"]["verzuimpercentage"], groepen["y"]["cijfers"]["verzuimpercentage"]
    assert (x["teller"], x["noemer"]) == (15.5, 135.0)
    assert (y["teller"], y["noemer"]) == (pytest.approx(9.6), pytest.approx(114.8))
    gewogen = (x["waarde"] * x["noemer"] + y["waarde"] * y["noemer"]) / (x["noemer"] + y["noemer"])
    assert gewogen == pytest.approx(totaal["verzuimpercentage"], abs=0.001)
    for groepering, ids in (("rayon", ["Noord", "Zuid"]), ("leidinggevende", ["lg-x", "lg-y"])):
        per = get(reporting, "kerncijfers", hr, periode="2025-Q1", groepering=groepering)
        assert sorted(g["groep"]["id"] for g in per["groepen"]) == ids
        assert waarden(per["totaal"]) == totaal

    # duurklassen at the end of Q1: A 5 d, B 28 d, D 12 d so far
    vernet = get(reporting, "duurklassen", hr, periode="2025-Q1")
    assert [(k["code"], k["aantal"]) for k in vernet["totaal"]] == [
        ("kort", 2),
        ("middellang", 1),
        ("lang", 0),
        ("extra_lang", 0),
    ]
    assert "Vernet" in vernet["definitie"]
    alternatief = get(reporting, "duurklassen", hr, periode="2025-Q1", schema="alternatief")
    assert [k["aantal"] for k in alternatief["totaal"]] == [1, 2, 0, 0]
    assert (alternatief["totaal"][1]["van_dag"], alternatief["totaal"][1]["tot_dag"]) == (8, 42)

    # trends: one point per month; the months' tellers add up to the quarter's
    trends = get(reporting, "trends", hr, periode="2025-Q1", interval="maand")
    reeks = next(r for r in trends["reeksen"] if r["code"] == "verzuimpercentage" and r["groep"] is None)
    assert [p["periode"]["label"] for p in reeks["punten"]] == ["2025-01", "2025-02", "2025-03"]
    assert sum(p["teller"] for p in reeks["punten"]) == pytest.approx(25.1)
    assert sum(p["noemer"] for p in reeks["punten"]) == pytest.approx(249.8)
    # February: B 14 days at 0.5 and 14 at 0.25 of capacity 28 + 14 + 28 (+ D not yet employed)
    assert reeks["punten"][1]["waarde"] == round(10.5 / 70 * 100, 3)
    meldingen = next(r for r in trends["reeksen"] if r["code"] == "meldingsfrequentie")
    assert [p["teller"] for p in meldingen["punten"]] == [1, 1, 1]

    # CSV: one row per figure, each with its period and definition
    r = reporting.get("/v1/rapportages/kerncijfers", headers=hr, params={"periode": "2025-Q1", "formaat": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rijen = list(csv.DictReader(io.StringIO(r.text)))
    zvp_rij = next(row for row in rijen if row["cijfer"] == "verzuimpercentage" and row["groepering"] == "werkgever")
    assert (zvp_rij["waarde"], zvp_rij["periode_van"], zvp_rij["periode_tot"]) == ("10.048", "2025-01-01", "2025-03-31")
    assert "deeltijdfactor" in zvp_rij["definitie"]
    r = reporting.get(
        "/v1/rapportages/duurklassen", headers={**hr, "Accept": "text/csv"}, params={"periode": "2025-Q1"}
    )
    assert r.headers["content-type"].startswith("text/csv")
    assert "middellang" in r.text

    # the verzuimverleden of B, for the leidinggevende's conversation
    verleden = get(reporting, "werknemers/B/verzuimverleden", als("leidinggevende", "lg-x"), periode="2025-Q1")
    assert [
        (m["eerste_ziektedag"], m["hersteldatum"], m["duur_dagen"], m["lopend"]) for m in verleden["meldingen"]
    ] == [("2025-02-01", "2025-03-01", 28, False)]
    assert verleden["meldingen"][0]["percentages"] == [
        {"vanaf": "2025-02-01", "arbeidsongeschiktheidspercentage": 100},
        {"vanaf": "2025-02-15", "arbeidsongeschiktheidspercentage": 50},
    ]
    assert verleden["cijfers"]["verzuimpercentage"]["waarde"] == round(10.5 / 45 * 100, 3)
    assert verleden["ziektedagen_in_periode"] == 28
    assert verleden["frequent_verzuimer"] is False

    # a leidinggevende sees their own team only; a werknemer only their own verzuimverleden
    team = get(reporting, "kerncijfers", als("leidinggevende", "lg-y"), periode="2025-Q1")
    assert team["filter"]["leidinggevende_id"] == "lg-y"
    assert waarden(team["totaal"]) == waarden(groepen["y"])
    r = reporting.get("/v1/rapportages/werknemers/B/verzuimverleden", headers=als("leidinggevende", "lg-y"))
    assert r.status_code == 404
    assert get(reporting, "werknemers/D/verzuimverleden", als("werknemer", "D"))["meldingen"][0]["lopend"] is False
    r = reporting.get("/v1/rapportages/werknemers/B/verzuimverleden", headers=als("werknemer", "D"))
    assert r.status_code == 403
    assert get(reporting, "afdelingen", als("leidinggevende", "lg-y"))["afdelingen"] == [
        {"afdeling_id": "y", "naam": "Yoghurtlijn"}
    ]

    # filtered on one afdeling, the figures are that afdeling's
    assert waarden(get(reporting, "kerncijfers", hr, periode="2025-Q1", afdeling_id="x")["totaal"]) == waarden(
        groepen["x"]
    )


async def test_frequent_verzuim_termijnbewaking_activering_and_open_dossiers_by_duration(
    reporting: TestClient, feiten: Feiten, als: Callable[..., dict[str, str]], database_url: str
) -> None:
    f = feiten
    await f.publish(f.afdeling("m", "Magazijn"))
    await f.publish_alle([f.in_dienst(w, "m", contracturen=40, voltijduren=40) for w in ("E", "F", "G")])
    # E: three short meldingen within 365 days (the last in Q1 2025); F: two; G one long with an opbouwschema
    for start, herstel in ((date(2024, 4, 2), date(2024, 4, 5)), (date(2024, 11, 4), date(2024, 11, 8))):
        d = f.geopend("E", start)
        await f.publish_alle([d, f.herstel(d, herstel)])
    e3 = f.geopend("E", date(2025, 2, 10))
    await f.publish_alle([e3, f.herstel(e3, date(2025, 2, 12))])
    for start in (date(2024, 12, 2), date(2025, 3, 3)):
        d = f.geopend("F", start)
        await f.publish_alle([d, f.herstel(d, start.replace(day=start.day + 2))])
    g = f.geopend("G", date(2025, 1, 6))
    await f.publish_alle(
        [g, f.opbouwschema(g, date(2025, 2, 10), (date(2025, 2, 17), 8, 50), (date(2025, 3, 3), 20, 100))]
    )
    # G's termijnen: arbodienst on time, probleemanalyse late; F's: one verstreken, one afgeweken, one vervallen
    t1 = f.termijn(g, "ARBODIENST_MELDING", date(2025, 1, 12))
    t2 = f.termijn(g, "PROBLEEMANALYSE", date(2025, 2, 17))
    t3 = f.termijn(g, "PLAN_VAN_AANPAK", date(2025, 3, 3))
    t4 = f.termijn(g, "EVALUATIE", date(2025, 3, 31))
    t5 = f.termijn(g, "BELAFSPRAAK", date(2025, 1, 20))
    t6 = f.termijn(g, "EERSTEJAARSEVALUATIE", date(2026, 1, 5))
    await f.publish_alle([t1, t2, t3, t4, t5, t6])
    await f.publish_alle(
        [f.vervuld(t1, date(2025, 1, 10)), f.verstreken(t2), f.vervuld(t2, date(2025, 2, 20)), f.verstreken(t3)]
    )
    await f.publish_alle([f.afgeweken(t4), f.vervallen(t5)])
    await verwerkt(database_url, feiten)
    hr = als()

    frequent = get(reporting, "frequent-verzuim", hr, periode="2025-Q1")
    assert [(w["werknemer_id"], w["aantal_meldingen"]) for w in frequent["werknemers"]] == [("E", 3)]
    assert frequent["werknemers"][0]["eerste_ziektedagen"] == ["2024-04-02", "2024-11-04", "2025-02-10"]
    assert frequent["werknemers"][0]["afdeling_naam"] == "Magazijn"
    # the threshold and window are parameters
    ruim = get(reporting, "frequent-verzuim", hr, periode="2025-Q1", drempel="2")
    assert [w["werknemer_id"] for w in ruim["werknemers"]] == ["E", "F"]
    assert get(reporting, "frequent-verzuim", hr, periode="2025-Q1", venster_dagen="200")["aantal"] == 0
    assert get(reporting, "werknemers/E/verzuimverleden", hr, periode="2025-Q1")["frequent_verzuimer"] is True

    termijnen = get(reporting, "termijnbewaking", hr, periode="2025-Q1")
    per_code = {t["code"]: t for t in termijnen["per_code"]}
    assert set(per_code) == {"ARBODIENST_MELDING", "PROBLEEMANALYSE", "PLAN_VAN_AANPAK", "EVALUATIE", "BELAFSPRAAK"}
    assert per_code["ARBODIENST_MELDING"]["vervuld_op_tijd"] == 1
    assert per_code["PROBLEEMANALYSE"]["vervuld_te_laat"] == 1  # verstreken first, fulfilled later
    assert per_code["PLAN_VAN_AANPAK"]["verstreken"] == 1
    assert per_code["EVALUATIE"]["afgeweken"] == 1
    assert per_code["BELAFSPRAAK"]["vervallen"] == 1
    totaal = termijnen["totaal"]
    assert (totaal["totaal"], totaal["aandeel_op_tijd"]) == (5, round(100 / 3, 3))
    assert "Regeling procesgang art. 5" in termijnen["definitie"]
    assert get(reporting, "termijnbewaking", hr, periode="2026")["totaal"]["open"] == 1

    # G works 8 h at 50 % loonwaarde from 17 Feb and 20 h at 100 % from 3 Mar, of a 40 h contract
    g_cijfers = get(reporting, "werknemers/G/verzuimverleden", hr, periode="2025-Q1")["cijfers"]
    activering = g_cijfers["activeringspercentage"]
    assert (activering["teller"], activering["noemer"]) == (14 * 4 + 29 * 20, 85 * 40)
    k = get(reporting, "kerncijfers", hr, periode="2025-Q1")["totaal"]["cijfers"]["activeringspercentage"]
    assert k["teller"] == 14 * 4 + 29 * 20

    # on 31 March only G's dossier is open, 85 sick days: middellang (Vernet), lang (1–7 / 8–42 / 43–365 / 366+)
    duur = get(reporting, "open-dossiers/duur", hr, peildatum="2025-03-31")
    assert [(d["werknemer_id"], d["ziektedagen"], d["duurklasse"]) for d in duur["dossiers"]] == [
        ("G", 85, "middellang")
    ]
    assert (
        get(reporting, "open-dossiers/duur", hr, peildatum="2025-03-31", schema="alternatief")["dossiers"][0][
            "duurklasse"
        ]
        == "lang"
    )
    assert [k["aantal"] for k in duur["klassen"]] == [0, 1, 0, 0]


async def test_corrections_and_closing_change_the_figures(
    reporting: TestClient, feiten: Feiten, als: Callable[..., dict[str, str]], database_url: str
) -> None:
    f = feiten
    await f.publish(f.afdeling("m", "Magazijn"))
    await f.publish(f.in_dienst("H", "m", contracturen=40, voltijduren=40))
    await f.publish(f.in_dienst("K", "m", contracturen=40, voltijduren=40))
    h = f.geopend("H", date(2025, 3, 10))
    await f.publish_alle(
        [h, f.herstel(h, date(2025, 3, 20)), f.correctie(h, "eerste_ziektedag", date(2025, 3, 10), date(2025, 3, 7))]
    )
    # K leaves on 15 March while sick; cases closes the dossier the day after
    k = f.geopend("K", date(2025, 3, 1))
    await f.publish_alle([k, f.uit_dienst("K", date(2025, 3, 15)), f.gesloten(k, date(2025, 3, 16))])
    await verwerkt(database_url, feiten)
    hr = als()
    cijfers = get(reporting, "kerncijfers", hr, periode="2025-03")["totaal"]["cijfers"]
    assert cijfers["gemiddelde_verzuimduur"]["waarde"] == 13.0  # 7 → 20 March after the correction
    assert cijfers["verzuimpercentage"]["teller"] == 13 + 15  # H 13 days, K until leaving
    assert cijfers["verzuimpercentage"]["noemer"] == 31 + 15
    body = get(reporting, "open-dossiers", hr, peildatum="2025-03-20")
    assert body["totaal"] == 0


def test_bad_queries_are_refused_in_plain_words(reporting: TestClient, als: Callable[..., dict[str, str]]) -> None:
    hr = als()
    for params, woord in (
        ({"periode": "2025-Q5"}, "periode"),
        ({"periode": "2025-02-30..2025-03-01"}, "bestaande"),
        ({"periode": "2025-03-01..2025-02-01"}, "eindigt"),
        ({"van": "2025-01-01"}, "tot"),
        ({"periode": "2030"}, "nog niets"),
        ({"periode": "2025-01-01..2025-02-15", "annualisering": "perioden"}, "kalenderdagen"),
        ({"groepering": "team"}, "groepering"),
    ):
        r = reporting.get("/v1/rapportages/kerncijfers", headers=hr, params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert woord in r.json()["detail"], (params, r.json())
    r = reporting.get("/v1/rapportages/werknemers/niemand/verzuimverleden", headers=hr)
    assert r.status_code == 404
    assert "niemand" in r.json()["detail"]
    r = reporting.get("/v1/rapportages/frequent-verzuim", headers=hr, params={"drempel": "1"})
    assert r.status_code == 422
    for pad in ("kerncijfers", "trends", "duurklassen", "frequent-verzuim", "termijnbewaking", "open-dossiers/duur"):
        assert reporting.get(f"/v1/rapportages/{pad}").status_code == 401
        r = reporting.get(f"/v1/rapportages/{pad}", headers=als("bedrijfsarts", "ba-1"))
        assert r.status_code == 403, pad


async def test_termijnbewaking_frequent_verzuim_and_open_dossiers_by_duration_per_group(
    reporting: TestClient, feiten: Feiten, als: Callable[..., dict[str, str]], database_url: str
) -> None:
    """Every figure can be grouped like the kerncijfers: by werkgever, afdeling, leidinggevende or rayon."""
    f = feiten
    await f.publish(f.afdeling("x", "Expeditie", leidinggevende_id="lg-x", rayon="Noord"))
    await f.publish(f.afdeling("y", "Yoghurtlijn", leidinggevende_id="lg-y", rayon="Zuid"))
    await f.publish_alle(
        [
            f.in_dienst("E", "x", contracturen=40, voltijduren=40),
            f.in_dienst("F", "y", contracturen=40, voltijduren=40, leidinggevende_id="lg-eigen"),
            f.in_dienst("G", "y", contracturen=40, voltijduren=40),
        ]
    )
    # E (x) and F (y) report sick three times within a year, the last time in Q1 2025
    for wn in ("E", "F"):
        for start in (date(2024, 5, 6), date(2024, 10, 7), date(2025, 2, 3)):
            d = f.geopend(wn, start)
            await f.publish_alle([d, f.herstel(d, start.replace(day=start.day + 3))])
    # G (y) is sick from 6 January and still open; E's and G's termijnen in Q1
    g = f.geopend("G", date(2025, 1, 6))
    e = f.geopend("E", date(2025, 3, 3))
    await f.publish_alle([g, e])
    tg1, tg2 = f.termijn(g, "PROBLEEMANALYSE", date(2025, 2, 17)), f.termijn(g, "PLAN_VAN_AANPAK", date(2025, 3, 3))
    te = f.termijn(e, "ARBODIENST_MELDING", date(2025, 3, 9))
    await f.publish_alle(
        [tg1, tg2, te, f.vervuld(tg1, date(2025, 2, 14)), f.verstreken(tg2), f.vervuld(te, date(2025, 3, 5))]
    )
    await verwerkt(database_url, feiten)
    hr = als()

    # termijnbewaking: the werknemer's group on the due date; the groups add up to the total
    termijnen = get(reporting, "termijnbewaking", hr, periode="2025-Q1", groepering="afdeling")
    assert termijnen["groepering"] == "afdeling"
    per_groep = {t["groep"]["id"]: t for t in termijnen["groepen"]}
    assert set(per_groep) == {"x", "y"}
    assert per_groep["x"]["groep"] == {"soort": "afdeling", "id": "x", "naam": "Expeditie"}
    assert (per_groep["x"]["totaal"]["vervuld_op_tijd"], per_groep["x"]["totaal"]["totaal"]) == (1, 1)
    assert (per_groep["y"]["totaal"]["vervuld_op_tijd"], per_groep["y"]["totaal"]["verstreken"]) == (1, 1)
    assert [c["code"] for c in per_groep["y"]["per_code"]] == ["PLAN_VAN_AANPAK", "PROBLEEMANALYSE"]
    assert termijnen["totaal"]["totaal"] == sum(t["totaal"]["totaal"] for t in termijnen["groepen"]) == 3
    rayons = get(reporting, "termijnbewaking", hr, periode="2025-Q1", groepering="rayon")
    assert {t["groep"]["id"]: t["totaal"]["totaal"] for t in rayons["groepen"]} == {"Noord": 1, "Zuid": 2}
    r = reporting.get(
        "/v1/rapportages/termijnbewaking",
        headers=hr,
        params={"periode": "2025-Q1", "groepering": "rayon", "formaat": "csv"},
    )
    rijen = list(csv.DictReader(io.StringIO(r.text)))
    zuid = [rij for rij in rijen if rij["groep_id"] == "Zuid" and rij["code"] == "totaal"]
    assert [(rij["groepering"], rij["verstreken"], rij["totaal"]) for rij in zuid] == [("rayon", "1", "2")]

    # frequent verzuim: the group of the melding that reached the threshold (F's own leidinggevende first)
    frequent = get(reporting, "frequent-verzuim", hr, periode="2025-Q1", groepering="leidinggevende")
    assert [(g["groep"]["id"], g["aantal"]) for g in frequent["groepen"]] == [("lg-eigen", 1), ("lg-x", 1)]
    assert {w["werknemer_id"]: w["groep"]["id"] for w in frequent["werknemers"]} == {"E": "lg-x", "F": "lg-eigen"}
    per_rayon = get(reporting, "frequent-verzuim", hr, periode="2025-Q1", groepering="rayon")
    assert [(g["groep"]["id"], g["aantal"]) for g in per_rayon["groepen"]] == [("Noord", 1), ("Zuid", 1)]
    r = reporting.get(
        "/v1/rapportages/frequent-verzuim",
        headers=hr,
        params={"periode": "2025-Q1", "groepering": "rayon", "formaat": "csv"},
    )
    assert {
        (rij["werknemer_id"], rij["groepering"], rij["groep_id"]) for rij in csv.DictReader(io.StringIO(r.text))
    } == {
        ("E", "rayon", "Noord"),
        ("F", "rayon", "Zuid"),
    }

    # open dossiers by duration on 31 March: G 85 days (y, Zuid), E 29 days (x, Noord)
    duur = get(reporting, "open-dossiers/duur", hr, peildatum="2025-03-31", groepering="afdeling")
    klassen = {g["groep"]["id"]: [k["aantal"] for k in g["klassen"]] for g in duur["groepen"]}
    assert klassen == {"x": [0, 1, 0, 0], "y": [0, 1, 0, 0]}
    assert [(d["werknemer_id"], d["groep"]["id"]) for d in duur["dossiers"]] == [("G", "y"), ("E", "x")]
    alternatief = get(
        reporting, "open-dossiers/duur", hr, peildatum="2025-03-31", groepering="rayon", schema="alternatief"
    )
    assert {g["groep"]["id"]: [k["aantal"] for k in g["klassen"]] for g in alternatief["groepen"]} == {
        "Noord": [0, 1, 0, 0],
        "Zuid": [0, 0, 1, 0],
    }
    r = reporting.get(
        "/v1/rapportages/open-dossiers/duur",
        headers=hr,
        params={"peildatum": "2025-03-31", "groepering": "leidinggevende", "formaat": "csv"},
    )
    assert [(rij["werknemer_id"], rij["groep_id"]) for rij in csv.DictReader(io.StringIO(r.text))] == [
        ("G", "lg-y"),
        ("E", "lg-x"),
    ]
    # the default stays one group, the werkgever
    assert [g["groep"]["soort"] for g in get(reporting, "termijnbewaking", hr, periode="2025-Q1")["groepen"]] == [
        "werkgever"
    ]

"""A full two-year verzuimdossier over HTTP and NATS with the five services as real processes: ziekmelding at
intake, every WvP step at cases, a deelherstel and a relapse within four weeks (samentelling), up to the WIA
aanvraag. Then: the history, replay at three earlier moments, the integrity of the hash chain and of the snapshots,
and the published event stream, which must equal the stored history (every version once, in order)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from verzuim_devstack.stack import LocalStack
from verzuim_devstack.testing import eventually_sync
from verzuim_shared.subjects import kebab

NL = ZoneInfo("Europe/Amsterdam")
Auth = Callable[[str, str], dict[str, str]]
TODAY = datetime.now(NL).date()
E = TODAY - timedelta(days=700)  # sick day 1, almost two years ago (history is welcome at intake)


SNAPSHOT_INTERVAL = 5


@pytest.fixture(scope="module")
def stack_env() -> dict[str, str]:
    # Snapshots every 5 versions, so the replays and the integrity check below cross several of them.
    return {"VERZUIM_SNAPSHOT_INTERVAL": str(SNAPSHOT_INTERVAL)}


def at(day: date, hh: int = 9) -> str:
    return datetime.combine(day, time(hh, 0), tzinfo=NL).isoformat()


def dag(n: int) -> str:
    return (E + timedelta(days=n)).isoformat()


def ziekmelding(werkgever: str, eerste_ziektedag: date) -> dict[str, Any]:
    return {
        "werkgever_id": werkgever,
        "werknemer_id": "wn-1",
        "eerste_ziektedag": eerste_ziektedag.isoformat(),
        "gemeld_op": at(eerste_ziektedag, 8),
        "gemeld_door": {"id": "wn-1", "rol": "werknemer"},
        "bereikbaarheid": {"telefoon": "0612345678"},
    }


def herstelmelding(werkgever: str, soort: str, hersteldatum: date, percentage: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "werkgever_id": werkgever,
        "werknemer_id": "wn-1",
        "soort": soort,
        "hersteldatum": hersteldatum.isoformat(),
        "gemeld_op": at(hersteldatum - timedelta(days=1), 14),
        "gemeld_door": {"id": "hr-1", "rol": "hr"},
    }
    if percentage is not None:
        body["arbeidsongeschiktheidspercentage"] = percentage
    return body


async def published(nats_url: str, dossier_id: str) -> list[tuple[int, str, dict[str, Any], str]]:
    """(versie, subject, body, Nats-Msg-Id) of every message of this dossier on VERZUIM_DOSSIER, in stream order."""
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(
            "verzuim.dossier.v1.>",
            durable=None,
            stream="VERZUIM_DOSSIER",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        found = []
        while True:
            try:
                batch = await sub.fetch(500, timeout=1)
            except (nats.errors.TimeoutError, TimeoutError):
                return found
            for msg in batch:
                body = json.loads(msg.data)
                if body.get("dossier_id") == dossier_id:
                    found.append((body["versie"], msg.subject, body, (msg.headers or {}).get("Nats-Msg-Id", "")))
                await msg.ack()
    finally:
        await nc.close()


def test_a_two_year_case_is_recorded_replayed_verified_and_published(
    stack: LocalStack, werkgever: str, auth: Auth
) -> None:
    intake, cases = stack.services["intake"].url, stack.services["cases"].url
    hr = auth("hr", "hr-1")
    cm = auth("casemanager", "cm-1")
    vc = auth("verzuimcoach", "vc-1")
    r = httpx.post(
        f"{intake}/v1/personeel/afdelingen",
        json={"afdelingen": [{"afdeling_id": "magazijn", "naam": "Magazijn", "leidinggevende_id": "lg-1"}]},
        headers=hr,
    )
    assert r.status_code == 202, r.text
    r = httpx.post(
        f"{intake}/v1/personeel/medewerkers",
        json={
            "medewerkers": [
                {
                    "werknemer_id": "wn-1",
                    "naam": "Medewerker 1",
                    "afdeling_id": "magazijn",
                    "contracturen": 32,
                    "voltijduren": 40,
                    "datum_in_dienst": "2015-01-01",
                }
            ]
        },
        headers=hr,
    )
    assert r.status_code == 202, r.text

    # 1. ziekmelding
    r = httpx.post(f"{intake}/v1/ziekmeldingen", json=ziekmelding(werkgever, E), headers=hr)
    assert r.status_code == 202, r.text
    dossier = eventually_sync(lambda: _get(r.json()["links"]["dossier"], hr), timeout=60)
    dossier_id = dossier["dossier_id"]
    url = f"{cases}/v1/dossiers/{dossier_id}"
    momenten: dict[str, tuple[datetime, dict[str, Any]]] = {}

    def stap(pad: str, body: dict[str, Any], headers: dict[str, str] = cm) -> dict[str, Any]:
        r = httpx.post(f"{url}/{pad}", json=body, headers=headers, timeout=30)
        assert r.status_code == 200, f"{pad}: {r.status_code} {r.text}"
        return dict(r.json())

    def leg_moment_vast(naam: str) -> None:
        momenten[naam] = (datetime.now(NL), _get(url, hr))

    # 2. triage and the begeleider; the seed's first contact and herstel/belafspraak, arbodienst, spreekuur
    stap("triage", {"datum": dag(0), "route": "regulier", "toelichting": "eigen werk met aanpassingen"}, vc)
    stap("begeleider", {"datum": dag(0), "begeleider_id": "vc-1", "begeleider_rol": "verzuimcoach"}, vc)
    stap("contactmoment", {"datum": dag(1), "met_rol": "leidinggevende", "met_id": "lg-1"}, vc)
    stap("belafspraak", {"datum": dag(1), "bellen_op": at(E + timedelta(days=8), 10)}, vc)
    stap("arbodienstmelding", {"datum": dag(3), "arbodienst": "eigen bedrijfsarts"}, vc)
    stap(
        "spreekuur",
        {
            "datum": dag(20),
            "spreekuur_op": at(E + timedelta(days=35), 11),
            "bedrijfsarts_id": "ba-1",
            "vraagstelling": "Wat kan de werknemer nog, en wat is de verwachte duur?",
        },
        vc,
    )
    leg_moment_vast("na de triage")
    # 3. probleemanalyse (never a diagnosis: functional possibilities and limitations, duration, advice)
    stap(
        "probleemanalyse",
        {
            "datum": dag(40),
            "mogelijkheden": "zittend werk, 4 uur per dag",
            "beperkingen": "niet tillen",
            "verwachte_duur": "langer dan 3 maanden",
            "advies": "opbouw in eigen werk, fysiotherapie",
        },
    )
    stap("begeleider", {"datum": dag(41), "begeleider_id": "cm-1", "begeleider_rol": "casemanager"}, vc)
    # 4. plan van aanpak, with the werknemer's agreement
    pva = stap(
        "plan-van-aanpak",
        {
            "datum": dag(54),
            "doelen": ["terug in eigen werk"],
            "activiteiten": ["opbouwschema", "bedrijfsfysiotherapie"],
            "casemanager_id": "cm-1",
            "evaluatiemomenten": [dag(96), dag(138)],
            "akkoord_werknemer": True,
        },
    )
    assert pva["casemanager_id"] == "cm-1"
    stap("interventie", {"datum": dag(56), "soort": "bedrijfsfysiotherapie"})
    stap(
        "opbouwschema",
        {
            "datum": dag(56),
            "stappen": [
                {"vanaf": dag(60), "uren_per_week": 8, "loonwaarde_pct": 20},
                {"vanaf": dag(90), "uren_per_week": 16, "loonwaarde_pct": 40},
            ],
        },
    )
    # 5. evaluations
    stap("evaluatie", {"datum": dag(96), "bijstelling": False})
    stap("evaluatie", {"datum": dag(138), "bijstelling": True, "toelichting": "opbouw trager dan gepland"})
    leg_moment_vast("na de evaluaties")

    # 6. deelherstel at intake: 50 % arbeidsongeschikt
    r = httpx.post(
        f"{intake}/v1/herstelmeldingen",
        json=herstelmelding(werkgever, "gedeeltelijk", E + timedelta(days=150), 50),
        headers=hr,
    )
    assert r.status_code == 202, r.text
    eventually_sync(lambda: (_get(url, hr) or {}).get("arbeidsongeschiktheidspercentage") == 50, timeout=60)
    # 7. volledig herstel, and a relapse 15 days later: samentelling continues this dossier (D4)
    r = httpx.post(
        f"{intake}/v1/herstelmeldingen", json=herstelmelding(werkgever, "volledig", E + timedelta(days=200)), headers=hr
    )
    assert r.status_code == 202, r.text
    eventually_sync(lambda: (_get(url, hr) or {}).get("status") == "hersteld", timeout=60)
    r = httpx.post(f"{intake}/v1/ziekmeldingen", json=ziekmelding(werkgever, E + timedelta(days=215)), headers=hr)
    assert r.status_code == 202, r.text
    terugval = eventually_sync(lambda: _get(r.json()["links"]["dossier"], hr), timeout=60)
    assert terugval["dossier_id"] == dossier_id and terugval["status"] == "open"
    assert [e["eerste_ziektedag"] for e in terugval["episodes"]] == [dag(0), dag(215)]
    leg_moment_vast("na de terugval")

    # 8.–11. 42e-weeksmelding, eerstejaarsevaluatie, spoor 2, the re-integratieverslag and the WIA aanvraag
    stap("uwv-42e-weeksmelding", {"datum": dag(305)})
    stap("eerstejaarsevaluatie", {"datum": dag(375), "structureel_spoor1_perspectief": False})
    stap("spoor-2", {"datum": dag(410)})
    stap("actueel-oordeel", {"datum": dag(640)})
    stap("eindevaluatie", {"datum": dag(642)})
    stap("re-integratieverslag", {"datum": dag(650)})
    einde = stap("wia-aanvraag", {"datum": dag(665)})

    # A step that makes no sense is refused in plain words and records nothing.
    r = httpx.post(f"{url}/wia-aanvraag", json={"datum": dag(666)}, headers=cm)
    assert r.status_code == 409 and "één keer" in r.json()["detail"]

    # The history: every event once, in order, with type, actor, business date and recording time.
    history = _get(f"{url}/geschiedenis", hr)["gebeurtenissen"]
    assert [g["versie"] for g in history] == list(range(1, einde["versie"] + 1))
    types = [g["type"] for g in history]
    assert types[0] == "Geopend" and types[-1] == "WiaAangevraagd"
    assert types.count("HerstelGeregistreerd") == 2 and types.count("EpisodeToegevoegd") == 1
    assert types.count("EvaluatieVastgelegd") == 2
    assert all(g["actor"]["id"] and g["datum"] and g["geregistreerd_op"] for g in history)
    assert einde["verzuimdagen"] == 200 + (TODAY - (E + timedelta(days=215))).days + 1  # gap days not counted

    # Replay at three earlier moments equals what the API showed then.
    for naam, (moment, toen) in momenten.items():
        replay = _get(url, hr, peildatum=moment.isoformat())
        for veld in ("versie", "status", "episodes", "stappen", "processtappen", "keten_hash", "casemanager_id"):
            assert replay[veld] == toen[veld], (naam, veld)
        assert _get(url, hr, versie=str(toen["versie"]))["stappen"] == toen["stappen"]

    # Integrity: the chain holds, and its head is the dossier's keten_hash.
    check = _get(f"{url}/integriteit", auth("auditor", "au-1"))
    assert check["intact"] is True and check["versies"] == einde["versie"] and check["kop_hash"] == einde["keten_hash"]
    # Every snapshot is what the events give at its version.
    assert check["snapshots"] == list(range(SNAPSHOT_INTERVAL, einde["versie"] + 1, SNAPSHOT_INTERVAL)) != []
    assert check["snapshot_breuken"] == []

    # The published stream equals the stored history: each version once, in order, with its own subject.
    def alles_gepubliceerd() -> list[tuple[int, str, dict[str, Any], str]] | None:
        found = asyncio.run(published(stack.nats_url or "", dossier_id))
        return found if len(found) >= len(history) else None

    stream = eventually_sync(alles_gepubliceerd, timeout=60)
    assert [v for v, _, _, _ in stream] == [g["versie"] for g in history]
    assert len({msg_id for _, _, _, msg_id in stream}) == len(stream)
    kebab = {g["versie"]: _kebab(g["type"]) for g in history}
    assert [s.rsplit(".", 1)[1] for _, s, _, _ in stream] == [
        {"geopend": "dossier-geopend"}.get(kebab[v], kebab[v]) for v, _, _, _ in stream
    ]
    for (versie, _, body, _), g in zip(stream, history, strict=True):
        assert body["actor"] == g["actor"] and body["versie"] == versie
        if "datum" in body:
            assert body["datum"] == g["datum"]


def _get(url: str, headers: dict[str, str], **params: str) -> Any:
    r = httpx.get(url, headers=headers, params=params, timeout=30)
    return r.json() if r.status_code == 200 else None


def _kebab(name: str) -> str:
    return kebab(name)

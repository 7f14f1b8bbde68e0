"""Demo data for the embedded setup: one werkgever, 3 afdelingen, 20 medewerkers and a few ziekmeldingen, all
entered through the public intake API exactly as a customer's HR system would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

NL = ZoneInfo("Europe/Amsterdam")
DEMO_WERKGEVER = "demo-bv"

AFDELINGEN = [
    {
        "afdeling_id": "magazijn",
        "naam": "Magazijn",
        "leidinggevende_id": "lg-magazijn",
        "hr_adviseur_id": "hr-1",
        "rayonmanager_id": "rm-noord",
        "rayon": "Noord",
    },
    {
        "afdeling_id": "winkel",
        "naam": "Winkel Centrum",
        "leidinggevende_id": "lg-winkel",
        "hr_adviseur_id": "hr-1",
        "rayonmanager_id": "rm-noord",
        "rayon": "Noord",
    },
    {
        "afdeling_id": "kantoor",
        "naam": "Kantoor",
        "leidinggevende_id": "lg-kantoor",
        "hr_adviseur_id": "hr-2",
        "rayonmanager_id": "rm-zuid",
        "rayon": "Zuid",
    },
]

NAMEN = [
    "Anouk de Vries",
    "Bram Jansen",
    "Chantal Bakker",
    "Daan Visser",
    "Esra Yilmaz",
    "Fleur Smit",
    "Gijs Meijer",
    "Hanneke de Boer",
    "Ivo Mulder",
    "Jasmijn de Groot",
    "Kees Bos",
    "Lotte Vos",
    "Mohamed El Amrani",
    "Noor Peters",
    "Olaf Hendriks",
    "Priya Ramdin",
    "Quinten van Leeuwen",
    "Roos Dekker",
    "Sem Brouwer",
    "Tess van Dijk",
]

CONTRACTUREN = [38, 38, 24, 32, 38, 16, 38, 28, 36, 20]


@dataclass(frozen=True)
class DemoTokens:
    hr: str
    leidinggevende: str


def medewerkers(today: date) -> list[dict[str, Any]]:
    items = []
    for i, naam in enumerate(NAMEN, start=1):
        afdeling = AFDELINGEN[(i - 1) % 3]["afdeling_id"]
        items.append(
            {
                "werknemer_id": f"wn-{i:02d}",
                "naam": naam,
                "email": f"wn-{i:02d}@demo-bv.example",
                "afdeling_id": afdeling,
                "contracturen": CONTRACTUREN[(i - 1) % len(CONTRACTUREN)],
                "voltijduren": 38,
                "datum_in_dienst": (today - timedelta(days=400 + 37 * i)).isoformat(),
            }
        )
    return items


def ziekmeldingen(today: date, now: datetime) -> list[dict[str, Any]]:
    """One melding today on time, one yesterday after that day's cut-off (so the demo always shows a late melding,
    whatever the hour it is seeded), and two migrated from an earlier system."""

    def at(day: date, hh: int, mm: int) -> str:
        return datetime.combine(day, time(hh, mm), tzinfo=NL).isoformat()

    yesterday = today - timedelta(days=1)
    # never later than now: a gemeld_op in the future is refused
    today_early = min(now.astimezone(NL), datetime.combine(today, time(8, 15), tzinfo=NL))
    base = {
        "bereikbaarheid": {"telefoon": "06 1234 5678"},
        "vangnet_van_toepassing": False,
        "arbeidsongeval": False,
        "regres_derde": False,
    }
    return [
        {
            **base,
            "werknemer_id": "wn-01",
            "eerste_ziektedag": today.isoformat(),
            "gemeld_op": today_early.isoformat(),
            "gemeld_door": {"id": "wn-01", "rol": "werknemer"},
            "herstelafspraak": (today + timedelta(days=3)).isoformat(),
        },
        {
            **base,
            "werknemer_id": "wn-05",
            "eerste_ziektedag": yesterday.isoformat(),
            "gemeld_op": at(yesterday, 10, 40),
            "gemeld_door": {"id": "wn-05", "rol": "werknemer"},
            "verwachte_duur_dagen": 5,
        },
        {
            **base,
            "werknemer_id": "wn-09",
            "eerste_ziektedag": (today - timedelta(days=20)).isoformat(),
            "gemeld_op": at(today - timedelta(days=20), 8, 5),
            "gemeld_door": {"id": "wn-09", "rol": "werknemer"},
        },
        {
            **base,
            "werknemer_id": "wn-14",
            "eerste_ziektedag": (today - timedelta(days=50)).isoformat(),
            "gemeld_op": at(today - timedelta(days=50), 7, 45),
            "gemeld_door": {"id": "lg-kantoor", "rol": "leidinggevende"},
            "arbeidsongeval": True,
        },
    ]


def seed(intake_url: str, tokens: DemoTokens, *, today: date | None = None) -> list[str]:
    """Enter the demo data; returns the melding ids. Idempotency keys make a second run publish nothing new."""
    now = datetime.now(UTC)
    today = today or now.astimezone(NL).date()
    hr = {"Authorization": f"Bearer {tokens.hr}"}
    melding_ids: list[str] = []
    with httpx.Client(base_url=intake_url, timeout=30) as client:
        r = client.post("/v1/personeel/afdelingen", json={"afdelingen": AFDELINGEN}, headers=hr)
        r.raise_for_status()
        r = client.post("/v1/personeel/medewerkers", json={"medewerkers": medewerkers(today)}, headers=hr)
        r.raise_for_status()
        for n, melding in enumerate(ziekmeldingen(today, now)):
            body = {"werkgever_id": DEMO_WERKGEVER, **melding}
            key = f"demo-{melding['werknemer_id']}-{melding['eerste_ziektedag']}"
            r = client.post("/v1/ziekmeldingen", json=body, headers={**hr, "Idempotency-Key": key})
            if r.status_code != 202:
                raise RuntimeError(f"demo ziekmelding {n} refused: {r.status_code} {r.text}")
            melding_ids.append(r.json()["melding_id"])
        # wn-14 is partly back at work: 50 % arbeidsongeschikt since last week.
        r = client.post(
            "/v1/herstelmeldingen",
            json={
                "werkgever_id": DEMO_WERKGEVER,
                "werknemer_id": "wn-14",
                "soort": "gedeeltelijk",
                "hersteldatum": (today - timedelta(days=7)).isoformat(),
                "arbeidsongeschiktheidspercentage": 50,
                "gemeld_op": datetime.combine(today - timedelta(days=7), time(9, 0), tzinfo=NL).isoformat(),
                "gemeld_door": {"id": "hr-1", "rol": "hr"},
            },
            headers={**hr, "Idempotency-Key": f"demo-herstel-wn-14-{today - timedelta(days=7)}"},
        )
        r.raise_for_status()
    return melding_ids

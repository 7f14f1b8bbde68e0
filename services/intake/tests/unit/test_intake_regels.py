"""Date rules: history is accepted, only what cannot be true is refused, and each refusal names the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from verzuim_intake.domain.commands import Afdeling, Herstelmelding, Medewerker, Ziekmelding
from verzuim_intake.domain.regels import (
    afdelingen_fouten,
    herstel_percentage,
    herstelmelding_fouten,
    medewerkers_fouten,
    ziekmelding_fouten,
)
from verzuim_shared.clock import NL

# Monday 2025-03-03, 12:00 in the Netherlands
NU = datetime(2025, 3, 3, 11, 0, tzinfo=UTC)


def ziekmelding(**overrides: Any) -> Ziekmelding:
    data: dict[str, Any] = {
        "werkgever_id": "wg",
        "werknemer_id": "wn-1",
        "eerste_ziektedag": "2025-03-03",
        "gemeld_op": "2025-03-03T08:30:00+01:00",
        "gemeld_door": {"id": "wn-1", "rol": "werknemer"},
        "bereikbaarheid": {"telefoon": "0612345678"},
    }
    data.update(overrides)
    return Ziekmelding.model_validate(data)


def velden(fouten: list[Any]) -> list[str]:
    return [f.veld for f in fouten]


def test_a_melding_for_today_is_fine() -> None:
    assert ziekmelding_fouten(ziekmelding(), NU) == []


def test_history_is_welcome() -> None:
    oud = ziekmelding(
        eerste_ziektedag="2019-11-04", gemeld_op="2019-11-04T07:55:00+01:00", herstelafspraak="2019-11-08"
    )
    assert ziekmelding_fouten(oud, NU) == []


def test_eerste_ziektedag_after_today_is_refused() -> None:
    fouten = ziekmelding_fouten(ziekmelding(eerste_ziektedag="2025-03-04", gemeld_op="2025-03-03T11:00:00+01:00"), NU)
    assert velden(fouten) == ["eerste_ziektedag"]
    assert "2025-03-04 ligt in de toekomst" in fouten[0].melding and "2025-03-03" in fouten[0].melding


def test_today_is_the_dutch_date() -> None:
    # 23:30 UTC on 3 March is already 4 March in the Netherlands
    laat = datetime(2025, 3, 3, 23, 30, tzinfo=UTC)
    melding = ziekmelding(eerste_ziektedag="2025-03-04", gemeld_op="2025-03-04T00:20:00+01:00")
    assert ziekmelding_fouten(melding, laat) == []


def test_gemeld_op_may_run_five_minutes_ahead_but_not_more() -> None:
    assert ziekmelding_fouten(ziekmelding(gemeld_op=(NU + timedelta(minutes=4)).isoformat()), NU) == []
    fouten = ziekmelding_fouten(ziekmelding(gemeld_op=(NU + timedelta(minutes=6)).isoformat()), NU)
    assert velden(fouten) == ["gemeld_op"]
    assert "in de toekomst" in fouten[0].melding


def test_gemeld_op_the_evening_before_is_fine_two_days_before_is_not() -> None:
    assert ziekmelding_fouten(ziekmelding(gemeld_op="2025-03-02T21:00:00+01:00"), NU) == []
    assert ziekmelding_fouten(ziekmelding(gemeld_op="2025-03-02T00:00:00+01:00"), NU) == []
    fouten = ziekmelding_fouten(ziekmelding(gemeld_op="2025-03-01T23:59:00+01:00"), NU)
    assert velden(fouten) == ["gemeld_op"]
    assert "meer dan een dag vóór de eerste ziektedag 2025-03-03" in fouten[0].melding


def test_herstelafspraak_before_eerste_ziektedag_is_refused() -> None:
    assert ziekmelding_fouten(ziekmelding(herstelafspraak="2025-03-03"), NU) == []
    fouten = ziekmelding_fouten(ziekmelding(herstelafspraak="2025-03-02"), NU)
    assert velden(fouten) == ["herstelafspraak"]
    assert "vóór de eerste ziektedag" in fouten[0].melding


def test_herstelafspraak_and_belafspraak_together_are_refused() -> None:
    assert ziekmelding_fouten(ziekmelding(belafspraak="2025-03-05T10:00:00"), NU) == []
    fouten = ziekmelding_fouten(ziekmelding(herstelafspraak="2025-03-06", belafspraak="2025-03-05T10:00:00"), NU)
    assert velden(fouten) == ["belafspraak"]


def test_a_belafspraak_without_time_zone_is_dutch_time() -> None:
    melding = ziekmelding(belafspraak="2025-07-07T10:00:00")
    assert melding.belafspraak == datetime(2025, 7, 7, 10, 0, tzinfo=NL)
    assert melding.belafspraak.utcoffset() == timedelta(hours=2)


def test_every_problem_is_reported_at_once() -> None:
    fouten = ziekmelding_fouten(
        ziekmelding(
            eerste_ziektedag="2025-03-10",
            gemeld_op="2025-03-05T08:00:00+01:00",
            herstelafspraak="2025-03-09",
        ),
        NU,
    )
    assert sorted(velden(fouten)) == ["eerste_ziektedag", "gemeld_op", "gemeld_op", "herstelafspraak"]


def herstel(**overrides: Any) -> Herstelmelding:
    data: dict[str, Any] = {
        "werkgever_id": "wg",
        "werknemer_id": "wn-1",
        "soort": "volledig",
        "hersteldatum": "2025-03-03",
        "gemeld_op": "2025-03-03T09:00:00+01:00",
        "gemeld_door": {"id": "hr-1", "rol": "hr"},
    }
    data.update(overrides)
    return Herstelmelding.model_validate(data)


def test_volledig_herstel_is_zero_percent() -> None:
    assert herstelmelding_fouten(herstel(), NU, 7) == []
    assert herstel_percentage(herstel()) == 0
    assert herstelmelding_fouten(herstel(arbeidsongeschiktheidspercentage=0), NU, 7) == []
    assert velden(herstelmelding_fouten(herstel(arbeidsongeschiktheidspercentage=20), NU, 7)) == [
        "arbeidsongeschiktheidspercentage"
    ]


@pytest.mark.parametrize("percentage", [None, 0, 100])
def test_gedeeltelijk_herstel_needs_1_to_99_percent(percentage: int | None) -> None:
    fouten = herstelmelding_fouten(herstel(soort="gedeeltelijk", arbeidsongeschiktheidspercentage=percentage), NU, 7)
    assert velden(fouten) == ["arbeidsongeschiktheidspercentage"]
    assert "1 tot en met 99" in fouten[0].melding


def test_gedeeltelijk_herstel_with_a_remaining_percentage() -> None:
    melding = herstel(soort="gedeeltelijk", arbeidsongeschiktheidspercentage=50)
    assert herstelmelding_fouten(melding, NU, 7) == []
    assert herstel_percentage(melding) == 50


def test_hersteldatum_at_most_the_configured_days_ahead() -> None:
    assert herstelmelding_fouten(herstel(hersteldatum="2025-03-10"), NU, 7) == []
    fouten = herstelmelding_fouten(herstel(hersteldatum="2025-03-11"), NU, 7)
    assert velden(fouten) == ["hersteldatum"]
    assert "meer dan 7 dagen vooruit" in fouten[0].melding and "2025-03-10" in fouten[0].melding
    assert herstelmelding_fouten(herstel(hersteldatum="2023-01-01"), NU, 7) == []


def medewerker(werknemer_id: str, **overrides: Any) -> Medewerker:
    data: dict[str, Any] = {
        "werknemer_id": werknemer_id,
        "naam": "N",
        "afdeling_id": "a",
        "contracturen": 32,
        "voltijduren": 40,
        "datum_in_dienst": "2020-01-01",
    }
    data.update(overrides)
    return Medewerker.model_validate(data)


def test_datum_uit_dienst_before_datum_in_dienst_names_the_item() -> None:
    fouten = medewerkers_fouten(
        [medewerker("wn-1"), medewerker("wn-2", datum_uit_dienst="2019-12-31"), medewerker("wn-3")]
    )
    assert velden(fouten) == ["medewerkers[1].datum_uit_dienst"]
    assert medewerkers_fouten([medewerker("wn-1", datum_uit_dienst="2020-01-01")]) == []


def test_a_werknemer_twice_in_one_sync_names_both_places() -> None:
    fouten = medewerkers_fouten([medewerker("wn-1"), medewerker("wn-2"), medewerker("wn-1")])
    assert velden(fouten) == ["medewerkers[2].werknemer_id"]
    assert "medewerkers[0]" in fouten[0].melding


def test_an_afdeling_twice_in_one_sync() -> None:
    a = Afdeling(afdeling_id="a", naam="A")
    b = Afdeling(afdeling_id="b", naam="B")
    assert afdelingen_fouten([a, b]) == []
    assert velden(afdelingen_fouten([a, b, a])) == ["afdelingen[2].afdeling_id"]

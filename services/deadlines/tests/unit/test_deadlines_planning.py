"""Termijnberekening from a dossier's facts (decisions D1, D4, D5) and the termijn's own rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import pytest
from verzuim_deadlines.domain import (
    DossierFeiten,
    Episode,
    OngeldigeStatusovergang,
    Termijn,
    TermijnCode,
    TermijnStatus,
    bij_volledig_herstel,
    plan_termijnen,
    termijn_id,
)

E = date(2025, 1, 6)
PA_GRONDSLAG = "Regeling procesgang eerste en tweede ziektejaar, art. 2 lid 2"


def feiten(*episodes: Episode) -> DossierFeiten:
    return DossierFeiten(dossier_id=uuid4(), werkgever_id="wg-1", werknemer_id="wn-1", episodes=episodes)


def test_d1_example_probleemanalyse_on_sick_day_43() -> None:
    (pa,) = plan_termijnen(feiten(Episode(E)))
    assert pa.code is TermijnCode.PROBLEEMANALYSE
    assert pa.vervaldatum == date(2025, 2, 17)
    assert pa.status is TermijnStatus.OPEN
    assert pa.grondslag == PA_GRONDSLAG
    assert pa.afleiding == "ziektedag 43 (na 6 weken) van dit verzuim; eerste ziektedag 2025-01-06"
    assert pa.volgnummer == 1 and pa.reden is None


def test_a_samengesteld_verzuim_moves_the_probleemanalyse_by_the_recovered_days_and_says_so() -> None:
    # 10 sick days, 20 recovered days (< 28: the same verzuim), sick again
    episodes = (Episode(E, date(2025, 1, 16)), Episode(date(2025, 2, 5)))
    (pa,) = plan_termijnen(feiten(*episodes))
    assert pa.vervaldatum == date(2025, 2, 17) + timedelta(days=20)
    assert "eerste ziektedag 2025-01-06" in pa.afleiding
    assert "20 hersteld(e) dag(en) tussen episodes niet meegeteld" in pa.afleiding


def test_after_a_gap_of_four_weeks_the_timeline_counts_from_the_new_eerste_ziektedag() -> None:
    episodes = (Episode(E, date(2025, 1, 16)), Episode(date(2025, 2, 13)))  # 28 recovered days
    (pa,) = plan_termijnen(feiten(*episodes))
    assert pa.vervaldatum == date(2025, 2, 13) + timedelta(days=42)
    assert pa.afleiding.endswith("eerste ziektedag 2025-02-13")


def test_a_volledig_hersteld_dossier_plans_its_termijnen_as_vervallen() -> None:
    (pa,) = plan_termijnen(feiten(Episode(E, date(2025, 1, 20))))
    assert pa.status is TermijnStatus.VERVALLEN
    assert pa.vervaldatum == date(2025, 2, 17)  # where it would have fallen
    assert pa.reden == "volledig hersteld per 2025-01-20"


def test_dossier_feiten_follow_herstel_and_relapse() -> None:
    dossier = feiten(Episode(E))
    assert dossier.eerste_ziektedag == E and dossier.hersteldatum is None
    hersteld = dossier.volledig_hersteld(date(2025, 1, 16))
    assert hersteld.hersteldatum == date(2025, 1, 16)
    terug = hersteld.met_episode(Episode(date(2025, 2, 5)))
    assert terug.hersteldatum is None and terug.eerste_ziektedag == E
    assert plan_termijnen(terug)[0].vervaldatum == date(2025, 3, 9)


def test_volledig_herstel_closes_only_open_termijnen() -> None:
    open_ = Termijn(TermijnCode.PROBLEEMANALYSE, date(2025, 2, 17), PA_GRONDSLAG, "x")
    vervuld = replace(open_, code=TermijnCode.ARBODIENST_MELDING, status=TermijnStatus.VERVULD)
    afgeweken = replace(open_, code=TermijnCode.BELAFSPRAAK, status=TermijnStatus.AFGEWEKEN, reden="motivatie")
    changed = bij_volledig_herstel([open_, vervuld, afgeweken], date(2025, 2, 1))
    assert changed == [replace(open_, status=TermijnStatus.VERVALLEN, reden="volledig hersteld per 2025-02-01")]


def test_only_an_open_termijn_can_vervallen() -> None:
    vervuld = Termijn(TermijnCode.PROBLEEMANALYSE, E, PA_GRONDSLAG, "x", status=TermijnStatus.VERVULD)
    with pytest.raises(OngeldigeStatusovergang):
        vervuld.vervalt("volledig hersteld")


def test_termijn_ids_are_deterministic_per_dossier_code_and_volgnummer() -> None:
    dossier = uuid4()
    assert termijn_id(dossier, TermijnCode.PROBLEEMANALYSE) == termijn_id(dossier, TermijnCode.PROBLEEMANALYSE, 1)
    others = {
        termijn_id(dossier, TermijnCode.EVALUATIE, 1),
        termijn_id(dossier, TermijnCode.EVALUATIE, 2),
        termijn_id(uuid4(), TermijnCode.PROBLEEMANALYSE),
    }
    assert termijn_id(dossier, TermijnCode.PROBLEEMANALYSE) not in others and len(others) == 3


def test_codes_and_statuses_are_read_regardless_of_case() -> None:
    assert TermijnStatus("OPEN") is TermijnStatus.OPEN
    assert TermijnCode("probleemanalyse") is TermijnCode.PROBLEEMANALYSE
    with pytest.raises(ValueError):
        TermijnStatus("dicht")

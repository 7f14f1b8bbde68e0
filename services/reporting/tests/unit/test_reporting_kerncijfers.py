"""Known answers for the D8 figures: the Q1 2025 vector of the reference (§6.3), samentelling, joiners and leavers,
contract-hour changes, and the rules around them (each test states the rule, with numbers of its own)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from verzuim_reporting.domain.duurklassen import DuurklassenSchema, duurklassen
from verzuim_reporting.domain.kerncijfers import (
    Annualisering,
    Kerncijfers,
    NietAnnualiseerbaar,
    Tellers,
    WerknemerVerzuim,
    afronden,
    kerncijfers,
    tellers_per_groep,
)
from verzuim_reporting.domain.periode import Periode, kwartaal, lees_periode, maand

from .bouwstenen import Dossier, gewijzigd, in_dienst, uit_dienst, werknemer

Q1 = kwartaal(2025, 1)


def alles(_afdeling: str, _lg: str | None) -> str:
    return "wg"


def cijfers(
    werknemers: list[WerknemerVerzuim],
    periode: Periode = Q1,
    annualisering: Annualisering = Annualisering.KALENDERDAGEN,
) -> Kerncijfers:
    return kerncijfers(tellers_per_groep(werknemers, periode, alles).get("wg", Tellers()), periode, annualisering)


def referentie_q1_2025() -> list[WerknemerVerzuim]:
    """wvp-reference §6.3: four werknemers, full-time 40 h."""
    a = werknemer("A", [in_dienst(date(2020, 1, 1), uren=40)], Dossier(date(2025, 1, 6)).herstel(date(2025, 1, 11)))
    b = werknemer(
        "B",
        [in_dienst(date(2020, 1, 1), uren=20)],
        Dossier(date(2025, 2, 1)).deelherstel(date(2025, 2, 15), 50).herstel(date(2025, 3, 1)),
    )
    c = werknemer("C", [in_dienst(date(2020, 1, 1), uren=40)])
    d = werknemer("D", [in_dienst(date(2025, 3, 1), uren=32)], Dossier(date(2025, 3, 20)))
    return [a, b, c, d]


def test_the_q1_2025_reference_vector() -> None:
    k = cijfers(referentie_q1_2025())
    assert k.verzuimpercentage.teller == Decimal("25.1")
    assert k.verzuimpercentage.noemer == Decimal("249.8")
    assert k.verzuimpercentage.waarde == Decimal("10.048")
    assert k.meldingsfrequentie.teller == 3
    assert k.meldingsfrequentie.waarde == Decimal("3.638")
    assert cijfers(referentie_q1_2025(), annualisering=Annualisering.PERIODEN).meldingsfrequentie.waarde == Decimal(
        "3.588"
    )
    assert k.gemiddelde_verzuimduur.waarde == Decimal("16.500")
    assert k.nulverzuim.waarde == Decimal("25.000")
    # duration classes at period end: A 5 d, B 28 d, D 12 d so far. Vernet: A and D kort, B middellang;
    # the 1–7 / 8–42 scheme: A kort, B and D middellang
    gevallen = [g for w in referentie_q1_2025() for g in w.gevallen]
    assert [t.aantal for t in duurklassen(gevallen, Q1, DuurklassenSchema.VERNET)] == [2, 1, 0, 0]
    assert [t.aantal for t in duurklassen(gevallen, Q1, DuurklassenSchema.ALTERNATIEF)] == [1, 2, 0, 0]


def test_every_figure_says_what_it_counts() -> None:
    k = cijfers(referentie_q1_2025())
    assert "deeltijdfactor" in k.verzuimpercentage.definitie
    assert "× 365 ÷ 90" in k.meldingsfrequentie.definitie
    assert "× 4" in cijfers(referentie_q1_2025(), annualisering=Annualisering.PERIODEN).meldingsfrequentie.definitie
    assert "hersteldatum" in k.gemiddelde_verzuimduur.definitie
    assert "loonwaarde" in k.activeringspercentage.definitie


def test_each_episode_of_a_samengesteld_verzuim_is_a_melding_of_its_own() -> None:
    # sick 3–9 Feb, fit from 10 Feb, sick again 24 Feb (14 days later: the same dossier by samentelling) until 2 Mar
    dossier = Dossier(date(2025, 2, 3)).herstel(date(2025, 2, 10)).episode(date(2025, 2, 24)).herstel(date(2025, 3, 3))
    w = werknemer("W", [in_dienst(date(2020, 1, 1))], dossier)
    k = cijfers([w])
    assert k.meldingsfrequentie.teller == 2
    assert k.meldingsfrequentie.waarde == afronden(Decimal(2 * 365) / 90)
    # two ended gevallen of 7 days each; the 14 fit days between them are not counted
    assert k.gemiddelde_verzuimduur.waarde == Decimal("7.000")
    assert k.verzuimpercentage.teller == 14
    assert k.nulverzuim.waarde == 0


def test_a_werknemer_joining_or_leaving_in_the_period_counts_for_their_days_in_service() -> None:
    # joins on 16 Jan (75 days in Q1), sick 20–29 Jan;
    # another leaves on 28 Feb (59 days), sick from 1 Feb until after leaving
    nieuw = werknemer("N", [in_dienst(date(2025, 1, 16))], Dossier(date(2025, 1, 20)).herstel(date(2025, 1, 30)))
    weg = werknemer("W", [in_dienst(date(2019, 5, 1)), uit_dienst(date(2025, 2, 28))], Dossier(date(2025, 2, 1)))
    k = cijfers([nieuw, weg])
    assert k.verzuimpercentage.noemer == 75 + 59
    assert k.verzuimpercentage.teller == 10 + 28  # sick days after leaving are not counted
    assert k.meldingsfrequentie.noemer == Decimal(75 + 59) / 90
    assert k.nulverzuim.noemer == 2


def test_a_change_of_contract_hours_weights_each_day_with_the_hours_of_that_day() -> None:
    # 40 h until 31 Jan, 20 h from 1 Feb; sick 27 Jan – 9 Feb (5 days at 1.0, 9 days at 0.5)
    w = werknemer(
        "W",
        [in_dienst(date(2020, 1, 1), uren=40), gewijzigd(date(2025, 2, 1), uren=20)],
        Dossier(date(2025, 1, 27)).herstel(date(2025, 2, 10)),
    )
    k = cijfers([w])
    assert k.verzuimpercentage.teller == Decimal("9.5")
    assert k.verzuimpercentage.noemer == Decimal(31) + Decimal("0.5") * 59


def test_deelherstel_weights_the_days_with_the_remaining_percentage_and_is_no_new_melding() -> None:
    w = werknemer(
        "W",
        [in_dienst(date(2020, 1, 1), uren=30, voltijd=40)],
        Dossier(date(2025, 3, 1)).deelherstel(date(2025, 3, 11), 40).deelherstel(date(2025, 3, 21), 10),
    )
    k = cijfers([w])
    assert k.verzuimpercentage.teller == Decimal("0.75") * (10 + Decimal("0.4") * 10 + Decimal("0.1") * 11)
    assert k.meldingsfrequentie.teller == 1
    assert k.gemiddelde_verzuimduur.noemer == 0  # still running
    assert k.gemiddelde_verzuimduur.waarde is None


def test_gemiddelde_verzuimduur_counts_gevallen_ended_in_the_period_with_their_days_before_it() -> None:
    w = werknemer("W", [in_dienst(date(2020, 1, 1))], Dossier(date(2024, 12, 1)).herstel(date(2025, 1, 15)))
    assert cijfers([w]).gemiddelde_verzuimduur.waarde == Decimal("45.000")
    assert cijfers([w], maand(2024, 12)).gemiddelde_verzuimduur.waarde is None


def test_nulverzuim_excludes_a_werknemer_sick_in_the_period_since_before_it() -> None:
    w = werknemer("W", [in_dienst(date(2020, 1, 1))], Dossier(date(2024, 11, 1)))
    k = cijfers([w])
    assert k.meldingsfrequentie.teller == 0
    assert k.nulverzuim.waarde == 0


def test_activering_values_the_opbouwschema_hours_at_loonwaarde() -> None:
    # 32 h contract; sick from 1 Mar; from 11 Mar 8 h/week at 50 %, from 21 Mar 16 h at 100 %
    dossier = Dossier(date(2025, 3, 1)).opbouwschema(
        date(2025, 3, 10), (date(2025, 3, 11), 8, 50), (date(2025, 3, 21), 16, 100)
    )
    w = werknemer("W", [in_dienst(date(2020, 1, 1), uren=32)], dossier)
    k = cijfers([w])
    assert k.activeringspercentage.noemer == 31 * 32
    assert k.activeringspercentage.teller == 10 * 4 + 11 * 16
    assert k.activeringspercentage.waarde == afronden(Decimal(10 * 4 + 11 * 16) * 100 / (31 * 32))


def test_activering_without_opbouwschema_follows_the_deelherstel() -> None:
    w = werknemer(
        "W", [in_dienst(date(2020, 1, 1), uren=40)], Dossier(date(2025, 3, 22)).deelherstel(date(2025, 3, 27), 25)
    )
    k = cijfers([w])
    assert k.activeringspercentage.teller == 5 * 30  # 75 % of 40 h on the last five days
    assert k.activeringspercentage.noemer == 10 * 40


def test_the_four_times_method_needs_a_whole_calendar_period() -> None:
    with pytest.raises(NietAnnualiseerbaar, match="kalenderdagen"):
        cijfers(referentie_q1_2025(), lees_periode("2025-01-01..2025-02-15"), Annualisering.PERIODEN)
    assert cijfers(referentie_q1_2025(), maand(2025, 3), Annualisering.PERIODEN).meldingsfrequentie.definitie


def test_without_anyone_employed_there_is_nothing_to_measure() -> None:
    k = cijfers([])
    assert all(f.waarde is None for f in k.figuren())


def test_a_deelherstel_to_0_percent_ends_the_sick_days_but_not_the_geval() -> None:
    """D8 weights a day with its ao-fractie: at 0 % the werknemer works the whole contract, so the day is no sick day
    (nulverzuim, activering, verzuimpercentage). The melding is not hersteld: the geval runs on for its duration."""
    w = werknemer(
        "W", [in_dienst(date(2020, 1, 1), uren=40)], Dossier(date(2024, 12, 1)).deelherstel(date(2024, 12, 20), 0)
    )
    k = cijfers([w])  # Q1 2025: only days at 0 %
    assert k.verzuimpercentage.teller == 0
    assert k.nulverzuim.waarde == Decimal("100.000")
    assert k.activeringspercentage.noemer == 0  # no sick days: nothing to measure
    assert k.gemiddelde_verzuimduur.noemer == 0  # not hersteld
    geval = w.gevallen[0]
    assert geval.einde is None
    # the geval still ran in Q1 and has its length up to the end of the period
    assert [t.aantal for t in duurklassen(w.gevallen, Q1, DuurklassenSchema.VERNET)] == [0, 0, 1, 0]
    december = cijfers([w], maand(2024, 12))
    assert december.nulverzuim.waarde == 0  # 1–19 December at 100 %
    assert december.activeringspercentage.noemer == 19 * 40


def test_the_verzuimverleden_counts_its_meldingen_as_the_figures_do() -> None:
    """A melding whose eerste ziektedag lies before the werknemer's employment is listed, but is no melding of the
    meldingsfrequentie; meldingen_in_periode agrees with the werknemer's own figures."""
    from verzuim_reporting.domain.afleiding import leid_werknemer_af
    from verzuim_reporting.domain.verleden import verzuimverleden

    voor = Dossier(date(2025, 1, 28)).herstel(date(2025, 2, 5))  # sick before the first day of employment
    binnen = Dossier(date(2025, 3, 3)).herstel(date(2025, 3, 6))
    afleiding = leid_werknemer_af("W", [in_dienst(date(2025, 2, 1))], voor.feiten + binnen.feiten)
    verleden = verzuimverleden(afleiding, Q1, date(2025, 6, 1))
    assert [m.telt_mee for m in verleden.meldingen] == [False, True]
    assert verleden.meldingen_in_periode == verleden.kerncijfers.meldingsfrequentie.teller == 1
    assert verleden.ziektedagen_in_periode == 4 + 3  # 1–4 Feb within employment, 3–5 Mar

"""Known answers from decisions.md D1–D7 and wvp-reference.md §1.1, §2.4 and §9.3, plus the invariants as properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from verzuim_deadlines.domain import (
    D1_CODES,
    D3_CODES,
    VERSTREKEN_REDEN,
    Afwijking,
    Deelherstel,
    DossierFeiten,
    Episode,
    Stap,
    Stapfeit,
    Termijn,
    TermijnCode,
    TermijnStatus,
    Werkdagkalender,
    Werkgeverregels,
    Ziekmelding,
    bereken_tijdlijn,
    feiten_uit_events,
)
from verzuim_deadlines.domain.tijdlijn import bereken_tijdlijn_met_waarschuwingen
from verzuim_shared.events import Actor, DossierGeopend, HerstelGeregistreerd, HerstelSoort, Rol
from verzuim_shared.events.dossier import (
    ArbodienstGemeld,
    BelafspraakGemaakt,
    ContactmomentVastgelegd,
    DossierEvent,
    EerstejaarsevaluatieVastgelegd,
    EpisodeToegevoegd,
    EvaluatieVastgelegd,
    HerstelafspraakGemaakt,
    PlanVanAanpakVastgesteld,
    ProbleemanalyseOntvangen,
    ReIntegratieverslagCompleet,
    Spoor2Gestart,
    Uwv42eWeeksmeldingGedaan,
    WiaAangevraagd,
)

C = TermijnCode
S = TermijnStatus
E = date(2025, 1, 6)  # Monday: the reference case of decisions.md and wvp-reference.md §1.1


def feiten(*episodes: Episode, gemeld: date | None = None, **extra: object) -> DossierFeiten:
    melding = Ziekmelding(gemeld or episodes[0].eerste_ziektedag, extra.pop("herstelafspraak", None))  # type: ignore[arg-type]
    return DossierFeiten(uuid4(), "wg", "wn", tuple(episodes), meldingen=(melding,), **extra)  # type: ignore[arg-type]


def stap(soort: Stap, datum: date, **extra: bool) -> Stapfeit:
    return Stapfeit(soort, datum, uuid4(), **extra)


def per_code(termijnen: list[Termijn]) -> dict[TermijnCode, Termijn]:
    return {t.code: t for t in termijnen if t.volgnummer == 1}


def datums(termijnen: list[Termijn]) -> dict[tuple[TermijnCode, int], date]:
    return {(t.code, t.volgnummer): t.vervaldatum for t in termijnen}


def evaluaties(termijnen: list[Termijn]) -> list[Termijn]:
    return [t for t in termijnen if t.code is C.EVALUATIE]


# --------------------------------------------------------------------------------------------- known answers


def test_d1_d2_d3_the_reference_case_of_decisions_and_wvp_reference_1_1() -> None:
    tijdlijn = bereken_tijdlijn(feiten(Episode(E)))
    t = per_code(tijdlijn)
    assert {c: t[c].vervaldatum for c in t} == {
        C.ARBODIENST_MELDING: date(2025, 1, 12),  # D1, §1.1 #2
        C.BELAFSPRAAK: date(2025, 1, 20),  # D2: ziekmelding on 2025-01-06 + 10 werkdagen
        C.PROBLEEMANALYSE: date(2025, 2, 17),  # D1, §1.1 #3
        C.PLAN_VAN_AANPAK: date(2025, 3, 3),  # D2 (no PA yet: PA due + 14), §1.1 #4
        C.EVALUATIE: date(2025, 4, 14),  # D2 (no PvA yet: PvA due + 42), §1.1 #6
        C.UWV_42E_WEEK_MELDING: date(2025, 10, 27),  # D1, §1.1 #7
        C.EERSTEJAARSEVALUATIE: date(2026, 1, 5),  # D1, §1.1 #9
        C.SPOOR_2_START: date(2026, 2, 16),  # D2 (no EJE yet: EJE due + 42), §1.1 #10
        C.RE_INTEGRATIEVERSLAG: date(2026, 10, 5),  # D3, §1.1 #13
        C.WIA_AANVRAAG: date(2026, 10, 19),  # D3, §1.1 #14
        C.WACHTTIJD_EINDE: date(2027, 1, 3),  # D1, §1.1 #16 (first day after: 2027-01-04)
    }
    assert [t.vervaldatum for t in evaluaties(tijdlijn)][:2] == [date(2025, 4, 14), date(2025, 5, 26)]
    assert all(x.status is S.OPEN for x in tijdlijn)
    assert [t.vervaldatum for t in tijdlijn] == sorted(t.vervaldatum for t in tijdlijn)


def test_d2_the_example_column_with_each_step_done_on_its_due_date() -> None:
    f = feiten(
        Episode(E),
        stappen=(
            stap(Stap.PROBLEEMANALYSE, date(2025, 2, 17)),
            stap(Stap.PLAN_VAN_AANPAK, date(2025, 3, 3)),
            stap(Stap.EERSTEJAARSEVALUATIE, date(2026, 1, 5)),
        ),
    )
    tijdlijn = bereken_tijdlijn(f)
    d = datums(tijdlijn)
    assert d[(C.PLAN_VAN_AANPAK, 1)] == date(2025, 3, 3)
    assert [t.vervaldatum for t in evaluaties(tijdlijn)][:3] == [date(2025, 4, 14), date(2025, 5, 26), date(2025, 7, 7)]
    assert d[(C.SPOOR_2_START, 1)] == date(2026, 2, 16)
    t = per_code(tijdlijn)
    assert t[C.PROBLEEMANALYSE].status is S.VERVULD and t[C.PROBLEEMANALYSE].op_tijd is True
    assert t[C.PLAN_VAN_AANPAK].afleiding.startswith("probleemanalyse op 2025-02-17 + 14 dagen")


def test_the_plan_van_aanpak_counts_from_the_real_probleemanalyse_early_or_late() -> None:
    vroeg = feiten(Episode(E), stappen=(stap(Stap.PROBLEEMANALYSE, date(2025, 2, 3)),))
    assert per_code(bereken_tijdlijn(vroeg))[C.PLAN_VAN_AANPAK].vervaldatum == date(2025, 2, 17)
    laat = feiten(Episode(E), stappen=(stap(Stap.PROBLEEMANALYSE, date(2025, 3, 10)),))
    t = per_code(bereken_tijdlijn(laat))
    assert t[C.PLAN_VAN_AANPAK].vervaldatum == date(2025, 3, 24)
    assert (t[C.PROBLEEMANALYSE].status, t[C.PROBLEEMANALYSE].op_tijd) == (S.VERVULD, False)


def test_evaluations_repeat_on_the_interval_grid_up_to_the_end_of_the_wachttijd() -> None:
    pva = date(2025, 3, 3)
    tijdlijn = bereken_tijdlijn(feiten(Episode(E), stappen=(stap(Stap.PLAN_VAN_AANPAK, pva),)))
    datums_ = [t.vervaldatum for t in evaluaties(tijdlijn)]
    assert datums_ == [pva + timedelta(days=42 * k) for k in range(1, len(datums_) + 1)]
    assert datums_[-1] <= date(2027, 1, 3) < datums_[-1] + timedelta(days=42)
    assert [t.volgnummer for t in evaluaties(tijdlijn)] == list(range(1, len(datums_) + 1))
    assert evaluaties(tijdlijn)[1].afleiding == "plan van aanpak op 2025-03-03 + 2 × 42 dagen: 2025-05-26"
    anders = bereken_tijdlijn(
        feiten(Episode(E), stappen=(stap(Stap.PLAN_VAN_AANPAK, pva),)), Werkgeverregels(evaluatie_interval_dagen=28)
    )
    assert [t.vervaldatum for t in evaluaties(anders)][:3] == [date(2025, 3, 31), date(2025, 4, 28), date(2025, 5, 26)]


def test_each_recorded_evaluatie_closes_the_nearest_open_evaluatie() -> None:
    f = feiten(
        Episode(E),
        stappen=(
            stap(Stap.PLAN_VAN_AANPAK, date(2025, 3, 3)),
            stap(Stap.EVALUATIE, date(2025, 4, 10)),  # #1 (due 04-14), on time
            stap(Stap.EVALUATIE, date(2025, 6, 2)),  # #2 (due 05-26), a week late
            # #3 (due 07-07) skipped; this one is nearest to #4 (due 08-18)
            stap(Stap.EVALUATIE, date(2025, 8, 12)),
        ),
    )
    e = evaluaties(bereken_tijdlijn(f))
    assert [(t.volgnummer, t.status, t.op_tijd, t.vervuld_op) for t in e[:5]] == [
        (1, S.VERVULD, True, date(2025, 4, 10)),
        (2, S.VERVULD, False, date(2025, 6, 2)),
        (3, S.OPEN, None, None),
        (4, S.VERVULD, True, date(2025, 8, 12)),
        (5, S.OPEN, None, None),
    ]


def test_a_motivated_skip_of_an_evaluatie_ends_that_one_as_afgeweken() -> None:
    afwijking = Afwijking(C.EVALUATIE, date(2025, 5, 20), "werknemer opgenomen; evaluatie uitgesteld", uuid4())
    f = feiten(Episode(E), stappen=(stap(Stap.PLAN_VAN_AANPAK, date(2025, 3, 3)),), afwijkingen=(afwijking,))
    e = evaluaties(bereken_tijdlijn(f))
    assert [(t.volgnummer, t.status) for t in e[:3]] == [(1, S.OPEN), (2, S.AFGEWEKEN), (3, S.OPEN)]
    assert e[1].reden == "werknemer opgenomen; evaluatie uitgesteld" and e[1].bron_event_id == afwijking.event_id


def _evaluatie_3_overgeslagen(*afwijkingen: Afwijking) -> list[Termijn]:
    """Plan van aanpak 2025-03-03: evaluaties due 04-14, 05-26, 07-07, 08-18, 09-29, ... #1 and #2 held, #3 skipped
    and motivated afterwards (on 08-10, nearer to #4's date), #4 held on its date."""
    f = feiten(
        Episode(E),
        stappen=(
            stap(Stap.PLAN_VAN_AANPAK, date(2025, 3, 3)),
            stap(Stap.EVALUATIE, date(2025, 4, 14)),
            stap(Stap.EVALUATIE, date(2025, 5, 26)),
            stap(Stap.EVALUATIE, date(2025, 8, 18)),
        ),
        afwijkingen=afwijkingen,
    )
    return evaluaties(bereken_tijdlijn(f))


def test_an_evaluatie_deviation_naming_its_number_ends_that_one_and_the_steps_go_to_the_others() -> None:
    reden = "evaluatie 3 overgeslagen: werknemer op vakantie"
    # without a number the date decides: 08-10 is nearest to #4, which ends AFGEWEKEN, and #4's own evaluatie on
    # 08-18 then fulfils #5 early, while #3 stays open (missed): the guess the volgnummer removes
    e = _evaluatie_3_overgeslagen(Afwijking(C.EVALUATIE, date(2025, 8, 10), reden))
    assert [(t.volgnummer, t.status) for t in e[:5]] == [
        (1, S.VERVULD), (2, S.VERVULD), (3, S.OPEN), (4, S.AFGEWEKEN), (5, S.VERVULD),
    ]  # fmt: skip
    genoemd = Afwijking(C.EVALUATIE, date(2025, 8, 10), reden, uuid4(), volgnummer=3)
    e = _evaluatie_3_overgeslagen(genoemd)
    assert [(t.volgnummer, t.status, t.vervuld_op) for t in e[:5]] == [
        (1, S.VERVULD, date(2025, 4, 14)),
        (2, S.VERVULD, date(2025, 5, 26)),
        (3, S.AFGEWEKEN, None),
        (4, S.VERVULD, date(2025, 8, 18)),
        (5, S.OPEN, None),
    ]
    assert (e[2].reden, e[2].bron_event_id) == (reden, genoemd.event_id)
    # and naming #4 ends #4, whatever the date (here #3's); the evaluatie held on 08-18 is then matched among the
    # others: #3 (07-07) and #5 (09-29) are both 42 days away, a tie goes to the earlier one, so #3 is fulfilled late
    e = _evaluatie_3_overgeslagen(replace(genoemd, datum=date(2025, 7, 7), volgnummer=4))
    assert [(t.volgnummer, t.status, t.op_tijd) for t in e[:5]] == [
        (1, S.VERVULD, True), (2, S.VERVULD, True), (3, S.VERVULD, False), (4, S.AFGEWEKEN, None), (5, S.OPEN, None),
    ]  # fmt: skip


def test_an_evaluatie_number_beyond_the_grid_ends_nothing_and_is_reported() -> None:
    buiten = Afwijking(C.EVALUATIE, date(2025, 8, 10), "verkeerd nummer", uuid4(), volgnummer=40)
    f = feiten(Episode(E), stappen=(stap(Stap.PLAN_VAN_AANPAK, date(2025, 3, 3)),), afwijkingen=(buiten,))
    tijdlijn = bereken_tijdlijn_met_waarschuwingen(f)
    assert tijdlijn.termijnen == bereken_tijdlijn(replace(f, afwijkingen=()))
    aantal = len(evaluaties(tijdlijn.termijnen))
    assert [w.tekst.split(": ", 1)[1] for w in tijdlijn.niet_toegepast] == [
        f"dit verzuim heeft geen termijn EVALUATIE nr. 40 (wel nr. 1–{aantal})"
    ]


def test_no_plan_van_aanpak_with_a_motivation_means_nothing_to_evaluate() -> None:
    afwijking = Afwijking(C.PLAN_VAN_AANPAK, date(2025, 2, 20), "geen benutbare mogelijkheden (art. 4 lid 1)")
    tijdlijn = bereken_tijdlijn(feiten(Episode(E), afwijkingen=(afwijking,)))
    assert per_code(tijdlijn)[C.PLAN_VAN_AANPAK].status is S.AFGEWEKEN
    assert evaluaties(tijdlijn) == []


def test_d4_samentelling_vector_decisions_and_wvp_reference_2_4() -> None:
    f = feiten(Episode(date(2022, 1, 3), date(2022, 7, 4)), Episode(date(2022, 7, 25)))
    t = per_code(bereken_tijdlijn(f))
    assert t[C.UWV_42E_WEEK_MELDING].vervaldatum == date(2022, 11, 14)
    assert t[C.WACHTTIJD_EINDE].vervaldatum == date(2024, 1, 21)  # first day after: 2024-01-22
    assert t[C.PROBLEEMANALYSE].vervaldatum == date(2022, 2, 14)  # first episode, unaffected by the later gap
    assert "ziektedag 295" in t[C.UWV_42E_WEEK_MELDING].afleiding
    assert "21 herstelde dag(en) tussen episodes niet meegeteld" in t[C.UWV_42E_WEEK_MELDING].afleiding
    assert "niet meegeteld" not in t[C.PROBLEEMANALYSE].afleiding
    # RIV and WIA count back from the first day after the (shifted) wachttijd
    assert t[C.RE_INTEGRATIEVERSLAG].vervaldatum == date(2024, 1, 22) - timedelta(weeks=13)
    assert t[C.WIA_AANVRAAG].vervaldatum == date(2024, 1, 22) - timedelta(weeks=11)
    assert "eerste dag na de wachttijd 2024-01-22" in t[C.WIA_AANVRAAG].afleiding


@pytest.mark.parametrize(("gap", "same_clock"), [(27, True), (28, False)])
def test_d4_the_boundary_27_and_28_days(gap: int, same_clock: bool) -> None:
    hersteld = date(2025, 3, 1)
    f = feiten(Episode(E, hersteld), Episode(hersteld + timedelta(days=gap)))
    melding = per_code(bereken_tijdlijn(f))[C.UWV_42E_WEEK_MELDING].vervaldatum
    if same_clock:
        assert melding == E + timedelta(days=294 + gap)
    else:  # a new verzuim with its own clock
        assert melding == hersteld + timedelta(days=gap + 294)


def per_sleutel(termijnen: list[Termijn]) -> dict[tuple[TermijnCode, int], Termijn]:
    return {(t.code, t.volgnummer): t for t in termijnen}


def test_d3_vld_moves_the_end_and_the_d3_termijnen_only() -> None:
    zonder = per_sleutel(bereken_tijdlijn(feiten(Episode(E))))
    met = per_sleutel(bereken_tijdlijn(feiten(Episode(E), vld_laatste_dag=date(2027, 7, 4))))
    assert met[(C.WACHTTIJD_EINDE, 1)].vervaldatum == date(2027, 7, 4)
    assert met[(C.RE_INTEGRATIEVERSLAG, 1)].vervaldatum == date(2027, 7, 5) - timedelta(weeks=13)
    assert met[(C.WIA_AANVRAAG, 1)].vervaldatum == date(2027, 7, 5) - timedelta(weeks=11)
    # every termijn, every evaluatie included: the same set, and only the three D3 ones differ
    assert set(met) == set(zonder)
    assert {k for k in zonder if zonder[k] != met[k]} == {(c, 1) for c in D3_CODES}
    assert "VLD tot 2027-07-04" in met[(C.WACHTTIJD_EINDE, 1)].afleiding


def test_a_vld_adds_no_evaluatie_after_the_statutory_end_of_the_wachttijd() -> None:
    # a samengesteld verzuim: 100 sick days, 20 recovered, then running; the VLD lengthens the wachttijd by 100 days
    e = date(2024, 11, 15)
    episodes = (Episode(e, e + timedelta(days=100)), Episode(e + timedelta(days=120)))
    zonder = per_sleutel(bereken_tijdlijn(feiten(*episodes)))
    einde = zonder[(C.WACHTTIJD_EINDE, 1)].vervaldatum
    met = per_sleutel(bereken_tijdlijn(feiten(*episodes, vld_laatste_dag=einde + timedelta(days=100))))
    assert set(met) == set(zonder)  # no EVALUATIE 17, 18 after the statutory end
    assert all(t.vervaldatum <= einde for k, t in met.items() if k[0] is C.EVALUATIE)
    assert {k for k in zonder if zonder[k] != met[k]} == {(c, 1) for c in D3_CODES}


def test_a_vld_that_would_end_the_wachttijd_earlier_is_not_applied_and_says_so() -> None:
    t = per_code(bereken_tijdlijn(feiten(Episode(E), vld_laatste_dag=date(2026, 12, 1))))
    assert t[C.WACHTTIJD_EINDE].vervaldatum == date(2027, 1, 3)
    assert "telt niet" in t[C.WACHTTIJD_EINDE].afleiding


def test_d5_volledig_herstel_makes_open_termijnen_vervallen_and_keeps_fulfilled_ones() -> None:
    f = feiten(Episode(E, date(2025, 3, 10)), stappen=(stap(Stap.PROBLEEMANALYSE, date(2025, 2, 10)),))
    tijdlijn = bereken_tijdlijn(f)
    t = per_code(tijdlijn)
    assert t[C.PROBLEEMANALYSE].status is S.VERVULD and t[C.PROBLEEMANALYSE].op_tijd is True
    assert t[C.UWV_42E_WEEK_MELDING].status is S.VERVALLEN
    assert t[C.UWV_42E_WEEK_MELDING].reden == "volledig hersteld per 2025-03-10"
    # what had passed its verstreken-day (due + 1) by the herstel was no longer open but missed (D5 with D7)
    gemist = {C.ARBODIENST_MELDING, C.BELAFSPRAAK, C.PLAN_VAN_AANPAK}  # due 01-12, 01-20, 02-24
    assert {x.code for x in tijdlijn if x.status is S.VERSTREKEN} == gemist
    assert all(x.reden == VERSTREKEN_REDEN for x in tijdlijn if x.code in gemist)
    assert {x.status for x in tijdlijn if x.code not in gemist | {C.PROBLEEMANALYSE}} == {S.VERVALLEN}
    assert per_code(tijdlijn)[C.UWV_42E_WEEK_MELDING].vervaldatum == date(2025, 10, 27)  # where it would have been


@pytest.mark.parametrize(
    ("vervaldatum", "status"),
    [
        (date(2025, 3, 8), S.VERSTREKEN),  # verstreken on 03-09, before the herstel
        (date(2025, 3, 9), S.VERSTREKEN),  # verstreken on 03-10, the hersteldatum itself
        (date(2025, 3, 10), S.VERVALLEN),  # due on the hersteldatum: still open that day, closed by the herstel
    ],
)
def test_d5_d7_the_boundary_between_verstreken_and_vervallen_at_herstel(vervaldatum: date, status: S) -> None:
    # the plan van aanpak is due 14 days after the probleemanalyse: choose its date to put it on the boundary
    pa = stap(Stap.PROBLEEMANALYSE, vervaldatum - timedelta(days=14))
    f = feiten(Episode(E, date(2025, 3, 10)), stappen=(pa,))
    t = per_code(bereken_tijdlijn(f))[C.PLAN_VAN_AANPAK]
    assert (t.vervaldatum, t.status) == (vervaldatum, status)


def test_d7_fulfilled_and_motivated_termijnen_are_never_verstreken_at_herstel() -> None:
    afwijking = Afwijking(C.ARBODIENST_MELDING, date(2025, 1, 15), "arbodienst gesloten", uuid4())
    f = feiten(
        Episode(E, date(2025, 3, 10)),
        stappen=(stap(Stap.PROBLEEMANALYSE, date(2025, 2, 20)),),  # late, but done
        afwijkingen=(afwijking,),
    )
    t = per_code(bereken_tijdlijn(f))
    assert (t[C.PROBLEEMANALYSE].status, t[C.PROBLEEMANALYSE].op_tijd) == (S.VERVULD, False)
    assert t[C.ARBODIENST_MELDING].status is S.AFGEWEKEN


def test_a_closure_and_a_later_herstelafspraak_close_like_a_herstel() -> None:
    gesloten = per_code(bereken_tijdlijn(feiten(Episode(E), gesloten_op=date(2025, 2, 1), gesloten_reden="uit dienst")))
    assert gesloten[C.ARBODIENST_MELDING].status is S.VERSTREKEN  # due 01-12, missed before the closure
    assert (gesloten[C.PROBLEEMANALYSE].status, gesloten[C.PROBLEEMANALYSE].reden) == (
        S.VERVALLEN,
        "dossier gesloten op 2025-02-01: uit dienst",
    )
    laat = per_code(bereken_tijdlijn(feiten(Episode(E), stappen=(stap(Stap.HERSTELAFSPRAAK, date(2025, 1, 22)),))))
    assert laat[C.BELAFSPRAAK].status is S.VERSTREKEN  # the call was due 01-20: a herstelafspraak after it is too late


def test_d5_a_relapse_reopens_the_clock_and_what_fell_due_before_it_stays_closed() -> None:
    hersteld, terug = date(2025, 1, 20), date(2025, 2, 3)  # 14 days recovered
    f = replace(
        feiten(Episode(E, hersteld), Episode(terug)),
        meldingen=(Ziekmelding(E), Ziekmelding(terug)),
    )
    tijdlijn = bereken_tijdlijn(f)
    t = per_code(tijdlijn)
    # due before the herstel and missed by then: VERSTREKEN; due on the hersteldatum itself: VERVALLEN (D5, D7)
    assert (t[C.ARBODIENST_MELDING].vervaldatum, t[C.ARBODIENST_MELDING].status) == (date(2025, 1, 12), S.VERSTREKEN)
    assert (t[C.PROBLEEMANALYSE].vervaldatum, t[C.PROBLEEMANALYSE].status) == (date(2025, 3, 3), S.OPEN)
    belafspraken = [(x.volgnummer, x.vervaldatum, x.status) for x in tijdlijn if x.code is C.BELAFSPRAAK]
    assert belafspraken == [(1, date(2025, 1, 20), S.VERVALLEN), (2, date(2025, 2, 17), S.OPEN)]


def test_d5_deelherstel_moves_nothing() -> None:
    zonder = feiten(Episode(E))
    met = replace(zonder, deelherstel=(Deelherstel(date(2025, 2, 1), 50), Deelherstel(date(2025, 4, 1), 20)))
    assert bereken_tijdlijn(met) == bereken_tijdlijn(zonder)


def test_d5_a_motivated_deviation_ends_the_termijn_as_afgeweken() -> None:
    afwijking = Afwijking(C.PLAN_VAN_AANPAK, date(2025, 3, 1), "bedrijfsarts: eerst behandeling afwachten", uuid4())
    t = per_code(bereken_tijdlijn(feiten(Episode(E), afwijkingen=(afwijking,))))[C.PLAN_VAN_AANPAK]
    assert (t.status, t.reden, t.bron_event_id) == (S.AFGEWEKEN, afwijking.reden, afwijking.event_id)


def test_a_deviation_recorded_after_the_step_changes_nothing() -> None:
    f = feiten(
        Episode(E),
        stappen=(stap(Stap.PROBLEEMANALYSE, date(2025, 2, 10)),),
        afwijkingen=(Afwijking(C.PROBLEEMANALYSE, date(2025, 2, 12), "te laat ingevoerd"),),
    )
    assert per_code(bereken_tijdlijn(f))[C.PROBLEEMANALYSE].status is S.VERVULD


def test_fulfilment_records_the_date_on_time_and_the_source_event() -> None:
    gedaan = stap(Stap.UWV_42E_WEEK_MELDING, date(2025, 10, 28))
    t = per_code(bereken_tijdlijn(feiten(Episode(E), stappen=(gedaan,))))[C.UWV_42E_WEEK_MELDING]
    assert (t.status, t.vervuld_op, t.op_tijd, t.bron_event_id) == (
        S.VERVULD,
        date(2025, 10, 28),
        False,
        gedaan.event_id,
    )


@pytest.mark.parametrize(
    ("code", "soort"),
    [
        (C.ARBODIENST_MELDING, Stap.ARBODIENST_GEMELD),
        (C.BELAFSPRAAK, Stap.BELAFSPRAAK),
        (C.BELAFSPRAAK, Stap.CONTACTMOMENT),
        (C.PROBLEEMANALYSE, Stap.PROBLEEMANALYSE),
        (C.PLAN_VAN_AANPAK, Stap.PLAN_VAN_AANPAK),
        (C.UWV_42E_WEEK_MELDING, Stap.UWV_42E_WEEK_MELDING),
        (C.EERSTEJAARSEVALUATIE, Stap.EERSTEJAARSEVALUATIE),
        (C.SPOOR_2_START, Stap.SPOOR_2),
        (C.RE_INTEGRATIEVERSLAG, Stap.RE_INTEGRATIEVERSLAG),
        (C.WIA_AANVRAAG, Stap.WIA_AANVRAAG),
    ],
)
def test_every_task_termijn_is_fulfilled_by_its_step(code: TermijnCode, soort: Stap) -> None:
    gedaan = stap(soort, E + timedelta(days=3))
    t = per_code(bereken_tijdlijn(feiten(Episode(E), stappen=(gedaan,))))[code]
    assert (t.status, t.bron_event_id, t.op_tijd) == (S.VERVULD, gedaan.event_id, True)


def test_the_wachttijd_einde_is_a_moment_no_step_fulfils() -> None:
    alles = tuple(stap(s, E + timedelta(days=3)) for s in Stap)
    assert per_code(bereken_tijdlijn(feiten(Episode(E), stappen=alles)))[C.WACHTTIJD_EINDE].status is S.OPEN


def test_a_structural_spoor1_prospect_makes_spoor2_vervallen() -> None:
    eje = stap(Stap.EERSTEJAARSEVALUATIE, date(2026, 1, 5), structureel_spoor1_perspectief=True)
    t = per_code(bereken_tijdlijn(feiten(Episode(E), stappen=(eje,))))[C.SPOOR_2_START]
    assert t.status is S.VERVALLEN and "spoor 1" in (t.reden or "")
    assert t.vervaldatum == date(2026, 2, 16)


def test_a_herstelafspraak_at_the_melding_means_no_belafspraak_and_a_later_one_makes_it_vervallen() -> None:
    assert C.BELAFSPRAAK not in per_code(bereken_tijdlijn(feiten(Episode(E), herstelafspraak=date(2025, 1, 9))))
    later = feiten(Episode(E), stappen=(stap(Stap.HERSTELAFSPRAAK, date(2025, 1, 8)),))
    t = per_code(bereken_tijdlijn(later))[C.BELAFSPRAAK]
    assert (t.status, t.reden) == (S.VERVALLEN, "herstelafspraak gemaakt op 2025-01-08")


def _twee_meldingen(**extra: object) -> tuple[date, DossierFeiten]:
    """E = 2024-11-15, volledig hersteld on E+20, a relapse on E+25: two meldingen, two belafspraken, no call made."""
    e = date(2024, 11, 15)
    hersteld, terug = e + timedelta(days=20), e + timedelta(days=25)
    f = replace(feiten(Episode(e, hersteld), Episode(terug), **extra), meldingen=(Ziekmelding(e), Ziekmelding(terug)))
    return terug, f


def belafspraken(termijnen: list[Termijn]) -> list[tuple[int, TermijnStatus, str | None]]:
    return [(t.volgnummer, t.status, t.reden) for t in termijnen if t.code is C.BELAFSPRAAK]


def test_a_belafspraak_deviation_ends_the_belafspraak_of_the_melding_it_is_dated_in() -> None:
    terug, _ = _twee_meldingen()
    afwijking = Afwijking(C.BELAFSPRAAK, terug + timedelta(days=2), "werknemer opgenomen, niet bereikbaar", uuid4())
    _, f = _twee_meldingen(afwijkingen=(afwijking,))
    assert belafspraken(bereken_tijdlijn(f)) == [
        # the first melding's: due 2024-11-29, missed before the herstel on 2024-12-05 (D7), not motivated
        (1, S.VERSTREKEN, VERSTREKEN_REDEN),
        (2, S.AFGEWEKEN, "werknemer opgenomen, niet bereikbaar"),  # the relapse's: the deviation is dated in it
    ]


def test_a_belafspraak_deviation_in_the_first_meldings_window_leaves_the_relapses_open() -> None:
    afwijking = Afwijking(C.BELAFSPRAAK, date(2024, 11, 20), "telefonisch onbereikbaar, bezoek afgesproken", uuid4())
    _, f = _twee_meldingen(afwijkingen=(afwijking,))
    assert belafspraken(bereken_tijdlijn(f)) == [
        (1, S.AFGEWEKEN, "telefonisch onbereikbaar, bezoek afgesproken"),
        (2, S.OPEN, None),
    ]


def test_a_belafspraak_deviation_naming_the_first_melding_ends_that_one_even_dated_after_the_relapse() -> None:
    """The first melding's missed call, motivated afterwards: with volgnummer 1 the date after the relapse no longer
    sends it to the relapse's belafspraak (without a number it would, see the test above)."""
    terug, _ = _twee_meldingen()
    reden = "achteraf: werknemer was in het ziekenhuis en niet bereikbaar"
    afwijking = Afwijking(C.BELAFSPRAAK, terug + timedelta(days=5), reden, uuid4(), volgnummer=1)
    _, f = _twee_meldingen(afwijkingen=(afwijking,))
    tijdlijn = bereken_tijdlijn_met_waarschuwingen(f)
    assert belafspraken(tijdlijn.termijnen) == [(1, S.AFGEWEKEN, reden), (2, S.OPEN, None)]
    assert [t.bron_event_id for t in tijdlijn.termijnen if t.code is C.BELAFSPRAAK] == [afwijking.event_id, None]
    assert tijdlijn.niet_toegepast == ()
    # numbered 2, dated in the first melding's window: the relapse's, not the first one's
    vroeg = replace(afwijking, datum=date(2024, 11, 20), volgnummer=2)
    _, f = _twee_meldingen(afwijkingen=(vroeg,))
    assert belafspraken(bereken_tijdlijn(f)) == [(1, S.VERSTREKEN, VERSTREKEN_REDEN), (2, S.AFGEWEKEN, reden)]


def test_a_deviation_naming_an_occurrence_that_does_not_exist_ends_nothing_and_is_reported() -> None:
    terug, _ = _twee_meldingen()
    geen = Afwijking(C.BELAFSPRAAK, terug + timedelta(days=1), "derde melding?", uuid4(), volgnummer=3)
    _, f = _twee_meldingen(afwijkingen=(geen,))
    zonder = bereken_tijdlijn(_twee_meldingen()[1])
    tijdlijn = bereken_tijdlijn_met_waarschuwingen(f)
    assert tijdlijn.termijnen == zonder  # nothing changed: not the relapse's either, though it is dated in it
    (waarschuwing,) = tijdlijn.niet_toegepast
    assert waarschuwing.event_id == geen.event_id
    assert waarschuwing.tekst == (
        "TermijnAfwijkingGemotiveerd van 2024-12-11 (BELAFSPRAAK nr. 3) is niet toegepast: dit verzuim heeft geen "
        "termijn BELAFSPRAAK nr. 3 (wel nr. 1–2)"
    )
    # a one-off termijn has only number 1; a plan van aanpak motivated away leaves no evaluatie to name
    pva = Afwijking(C.PLAN_VAN_AANPAK, date(2025, 2, 20), "geen benutbare mogelijkheden", uuid4())
    tweede = Afwijking(C.PLAN_VAN_AANPAK, date(2025, 2, 21), "nog eens", uuid4(), volgnummer=2)
    evaluatie = Afwijking(C.EVALUATIE, date(2025, 4, 1), "niets te evalueren", uuid4(), volgnummer=1)
    tijdlijn = bereken_tijdlijn_met_waarschuwingen(feiten(Episode(E), afwijkingen=(pva, tweede, evaluatie)))
    assert per_code(tijdlijn.termijnen)[C.PLAN_VAN_AANPAK].bron_event_id == pva.event_id
    assert [(w.event_id, w.tekst.split(": ", 1)[1]) for w in tijdlijn.niet_toegepast] == [
        (tweede.event_id, "dit verzuim heeft geen termijn PLAN_VAN_AANPAK nr. 2 (wel nr. 1)"),
        (evaluatie.event_id, "dit verzuim heeft geen termijn EVALUATIE nr. 1 (geen enkele van deze code)"),
    ]


def test_a_numbered_deviation_of_an_earlier_verzuim_ends_nothing_now_and_says_so() -> None:
    """A correction can make a gap of 28 days or more: the current verzuim starts a clock of its own (D4) and its
    termijnen are numbered afresh, so a deviation dated in the earlier verzuim cannot mean one of them."""
    hersteld, opnieuw = date(2025, 2, 3), date(2025, 3, 10)  # 35 days apart
    eerder = Afwijking(C.BELAFSPRAAK, date(2025, 1, 15), "onbereikbaar", uuid4(), volgnummer=1)
    f = replace(
        feiten(Episode(E, hersteld), Episode(opnieuw), afwijkingen=(eerder,)),
        meldingen=(Ziekmelding(E), Ziekmelding(opnieuw)),
    )
    tijdlijn = bereken_tijdlijn_met_waarschuwingen(f)
    assert belafspraken(tijdlijn.termijnen) == [(1, S.OPEN, None)]  # the current verzuim's one melding
    assert [w.tekst.split(": ", 1)[1] for w in tijdlijn.niet_toegepast] == [
        "de datum ligt vóór dit verzuim (eerste ziektedag 2025-03-10); de termijnen van een eerder verzuim worden "
        "niet meer bewaakt"
    ]


def test_a_numbered_deviation_after_the_fulfilling_step_ends_nothing_and_says_so() -> None:
    """Decisions D5, whichever came first: the step; the late deviation is reported, not silently dropped."""
    terug, _ = _twee_meldingen()
    bel = stap(Stap.CONTACTMOMENT, date(2024, 11, 18))
    laat = Afwijking(C.BELAFSPRAAK, terug + timedelta(days=1), "toch niet gebeld?", uuid4(), volgnummer=1)
    dubbel = [Afwijking(C.BELAFSPRAAK, terug + timedelta(days=d), f"reden {d}", uuid4(), volgnummer=2) for d in (2, 3)]
    _, f = _twee_meldingen(stappen=(bel,), afwijkingen=(laat, *dubbel))
    tijdlijn = bereken_tijdlijn_met_waarschuwingen(f)
    assert belafspraken(tijdlijn.termijnen) == [(1, S.VERVULD, None), (2, S.AFGEWEKEN, "reden 2")]
    assert [(w.event_id, w.tekst.split(": ", 1)[1]) for w in tijdlijn.niet_toegepast] == [
        (laat.event_id, "termijn BELAFSPRAAK nr. 1 was al vervuld op 2024-11-18"),
        (dubbel[1].event_id, "termijn BELAFSPRAAK nr. 2 is al eerder gemotiveerd afgeweken"),
    ]


def test_a_call_fulfils_the_belafspraak_of_its_own_melding_only() -> None:
    terug, _ = _twee_meldingen()
    bel = stap(Stap.CONTACTMOMENT, terug + timedelta(days=3))
    _, f = _twee_meldingen(stappen=(bel,))
    t = [x for x in bereken_tijdlijn(f) if x.code is C.BELAFSPRAAK]
    assert [(x.volgnummer, x.status, x.bron_event_id) for x in t] == [
        (1, S.VERSTREKEN, None),  # not called: missed before the herstel
        (2, S.VERVULD, bel.event_id),
    ]


def test_the_belafspraak_counts_from_the_day_of_the_ziekmelding() -> None:
    t = per_code(bereken_tijdlijn(feiten(Episode(E), gemeld=date(2025, 1, 7))))[C.BELAFSPRAAK]
    assert t.vervaldatum == date(2025, 1, 21)
    assert t.afleiding == "ziekmelding op 2025-01-07 + 10 werkdagen, zonder herstelafspraak: 2025-01-21"


def test_a_closed_dossier_lets_its_open_termijnen_vervallen() -> None:
    t = per_code(bereken_tijdlijn(feiten(Episode(E), gesloten_op=date(2025, 5, 1), gesloten_reden="uit dienst")))
    assert (t[C.UWV_42E_WEEK_MELDING].status, t[C.UWV_42E_WEEK_MELDING].reden) == (
        S.VERVALLEN,
        "dossier gesloten op 2025-05-01: uit dienst",
    )


def test_the_arbodienst_day_is_the_werkgevers_choice() -> None:
    t = per_code(bereken_tijdlijn(feiten(Episode(E)), Werkgeverregels(arbodienst_melding_ziektedag=4)))
    assert t[C.ARBODIENST_MELDING].vervaldatum == date(2025, 1, 9)
    assert "ziektedag 4 (werkgeverregel)" in t[C.ARBODIENST_MELDING].afleiding


def test_every_termijn_names_its_legal_basis_and_its_date_in_its_derivation() -> None:
    for t in bereken_tijdlijn(feiten(Episode(E))):
        assert t.grondslag and t.afleiding
        assert t.vervaldatum.isoformat() in t.afleiding, t
    grondslag = per_code(bereken_tijdlijn(feiten(Episode(E))))
    assert "Ziektewet art. 38 lid 1" in grondslag[C.UWV_42E_WEEK_MELDING].grondslag
    assert "WIA art. 64 lid 3" in grondslag[C.WIA_AANVRAAG].grondslag  # not the pre-2013 week 91
    assert "WIA art. 25 lid 3" in grondslag[C.RE_INTEGRATIEVERSLAG].grondslag
    assert "art. 4 lid 1" in grondslag[C.PLAN_VAN_AANPAK].grondslag


def test_werkgeverregels_refuse_values_outside_their_range() -> None:
    for kwargs in (
        {"arbodienst_melding_ziektedag": 0},
        {"evaluatie_interval_dagen": 3},
        {"belafspraak_werkdagen": 0},
        {"nadert_dagen": {C.PROBLEEMANALYSE: 91}},
    ):
        with pytest.raises(ValueError):
            Werkgeverregels(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- D6 werkdagen


@pytest.mark.parametrize(
    ("start", "verwacht", "overgeslagen"),
    [
        (date(2025, 4, 24), date(2025, 5, 9), [date(2025, 5, 5)]),  # Bevrijdingsdag, every year (wvp-reference §9.3)
        (date(2025, 4, 28), date(2025, 5, 13), [date(2025, 5, 5)]),  # wvp-reference §9.3
        (date(2026, 4, 23), date(2026, 5, 11), [date(2026, 4, 27), date(2026, 5, 5)]),  # Koningsdag on a Monday
        (
            date(2025, 4, 17),
            date(2025, 5, 6),
            [date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5)],
        ),  # Goede Vrijdag, Tweede Paasdag
        (date(2025, 5, 26), date(2025, 6, 11), [date(2025, 5, 29), date(2025, 6, 9)]),  # Hemelvaart, Pinkstermaandag
        (date(2027, 3, 25), date(2027, 4, 12), [date(2027, 3, 26), date(2027, 3, 29)]),  # Easter 2027, computed
        (date(2031, 5, 19), date(2031, 6, 4), [date(2031, 5, 22), date(2031, 6, 2)]),  # Hemelvaart, Pinksteren 2031
    ],
)
def test_werkdagen_skip_weekends_and_dutch_holidays(start: date, verwacht: date, overgeslagen: list[date]) -> None:
    kalender = Werkdagkalender()
    assert kalender.plus_werkdagen(start, 10) == verwacht
    assert kalender.niet_meegeteld(start, verwacht) == overgeslagen


@pytest.mark.parametrize("jaar", [2025, 2026, 2027, 2029])
def test_bevrijdingsdag_is_a_day_off_every_year_not_only_in_lustrum_years(jaar: int) -> None:
    vijf_mei = date(jaar, 5, 5)
    assert not Werkdagkalender().is_werkdag(vijf_mei)  # wvp-reference §9.2: holidays.NL() alone misses it


def test_koningsdag_on_a_sunday_moves_to_saturday() -> None:
    kalender = Werkdagkalender()
    assert not kalender.is_werkdag(date(2025, 4, 26))  # Saturday anyway, but a holiday (wvp-reference §9.3)
    assert kalender.is_werkdag(date(2025, 4, 28))
    assert not kalender.is_werkdag(date(2026, 4, 27))  # Monday


def test_easter_monday_and_ascension_day_are_days_off() -> None:
    kalender = Werkdagkalender()
    for dag in (date(2025, 4, 21), date(2026, 4, 6), date(2025, 5, 29), date(2026, 5, 14)):
        assert not kalender.is_werkdag(dag), dag
    assert kalender.plus_werkdagen(date(2025, 4, 17), 1) == date(2025, 4, 22)  # over Goede Vrijdag and Easter Monday


def test_a_werkgevers_extra_day_off_shifts_the_belafspraak() -> None:
    regels = Werkgeverregels(extra_vrije_dagen=frozenset({date(2025, 1, 10)}))
    t = per_code(bereken_tijdlijn(feiten(Episode(E)), regels))[C.BELAFSPRAAK]
    assert t.vervaldatum == date(2025, 1, 21)
    assert "niet meegeteld (feestdag of vrije dag): 2025-01-10" in t.afleiding


def test_a_belafspraak_over_koningsdag_and_bevrijdingsdag() -> None:
    t = per_code(bereken_tijdlijn(feiten(Episode(date(2026, 4, 23)))))[C.BELAFSPRAAK]
    assert t.vervaldatum == date(2026, 5, 11)
    assert t.afleiding.endswith("niet meegeteld (feestdag of vrije dag): 2026-04-27, 2026-05-05")


def test_d6_wvp_deadlines_never_move_for_weekends_or_holidays() -> None:
    # E + 294 of this case falls on 2025-12-25 (Christmas): the 42-week melding stays there (decisions D6)
    e = date(2025, 12, 25) - timedelta(days=294)
    assert per_code(bereken_tijdlijn(feiten(Episode(e))))[C.UWV_42E_WEEK_MELDING].vervaldatum == date(2025, 12, 25)
    # a Saturday E: the probleemanalyse is due on a Saturday too
    assert per_code(bereken_tijdlijn(feiten(Episode(date(2025, 1, 4)))))[C.PROBLEEMANALYSE].vervaldatum == date(
        2025, 2, 15
    )


# --------------------------------------------------------------------------------------------- properties

datums_st = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
stappen_st = st.lists(st.tuples(st.sampled_from(list(Stap)), st.integers(min_value=0, max_value=800)), max_size=8)


@settings(max_examples=200, deadline=None)
@given(e=datums_st, later=st.integers(min_value=1, max_value=400), stappen=stappen_st)
def test_property_due_dates_never_move_earlier_when_e_moves_later(
    e: date, later: int, stappen: list[tuple[Stap, int]]
) -> None:
    feiten_stappen = tuple(Stapfeit(s, e + timedelta(days=d)) for s, d in stappen)  # the same dates in both
    eerst = datums(bereken_tijdlijn(feiten(Episode(e), stappen=feiten_stappen)))
    verschoven = e + timedelta(days=later)
    dan = datums(bereken_tijdlijn(feiten(Episode(verschoven), stappen=feiten_stappen)))
    assert all(dan[k] >= eerst[k] for k in eerst if k in dan)
    assert {k for k in eerst if k[0] is not C.EVALUATIE} <= set(dan)


@settings(max_examples=200, deadline=None)
@given(e=datums_st, ziek=st.integers(min_value=1, max_value=700), gap=st.integers(min_value=0, max_value=27))
def test_property_a_gap_under_28_days_shifts_later_sick_day_deadlines_by_the_gap(e: date, ziek: int, gap: int) -> None:
    hersteld = e + timedelta(days=ziek)
    zonder = per_code(bereken_tijdlijn(feiten(Episode(e))))
    met = per_code(bereken_tijdlijn(feiten(Episode(e, hersteld), Episode(hersteld + timedelta(days=gap)))))
    for code in (*D1_CODES, C.WACHTTIJD_EINDE):
        if zonder[code].vervaldatum < hersteld:
            assert met[code].vervaldatum == zonder[code].vervaldatum
        else:
            assert met[code].vervaldatum == zonder[code].vervaldatum + timedelta(days=gap)
    for code in D3_CODES:  # they count back from the end of the wachttijd, which is a sick day after the gap
        assert met[code].vervaldatum == zonder[code].vervaldatum + timedelta(days=gap)


@st.composite
def episodes_st(draw: st.DrawFn, e: date) -> tuple[Episode, ...]:
    """One running episode, or a samengesteld verzuim: episodes with gaps under 28 days, the last one running or
    ended (volledig herstel)."""
    episodes: list[Episode] = []
    begin = e
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        hersteld = begin + timedelta(days=draw(st.integers(min_value=1, max_value=200)))
        episodes.append(Episode(begin, hersteld))
        begin = hersteld + timedelta(days=draw(st.integers(min_value=1, max_value=27)))
    einde = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=400)))
    episodes.append(Episode(begin, begin + timedelta(days=einde) if einde else None))
    return tuple(episodes)


def afwijkingen_st(e: date, max_size: int = 3) -> st.SearchStrategy[tuple[Afwijking, ...]]:
    """Motivated deviations of any code, dated from E on, with or without a volgnummer (some beyond what exists)."""
    afwijking = st.builds(
        lambda code, d, n: Afwijking(code, e + timedelta(days=d), f"gemotiveerd {d}", uuid4(), volgnummer=n),
        st.sampled_from(list(C)),
        st.integers(min_value=0, max_value=800),
        st.one_of(st.none(), st.integers(min_value=1, max_value=20)),
    )
    return st.lists(afwijking, max_size=max_size).map(tuple)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), e=datums_st, extra=st.integers(min_value=1, max_value=730), stappen=stappen_st)
def test_property_a_vld_moves_only_the_d3_termijnen(
    data: st.DataObject, e: date, extra: int, stappen: list[tuple[Stap, int]]
) -> None:
    episodes = data.draw(episodes_st(e))
    feiten_stappen = tuple(Stapfeit(s, e + timedelta(days=d)) for s, d in stappen)
    afwijkingen = data.draw(afwijkingen_st(e))
    zonder = per_sleutel(bereken_tijdlijn(feiten(*episodes, stappen=feiten_stappen, afwijkingen=afwijkingen)))
    einde = zonder[(C.WACHTTIJD_EINDE, 1)].vervaldatum
    vld = einde + timedelta(days=extra)
    met = per_sleutel(
        bereken_tijdlijn(feiten(*episodes, stappen=feiten_stappen, afwijkingen=afwijkingen, vld_laatste_dag=vld))
    )
    # Strict: the same termijnen (every EVALUATIE number included), each identical in every field, except the three
    # D3 ones, whose dates move by exactly the extension.
    assert set(met) == set(zonder)
    assert {k: t for k, t in met.items() if k[0] not in D3_CODES} == {
        k: t for k, t in zonder.items() if k[0] not in D3_CODES
    }
    assert all(met[k].vervaldatum - zonder[k].vervaldatum == timedelta(days=extra) for k in zonder if k[0] in D3_CODES)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), e=datums_st, stappen=stappen_st)
def test_property_a_numbered_deviation_ends_its_own_occurrence_or_is_reported_and_touches_nothing_else(
    data: st.DataObject, e: date, stappen: list[tuple[Stap, int]]
) -> None:
    episodes = data.draw(episodes_st(e))
    f = feiten(
        *episodes,
        stappen=tuple(Stapfeit(s, e + timedelta(days=d), uuid4()) for s, d in stappen),
        afwijkingen=data.draw(afwijkingen_st(e)),
    )
    code = data.draw(st.sampled_from(list(C)))
    x = Afwijking(
        code, e + timedelta(days=data.draw(st.integers(-30, 800))), "genoemd", uuid4(), data.draw(st.integers(1, 20))
    )
    voor = bereken_tijdlijn_met_waarschuwingen(f)
    na = bereken_tijdlijn_met_waarschuwingen(replace(f, afwijkingen=(*f.afwijkingen, x)))
    sleutel = (code, x.volgnummer)
    # A plan van aanpak motivated away has no evaluaties; otherwise only the named occurrence can change.
    afhankelijk = {C.EVALUATIE} if code is C.PLAN_VAN_AANPAK else set()
    assert {k: t for k, t in per_sleutel(na.termijnen).items() if k != sleutel and k[0] not in afhankelijk} == {
        k: t for k, t in per_sleutel(voor.termijnen).items() if k != sleutel and k[0] not in afhankelijk
    }
    gemeld = [w for w in na.niet_toegepast if w.event_id == x.event_id]
    genoemd = per_sleutel(na.termijnen).get(sleutel)
    event("toegepast" if genoemd is not None and genoemd.bron_event_id == x.event_id else "gemeld")
    if genoemd is not None and genoemd.bron_event_id == x.event_id:
        assert (genoemd.status, genoemd.reden, gemeld) == (S.AFGEWEKEN, "genoemd", [])
    else:
        assert genoemd == per_sleutel(voor.termijnen).get(sleutel) and len(gemeld) == 1


# The dossier events as the cases service publishes them, so properties run through the service's own entrypoint:
# the events folded into facts (`feiten_uit_events`), then the timeline (`bereken_tijdlijn`), as `Termijnbewaking` does.
NL = ZoneInfo("Europe/Amsterdam")
DOSSIER = uuid4()


def _om(dag: date) -> datetime:
    return datetime.combine(dag, time(9), NL)


def _basis(dag: date, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": uuid4(),
        "werkgever_id": "wg",
        "geregistreerd_op": _om(dag),
        "actor": Actor(id="hr-1", rol=Rol.HR),
        "dossier_id": DOSSIER,
        "versie": 1,  # numbered by position when the list is complete
        "werknemer_id": "wn",
        **extra,
    }


def _stap_event(soort: Stap, dag: date) -> DossierEvent:
    velden: dict[Stap, tuple[type[DossierEvent], dict[str, Any]]] = {
        Stap.ARBODIENST_GEMELD: (ArbodienstGemeld, {}),
        Stap.BELAFSPRAAK: (BelafspraakGemaakt, {"bellen_op": _om(dag)}),
        Stap.CONTACTMOMENT: (ContactmomentVastgelegd, {"met_rol": "leidinggevende"}),
        Stap.HERSTELAFSPRAAK: (HerstelafspraakGemaakt, {"herstel_verwacht_op": dag + timedelta(days=7)}),
        Stap.PROBLEEMANALYSE: (ProbleemanalyseOntvangen, {"mogelijkheden": "m", "beperkingen": "b", "advies": "a"}),
        Stap.PLAN_VAN_AANPAK: (
            PlanVanAanpakVastgesteld,
            {
                "doelen": ["d"],
                "activiteiten": ["a"],
                "casemanager_id": "cm",
                "evaluatiemomenten": [],
                "akkoord_werknemer": True,
            },
        ),
        Stap.EVALUATIE: (EvaluatieVastgelegd, {"bijstelling": False}),
        Stap.UWV_42E_WEEK_MELDING: (Uwv42eWeeksmeldingGedaan, {}),
        Stap.EERSTEJAARSEVALUATIE: (EerstejaarsevaluatieVastgelegd, {"structureel_spoor1_perspectief": False}),
        Stap.SPOOR_2: (Spoor2Gestart, {}),
        Stap.RE_INTEGRATIEVERSLAG: (ReIntegratieverslagCompleet, {}),
        Stap.WIA_AANVRAAG: (WiaAangevraagd, {}),
    }
    soort_event, extra = velden[soort]
    return soort_event(**_basis(dag, datum=dag, **extra))


def _herstel(dag: date, soort: HerstelSoort, percentage: int) -> HerstelGeregistreerd:
    return HerstelGeregistreerd(
        **_basis(dag, herstel_id=uuid4(), soort=soort, hersteldatum=dag, arbeidsongeschiktheidspercentage=percentage)
    )


def _episode_events(episodes: tuple[Episode, ...]) -> list[DossierEvent]:
    e = episodes[0].eerste_ziektedag
    events: list[DossierEvent] = [DossierGeopend(**_basis(e, melding_id=uuid4(), eerste_ziektedag=e, gemeld_op=_om(e)))]
    for i, episode in enumerate(episodes):
        if i > 0:
            vorige = episodes[i - 1].hersteldatum
            assert vorige is not None
            begin = episode.eerste_ziektedag
            events.append(
                EpisodeToegevoegd(
                    **_basis(
                        begin, datum=begin, melding_id=uuid4(), eerste_ziektedag=begin, gemeld_op=_om(begin),
                        hersteld_dagen_tussen=(begin - vorige).days,
                    )
                )
            )  # fmt: skip
        if episode.hersteldatum is not None:
            events.append(_herstel(episode.hersteldatum, HerstelSoort.VOLLEDIG, 0))
    return events


def _genummerd(events: list[DossierEvent]) -> list[DossierEvent]:
    return [event.model_copy(update={"versie": i}) for i, event in enumerate(events, start=1)]


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    e=datums_st,
    deel=st.lists(
        st.tuples(st.integers(min_value=1, max_value=700), st.integers(min_value=1, max_value=99)), max_size=5
    ),
    stappen=stappen_st,
)
def test_property_deelherstel_changes_nothing(
    data: st.DataObject, e: date, deel: list[tuple[int, int]], stappen: list[tuple[Stap, int]]
) -> None:
    """Deelherstel (HerstelGeregistreerd, soort gedeeltelijk) among the dossier's events, anywhere in their order,
    folded by the service's own entrypoint: the timeline is exactly the one without it (D5)."""
    episodes = data.draw(episodes_st(e))
    zonder = _episode_events(episodes)
    zonder += [_stap_event(s, e + timedelta(days=d)) for s, d in stappen]
    met = list(zonder)
    for d, percentage in deel:  # each at a drawn place after the opening
        plek = data.draw(st.integers(min_value=1, max_value=len(met)))
        met.insert(plek, _herstel(e + timedelta(days=d), HerstelSoort.GEDEELTELIJK, percentage))
    feiten_zonder, feiten_met = feiten_uit_events(_genummerd(zonder)), feiten_uit_events(_genummerd(met))
    # the deelherstel reached the facts (so a rule that read it would show here) and nothing was refused
    assert sorted((x.datum, x.arbeidsongeschiktheidspercentage) for x in feiten_met.deelherstel) == sorted(
        (e + timedelta(days=d), p) for d, p in deel
    )
    assert feiten_met.episodes == feiten_zonder.episodes == episodes
    assert feiten_met.waarschuwingen == feiten_zonder.waarschuwingen == ()
    assert bereken_tijdlijn(feiten_met) == bereken_tijdlijn(feiten_zonder)

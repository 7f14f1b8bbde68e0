"""Pure rules: frequent verzuim (decisions D8), the regiemodel version in force, back-off and dead-lettering."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from verzuim_notifications.domain.aflevering import (
    Afleverfout,
    AfleverStatus,
    Backoff,
    http_fout,
    laatste_digestdag,
    na_poging,
)
from verzuim_notifications.domain.frequent_verzuim import FrequentSignaal, Melding, beoordeel, nieuwe_signalen
from verzuim_notifications.domain.presets import preset
from verzuim_notifications.domain.regiemodel import (
    FrequentVerzuimInstelling,
    RegiemodelVersie,
    TerugwerkendeKracht,
    VersieConflict,
    controleer_nieuwe_versie,
    geldend_op,
    geldig_tot,
    model_naar_json,
    model_uit_json,
    pas_aan,
)
from verzuim_shared.clock import NL

E = date(2025, 6, 2)


def melding(e: date) -> Melding:
    return Melding(uuid4(), e)


# ------------------------------------------------------------------ frequent verzuim


def test_the_third_melding_within_365_days_is_frequent_verzuim() -> None:
    eerdere = [melding(E - timedelta(days=300)), melding(E - timedelta(days=100))]
    uitkomst = beoordeel(eerdere, melding(E), FrequentVerzuimInstelling())
    assert uitkomst is not None
    assert (uitkomst.signaal, uitkomst.aantal) == (FrequentSignaal.DREMPEL, 3)
    assert (uitkomst.venster_begin, uitkomst.venster_eind) == (E - timedelta(days=364), E)


def test_the_window_is_365_days_ending_on_the_new_melding() -> None:
    instelling = FrequentVerzuimInstelling()
    binnen = [melding(E - timedelta(days=364)), melding(E - timedelta(days=10))]
    buiten = [melding(E - timedelta(days=365)), melding(E - timedelta(days=10))]
    assert beoordeel(binnen, melding(E), instelling) is not None
    assert beoordeel(buiten, melding(E), instelling) is None


def test_the_second_melding_gives_an_early_signal_only_when_wanted() -> None:
    eerdere = [melding(E - timedelta(days=30))]
    assert beoordeel(eerdere, melding(E), FrequentVerzuimInstelling()) is None
    vroeg = beoordeel(eerdere, melding(E), FrequentVerzuimInstelling(vroeg_signaal=True))
    assert vroeg is not None and (vroeg.signaal, vroeg.aantal) == (FrequentSignaal.VROEG, 2)


def test_threshold_and_window_are_configurable() -> None:
    eerdere = [melding(E - timedelta(days=150)), melding(E - timedelta(days=100)), melding(E - timedelta(days=50))]
    assert beoordeel(eerdere, melding(E), FrequentVerzuimInstelling(drempel=4, venster_dagen=180)) is not None
    assert beoordeel(eerdere, melding(E), FrequentVerzuimInstelling(drempel=4, venster_dagen=120)) is None
    assert beoordeel(eerdere, melding(E), FrequentVerzuimInstelling(drempel=5)) is None


def test_a_redelivered_melding_and_later_meldingen_do_not_count() -> None:
    nieuw = melding(E)
    eerdere = [nieuw, nieuw, melding(E - timedelta(days=20)), melding(E + timedelta(days=5))]
    assert beoordeel(eerdere, nieuw, FrequentVerzuimInstelling()) is None


@given(st.lists(st.integers(min_value=0, max_value=800), max_size=12), st.integers(2, 6), st.integers(30, 730))
def test_the_signal_matches_a_plain_count(afstanden: list[int], drempel: int, venster: int) -> None:
    eerdere = [melding(E - timedelta(days=d)) for d in afstanden]
    nieuw = melding(E)
    uitkomst = beoordeel(eerdere, nieuw, FrequentVerzuimInstelling(drempel=drempel, venster_dagen=venster))
    # one on the same day counts when it comes first in the fixed order of the same day (by melding id)
    aantal = 1 + sum(
        1
        for d, m in zip(afstanden, eerdere, strict=True)
        if d < venster and (d > 0 or str(m.melding_id) < str(nieuw.melding_id))
    )
    assert (uitkomst is not None) == (aantal >= drempel)
    if uitkomst is not None:
        assert (uitkomst.aantal, uitkomst.melding_id) == (aantal, nieuw.melding_id)


def test_two_meldingen_on_one_day_complete_the_threshold_once() -> None:
    eerste = melding(E - timedelta(days=100))
    a, b = sorted((melding(E), melding(E)), key=lambda m: str(m.melding_id))
    instelling = FrequentVerzuimInstelling()
    assert beoordeel([eerste, a, b], a, instelling) is None
    assert beoordeel([eerste, a, b], b, instelling) is not None


def aankomst(volgorde: list[Melding], instelling: FrequentVerzuimInstelling) -> list[tuple[Melding, int]]:
    """Hand the meldingen over one by one, as the service does: each with those that came before, and the signals
    given so far. Every signal raised, as (the melding that completes it, its count)."""
    gezien: list[Melding] = []
    gegeven: set[tuple[object, FrequentSignaal]] = set()
    signalen: list[tuple[Melding, int]] = []
    per_id = {m.melding_id: m for m in volgorde}
    for m in volgorde:
        for u in nieuwe_signalen(gezien, m, instelling, gegeven):
            assert (u.melding_id, u.signaal) not in gegeven
            gegeven.add((u.melding_id, u.signaal))
            signalen.append((per_id[u.melding_id], u.aantal))
        gezien.append(m)
    return signalen


def test_meldingen_that_arrive_newest_first_still_signal() -> None:
    # six meldingen 50 days apart, the newest first (as bench/notifications.py publishes them)
    zes = [melding(E - timedelta(days=50 * j)) for j in range(6)]
    signalen = aankomst(zes, FrequentVerzuimInstelling())
    # each of the four newest completes the threshold in its own window, found when the third melding of that window
    # arrived (in date order they would have been found with 3, 4, 5 and 6 meldingen: the same four signals)
    assert sorted(signalen, key=lambda s: s[0].eerste_ziektedag) == [(zes[j], 3) for j in (3, 2, 1, 0)]


def test_a_late_melding_counts_against_the_later_ones() -> None:
    instelling = FrequentVerzuimInstelling(vroeg_signaal=True)
    januari, juli = melding(E - timedelta(days=150)), melding(E)
    assert [(u.signaal, u.melding_id) for u in nieuwe_signalen([januari], juli, instelling)] == [
        (FrequentSignaal.VROEG, juli.melding_id)
    ]
    # a melding from March is entered only now: July now completes the threshold, March itself only comes second
    maart = melding(E - timedelta(days=90))
    gegeven = {(juli.melding_id, FrequentSignaal.VROEG)}
    [vroeg_maart, drempel_juli] = nieuwe_signalen([januari, juli], maart, instelling, gegeven)
    assert (vroeg_maart.signaal, vroeg_maart.melding_id, vroeg_maart.aantal) == (
        FrequentSignaal.VROEG,
        maart.melding_id,
        2,
    )
    assert (drempel_juli.signaal, drempel_juli.melding_id, drempel_juli.aantal) == (
        FrequentSignaal.DREMPEL,
        juli.melding_id,
        3,
    )
    assert (drempel_juli.venster_begin, drempel_juli.venster_eind) == (E - timedelta(days=364), E)
    # a melding that falls outside every later window changes nothing for them
    oud = melding(E - timedelta(days=600))
    assert (
        nieuwe_signalen([januari, maart, juli], oud, instelling, gegeven | {(juli.melding_id, FrequentSignaal.DREMPEL)})
        == []
    )


@given(
    st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=9),
    st.integers(2, 4),
    st.integers(30, 400),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_the_signals_do_not_depend_on_the_order_of_arrival(
    dagen: list[int], drempel: int, venster: int, vroeg: bool, willekeur: random.Random
) -> None:
    instelling = FrequentVerzuimInstelling(drempel=drempel, venster_dagen=venster, vroeg_signaal=vroeg)
    meldingen = [melding(E - timedelta(days=d)) for d in dagen]
    # what a melding means among all of them, each once
    verwacht = sorted(
        (str(u.melding_id), u.signaal.value, u.aantal)
        for m in meldingen
        if (u := beoordeel(meldingen, m, instelling)) is not None
    )
    door_elkaar = list(meldingen)
    willekeur.shuffle(door_elkaar)
    in_volgorde = sorted(meldingen, key=lambda m: (m.eerste_ziektedag, str(m.melding_id)))
    for volgorde in (in_volgorde, door_elkaar):
        gegeven: set[tuple[object, FrequentSignaal]] = set()
        gezien: list[Melding] = []
        for m in volgorde:
            for u in nieuwe_signalen(gezien, m, instelling, gegeven):
                assert (u.melding_id, u.signaal) not in gegeven
                gegeven.add((u.melding_id, u.signaal))
            gezien.append(m)
        # every melding's final meaning was raised once; an early signal may come before its melding's threshold
        drempels = sorted((str(i), s.value) for i, s in gegeven if s is FrequentSignaal.DREMPEL)
        assert drempels == sorted((i, s) for i, s, _ in verwacht if s == "drempel")


# ------------------------------------------------------------------ regiemodel versions

T = datetime(2025, 3, 1, 9, tzinfo=UTC)


def versie(n: int, vanaf: datetime, basis: str = "model-i") -> RegiemodelVersie:
    return RegiemodelVersie("wg", None, n, vanaf, preset(basis), vanaf, "hr-1", "hr")


def test_the_version_in_force_is_the_latest_that_started() -> None:
    versies = [versie(1, T), versie(2, T + timedelta(days=10), "model-ii"), versie(3, T + timedelta(days=20))]
    assert geldend_op(versies, T - timedelta(seconds=1)) is None
    assert geldend_op(versies, T).versie == 1  # type: ignore[union-attr]
    assert geldend_op(versies, T + timedelta(days=10)).versie == 2  # type: ignore[union-attr]
    assert geldend_op(versies, T + timedelta(days=19, hours=23)).versie == 2  # type: ignore[union-attr]
    assert geldend_op(versies, T + timedelta(days=400)).versie == 3  # type: ignore[union-attr]


def test_a_planned_version_replaced_before_it_started_never_applied() -> None:
    versies = [versie(1, T), versie(2, T + timedelta(days=10)), versie(3, T + timedelta(days=10), "model-iii")]
    assert geldend_op(versies, T + timedelta(days=11)).versie == 3  # type: ignore[union-attr]
    tot = geldig_tot(versies)
    assert tot == {1: T + timedelta(days=10), 2: T + timedelta(days=10), 3: None}


def test_a_change_cannot_apply_retroactively_nor_on_a_stale_version() -> None:
    assert controleer_nieuwe_versie(2, verwachte_versie=2, geldig_vanaf=T, nu=T) == 3
    with pytest.raises(TerugwerkendeKracht):
        controleer_nieuwe_versie(2, verwachte_versie=None, geldig_vanaf=T - timedelta(seconds=1), nu=T)
    with pytest.raises(VersieConflict):
        controleer_nieuwe_versie(2, verwachte_versie=1, geldig_vanaf=T, nu=T)


def test_a_model_survives_its_json_form() -> None:
    model = pas_aan(
        preset("verzuim-support"),
        regels={"termijn_nadert:EVALUATIE": []},
        frequent_verzuim=FrequentVerzuimInstelling(drempel=4, vroeg_signaal=True),
    )
    assert model_uit_json(model_naar_json(model)) == model
    assert model.aangepast == ("regels.termijn_nadert:EVALUATIE", "frequent_verzuim")


@pytest.mark.parametrize("sleutel", ["onzin", "ziekmelding:PROBLEEMANALYSE", "termijn_nadert:kleine_letters"])
def test_an_unknown_signal_key_is_refused(sleutel: str) -> None:
    with pytest.raises(ValueError):
        pas_aan(preset("model-i"), regels={sleutel: []})


# ------------------------------------------------------------------ delivery


def test_back_off_grows_exponentially_up_to_the_maximum() -> None:
    b = Backoff(basis_s=1, factor=2, maximum_s=10, max_pogingen=8)
    assert [b.wachttijd(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_after_the_last_attempt_or_a_lasting_error_a_delivery_is_dead_lettered_with_the_reason() -> None:
    b = Backoff(basis_s=1, max_pogingen=3)
    assert na_poging(1, None, b).status is AfleverStatus.VERZONDEN
    assert na_poging(2, Afleverfout("HTTP 500"), b).status is AfleverStatus.WACHTEND
    opgegeven = na_poging(3, Afleverfout("HTTP 500"), b)
    assert opgegeven.status is AfleverStatus.MISLUKT and "3 pogingen" in (opgegeven.reden or "")
    blijvend = na_poging(1, Afleverfout("HTTP 410", blijvend=True), b)
    assert blijvend.status is AfleverStatus.MISLUKT and "HTTP 410" in (blijvend.reden or "")


@pytest.mark.parametrize(("status", "blijvend"), [(500, False), (503, False), (429, False), (408, False), (404, True)])
def test_which_http_answers_are_worth_a_retry(status: int, blijvend: bool) -> None:
    fout = http_fout(status)
    assert fout is not None and fout.blijvend is blijvend
    assert http_fout(204) is None


def test_the_digest_of_a_day_goes_out_at_its_hour_dutch_time() -> None:
    assert laatste_digestdag(datetime(2025, 3, 4, 6, 59, tzinfo=NL), 7) == date(2025, 3, 3)
    assert laatste_digestdag(datetime(2025, 3, 4, 7, 0, tzinfo=NL), 7) == date(2025, 3, 4)

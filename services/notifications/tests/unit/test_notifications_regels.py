"""Pure rules: frequent verzuim (decisions D8), the regiemodel version in force, back-off and dead-lettering."""

from __future__ import annotations

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
from verzuim_notifications.domain.frequent_verzuim import FrequentSignaal, Melding, beoordeel
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
    uitkomst = beoordeel(eerdere, melding(E), FrequentVerzuimInstelling(drempel=drempel, venster_dagen=venster))
    aantal = 1 + sum(1 for d in afstanden if d < venster)
    assert (uitkomst is not None) == (aantal >= drempel)
    if uitkomst is not None:
        assert uitkomst.aantal == aantal


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

"""The meldtijd cut-off is a Dutch wall-clock time on the eerste ziektedag: +01:00 in winter, +02:00 in summer."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from verzuim_intake.domain.meldtijd import Meldtijden, is_na_meldtijd, meldtijd_grens
from verzuim_shared.events import MeldingOntvanger

STANDAARD = Meldtijden(leidinggevende=time(9, 0), verzuim_support=time(10, 0))


def test_winter_cut_off_at_the_leidinggevende_is_08_00_utc() -> None:
    grens = meldtijd_grens(date(2025, 1, 6), MeldingOntvanger.LEIDINGGEVENDE, STANDAARD)
    assert grens == datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    assert grens.isoformat() == "2025-01-06T09:00:00+01:00"


def test_summer_cut_off_at_the_leidinggevende_is_07_00_utc() -> None:
    grens = meldtijd_grens(date(2025, 7, 7), MeldingOntvanger.LEIDINGGEVENDE, STANDAARD)
    assert grens == datetime(2025, 7, 7, 7, 0, tzinfo=UTC)
    assert grens.isoformat() == "2025-07-07T09:00:00+02:00"


def test_verzuim_support_has_its_own_cut_off() -> None:
    assert meldtijd_grens(date(2025, 1, 6), MeldingOntvanger.VERZUIM_SUPPORT, STANDAARD) == datetime(
        2025, 1, 6, 9, 0, tzinfo=UTC
    )
    assert meldtijd_grens(date(2025, 7, 7), MeldingOntvanger.VERZUIM_SUPPORT, STANDAARD) == datetime(
        2025, 7, 7, 8, 0, tzinfo=UTC
    )


def test_the_day_summer_time_starts_uses_the_summer_offset() -> None:
    # 2025-03-30: the clocks go from 02:00 to 03:00, so 09:00 that morning is already +02:00.
    assert meldtijd_grens(date(2025, 3, 30), MeldingOntvanger.LEIDINGGEVENDE, STANDAARD) == datetime(
        2025, 3, 30, 7, 0, tzinfo=UTC
    )


def test_a_werkgever_specific_cut_off() -> None:
    eigen = Meldtijden(leidinggevende=time(8, 30), verzuim_support=time(11, 15))
    assert meldtijd_grens(date(2025, 1, 6), MeldingOntvanger.LEIDINGGEVENDE, eigen).isoformat() == (
        "2025-01-06T08:30:00+01:00"
    )
    assert meldtijd_grens(date(2025, 1, 6), MeldingOntvanger.VERZUIM_SUPPORT, eigen).isoformat() == (
        "2025-01-06T11:15:00+01:00"
    )


def test_exactly_at_the_cut_off_is_on_time_one_second_later_is_not() -> None:
    grens = meldtijd_grens(date(2025, 7, 7), MeldingOntvanger.LEIDINGGEVENDE, STANDAARD)
    assert not is_na_meldtijd(grens, grens)
    assert is_na_meldtijd(grens + timedelta(seconds=1), grens)
    # the same moment given in UTC compares as a moment, not as a wall-clock time
    assert not is_na_meldtijd(datetime(2025, 7, 7, 6, 59, tzinfo=UTC), grens)
    assert is_na_meldtijd(datetime(2025, 7, 7, 7, 1, tzinfo=UTC), grens)


def test_a_melding_on_a_later_day_or_the_evening_before() -> None:
    grens = meldtijd_grens(date(2025, 1, 6), MeldingOntvanger.LEIDINGGEVENDE, STANDAARD)
    assert is_na_meldtijd(datetime(2025, 1, 7, 7, 0, tzinfo=UTC), grens)
    assert not is_na_meldtijd(datetime(2025, 1, 5, 21, 0, tzinfo=UTC), grens)

"""The WvP clock: sick day n with the four-week rule (decisions D4), known-answer vectors and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from verzuim_deadlines.domain import (
    SAMENTELLING_GRENS_DAGEN,
    Episode,
    OngeldigeEpisodes,
    huidig_verzuimgeval,
    sick_day_date,
    verzuimgevallen,
)

E = date(2025, 1, 6)  # decisions D1: Monday 2025-01-06

# decisions D4 / wvp-reference §2.4: sick 2022-01-03 … 2022-07-03 (182 sick days), hersteld 2022-07-04,
# sick again 2022-07-25 (21 recovered days, not counted).
D4_VECTOR = (Episode(date(2022, 1, 3), date(2022, 7, 4)), Episode(date(2022, 7, 25)))


def test_sick_day_1_is_the_eerste_ziektedag() -> None:
    assert sick_day_date([Episode(E)], 1) == E


def test_sick_day_43_of_a_continuous_verzuim_is_e_plus_42() -> None:
    assert sick_day_date([Episode(E)], 43) == date(2025, 2, 17)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (7, date(2025, 1, 12)),  # ARBODIENST_MELDING
        (43, date(2025, 2, 17)),  # PROBLEEMANALYSE
        (295, date(2025, 10, 27)),  # UWV_42E_WEEK_MELDING
        (365, date(2026, 1, 5)),  # EERSTEJAARSEVALUATIE
        (728, date(2027, 1, 3)),  # WACHTTIJD_EINDE
    ],
)
def test_the_d1_table_for_a_continuous_verzuim(n: int, expected: date) -> None:
    assert sick_day_date([Episode(E)], n) == expected


def test_d4_worked_vector_the_42_week_melding_skips_the_recovered_gap() -> None:
    assert sick_day_date(D4_VECTOR, 295) == date(2022, 11, 14)


def test_d4_worked_vector_the_wachttijd_ends_21_days_later() -> None:
    assert sick_day_date(D4_VECTOR, 728) == date(2024, 1, 21)


def test_d4_worked_vector_sick_days_before_the_gap_are_unaffected() -> None:
    assert sick_day_date(D4_VECTOR, 43) == date(2022, 2, 14)  # wvp-reference §2.4: probleemanalyse
    assert sick_day_date(D4_VECTOR, 182) == date(2022, 7, 3)  # the last sick day of the first episode
    assert sick_day_date(D4_VECTOR, 183) == date(2022, 7, 25)  # the next sick day is the first of the relapse


def _two_episodes(gap: int, first_length: int = 10) -> list[Episode]:
    hersteld = E + timedelta(days=first_length)
    return [Episode(E, hersteld), Episode(hersteld + timedelta(days=gap))]


def test_a_gap_of_27_days_continues_the_same_verzuim() -> None:
    episodes = _two_episodes(27)
    assert len(verzuimgevallen(episodes)) == 1
    # sick day 43 = 10 sick days before the gap + 33 after it: E + 42 + the 27 recovered days
    assert sick_day_date(episodes, 43) == E + timedelta(days=42 + 27)


def test_a_gap_of_28_days_starts_a_new_verzuim_with_a_new_clock() -> None:
    episodes = _two_episodes(28)
    assert len(verzuimgevallen(episodes)) == 2
    new_e = E + timedelta(days=10 + 28)
    assert huidig_verzuimgeval(episodes) == (Episode(new_e),)
    assert sick_day_date(episodes, 1) == new_e
    assert sick_day_date(episodes, 43) == new_e + timedelta(days=42)


def test_the_boundary_is_twenty_eight_days() -> None:
    assert SAMENTELLING_GRENS_DAGEN == 28


def test_a_verzuim_that_ended_before_sick_day_n_has_no_date_for_it() -> None:
    assert sick_day_date([Episode(E, E + timedelta(days=10))], 10) == E + timedelta(days=9)
    assert sick_day_date([Episode(E, E + timedelta(days=10))], 11) is None


def test_sick_day_zero_does_not_exist() -> None:
    with pytest.raises(ValueError, match="ziektedag 0"):
        sick_day_date([Episode(E)], 0)


def test_a_hersteldatum_must_lie_after_the_eerste_ziektedag() -> None:
    with pytest.raises(OngeldigeEpisodes):
        Episode(E, E)


@pytest.mark.parametrize(
    "episodes",
    [
        [],
        [Episode(E), Episode(E + timedelta(days=30))],  # the first one still runs
        [Episode(E, E + timedelta(days=10)), Episode(E + timedelta(days=9))],  # overlap
    ],
)
def test_impossible_courses_are_refused(episodes: list[Episode]) -> None:
    with pytest.raises(OngeldigeEpisodes):
        sick_day_date(episodes, 1)


# ------------------------------------------------------------------------------------------------ properties

eerste_ziektedagen = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
sick_days = st.integers(min_value=1, max_value=800)


@given(eerste_ziektedagen, sick_days)
def test_continuous_verzuim_sick_day_n_is_e_plus_n_minus_1(e: date, n: int) -> None:
    assert sick_day_date([Episode(e)], n) == e + timedelta(days=n - 1)


@given(eerste_ziektedagen, st.integers(1, 400), st.integers(0, SAMENTELLING_GRENS_DAGEN - 1), sick_days)
def test_a_gap_below_four_weeks_shifts_later_sick_days_by_exactly_the_gap(
    e: date, first_length: int, gap: int, n: int
) -> None:
    hersteld = e + timedelta(days=first_length)
    episodes = [Episode(e, hersteld), Episode(hersteld + timedelta(days=gap))]
    continuous = e + timedelta(days=n - 1)
    expected = continuous if n <= first_length else continuous + timedelta(days=gap)
    assert sick_day_date(episodes, n) == expected


@given(eerste_ziektedagen, st.integers(1, 400), st.integers(SAMENTELLING_GRENS_DAGEN, 400), sick_days)
def test_a_gap_of_four_weeks_or_more_restarts_the_clock(e: date, first_length: int, gap: int, n: int) -> None:
    hersteld = e + timedelta(days=first_length)
    new_e = hersteld + timedelta(days=gap)
    assert sick_day_date([Episode(e, hersteld), Episode(new_e)], n) == new_e + timedelta(days=n - 1)


@given(eerste_ziektedagen, st.lists(st.tuples(st.integers(1, 60), st.integers(0, 27)), max_size=5), sick_days)
def test_sick_days_fall_on_strictly_later_dates(e: date, pieces: list[tuple[int, int]], n: int) -> None:
    episodes: list[Episode] = []
    start = e
    for length, gap in pieces:
        episodes.append(Episode(start, start + timedelta(days=length)))
        start = start + timedelta(days=length + gap)
    episodes.append(Episode(start))
    first, second = sick_day_date(episodes, n), sick_day_date(episodes, n + 1)
    assert first is not None and second is not None and first < second

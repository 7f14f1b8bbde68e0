"""Samentelling (decisions D4): which dossier a ziekmelding belongs to, on the 27/28-day boundary. Pure."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st
from verzuim_cases.domain.samentelling import (
    BekendeEpisode,
    NieuwDossier,
    OverlaptMet,
    TussenEpisodes,
    VoortzettenIn,
    bepaal_dossier,
    later_dossier_binnen_grens,
)

DOSSIER = uuid4()
# decisions D4 worked vector: sick 2022-01-03 … 2022-07-03, hersteld 2022-07-04, sick again 2022-07-25 (gap 21).
EERSTE = BekendeEpisode(DOSSIER, uuid4(), date(2022, 1, 3), date(2022, 7, 4))


def test_the_worked_vector_continues_the_dossier_with_a_gap_of_21_days() -> None:
    assert bepaal_dossier([EERSTE], date(2022, 7, 25)) == VoortzettenIn(DOSSIER, 21)


def test_a_gap_of_27_days_continues_and_28_days_opens_a_new_dossier() -> None:
    hersteld = EERSTE.hersteldatum
    assert hersteld is not None
    assert bepaal_dossier([EERSTE], hersteld + timedelta(days=27)) == VoortzettenIn(DOSSIER, 27)
    assert bepaal_dossier([EERSTE], hersteld + timedelta(days=28)) == NieuwDossier()


def test_sick_again_on_the_hersteldatum_itself_is_a_gap_of_zero() -> None:
    assert bepaal_dossier([EERSTE], date(2022, 7, 4)) == VoortzettenIn(DOSSIER, 0)


def test_the_first_melding_of_a_werknemer_opens_a_dossier() -> None:
    assert bepaal_dossier([], date(2022, 7, 4)) == NieuwDossier()


def test_a_melding_inside_a_known_or_running_episode_overlaps() -> None:
    assert bepaal_dossier([EERSTE], date(2022, 3, 1)) == OverlaptMet(DOSSIER, date(2022, 1, 3), date(2022, 7, 4))
    lopend = BekendeEpisode(DOSSIER, uuid4(), date(2022, 1, 3), None)
    assert bepaal_dossier([lopend], date(2022, 9, 1)) == OverlaptMet(DOSSIER, date(2022, 1, 3), None)


def test_a_dossier_closed_without_herstel_covers_no_later_day() -> None:
    gesloten = BekendeEpisode(DOSSIER, uuid4(), date(2022, 1, 3), None, dossier_gesloten=True)
    assert bepaal_dossier([gesloten], date(2024, 9, 1)) == NieuwDossier()


def test_a_history_melding_between_two_episodes_of_one_dossier_cannot_be_inserted() -> None:
    tweede = BekendeEpisode(DOSSIER, uuid4(), date(2022, 7, 25), date(2022, 8, 10))
    assert bepaal_dossier([EERSTE, tweede], date(2022, 7, 10)) == TussenEpisodes(DOSSIER)


def test_a_history_melding_before_a_later_dossier_opens_its_own() -> None:
    assert bepaal_dossier([EERSTE], date(2021, 6, 1)) == NieuwDossier()


def test_a_herstel_that_brings_a_later_dossier_within_four_weeks_is_found() -> None:
    ander = uuid4()
    later = BekendeEpisode(ander, uuid4(), date(2022, 8, 1), None)
    assert later_dossier_binnen_grens([EERSTE, later], DOSSIER, date(2022, 7, 10)) == later
    assert later_dossier_binnen_grens([EERSTE, later], DOSSIER, date(2022, 7, 4)) is None  # gap 28


@given(gap=st.integers(min_value=0, max_value=400), start=st.dates(date(2015, 1, 1), date(2030, 1, 1)))
def test_the_boundary_is_exactly_28_days(gap: int, start: date) -> None:
    vorige = BekendeEpisode(DOSSIER, uuid4(), start, start + timedelta(days=10))
    besluit = bepaal_dossier([vorige], start + timedelta(days=10 + gap))
    assert besluit == (VoortzettenIn(DOSSIER, gap) if gap < 28 else NieuwDossier())

"""The dossier state reporting derives from its facts: open, deelherstel, volledig herstel, samentelling."""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from verzuim_reporting.domain.dossier import DossierStatus, Episode, Herstel, dossier_toestand
from verzuim_shared.events import HerstelSoort

E = date(2025, 1, 6)


def episode(eerste_ziektedag: date, seq: int = 1) -> Episode:
    return Episode(uuid4(), eerste_ziektedag, seq)


def volledig(hersteldatum: date, seq: int = 10) -> Herstel:
    return Herstel(uuid4(), HerstelSoort.VOLLEDIG, hersteldatum, 0, seq)


def deelherstel(hersteldatum: date, percentage: int, seq: int = 5) -> Herstel:
    return Herstel(uuid4(), HerstelSoort.GEDEELTELIJK, hersteldatum, percentage, seq)


def test_a_new_dossier_is_open_at_full_incapacity() -> None:
    toestand = dossier_toestand([episode(E)], [])
    assert toestand.status is DossierStatus.OPEN
    assert toestand.hersteldatum is None
    assert toestand.arbeidsongeschiktheidspercentage == 100


def test_deelherstel_keeps_the_dossier_open_with_the_new_percentage() -> None:
    toestand = dossier_toestand([episode(E)], [deelherstel(E + timedelta(days=10), 50)])
    assert toestand.status is DossierStatus.OPEN
    assert toestand.arbeidsongeschiktheidspercentage == 50


def test_volledig_herstel_ends_the_dossier_with_its_hersteldatum() -> None:
    first = episode(E)
    toestand = dossier_toestand([first], [deelherstel(E + timedelta(days=10), 50), volledig(E + timedelta(days=20))])
    assert toestand.status is DossierStatus.HERSTELD
    assert toestand.hersteldatum == E + timedelta(days=20)
    assert toestand.arbeidsongeschiktheidspercentage == 0
    assert [e.hersteldatum for e in toestand.episodes] == [E + timedelta(days=20)]


def test_a_new_episode_after_herstel_reopens_the_dossier_and_keeps_the_first_hersteldatum() -> None:
    # samentelling (D4): sick again 21 days after herstel, same dossier
    first, second = episode(E, seq=1), episode(E + timedelta(days=41), seq=20)
    toestand = dossier_toestand([second, first], [volledig(E + timedelta(days=20))])
    assert toestand.status is DossierStatus.OPEN
    assert toestand.hersteldatum is None
    assert toestand.arbeidsongeschiktheidspercentage == 100
    assert [(e.melding_id, e.hersteldatum) for e in toestand.episodes] == [
        (first.melding_id, E + timedelta(days=20)),
        (second.melding_id, None),
    ]


def test_a_herstel_on_the_day_a_new_episode_starts_ends_the_old_episode() -> None:
    day = E + timedelta(days=30)
    toestand = dossier_toestand([episode(E), episode(day, seq=20)], [volledig(day, seq=30)])
    assert [e.hersteldatum for e in toestand.episodes] == [day, None]
    assert toestand.status is DossierStatus.OPEN


def test_deelherstel_on_the_first_sick_day_applies_after_the_start() -> None:
    assert dossier_toestand([episode(E)], [deelherstel(E, 40)]).arbeidsongeschiktheidspercentage == 40


def test_a_second_volledig_herstel_changes_nothing() -> None:
    toestand = dossier_toestand([episode(E)], [volledig(E + timedelta(days=5)), volledig(E + timedelta(days=9))])
    assert toestand.hersteldatum == E + timedelta(days=5)


def test_a_herstel_before_the_first_sick_day_is_ignored() -> None:
    toestand = dossier_toestand([episode(E)], [volledig(E - timedelta(days=3))])
    assert toestand.status is DossierStatus.OPEN


def test_a_dossier_without_episodes_is_refused() -> None:
    with pytest.raises(ValueError):
        dossier_toestand([], [volledig(E)])


dagen = st.integers(min_value=0, max_value=120).map(lambda n: E + timedelta(days=n))


@given(
    starts=st.lists(dagen, min_size=1, max_size=4),
    herstellen=st.lists(
        st.tuples(dagen, st.sampled_from(HerstelSoort), st.integers(min_value=1, max_value=99)), max_size=6
    ),
    seed=st.integers(),
)
def test_the_state_does_not_depend_on_the_order_the_facts_arrived_in(
    starts: list[date], herstellen: list[tuple[date, HerstelSoort, int]], seed: int
) -> None:
    # stream sequences are unique: every fact has its own place in the stream
    episodes = [Episode(uuid4(), d, seq) for seq, d in enumerate(starts, start=1)]
    facts = [
        Herstel(uuid4(), soort, d, 0 if soort is HerstelSoort.VOLLEDIG else pct, 100 + i)
        for i, (d, soort, pct) in enumerate(herstellen)
    ]
    expected = dossier_toestand(episodes, facts)
    rng = random.Random(seed)
    rng.shuffle(episodes)
    rng.shuffle(facts)
    assert dossier_toestand(episodes, facts) == expected
    assert expected.status is (DossierStatus.OPEN if expected.hersteldatum is None else DossierStatus.HERSTELD)

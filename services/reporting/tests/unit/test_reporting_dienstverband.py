"""Employment periods from in- and uit-dienst facts: re-hire, repeated syncs, corrections, any arrival order."""

from __future__ import annotations

import itertools
import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from verzuim_reporting.domain.dienstverband import (
    Dienstverband,
    DienstverbandMutatie,
    MutatieSoort,
    dienstverbanden,
)

IN, UIT = MutatieSoort.IN_DIENST, MutatieSoort.UIT_DIENST


def m(soort: MutatieSoort, datum: str, seq: int) -> DienstverbandMutatie:
    return DienstverbandMutatie(soort, date.fromisoformat(datum), seq)


def test_in_dienst_opens_a_period() -> None:
    assert dienstverbanden([m(IN, "2020-01-01", 1)]) == [Dienstverband(date(2020, 1, 1), None)]


def test_uit_dienst_ends_it_on_the_last_day() -> None:
    assert dienstverbanden([m(IN, "2020-01-01", 1), m(UIT, "2022-12-31", 2)]) == [
        Dienstverband(date(2020, 1, 1), date(2022, 12, 31))
    ]


def test_a_werknemer_who_comes_back_has_two_periods() -> None:
    periodes = dienstverbanden(
        [m(IN, "2020-01-01", 1), m(UIT, "2022-12-31", 2), m(IN, "2023-06-01", 3), m(UIT, "2024-05-31", 4)]
    )
    assert periodes == [
        Dienstverband(date(2020, 1, 1), date(2022, 12, 31)),
        Dienstverband(date(2023, 6, 1), date(2024, 5, 31)),
    ]


def test_a_repeated_in_dienst_while_employed_starts_no_new_period() -> None:
    assert dienstverbanden([m(IN, "2020-01-01", 1), m(IN, "2021-03-01", 7)]) == [Dienstverband(date(2020, 1, 1), None)]


def test_the_most_recently_recorded_uit_dienst_is_the_correction_that_counts() -> None:
    later = [m(IN, "2020-01-01", 1), m(UIT, "2022-12-31", 2), m(UIT, "2023-01-31", 3)]
    earlier = [m(IN, "2020-01-01", 1), m(UIT, "2023-01-31", 2), m(UIT, "2022-12-31", 3)]
    assert dienstverbanden(later) == [Dienstverband(date(2020, 1, 1), date(2023, 1, 31))]
    assert dienstverbanden(earlier) == [Dienstverband(date(2020, 1, 1), date(2022, 12, 31))]


def test_a_one_day_contract() -> None:
    assert dienstverbanden([m(UIT, "2024-02-01", 2), m(IN, "2024-02-01", 1)]) == [
        Dienstverband(date(2024, 2, 1), date(2024, 2, 1))
    ]


def test_uit_dienst_without_in_dienst_gives_no_period() -> None:
    assert dienstverbanden([m(UIT, "2024-02-01", 1)]) == []


@given(
    facts=st.lists(
        st.tuples(st.sampled_from(MutatieSoort), st.dates(min_value=date(2020, 1, 1), max_value=date(2020, 3, 1))),
        max_size=8,
    ),
    seed=st.integers(),
)
def test_the_periods_do_not_depend_on_the_order_the_facts_arrived_in(
    facts: list[tuple[MutatieSoort, date]], seed: int
) -> None:
    mutaties = [DienstverbandMutatie(soort, datum, seq) for seq, (soort, datum) in enumerate(facts, start=1)]
    expected = dienstverbanden(mutaties)
    random.Random(seed).shuffle(mutaties)
    assert dienstverbanden(mutaties) == expected
    for periode in expected:
        assert periode.datum_uit_dienst is None or periode.datum_uit_dienst >= periode.datum_in_dienst
    for eerder, later in itertools.pairwise(expected):
        assert eerder.datum_uit_dienst is not None and eerder.datum_uit_dienst < later.datum_in_dienst

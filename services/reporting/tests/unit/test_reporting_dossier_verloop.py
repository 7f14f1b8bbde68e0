"""The course of a dossier reporting derives from its facts: open, deelherstel, volledig herstel, samentelling,
opbouwschema, corrections and closing; and that it never depends on the order the facts arrived in."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st
from verzuim_reporting.domain.dossier import (
    DossierFeit,
    DossierFeitSoort,
    DossierStatus,
    OpbouwStap,
    dossier_verloop,
)
from verzuim_shared.events import HerstelSoort

from .bouwstenen import Dossier

E = date(2025, 1, 6)


def dag(n: int) -> date:
    return E + timedelta(days=n)


def test_a_new_dossier_is_open_at_full_incapacity() -> None:
    v = Dossier(E).verloop()
    assert v.status is DossierStatus.OPEN
    assert v.hersteldatum is None
    assert v.arbeidsongeschiktheidspercentage == 100
    assert v.episodes[0].percentages == ((E, 100),)


def test_deelherstel_keeps_the_dossier_open_with_the_new_percentage() -> None:
    v = Dossier(E).deelherstel(dag(10), 50).verloop()
    assert v.status is DossierStatus.OPEN
    assert v.arbeidsongeschiktheidspercentage == 50
    assert v.episodes[0].percentages == ((E, 100), (dag(10), 50))
    assert v.episodes[0].percentage_op(dag(9)) == 100
    assert v.episodes[0].percentage_op(dag(10)) == 50


def test_volledig_herstel_ends_the_dossier_with_its_hersteldatum() -> None:
    v = Dossier(E).deelherstel(dag(10), 50).herstel(dag(20)).verloop()
    assert v.status is DossierStatus.HERSTELD
    assert v.hersteldatum == dag(20)
    assert v.arbeidsongeschiktheidspercentage == 0
    assert [(e.einde, e.hersteldatum) for e in v.episodes] == [(dag(20), dag(20))]
    assert v.episodes[0].laatste_ziektedag() == dag(19)


def test_a_new_episode_after_herstel_reopens_the_dossier_and_keeps_the_first_hersteldatum() -> None:
    # samentelling (D4): sick again 21 days after herstel, same dossier
    d = Dossier(E).herstel(dag(20)).episode(dag(41))
    v = d.verloop()
    assert v.status is DossierStatus.OPEN
    assert v.hersteldatum is None
    assert v.arbeidsongeschiktheidspercentage == 100
    assert [(e.eerste_ziektedag, e.hersteldatum) for e in v.episodes] == [(E, dag(20)), (dag(41), None)]


def test_a_herstel_on_the_day_a_new_episode_starts_ends_the_old_episode() -> None:
    v = Dossier(E).episode(dag(30)).herstel(dag(30)).verloop()
    assert [e.hersteldatum for e in v.episodes] == [dag(30), None]
    assert v.status is DossierStatus.OPEN


def test_deelherstel_on_the_first_sick_day_applies_after_the_start() -> None:
    assert Dossier(E).deelherstel(E, 40).verloop().arbeidsongeschiktheidspercentage == 40


def test_a_second_volledig_herstel_changes_nothing() -> None:
    assert Dossier(E).herstel(dag(5)).herstel(dag(9)).verloop().hersteldatum == dag(5)


def test_a_herstel_before_the_first_sick_day_is_ignored() -> None:
    assert Dossier(E).herstel(dag(-3)).verloop().status is DossierStatus.OPEN


def test_facts_wait_until_their_dossier_geopend_arrives() -> None:
    d = Dossier(E).herstel(dag(5))
    assert dossier_verloop(d.feiten[1:]) is None


def test_the_same_melding_under_two_event_ids_counts_once_at_its_earliest_position() -> None:
    d = Dossier(E).episode(dag(40))
    kopie = replace(d.feiten[1], event_id=uuid4(), stream_sequence=d.feiten[1].stream_sequence + 100)
    v = dossier_verloop([*d.feiten, kopie])
    assert v is not None
    assert len(v.episodes) == 2
    assert v.episodes[1].stream_sequence == d.feiten[1].stream_sequence


def test_a_corrected_eerste_ziektedag_moves_the_episode() -> None:
    v = Dossier(E).herstel(dag(20)).correctie("eerste_ziektedag", E, dag(-2)).verloop()
    assert v.eerste_ziektedag == dag(-2)
    assert v.episodes[0].eerste_ziektedag == dag(-2)


def test_a_corrected_hersteldatum_moves_the_end() -> None:
    v = Dossier(E).herstel(dag(20)).correctie("hersteldatum", dag(20), dag(17)).verloop()
    assert v.hersteldatum == dag(17)


def test_closing_ends_a_running_episode_without_herstel() -> None:
    v = Dossier(E).gesloten(dag(50)).verloop()
    assert v.status is DossierStatus.GESLOTEN
    assert v.gesloten_op == dag(50)
    assert (v.episodes[0].einde, v.episodes[0].hersteldatum) == (dag(50), None)
    assert v.arbeidsongeschiktheidspercentage == 0


def test_a_later_opbouwschema_replaces_the_steps_from_its_own_start() -> None:
    d = (
        Dossier(E)
        .opbouwschema(dag(10), (dag(14), 8, 50), (dag(28), 16, 60), (dag(42), 24, 80))
        .opbouwschema(dag(30), (dag(35), 12, 60))
    )
    assert d.verloop().opbouw == (OpbouwStap(dag(14), 8, 50), OpbouwStap(dag(28), 16, 60), OpbouwStap(dag(35), 12, 60))


dagen = st.integers(min_value=0, max_value=120).map(dag)


@given(
    starts=st.lists(dagen, min_size=1, max_size=4),
    herstellen=st.lists(
        st.tuples(dagen, st.sampled_from(HerstelSoort), st.integers(min_value=1, max_value=99)), max_size=6
    ),
    sluiting=st.one_of(st.none(), dagen),
    seed=st.integers(),
)
def test_the_course_does_not_depend_on_the_order_the_facts_arrived_in(
    starts: list[date], herstellen: list[tuple[date, HerstelSoort, int]], sluiting: date | None, seed: int
) -> None:
    # stream sequences are unique: every fact has its own place in the stream
    dossier_id = uuid4()
    feiten = [
        DossierFeit(
            uuid4(),
            dossier_id,
            DossierFeitSoort.GEOPEND if i == 0 else DossierFeitSoort.EPISODE,
            d,
            i + 1,
            melding_id=uuid4(),
        )
        for i, d in enumerate(starts)
    ]
    feiten += [
        DossierFeit(
            uuid4(),
            dossier_id,
            DossierFeitSoort.HERSTEL,
            d,
            100 + i,
            herstel_id=uuid4(),
            herstel_soort=soort,
            percentage=0 if soort is HerstelSoort.VOLLEDIG else pct,
        )
        for i, (d, soort, pct) in enumerate(herstellen)
    ]
    if sluiting is not None:
        feiten.append(DossierFeit(uuid4(), dossier_id, DossierFeitSoort.GESLOTEN, sluiting, 500))
    expected = dossier_verloop(feiten)
    random.Random(seed).shuffle(feiten)
    assert dossier_verloop(feiten) == expected
    assert expected is not None
    # every episode ends at or after its start, and before the next one starts
    for e, volgende in zip(expected.episodes, expected.episodes[1:], strict=False):
        assert e.einde is not None and e.eerste_ziektedag <= e.einde <= volgende.eerste_ziektedag

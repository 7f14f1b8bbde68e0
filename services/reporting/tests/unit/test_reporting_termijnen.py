"""A termijn's state from its facts: the live projector folds the stored facts in stream order, the rebuild folds each
fact as it reads it; both apply the same per-fact rule and agree whatever order the facts were stored in."""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st
from verzuim_reporting.domain.termijnen import (
    Termijn,
    TermijnFeit,
    TermijnFeitSoort,
    TermijnStatus,
    termijn_toestand,
    volgende_toestand,
)

TERMIJN, DOSSIER = uuid4(), uuid4()


def feit(soort: TermijnFeitSoort, seq: int, *, op_tijd: bool | None = None, verval: int = 0) -> TermijnFeit:
    vervuld = soort is TermijnFeitSoort.VERVULD
    return TermijnFeit(
        uuid4(),
        TERMIJN,
        soort,
        "PROBLEEMANALYSE",
        date(2025, 3, 1) + timedelta(days=verval),
        seq,
        DOSSIER,
        "wn-1",
        vervuld_op=date(2025, 3, 2) if vervuld else None,
        op_tijd=op_tijd if vervuld else None,
    )


def test_a_termijn_ends_by_its_latest_fact() -> None:
    gepland = feit(TermijnFeitSoort.GEPLAND, 1)
    assert termijn_toestand([gepland]).status is TermijnStatus.OPEN
    verstreken = feit(TermijnFeitSoort.VERSTREKEN, 2)
    te_laat = feit(TermijnFeitSoort.VERVULD, 3, op_tijd=False)
    assert termijn_toestand([te_laat, gepland, verstreken]) == Termijn(
        TERMIJN, DOSSIER, "wn-1", "PROBLEEMANALYSE", date(2025, 3, 1), TermijnStatus.VERVULD_TE_LAAT, date(2025, 3, 2)
    )
    # a reminder changes nothing; a new plan (after a correction) opens it again with the new due date
    nadert = feit(TermijnFeitSoort.NADERT, 4)
    assert termijn_toestand([gepland, te_laat, nadert]).status is TermijnStatus.VERVULD_TE_LAAT
    opnieuw = feit(TermijnFeitSoort.GEWIJZIGD, 5, verval=7)
    herpland = termijn_toestand([gepland, te_laat, opnieuw])
    assert (herpland.status, herpland.vervuld_op, herpland.vervaldatum) == (TermijnStatus.OPEN, None, date(2025, 3, 8))
    assert termijn_toestand([nadert]).status is TermijnStatus.OPEN


@given(
    st.lists(
        st.tuples(st.sampled_from(list(TermijnFeitSoort)), st.booleans(), st.integers(-5, 5)), min_size=1, max_size=8
    ),
    st.randoms(),
)
def test_folding_fact_by_fact_in_stream_order_equals_the_state_of_the_stored_facts(
    stappen: list[tuple[TermijnFeitSoort, bool, int]], rnd: random.Random
) -> None:
    feiten = [feit(soort, seq, op_tijd=op_tijd, verval=v) for seq, (soort, op_tijd, v) in enumerate(stappen, 1)]
    toestand = None
    for f in feiten:  # the rebuild: as they are read
        toestand = volgende_toestand(toestand, f)
    opgeslagen = list(feiten)
    rnd.shuffle(opgeslagen)  # the live projector: as the database returns them
    assert toestand == termijn_toestand(opgeslagen)

"""The personeel projection rules: idempotent, and newer data are never overwritten by older data."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st
from verzuim_notifications.domain.personeel import (
    Afdeling,
    Medewerker,
    na_afdeling_vastgelegd,
    na_gegevens_gewijzigd,
    na_in_dienst,
    na_uit_dienst,
)
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    Rol,
)

WG = "wg-1"
BASIS = {"werkgever_id": WG, "actor": Actor(id="hr-1", rol=Rol.HR)}


def _basis() -> dict[str, object]:
    return {**BASIS, "event_id": uuid4(), "geregistreerd_op": datetime(2025, 1, 1, tzinfo=UTC)}


def in_dienst(datum: date, afdeling_id: str = "magazijn", naam: str = "Anouk") -> MedewerkerInDienst:
    return MedewerkerInDienst(
        **_basis(),  # type: ignore[arg-type]
        werknemer_id="wn-1",
        datum_in_dienst=datum,
        naam=naam,
        afdeling_id=afdeling_id,
        contracturen=32,
        voltijduren=40,
    )


def gewijzigd(
    vanaf: date, afdeling_id: str, leidinggevende_id: str | None = None, naam: str = "Anouk"
) -> MedewerkerGegevensGewijzigd:
    return MedewerkerGegevensGewijzigd(
        **_basis(),  # type: ignore[arg-type]
        werknemer_id="wn-1",
        geldig_vanaf=vanaf,
        naam=naam,
        email="anouk@example.org",
        afdeling_id=afdeling_id,
        contracturen=32,
        voltijduren=40,
        leidinggevende_id=leidinggevende_id,
    )


def uit_dienst(datum: date) -> MedewerkerUitDienst:
    return MedewerkerUitDienst(**_basis(), werknemer_id="wn-1", datum_uit_dienst=datum)  # type: ignore[arg-type]


def afdeling_event(leidinggevende_id: str) -> AfdelingVastgelegd:
    return AfdelingVastgelegd(**_basis(), afdeling_id="magazijn", naam="Magazijn", leidinggevende_id=leidinggevende_id)  # type: ignore[arg-type]


def test_in_dienst_sets_the_data_from_the_first_day() -> None:
    m = na_in_dienst(None, in_dienst(date(2020, 1, 1)), 1)
    assert (m.werkgever_id, m.werknemer_id, m.naam, m.afdeling_id) == (WG, "wn-1", "Anouk", "magazijn")
    assert m.geldig_vanaf == m.datum_in_dienst == date(2020, 1, 1)
    assert m.datum_uit_dienst is None


def test_newer_data_replace_older_data() -> None:
    m = na_in_dienst(None, in_dienst(date(2020, 1, 1)), 1)
    m = na_gegevens_gewijzigd(m, gewijzigd(date(2024, 6, 1), "kantoor", "lg-eigen"), 2)
    assert (m.afdeling_id, m.leidinggevende_id, m.geldig_vanaf) == ("kantoor", "lg-eigen", date(2024, 6, 1))
    assert m.datum_in_dienst == date(2020, 1, 1)


def test_data_with_an_older_geldig_vanaf_do_not_overwrite_newer_data() -> None:
    m = na_in_dienst(None, in_dienst(date(2020, 1, 1)), 1)
    m = na_gegevens_gewijzigd(m, gewijzigd(date(2024, 6, 1), "kantoor"), 3)
    # arrives later in the stream, but applies from an earlier date
    assert na_gegevens_gewijzigd(m, gewijzigd(date(2023, 1, 1), "magazijn"), 4) == m


def test_with_the_same_geldig_vanaf_the_later_message_wins() -> None:
    m = na_in_dienst(None, in_dienst(date(2020, 1, 1)), 1)
    eerst = na_gegevens_gewijzigd(m, gewijzigd(date(2024, 6, 1), "kantoor"), 3)
    correctie = na_gegevens_gewijzigd(eerst, gewijzigd(date(2024, 6, 1), "winkel"), 5)
    assert correctie.afdeling_id == "winkel"
    # the first one redelivered after the correction changes nothing
    assert na_gegevens_gewijzigd(correctie, gewijzigd(date(2024, 6, 1), "kantoor"), 3) == correctie


def test_every_rule_is_idempotent() -> None:
    m = na_in_dienst(None, in_dienst(date(2020, 1, 1)), 1)
    assert na_in_dienst(m, in_dienst(date(2020, 1, 1)), 1) == m
    g = gewijzigd(date(2024, 6, 1), "kantoor")
    m2 = na_gegevens_gewijzigd(m, g, 2)
    assert na_gegevens_gewijzigd(m2, g, 2) == m2
    u = uit_dienst(date(2025, 3, 31))
    m3 = na_uit_dienst(m2, u)
    assert na_uit_dienst(m3, u) == m3
    a = na_afdeling_vastgelegd(None, afdeling_event("lg-1"), 7)
    assert na_afdeling_vastgelegd(a, afdeling_event("lg-1"), 7) == a


def test_gegevens_gewijzigd_before_in_dienst_keeps_the_newer_data() -> None:
    m = na_gegevens_gewijzigd(None, gewijzigd(date(2024, 6, 1), "kantoor"), 5)
    m = na_in_dienst(m, in_dienst(date(2020, 1, 1), afdeling_id="magazijn"), 2)
    assert m.afdeling_id == "kantoor"
    assert m.datum_in_dienst == date(2020, 1, 1)


def test_uit_dienst_ends_the_current_employment_and_a_new_one_starts_afresh() -> None:
    m = na_in_dienst(None, in_dienst(date(2020, 1, 1)), 1)
    m = na_uit_dienst(m, uit_dienst(date(2023, 12, 31)))
    assert m.datum_uit_dienst == date(2023, 12, 31)
    m = na_in_dienst(m, in_dienst(date(2025, 2, 1), afdeling_id="winkel"), 9)
    assert (m.datum_in_dienst, m.datum_uit_dienst, m.afdeling_id) == (date(2025, 2, 1), None, "winkel")
    # the old employment's messages, redelivered late, leave the new employment alone
    assert na_uit_dienst(m, uit_dienst(date(2023, 12, 31))) == m
    assert na_in_dienst(m, in_dienst(date(2020, 1, 1)), 1) == m


def test_uit_dienst_before_anything_else_is_kept_until_the_employment_arrives() -> None:
    m = na_uit_dienst(None, uit_dienst(date(2025, 3, 31)))
    assert m.naam is None and m.afdeling_id is None and m.datum_uit_dienst == date(2025, 3, 31)
    m = na_in_dienst(m, in_dienst(date(2020, 1, 1)), 1)
    assert (m.naam, m.datum_in_dienst, m.datum_uit_dienst) == ("Anouk", date(2020, 1, 1), date(2025, 3, 31))


def test_an_afdeling_takes_the_later_snapshot_in_the_stream() -> None:
    a = na_afdeling_vastgelegd(None, afdeling_event("lg-oud"), 4)
    a = na_afdeling_vastgelegd(a, afdeling_event("lg-nieuw"), 8)
    assert (a.leidinggevende_id, a.sequence) == ("lg-nieuw", 8)
    assert na_afdeling_vastgelegd(a, afdeling_event("lg-oud"), 4) == a
    assert isinstance(a, Afdeling)


@given(
    st.lists(
        st.tuples(st.dates(date(2020, 1, 1), date(2026, 12, 31)), st.sampled_from(["a", "b", "c"])),
        min_size=1,
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_any_delivery_order_gives_the_data_with_the_latest_geldig_vanaf(
    wijzigingen: list[tuple[date, str]], rnd: random.Random
) -> None:
    events = [(gewijzigd(vanaf, afdeling), seq) for seq, (vanaf, afdeling) in enumerate(wijzigingen, start=1)]
    verwacht_event, verwacht_seq = max(events, key=lambda e: (e[0].geldig_vanaf, e[1]))
    geschud = events[:]
    rnd.shuffle(geschud)
    m: Medewerker | None = None
    for event, seq in geschud + geschud[:2]:  # with a few redeliveries
        m = na_gegevens_gewijzigd(m, event, seq)
    assert m is not None
    assert (m.afdeling_id, m.geldig_vanaf, m.gegevens_sequence) == (
        verwacht_event.afdeling_id,
        verwacht_event.geldig_vanaf,
        verwacht_seq,
    )

"""Assembling the open-dossiers report from counts: onbekend, zero rows, filter, order, total."""

from __future__ import annotations

from datetime import date

from verzuim_reporting.domain.rapportage import ONBEKEND, ONBEKEND_NAAM, AfdelingTelling, open_dossiers_rapport

PEILDATUM = date(2025, 3, 1)
AFDELINGEN = {"magazijn": "Magazijn", "kantoor": "Kantoor", "winkel": "Winkel Centrum"}


def test_counts_per_afdeling_with_zero_rows_for_known_afdelingen_and_onbekend_last() -> None:
    rapport = open_dossiers_rapport(
        werkgever_id="wg-1",
        peildatum=PEILDATUM,
        aantallen={"magazijn": 2, None: 1, "nieuw": 1},
        afdelingen=AFDELINGEN,
    )
    assert rapport.totaal == 4
    assert rapport.per_afdeling == (
        AfdelingTelling("kantoor", "Kantoor", 0),
        AfdelingTelling("magazijn", "Magazijn", 2),
        AfdelingTelling("nieuw", None, 1),  # known from the werknemer's gegevens, no AfdelingVastgelegd yet
        AfdelingTelling("winkel", "Winkel Centrum", 0),
        AfdelingTelling(ONBEKEND, ONBEKEND_NAAM, 1),
    )
    assert rapport.werkgever_id == "wg-1" and rapport.peildatum == PEILDATUM
    assert "volledig herstel" in rapport.definitie


def test_the_filter_keeps_one_afdeling_and_its_total() -> None:
    rapport = open_dossiers_rapport(
        werkgever_id="wg-1",
        peildatum=PEILDATUM,
        aantallen={"magazijn": 2, None: 1},
        afdelingen=AFDELINGEN,
        afdeling_id="magazijn",
    )
    assert rapport.totaal == 2
    assert rapport.per_afdeling == (AfdelingTelling("magazijn", "Magazijn", 2),)


def test_the_filter_on_onbekend_gives_the_dossiers_without_personeel_data() -> None:
    rapport = open_dossiers_rapport(
        werkgever_id="wg-1",
        peildatum=PEILDATUM,
        aantallen={"magazijn": 2, None: 3},
        afdelingen={},
        afdeling_id=ONBEKEND,
    )
    assert rapport.totaal == 3
    assert rapport.per_afdeling == (AfdelingTelling(ONBEKEND, ONBEKEND_NAAM, 3),)


def test_a_filter_on_an_afdeling_without_anything_gives_zero() -> None:
    rapport = open_dossiers_rapport(
        werkgever_id="wg-1", peildatum=PEILDATUM, aantallen={"magazijn": 2}, afdelingen={}, afdeling_id="bestaat-niet"
    )
    assert rapport.totaal == 0
    assert rapport.per_afdeling == (AfdelingTelling("bestaat-niet", None, 0),)


def test_a_werkgever_without_data_has_an_empty_report() -> None:
    rapport = open_dossiers_rapport(werkgever_id="wg-2", peildatum=PEILDATUM, aantallen={}, afdelingen={})
    assert rapport.totaal == 0 and rapport.per_afdeling == ()

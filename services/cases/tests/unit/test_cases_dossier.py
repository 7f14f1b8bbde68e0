"""The verzuimdossier aggregate: what it records, how it replays, and the guards that refuse a command before any
event is recorded. Pure: no database, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import project_aggregate
from hypothesis import given
from hypothesis import strategies as st
from verzuim_cases.domain import (
    DossierAlHersteld,
    DossierFout,
    DossierStatus,
    HerstelAlGeregistreerd,
    HerstelNietNaVorigeWijziging,
    HerstelVoorEersteZiektedag,
    OngeldigArbeidsongeschiktheidspercentage,
    Verzuimdossier,
)
from verzuim_shared.events import Actor, HerstelSoort, MeldingOntvanger, Rol
from verzuim_shared.ids import dossier_id_for_melding

E = date(2025, 1, 6)  # Monday
GEREGISTREERD = datetime(2025, 1, 6, 8, 31, tzinfo=UTC)
HR = Actor(id="hr-1", rol=Rol.HR)
WERKNEMER = Actor(id="wn-1", rol=Rol.WERKNEMER)


def open_dossier(melding_id: UUID | None = None, eerste_ziektedag: date = E, **extra: Any) -> Verzuimdossier:
    facts: dict[str, Any] = {
        "werkgever_id": "wg-1",
        "werknemer_id": "wn-1",
        "melding_id": melding_id or uuid4(),
        "eerste_ziektedag": eerste_ziektedag,
        "gemeld_op": datetime(2025, 1, 6, 7, 45, tzinfo=UTC),
        "gemeld_door": WERKNEMER,
        "gemeld_bij": MeldingOntvanger.LEIDINGGEVENDE,
        "verwachte_duur_dagen": 5,
        "herstelafspraak": None,
        "belafspraak": None,
        "vangnet_van_toepassing": False,
        "arbeidsongeval": True,
        "regres_derde": False,
        "na_meldtijd": False,
        "actor": HR,
        "geregistreerd_op": GEREGISTREERD,
        "bron_event_id": uuid4(),
    }
    facts.update(extra)
    return Verzuimdossier.open(**facts)


def herstel(
    dossier: Verzuimdossier,
    hersteldatum: date,
    percentage: int = 0,
    *,
    soort: HerstelSoort | None = None,
    herstel_id: UUID | None = None,
) -> UUID:
    herstel_id = herstel_id or uuid4()
    dossier.registreer_herstel(
        herstel_id=herstel_id,
        soort=soort or (HerstelSoort.VOLLEDIG if percentage == 0 else HerstelSoort.GEDEELTELIJK),
        hersteldatum=hersteldatum,
        arbeidsongeschiktheidspercentage=percentage,
        gemeld_op=datetime.combine(hersteldatum, datetime.min.time(), tzinfo=UTC),
        gemeld_door=WERKNEMER,
        actor=Actor(id="lg-1", rol=Rol.LEIDINGGEVENDE),
        geregistreerd_op=GEREGISTREERD + timedelta(days=(hersteldatum - E).days),
        bron_event_id=uuid4(),
    )
    return herstel_id


def test_a_ziekmelding_opens_a_dossier_with_an_id_derived_from_the_melding() -> None:
    melding_id = uuid4()
    dossier = open_dossier(melding_id)
    assert dossier.id == dossier_id_for_melding(melding_id)
    assert open_dossier(melding_id).id == dossier.id
    assert dossier.version == 1
    assert dossier.status is DossierStatus.OPEN
    assert [(e.melding_id, e.eerste_ziektedag, e.hersteldatum) for e in dossier.episodes] == [(melding_id, E, None)]
    assert dossier.arbeidsongeschiktheidspercentage_op(E) == 100
    assert dossier.arbeidsongeval is True and dossier.vangnet_van_toepassing is False


def test_every_stored_event_carries_actor_business_date_and_recording_time() -> None:
    dossier = open_dossier()
    herstel(dossier, E + timedelta(days=10), 40)
    geopend, hersteld = dossier.collect_events()
    assert isinstance(geopend, Verzuimdossier.Geopend)
    assert (geopend.actor, geopend.eerste_ziektedag, geopend.geregistreerd_op) == (HR, E, GEREGISTREERD)
    assert geopend.werkgever_id == "wg-1" and geopend.werknemer_id == "wn-1"
    assert isinstance(hersteld, Verzuimdossier.HerstelGeregistreerd)
    assert hersteld.actor == Actor(id="lg-1", rol=Rol.LEIDINGGEVENDE)
    assert hersteld.hersteldatum == E + timedelta(days=10)
    assert hersteld.geregistreerd_op == GEREGISTREERD + timedelta(days=10)
    assert hersteld.werkgever_id == "wg-1" and hersteld.werknemer_id == "wn-1"
    # eventsourcing's own timestamp follows the service clock too
    assert geopend.timestamp == GEREGISTREERD
    assert [(s.versie, s.soort, s.datum, s.actor.rol) for s in dossier.stappen] == [
        (1, "dossier_geopend", E, Rol.HR),
        (2, "herstel_geregistreerd", E + timedelta(days=10), Rol.LEIDINGGEVENDE),
    ]


def test_deelherstel_changes_the_percentage_from_its_date_and_keeps_the_dossier_open() -> None:
    dossier = open_dossier()
    herstel(dossier, date(2025, 1, 20), 50)
    assert dossier.status is DossierStatus.OPEN
    assert dossier.version == 2
    assert dossier.arbeidsongeschiktheidspercentage_op(date(2025, 1, 19)) == 100
    assert dossier.arbeidsongeschiktheidspercentage_op(date(2025, 1, 20)) == 50
    assert dossier.hersteldatum is None
    assert "50% arbeidsongeschikt" in dossier.stappen[-1].omschrijving


def test_volledig_herstel_closes_the_dossier_and_stops_the_sick_day_count() -> None:
    dossier = open_dossier()
    herstel(dossier, date(2025, 1, 20), 50)
    herstel(dossier, date(2025, 2, 3))
    assert dossier.status is DossierStatus.HERSTELD
    assert dossier.hersteldatum == date(2025, 2, 3)
    assert dossier.arbeidsongeschiktheidspercentage_op(date(2025, 2, 3)) == 0
    # sick 6 Jan .. 2 Feb inclusive; 3 Feb is the first fully fit day
    assert dossier.verzuimdagen(date(2025, 2, 2)) == 28
    assert dossier.verzuimdagen(date(2025, 6, 1)) == 28


def test_sick_days_count_calendar_days_from_the_eerste_ziektedag() -> None:
    dossier = open_dossier()
    assert dossier.verzuimdagen(E - timedelta(days=1)) == 0
    assert dossier.verzuimdagen(E) == 1  # sick day 1
    assert dossier.verzuimdagen(E + timedelta(days=42)) == 43  # decisions D1: sick day 43 is E + 42
    assert dossier.arbeidsongeschiktheidspercentage_op(E - timedelta(days=1)) == 0


def test_the_dossier_replays_from_its_events_to_the_same_state_and_to_an_earlier_version() -> None:
    dossier = open_dossier()
    herstel(dossier, date(2025, 1, 20), 50)
    herstel(dossier, date(2025, 2, 3))
    events = list(dossier.collect_events())
    replayed = project_aggregate(None, events)
    assert replayed is not None
    assert replayed == dossier
    version_2 = project_aggregate(None, events[:2])
    assert version_2 is not None
    assert (version_2.version, version_2.status) == (2, DossierStatus.OPEN)
    assert version_2.arbeidsongeschiktheidspercentage_op(date(2025, 3, 1)) == 50


def refused(dossier: Verzuimdossier, error: type[DossierFout], *args: Any, **kwargs: Any) -> DossierFout:
    """The command raises `error` and records nothing."""
    dossier.collect_events()  # drain what the earlier commands recorded
    version, stappen = dossier.version, list(dossier.stappen)
    with pytest.raises(error) as caught:
        herstel(dossier, *args, **kwargs)
    assert dossier.version == version
    assert dossier.stappen == stappen
    assert dossier.collect_events() == []
    return caught.value


def test_herstel_before_the_eerste_ziektedag_is_refused() -> None:
    error = refused(open_dossier(), HerstelVoorEersteZiektedag, E - timedelta(days=1), 50)
    assert "2025-01-05" in str(error) and "2025-01-06" in str(error)


def test_volledig_herstel_on_the_eerste_ziektedag_is_refused_but_deelherstel_from_day_one_is_allowed() -> None:
    refused(open_dossier(), HerstelVoorEersteZiektedag, E)
    dossier = open_dossier()
    herstel(dossier, E, 60)
    assert dossier.arbeidsongeschiktheidspercentage_op(E) == 60


def test_a_second_volledig_herstel_is_refused() -> None:
    dossier = open_dossier()
    herstel(dossier, date(2025, 1, 20))
    error = refused(dossier, DossierAlHersteld, date(2025, 1, 27))
    assert "al gesloten" in str(error) and "2025-01-20" in str(error)


def test_deelherstel_after_volledig_herstel_is_refused() -> None:
    dossier = open_dossier()
    herstel(dossier, date(2025, 1, 20))
    refused(dossier, DossierAlHersteld, date(2025, 1, 27), 50)


def test_a_herstel_not_after_the_previous_herstelmelding_is_refused() -> None:
    dossier = open_dossier()
    herstel(dossier, date(2025, 1, 20), 50)
    refused(dossier, HerstelNietNaVorigeWijziging, date(2025, 1, 20), 30)
    refused(dossier, HerstelNietNaVorigeWijziging, date(2025, 1, 13))


@pytest.mark.parametrize(
    ("soort", "percentage"),
    [(HerstelSoort.GEDEELTELIJK, 0), (HerstelSoort.GEDEELTELIJK, 100), (HerstelSoort.VOLLEDIG, 20)],
)
def test_a_percentage_that_does_not_fit_the_soort_is_refused(soort: HerstelSoort, percentage: int) -> None:
    refused(open_dossier(), OngeldigArbeidsongeschiktheidspercentage, date(2025, 1, 20), percentage, soort=soort)


def test_the_same_herstelmelding_twice_is_refused_by_the_aggregate() -> None:
    dossier = open_dossier()
    herstel_id = herstel(dossier, date(2025, 1, 20), 50)
    assert dossier.heeft_herstel(herstel_id)
    refused(dossier, HerstelAlGeregistreerd, date(2025, 1, 27), 30, herstel_id=herstel_id)


@given(
    hersteld_na=st.integers(min_value=1, max_value=800),
    peil_a=st.integers(min_value=-30, max_value=900),
    peil_b=st.integers(min_value=-30, max_value=900),
)
def test_sick_days_never_decrease_and_stop_at_the_hersteldatum(hersteld_na: int, peil_a: int, peil_b: int) -> None:
    dossier = open_dossier()
    herstel(dossier, E + timedelta(days=hersteld_na))
    lo, hi = sorted((peil_a, peil_b))
    dagen_lo = dossier.verzuimdagen(E + timedelta(days=lo))
    dagen_hi = dossier.verzuimdagen(E + timedelta(days=hi))
    assert 0 <= dagen_lo <= dagen_hi <= hersteld_na

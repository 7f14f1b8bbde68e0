"""Stored dossier events → public contract events, and the stored (JSON) form of the events. No I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
from verzuim_cases.adapters.event_store import register_transcodings
from verzuim_cases.adapters.public_events import UnmappedDossierEvent, public_event_id, to_public_event
from verzuim_cases.domain import Verzuimdossier
from verzuim_shared.events import (
    Actor,
    DossierGeopend,
    HerstelGeregistreerd,
    HerstelSoort,
    MeldingOntvanger,
    Rol,
    parse_event,
)
from verzuim_shared.ids import derived_id

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
HR = Actor(id="hr-1", rol=Rol.HR)


def opened(**extra: Any) -> Verzuimdossier:
    facts: dict[str, Any] = {
        "werkgever_id": "wg-1",
        "werknemer_id": "wn-1",
        "melding_id": uuid4(),
        "eerste_ziektedag": date(2025, 1, 6),
        "gemeld_op": NOW,
        "gemeld_door": Actor(id="wn-1", rol=Rol.WERKNEMER),
        "gemeld_bij": MeldingOntvanger.VERZUIM_SUPPORT,
        "verwachte_duur_dagen": None,
        "herstelafspraak": None,
        "belafspraak": datetime(2025, 1, 8, 10, 0),
        "vangnet_van_toepassing": True,
        "arbeidsongeval": False,
        "regres_derde": True,
        "na_meldtijd": False,
        "actor": HR,
        "geregistreerd_op": NOW,
        "bron_event_id": uuid4(),
    }
    return Verzuimdossier.open(**(facts | extra))


def deelherstel(dossier: Verzuimdossier, percentage: int = 30) -> None:
    dossier.registreer_herstel(
        herstel_id=uuid4(),
        soort=HerstelSoort.GEDEELTELIJK,
        hersteldatum=date(2025, 1, 20),
        arbeidsongeschiktheidspercentage=percentage,
        gemeld_op=NOW,
        gemeld_door=HR,
        actor=HR,
        geregistreerd_op=NOW,
        bron_event_id=uuid4(),
    )


def test_geopend_becomes_dossier_geopend_with_a_stable_event_id() -> None:
    dossier = opened(herstelafspraak=date(2025, 1, 13), na_meldtijd=True)
    (event,) = dossier.collect_events()
    public = to_public_event(event)
    assert isinstance(public, DossierGeopend)
    assert public.event_id == derived_id("dossier-event", dossier.id, 1) == public_event_id(dossier.id, 1)
    assert to_public_event(event) == public  # the same stored event always gives the same public event
    assert (public.dossier_id, public.versie, public.werkgever_id, public.werknemer_id) == (
        dossier.id,
        1,
        "wg-1",
        "wn-1",
    )
    assert (public.melding_id, public.eerste_ziektedag, public.gemeld_op) == (dossier.melding_id, date(2025, 1, 6), NOW)
    assert public.herstelafspraak == date(2025, 1, 13)
    assert (public.vangnet_van_toepassing, public.regres_derde, public.na_meldtijd) == (True, True, True)
    assert (public.actor, public.geregistreerd_op) == (HR, NOW)
    assert public.subject() == "verzuim.dossier.v1.dossier-geopend"
    assert parse_event(public.subject(), public.model_dump_json().encode()) == public


def test_herstel_geregistreerd_becomes_its_public_event() -> None:
    dossier = opened()
    deelherstel(dossier, 30)
    _, event = dossier.collect_events()
    public = to_public_event(event)
    assert isinstance(public, HerstelGeregistreerd)
    assert isinstance(event, Verzuimdossier.HerstelGeregistreerd)
    assert (public.herstel_id, public.soort, public.hersteldatum, public.arbeidsongeschiktheidspercentage) == (
        event.herstel_id,
        HerstelSoort.GEDEELTELIJK,
        date(2025, 1, 20),
        30,
    )
    assert (public.versie, public.event_id) == (2, public_event_id(dossier.id, 2))
    assert public.subject() == "verzuim.dossier.v1.herstel-geregistreerd"


def test_something_that_is_not_a_dossier_event_is_not_published() -> None:
    assert to_public_event(object()) is None


def test_a_dossier_event_without_a_public_mapping_stops_the_relay_instead_of_leaving_a_gap() -> None:
    class NogNietGepubliceerd(Verzuimdossier.Gebeurtenis):
        pass

    event = NogNietGepubliceerd(
        originator_id=uuid4(),
        originator_version=3,
        timestamp=NOW,
        werkgever_id="wg-1",
        werknemer_id="wn-1",
        actor=HR,
        geregistreerd_op=NOW,
        bron_event_id=uuid4(),
        keten_hash=None,
    )
    with pytest.raises(UnmappedDossierEvent):
        to_public_event(event)


def test_events_keep_every_value_through_their_stored_form() -> None:
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    register_transcodings(transcoder)
    mapper: Mapper[Any] = Mapper(transcoder=transcoder)
    dossier = opened(herstelafspraak=date(2025, 1, 13))
    deelherstel(dossier)
    for event in dossier.collect_events():
        assert mapper.to_domain_event(mapper.to_stored_event(event)) == event


def test_the_relay_sends_at_most_one_event_per_dossier_per_wave() -> None:
    from verzuim_cases.adapters.outbox_relay import waves

    a, b = opened(), opened()
    deelherstel(a)
    a1, a2 = (to_public_event(e) for e in a.collect_events())
    (b1,) = (to_public_event(e) for e in b.collect_events())
    entries = [(1, a1), (2, b1), (3, None), (4, a2)]
    assert waves(entries) == [[(1, a1), (2, b1), (3, None)], [(4, a2)]]

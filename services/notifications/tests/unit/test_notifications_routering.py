"""The recipient resolver and the routing step: who gets the ziekmelding, and when waiting is still worthwhile."""

from __future__ import annotations

from datetime import date

import pytest
from verzuim_notifications.domain.personeel import Afdeling, Medewerker
from verzuim_notifications.domain.routering import (
    Bestemming,
    Kanaal,
    Leidinggevende,
    OnbekendeLeidinggevende,
    Ontvanger,
    PersoneelNogNietBekend,
    Routering,
    routeer_naar_leidinggevende,
    zoek_leidinggevende,
)
from verzuim_shared.events import Rol

WG = "wg-1"


def medewerker(afdeling_id: str | None = "magazijn", leidinggevende_id: str | None = None) -> Medewerker:
    return Medewerker(
        werkgever_id=WG,
        werknemer_id="wn-1",
        naam="Anouk de Vries" if afdeling_id else None,
        afdeling_id=afdeling_id,
        leidinggevende_id=leidinggevende_id,
        geldig_vanaf=date(2020, 1, 1) if afdeling_id else None,
        datum_in_dienst=date(2020, 1, 1) if afdeling_id else None,
    )


def afdeling(afdeling_id: str = "magazijn", leidinggevende_id: str | None = "lg-magazijn") -> Afdeling:
    return Afdeling(
        werkgever_id=WG,
        afdeling_id=afdeling_id,
        naam="Magazijn",
        leidinggevende_id=leidinggevende_id,
        hr_adviseur_id="hr-1",
        rayonmanager_id=None,
        rayon=None,
        sequence=1,
    )


def test_the_afdelings_leidinggevende_leads_a_medewerker_without_own_leidinggevende() -> None:
    assert zoek_leidinggevende(medewerker(), afdeling()) == Leidinggevende("lg-magazijn")


def test_the_medewerkers_own_leidinggevende_overrides_the_afdelings() -> None:
    assert zoek_leidinggevende(medewerker(leidinggevende_id="lg-eigen"), afdeling()) == Leidinggevende("lg-eigen")


def test_the_own_leidinggevende_is_enough_when_the_afdeling_is_not_known_yet() -> None:
    assert zoek_leidinggevende(medewerker(leidinggevende_id="lg-eigen"), None) == Leidinggevende("lg-eigen")


@pytest.mark.parametrize(
    ("m", "a", "reden"),
    [
        (None, None, OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND),
        # only an uit-dienst arrived: no afdeling known
        (medewerker(afdeling_id=None), afdeling(), OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND),
        (medewerker(), None, OnbekendeLeidinggevende.AFDELING_ONBEKEND),
        (medewerker(), afdeling(afdeling_id="kantoor"), OnbekendeLeidinggevende.AFDELING_ONBEKEND),
        (medewerker(), afdeling(leidinggevende_id=None), OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE),
        (medewerker(), afdeling(leidinggevende_id="wn-1"), OnbekendeLeidinggevende.EIGEN_LEIDINGGEVENDE),
    ],
)
def test_why_no_leidinggevende_is_found(
    m: Medewerker | None, a: Afdeling | None, reden: OnbekendeLeidinggevende
) -> None:
    assert zoek_leidinggevende(m, a) is reden


def test_only_missing_personeel_data_may_still_arrive() -> None:
    assert OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND.kan_nog_komen
    assert OnbekendeLeidinggevende.AFDELING_ONBEKEND.kan_nog_komen
    assert not OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE.kan_nog_komen
    assert not OnbekendeLeidinggevende.EIGEN_LEIDINGGEVENDE.kan_nog_komen


def routeer(gevonden: Leidinggevende | OnbekendeLeidinggevende, *, laatste_poging: bool = False) -> Routering:
    return routeer_naar_leidinggevende(
        gevonden, werkgever_id=WG, werknemer_id="wn-1", fallback_rol=Rol.HR, laatste_poging=laatste_poging
    )


def test_a_known_leidinggevende_gets_it_in_their_inbox() -> None:
    routering = routeer(Leidinggevende("lg-magazijn"))
    assert routering.bestemmingen == (Bestemming(Ontvanger(Rol.LEIDINGGEVENDE, "lg-magazijn"), Kanaal.INBOX),)
    assert routering.zonder_leidinggevende is None


@pytest.mark.parametrize(
    "reden", [OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND, OnbekendeLeidinggevende.AFDELING_ONBEKEND]
)
def test_missing_personeel_data_means_try_again_later(reden: OnbekendeLeidinggevende) -> None:
    with pytest.raises(PersoneelNogNietBekend) as raised:
        routeer(reden)
    assert raised.value.reden is reden
    assert "wn-1" in str(raised.value) and WG in str(raised.value)


@pytest.mark.parametrize("reden", list(OnbekendeLeidinggevende))
def test_on_the_last_attempt_the_fallback_role_gets_it_with_the_reason(reden: OnbekendeLeidinggevende) -> None:
    routering = routeer(reden, laatste_poging=True)
    assert routering.bestemmingen == (Bestemming(Ontvanger(Rol.HR, None), Kanaal.INBOX),)
    assert routering.zonder_leidinggevende is reden


@pytest.mark.parametrize(
    "reden", [OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE, OnbekendeLeidinggevende.EIGEN_LEIDINGGEVENDE]
)
def test_when_waiting_cannot_help_the_fallback_role_gets_it_at_once(reden: OnbekendeLeidinggevende) -> None:
    routering = routeer(reden, laatste_poging=False)
    assert routering.bestemmingen == (Bestemming(Ontvanger(Rol.HR, None), Kanaal.INBOX),)
    assert routering.zonder_leidinggevende is reden


def test_the_fallback_role_is_configurable() -> None:
    routering = routeer_naar_leidinggevende(
        OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE,
        werkgever_id=WG,
        werknemer_id="wn-1",
        fallback_rol=Rol.CASEMANAGER,
        laatste_poging=False,
    )
    assert routering.bestemmingen[0].ontvanger == Ontvanger(Rol.CASEMANAGER, None)

"""The recipient resolver and the routing step: who gets the ziekmelding, and when waiting is still worthwhile."""

from __future__ import annotations

from datetime import date

import pytest
from verzuim_notifications.domain.personeel import Afdeling, Medewerker
from verzuim_notifications.domain.presets import preset
from verzuim_notifications.domain.regiemodel import Ontvangerrol, Soort, bericht, pas_aan, taak
from verzuim_notifications.domain.routering import (
    Betrokkenen,
    DossierBegeleiding,
    Geadresseerde,
    Leeg,
    Leidinggevende,
    OnbekendeLeidinggevende,
    Ontvanger,
    PersoneelNogNietBekend,
    Routeringsgat,
    routeer,
    vul_rol,
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


def betrokkenen(
    m: Medewerker | None = None,
    a: Afdeling | None = None,
    dossier: DossierBegeleiding | None = None,
    rolbezetting: dict[Ontvangerrol, str] | None = None,
) -> Betrokkenen:
    return Betrokkenen("wn-1", m, a, dossier or DossierBegeleiding(), rolbezetting or {})


def test_each_role_is_filled_from_its_source() -> None:
    a = Afdeling(WG, "magazijn", "Magazijn", "lg-magazijn", "hr-1", "rm-zuid", "Zuid", 1)
    b = betrokkenen(
        medewerker(),
        a,
        DossierBegeleiding(casemanager_id="cm-1", verzuimcoach_id="vc-1", begeleider_id="cm-1", bedrijfsarts_id="ba-1"),
        {Ontvangerrol.TAAKGEDELEGEERDE: "tg-1", Ontvangerrol.WERKCOACH: "wc-1", Ontvangerrol.BEDRIJFSARTS: "ba-arbo"},
    )
    assert {r: vul_rol(r, b) for r in Ontvangerrol} == {
        Ontvangerrol.WERKNEMER: "wn-1",
        Ontvangerrol.LEIDINGGEVENDE: "lg-magazijn",
        Ontvangerrol.BEGELEIDER: "cm-1",
        Ontvangerrol.CASEMANAGER: "cm-1",
        Ontvangerrol.VERZUIMCOACH: "vc-1",
        Ontvangerrol.WERKCOACH: "wc-1",
        Ontvangerrol.HR_ADVISEUR: "hr-1",
        Ontvangerrol.RAYONMANAGER: "rm-zuid",
        # the spreekuur's bedrijfsarts comes before the arbodienst's
        Ontvangerrol.BEDRIJFSARTS: "ba-1",
        Ontvangerrol.TAAKGEDELEGEERDE: "tg-1",
    }


def test_the_rolbezetting_fills_what_the_dossier_does_not_name() -> None:
    b = betrokkenen(medewerker(), afdeling(), rolbezetting={Ontvangerrol.VERZUIMCOACH: "vs-desk"})
    assert vul_rol(Ontvangerrol.VERZUIMCOACH, b) == "vs-desk"
    assert vul_rol(Ontvangerrol.CASEMANAGER, b) is Leeg.NIET_BEZET
    assert vul_rol(Ontvangerrol.BEGELEIDER, b) is Leeg.NIET_BEZET


def test_the_werknemer_never_fills_another_role_in_their_own_case() -> None:
    b = betrokkenen(medewerker(), afdeling(), DossierBegeleiding(casemanager_id="wn-1"))
    assert vul_rol(Ontvangerrol.CASEMANAGER, b) is Leeg.WERKNEMER_ZELF


def test_an_empty_role_falls_back_along_the_chain_and_the_gap_is_reported() -> None:
    model = preset("verzuim-support")  # begeleider -> verzuimcoach
    b = betrokkenen(medewerker(), afdeling(), rolbezetting={Ontvangerrol.VERZUIMCOACH: "vs-desk"})
    r = routeer(taak(Ontvangerrol.BEGELEIDER), model, b, werkgever_id=WG, laatste_poging=False)
    assert r.geadresseerden == (
        Geadresseerde(
            Ontvanger("verzuimcoach", "vs-desk"),
            Soort.TAAK,
            Ontvangerrol.VERZUIMCOACH,
            Ontvangerrol.BEGELEIDER,
            Leeg.NIET_BEZET,
        ),
    )
    assert r.gaten == (Routeringsgat(Ontvangerrol.BEGELEIDER, Leeg.NIET_BEZET, Soort.TAAK, "persoon:vs-desk"),)


def test_a_task_nobody_can_take_goes_to_the_team_inbox_and_a_message_lapses() -> None:
    model = pas_aan(preset("model-ii"), fallback_rol=Rol.BEHEERDER)
    b = betrokkenen(medewerker(), afdeling())
    r = routeer(
        (*taak(Ontvangerrol.WERKCOACH), *bericht(Ontvangerrol.TAAKGEDELEGEERDE)),
        model,
        b,
        werkgever_id=WG,
        laatste_poging=False,
    )
    assert [g.ontvanger for g in r.geadresseerden] == [Ontvanger("beheerder", None)]
    assert r.geadresseerden[0].namens is Ontvangerrol.WERKCOACH
    # model II: taakgedelegeerde -> bedrijfsarts -> verzuimcoach, all empty; the message goes to nobody
    assert [(g.rol, g.opgevangen_door) for g in r.gaten] == [
        (Ontvangerrol.WERKCOACH, "team:beheerder"),
        (Ontvangerrol.TAAKGEDELEGEERDE, None),
        (Ontvangerrol.BEDRIJFSARTS, None),
        (Ontvangerrol.VERZUIMCOACH, None),
    ]


def test_one_person_in_two_roles_gets_one_message_as_a_task() -> None:
    a = Afdeling(WG, "magazijn", "Magazijn", "lg-magazijn", "lg-magazijn", None, None, 1)
    r = routeer(
        (*bericht(Ontvangerrol.LEIDINGGEVENDE), *taak(Ontvangerrol.HR_ADVISEUR)),
        preset("model-iii"),
        betrokkenen(medewerker(), a),
        werkgever_id=WG,
        laatste_poging=False,
    )
    assert [(g.ontvanger, g.soort, g.rol) for g in r.geadresseerden] == [
        (Ontvanger("leidinggevende", "lg-magazijn"), Soort.TAAK, Ontvangerrol.LEIDINGGEVENDE)
    ]


@pytest.mark.parametrize(("m", "a"), [(None, None), (medewerker(), None)])
def test_missing_personeel_data_means_try_again_later_until_the_last_attempt(
    m: Medewerker | None, a: Afdeling | None
) -> None:
    model = preset("model-i")
    with pytest.raises(PersoneelNogNietBekend) as raised:
        routeer(taak(Ontvangerrol.LEIDINGGEVENDE), model, betrokkenen(m, a), werkgever_id=WG, laatste_poging=False)
    assert "wn-1" in str(raised.value) and WG in str(raised.value)
    r = routeer(taak(Ontvangerrol.LEIDINGGEVENDE), model, betrokkenen(m, a), werkgever_id=WG, laatste_poging=True)
    assert [g.ontvanger for g in r.geadresseerden] == [Ontvanger("hr", None)]
    assert r.geadresseerden[0].reden in (Leeg.MEDEWERKER_ONBEKEND, Leeg.AFDELING_ONBEKEND)


def test_roles_that_do_not_need_personeel_data_do_not_wait_for_it() -> None:
    r = routeer(
        taak(Ontvangerrol.WERKNEMER, Ontvangerrol.TAAKGEDELEGEERDE),
        preset("samen-regie"),
        betrokkenen(None, None, rolbezetting={Ontvangerrol.TAAKGEDELEGEERDE: "tg-1"}),
        werkgever_id=WG,
        laatste_poging=False,
    )
    assert [g.ontvanger.id for g in r.geadresseerden] == ["wn-1", "tg-1"]

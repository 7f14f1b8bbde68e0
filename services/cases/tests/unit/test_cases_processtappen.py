"""Every WvP step as a command on the dossier: what it records, what the public event carries, and every guard
that refuses it before anything is recorded. Pure: no database, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from verzuim_cases.adapters.public_events import PUBLIC_STEPS, to_public_event
from verzuim_cases.domain import (
    CorrigeerbaarFeit,
    DatumInDeToekomst,
    DatumVoorEersteZiektedag,
    DocumentAlOndertekend,
    DocumentOnbekend,
    DossierFout,
    DossierIsGesloten,
    DossierStatus,
    OngeldigeStap,
    StapAlGedaan,
    StapNaHerstel,
    StapVereistEerdereStap,
    Verzuimdossier,
)
from verzuim_shared.events import Actor, HerstelSoort, MeldingOntvanger, Rol, parse_event

V = Verzuimdossier
E = date(2025, 1, 6)
VANDAAG = date(2027, 6, 1)
NU = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
CM = Actor(id="cm-1", rol=Rol.CASEMANAGER)
SHA = "ab" * 32


def open_dossier(eerste_ziektedag: date = E) -> Verzuimdossier:
    return V.open(
        werkgever_id="wg-1",
        werknemer_id="wn-1",
        melding_id=uuid4(),
        eerste_ziektedag=eerste_ziektedag,
        gemeld_op=datetime.combine(eerste_ziektedag, datetime.min.time(), tzinfo=UTC),
        gemeld_door=Actor(id="wn-1", rol=Rol.WERKNEMER),
        gemeld_bij=MeldingOntvanger.LEIDINGGEVENDE,
        verwachte_duur_dagen=None,
        herstelafspraak=None,
        belafspraak=None,
        vangnet_van_toepassing=False,
        arbeidsongeval=False,
        regres_derde=False,
        na_meldtijd=False,
        actor=CM,
        geregistreerd_op=NU,
        bron_event_id=uuid4(),
    )


def velden(soort: type[Verzuimdossier.Processtap], datum: date) -> dict[str, Any]:
    """A valid set of the step's own fields."""
    return {
        V.TriageUitgevoerd: {"route": "regulier", "toelichting": "eigen werk aangepast mogelijk"},
        V.BegeleiderToegewezen: {"begeleider_id": "vc-1", "begeleider_rol": "verzuimcoach"},
        V.ContactmomentVastgelegd: {"met_rol": "leidinggevende", "met_id": "lg-1", "verslag": "gebeld"},
        V.HerstelafspraakGemaakt: {"herstel_verwacht_op": datum + timedelta(days=7)},
        V.BelafspraakGemaakt: {"bellen_op": datetime.combine(datum + timedelta(days=3), datetime.min.time(), UTC)},
        V.ArbodienstGemeld: {"arbodienst": "Arbo BV"},
        V.SpreekuurGepland: {
            "spreekuur_op": datetime.combine(datum + timedelta(days=5), datetime.min.time(), UTC),
            "bedrijfsarts_id": "ba-1",
            "vraagstelling": "Welke taken kan de werknemer weer doen?",
        },
        V.ProbleemanalyseOntvangen: {
            "mogelijkheden": "licht administratief werk",
            "beperkingen": "niet tillen",
            "verwachte_duur": "3 maanden",
            "advies": "opbouw in uren",
        },
        V.PlanVanAanpakVastgesteld: {
            "doelen": ["terug in eigen werk"],
            "activiteiten": ["opbouwschema"],
            "casemanager_id": "cm-1",
            "evaluatiemomenten": [datum + timedelta(days=42)],
            "akkoord_werknemer": True,
        },
        V.EvaluatieVastgelegd: {"bijstelling": False, "toelichting": None},
        V.InterventieGestart: {"soort": "bedrijfsfysiotherapie"},
        V.OpbouwschemaVastgesteld: {
            "stappen": [
                {"vanaf": datum, "uren_per_week": 8.0, "loonwaarde_pct": 20},
                {"vanaf": datum + timedelta(days=14), "uren_per_week": 16.0, "loonwaarde_pct": 40},
            ]
        },
        V.WerkgerelateerdeComponentGemeld: {"soort": "arbeidsconflict"},
        V.EerstejaarsevaluatieVastgelegd: {"structureel_spoor1_perspectief": False},
        V.VldToegekend: {"laatste_dag_wachttijd": datum + timedelta(days=200)},
        V.TermijnAfwijkingGemotiveerd: {
            "termijn_code": "PLAN_VAN_AANPAK",
            "reden": "bedrijfsarts later beschikbaar",
            "volgnummer": None,
        },
        V.DocumentToegevoegd: {
            "stap": "overig",
            "naam": "brief.pdf",
            "mediatype": "application/pdf",
            "sha256": SHA,
            "grootte": 12,
        },
        V.DossierGesloten: {"reden": "WIA-uitkering toegekend"},
    }.get(soort, {})


def stap(dossier: Verzuimdossier, stapsoort: type[Verzuimdossier.Processtap], datum: date, /, **extra: Any) -> None:
    dossier.registreer_stap(
        stapsoort, datum=datum, actor=CM, geregistreerd_op=NU, vandaag=VANDAAG, **{**velden(stapsoort, datum), **extra}
    )


def met_vereisten(soort: type[Verzuimdossier.Processtap]) -> Verzuimdossier:
    """A dossier in which the steps `soort` needs are recorded."""
    dossier = open_dossier()
    vereist = {s for s, _ in soort.VEREIST}
    if vereist & {"plan_van_aanpak", "re_integratieverslag", "actueel_oordeel", "eindevaluatie"} or vereist:
        stap(dossier, V.ProbleemanalyseOntvangen, E + timedelta(days=40))
        stap(dossier, V.PlanVanAanpakVastgesteld, E + timedelta(days=50))
    if "re_integratieverslag" in vereist or "actueel_oordeel" in vereist:
        stap(dossier, V.ActueelOordeelOntvangen, E + timedelta(days=600))
        stap(dossier, V.EindevaluatieVastgelegd, E + timedelta(days=605))
    if "re_integratieverslag" in vereist:
        stap(dossier, V.ReIntegratieverslagCompleet, E + timedelta(days=610))
    return dossier


POSTABLE = [s for s in PUBLIC_STEPS if s not in (V.EpisodeToegevoegd, V.FeitGecorrigeerd, V.DocumentOndertekend)]


@pytest.mark.parametrize("soort", POSTABLE, ids=lambda s: s.__name__)
def test_every_step_is_recorded_with_actor_dates_and_its_public_event(soort: type[Verzuimdossier.Processtap]) -> None:
    dossier = met_vereisten(soort)
    voor = dossier.version
    stap(dossier, soort, E + timedelta(days=650))
    assert dossier.version == voor + 1
    laatste = dossier.stappen[-1]
    assert (laatste.soort, laatste.gebeurtenis, laatste.datum) == (soort.STAP, soort.__name__, E + timedelta(days=650))
    assert (laatste.actor, laatste.geregistreerd_op) == (CM, NU)
    assert laatste.omschrijving and laatste.keten_hash == dossier.keten_hash
    assert dossier.processtappen[soort.STAP][-1]["versie"] == dossier.version
    event = dossier.pending_events[-1]
    public = to_public_event(event)
    assert public is not None and type(public) is PUBLIC_STEPS[soort]
    assert (public.versie, public.dossier_id, public.actor, public.datum) == (  # type: ignore[attr-defined]
        dossier.version,
        dossier.id,
        CM,
        E + timedelta(days=650),
    )
    assert parse_event(public.subject(), public.model_dump_json().encode()) == public


@pytest.mark.parametrize("soort", POSTABLE, ids=lambda s: s.__name__)
def test_no_step_before_the_eerste_ziektedag_or_in_the_future(soort: type[Verzuimdossier.Processtap]) -> None:
    dossier = met_vereisten(soort)
    voor = dossier.version
    with pytest.raises(DatumVoorEersteZiektedag, match="vóór de eerste ziektedag"):
        stap(dossier, soort, E - timedelta(days=1))
    with pytest.raises(DatumInDeToekomst, match="in de toekomst"):
        stap(dossier, soort, VANDAAG + timedelta(days=1))
    assert dossier.version == voor  # nothing recorded


@pytest.mark.parametrize("soort", POSTABLE, ids=lambda s: s.__name__)
def test_after_volledig_herstel_only_administrative_steps_are_dated_on_or_after_the_hersteldatum(
    soort: type[Verzuimdossier.Processtap],
) -> None:
    dossier = met_vereisten(soort)
    hersteld = E + timedelta(days=700)
    dossier.registreer_herstel(
        herstel_id=uuid4(),
        soort=HerstelSoort.VOLLEDIG,
        hersteldatum=hersteld,
        arbeidsongeschiktheidspercentage=0,
        gemeld_op=NU,
        gemeld_door=CM,
        actor=CM,
        geregistreerd_op=NU,
        bron_event_id=None,
    )
    if soort.NA_HERSTEL:
        stap(dossier, soort, hersteld + timedelta(days=1))
    else:
        with pytest.raises(StapNaHerstel, match="volledig hersteld"):
            stap(dossier, soort, hersteld)
        stap(dossier, soort, hersteld - timedelta(days=1))  # a step from before the herstel, recorded later


@pytest.mark.parametrize("soort", POSTABLE, ids=lambda s: s.__name__)
def test_a_closed_dossier_takes_no_more_steps(soort: type[Verzuimdossier.Processtap]) -> None:
    dossier = met_vereisten(soort)
    stap(dossier, V.DossierGesloten, E + timedelta(days=690))
    assert dossier.status is DossierStatus.GESLOTEN
    with pytest.raises(DossierIsGesloten):
        stap(dossier, soort, E + timedelta(days=695))


@pytest.mark.parametrize(
    ("soort", "vereist"),
    [
        (V.PlanVanAanpakVastgesteld, "probleemanalyse"),
        (V.EvaluatieVastgelegd, "plan van aanpak"),
        (V.EerstejaarsevaluatieVastgelegd, "plan van aanpak"),
        (V.EindevaluatieVastgelegd, "plan van aanpak"),
        (V.ReIntegratieverslagCompleet, "actueel oordeel"),
        (V.WiaAangevraagd, "re integratieverslag"),
    ],
)
def test_a_step_before_the_step_it_follows_is_refused(soort: type[Verzuimdossier.Processtap], vereist: str) -> None:
    with pytest.raises(StapVereistEerdereStap, match=vereist):
        stap(open_dossier(), soort, E + timedelta(days=60))


def test_the_plan_van_aanpak_is_not_dated_before_the_probleemanalyse() -> None:
    dossier = open_dossier()
    stap(dossier, V.ProbleemanalyseOntvangen, E + timedelta(days=42))
    with pytest.raises(StapVereistEerdereStap, match="pas op 2025-02-17"):
        stap(dossier, V.PlanVanAanpakVastgesteld, E + timedelta(days=41))


@pytest.mark.parametrize(
    "soort", [V.Uwv42eWeeksmeldingGedaan, V.EerstejaarsevaluatieVastgelegd, V.Spoor2Gestart, V.WiaAangevraagd]
)
def test_a_once_only_step_is_refused_the_second_time(soort: type[Verzuimdossier.Processtap]) -> None:
    dossier = met_vereisten(soort)
    stap(dossier, soort, E + timedelta(days=620))
    with pytest.raises(StapAlGedaan, match="één keer"):
        stap(dossier, soort, E + timedelta(days=621))


@pytest.mark.parametrize(
    ("soort", "extra", "melding"),
    [
        (V.TriageUitgevoerd, {"route": "spoedeisend"}, "Ongeldige waarde"),
        (V.BegeleiderToegewezen, {"begeleider_id": " "}, "begeleider_id"),
        (V.ContactmomentVastgelegd, {"met_rol": ""}, "met wie"),
        (V.HerstelafspraakGemaakt, {"herstel_verwacht_op": E}, "vóór de datum"),
        (V.BelafspraakGemaakt, {"bellen_op": datetime(2025, 1, 1, 9, tzinfo=UTC)}, "vóór de datum"),
        (V.SpreekuurGepland, {"vraagstelling": " "}, "vraagstelling"),
        (V.ProbleemanalyseOntvangen, {"advies": ""}, "advies"),
        (V.InterventieGestart, {"soort": ""}, "soort interventie"),
        (V.OpbouwschemaVastgesteld, {"stappen": []}, "ten minste één"),
        (V.WerkgerelateerdeComponentGemeld, {"soort": "ruzie"}, "Ongeldige waarde"),
        (V.VldToegekend, {"laatste_dag_wachttijd": E + timedelta(days=10)}, "na de datum"),
        (V.TermijnAfwijkingGemotiveerd, {"termijn_code": "pva"}, "geen termijncode"),
        (V.TermijnAfwijkingGemotiveerd, {"reden": " "}, "motivering"),
        (V.TermijnAfwijkingGemotiveerd, {"termijn_code": "EVALUATIE", "volgnummer": 0}, "telt vanaf 1"),
        (V.TermijnAfwijkingGemotiveerd, {"termijn_code": "EVALUATIE", "volgnummer": True}, "telt vanaf 1"),
        (V.DocumentToegevoegd, {"stap": "recept"}, "geen stap"),
        (V.DocumentToegevoegd, {"stap": "plan_van_aanpak"}, "leg eerst die stap vast"),
        (V.DocumentToegevoegd, {"sha256": "xyz"}, "64 hexadecimale"),
        (V.DossierGesloten, {"reden": ""}, "reden"),
    ],
)
def test_the_steps_own_guards(soort: type[Verzuimdossier.Processtap], extra: dict[str, Any], melding: str) -> None:
    dossier = open_dossier()
    with pytest.raises(DossierFout, match=melding):
        stap(dossier, soort, E + timedelta(days=20), **extra)
    assert dossier.version == 1


def test_plan_van_aanpak_needs_goals_activities_casemanager_and_later_evaluation_moments() -> None:
    for extra, melding in [
        ({"doelen": []}, "één doel"),
        ({"casemanager_id": ""}, "casemanager"),
        ({"evaluatiemomenten": []}, "evaluatiemomenten"),
        ({"evaluatiemomenten": [E + timedelta(days=30)]}, "na de datum"),
    ]:
        dossier = open_dossier()
        stap(dossier, V.ProbleemanalyseOntvangen, E + timedelta(days=40))
        with pytest.raises(OngeldigeStap, match=melding):
            stap(dossier, V.PlanVanAanpakVastgesteld, E + timedelta(days=50), **extra)


def test_complex_route_gets_a_casemanager_not_a_verzuimcoach() -> None:
    dossier = open_dossier()
    stap(dossier, V.TriageUitgevoerd, E, route="complex")
    with pytest.raises(OngeldigeStap, match="casemanager vanaf dag 1"):
        stap(dossier, V.BegeleiderToegewezen, E, begeleider_rol="verzuimcoach")
    stap(dossier, V.BegeleiderToegewezen, E, begeleider_id="cm-9", begeleider_rol="casemanager")
    assert (dossier.route, dossier.casemanager_id, dossier.begeleider_id) == ("complex", "cm-9", "cm-9")


def test_opbouwschema_steps_follow_each_other() -> None:
    dossier = open_dossier()
    schema = [
        {"vanaf": E + timedelta(days=30), "uren_per_week": 8.0, "loonwaarde_pct": 20},
        {"vanaf": E + timedelta(days=20), "uren_per_week": 16.0, "loonwaarde_pct": 40},
    ]
    with pytest.raises(OngeldigeStap, match="na de vorige"):
        stap(dossier, V.OpbouwschemaVastgesteld, E + timedelta(days=10), stappen=schema)


def test_a_second_vld_extends_beyond_the_first() -> None:
    dossier = open_dossier()
    stap(dossier, V.VldToegekend, E + timedelta(days=600), laatste_dag_wachttijd=date(2027, 6, 1))
    assert dossier.laatste_dag_wachttijd == date(2027, 6, 1)
    with pytest.raises(OngeldigeStap, match="na 2027-06-01"):
        stap(dossier, V.VldToegekend, E + timedelta(days=610), laatste_dag_wachttijd=date(2027, 5, 1))


def test_a_document_is_signed_once_per_person_and_only_when_it_is_in_the_dossier() -> None:
    dossier = open_dossier()
    with pytest.raises(DocumentOnbekend):
        stap(dossier, V.DocumentOndertekend, E, sha256=SHA, ondertekend_door="wn-1")
    stap(dossier, V.DocumentToegevoegd, E + timedelta(days=3))
    with pytest.raises(OngeldigeStap, match="al in het dossier"):
        stap(dossier, V.DocumentToegevoegd, E + timedelta(days=4), naam="nog eens.pdf")
    with pytest.raises(OngeldigeStap, match="pas op"):
        stap(dossier, V.DocumentOndertekend, E + timedelta(days=2), sha256=SHA, ondertekend_door="wn-1")
    stap(dossier, V.DocumentOndertekend, E + timedelta(days=5), sha256=SHA, ondertekend_door="wn-1")
    assert dossier.documenten[SHA].ondertekend_door == ["wn-1"]
    with pytest.raises(DocumentAlOndertekend):
        stap(dossier, V.DocumentOndertekend, E + timedelta(days=6), sha256=SHA, ondertekend_door="wn-1")


def test_correcting_the_eerste_ziektedag_recomputes_sick_days_and_keeps_the_old_value_in_the_history() -> None:
    dossier = open_dossier()
    assert dossier.verzuimdagen(date(2025, 1, 31)) == 26
    dossier.corrigeer_feit(
        CorrigeerbaarFeit.EERSTE_ZIEKTEDAG,
        date(2025, 1, 2),
        reden="melding was te laat ingevoerd",
        datum=date(2025, 2, 1),
        actor=CM,
        geregistreerd_op=NU,
        vandaag=VANDAAG,
    )
    assert dossier.eerste_ziektedag == date(2025, 1, 2)
    assert dossier.verzuimdagen(date(2025, 1, 31)) == 30
    laatste = dossier.stappen[-1]
    assert (laatste.soort, laatste.reden) == ("correctie", "melding was te laat ingevoerd")
    assert "2025-01-06 wordt 2025-01-02" in laatste.omschrijving
    public = to_public_event(dossier.pending_events[-1])
    assert (public.feit, public.oude_waarde, public.nieuwe_waarde) == (  # type: ignore[union-attr]
        "eerste_ziektedag",
        "2025-01-06",
        "2025-01-02",
    )


def test_a_correction_that_contradicts_the_dossier_is_refused() -> None:
    dossier = open_dossier()
    stap(dossier, V.TriageUitgevoerd, E + timedelta(days=2))

    def corrigeer(feit: CorrigeerbaarFeit, nieuw: date) -> None:
        dossier.corrigeer_feit(
            feit, nieuw, reden="r", datum=E + timedelta(days=3), actor=CM, geregistreerd_op=NU, vandaag=VANDAAG
        )

    with pytest.raises(OngeldigeStap, match="al 2025-01-06"):
        corrigeer(CorrigeerbaarFeit.EERSTE_ZIEKTEDAG, E)
    with pytest.raises(OngeldigeStap, match="ligt na 2025-01-08"):
        corrigeer(CorrigeerbaarFeit.EERSTE_ZIEKTEDAG, E + timedelta(days=5))
    with pytest.raises(OngeldigeStap, match="niet hersteld"):
        corrigeer(CorrigeerbaarFeit.HERSTELDATUM, E + timedelta(days=5))
    assert dossier.version == 2


def test_correcting_the_hersteldatum_moves_the_end_of_the_episode() -> None:
    dossier = open_dossier()
    dossier.registreer_herstel(
        herstel_id=uuid4(),
        soort=HerstelSoort.VOLLEDIG,
        hersteldatum=E + timedelta(days=10),
        arbeidsongeschiktheidspercentage=0,
        gemeld_op=NU,
        gemeld_door=CM,
        actor=CM,
        geregistreerd_op=NU,
        bron_event_id=None,
    )
    dossier.corrigeer_feit(
        CorrigeerbaarFeit.HERSTELDATUM,
        E + timedelta(days=14),
        reden="pas later hersteld",
        datum=E + timedelta(days=20),
        actor=CM,
        geregistreerd_op=NU,
        vandaag=VANDAAG,
    )
    assert dossier.hersteldatum == E + timedelta(days=14)
    assert dossier.verzuimdagen(E + timedelta(days=30)) == 14
    assert dossier.arbeidsongeschiktheidspercentage_op(E + timedelta(days=12)) == 100


def test_a_relapse_within_four_weeks_adds_an_episode_and_reopens_the_dossier() -> None:
    dossier = open_dossier()
    dossier.registreer_herstel(
        herstel_id=uuid4(),
        soort=HerstelSoort.VOLLEDIG,
        hersteldatum=E + timedelta(days=10),
        arbeidsongeschiktheidspercentage=0,
        gemeld_op=NU,
        gemeld_door=CM,
        actor=CM,
        geregistreerd_op=NU,
        bron_event_id=None,
    )
    feiten: dict[str, Any] = {
        "gemeld_op": NU,
        "gemeld_door": CM,
        "gemeld_bij": MeldingOntvanger.LEIDINGGEVENDE,
        "verwachte_duur_dagen": None,
        "herstelafspraak": None,
        "belafspraak": None,
        "vangnet_van_toepassing": False,
        "arbeidsongeval": False,
        "regres_derde": False,
        "na_meldtijd": False,
        "actor": CM,
        "geregistreerd_op": NU,
        "bron_event_id": None,
    }
    with pytest.raises(OngeldigeStap, match="binnen vier weken"):
        dossier.voeg_episode_toe(melding_id=uuid4(), eerste_ziektedag=E + timedelta(days=38), **feiten)
    melding = uuid4()
    dossier.voeg_episode_toe(melding_id=melding, eerste_ziektedag=E + timedelta(days=37), **feiten)  # gap 27
    assert dossier.status is DossierStatus.OPEN and len(dossier.episodes) == 2
    assert dossier.verzuimdagen(E + timedelta(days=39)) == 10 + 3  # gap days are not sick days
    assert dossier.arbeidsongeschiktheidspercentage_op(E + timedelta(days=20)) == 0
    assert dossier.arbeidsongeschiktheidspercentage_op(E + timedelta(days=37)) == 100
    public = to_public_event(dossier.pending_events[-1])
    assert public is not None and public.hersteld_dagen_tussen == 27  # type: ignore[attr-defined]
    with pytest.raises(OngeldigeStap, match="al in dit dossier"):
        dossier.voeg_episode_toe(melding_id=melding, eerste_ziektedag=E + timedelta(days=40), **feiten)


def test_a_termijnafwijking_may_name_which_occurrence_of_the_code_it_means() -> None:
    """The volgnummer travels to the public event; without it the step is recorded and shown as before (v1)."""
    dossier = open_dossier()
    stap(dossier, V.TermijnAfwijkingGemotiveerd, E + timedelta(days=200), termijn_code="EVALUATIE", volgnummer=3)
    stap(dossier, V.TermijnAfwijkingGemotiveerd, E + timedelta(days=210), termijn_code="BELAFSPRAAK")
    met, zonder = dossier.pending_events[-2:]
    assert isinstance(met, V.TermijnAfwijkingGemotiveerd) and (met.termijn_code, met.volgnummer) == ("EVALUATIE", 3)
    publiek_met, publiek_zonder = to_public_event(met), to_public_event(zonder)
    assert publiek_met is not None and publiek_met.volgnummer == 3  # type: ignore[attr-defined]
    assert publiek_zonder is not None and publiek_zonder.volgnummer is None  # type: ignore[attr-defined]
    assert parse_event(publiek_met.subject(), publiek_met.model_dump_json().encode()) == publiek_met
    eerste, tweede = dossier.processtappen["termijnafwijking"]
    assert (eerste["termijn_code"], eerste["volgnummer"]) == ("EVALUATIE", 3)
    assert tweede == {"versie": dossier.version, "datum": E + timedelta(days=210), "termijn_code": "BELAFSPRAAK",
                      "reden": "bedrijfsarts later beschikbaar"}  # fmt: skip
    assert [s.omschrijving for s in dossier.stappen[-2:]] == [
        f"Gemotiveerd afgeweken van termijn EVALUATIE nr. 3 op {(E + timedelta(days=200)).isoformat()}.",
        f"Gemotiveerd afgeweken van termijn BELAFSPRAAK op {(E + timedelta(days=210)).isoformat()}.",
    ]

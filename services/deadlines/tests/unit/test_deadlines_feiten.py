"""Folding dossier events into the facts the rules use: order, corrections, relapses, and what cannot be applied."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from verzuim_deadlines.domain import (
    DossierNietGeopend,
    Episode,
    Stap,
    TermijnCode,
    TermijnStatus,
    Ziekmelding,
    bereken_tijdlijn,
    feiten_uit_events,
)
from verzuim_shared.events import Actor, DossierGeopend, HerstelGeregistreerd, HerstelSoort, Rol
from verzuim_shared.events.dossier import (
    BegeleiderRol,
    BegeleiderToegewezen,
    BelafspraakGemaakt,
    DossierEvent,
    DossierGesloten,
    EpisodeToegevoegd,
    FeitGecorrigeerd,
    HerstelafspraakGemaakt,
    PlanVanAanpakVastgesteld,
    ProbleemanalyseOntvangen,
    TermijnAfwijkingGemotiveerd,
    VldToegekend,
)

E = date(2025, 1, 6)
DOSSIER = uuid4()
NU = datetime(2025, 1, 6, 9, tzinfo=UTC)


def basis(versie: int, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": uuid4(),
        "werkgever_id": "wg",
        "geregistreerd_op": NU + timedelta(minutes=versie),
        "actor": Actor(id="hr-1", rol=Rol.HR),
        "dossier_id": DOSSIER,
        "versie": versie,
        "werknemer_id": "wn",
        **extra,
    }


def geopend(**extra: Any) -> DossierGeopend:
    return DossierGeopend(**basis(1, **{"melding_id": uuid4(), "eerste_ziektedag": E, "gemeld_op": NU, **extra}))


def herstel(versie: int, datum: date, soort: HerstelSoort = HerstelSoort.VOLLEDIG) -> HerstelGeregistreerd:
    pct = 0 if soort is HerstelSoort.VOLLEDIG else 50
    return HerstelGeregistreerd(
        **basis(versie, herstel_id=uuid4(), soort=soort, hersteldatum=datum, arbeidsongeschiktheidspercentage=pct)
    )


def terugval(versie: int, datum: date) -> EpisodeToegevoegd:
    gemeld = datetime.combine(datum, datetime.min.time(), UTC) + timedelta(hours=7)
    return EpisodeToegevoegd(
        **basis(
            versie, datum=datum, melding_id=uuid4(), eerste_ziektedag=datum, gemeld_op=gemeld, hersteld_dagen_tussen=5
        )
    )


def correctie(versie: int, feit: str, oud: str, nieuw: str) -> FeitGecorrigeerd:
    return FeitGecorrigeerd(
        **basis(versie, datum=date(2025, 3, 1), feit=feit, oude_waarde=oud, nieuwe_waarde=nieuw, reden="typfout")
    )


def test_without_its_opening_a_dossier_has_no_facts() -> None:
    with pytest.raises(DossierNietGeopend):
        feiten_uit_events([herstel(2, date(2025, 2, 1))])


def test_the_opening_gives_the_first_episode_and_melding() -> None:
    f = feiten_uit_events([geopend(herstelafspraak=date(2025, 1, 10))])
    assert f.episodes == (Episode(E),)
    assert f.meldingen == (Ziekmelding(date(2025, 1, 6), date(2025, 1, 10)),)
    assert (f.werkgever_id, f.werknemer_id, f.versie) == ("wg", "wn", 1)


def test_a_late_evening_melding_counts_on_its_dutch_date() -> None:
    f = feiten_uit_events([geopend(gemeld_op=datetime(2025, 1, 6, 23, 30, tzinfo=UTC))])
    assert f.meldingen[0].gemeld_op == date(2025, 1, 7)  # 00:30 in Amsterdam


def test_events_fold_in_version_order_whatever_order_they_arrive_in() -> None:
    events: list[DossierEvent] = [
        geopend(),
        herstel(2, date(2025, 2, 1)),
        terugval(3, date(2025, 2, 10)),
        herstel(4, date(2025, 3, 1), HerstelSoort.GEDEELTELIJK),
        ProbleemanalyseOntvangen(
            **basis(5, datum=date(2025, 3, 5), mogelijkheden="m", beperkingen="b", advies="a")  # process facts only
        ),
    ]
    verwacht = feiten_uit_events(events)
    for _ in range(5):
        random.shuffle(events)
        assert feiten_uit_events(events) == verwacht
    assert verwacht.episodes == (Episode(E, date(2025, 2, 1)), Episode(date(2025, 2, 10)))
    assert verwacht.meldingen[1] == Ziekmelding(date(2025, 2, 10))
    assert [d.arbeidsongeschiktheidspercentage for d in verwacht.deelherstel] == [50]
    assert [(s.stap, s.datum) for s in verwacht.stappen] == [(Stap.PROBLEEMANALYSE, date(2025, 3, 5))]
    assert verwacht.versie == 5 and verwacht.waarschuwingen == ()


def test_a_correction_of_the_eerste_ziektedag_replaces_it_from_then_on() -> None:
    f = feiten_uit_events([geopend(), correctie(2, "eerste_ziektedag", "2025-01-06", "2025-01-02")])
    assert f.episodes == (Episode(date(2025, 1, 2)),)
    assert f.eerste_ziektedag == date(2025, 1, 2)


def test_corrections_of_a_hersteldatum_a_step_a_vld_and_the_melding() -> None:
    pva = PlanVanAanpakVastgesteld(
        **basis(
            3,
            datum=date(2025, 3, 3),
            doelen=["d"],
            activiteiten=["a"],
            casemanager_id="cm-1",
            evaluatiemomenten=[],
            akkoord_werknemer=True,
        )
    )
    f = feiten_uit_events(
        [
            geopend(),
            herstel(2, date(2025, 6, 1)),
            pva,
            VldToegekend(**basis(4, datum=date(2026, 9, 1), laatste_dag_wachttijd=date(2027, 4, 4))),
            correctie(5, "hersteldatum", "2025-06-01", "2025-06-08"),
            correctie(6, "plan_van_aanpak", "2025-03-03", "2025-03-05"),
            correctie(7, "laatste_dag_wachttijd", "2027-04-04", "2027-07-04"),
            correctie(8, "gemeld_op", "2025-01-06", "2025-01-07T08:00:00+01:00"),
            correctie(9, "telefoon", "0612", "0613"),  # touches no date
        ]
    )
    assert f.episodes == (Episode(E, date(2025, 6, 8)),)
    assert [(s.stap, s.datum) for s in f.stappen] == [(Stap.PLAN_VAN_AANPAK, date(2025, 3, 5))]
    assert f.vld_laatste_dag == date(2027, 7, 4)
    assert f.meldingen[0].gemeld_op == date(2025, 1, 7)
    assert f.casemanager_id == "cm-1"  # named by the plan van aanpak
    assert f.waarschuwingen == ()


def test_what_cannot_be_applied_is_left_out_and_named_with_its_event() -> None:
    slecht = herstel(2, E)  # a hersteldatum on the eerste ziektedag
    te_vroeg = terugval(3, date(2025, 2, 1))  # a relapse while the first episode still runs
    onbekend = TermijnAfwijkingGemotiveerd(**basis(4, datum=date(2025, 2, 1), termijn_code="ONBEKEND", reden="x"))
    fout = correctie(5, "eerste_ziektedag", "2025-01-06", "geen datum")
    f = feiten_uit_events([geopend(), slecht, te_vroeg, onbekend, fout])
    assert f.episodes == (Episode(E),)
    ids: list[UUID | None] = [w.event_id for w in f.waarschuwingen]
    assert ids == [slecht.event_id, te_vroeg.event_id, onbekend.event_id, fout.event_id]
    assert "onbekende termijncode 'ONBEKEND'" in f.waarschuwingen[2].tekst


def test_the_latest_begeleider_is_the_casemanager_and_a_relapse_reopens_a_closed_dossier() -> None:
    f = feiten_uit_events(
        [
            geopend(),
            BegeleiderToegewezen(**basis(2, datum=E, begeleider_id="vc-1", begeleider_rol=BegeleiderRol.VERZUIMCOACH)),
            BegeleiderToegewezen(**basis(3, datum=E, begeleider_id="cm-2", begeleider_rol=BegeleiderRol.CASEMANAGER)),
            herstel(4, date(2025, 2, 1)),
            DossierGesloten(**basis(5, datum=date(2025, 2, 1), reden="hersteld")),
            terugval(6, date(2025, 2, 20)),
        ]
    )
    assert f.casemanager_id == "cm-2"
    assert f.gesloten_op is None and f.hersteldatum is None


def test_a_belafspraak_is_dated_on_the_agreed_call_and_a_deviation_is_kept() -> None:
    bel = BelafspraakGemaakt(**basis(2, datum=E, bellen_op=datetime(2025, 1, 13, 9, tzinfo=UTC)))
    afwijking = TermijnAfwijkingGemotiveerd(
        **basis(3, datum=date(2025, 2, 10), termijn_code="probleemanalyse", reden="bedrijfsarts ziek")
    )
    genoemd = TermijnAfwijkingGemotiveerd(
        **basis(4, datum=date(2025, 2, 11), termijn_code="EVALUATIE", reden="uitgesteld", volgnummer=3)
    )
    f = feiten_uit_events([geopend(), bel, afwijking, genoemd])
    assert [(s.stap, s.datum, s.event_id) for s in f.stappen] == [(Stap.BELAFSPRAAK, date(2025, 1, 13), bel.event_id)]
    assert [(a.code, a.reden, a.volgnummer, a.event_id) for a in f.afwijkingen] == [
        (TermijnCode.PROBLEEMANALYSE, "bedrijfsarts ziek", None, afwijking.event_id),
        (TermijnCode.EVALUATIE, "uitgesteld", 3, genoemd.event_id),
    ]


def test_a_correction_of_the_herstelafspraak_made_at_the_opening_changes_that_one() -> None:
    f = feiten_uit_events(
        [geopend(herstelafspraak=date(2025, 1, 10)), correctie(2, "herstelafspraak", "2025-01-10", "2025-01-13")]
    )
    assert f.meldingen == (Ziekmelding(E, date(2025, 1, 13)),)


def test_a_correction_of_a_recorded_herstelafspraak_corrects_that_step_and_keeps_the_belafspraak() -> None:
    # no herstelafspraak at the melding; one recorded on 01-08, then its date corrected to 01-09
    afspraak = HerstelafspraakGemaakt(**basis(2, datum=date(2025, 1, 8), herstel_verwacht_op=date(2025, 1, 20)))
    f = feiten_uit_events([geopend(), afspraak, correctie(3, "herstelafspraak", "2025-01-08", "2025-01-09")])
    assert f.meldingen[0].herstelafspraak is None  # the melding did not get one: its belafspraak still exists
    assert [(s.stap, s.datum) for s in f.stappen] == [(Stap.HERSTELAFSPRAAK, date(2025, 1, 9))]
    (bel,) = [t for t in bereken_tijdlijn(f) if t.code is TermijnCode.BELAFSPRAAK]
    assert (bel.status, bel.reden) == (TermijnStatus.VERVALLEN, "herstelafspraak gemaakt op 2025-01-09")
    # its expected return corrected: no rule uses that date, and the melding still gets no herstelafspraak
    verwacht = correctie(4, "herstel_verwacht_op", "2025-01-20", "2025-01-27")
    assert feiten_uit_events([geopend(), afspraak, verwacht]).meldingen[0].herstelafspraak is None


def test_a_herstelafspraak_added_by_correction_goes_to_the_melding_whose_period_holds_it() -> None:
    events: list[DossierEvent] = [
        geopend(),
        herstel(2, date(2025, 2, 1)),
        terugval(3, date(2025, 2, 10)),
        correctie(4, "herstelafspraak", "", "2025-02-17"),  # made at the relapse's melding, not recorded then
    ]
    f = feiten_uit_events(events)
    assert [m.herstelafspraak for m in f.meldingen] == [None, date(2025, 2, 17)]
    belafspraken = [t.volgnummer for t in bereken_tijdlijn(f) if t.code is TermijnCode.BELAFSPRAAK]
    assert belafspraken == [1]  # the relapse's melding needs no belafspraak; the first one's stays
    # and a later correction of it finds it there, by its old value
    f = feiten_uit_events([*events, correctie(5, "herstel_verwacht_op", "2025-02-17", "2025-02-24")])
    assert [m.herstelafspraak for m in f.meldingen] == [None, date(2025, 2, 24)]

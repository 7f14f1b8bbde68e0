"""Samentelling on the real event store: a relapse within four weeks continues the dossier, 28 days opens a new
one, redeliveries change nothing, history that arrives out of date order in one batch is sorted, and two racing
meldingen of one werknemer cannot open two dossiers. Plus the upcasting of events stored by earlier releases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from verzuim_cases.adapters.public_events import to_public_event
from verzuim_cases.application import DossierApplication, LaterOpnieuw, Verwerkt
from verzuim_cases.domain import DossierStatus, Verzuimdossier
from verzuim_cases.domain.keten import schakel
from verzuim_cases.settings import CasesSettings
from verzuim_shared.auth import Principal
from verzuim_shared.events import Actor, Bereikbaarheid, HerstelGemeld, HerstelSoort, Rol, ZiekGemeld
from verzuim_shared.events.dossier import TermijnAfwijkingGemotiveerd
from verzuim_shared.ids import dossier_id_for_melding

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
HR = Actor(id="hr-1", rol=Rol.HR)
WG = "wg-a"


def ziek(eerste_ziektedag: date, werknemer: str = "wn-1") -> ZiekGemeld:
    return ZiekGemeld(
        event_id=uuid4(),
        werkgever_id=WG,
        geregistreerd_op=NOW,
        actor=HR,
        melding_id=uuid4(),
        werknemer_id=werknemer,
        eerste_ziektedag=eerste_ziektedag,
        gemeld_op=NOW,
        gemeld_door=Actor(id=werknemer, rol=Rol.WERKNEMER),
        bereikbaarheid=Bereikbaarheid(telefoon="0612345678"),
        meldtijd_grens=NOW,
        na_meldtijd=False,
    )


def hersteld(melding: ZiekGemeld, hersteldatum: date) -> HerstelGemeld:
    return HerstelGemeld(
        event_id=uuid4(),
        werkgever_id=WG,
        geregistreerd_op=NOW,
        actor=HR,
        herstel_id=uuid4(),
        werknemer_id=melding.werknemer_id,
        melding_id=melding.melding_id,
        soort=HerstelSoort.VOLLEDIG,
        hersteldatum=hersteldatum,
        arbeidsongeschiktheidspercentage=0,
        gemeld_op=NOW,
        gemeld_door=HR,
    )


@pytest.fixture
def app(cases_settings: CasesSettings) -> Iterator[DossierApplication]:
    application = DossierApplication.from_settings(cases_settings)
    yield application
    application.close()


def test_a_relapse_of_27_days_continues_the_dossier_and_28_days_opens_a_new_one(app: DossierApplication) -> None:
    # decisions D4: sick 2022-01-03, hersteld 2022-07-04.
    for werknemer, gap, zelfde in (("wn-27", 27, True), ("wn-28", 28, False)):
        eerste = ziek(date(2022, 1, 3), werknemer)
        app.open_dossier(eerste)
        app.registreer_herstel(hersteld(eerste, date(2022, 7, 4)))
        terugval = ziek(date(2022, 7, 4) + timedelta(days=gap), werknemer)
        dossier = app.open_dossier(terugval)
        assert (dossier.id == dossier_id_for_melding(eerste.melding_id)) is zelfde
        if zelfde:
            assert [e.eerste_ziektedag for e in dossier.episodes] == [date(2022, 1, 3), date(2022, 7, 31)]
            assert dossier.stappen[-1].gebeurtenis == "EpisodeToegevoegd" and dossier.status is DossierStatus.OPEN
            assert dossier.verzuimdagen(date(2022, 8, 1)) == 182 + 2
        else:
            assert dossier.id == dossier_id_for_melding(terugval.melding_id) and dossier.version == 1
        # A redelivery finds the melding, wherever it went, and adds nothing.
        again = app.open_dossier(terugval.model_copy(update={"event_id": uuid4()}))
        assert (again.id, again.version) == (dossier.id, dossier.version)
        assert app.lookup.dossier_voor_melding(WG, terugval.melding_id) == dossier.id


def test_history_that_arrives_out_of_date_order_in_one_batch_is_applied_in_date_order(app: DossierApplication) -> None:
    eerste = ziek(date(2023, 3, 1), "wn-h")
    herstel = hersteld(eerste, date(2023, 4, 1))
    tweede = ziek(date(2023, 4, 11), "wn-h")
    uitkomsten = app.verwerk_intake([tweede, herstel, eerste])
    assert all(isinstance(u, Verwerkt) for u in uitkomsten)
    dossier = app.get_dossier(dossier_id_for_melding(eerste.melding_id))
    assert [e.melding_id for e in dossier.episodes] == [eerste.melding_id, tweede.melding_id]
    assert [s.gebeurtenis for s in dossier.stappen] == ["Geopend", "HerstelGeregistreerd", "EpisodeToegevoegd"]
    assert len(app.lookup.dossiers(WG, werknemer_id="wn-h")) == 1


def test_a_melding_while_the_werknemer_is_still_sick_waits_for_the_herstel(app: DossierApplication) -> None:
    eerste = ziek(date(2023, 3, 1), "wn-o")
    app.open_dossier(eerste)
    (uitkomst,) = app.verwerk_intake([ziek(date(2023, 3, 20), "wn-o")])
    assert isinstance(uitkomst, LaterOpnieuw) and "al ziek" in uitkomst.reden


def test_two_racing_first_meldingen_of_one_werknemer_open_one_dossier(app: DossierApplication) -> None:
    for ronde in range(5):
        werknemer = f"wn-race-{ronde}"
        meldingen = [ziek(date(2024, 5, 6), werknemer), ziek(date(2024, 5, 6), werknemer)]
        barrier = threading.Barrier(2)
        uitkomsten: list[Any] = []

        def run(melding: ZiekGemeld, barrier: threading.Barrier, uitkomsten: list[Any]) -> None:
            barrier.wait()
            uitkomsten.extend(app.verwerk_intake([melding]))

        threads = [threading.Thread(target=run, args=(m, barrier, uitkomsten)) for m in meldingen]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(type(u).__name__ for u in uitkomsten) == ["LaterOpnieuw", "Verwerkt"]
        assert len(app.lookup.dossiers(WG, werknemer_id=werknemer)) == 1


def test_a_dossier_stored_by_the_first_release_is_upcast_replays_and_continues_its_chain(
    cases_settings: CasesSettings,
) -> None:
    """v1 of `Geopend` had no keten_hash and the first release wrote `melding_lookup` (melding → dossier) only."""
    app = DossierApplication.from_settings(cases_settings)
    melding_id = uuid4()
    dossier_id = dossier_id_for_melding(melding_id)
    v1_state: dict[str, Any] = {
        "timestamp": NOW,
        "originator_topic": "verzuim_cases.domain.dossier:Verzuimdossier",
        "werkgever_id": WG,
        "werknemer_id": "wn-old",
        "actor": HR,
        "geregistreerd_op": NOW,
        "bron_event_id": uuid4(),
        "melding_id": melding_id,
        "eerste_ziektedag": date(2024, 11, 4),
        "gemeld_op": NOW,
        "gemeld_door": HR,
        "gemeld_bij": "leidinggevende",
        "verwachte_duur_dagen": None,
        "herstelafspraak": None,
        "belafspraak": None,
        "vangnet_van_toepassing": False,
        "arbeidsongeval": False,
        "regres_derde": False,
        "na_meldtijd": False,
    }
    state = app.mapper.transcoder.encode(v1_state)
    app.close()
    with psycopg.connect(cases_settings.database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO cases_events (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)",
            (dossier_id, "verzuim_cases.domain.dossier:Verzuimdossier.Geopend", state),
        )
        conn.execute(
            "INSERT INTO dossier_lookup (dossier_id, werkgever_id, werknemer_id, status, eerste_ziektedag, versie)"
            " VALUES (%s, %s, 'wn-old', 'open', '2024-11-04', 1)",
            (dossier_id, WG),
        )
        conn.execute("CREATE TABLE melding_lookup (melding_id uuid PRIMARY KEY, dossier_id uuid, werkgever_id text)")
        conn.execute("INSERT INTO melding_lookup VALUES (%s, %s, %s)", (melding_id, dossier_id, WG))

    app = DossierApplication.from_settings(cases_settings)  # the new release starts on the old database
    try:
        dossier = app.get_dossier(dossier_id)
        assert (dossier.werknemer_id, dossier.eerste_ziektedag, dossier.version) == ("wn-old", date(2024, 11, 4), 1)
        (event,) = app.events.get(dossier_id)
        assert isinstance(event, Verzuimdossier.Geopend) and event.keten_hash is None
        auditor = Principal(id="au-1", rol=Rol.AUDITOR, werkgever_id=WG)
        controle = app.integriteit(auditor, dossier_id)
        assert (controle.intact, controle.keten.onverzegeld) == (True, (1,))
        # The old melding is found through the backfilled episode table: a herstel by melding id lands.
        old = ziek(date(2024, 11, 4), "wn-old").model_copy(update={"melding_id": melding_id})
        app.registreer_herstel(hersteld(old, date(2024, 12, 2)))
        assert app.open_dossier(old).version == 2  # and a redelivered v1 ziekmelding adds nothing
        controle = app.integriteit(auditor, dossier_id)
        assert (controle.intact, controle.keten.versies, controle.keten.onverzegeld) == (True, 2, (1,))
        stored_v2 = app.recorder.select_events(dossier_id)[1]
        assert app.mapper.transcoder.decode(stored_v2.state)["keten_hash"]  # sealed from the new release on
    finally:
        app.close()


def test_a_termijnafwijking_stored_before_it_had_a_volgnummer_replays_with_none_and_stays_intact(
    cases_settings: CasesSettings,
) -> None:
    """v1 of `TermijnAfwijkingGemotiveerd` had no `volgnummer`. Written here as that release sealed and stored it: it
    replays with None, publishes without one, and neither the chain nor a snapshot of it is reported as changed."""
    app = DossierApplication.from_settings(cases_settings)
    dossier = app.open_dossier(ziek(date(2025, 1, 6), "wn-v1"))
    app.close()
    topic = "verzuim_cases.domain.dossier:Verzuimdossier.TermijnAfwijkingGemotiveerd"
    v1_state: dict[str, Any] = {
        "timestamp": NOW,
        "werkgever_id": WG,
        "werknemer_id": "wn-v1",
        "actor": HR,
        "geregistreerd_op": NOW,
        "bron_event_id": None,
        "datum": date(2025, 3, 3),
        "termijn_code": "BELAFSPRAAK",
        "reden": "werknemer was onbereikbaar",
    }
    v1_state["keten_hash"] = schakel(dossier.keten_hash, topic, dossier.id, 2, v1_state)
    with psycopg.connect(cases_settings.database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO cases_events (originator_id, originator_version, topic, state) VALUES (%s, 2, %s, %s)",
            (dossier.id, topic, app.mapper.transcoder.encode(v1_state)),
        )
        conn.execute(
            "UPDATE dossier_lookup SET versie = 2, keten_hash = %s WHERE dossier_id = %s",
            (v1_state["keten_hash"], dossier.id),
        )

    app = DossierApplication.from_settings(cases_settings)  # the new release on the old rows
    try:
        herlezen = app.get_dossier(dossier.id)
        assert herlezen.version == 2
        # as v1 showed it, so a snapshot an earlier release took still equals the state the events give
        assert herlezen.processtappen["termijnafwijking"] == [
            {"versie": 2, "datum": date(2025, 3, 3), "termijn_code": "BELAFSPRAAK", "reden": v1_state["reden"]}
        ]
        assert herlezen.stappen[-1].omschrijving == "Gemotiveerd afgeweken van termijn BELAFSPRAAK op 2025-03-03."
        oud = list(app.events.get(dossier.id))[-1]
        assert isinstance(oud, Verzuimdossier.TermijnAfwijkingGemotiveerd) and oud.volgnummer is None
        publiek = to_public_event(oud)
        assert isinstance(publiek, TermijnAfwijkingGemotiveerd) and publiek.volgnummer is None
        app.take_snapshot(dossier.id)
        auditor = Principal(id="au-1", rol=Rol.AUDITOR, werkgever_id=WG)
        controle = app.integriteit(auditor, dossier.id)
        assert (controle.intact, controle.keten.onverzegeld, controle.snapshots, controle.snapshot_breuken) == (
            True, (), (2,), (),
        )  # fmt: skip

        # The new release records the volgnummer, sealed with the event.
        hr = Principal(id="hr-1", rol=Rol.HR, werkgever_id=WG)
        velden = {"termijn_code": "BELAFSPRAAK", "reden": "melding 1 alsnog gemotiveerd", "volgnummer": 1}
        app.registreer_stap(hr, dossier.id, Verzuimdossier.TermijnAfwijkingGemotiveerd, date(2025, 4, 1), velden)
        opgeslagen = app.mapper.transcoder.decode(app.recorder.select_events(dossier.id)[2].state)
        assert (opgeslagen["class_version"], opgeslagen["volgnummer"]) == (2, 1)
        nieuw = list(app.events.get(dossier.id))[-1]
        publiek = to_public_event(nieuw)
        assert isinstance(publiek, TermijnAfwijkingGemotiveerd) and publiek.volgnummer == 1
        controle = app.integriteit(auditor, dossier.id)
        assert (controle.intact, controle.keten.versies, controle.snapshot_breuken) == (True, 3, ())
    finally:
        app.close()

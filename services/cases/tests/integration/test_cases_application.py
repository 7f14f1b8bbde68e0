"""The dossier use cases on a real PostgreSQL event store: idempotency, races, lookups and tenancy."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from verzuim_cases.application import (
    DossierApplication,
    DossierNietGevonden,
    Geweigerd,
    MeldingPastNietBijDossier,
    Verwerkt,
)
from verzuim_cases.domain import CorrigeerbaarFeit, DossierAlHersteld, DossierStatus
from verzuim_cases.settings import CasesSettings
from verzuim_shared.auth import Principal
from verzuim_shared.events import Actor, Bereikbaarheid, HerstelGemeld, HerstelSoort, Rol, ZiekGemeld
from verzuim_shared.ids import dossier_id_for_melding

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
HR = Actor(id="hr-1", rol=Rol.HR)


def ziek(werkgever: str, werknemer: str = "wn-1", melding_id: UUID | None = None) -> ZiekGemeld:
    return ZiekGemeld(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=NOW,
        actor=HR,
        melding_id=melding_id or uuid4(),
        werknemer_id=werknemer,
        eerste_ziektedag=date(2025, 1, 6),
        gemeld_op=NOW,
        gemeld_door=Actor(id=werknemer, rol=Rol.WERKNEMER),
        bereikbaarheid=Bereikbaarheid(telefoon="0612345678"),
        meldtijd_grens=NOW,
        na_meldtijd=False,
    )


def herstel(
    werkgever: str,
    werknemer: str = "wn-1",
    *,
    hersteldatum: date = date(2025, 1, 20),
    percentage: int = 0,
    melding_id: UUID | None = None,
    herstel_id: UUID | None = None,
) -> HerstelGemeld:
    return HerstelGemeld(
        event_id=uuid4(),
        werkgever_id=werkgever,
        geregistreerd_op=NOW,
        actor=HR,
        herstel_id=herstel_id or uuid4(),
        werknemer_id=werknemer,
        melding_id=melding_id,
        soort=HerstelSoort.VOLLEDIG if percentage == 0 else HerstelSoort.GEDEELTELIJK,
        hersteldatum=hersteldatum,
        arbeidsongeschiktheidspercentage=percentage,
        gemeld_op=NOW,
        gemeld_door=HR,
    )


@pytest.fixture
def app(cases_settings: CasesSettings) -> Iterator[DossierApplication]:
    application = DossierApplication.from_settings(cases_settings)
    yield application
    application.close()


def stored_events(database_url: str, dossier_id: UUID) -> list[int]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT originator_version FROM cases_events WHERE originator_id = %s ORDER BY originator_version",
            (dossier_id,),
        ).fetchall()
    return [r[0] for r in rows]


def all_at_once(*calls: Callable[[], Any]) -> list[BaseException]:
    """Run the calls in threads that start together; return what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_a_redelivered_ziekgemeld_adds_nothing(app: DossierApplication, cases_settings: CasesSettings) -> None:
    event = ziek("wg-a")
    first = app.open_dossier(event)
    again = app.open_dossier(event.model_copy(update={"event_id": uuid4()}))
    assert first.id == again.id == dossier_id_for_melding(event.melding_id)
    assert again.version == 1
    assert stored_events(cases_settings.database_url, first.id) == [1]


def test_concurrent_deliveries_of_one_ziekgemeld_open_one_dossier(
    app: DossierApplication, cases_settings: CasesSettings
) -> None:
    event = ziek("wg-a")
    assert all_at_once(*[lambda: app.open_dossier(event)] * 8) == []
    dossier_id = dossier_id_for_melding(event.melding_id)
    assert stored_events(cases_settings.database_url, dossier_id) == [1]
    assert [r.dossier_id for r in app.lookup.dossiers("wg-a")] == [dossier_id]


def test_concurrent_deliveries_of_one_herstel_record_it_once(
    app: DossierApplication, cases_settings: CasesSettings
) -> None:
    dossier = app.open_dossier(ziek("wg-a"))
    event = herstel("wg-a", percentage=50)
    assert all_at_once(*[lambda: app.registreer_herstel(event)] * 6) == []
    assert stored_events(cases_settings.database_url, dossier.id) == [1, 2]
    assert app.get_dossier(dossier.id).arbeidsongeschiktheidspercentage_op(date(2025, 2, 1)) == 50


def test_herstel_without_melding_id_closes_the_open_dossier_and_its_redelivery_is_a_no_op(
    app: DossierApplication, cases_settings: CasesSettings
) -> None:
    dossier = app.open_dossier(ziek("wg-a", "wn-7"))
    app.registreer_herstel(herstel("wg-a", "wn-7", hersteldatum=date(2025, 1, 13), percentage=40))
    closing = herstel("wg-a", "wn-7", hersteldatum=date(2025, 1, 27))
    assert app.registreer_herstel(closing).status is DossierStatus.HERSTELD
    # The werknemer has no open dossier any more: the redelivery is recognised by its herstel_id.
    assert app.registreer_herstel(closing).version == 3
    assert stored_events(cases_settings.database_url, dossier.id) == [1, 2, 3]
    (regel,) = app.lookup.dossiers("wg-a", werknemer_id="wn-7")
    assert (regel.status, regel.hersteldatum, regel.versie) == (DossierStatus.HERSTELD, date(2025, 1, 27), 3)
    assert app.lookup.dossiers("wg-a", status=DossierStatus.OPEN) == []


def test_a_second_volledig_herstel_is_refused(app: DossierApplication) -> None:
    melding = ziek("wg-a")
    app.open_dossier(melding)
    app.registreer_herstel(herstel("wg-a", melding_id=melding.melding_id))
    with pytest.raises(DossierAlHersteld):
        app.registreer_herstel(herstel("wg-a", melding_id=melding.melding_id, hersteldatum=date(2025, 2, 1)))


def test_herstel_for_an_unknown_dossier_is_not_found(app: DossierApplication) -> None:
    with pytest.raises(DossierNietGevonden):
        app.registreer_herstel(herstel("wg-a", "wn-nobody"))
    with pytest.raises(DossierNietGevonden):
        app.registreer_herstel(herstel("wg-a", melding_id=uuid4()))


def test_a_werkgever_never_reaches_another_werkgevers_dossier(app: DossierApplication) -> None:
    melding = ziek("wg-a")
    dossier = app.open_dossier(melding)
    other = Principal(id="hr-b", rol=Rol.HR, werkgever_id="wg-b")
    with pytest.raises(DossierNietGevonden):
        app.dossier_voor(other, dossier.id)
    with pytest.raises(DossierNietGevonden):
        app.dossier_voor_melding(other, melding.melding_id)
    assert app.dossiers(other) == []
    with pytest.raises(DossierNietGevonden):  # a herstel of wg-b cannot find wg-a's dossier by its melding
        app.registreer_herstel(herstel("wg-b", melding_id=melding.melding_id))
    with pytest.raises(MeldingPastNietBijDossier):  # the same melding id under another werkgever
        app.open_dossier(ziek("wg-b", melding_id=melding.melding_id))


def test_a_werknemer_sees_only_their_own_dossiers(app: DossierApplication) -> None:
    own = app.open_dossier(ziek("wg-a", "wn-1"))
    someone_else = app.open_dossier(ziek("wg-a", "wn-2"))
    werknemer = Principal(id="wn-1", rol=Rol.WERKNEMER, werkgever_id="wg-a")
    assert app.dossier_voor(werknemer, own.id).id == own.id
    with pytest.raises(DossierNietGevonden):
        app.dossier_voor(werknemer, someone_else.id)
    assert [r.dossier_id for r in app.dossiers(werknemer)] == [own.id]
    assert app.dossiers(werknemer, werknemer_id="wn-2") == []
    hr = Principal(id="hr-1", rol=Rol.HR, werkgever_id="wg-a")
    assert {r.dossier_id for r in app.dossiers(hr)} == {own.id, someone_else.id}


def test_a_replay_at_a_version_replays_once_and_scopes_from_the_lookup_row(
    app: DossierApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = app.open_dossier(ziek("wg-a"))
    app.registreer_herstel(herstel("wg-a", melding_id=dossier.melding_id, percentage=50))
    gelezen: list[int | None] = []
    get = app.repository.get

    def tel(aggregate_id: UUID, version: int | None = None, **kwargs: Any) -> Any:
        gelezen.append(version)
        return get(aggregate_id, version=version, **kwargs)

    monkeypatch.setattr(app.repository, "get", tel)
    auditor = Principal(id="au-1", rol=Rol.AUDITOR, werkgever_id="wg-a")
    assert app.dossier_op_versie(auditor, dossier.id, 1).version == 1
    assert gelezen == [1]  # not the current dossier first
    with pytest.raises(DossierNietGevonden):  # the last version comes from the lookup row
        app.dossier_op_versie(auditor, dossier.id, 3)
    with pytest.raises(DossierNietGevonden):  # and so does the scope: nothing replayed for another werkgever
        app.dossier_op_versie(Principal(id="au-2", rol=Rol.AUDITOR, werkgever_id="wg-b"), dossier.id, 1)
    assert gelezen == [1]


def test_a_known_melding_id_is_a_redelivery_only_for_the_same_melding_also_after_a_correction(
    app: DossierApplication,
) -> None:
    melding = ziek("wg-a", "wn-1")
    dossier = app.open_dossier(melding)
    hr = Principal(id="hr-1", rol=Rol.HR, werkgever_id="wg-a")
    app.voer_uit(
        hr,
        dossier.id,
        lambda d, now, vandaag: d.corrigeer_feit(
            CorrigeerbaarFeit.EERSTE_ZIEKTEDAG,
            date(2025, 1, 3),
            reden="al eerder ziek",
            datum=date(2025, 1, 10),
            actor=hr.as_actor(),
            geregistreerd_op=now,
            vandaag=vandaag,
        ),
    )
    # The melding as it was sent is still recognised, although the dossier's eerste ziektedag moved since.
    assert app.verwerk_intake([melding.model_copy(update={"event_id": uuid4()})]) == [Verwerkt(dossier.id)]
    assert app.get_dossier(dossier.id).version == 2
    # Another melding under the same id, in one batch with a real redelivery: refused, the redelivery is not.
    ander = melding.model_copy(update={"event_id": uuid4(), "eerste_ziektedag": date(2025, 2, 3)})
    opnieuw, geweigerd = app.verwerk_intake([melding, ander])
    assert opnieuw == Verwerkt(dossier.id)
    assert isinstance(geweigerd, Geweigerd) and "already used" in geweigerd.reden
    # Two different meldingen with one new id in one batch: the first opens the dossier, the second is refused.
    nieuw = ziek("wg-a", "wn-3")
    eerste, tweede = app.verwerk_intake([nieuw, nieuw.model_copy(update={"werknemer_id": "wn-4"})])
    assert isinstance(eerste, Verwerkt) and isinstance(tweede, Geweigerd)
    assert "werknemer wn-4" in tweede.reden
    assert app.get_dossier(dossier.id).version == 2

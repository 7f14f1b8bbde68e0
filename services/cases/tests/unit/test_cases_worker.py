"""How the intake consumer turns the application's answers into ack, retry or dead letter (stub application)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast
from uuid import uuid4

import pytest
from verzuim_cases.application import DossierApplication, DossierNietGevonden, MeldingPastNietBijDossier
from verzuim_cases.domain import DossierAlHersteld
from verzuim_cases.entrypoints.worker import handle_intake_event
from verzuim_shared.events import Actor, AfdelingVastgelegd, Bereikbaarheid, HerstelGemeld, Rol, ZiekGemeld
from verzuim_shared.messaging import Delivery, PermanentError, RetryLater

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
HR = Actor(id="hr-1", rol=Rol.HR)


def delivery(attempt: int, max_deliver: int = 5) -> Delivery:
    return Delivery(subject="s", headers={}, stream_sequence=7, num_delivered=attempt, max_deliver=max_deliver)


def ziek() -> ZiekGemeld:
    return ZiekGemeld(
        event_id=uuid4(),
        werkgever_id="wg-1",
        geregistreerd_op=NOW,
        actor=HR,
        melding_id=uuid4(),
        werknemer_id="wn-1",
        eerste_ziektedag=date(2025, 1, 6),
        gemeld_op=NOW,
        gemeld_door=HR,
        bereikbaarheid=Bereikbaarheid(telefoon="0612345678"),
        meldtijd_grens=NOW,
        na_meldtijd=False,
    )


def hersteld() -> HerstelGemeld:
    return HerstelGemeld(
        event_id=uuid4(),
        werkgever_id="wg-1",
        geregistreerd_op=NOW,
        actor=HR,
        herstel_id=uuid4(),
        werknemer_id="wn-1",
        soort="volledig",
        hersteldatum=date(2025, 1, 20),
        arbeidsongeschiktheidspercentage=0,
        gemeld_op=NOW,
        gemeld_door=HR,
    )


class StubApplication:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, Any]] = []

    def open_dossier(self, event: ZiekGemeld) -> None:
        self.calls.append(("open_dossier", event))
        if self.error:
            raise self.error

    def registreer_herstel(self, event: HerstelGemeld) -> None:
        self.calls.append(("registreer_herstel", event))
        if self.error:
            raise self.error


def app(stub: StubApplication) -> DossierApplication:
    return cast(DossierApplication, stub)


async def test_a_ziekgemeld_opens_a_dossier_and_a_herstelgemeld_records_herstel() -> None:
    stub = StubApplication()
    z, h = ziek(), hersteld()
    await handle_intake_event(app(stub), z, delivery(1))
    await handle_intake_event(app(stub), h, delivery(1))
    assert stub.calls == [("open_dossier", z), ("registreer_herstel", h)]


async def test_a_herstel_without_its_dossier_is_retried_and_dead_lettered_on_the_last_attempt() -> None:
    stub = StubApplication(DossierNietGevonden("Werknemer wn-1 heeft (nog) geen open dossier."))
    with pytest.raises(RetryLater):
        await handle_intake_event(app(stub), hersteld(), delivery(4))
    with pytest.raises(PermanentError, match="no dossier after 5 attempts"):
        await handle_intake_event(app(stub), hersteld(), delivery(5))


async def test_a_herstel_the_dossier_refuses_is_dead_lettered_at_once_with_the_reason() -> None:
    stub = StubApplication(DossierAlHersteld(date(2025, 1, 20)))
    with pytest.raises(PermanentError, match="al gesloten"):
        await handle_intake_event(app(stub), hersteld(), delivery(1))


async def test_a_melding_that_names_someone_elses_dossier_is_dead_lettered() -> None:
    stub = StubApplication(MeldingPastNietBijDossier("names dossier x of another werkgever"))
    with pytest.raises(PermanentError, match="another werkgever"):
        await handle_intake_event(app(stub), ziek(), delivery(1))


async def test_other_intake_facts_are_ignored() -> None:
    stub = StubApplication()
    other = AfdelingVastgelegd(
        event_id=uuid4(), werkgever_id="wg-1", geregistreerd_op=NOW, actor=HR, afdeling_id="a", naam="A"
    )
    await handle_intake_event(app(stub), other, delivery(1))
    assert stub.calls == []

"""How the intake batch consumer settles each message on the application's answer: ack, redeliver with back-off,
or dead-letter with the reason (a stub application and fake messages; no NATS)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, cast
from uuid import uuid4

import pytest
from faststream.nats import NatsBroker
from verzuim_cases.application import DossierApplication, Geweigerd, Intakefeit, LaterOpnieuw, Uitkomst, Verwerkt
from verzuim_cases.entrypoints import worker
from verzuim_cases.entrypoints.worker import IntakeBatchConsumer
from verzuim_cases.settings import CasesSettings
from verzuim_shared.events import Actor, Bereikbaarheid, HerstelGemeld, Rol, ZiekGemeld
from verzuim_shared.messaging import Delivery

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
HR = Actor(id="hr-1", rol=Rol.HR)


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


@dataclass
class FakeMsg:
    subject: str
    data: bytes
    num_delivered: int = 1
    headers: dict[str, str] | None = None
    settled: list[Any] = field(default_factory=list)

    @property
    def metadata(self) -> Any:
        return SimpleNamespace(sequence=SimpleNamespace(stream=7), num_delivered=self.num_delivered)

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append(("nak", delay))

    async def term(self) -> None:
        self.settled.append("term")


def msg(event: ZiekGemeld | HerstelGemeld, attempt: int = 1) -> FakeMsg:
    return FakeMsg(event.subject(), event.model_dump_json().encode(), attempt)


class StubApplication:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.batches: list[list[Intakefeit]] = []

    def verwerk_intake(self, events: Sequence[Intakefeit]) -> list[Uitkomst]:
        self.batches.append(list(events))
        if isinstance(self.answer, Exception):
            raise self.answer
        return [self.answer(e) for e in events]


@pytest.fixture
def dead_letters(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Delivery, str]]:
    sent: list[tuple[Delivery, str]] = []

    async def fake(broker: Any, settings: Any, consumer: str, delivery: Delivery, body: bytes, reason: str) -> None:
        assert consumer == "cases-intake"
        sent.append((delivery, reason))

    monkeypatch.setattr(worker, "dead_letter", fake)
    return sent


def consumer(stub: StubApplication) -> IntakeBatchConsumer:
    settings = CasesSettings(consumer_max_deliver=5, consumer_backoff_s=(0.2, 1.0, 5.0))
    return IntakeBatchConsumer(cast(NatsBroker, None), settings, lambda: cast(DossierApplication, stub), batch_size=10)


async def test_one_fetched_batch_is_applied_in_one_call_and_every_message_is_acked() -> None:
    stub = StubApplication(lambda e: Verwerkt(uuid4()))
    messages = [msg(ziek()), msg(ziek()), msg(hersteld())]
    await consumer(stub).verwerk(messages)
    assert len(stub.batches) == 1 and len(stub.batches[0]) == 3
    assert [m.settled for m in messages] == [["ack"]] * 3


async def test_a_refused_fact_is_dead_lettered_at_once_with_its_reason(dead_letters: list[Any]) -> None:
    z = ziek()
    stub = StubApplication(lambda e: Geweigerd("De werknemer was op 2025-01-06 al ziek.", ValueError()))
    m = msg(z)
    await consumer(stub).verwerk([m])
    assert m.settled == ["term"]
    ((delivery, reason),) = dead_letters
    assert str(z.melding_id) in reason and "al ziek" in reason and delivery.num_delivered == 1


async def test_a_missing_precondition_is_redelivered_with_back_off_then_dead_lettered(dead_letters: list[Any]) -> None:
    stub = StubApplication(lambda e: LaterOpnieuw("Er is (nog) geen dossier."))
    early, last = msg(hersteld(), attempt=2), msg(hersteld(), attempt=5)
    await consumer(stub).verwerk([early, last])
    assert early.settled == [("nak", 1.0)]
    assert last.settled == ["term"]
    ((_, reason),) = dead_letters
    assert "gave up after 5 attempts" in reason and "geen dossier" in reason


async def test_invalid_json_is_dead_lettered_and_the_rest_of_the_batch_goes_on(dead_letters: list[Any]) -> None:
    stub = StubApplication(lambda e: Verwerkt(uuid4()))
    bad = FakeMsg(ZiekGemeld.subject(), b'{"melding_id": "not a uuid"}')
    good = msg(ziek())
    await consumer(stub).verwerk([bad, good])
    assert bad.settled == ["term"] and good.settled == ["ack"]
    assert "invalid message" in dead_letters[0][1]


async def test_a_failing_batch_is_retried_fact_by_fact(dead_letters: list[Any]) -> None:
    stub = StubApplication(ConnectionError("database gone"))
    first, second = msg(ziek()), msg(ziek(), attempt=5)
    await consumer(stub).verwerk([first, second])
    assert [len(b) for b in stub.batches] == [2, 1, 1]
    assert first.settled == [("nak", 0.2)]
    assert second.settled == ["term"] and "database gone" in dead_letters[0][1]

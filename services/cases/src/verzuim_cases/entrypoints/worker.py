"""The consumers of the cases service.

- `cases-intake`: ZiekGemeld and HerstelGemeld. A pull consumer on nats-py directly that applies each fetched batch
  in one transaction (the batch is the unit of work; the per-message cost of a framework handler would dominate),
  then settles every message on its own outcome: ack, redeliver after back-off, or dead-letter with the reason.
- `cases-personeel-v2`: the personeel facts cases keeps for the afdeling filter and for the scope of a leidinggevende
  (one message at a time, low volume).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from faststream.nats import NatsBroker
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import BadRequestError
from pydantic import ValidationError
from verzuim_shared.events import Event, HerstelGemeld, UnknownEventType, ZiekGemeld, parse_event
from verzuim_shared.loops import raise_if_cancelled
from verzuim_shared.messaging import Delivery, dead_letter, durable_consumer
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_cases.adapters.personeel import PersoneelProjectie
from verzuim_cases.application import DossierApplication, Geweigerd, Intakefeit, LaterOpnieuw, Uitkomst, Verwerkt

log = logging.getLogger(__name__)

INTAKE_DURABLE = "cases-intake"
INTAKE_SUBJECTS = [ZiekGemeld.subject(), HerstelGemeld.subject()]
# v2 since cases also keeps each afdeling's leidinggevende: a new durable reads the personeel stream from its start
# again, so the afdelingen the first consumer skipped are known too (the projection is idempotent).
PERSONEEL_DURABLE = "cases-personeel-v2"


class Bericht(Protocol):
    """What the consumer needs of a JetStream message (nats-py's `Msg`; a fake in unit tests)."""

    subject: str
    data: bytes
    headers: dict[str, str] | None

    @property
    def metadata(self) -> object: ...

    async def ack(self) -> None: ...

    async def nak(self, delay: float | None = None) -> None: ...

    async def term(self) -> None: ...


@dataclass
class Afhandeling:
    """Counts per outcome, for logs and tests."""

    verwerkt: int = 0
    opnieuw: int = 0
    dead_letters: int = 0


def delivery_of(msg: Bericht, max_deliver: int) -> Delivery:
    meta = msg.metadata
    return Delivery(
        subject=msg.subject,
        headers=dict(msg.headers or {}),
        stream_sequence=meta.sequence.stream,  # type: ignore[attr-defined]
        num_delivered=meta.num_delivered,  # type: ignore[attr-defined]
        max_deliver=max_deliver,
    )


class IntakeBatchConsumer:
    def __init__(
        self,
        broker: NatsBroker,
        settings: ServiceSettings,
        application: Callable[[], DossierApplication],
        *,
        batch_size: int,
    ) -> None:
        self._broker = broker
        self._settings = settings
        self._application = application
        self._batch_size = batch_size
        self._max_deliver = settings.consumer_max_deliver
        self.totaal = Afhandeling()

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=INTAKE_DURABLE,
            ack_policy=AckPolicy.EXPLICIT,
            max_deliver=self._max_deliver,
            ack_wait=self._settings.consumer_ack_wait_s,
            filter_subjects=INTAKE_SUBJECTS,
            max_ack_pending=max(1000, 4 * self._batch_size),
        )

    async def run(self) -> None:
        """Fetch, apply and settle until cancelled (the service shell restarts it after an error)."""
        js = self._broker.connection.jetstream()
        try:
            await js.add_consumer(Stream.INTAKE.jetstream_name, self.consumer_config())
        except BadRequestError as exc:
            log.error("consumer %s keeps its old configuration: %s", INTAKE_DURABLE, exc)
        sub = await js.pull_subscribe_bind(durable=INTAKE_DURABLE, stream=Stream.INTAKE.jetstream_name)
        try:
            while True:
                try:
                    messages = await sub.fetch(self._batch_size, timeout=1.0)
                except (TimeoutError, NatsTimeoutError):
                    raise_if_cancelled()
                    continue
                await self.verwerk(messages)
        finally:
            await sub.unsubscribe()

    async def _dead_letter(self, msg: Bericht, delivery: Delivery, reason: str) -> None:
        await dead_letter(self._broker, self._settings, INTAKE_DURABLE, delivery, msg.data, reason)
        await msg.term()
        self.totaal.dead_letters += 1

    async def _later(self, msg: Bericht, delivery: Delivery, reason: str) -> None:
        if delivery.last_attempt:
            await self._dead_letter(msg, delivery, f"gave up after {delivery.num_delivered} attempts: {reason}")
            return
        backoff = self._settings.consumer_backoff_s
        delay = backoff[min(delivery.num_delivered - 1, len(backoff) - 1)] if backoff else 1.0
        await msg.nak(delay=delay)
        self.totaal.opnieuw += 1

    async def verwerk(self, messages: Sequence[Bericht]) -> None:
        """Apply one fetched batch in one transaction; settle each message on its own outcome."""
        app = self._application()
        te_doen: list[tuple[Bericht, Delivery, Intakefeit]] = []
        for msg in messages:
            delivery = delivery_of(msg, self._max_deliver)
            try:
                event = parse_event(msg.subject, msg.data)
            except (ValidationError, UnknownEventType, ValueError) as exc:
                await self._dead_letter(msg, delivery, f"invalid message on {msg.subject}: {exc}")
                continue
            if isinstance(event, ZiekGemeld | HerstelGemeld):
                te_doen.append((msg, delivery, event))
            else:
                await msg.ack()  # not the business of cases (the filter keeps them out anyway)
        if not te_doen:
            return
        try:
            uitkomsten = await asyncio.to_thread(app.verwerk_intake, [e for _, _, e in te_doen])
        except Exception as exc:
            # Not a refusal but a failure (database gone, a bug): try each fact on its own, so that one bad fact
            # cannot hold the others back; each one is retried and finally dead-lettered on its own.
            log.warning("intake batch of %d failed (%s: %s); one by one", len(te_doen), type(exc).__name__, exc)
            for msg, delivery, event in te_doen:
                try:
                    (uitkomst,) = await asyncio.to_thread(app.verwerk_intake, [event])
                except Exception as single:
                    await self._later(msg, delivery, f"{type(single).__name__}: {single}")
                    continue
                await self._settle(msg, delivery, event, uitkomst)
            return
        for (msg, delivery, event), uitkomst in zip(te_doen, uitkomsten, strict=True):
            await self._settle(msg, delivery, event, uitkomst)

    async def _settle(self, msg: Bericht, delivery: Delivery, event: Intakefeit, uitkomst: Uitkomst) -> None:
        wat = f"ziekmelding {event.melding_id}" if isinstance(event, ZiekGemeld) else f"herstel {event.herstel_id}"
        if isinstance(uitkomst, Verwerkt):
            await msg.ack()
            self.totaal.verwerkt += 1
        elif isinstance(uitkomst, Geweigerd):
            await self._dead_letter(msg, delivery, f"{wat} refused: {uitkomst.reden}")
        else:
            assert isinstance(uitkomst, LaterOpnieuw)
            await self._later(msg, delivery, f"{wat}: {uitkomst.reden}")


def register_personeel_consumer(
    broker: NatsBroker, settings: ServiceSettings, projectie: Callable[[], PersoneelProjectie]
) -> None:
    @durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=PERSONEEL_DURABLE)
    async def consume_personeel(event: Event, delivery: Delivery) -> None:
        await asyncio.to_thread(projectie().verwerk, event, delivery.stream_sequence)

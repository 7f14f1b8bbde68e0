"""JetStream plumbing shared by every service: streams, publishing with dedupe + CloudEvents headers, and
durable pull consumers with explicit ack, bounded redelivery with back-off, and a dead-letter path."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext
from nats.js.api import AckPolicy as NatsAckPolicy
from nats.js.api import ConsumerConfig, StorageType, StreamConfig
from nats.js.errors import BadRequestError
from pydantic import ValidationError

from verzuim_shared.events.base import Event, UnknownEventType, parse_event
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream, dead_letter_subject

log = logging.getLogger(__name__)

CE_SPECVERSION = "1.0"


# --------------------------------------------------------------------------------------------- streams


def stream_config(stream: Stream, settings: ServiceSettings) -> StreamConfig:
    return StreamConfig(
        name=stream.jetstream_name,
        subjects=[stream.wildcard],
        storage=StorageType.FILE,
        num_replicas=settings.stream_replicas,
        max_age=settings.stream_max_age_days * 86400.0,
        duplicate_window=settings.stream_duplicate_window_s,
    )


async def ensure_streams(
    js: JetStreamContext, settings: ServiceSettings, streams: Sequence[Stream] = tuple(Stream)
) -> None:
    """Create the streams if they are missing, or bring their settings in line. Safe to call from every service."""
    for stream in streams:
        config = stream_config(stream, settings)
        try:
            await js.add_stream(config)
        except BadRequestError as exc:
            if exc.err_code != 10058:  # stream name already in use with a different configuration
                raise
            await js.update_stream(config)


# Every durable consumer registered on a broker, so that startup can create it or bring its settings in line.
_CONSUMERS: WeakKeyDictionary[NatsBroker, list[tuple[str, ConsumerConfig]]] = WeakKeyDictionary()


async def ensure_consumers(js: JetStreamContext, broker: NatsBroker) -> None:
    """Create every durable consumer registered with `durable_consumer` on `broker`, or update its configuration.

    A consumer outlives the process: without this, a changed `max_deliver`, ack wait or back-off in the settings would
    never reach a durable that already exists on the server. (The server's create call updates an existing consumer
    when the change is one it allows; a change it refuses, such as another filter, is logged and left as it is.)"""
    for stream_name, config in _CONSUMERS.get(broker, []):
        try:
            await js.add_consumer(stream_name, config)
        except BadRequestError as exc:
            log.error("consumer %s on %s keeps its old configuration: %s", config.durable_name, stream_name, exc)


# --------------------------------------------------------------------------------------------- publishing


def cloudevent_headers(event: Event, *, source: str, msg_id: str | None = None) -> dict[str, str]:
    """`Nats-Msg-Id` for JetStream dedupe plus the CloudEvents binary-mode attributes as `ce-*` headers."""
    event_id = msg_id or str(event.event_id)
    return {
        "Nats-Msg-Id": event_id,
        "ce-specversion": CE_SPECVERSION,
        "ce-id": event_id,
        "ce-source": source,
        "ce-type": event.subject(),
        "ce-time": event.geregistreerd_op.isoformat(),
        "ce-subject": event.werkgever_id,
        "ce-dataschema": f"urn:verzuim:schema:{event.subject()}",
        "content-type": "application/json",
    }


@dataclass(frozen=True)
class PublishResult:
    stream: str
    sequence: int
    duplicate: bool


async def publish_event(
    broker: NatsBroker, event: Event, *, source: str, msg_id: str | None = None, timeout: float = 10.0
) -> PublishResult:
    """Publish one event to its stream and wait for the JetStream ack. A retried publish with the same
    msg id is stored once (within the stream's duplicate window)."""
    ack = await broker.publish(
        event.model_dump_json().encode(),
        event.subject(),
        headers=cloudevent_headers(event, source=source, msg_id=msg_id),
        stream=event.stream.jetstream_name,
        timeout=timeout,
    )
    return PublishResult(stream=ack.stream, sequence=ack.seq, duplicate=bool(ack.duplicate))


# --------------------------------------------------------------------------------------------- consuming


class PermanentError(Exception):
    """The message can never be processed (bad payload, unknown type): dead-letter it at once with the reason."""


class RetryLater(Exception):
    """A precondition is not met yet (e.g. personeel data not arrived): redeliver after back-off."""


@dataclass(frozen=True)
class Delivery:
    subject: str
    headers: dict[str, str]
    stream_sequence: int
    num_delivered: int
    max_deliver: int

    @property
    def last_attempt(self) -> bool:
        return self.num_delivered >= self.max_deliver


EventHandler = Callable[[Event, Delivery], Awaitable[None]]


@dataclass
class ConsumerProgress:
    """Which messages of one durable consumer are in their handler in this process, and since when (monotonic).

    FastStream fetches a batch and waits for every handler of it before it fetches again, so one handler that hangs
    stops this process's consumer altogether; readiness reports that instead of looking healthy."""

    durable: str
    stall_after_s: float
    _in_handler: dict[int, float] = field(default_factory=dict)
    _tokens: itertools.count[int] = field(default_factory=itertools.count)

    def started(self) -> int:
        token = next(self._tokens)
        self._in_handler[token] = time.monotonic()
        return token

    def finished(self, token: int) -> None:
        self._in_handler.pop(token, None)

    def stalled_for(self) -> float | None:
        """Seconds the oldest message has been in its handler, when that is longer than `stall_after_s`."""
        if not self._in_handler:
            return None
        waited = time.monotonic() - min(self._in_handler.values())
        return waited if waited > self.stall_after_s else None


_PROGRESS: WeakKeyDictionary[NatsBroker, list[ConsumerProgress]] = WeakKeyDictionary()


def stalled_consumers(broker: NatsBroker) -> list[str]:
    """Readiness: every consumer registered on `broker` with `durable_consumer` whose handler has been busy with one
    message for longer than the ack wait (the server has given that message to someone else by then)."""
    problems = []
    for progress in _PROGRESS.get(broker, []):
        waited = progress.stalled_for()
        if waited is not None:
            problems.append(
                f"consumer {progress.durable}: no progress, a message has been in its handler for {waited:.0f}s"
            )
    return problems


def durable_consumer(
    broker: NatsBroker,
    settings: ServiceSettings,
    *,
    stream: Stream,
    durable: str,
    filter_subjects: Sequence[str] | None = None,
    max_deliver: int | None = None,
) -> Callable[[EventHandler], EventHandler]:
    """Register `handler(event, delivery)` as a durable JetStream pull consumer.

    The message is acked only after the handler returns (its effect is durable by then). An exception
    causes a nak with back-off; after `max_deliver` attempts, or at once for a PermanentError, the message
    is published to the dead-letter stream with the reason and terminated, so nothing is lost.
    """
    max_deliver = max_deliver or settings.consumer_max_deliver
    subjects = list(filter_subjects or [stream.wildcard])
    backoff = settings.consumer_backoff_s
    progress = ConsumerProgress(durable=durable, stall_after_s=settings.consumer_ack_wait_s)
    _PROGRESS.setdefault(broker, []).append(progress)

    def decorator(handler: EventHandler) -> EventHandler:
        config = ConsumerConfig(
            durable_name=durable,
            max_deliver=max_deliver,
            ack_wait=settings.consumer_ack_wait_s,
            filter_subjects=subjects if len(subjects) > 1 else None,
            max_ack_pending=1000,
        )
        _CONSUMERS.setdefault(broker, []).append(
            (
                stream.jetstream_name,
                ConsumerConfig(
                    durable_name=durable,
                    ack_policy=NatsAckPolicy.EXPLICIT,
                    max_deliver=max_deliver,
                    ack_wait=settings.consumer_ack_wait_s,
                    filter_subject=subjects[0] if len(subjects) == 1 else None,
                    filter_subjects=subjects if len(subjects) > 1 else None,
                    max_ack_pending=1000,
                ),
            )
        )

        async def on_message(body: bytes, msg: NatsMessage) -> None:
            token = progress.started()
            try:
                await settle(body, msg)
            finally:
                progress.finished(token)

        async def settle(body: bytes, msg: NatsMessage) -> None:
            raw = msg.raw_message
            meta = raw.metadata
            delivery = Delivery(
                subject=raw.subject,
                headers=dict(raw.headers or {}),
                stream_sequence=meta.sequence.stream,
                num_delivered=meta.num_delivered,
                max_deliver=max_deliver,
            )
            try:
                try:
                    event = parse_event(raw.subject, body)
                except (ValidationError, UnknownEventType, ValueError) as exc:
                    raise PermanentError(f"invalid message on {raw.subject}: {exc}") from exc
                await handler(event, delivery)
            except PermanentError as exc:
                await _dead_letter(broker, settings, durable, delivery, body, str(exc))
                await msg.reject()
                return
            except Exception as exc:
                if delivery.last_attempt:
                    reason = f"gave up after {delivery.num_delivered} attempts: {type(exc).__name__}: {exc}"
                    log.error("consumer %s: %s", durable, reason)
                    await _dead_letter(broker, settings, durable, delivery, body, reason)
                    await msg.reject()
                else:
                    delay = backoff[min(delivery.num_delivered - 1, len(backoff) - 1)] if backoff else 1.0
                    log.warning(
                        "consumer %s: attempt %d of %d failed (%s: %s), retry in %.1fs",
                        durable,
                        delivery.num_delivered,
                        max_deliver,
                        type(exc).__name__,
                        exc,
                        delay,
                    )
                    await msg.nack(delay=delay)
                return
            await msg.ack()

        on_message.__name__ = f"consume_{durable.replace('-', '_')}"
        broker.subscriber(
            subjects[0],
            stream=JStream(stream.jetstream_name, declare=False),
            durable=durable,
            pull_sub=PullSub(batch_size=settings.consumer_batch_size, timeout=1.0),
            config=config,
            ack_policy=AckPolicy.MANUAL,
            decoder=_raw_body,
        )(on_message)
        return handler

    return decorator


async def _raw_body(msg: NatsMessage) -> bytes:
    """Hand the handler the raw bytes: the event model validates them itself, once."""
    return bytes(msg.body)


async def _dead_letter(
    broker: NatsBroker, settings: ServiceSettings, consumer: str, delivery: Delivery, body: bytes, reason: str
) -> None:
    headers = {
        "Nats-Msg-Id": f"{consumer}:{delivery.stream_sequence}",
        "verzuim-dead-letter-reason": reason[:4000],
        "verzuim-original-subject": delivery.subject,
        "verzuim-original-sequence": str(delivery.stream_sequence),
        "verzuim-consumer": consumer,
        "verzuim-attempts": str(delivery.num_delivered),
    }
    for key, value in delivery.headers.items():
        if key.startswith("ce-"):
            headers[f"verzuim-original-{key}"] = value
    await broker.publish(
        body,
        dead_letter_subject(consumer),
        headers=headers,
        stream=Stream.DEADLETTER.jetstream_name,
    )


def dead_letter_record(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """A readable view of a dead-lettered message (for tooling and tests)."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        payload = body.decode(errors="replace")
    return {
        "reason": headers.get("verzuim-dead-letter-reason"),
        "consumer": headers.get("verzuim-consumer"),
        "original_subject": headers.get("verzuim-original-subject"),
        "original_sequence": headers.get("verzuim-original-sequence"),
        "attempts": headers.get("verzuim-attempts"),
        "payload": payload,
    }


async def dead_letter(
    broker: NatsBroker, settings: ServiceSettings, consumer: str, delivery: Delivery, body: bytes, reason: str
) -> None:
    """Publish a message to the dead-letter stream with its reason, as `durable_consumer` does: for consumers that
    settle their messages themselves (e.g. one that stores a whole fetched batch in one transaction)."""
    await _dead_letter(broker, settings, consumer, delivery, body, reason)

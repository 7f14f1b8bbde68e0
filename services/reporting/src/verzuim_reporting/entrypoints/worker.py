"""The JetStream consumers that feed the read model. Each applies one event per transaction and returns, so the
message is acked only once the effect is committed; an error naks it for a retry (see verzuim_shared.messaging).
The messages of one fetched batch are handled concurrently and applied together in one transaction (group commit,
application.Bundelaar); the projector does not depend on their order."""

from __future__ import annotations

from faststream.nats import NatsBroker
from verzuim_shared.events import Event
from verzuim_shared.messaging import Delivery, durable_consumer
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_reporting.application import Bundelaar, Positie

PERSONEEL_CONSUMER = "reporting-personeel"
DOSSIER_CONSUMER = "reporting-dossier"
TERMIJN_CONSUMER = "reporting-termijn"


def register_consumers(broker: NatsBroker, settings: ServiceSettings, projector: Bundelaar) -> None:
    # Whole streams, not only the subjects projected today: the recorded position then covers the stream, and a
    # later read model that needs more event types starts from a rebuild rather than from a changed filter.
    @durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=PERSONEEL_CONSUMER)
    async def personeel(event: Event, delivery: Delivery) -> None:
        await projector.verwerk(event, Positie(Stream.PERSONEEL.value, delivery.stream_sequence))

    @durable_consumer(broker, settings, stream=Stream.DOSSIER, durable=DOSSIER_CONSUMER)
    async def dossier(event: Event, delivery: Delivery) -> None:
        await projector.verwerk(event, Positie(Stream.DOSSIER.value, delivery.stream_sequence))

    @durable_consumer(broker, settings, stream=Stream.TERMIJN, durable=TERMIJN_CONSUMER)
    async def termijn(event: Event, delivery: Delivery) -> None:
        await projector.verwerk(event, Positie(Stream.TERMIJN.value, delivery.stream_sequence))

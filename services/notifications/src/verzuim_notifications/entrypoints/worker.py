"""The JetStream consumers. Each handler returns only once its effect is committed, so the message is acked after
that; an error naks it for a retry (see verzuim_shared.messaging)."""

from __future__ import annotations

from faststream.nats import NatsBroker
from verzuim_shared.events import Event
from verzuim_shared.messaging import Delivery, RetryLater, durable_consumer
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_notifications.application import Notificaties, PersoneelProjectie
from verzuim_notifications.domain.routering import NogNietBekend

PERSONEEL_CONSUMER = "notifications-personeel"
DOSSIER_CONSUMER = "notifications-dossier"
TERMIJN_CONSUMER = "notifications-termijn"


def register_consumers(
    broker: NatsBroker, settings: ServiceSettings, projectie: PersoneelProjectie, notificaties: Notificaties
) -> None:
    # Whole streams, not only the subjects handled today: a durable's filter is fixed when it is created, and a later
    # signal can be handled without recreating the consumer.
    @durable_consumer(broker, settings, stream=Stream.PERSONEEL, durable=PERSONEEL_CONSUMER)
    async def personeel(event: Event, delivery: Delivery) -> None:
        await projectie.verwerk(event, delivery.stream_sequence)

    async def signaal(event: Event, delivery: Delivery) -> None:
        try:
            await notificaties.verwerk(event, laatste_poging=delivery.last_attempt, volgnummer=delivery.stream_sequence)
        except NogNietBekend as exc:
            # The personeel stream may lag behind the dossier stream: wait for it, up to the last attempt.
            raise RetryLater(str(exc)) from exc

    durable_consumer(broker, settings, stream=Stream.DOSSIER, durable=DOSSIER_CONSUMER)(signaal)
    durable_consumer(broker, settings, stream=Stream.TERMIJN, durable=TERMIJN_CONSUMER)(signaal)

"""The JetStream consumers: the dossier events (the facts the termijnen follow from) and the personeel events (where
each werknemer works, for the work lists). The use cases commit their effect before the handler returns, so a
message is acked only once that effect is durable; an error naks it for a retry (see verzuim_shared.messaging)."""

from __future__ import annotations

from faststream.nats import NatsBroker
from verzuim_shared.events import AfdelingVastgelegd, Event, MedewerkerGegevensGewijzigd, MedewerkerInDienst
from verzuim_shared.messaging import Delivery, PermanentError, RetryLater, durable_consumer
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_deadlines.application import NogNietVerwerkbaar, OnverwerkbaarFeit, Personeelprojectie, Termijnbewaking
from verzuim_deadlines.domain import RELEVANTE_EVENTS

DOSSIER_CONSUMER = "deadlines-dossier"
PERSONEEL_CONSUMER = "deadlines-personeel"

# The dossier facts the termijn rules depend on. The durable consumer's filter on the server is brought in line with
# this list at every start (verzuim_shared.messaging.ensure_consumers).
DOSSIER_SUBJECTS = tuple(sorted({e.subject() for e in RELEVANTE_EVENTS}))
PERSONEEL_SUBJECTS = tuple(
    sorted(e.subject() for e in (MedewerkerInDienst, MedewerkerGegevensGewijzigd, AfdelingVastgelegd))
)


def register_consumers(
    broker: NatsBroker, settings: ServiceSettings, bewaking: Termijnbewaking, personeel: Personeelprojectie
) -> None:
    @durable_consumer(
        broker, settings, stream=Stream.DOSSIER, durable=DOSSIER_CONSUMER, filter_subjects=list(DOSSIER_SUBJECTS)
    )
    async def dossier(event: Event, delivery: Delivery) -> None:
        try:
            await bewaking.verwerk(event)
        except OnverwerkbaarFeit as exc:
            raise PermanentError(str(exc)) from exc
        except NogNietVerwerkbaar as exc:
            # retried with back-off; dead-lettered with this reason when it never becomes applicable
            raise RetryLater(str(exc)) from exc

    @durable_consumer(
        broker,
        settings,
        stream=Stream.PERSONEEL,
        durable=PERSONEEL_CONSUMER,
        filter_subjects=list(PERSONEEL_SUBJECTS),
    )
    async def medewerkers(event: Event, delivery: Delivery) -> None:
        await personeel.verwerk(event, delivery.stream_sequence)

"""The JetStream consumer of the dossier events. The use case commits its effect before the handler returns, so the
message is acked only once that effect is durable; an error naks it for a retry (see verzuim_shared.messaging)."""

from __future__ import annotations

from faststream.nats import NatsBroker
from verzuim_shared.events import DossierGeopend, Event, HerstelGeregistreerd
from verzuim_shared.events.dossier import EpisodeToegevoegd
from verzuim_shared.messaging import Delivery, PermanentError, RetryLater, durable_consumer
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_deadlines.application import NogNietVerwerkbaar, OnverwerkbaarFeit, Termijnbewaking

DOSSIER_CONSUMER = "deadlines-dossier"

# The dossier facts the termijn rules depend on. Extending this list changes the filter of an existing durable
# consumer only when that consumer is updated (or recreated) on the NATS server.
DOSSIER_SUBJECTS = (DossierGeopend.subject(), EpisodeToegevoegd.subject(), HerstelGeregistreerd.subject())


def register_consumers(broker: NatsBroker, settings: ServiceSettings, bewaking: Termijnbewaking) -> None:
    @durable_consumer(
        broker, settings, stream=Stream.DOSSIER, durable=DOSSIER_CONSUMER, filter_subjects=list(DOSSIER_SUBJECTS)
    )
    async def dossier(event: Event, delivery: Delivery) -> None:
        try:
            await bewaking.verwerk(event)
        except NogNietVerwerkbaar as exc:
            raise RetryLater(str(exc)) from exc
        except OnverwerkbaarFeit as exc:
            raise PermanentError(str(exc)) from exc

"""The intake consumer: a ZiekGemeld opens a dossier, a HerstelGemeld records (deel)herstel on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from faststream.nats import NatsBroker
from verzuim_shared.events import Event, HerstelGemeld, ZiekGemeld
from verzuim_shared.messaging import Delivery, EventHandler, PermanentError, RetryLater, durable_consumer
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_cases.application import DossierApplication, DossierNietGevonden, MeldingPastNietBijDossier
from verzuim_cases.domain import DossierFout

INTAKE_DURABLE = "cases-intake"
INTAKE_SUBJECTS = [ZiekGemeld.subject(), HerstelGemeld.subject()]


def register_intake_consumer(
    broker: NatsBroker, settings: ServiceSettings, application: Callable[[], DossierApplication]
) -> EventHandler:
    @durable_consumer(broker, settings, stream=Stream.INTAKE, durable=INTAKE_DURABLE, filter_subjects=INTAKE_SUBJECTS)
    async def consume_intake(event: Event, delivery: Delivery) -> None:
        await handle_intake_event(application(), event, delivery)

    return consume_intake


async def handle_intake_event(app: DossierApplication, event: Event, delivery: Delivery) -> None:
    """Returns once the effect is stored (then the message is acked). Idempotent: a redelivery changes nothing."""
    if isinstance(event, ZiekGemeld):
        try:
            await asyncio.to_thread(app.open_dossier, event)
        except MeldingPastNietBijDossier as exc:
            raise PermanentError(f"ziekmelding {event.melding_id} refused: {exc}") from exc
    elif isinstance(event, HerstelGemeld):
        try:
            await asyncio.to_thread(app.registreer_herstel, event)
        except DossierNietGevonden as exc:
            # The ZiekGemeld may still be on its way; give up only on the last attempt.
            if delivery.last_attempt:
                raise PermanentError(
                    f"herstel {event.herstel_id}: no dossier after {delivery.num_delivered} attempts: {exc.detail}"
                ) from exc
            raise RetryLater(exc.detail) from exc
        except (DossierFout, MeldingPastNietBijDossier) as exc:
            raise PermanentError(f"herstel {event.herstel_id} refused: {exc}") from exc
    # Other intake facts are not the business of cases (the consumer filters them out anyway).

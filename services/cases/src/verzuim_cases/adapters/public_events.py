"""Map the dossier's stored events to the public contract events (verzuim.dossier.v1.*)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from verzuim_shared.events import DossierEvent, DossierGeopend, HerstelGeregistreerd, HerstelSoort
from verzuim_shared.ids import derived_id

from verzuim_cases.domain import Verzuimdossier


def public_event_id(dossier_id: UUID, versie: int) -> UUID:
    """Stable: the same stored event always becomes the same public event id."""
    return derived_id("dossier-event", dossier_id, versie)


class UnmappedDossierEvent(LookupError):
    """A stored dossier event type has no public mapping yet. The relay stops rather than skip it (no gaps)."""


def to_public_event(event: Any) -> DossierEvent | None:
    """The public event for a stored dossier event; None for something that is not a dossier event."""
    if not isinstance(event, Verzuimdossier.Gebeurtenis):
        return None
    common: dict[str, Any] = {
        "event_id": public_event_id(event.originator_id, event.originator_version),
        "werkgever_id": event.werkgever_id,
        "geregistreerd_op": event.geregistreerd_op,
        "actor": event.actor,
        "dossier_id": event.originator_id,
        "versie": event.originator_version,
        "werknemer_id": event.werknemer_id,
    }
    if isinstance(event, Verzuimdossier.Geopend):
        return DossierGeopend(
            **common,
            melding_id=event.melding_id,
            eerste_ziektedag=event.eerste_ziektedag,
            gemeld_op=event.gemeld_op,
            herstelafspraak=event.herstelafspraak,
            vangnet_van_toepassing=event.vangnet_van_toepassing,
            arbeidsongeval=event.arbeidsongeval,
            regres_derde=event.regres_derde,
            na_meldtijd=event.na_meldtijd,
        )
    if isinstance(event, Verzuimdossier.HerstelGeregistreerd):
        return HerstelGeregistreerd(
            **common,
            herstel_id=event.herstel_id,
            soort=HerstelSoort(event.soort),
            hersteldatum=event.hersteldatum,
            arbeidsongeschiktheidspercentage=event.arbeidsongeschiktheidspercentage,
        )
    raise UnmappedDossierEvent(f"no public event for stored event {type(event).__qualname__}")

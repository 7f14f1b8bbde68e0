"""The messages: what a recipient is told about a fact, and the identity that makes each message exist once.

Only process facts go into a message (who, which dates, what to do, where the dossier is); never anything medical
(decisions D9): the contract carries none, and the content below is built from named fields only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from verzuim_shared.clock import NL
from verzuim_shared.events import DossierGeopend
from verzuim_shared.ids import derived_id

from verzuim_notifications.domain.personeel import Medewerker
from verzuim_notifications.domain.routering import Bestemming, OnbekendeLeidinggevende


class BerichtType(StrEnum):
    ZIEKMELDING = "ziekmelding"


@dataclass(frozen=True)
class Tekst:
    titel: str
    tekst: str


@dataclass(frozen=True)
class ZiekmeldingInhoud:
    """What the ziekmelding message says; rendered by a (Dutch) template."""

    werknemer_id: str
    naam: str | None
    eerste_ziektedag: date
    gemeld_op: datetime
    herstelafspraak: date | None
    link: str
    # Set when the message goes to the fallback role: why no leidinggevende was found.
    zonder_leidinggevende: OnbekendeLeidinggevende | None = None

    @property
    def contactdag(self) -> date:
        """The leidinggevende contacts the werknemer on the day of the ziekmelding (Dutch date)."""
        return self.gemeld_op.astimezone(NL).date()


def ziekmelding_inhoud(
    event: DossierGeopend,
    medewerker: Medewerker | None,
    *,
    link: str,
    zonder_leidinggevende: OnbekendeLeidinggevende | None,
) -> ZiekmeldingInhoud:
    return ZiekmeldingInhoud(
        werknemer_id=event.werknemer_id,
        naam=medewerker.naam if medewerker else None,
        eerste_ziektedag=event.eerste_ziektedag,
        gemeld_op=event.gemeld_op,
        herstelafspraak=event.herstelafspraak,
        link=link,
        zonder_leidinggevende=zonder_leidinggevende,
    )


def dossier_link(public_url_cases: str, dossier_id: UUID) -> str:
    return f"{public_url_cases.rstrip('/')}/v1/dossiers/{dossier_id}"


def bericht_id(bron_event_id: UUID, bestemming: Bestemming) -> UUID:
    """One message per (source event, recipient, channel): the same inputs always give the same id."""
    ontvanger = bestemming.ontvanger
    return derived_id("bericht", bron_event_id, ontvanger.rol.value, ontvanger.id or "", bestemming.kanaal.value)


@dataclass(frozen=True)
class Bericht:
    """One message to one recipient over one channel, caused by one source event."""

    id: UUID
    werkgever_id: str
    bron_event_id: UUID
    bestemming: Bestemming
    type: BerichtType
    titel: str
    tekst: str
    dossier_id: UUID | None
    werknemer_id: str | None
    link: str | None
    deadline: date | None
    aangemaakt_op: datetime

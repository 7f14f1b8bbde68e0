"""The inbox: messages on the inbox channel, each with a status that only moves forward."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from verzuim_notifications.domain.berichten import Bericht


class InboxStatus(StrEnum):
    OPEN = "open"
    GELEZEN = "gelezen"
    AFGEHANDELD = "afgehandeld"


_VOLGORDE = {InboxStatus.OPEN: 0, InboxStatus.GELEZEN: 1, InboxStatus.AFGEHANDELD: 2}


@dataclass(frozen=True)
class InboxItem:
    bericht: Bericht
    status: InboxStatus
    gelezen_op: datetime | None = None
    afgehandeld_op: datetime | None = None
    # Who marked it done: None for the recipient, "systeem" when its termijn was fulfilled or ended.
    afgehandeld_door: str | None = None


def markeer(item: InboxItem, status: InboxStatus, nu: datetime) -> InboxItem:
    """Mark an item gelezen or afgehandeld. Marking again, or marking an afgehandeld item gelezen, changes nothing:
    the status never moves back, and the first moment is kept."""
    if status is InboxStatus.OPEN:
        raise ValueError("an inbox item cannot be marked open again")
    nieuw = status if _VOLGORDE[status] > _VOLGORDE[item.status] else item.status
    return replace(
        item,
        status=nieuw,
        gelezen_op=item.gelezen_op or nu,
        afgehandeld_op=item.afgehandeld_op or (nu if nieuw is InboxStatus.AFGEHANDELD else None),
    )

"""Public facts about WvP termijnen, published by the deadlines service.

Subjects: verzuim.termijn.v1.{gepland, gewijzigd, nadert, verstreken, vervuld, vervallen, afgeweken}.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from verzuim_shared.events.base import Event
from verzuim_shared.subjects import Stream


class TermijnEvent(Event):
    termijn_id: UUID
    dossier_id: UUID
    werknemer_id: str
    code: str = Field(description="e.g. PROBLEEMANALYSE")
    # Added within v1 (optional, default 1): tells the occurrences of a repeating termijn (EVALUATIE, BELAFSPRAAK)
    # apart.
    volgnummer: int = Field(
        default=1,
        ge=1,
        description="1 for a one-off termijn; 1, 2, ... for EVALUATIE (in date order); for BELAFSPRAAK the number "
        "of its ziekmelding within the verzuim (1 the first melding, 2 the first relapse, ...)",
    )
    vervaldatum: date
    grondslag: str = Field(description="Legal basis")
    afleiding: str = Field(description="Human-readable derivation of the date")


class TermijnGepland(TermijnEvent):
    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "gepland"


class TermijnGewijzigd(TermijnEvent):
    """The due date moved because a fact changed (correction, relapse, VLD, ...)."""

    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "gewijzigd"

    vorige_vervaldatum: date
    reden: str


class TermijnNadert(TermijnEvent):
    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "nadert"

    dagen_resterend: int


class TermijnVerstreken(TermijnEvent):
    """The due date passed without fulfilment or motivated deviation."""

    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "verstreken"


class TermijnVervuld(TermijnEvent):
    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "vervuld"

    vervuld_op: date
    op_tijd: bool
    bron_event_id: UUID | None = Field(default=None, description="The dossier event that fulfilled it")


class TermijnVervallen(TermijnEvent):
    """No longer applicable, e.g. after volledig herstel (decisions D5)."""

    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "vervallen"

    reden: str


class TermijnAfgeweken(TermijnEvent):
    """Ended with a motivated deviation (Regeling procesgang art. 5)."""

    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "afgeweken"

    reden: str

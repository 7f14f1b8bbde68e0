"""Public facts about WvP termijnen, published by the deadlines service."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from verzuim_shared.events.base import Event
from verzuim_shared.subjects import Stream


class TermijnGepland(Event):
    stream: ClassVar[Stream] = Stream.TERMIJN
    event_type: ClassVar[str | None] = "gepland"

    termijn_id: UUID
    dossier_id: UUID
    werknemer_id: str
    code: str = Field(description="e.g. PROBLEEMANALYSE")
    vervaldatum: date
    grondslag: str = Field(description="Legal basis")
    afleiding: str = Field(description="Human-readable derivation of the date")

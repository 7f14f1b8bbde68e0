"""Public facts about verzuimdossiers, published by the cases service from its event store."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from verzuim_shared.events.base import Event
from verzuim_shared.events.intake import HerstelSoort
from verzuim_shared.subjects import Stream


class DossierEvent(Event):
    dossier_id: UUID
    versie: int = Field(ge=1, description="Version of the dossier after this event")
    werknemer_id: str


class DossierGeopend(DossierEvent):
    stream: ClassVar[Stream] = Stream.DOSSIER

    melding_id: UUID
    eerste_ziektedag: date
    gemeld_op: AwareDatetime
    herstelafspraak: date | None = None
    vangnet_van_toepassing: bool = False
    arbeidsongeval: bool = False
    regres_derde: bool = False
    na_meldtijd: bool = False


class HerstelGeregistreerd(DossierEvent):
    stream: ClassVar[Stream] = Stream.DOSSIER

    herstel_id: UUID
    soort: HerstelSoort
    hersteldatum: date
    arbeidsongeschiktheidspercentage: int = Field(ge=0, le=100)

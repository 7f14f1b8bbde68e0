"""Personeel and organisatie facts from the HR sync: employment periods, contract hours, afdelingen."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import EmailStr, Field

from verzuim_shared.events.base import Event
from verzuim_shared.subjects import Stream


class MedewerkerInDienst(Event):
    stream: ClassVar[Stream] = Stream.PERSONEEL

    werknemer_id: str = Field(min_length=1, max_length=100)
    datum_in_dienst: date
    naam: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    afdeling_id: str = Field(min_length=1, max_length=100)
    contracturen: float = Field(gt=0, le=80, description="Contract hours per week")
    voltijduren: float = Field(gt=0, le=80, description="Full-time hours per week at this werkgever")
    leidinggevende_id: str | None = Field(
        default=None, description="Only when it differs from the afdeling's leidinggevende"
    )


class MedewerkerGegevensGewijzigd(Event):
    """The employee's data as they apply from `geldig_vanaf` (a full snapshot, so consumers can upsert)."""

    stream: ClassVar[Stream] = Stream.PERSONEEL

    werknemer_id: str = Field(min_length=1, max_length=100)
    geldig_vanaf: date
    naam: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    afdeling_id: str = Field(min_length=1, max_length=100)
    contracturen: float = Field(gt=0, le=80)
    voltijduren: float = Field(gt=0, le=80)
    leidinggevende_id: str | None = None


class MedewerkerUitDienst(Event):
    stream: ClassVar[Stream] = Stream.PERSONEEL

    werknemer_id: str = Field(min_length=1, max_length=100)
    datum_uit_dienst: date = Field(description="Last day of employment")


class AfdelingVastgelegd(Event):
    stream: ClassVar[Stream] = Stream.PERSONEEL

    afdeling_id: str = Field(min_length=1, max_length=100)
    naam: str = Field(min_length=1, max_length=200)
    leidinggevende_id: str | None = None
    hr_adviseur_id: str | None = None
    rayonmanager_id: str | None = None
    rayon: str | None = Field(default=None, max_length=100)

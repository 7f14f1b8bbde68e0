"""Facts that enter through the intake service: ziekmelding and (deel)herstelmelding."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from verzuim_shared.events.base import Actor, ContractModel, Event
from verzuim_shared.subjects import Stream


class Adres(ContractModel):
    straat: str = Field(min_length=1, max_length=200)
    huisnummer: str = Field(min_length=1, max_length=20)
    postcode: str = Field(min_length=4, max_length=10)
    plaats: str = Field(min_length=1, max_length=100)
    land: str = Field(default="NL", max_length=2)


class Bereikbaarheid(ContractModel):
    telefoon: str = Field(min_length=6, max_length=30, pattern=r"^[0-9+()\- ]+$")
    verpleegadres: Adres | None = Field(
        default=None, description="Only when the werknemer stays elsewhere (ziekenhuis, familie)"
    )


class MeldingOntvanger(StrEnum):
    """Where the werknemer reported sick; each has its own cut-off time (seed: 9:00 resp. 10:00)."""

    LEIDINGGEVENDE = "leidinggevende"
    VERZUIM_SUPPORT = "verzuim_support"


class ZiekGemeld(Event):
    """A werknemer was reported sick. Carries no medical data (AVG; decisions D9)."""

    stream: ClassVar[Stream] = Stream.INTAKE

    melding_id: UUID
    werknemer_id: str = Field(min_length=1, max_length=100)
    eerste_ziektedag: date
    gemeld_op: AwareDatetime
    gemeld_door: Actor
    gemeld_bij: MeldingOntvanger = MeldingOntvanger.LEIDINGGEVENDE
    verwachte_duur_dagen: int | None = Field(default=None, ge=1, le=1000)
    bereikbaarheid: Bereikbaarheid
    herstelafspraak: date | None = Field(default=None, description="Agreed date of return, if any")
    belafspraak: datetime | None = Field(
        default=None, description="Agreed follow-up call when there is no herstelafspraak"
    )
    vangnet_van_toepassing: bool = False
    arbeidsongeval: bool = False
    regres_derde: bool = False
    meldtijd_grens: AwareDatetime = Field(description="The werkgever's cut-off for a melding on the first sick day")
    na_meldtijd: bool = Field(description="True when the melding arrived after the cut-off")


class HerstelSoort(StrEnum):
    VOLLEDIG = "volledig"
    GEDEELTELIJK = "gedeeltelijk"


class HerstelGemeld(Event):
    """Full or partial recovery. For partial recovery the remaining arbeidsongeschiktheidspercentage is given."""

    stream: ClassVar[Stream] = Stream.INTAKE

    herstel_id: UUID
    werknemer_id: str = Field(min_length=1, max_length=100)
    melding_id: UUID | None = Field(default=None, description="The ziekmelding this herstel belongs to, if known")
    soort: HerstelSoort
    hersteldatum: date = Field(description="Volledig: first fully fit day. Gedeeltelijk: first day of the new %")
    arbeidsongeschiktheidspercentage: int = Field(ge=0, le=100)
    gemeld_op: AwareDatetime
    gemeld_door: Actor

    @model_validator(mode="after")
    def _percentage_fits_soort(self) -> HerstelGemeld:
        if self.soort is HerstelSoort.VOLLEDIG and self.arbeidsongeschiktheidspercentage != 0:
            raise ValueError("volledig herstel leaves 0 % arbeidsongeschiktheid")
        if self.soort is HerstelSoort.GEDEELTELIJK and not 0 < self.arbeidsongeschiktheidspercentage < 100:
            raise ValueError("gedeeltelijk herstel needs a remaining percentage between 1 and 99")
        return self

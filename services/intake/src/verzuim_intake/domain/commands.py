"""What a client asks the intake to record. These are the request bodies of the HTTP API; unknown fields are
refused (extra=forbid), so nothing unexpected, such as medical data, can slip into a published fact."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, ConfigDict, EmailStr, Field, PlainSerializer, field_validator
from verzuim_shared.clock import NL
from verzuim_shared.events import Actor, Bereikbaarheid, ContractModel, HerstelSoort, MeldingOntvanger

MAX_ITEMS_PER_SYNC = 5000


def _kloktijd(value: time) -> time:
    if value.tzinfo is not None or value.second or value.microsecond:
        raise ValueError("een meldtijd is een Nederlandse kloktijd in uren en minuten, zonder tijdzone, zoals '09:00'")
    return value


Kloktijd = Annotated[
    time,
    AfterValidator(_kloktijd),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    Field(json_schema_extra={"examples": ["09:00"]}),
]


class Ziekmelding(ContractModel):
    """A ziekmelding as the werknemer gave it. No medical data: only contact details, agreements and yes/no facts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "werkgever_id": "demo-bv",
                    "werknemer_id": "wn-02",
                    "eerste_ziektedag": "2025-01-06",
                    "gemeld_op": "2025-01-06T08:12:00+01:00",
                    "gemeld_door": {"id": "wn-02", "rol": "werknemer"},
                    "gemeld_bij": "leidinggevende",
                    "verwachte_duur_dagen": 3,
                    "bereikbaarheid": {"telefoon": "06 1234 5678"},
                    "herstelafspraak": "2025-01-09",
                    "vangnet_van_toepassing": False,
                    "arbeidsongeval": False,
                    "regres_derde": False,
                }
            ]
        }
    )

    werkgever_id: str = Field(min_length=1, max_length=100, description="Must be the werkgever of the token")
    werknemer_id: str = Field(min_length=1, max_length=100)
    eerste_ziektedag: date = Field(description="Sick day 1; today or earlier (history is welcome)")
    gemeld_op: AwareDatetime = Field(description="When the werknemer reported sick, with time zone")
    gemeld_door: Actor = Field(description="Who reported (usually the werknemer himself)")
    gemeld_bij: MeldingOntvanger = Field(
        default=MeldingOntvanger.LEIDINGGEVENDE, description="Where the melding was made; decides the meldtijd"
    )
    verwachte_duur_dagen: int | None = Field(default=None, ge=1, le=1000)
    bereikbaarheid: Bereikbaarheid
    herstelafspraak: date | None = Field(default=None, description="Agreed date of return, if any")
    belafspraak: datetime | None = Field(
        default=None,
        description="Agreed follow-up call when there is no herstelafspraak; without time zone it is Dutch time",
    )
    vangnet_van_toepassing: bool = Field(default=False, description="Only whether a vangnet applies, never which")
    arbeidsongeval: bool = False
    regres_derde: bool = Field(default=False, description="A liable third party is involved")

    @field_validator("belafspraak")
    @classmethod
    def _dutch_time_when_naive(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=NL)
        return value


class Herstelmelding(ContractModel):
    """Full recovery (percentage 0) or partial recovery with the remaining arbeidsongeschiktheidspercentage."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "werkgever_id": "demo-bv",
                    "werknemer_id": "wn-02",
                    "soort": "gedeeltelijk",
                    "hersteldatum": "2025-01-20",
                    "arbeidsongeschiktheidspercentage": 50,
                    "gemeld_op": "2025-01-17T14:00:00+01:00",
                    "gemeld_door": {"id": "hr-1", "rol": "hr"},
                }
            ]
        }
    )

    werkgever_id: str = Field(min_length=1, max_length=100)
    werknemer_id: str = Field(min_length=1, max_length=100)
    melding_id: UUID | None = Field(default=None, description="The ziekmelding this herstel belongs to, if known")
    soort: HerstelSoort
    hersteldatum: date = Field(description="Volledig: first fully fit day. Gedeeltelijk: first day of the new %")
    arbeidsongeschiktheidspercentage: int | None = Field(
        default=None, ge=0, le=100, description="Volledig: 0 (may be left out). Gedeeltelijk: what remains, 1..99"
    )
    gemeld_op: AwareDatetime
    gemeld_door: Actor


class Medewerker(ContractModel):
    """One employee as the HR system knows it."""

    werknemer_id: str = Field(min_length=1, max_length=100)
    naam: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    afdeling_id: str = Field(min_length=1, max_length=100)
    contracturen: float = Field(gt=0, le=80, description="Contract hours per week")
    voltijduren: float = Field(gt=0, le=80, description="Full-time hours per week at this werkgever")
    datum_in_dienst: date
    datum_uit_dienst: date | None = Field(
        default=None, description="Last day of employment; not before datum_in_dienst"
    )
    leidinggevende_id: str | None = Field(
        default=None, max_length=100, description="Only when it differs from the afdeling's leidinggevende"
    )
    geldig_vanaf: date | None = Field(default=None, description="From when these data apply; default today")


class MedewerkersSync(ContractModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "medewerkers": [
                        {
                            "werknemer_id": "wn-01",
                            "naam": "Anouk de Vries",
                            "email": "anouk@demo-bv.example",
                            "afdeling_id": "magazijn",
                            "contracturen": 32,
                            "voltijduren": 38,
                            "datum_in_dienst": "2021-03-01",
                        }
                    ]
                }
            ]
        }
    )

    medewerkers: list[Medewerker] = Field(min_length=1, max_length=MAX_ITEMS_PER_SYNC)


class Afdeling(ContractModel):
    afdeling_id: str = Field(min_length=1, max_length=100)
    naam: str = Field(min_length=1, max_length=200)
    leidinggevende_id: str | None = Field(default=None, max_length=100)
    hr_adviseur_id: str | None = Field(default=None, max_length=100)
    rayonmanager_id: str | None = Field(default=None, max_length=100)
    rayon: str | None = Field(default=None, max_length=100)


class AfdelingenSync(ContractModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "afdelingen": [
                        {
                            "afdeling_id": "magazijn",
                            "naam": "Magazijn",
                            "leidinggevende_id": "lg-magazijn",
                            "hr_adviseur_id": "hr-1",
                            "rayonmanager_id": "rm-noord",
                            "rayon": "Noord",
                        }
                    ]
                }
            ]
        }
    )

    afdelingen: list[Afdeling] = Field(min_length=1, max_length=MAX_ITEMS_PER_SYNC)


class MeldtijdInstellingen(ContractModel):
    """A werkgever's own cut-off times for a ziekmelding on the first sick day (Dutch wall-clock time)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"meldtijd_leidinggevende": "08:30", "meldtijd_verzuim_support": "10:00"}]}
    )

    meldtijd_leidinggevende: Kloktijd = Field(description="Report sick at the leidinggevende before this time")
    meldtijd_verzuim_support: Kloktijd = Field(description="Report sick at verzuim support before this time")

"""A werknemer's personeel facts and what follows from them: the data that apply from a date, the employment
periods, and the bezetting (who was employed when, where, for how many hours).

Everything here is a function of the set of facts only, never of the order in which they arrived: where two facts
say something about the same date, the one recorded later in the stream (higher stream sequence) wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from functools import lru_cache
from uuid import UUID

from verzuim_reporting.domain.dienstverband import (
    Dienstverband,
    DienstverbandMutatie,
    MutatieSoort,
    dienstverbanden,
)

# The deeltijdfactor is kept as an exact decimal with ten places, so that every sum over it is exact and the same
# however the rows are added up (live, rebuilt, in SQL or in Python).
_FACTOR_SCHAAL = Decimal("1e-10")


def decimaal(waarde: float | int) -> Decimal:
    """A float from an event as the decimal it was written as (32.0 -> 32.0, 0.1 -> 0.1)."""
    return Decimal(repr(waarde)) if isinstance(waarde, float) else Decimal(waarde)


_UREN_SCHAAL = Decimal("1e-6")


# Memoised: a rebuild asks for the same few hours and factors hundreds of thousands of times.
@lru_cache(maxsize=4096)
def uren(waarde: float | Decimal) -> Decimal:
    """Hours per week as an exact decimal with six places (a micro-hour is far below anything a roster records)."""
    return (waarde if isinstance(waarde, Decimal) else decimaal(waarde)).quantize(_UREN_SCHAAL, ROUND_HALF_EVEN)


@lru_cache(maxsize=4096)
def deeltijdfactor(contracturen: float, voltijduren: float) -> Decimal:
    """Contract hours ÷ full-time hours (D8; can exceed 1, e.g. 40/36)."""
    return (decimaal(contracturen) / decimaal(voltijduren)).quantize(_FACTOR_SCHAAL, ROUND_HALF_EVEN)


class PersoneelFeitSoort(StrEnum):
    IN_DIENST = "in_dienst"
    GEGEVENS = "gegevens"
    UIT_DIENST = "uit_dienst"


@dataclass(slots=True)  # not frozen: a rebuild makes millions (3x faster); never changed in place
class MedewerkerFeit:
    """One personeel event about a werknemer, as the read model keeps it."""

    event_id: UUID
    soort: PersoneelFeitSoort
    datum: date  # in dienst: first day of employment; gegevens: geldig_vanaf; uit dienst: last day of employment
    stream_sequence: int
    afdeling_id: str | None = None
    contracturen: float | None = None
    voltijduren: float | None = None
    leidinggevende_id: str | None = None  # only when it differs from the afdeling's leidinggevende


@dataclass(frozen=True)
class MedewerkerGegevens:
    """The werknemer's data as they apply from `geldig_vanaf` (MedewerkerInDienst: from the first day)."""

    geldig_vanaf: date
    afdeling_id: str
    contracturen: float
    voltijduren: float
    leidinggevende_id: str | None
    stream_sequence: int


@dataclass(frozen=True)
class Bezetting:
    """A stretch of employment [van, tot] (tot None: still employed) with the same afdeling, leidinggevende and
    hours. The denominators of the verzuimpercentage and the meldingsfrequentie are sums over these (D8)."""

    van: date
    tot: date | None
    afdeling_id: str
    leidinggevende_id: str | None
    contracturen: float
    voltijduren: float

    @property
    def deeltijdfactor(self) -> Decimal:
        return deeltijdfactor(self.contracturen, self.voltijduren)

    def bevat(self, dag: date) -> bool:
        return self.van <= dag and (self.tot is None or dag <= self.tot)


def medewerker_gegevens(feiten: list[MedewerkerFeit]) -> list[MedewerkerGegevens]:
    """Per geldig_vanaf the data of the fact recorded last (a correction of the same date), in date order."""
    per_datum: dict[date, MedewerkerFeit] = {}
    for feit in feiten:
        if feit.soort is PersoneelFeitSoort.UIT_DIENST:
            continue
        huidig = per_datum.get(feit.datum)
        if huidig is None or feit.stream_sequence > huidig.stream_sequence:
            per_datum[feit.datum] = feit
    gegevens = []
    for datum in sorted(per_datum):
        f = per_datum[datum]
        assert f.afdeling_id is not None and f.contracturen is not None and f.voltijduren is not None
        gegevens.append(
            MedewerkerGegevens(
                datum, f.afdeling_id, f.contracturen, f.voltijduren, f.leidinggevende_id, f.stream_sequence
            )
        )
    return gegevens


def dienstverband_mutaties(feiten: list[MedewerkerFeit]) -> list[DienstverbandMutatie]:
    soorten = {
        PersoneelFeitSoort.IN_DIENST: MutatieSoort.IN_DIENST,
        PersoneelFeitSoort.UIT_DIENST: MutatieSoort.UIT_DIENST,
    }
    return [DienstverbandMutatie(soorten[f.soort], f.datum, f.stream_sequence) for f in feiten if f.soort in soorten]


def geldende_gegevens(gegevens: list[MedewerkerGegevens], dag: date) -> MedewerkerGegevens | None:
    """The data that apply on `dag`: the latest geldig_vanaf on or before it; when all start later, the earliest."""
    geldend = None
    for g in gegevens:  # in date order
        if g.geldig_vanaf <= dag:
            geldend = g
    return geldend or (gegevens[0] if gegevens else None)


def bezetting(perioden: list[Dienstverband], gegevens: list[MedewerkerGegevens]) -> list[Bezetting]:
    """Split every employment period where the data change, and join neighbours that turn out the same."""
    if not gegevens:
        return []  # employed, but without hours or afdeling nothing can be counted
    stukken: list[Bezetting] = []
    for periode in perioden:
        grenzen = [periode.datum_in_dienst] + [
            g.geldig_vanaf
            for g in gegevens
            if g.geldig_vanaf > periode.datum_in_dienst
            and (periode.datum_uit_dienst is None or g.geldig_vanaf <= periode.datum_uit_dienst)
        ]
        for i, van in enumerate(grenzen):
            tot = grenzen[i + 1] - timedelta(days=1) if i + 1 < len(grenzen) else periode.datum_uit_dienst
            g = geldende_gegevens(gegevens, van)
            assert g is not None
            stuk = Bezetting(van, tot, g.afdeling_id, g.leidinggevende_id, g.contracturen, g.voltijduren)
            vorige = stukken[-1] if stukken else None
            if (
                vorige is not None
                and vorige.tot is not None
                and vorige.tot + timedelta(days=1) == van
                and (vorige.afdeling_id, vorige.leidinggevende_id, vorige.contracturen, vorige.voltijduren)
                == (g.afdeling_id, g.leidinggevende_id, g.contracturen, g.voltijduren)
            ):
                stukken[-1] = Bezetting(
                    vorige.van, tot, g.afdeling_id, g.leidinggevende_id, g.contracturen, g.voltijduren
                )
            else:
                stukken.append(stuk)
    return stukken


@dataclass(frozen=True)
class Personeelsbeeld:
    """Everything the read model derives from one werknemer's personeel facts."""

    gegevens: tuple[MedewerkerGegevens, ...]
    dienstverbanden: tuple[Dienstverband, ...]
    bezetting: tuple[Bezetting, ...]


def personeelsbeeld(feiten: list[MedewerkerFeit]) -> Personeelsbeeld:
    gegevens = medewerker_gegevens(feiten)
    perioden = dienstverbanden(dienstverband_mutaties(feiten))
    return Personeelsbeeld(tuple(gegevens), tuple(perioden), tuple(bezetting(perioden, gegevens)))


@dataclass(slots=True)  # not frozen: a rebuild makes millions (3x faster); never changed in place
class AfdelingFeit:
    event_id: UUID
    afdeling_id: str
    naam: str
    leidinggevende_id: str | None
    hr_adviseur_id: str | None
    rayonmanager_id: str | None
    rayon: str | None
    stream_sequence: int


def geldende_afdeling(feiten: list[AfdelingFeit]) -> AfdelingFeit:
    """AfdelingVastgelegd is a full snapshot: the one recorded last counts."""
    return max(feiten, key=lambda f: f.stream_sequence)

"""Duurklassen (duration classes) of verzuimgevallen: Vernet by default, the 1–7 / 8–42 / 43–365 / 366+ scheme on
request (decisions D8; wvp-reference §6.2).

A geval is classified by its length up to its hersteldatum or up to the end of the period, whichever comes first,
and is in exactly one class. Vernet's scheme ends at 730 days (the two sick years); a geval that runs longer stays in
its last class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from verzuim_reporting.domain.periode import Periode
from verzuim_reporting.domain.verzuim import Verzuimgeval


class DuurklassenSchema(StrEnum):
    VERNET = "vernet"
    ALTERNATIEF = "alternatief"


@dataclass(frozen=True)
class Duurklasse:
    code: str
    naam: str
    van_dag: int
    tot_dag: int | None  # inclusive; None: no upper bound

    @property
    def omschrijving(self) -> str:
        return f"{self.van_dag}–{self.tot_dag} dagen" if self.tot_dag is not None else f"{self.van_dag}+ dagen"


SCHEMAS: dict[DuurklassenSchema, tuple[Duurklasse, ...]] = {
    DuurklassenSchema.VERNET: (
        Duurklasse("kort", "Kort", 1, 14),
        Duurklasse("middellang", "Middellang", 15, 91),
        Duurklasse("lang", "Lang", 92, 365),
        Duurklasse("extra_lang", "Extra lang", 366, 730),
    ),
    DuurklassenSchema.ALTERNATIEF: (
        Duurklasse("kort", "Kort", 1, 7),
        Duurklasse("middellang", "Middellang", 8, 42),
        Duurklasse("lang", "Lang", 43, 365),
        Duurklasse("extra_lang", "Extra lang", 366, None),
    ),
}


def definitie_duurklassen(schema: DuurklassenSchema) -> str:
    klassen = ", ".join(f"{k.naam.lower()} {k.omschrijving}" for k in SCHEMAS[schema])
    naam = "Vernet" if schema is DuurklassenSchema.VERNET else "alternatief (1–7 / 8–42 / 43–365 / 366+)"
    extra = (
        " Een geval dat langer dan 730 dagen loopt, blijft in de laatste klasse."
        if schema is DuurklassenSchema.VERNET
        else ""
    )
    return (
        f"Duurklassen, schema {naam}: {klassen}. Telt elk verzuimgeval (elke melding, ook binnen een samengesteld "
        "verzuim) dat in de periode op enig moment liep, ingedeeld naar zijn duur in kalenderdagen van de eerste "
        "ziektedag tot de hersteldatum of tot en met het einde van de periode, wat het eerst komt (ook dagen op 0 % na "
        "deelherstel: het geval loopt tot het herstel). Een geval telt bij "
        f"de afdeling waar het begon.{extra}"
    )


def klasse_voor(schema: DuurklassenSchema, duur_dagen: int) -> Duurklasse:
    klassen = SCHEMAS[schema]
    for k in klassen:
        if k.tot_dag is None or duur_dagen <= k.tot_dag:
            return k
    return klassen[-1]


@dataclass(frozen=True)
class KlasseTelling:
    klasse: Duurklasse
    aantal: int


def liep_in(geval: Verzuimgeval, periode: Periode) -> bool:
    """The geval had at least one sick day in the period."""
    laatste = geval.laatste_ziektedag
    return geval.eerste_ziektedag <= periode.tot and (laatste is None or laatste >= periode.van)


def duurklassen(
    gevallen: Iterable[Verzuimgeval], periode: Periode, schema: DuurklassenSchema = DuurklassenSchema.VERNET
) -> list[KlasseTelling]:
    aantallen = dict.fromkeys((k.code for k in SCHEMAS[schema]), 0)
    for g in gevallen:
        if g.meetellen and liep_in(g, periode):
            aantallen[klasse_voor(schema, g.duur_tot(periode.tot)).code] += 1
    return [KlasseTelling(k, aantallen[k.code]) for k in SCHEMAS[schema]]

"""Frequent verzuim: 3 or more meldingen within a rolling 365 days, counting the new one (decisions D8; threshold and
window are parameters). There is no legal definition; this follows the common practice the reference describes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from verzuim_reporting.domain.periode import Periode
from verzuim_reporting.domain.verzuim import Verzuimgeval

STANDAARD_DREMPEL = 3
STANDAARD_VENSTER_DAGEN = 365


def definitie_frequent_verzuim(drempel: int, venster_dagen: int) -> str:
    return (
        f"Frequent verzuimer: een werknemer met {drempel} of meer ziekmeldingen binnen {venster_dagen} dagen "
        "(een rollend venster dat eindigt op de eerste ziektedag van de nieuwe melding, die zelf meetelt), waarbij die "
        "nieuwe melding in de periode begon. Elke episode telt als eigen melding. Getoond worden de meldingen in het "
        "laatste venster waarin de drempel werd bereikt; de afdeling is die van die melding."
    )


@dataclass(frozen=True)
class Melding:
    werknemer_id: str
    eerste_ziektedag: date
    afdeling_id: str
    leidinggevende_id: str | None


@dataclass(frozen=True)
class FrequentVerzuimer:
    werknemer_id: str
    afdeling_id: str
    leidinggevende_id: str | None
    aantal_meldingen: int  # in the window that ends on `laatste_melding`
    eerste_ziektedagen: tuple[date, ...]  # the meldingen in that window
    laatste_melding: date  # the melding in the period with which the threshold was last reached


def meldingen_van(werknemer_id: str, gevallen: Iterable[Verzuimgeval]) -> list[Melding]:
    """The gevallen that count as a melding (as in the meldingsfrequentie)."""
    return [
        Melding(werknemer_id, g.eerste_ziektedag, g.afdeling_id, g.leidinggevende_id)
        for g in gevallen
        if g.in_dienst_bij_melding and g.afdeling_id is not None
    ]


def frequente_verzuimers(
    meldingen: Iterable[Melding],
    periode: Periode,
    drempel: int = STANDAARD_DREMPEL,
    venster_dagen: int = STANDAARD_VENSTER_DAGEN,
) -> list[FrequentVerzuimer]:
    per_werknemer: dict[str, list[Melding]] = {}
    for m in meldingen:
        per_werknemer.setdefault(m.werknemer_id, []).append(m)
    resultaat = []
    for werknemer_id, lijst in per_werknemer.items():
        lijst.sort(key=lambda m: m.eerste_ziektedag)
        gevonden: FrequentVerzuimer | None = None
        for i, m in enumerate(lijst):
            if not periode.bevat(m.eerste_ziektedag):
                continue
            grens = m.eerste_ziektedag - timedelta(days=venster_dagen - 1)
            venster = [n for n in lijst[: i + 1] if n.eerste_ziektedag >= grens]
            if len(venster) >= drempel:
                gevonden = FrequentVerzuimer(
                    werknemer_id=werknemer_id,
                    afdeling_id=m.afdeling_id,
                    leidinggevende_id=m.leidinggevende_id,
                    aantal_meldingen=len(venster),
                    eerste_ziektedagen=tuple(n.eerste_ziektedag for n in venster),
                    laatste_melding=m.eerste_ziektedag,
                )
        if gevonden is not None:
            resultaat.append(gevonden)
    resultaat.sort(key=lambda f: (-f.aantal_meldingen, -f.laatste_melding.toordinal(), f.werknemer_id))
    return resultaat

"""The kerncijfers of decisions D8, from counts over a period ("tellers"), with the definition each figure used.

The standard "Berekening van ziekteverzuim" (1996) as decisions D8 pins it:

- verzuimpercentage = Σ sick calendar days × deeltijdfactor × ao-fractie ÷ Σ employment calendar days × deeltijdfactor,
  over the days inside the period only;
- meldingsfrequentie = new meldingen starting in the period ÷ average headcount, × 365 / days in the period (or × 4 per
  quarter, × 12 per month, × 1 per year, as an option); every episode of a samengesteld case is a melding of its own;
- gemiddelde verzuimduur = mean (hersteldatum − eerste ziektedag) of the gevallen whose hersteldatum lies in the
  period, calendar days, without part-time weighting;
- nulverzuim = share of the werknemers employed at any moment in the period without verzuim in it;
- activeringspercentage = share of the contract hours of the sick werknemers, on their sick days, that they are
  deployed on, valued at loonwaarde (opbouwschema), reported next to the verzuimpercentage.

Every teller is an exact integer or decimal, so a figure never depends on the order in which rows were summed:
live and rebuilt read models, SQL and Python give the same digits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from verzuim_reporting.domain.periode import PERIODEN_PER_JAAR, Periode, overlap_dagen
from verzuim_reporting.domain.personeel import Bezetting, uren
from verzuim_reporting.domain.verzuim import Verzuimgeval, Verzuimsegment

NUL = Decimal(0)
_DRIE_DECIMALEN = Decimal("0.001")


class Annualisering(StrEnum):
    KALENDERDAGEN = "kalenderdagen"  # × 365 / days in the period (default)
    PERIODEN = "perioden"  # × 4 per quarter (Vernet/CBS), × 12 per month, × 1 per year


class NietAnnualiseerbaar(ValueError):
    """The × 4 method needs a whole calendar quarter (month, year)."""


@dataclass(frozen=True)
class Tellers:
    """The additive counts behind the kerncijfers of one group in one period.

    All of them add up over disjoint groups except the two werknemer counts: a werknemer who moved afdeling in the
    period is employed in both, so the werkgever's count is counted on its own."""

    capaciteit: Decimal = NUL  # Σ employment days × deeltijdfactor (FTE-days)
    verzuim: Decimal = NUL  # Σ sick days × deeltijdfactor × ao-fractie (FTE-days lost)
    dienstdagen: int = 0  # Σ employment days (headcount-days)
    meldingen: int = 0  # new meldingen with their eerste ziektedag in the period
    beeindigd: int = 0  # gevallen with their hersteldatum in the period
    beeindigd_duur: int = 0  # Σ (hersteldatum − eerste ziektedag) of those
    werknemers: int = 0  # employed at any moment in the period
    werknemers_met_verzuim: int = 0  # of those, with at least one sick day in the period
    contracturen_ziek: Decimal = NUL  # Σ sick days × contracturen per week
    inzet_ziek: Decimal = NUL  # Σ sick days × deployed hours per week (at loonwaarde)

    def __add__(self, other: Tellers) -> Tellers:
        return Tellers(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def som(tellers: Iterable[Tellers]) -> Tellers:
    totaal = Tellers()
    for t in tellers:
        totaal = totaal + t
    return totaal


@dataclass(frozen=True)
class Figuur:
    code: str
    naam: str
    waarde: Decimal | None  # rounded to three decimals; None when the noemer is 0 (nothing to measure)
    eenheid: str
    teller: Decimal
    noemer: Decimal
    definitie: str


def afronden(waarde: Decimal) -> Decimal:
    return waarde.quantize(_DRIE_DECIMALEN, ROUND_HALF_UP)


def _deel(teller: Decimal | int, noemer: Decimal | int, factor: Decimal | int = 1) -> Decimal | None:
    if noemer == 0:
        return None
    return afronden(Decimal(teller) * factor / Decimal(noemer))


DEFINITIE_VERZUIMPERCENTAGE = (
    "Verzuimpercentage: Σ ziektekalenderdagen × deeltijdfactor × arbeidsongeschiktheidsfractie ÷ Σ kalenderdagen in "
    "dienst × deeltijdfactor, × 100 %. Alleen de dagen binnen de periode tellen; werknemers die in de periode in of "
    "uit dienst gaan tellen naar hun dagen in dienst. Deeltijdfactor = contracturen ÷ voltijduren op die dag; "
    "arbeidsongeschiktheidsfractie = 1 bij een nieuwe ziekmelding, na deelherstel het resterende percentage. "
    "Zwangerschaps- en bevallingsverlof is geen ziekmelding en telt niet mee "
    "(standaard 'Berekening van ziekteverzuim', 1996; decisions D8)."
)


def definitie_meldingsfrequentie(annualisering: Annualisering, periode: Periode | None) -> str:
    """With `periode` None: the wording for a series of periods."""
    if annualisering is Annualisering.PERIODEN:
        if periode is None:
            factor = "× 4 per kwartaal, × 12 per maand, × 1 per jaar (methode Vernet/CBS)"
        else:
            factor = (
                f"× {PERIODEN_PER_JAAR.get(periode.soort, '?')} ({periode.soort.value} naar jaar, methode Vernet/CBS)"
            )
    elif periode is None:
        factor = "× 365 ÷ het aantal dagen in de periode"
    else:
        factor = f"× 365 ÷ {periode.dagen} dagen in de periode"
    return (
        "Meldingsfrequentie: aantal nieuwe ziekmeldingen met de eerste ziektedag in de periode ÷ gemiddeld aantal "
        f"werknemers (Σ kalenderdagen in dienst ÷ dagen in de periode, personen, geen fte), {factor}. Elke episode van "
        "een samengesteld verzuim (binnen vier weken opnieuw ziek) telt als een eigen melding; deelherstel is geen "
        "nieuwe melding. Een melding telt bij de afdeling waar de werknemer op de eerste ziektedag werkte."
    )


DEFINITIE_GEMIDDELDE_VERZUIMDUUR = (
    "Gemiddelde verzuimduur: gemiddelde van (hersteldatum − eerste ziektedag) in kalenderdagen over de verzuimgevallen "
    "(meldingen) waarvan de hersteldatum, de eerste dag volledig hersteld, in de periode ligt. Dagen vóór de periode "
    "tellen mee, deelherstel telt als hele dag, geen deeltijdweging. Lopende gevallen tellen niet mee."
)
DEFINITIE_NULVERZUIM = (
    "Nulverzuim: aandeel van de werknemers die op enig moment in de periode in dienst waren en in de periode geen "
    "enkele ziektedag hadden (geen dag met een arbeidsongeschiktheid boven 0 %), × 100 %. Een werknemer die na "
    "deelherstel voor 0 % arbeidsongeschikt is, verzuimt niet, ook al is de melding nog niet hersteld."
)
DEFINITIE_ACTIVERINGSPERCENTAGE = (
    "Activeringspercentage: aandeel van de contracturen van zieke werknemers, op hun ziektedagen in de periode (dagen "
    "met een arbeidsongeschiktheid boven 0 %), "
    "waarop zij daadwerkelijk worden ingezet, gewaardeerd naar loonwaarde: uren per week × loonwaardepercentage "
    "volgens het geldende opbouwschema (ten hoogste de contracturen); zonder opbouwschema het deel van de "
    "contracturen waarvoor de werknemer niet arbeidsongeschikt is (100 % − arbeidsongeschiktheidspercentage). "
    "Wordt naast het verzuimpercentage gerapporteerd (inzetbaarheid)."
)


@dataclass(frozen=True)
class Kerncijfers:
    verzuimpercentage: Figuur
    meldingsfrequentie: Figuur
    gemiddelde_verzuimduur: Figuur
    nulverzuim: Figuur
    activeringspercentage: Figuur

    def figuren(self) -> tuple[Figuur, ...]:
        return (
            self.verzuimpercentage,
            self.meldingsfrequentie,
            self.gemiddelde_verzuimduur,
            self.nulverzuim,
            self.activeringspercentage,
        )


def annualisatiefactor(periode: Periode, annualisering: Annualisering) -> Decimal:
    if annualisering is Annualisering.PERIODEN:
        try:
            return Decimal(PERIODEN_PER_JAAR[periode.soort])
        except KeyError:
            raise NietAnnualiseerbaar(
                "De methode 'perioden' (× 4 per kwartaal) geldt alleen voor een hele kalendermaand, een heel kwartaal "
                f"of een heel jaar; {periode.label} is een andere reeks dagen. Gebruik annualisering=kalenderdagen."
            ) from None
    return Decimal(365) / Decimal(periode.dagen)


def kerncijfers(
    t: Tellers, periode: Periode, annualisering: Annualisering = Annualisering.KALENDERDAGEN
) -> Kerncijfers:
    """The figures of one group in one period, from its tellers."""
    factor = annualisatiefactor(periode, annualisering)
    gemiddeld_aantal = Decimal(t.dienstdagen) / Decimal(periode.dagen)
    frequentie = None if t.dienstdagen == 0 else afronden(Decimal(t.meldingen) * periode.dagen * factor / t.dienstdagen)
    return Kerncijfers(
        verzuimpercentage=Figuur(
            "verzuimpercentage",
            "Verzuimpercentage",
            _deel(t.verzuim, t.capaciteit, 100),
            "%",
            t.verzuim,
            t.capaciteit,
            DEFINITIE_VERZUIMPERCENTAGE,
        ),
        meldingsfrequentie=Figuur(
            "meldingsfrequentie",
            "Meldingsfrequentie",
            frequentie,
            "meldingen per werknemer per jaar",
            Decimal(t.meldingen),
            gemiddeld_aantal,
            definitie_meldingsfrequentie(annualisering, periode),
        ),
        gemiddelde_verzuimduur=Figuur(
            "gemiddelde_verzuimduur",
            "Gemiddelde verzuimduur",
            _deel(t.beeindigd_duur, t.beeindigd),
            "kalenderdagen",
            Decimal(t.beeindigd_duur),
            Decimal(t.beeindigd),
            DEFINITIE_GEMIDDELDE_VERZUIMDUUR,
        ),
        nulverzuim=Figuur(
            "nulverzuim",
            "Nulverzuim",
            _deel(t.werknemers - t.werknemers_met_verzuim, t.werknemers, 100),
            "%",
            Decimal(t.werknemers - t.werknemers_met_verzuim),
            Decimal(t.werknemers),
            DEFINITIE_NULVERZUIM,
        ),
        activeringspercentage=Figuur(
            "activeringspercentage",
            "Activeringspercentage",
            _deel(t.inzet_ziek, t.contracturen_ziek, 100),
            "%",
            t.inzet_ziek,
            t.contracturen_ziek,
            DEFINITIE_ACTIVERINGSPERCENTAGE,
        ),
    )


# ------------------------------------------------------------------------------------------------------------------
# The tellers in Python, straight from the derived rows. The read model computes the same sums in SQL; this is the
# reference the SQL is tested against, and what the verzuimverleden of one werknemer uses.


def tellers(
    bezetting: Iterable[Bezetting],
    segmenten: Iterable[Verzuimsegment],
    gevallen: Iterable[Verzuimgeval],
    periode: Periode,
) -> Tellers:
    """The tellers of one werknemer (or of any set of rows of distinct werknemers counted as one group) in the period.
    The werknemer counts are 1/0 here: add them up only over distinct werknemers."""
    capaciteit, dienstdagen = NUL, 0
    for b in bezetting:
        dagen = overlap_dagen(b.van, b.tot, periode)
        dienstdagen += dagen
        capaciteit += dagen * b.deeltijdfactor
    verzuim, contract_ziek, inzet_ziek, ziekedagen = NUL, NUL, NUL, 0
    for s in segmenten:
        dagen = overlap_dagen(s.van, s.tot, periode)
        ziekedagen += dagen
        verzuim += dagen * s.deeltijdfactor * s.percentage / 100
        contract_ziek += dagen * uren(s.contracturen)
        inzet_ziek += dagen * s.inzet_uren
    meldingen = beeindigd = duur = 0
    for g in gevallen:
        if g.in_dienst_bij_melding and g.meetellen and periode.bevat(g.eerste_ziektedag):
            meldingen += 1
        if g.meetellen and g.hersteldatum is not None and periode.bevat(g.hersteldatum):
            beeindigd += 1
            duur += (g.hersteldatum - g.eerste_ziektedag).days
    return Tellers(
        capaciteit=capaciteit,
        verzuim=verzuim,
        dienstdagen=dienstdagen,
        meldingen=meldingen,
        beeindigd=beeindigd,
        beeindigd_duur=duur,
        werknemers=1 if dienstdagen else 0,
        werknemers_met_verzuim=1 if dienstdagen and ziekedagen else 0,
        contracturen_ziek=contract_ziek,
        inzet_ziek=inzet_ziek,
    )


def normaliseer(waarde: Decimal) -> Decimal:
    """A decimal without trailing zeros (for comparing sums computed in different places)."""
    return waarde.normalize() if waarde != 0 else Decimal(0)


@dataclass(frozen=True)
class WerknemerVerzuim:
    """One werknemer's derived rows: what the tellers are counted from."""

    werknemer_id: str
    bezetting: tuple[Bezetting, ...]
    gevallen: tuple[Verzuimgeval, ...]
    segmenten: tuple[Verzuimsegment, ...]


Groepsleutel = Callable[[str, str | None], str]  # (afdeling_id, eigen leidinggevende_id) -> group key


def tellers_per_groep(
    werknemers: Iterable[WerknemerVerzuim], periode: Periode, groep: Groepsleutel
) -> dict[str, Tellers]:
    """Tellers per group: every row counts in the group of its own afdeling and leidinggevende (a werknemer who moves
    in the period counts in both groups, each for their own days; a geval counts where it started)."""
    per_groep: dict[str, Tellers] = {}
    for w in werknemers:
        delen: dict[str, tuple[list[Bezetting], list[Verzuimsegment], list[Verzuimgeval]]] = {}
        for b in w.bezetting:
            delen.setdefault(groep(b.afdeling_id, b.leidinggevende_id), ([], [], []))[0].append(b)
        for s in w.segmenten:
            delen.setdefault(groep(s.afdeling_id, s.leidinggevende_id), ([], [], []))[1].append(s)
        for g in w.gevallen:
            if g.afdeling_id is not None:
                delen.setdefault(groep(g.afdeling_id, g.leidinggevende_id), ([], [], []))[2].append(g)
        for sleutel, (b_rijen, s_rijen, g_rijen) in delen.items():
            t = tellers(b_rijen, s_rijen, g_rijen, periode)
            per_groep[sleutel] = per_groep.get(sleutel, Tellers()) + t
    return per_groep

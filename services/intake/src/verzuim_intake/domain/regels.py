"""The rules an intake request must meet beyond its schema. Pure functions: `nu` is passed in, never read.

History is welcome (migration from other systems): past dates are processed exactly like today's. Only what
cannot be true is refused, and every refusal says exactly what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from verzuim_shared.clock import NL
from verzuim_shared.events import HerstelSoort

from verzuim_intake.domain.commands import Afdeling, Herstelmelding, Medewerker, Ziekmelding
from verzuim_intake.domain.fouten import Fout

# A client's clock may run a little ahead of ours; more than this is a timestamp that has not happened yet.
MAX_KLOKVOORSPRONG = timedelta(minutes=5)


def nl_tijd(moment: datetime) -> str:
    return moment.astimezone(NL).strftime("%Y-%m-%d %H:%M:%S") + " (Nederlandse tijd)"


def gemeld_op_fouten(gemeld_op: datetime, nu: datetime) -> list[Fout]:
    if gemeld_op > nu + MAX_KLOKVOORSPRONG:
        return [
            Fout(
                "gemeld_op",
                f"{nl_tijd(gemeld_op)} ligt in de toekomst (het is nu {nl_tijd(nu)}); "
                "een melding kan niet later gedaan zijn dan nu.",
            )
        ]
    return []


def ziekmelding_fouten(melding: Ziekmelding, nu: datetime) -> list[Fout]:
    vandaag = nu.astimezone(NL).date()
    e = melding.eerste_ziektedag
    fouten: list[Fout] = []
    if e > vandaag:
        fouten.append(
            Fout(
                "eerste_ziektedag",
                f"{e.isoformat()} ligt in de toekomst (vandaag is {vandaag.isoformat()}); "
                "een ziekmelding gaat over vandaag of een eerdere dag.",
            )
        )
    fouten.extend(gemeld_op_fouten(melding.gemeld_op, nu))
    # A werknemer may report the evening (or day) before; earlier is not a ziekmelding for this day.
    vroegst = datetime.combine(e - timedelta(days=1), time(0, 0), tzinfo=NL)
    if melding.gemeld_op < vroegst:
        fouten.append(
            Fout(
                "gemeld_op",
                f"{nl_tijd(melding.gemeld_op)} ligt meer dan een dag vóór de eerste ziektedag {e.isoformat()}; "
                f"een ziekmelding kan op zijn vroegst op {(e - timedelta(days=1)).isoformat()} gedaan zijn.",
            )
        )
    if melding.herstelafspraak is not None and melding.belafspraak is not None:
        fouten.append(
            Fout(
                "belafspraak",
                "geef een herstelafspraak óf een belafspraak, niet allebei: "
                "een belafspraak wordt alleen gemaakt als er geen herstelafspraak is.",
            )
        )
    if melding.herstelafspraak is not None and melding.herstelafspraak < e:
        fouten.append(
            Fout(
                "herstelafspraak",
                f"{melding.herstelafspraak.isoformat()} ligt vóór de eerste ziektedag {e.isoformat()}; "
                "de afgesproken hersteldatum kan niet eerder zijn dan de eerste ziektedag.",
            )
        )
    return fouten


def herstel_percentage(melding: Herstelmelding) -> int:
    """The remaining arbeidsongeschiktheidspercentage to publish (volledig herstel leaves 0)."""
    if melding.arbeidsongeschiktheidspercentage is None and melding.soort is HerstelSoort.VOLLEDIG:
        return 0
    return melding.arbeidsongeschiktheidspercentage or 0


def herstelmelding_fouten(melding: Herstelmelding, nu: datetime, max_dagen_vooruit: int) -> list[Fout]:
    vandaag = nu.astimezone(NL).date()
    fouten: list[Fout] = []
    percentage = melding.arbeidsongeschiktheidspercentage
    if melding.soort is HerstelSoort.VOLLEDIG and percentage not in (None, 0):
        fouten.append(
            Fout(
                "arbeidsongeschiktheidspercentage",
                f"bij volledig herstel is de werknemer 0 % arbeidsongeschikt, niet {percentage} %; "
                "gebruik soort 'gedeeltelijk' voor deelherstel.",
            )
        )
    if melding.soort is HerstelSoort.GEDEELTELIJK and (percentage is None or not 0 < percentage < 100):
        fouten.append(
            Fout(
                "arbeidsongeschiktheidspercentage",
                "bij gedeeltelijk herstel is het resterende arbeidsongeschiktheidspercentage verplicht, "
                f"van 1 tot en met 99 (gegeven: {percentage if percentage is not None else 'niets'}).",
            )
        )
    uiterlijk = vandaag + timedelta(days=max_dagen_vooruit)
    if melding.hersteldatum > uiterlijk:
        fouten.append(
            Fout(
                "hersteldatum",
                f"{melding.hersteldatum.isoformat()} ligt meer dan {max_dagen_vooruit} dagen vooruit "
                f"(uiterlijk {uiterlijk.isoformat()}); meld herstel pas als het vaststaat.",
            )
        )
    fouten.extend(gemeld_op_fouten(melding.gemeld_op, nu))
    return fouten


def medewerkers_fouten(medewerkers: Sequence[Medewerker]) -> list[Fout]:
    fouten: list[Fout] = []
    eerder: dict[str, int] = {}
    for index, m in enumerate(medewerkers):
        if m.datum_uit_dienst is not None and m.datum_uit_dienst < m.datum_in_dienst:
            fouten.append(
                Fout(
                    f"medewerkers[{index}].datum_uit_dienst",
                    f"{m.datum_uit_dienst.isoformat()} ligt vóór datum_in_dienst {m.datum_in_dienst.isoformat()} "
                    f"(werknemer {m.werknemer_id}).",
                )
            )
        if m.werknemer_id in eerder:
            fouten.append(
                Fout(
                    f"medewerkers[{index}].werknemer_id",
                    f"'{m.werknemer_id}' staat ook al in medewerkers[{eerder[m.werknemer_id]}]; "
                    "geef elke medewerker één keer per synchronisatie.",
                )
            )
        else:
            eerder[m.werknemer_id] = index
    return fouten


def afdelingen_fouten(afdelingen: Sequence[Afdeling]) -> list[Fout]:
    fouten: list[Fout] = []
    eerder: dict[str, int] = {}
    for index, a in enumerate(afdelingen):
        if a.afdeling_id in eerder:
            fouten.append(
                Fout(
                    f"afdelingen[{index}].afdeling_id",
                    f"'{a.afdeling_id}' staat ook al in afdelingen[{eerder[a.afdeling_id]}]; "
                    "geef elke afdeling één keer per synchronisatie.",
                )
            )
        else:
            eerder[a.afdeling_id] = index
    return fouten


def geldig_vanaf(medewerker: Medewerker, vandaag: date) -> date:
    return medewerker.geldig_vanaf or vandaag

"""The JSON shapes of the /v1/rapportages API, and how a report becomes one. Every figure carries its definition and
the period it counted, so a reader never has to guess."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from verzuim_reporting.application import (
    DuurklassenRapport,
    Filter,
    FrequentVerzuimRapport,
    Groep,
    Groepering,
    KerncijfersRapport,
    OpenDossiersDuurRapport,
    TermijnbewakingRapport,
    TrendRapport,
)
from verzuim_reporting.domain.duurklassen import KlasseTelling, definitie_duurklassen
from verzuim_reporting.domain.frequent import definitie_frequent_verzuim
from verzuim_reporting.domain.kerncijfers import (
    DEFINITIE_ACTIVERINGSPERCENTAGE,
    DEFINITIE_GEMIDDELDE_VERZUIMDUUR,
    DEFINITIE_NULVERZUIM,
    DEFINITIE_VERZUIMPERCENTAGE,
    Figuur,
    Kerncijfers,
    Tellers,
    definitie_meldingsfrequentie,
)
from verzuim_reporting.domain.periode import Periode
from verzuim_reporting.domain.rapportage import ONBEKEND
from verzuim_reporting.domain.termijnen import DEFINITIE_TERMIJNBEWAKING, TermijnStatus, TermijnTelling
from verzuim_reporting.domain.verleden import Verzuimverleden

VERSIE: Literal["v1"] = "v1"


def getal(waarde: Decimal | int | None) -> float | None:
    return None if waarde is None else float(waarde)


class PeriodeOut(BaseModel):
    van: date
    tot: date = Field(description="Inclusive")
    dagen: int
    soort: str = Field(description="maand, kwartaal, jaar or aangepast")
    label: str

    @classmethod
    def van_periode(cls, p: Periode) -> PeriodeOut:
        return cls(van=p.van, tot=p.tot, dagen=p.dagen, soort=p.soort.value, label=p.label)


class FilterOut(BaseModel):
    afdeling_id: str | None = None
    leidinggevende_id: str | None = Field(default=None, description="Set for a leidinggevende: their own team only")

    @classmethod
    def van_filter(cls, f: Filter) -> FilterOut:
        return cls(afdeling_id=f.afdeling_id, leidinggevende_id=f.leidinggevende_id)


class FiguurOut(BaseModel):
    code: str
    naam: str
    waarde: float | None = Field(description="Rounded to three decimals; null when there is nothing to measure")
    eenheid: str
    teller: float
    noemer: float
    definitie: str
    periode: PeriodeOut

    @classmethod
    def van_figuur(cls, f: Figuur, periode: Periode) -> FiguurOut:
        return cls(
            code=f.code,
            naam=f.naam,
            waarde=getal(f.waarde),
            eenheid=f.eenheid,
            teller=float(f.teller),
            noemer=float(f.noemer),
            definitie=f.definitie,
            periode=PeriodeOut.van_periode(periode),
        )


def figuren(k: Kerncijfers, periode: Periode) -> dict[str, FiguurOut]:
    return {f.code: FiguurOut.van_figuur(f, periode) for f in k.figuren()}


class GroepOut(BaseModel):
    soort: Groepering
    id: str
    naam: str | None

    @classmethod
    def van_groep(cls, soort: Groepering, g: Groep) -> GroepOut:
        return cls(soort=soort, id=g.sleutel, naam=g.naam)


class Aantallen(BaseModel):
    werknemers: int = Field(description="Employed at any moment in the period")
    nieuwe_meldingen: int
    beeindigde_gevallen: int


class GroepKerncijfersOut(BaseModel):
    groep: GroepOut
    cijfers: dict[str, FiguurOut] = Field(description="verzuimpercentage, meldingsfrequentie, ... by code")
    aantallen: Aantallen


class KerncijfersOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    periode_gevraagd: PeriodeOut
    periode: PeriodeOut = Field(description="What was counted: the asked period up to today at the latest")
    groepering: Groepering
    filter: FilterOut
    annualisering: str
    totaal: GroepKerncijfersOut
    groepen: list[GroepKerncijfersOut]

    @classmethod
    def van_rapport(cls, r: KerncijfersRapport) -> KerncijfersOut:
        def groep(g: Groep, k: Kerncijfers, t: Tellers, soort: Groepering) -> GroepKerncijfersOut:
            return GroepKerncijfersOut(
                groep=GroepOut.van_groep(soort, g),
                cijfers=figuren(k, r.periode),
                aantallen=Aantallen(
                    werknemers=t.werknemers, nieuwe_meldingen=t.meldingen, beeindigde_gevallen=t.beeindigd
                ),
            )

        return cls(
            werkgever_id=r.werkgever_id,
            periode_gevraagd=PeriodeOut.van_periode(r.gevraagd),
            periode=PeriodeOut.van_periode(r.periode),
            groepering=r.groepering,
            filter=FilterOut.van_filter(r.filter),
            annualisering=r.annualisering.value,
            totaal=groep(r.totaal.groep, r.totaal.kerncijfers, r.totaal.tellers, Groepering.WERKGEVER),
            groepen=[groep(g.groep, g.kerncijfers, g.tellers, r.groepering) for g in r.groepen],
        )


# ------------------------------------------------------------------------------------------------ trends


class TrendPuntOut(BaseModel):
    periode: PeriodeOut
    waarde: float | None
    teller: float
    noemer: float


class ReeksOut(BaseModel):
    code: str
    naam: str
    eenheid: str
    definitie: str
    groep: GroepOut | None = Field(description="null: all rows that pass the filter")
    punten: list[TrendPuntOut]


_DEFINITIES_REEKS = {
    "verzuimpercentage": DEFINITIE_VERZUIMPERCENTAGE,
    "gemiddelde_verzuimduur": DEFINITIE_GEMIDDELDE_VERZUIMDUUR,
    "nulverzuim": DEFINITIE_NULVERZUIM,
    "activeringspercentage": DEFINITIE_ACTIVERINGSPERCENTAGE,
}


class TrendsOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    periode_gevraagd: PeriodeOut
    periode: PeriodeOut
    interval: str
    groepering: Groepering
    filter: FilterOut
    annualisering: str
    reeksen: list[ReeksOut]

    @classmethod
    def van_rapport(cls, r: TrendRapport) -> TrendsOut:
        reeksen: list[ReeksOut] = []
        groepen: list[tuple[GroepOut | None, list[tuple[Periode, Kerncijfers]]]] = [
            (None, [(p.periode, p.totaal) for p in r.punten])
        ]
        for g in r.groepen:
            groepen.append((GroepOut.van_groep(r.groepering, g), [(p.periode, p.groepen[g.sleutel]) for p in r.punten]))
        for groep, punten in groepen:
            if not punten:
                continue
            for i, eerste in enumerate(punten[0][1].figuren()):
                definitie = _DEFINITIES_REEKS.get(eerste.code) or definitie_meldingsfrequentie(r.annualisering, None)
                reeksen.append(
                    ReeksOut(
                        code=eerste.code,
                        naam=eerste.naam,
                        eenheid=eerste.eenheid,
                        definitie=definitie,
                        groep=groep,
                        punten=[
                            TrendPuntOut(
                                periode=PeriodeOut.van_periode(periode),
                                waarde=getal(k.figuren()[i].waarde),
                                teller=float(k.figuren()[i].teller),
                                noemer=float(k.figuren()[i].noemer),
                            )
                            for periode, k in punten
                        ],
                    )
                )
        return cls(
            werkgever_id=r.werkgever_id,
            periode_gevraagd=PeriodeOut.van_periode(r.gevraagd),
            periode=PeriodeOut.van_periode(r.periode),
            interval=r.interval.value,
            groepering=r.groepering,
            filter=FilterOut.van_filter(r.filter),
            annualisering=r.annualisering.value,
            reeksen=reeksen,
        )


# ------------------------------------------------------------------------------------------------ duurklassen


class KlasseOut(BaseModel):
    code: str
    naam: str
    van_dag: int
    tot_dag: int | None
    aantal: int
    aandeel: float | None = Field(description="Share of the gevallen in this class, %")


def klassen(tellingen: tuple[KlasseTelling, ...]) -> list[KlasseOut]:
    totaal = sum(t.aantal for t in tellingen)
    return [
        KlasseOut(
            code=t.klasse.code,
            naam=t.klasse.naam,
            van_dag=t.klasse.van_dag,
            tot_dag=t.klasse.tot_dag,
            aantal=t.aantal,
            aandeel=round(t.aantal * 100 / totaal, 3) if totaal else None,
        )
        for t in tellingen
    ]


class GroepKlassenOut(BaseModel):
    groep: GroepOut
    klassen: list[KlasseOut]


class DuurklassenOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    periode_gevraagd: PeriodeOut
    periode: PeriodeOut
    duurklassenschema: str = Field(description="vernet or alternatief")
    groepering: Groepering
    filter: FilterOut
    definitie: str
    totaal: list[KlasseOut]
    groepen: list[GroepKlassenOut]

    @classmethod
    def van_rapport(cls, r: DuurklassenRapport) -> DuurklassenOut:
        return cls(
            werkgever_id=r.werkgever_id,
            periode_gevraagd=PeriodeOut.van_periode(r.gevraagd),
            periode=PeriodeOut.van_periode(r.periode),
            duurklassenschema=r.schema.value,
            groepering=r.groepering,
            filter=FilterOut.van_filter(r.filter),
            definitie=definitie_duurklassen(r.schema),
            totaal=klassen(r.totaal),
            groepen=[
                GroepKlassenOut(groep=GroepOut.van_groep(r.groepering, g), klassen=klassen(t)) for g, t in r.groepen
            ],
        )


# ------------------------------------------------------------------------------------------------ frequent verzuim


class FrequentVerzuimerOut(BaseModel):
    werknemer_id: str
    afdeling_id: str
    afdeling_naam: str | None
    aantal_meldingen: int = Field(description="Meldingen in the window that ends on laatste_melding")
    eerste_ziektedagen: list[date]
    laatste_melding: date
    groep: GroepOut | None = Field(default=None, description="The group of the melding that reached the threshold")


class GroepAantalOut(BaseModel):
    groep: GroepOut
    aantal: int


class FrequentVerzuimOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    periode_gevraagd: PeriodeOut
    periode: PeriodeOut
    drempel: int
    venster_dagen: int
    filter: FilterOut
    definitie: str
    aantal: int
    groepering: Groepering
    groepen: list[GroepAantalOut] = Field(description="Frequent verzuimers per group")
    werknemers: list[FrequentVerzuimerOut]

    @classmethod
    def van_rapport(cls, r: FrequentVerzuimRapport) -> FrequentVerzuimOut:
        groepen = {g.sleutel: GroepOut.van_groep(r.groepering, g) for g, _ in r.groepen}
        return cls(
            werkgever_id=r.werkgever_id,
            periode_gevraagd=PeriodeOut.van_periode(r.gevraagd),
            periode=PeriodeOut.van_periode(r.periode),
            drempel=r.drempel,
            venster_dagen=r.venster_dagen,
            filter=FilterOut.van_filter(r.filter),
            definitie=definitie_frequent_verzuim(r.drempel, r.venster_dagen)
            + " Per groep telt een werknemer bij de groep van die melding.",
            aantal=len(r.verzuimers),
            groepering=r.groepering,
            groepen=[GroepAantalOut(groep=groepen[g.sleutel], aantal=n) for g, n in r.groepen],
            werknemers=[
                FrequentVerzuimerOut(
                    werknemer_id=v.werknemer_id,
                    afdeling_id=v.afdeling_id,
                    afdeling_naam=r.afdelingen.get(v.afdeling_id),
                    aantal_meldingen=v.aantal_meldingen,
                    eerste_ziektedagen=list(v.eerste_ziektedagen),
                    laatste_melding=v.laatste_melding,
                    groep=groepen.get(r.groep_van.get(v.werknemer_id, "")),
                )
                for v in r.verzuimers
            ],
        )


# ------------------------------------------------------------------------------------------------ termijnbewaking


class TermijnTellingOut(BaseModel):
    code: str
    open: int
    vervuld_op_tijd: int
    vervuld_te_laat: int
    verstreken: int
    afgeweken: int
    vervallen: int
    totaal: int
    aandeel_op_tijd: float | None = Field(description="%; null while none is vervuld or verstreken")

    @classmethod
    def van_telling(cls, t: TermijnTelling) -> TermijnTellingOut:
        a = t.aantallen
        return cls(
            code=t.code,
            open=a[TermijnStatus.OPEN],
            vervuld_op_tijd=a[TermijnStatus.VERVULD_OP_TIJD],
            vervuld_te_laat=a[TermijnStatus.VERVULD_TE_LAAT],
            verstreken=a[TermijnStatus.VERSTREKEN],
            afgeweken=a[TermijnStatus.AFGEWEKEN],
            vervallen=a[TermijnStatus.VERVALLEN],
            totaal=t.totaal,
            aandeel_op_tijd=getal(t.aandeel_op_tijd),
        )


class GroepTermijnenOut(BaseModel):
    groep: GroepOut
    per_code: list[TermijnTellingOut]
    totaal: TermijnTellingOut


class TermijnbewakingOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    periode: PeriodeOut = Field(description="Termijnen with their vervaldatum in this period")
    filter: FilterOut
    definitie: str
    per_code: list[TermijnTellingOut]
    totaal: TermijnTellingOut
    groepering: Groepering
    groepen: list[GroepTermijnenOut]

    @classmethod
    def van_rapport(cls, r: TermijnbewakingRapport) -> TermijnbewakingOut:
        return cls(
            werkgever_id=r.werkgever_id,
            periode=PeriodeOut.van_periode(r.periode),
            filter=FilterOut.van_filter(r.filter),
            definitie=DEFINITIE_TERMIJNBEWAKING,
            per_code=[TermijnTellingOut.van_telling(t) for t in r.per_code],
            totaal=TermijnTellingOut.van_telling(r.totaal),
            groepering=r.groepering,
            groepen=[
                GroepTermijnenOut(
                    groep=GroepOut.van_groep(r.groepering, g),
                    per_code=[TermijnTellingOut.van_telling(t) for t in per_code],
                    totaal=TermijnTellingOut.van_telling(totaal),
                )
                for g, per_code, totaal in r.groepen
            ],
        )


# ------------------------------------------------------------------------------------------------ open dossiers

DEFINITIE_OPEN_DOSSIERS_DUUR = (
    "Open verzuimdossiers op de peildatum, ingedeeld naar hun duur: het aantal ziektedagen van het dossier tot en met "
    "de peildatum, opgeteld over zijn episodes (samentelling: de hersteld-dagen tussen episodes tellen niet mee). "
    "Open zoals bij /open-dossiers; de afdeling is die van de personeelsgegevens op de peildatum."
)


class OpenDossierOut(BaseModel):
    dossier_id: UUID
    werknemer_id: str
    afdeling_id: str
    afdeling_naam: str | None
    eerste_ziektedag: date
    ziektedagen: int
    duurklasse: str
    groep: GroepOut | None = None


class OpenDossiersDuurOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    peildatum: date
    duurklassenschema: str = Field(description="vernet or alternatief")
    filter: FilterOut
    definitie: str
    totaal: int
    klassen: list[KlasseOut]
    groepering: Groepering
    groepen: list[GroepKlassenOut]
    dossiers: list[OpenDossierOut] = Field(description="Longest first")

    @classmethod
    def van_rapport(cls, r: OpenDossiersDuurRapport) -> OpenDossiersDuurOut:
        from verzuim_reporting.domain.duurklassen import klasse_voor

        groepen = {g.sleutel: GroepOut.van_groep(r.groepering, g) for g, _ in r.groepen}
        return cls(
            werkgever_id=r.werkgever_id,
            peildatum=r.peildatum,
            duurklassenschema=r.schema.value,
            filter=FilterOut.van_filter(r.filter),
            definitie=DEFINITIE_OPEN_DOSSIERS_DUUR + " " + definitie_duurklassen(r.schema).split(":")[0] + ".",
            totaal=len(r.dossiers),
            klassen=klassen(r.klassen),
            groepering=r.groepering,
            groepen=[GroepKlassenOut(groep=groepen[g.sleutel], klassen=klassen(t)) for g, t in r.groepen],
            dossiers=[
                OpenDossierOut(
                    dossier_id=d.dossier_id,
                    werknemer_id=d.werknemer_id,
                    afdeling_id=d.afdeling_id or ONBEKEND,
                    afdeling_naam=r.afdelingen.get(d.afdeling_id or ""),
                    eerste_ziektedag=d.eerste_ziektedag,
                    ziektedagen=d.ziektedagen,
                    duurklasse=klasse_voor(r.schema, d.ziektedagen).code,
                    groep=groepen.get(r.groep_van.get(d.dossier_id, "")),
                )
                for d in r.dossiers
            ],
        )


# ------------------------------------------------------------------------------------------------ verzuimverleden


class PercentageOut(BaseModel):
    vanaf: date
    arbeidsongeschiktheidspercentage: int


class MeldingOut(BaseModel):
    dossier_id: UUID
    melding_id: UUID
    eerste_ziektedag: date
    hersteldatum: date | None
    einde: date | None = Field(description="First day no longer sick: hersteldatum or the day the dossier was closed")
    lopend: bool
    duur_dagen: int = Field(description="hersteldatum − eerste ziektedag; while running: days up to today")
    percentages: list[PercentageOut]
    afdeling_id: str | None
    telt_mee: bool = Field(
        description="Counts as a melding in the figures (meldingsfrequentie, meldingen_in_periode): its eerste "
        "ziektedag is a day of employment"
    )


class VerzuimverledenOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    werknemer_id: str
    periode: PeriodeOut
    definitie: str
    meldingen: list[MeldingOut] = Field(description="Every melding, oldest first; each episode is a melding")
    meldingen_in_periode: int = Field(
        description="Meldingen with their eerste ziektedag in the period that count (telt_mee), as in the figures"
    )
    ziektedagen_in_periode: int = Field(
        description="Days within employment with an arbeidsongeschiktheid above 0 % in the period"
    )
    cijfers: dict[str, FiguurOut]
    frequent_verzuimer: bool
    frequent_verzuim: FrequentVerzuimerOut | None

    @classmethod
    def van_verleden(cls, werkgever_id: str, v: Verzuimverleden) -> VerzuimverledenOut:
        f = v.frequent
        return cls(
            werkgever_id=werkgever_id,
            werknemer_id=v.werknemer_id,
            periode=PeriodeOut.van_periode(v.periode),
            definitie=(
                "Alle ziekmeldingen van de werknemer (elke episode apart), met duur en het verloop van het "
                "arbeidsongeschiktheidspercentage; de cijfers zijn die van deze werknemer over de periode, volgens "
                "dezelfde definities als de kerncijfers. " + definitie_frequent_verzuim(3, 365)
            ),
            meldingen=[
                MeldingOut(
                    dossier_id=m.dossier_id,
                    melding_id=m.melding_id,
                    eerste_ziektedag=m.eerste_ziektedag,
                    hersteldatum=m.hersteldatum,
                    einde=m.einde,
                    lopend=m.lopend,
                    duur_dagen=m.duur_dagen,
                    percentages=[PercentageOut(vanaf=d, arbeidsongeschiktheidspercentage=p) for d, p in m.percentages],
                    afdeling_id=m.afdeling_id,
                    telt_mee=m.telt_mee,
                )
                for m in v.meldingen
            ],
            meldingen_in_periode=v.meldingen_in_periode,
            ziektedagen_in_periode=v.ziektedagen_in_periode,
            cijfers=figuren(v.kerncijfers, v.periode),
            frequent_verzuimer=f is not None,
            frequent_verzuim=(
                FrequentVerzuimerOut(
                    werknemer_id=f.werknemer_id,
                    afdeling_id=f.afdeling_id,
                    afdeling_naam=None,
                    aantal_meldingen=f.aantal_meldingen,
                    eerste_ziektedagen=list(f.eerste_ziektedagen),
                    laatste_melding=f.laatste_melding,
                )
                if f
                else None
            ),
        )


class AfdelingOut(BaseModel):
    afdeling_id: str
    naam: str | None


class AfdelingenOut(BaseModel):
    versie: Literal["v1"] = VERSIE
    werkgever_id: str
    vandaag: date = Field(description="Today in the Netherlands by the service clock: where open periods end")
    afdelingen: list[AfdelingOut]

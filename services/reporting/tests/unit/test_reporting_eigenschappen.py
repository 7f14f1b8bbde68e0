"""Properties of the D8 figures over random populations: percentages stay within 0–100, and a werkgever's figure is
the capacity-weighted combination of its afdelingen (headcount-weighted for the meldingsfrequentie)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from verzuim_reporting.domain.duurklassen import DuurklassenSchema, duurklassen
from verzuim_reporting.domain.kerncijfers import WerknemerVerzuim, kerncijfers, som, tellers_per_groep
from verzuim_reporting.domain.periode import Periode

from .bouwstenen import Dossier, gewijzigd, in_dienst, uit_dienst, werknemer

BEGIN = date(2024, 1, 1)
AFDELINGEN = ("a", "b", "c")


def dag(n: int) -> date:
    return BEGIN + timedelta(days=n)


@st.composite
def werknemers(draw: st.DrawFn, nummer: int) -> WerknemerVerzuim:
    afdeling = draw(st.sampled_from(AFDELINGEN))
    uren = draw(st.sampled_from((8.0, 16.0, 20.0, 24.5, 32.0, 36.0, 40.0)))
    voltijd = draw(st.sampled_from((36.0, 38.0, 40.0)))
    start = draw(st.integers(-200, 300))
    personeel = [in_dienst(dag(start), afdeling=afdeling, uren=uren, voltijd=voltijd)]
    if draw(st.booleans()):
        personeel.append(
            gewijzigd(
                dag(start + draw(st.integers(1, 200))),
                afdeling=draw(st.sampled_from(AFDELINGEN)),
                uren=draw(st.sampled_from((12.0, 24.0, 40.0, 44.0))),
                voltijd=voltijd,
            )
        )
    if draw(st.booleans()):
        personeel.append(uit_dienst(dag(start + draw(st.integers(0, 400)))))
    dossiers = []
    cursor = start - draw(st.integers(0, 60))
    for _ in range(draw(st.integers(0, 3))):
        cursor += draw(st.integers(1, 120))
        d = Dossier(dag(cursor))
        lengte = draw(st.integers(1, 200))
        if draw(st.booleans()):
            d.deelherstel(dag(cursor + draw(st.integers(0, lengte))), draw(st.integers(0, 100)))
        if draw(st.booleans()):
            d.opbouwschema(
                dag(cursor + 5),
                (
                    dag(cursor + draw(st.integers(0, lengte))),
                    draw(st.sampled_from((4.0, 8.0, 60.0))),
                    draw(st.integers(0, 100)),
                ),
            )
        if draw(st.booleans()):
            d.herstel(dag(cursor + lengte))
            if draw(st.booleans()):  # samentelling: sick again within four weeks
                cursor += lengte + draw(st.integers(1, 27))
                d.episode(dag(cursor))
                lengte = draw(st.integers(1, 60))
                if draw(st.booleans()):
                    d.herstel(dag(cursor + lengte))
        elif draw(st.booleans()):
            d.gesloten(dag(cursor + lengte))
        cursor += lengte
        dossiers.append(d)
    return werknemer(f"w{nummer}", personeel, *dossiers)


@st.composite
def populaties(draw: st.DrawFn) -> list[WerknemerVerzuim]:
    aantal = draw(st.integers(1, 6))
    return [draw(werknemers(i)) for i in range(aantal)]


periodes = st.tuples(st.integers(-30, 500), st.integers(0, 400)).map(lambda t: Periode(dag(t[0]), dag(t[0] + t[1])))


@settings(max_examples=150, deadline=None)
@given(populatie=populaties(), periode=periodes)
def test_percentages_stay_within_0_and_100(populatie: list[WerknemerVerzuim], periode: Periode) -> None:
    groepen = tellers_per_groep(populatie, periode, lambda afdeling, _lg: afdeling)
    totaal = tellers_per_groep(populatie, periode, lambda _a, _lg: "wg").get("wg")
    for t in [*groepen.values(), *([totaal] if totaal else [])]:
        k = kerncijfers(t, periode)
        for figuur in (k.verzuimpercentage, k.nulverzuim, k.activeringspercentage):
            assert figuur.waarde is None or 0 <= figuur.waarde <= 100, figuur
        assert k.meldingsfrequentie.waarde is None or k.meldingsfrequentie.waarde >= 0
        assert k.gemiddelde_verzuimduur.waarde is None or k.gemiddelde_verzuimduur.waarde >= 0
        assert t.verzuim <= t.capaciteit
    gevallen = [g for w in populatie for g in w.gevallen]
    for schema in DuurklassenSchema:
        assert sum(k.aantal for k in duurklassen(gevallen, periode, schema)) == sum(
            1
            for g in gevallen
            if g.meetellen
            and g.eerste_ziektedag <= periode.tot
            and (g.laatste_ziektedag is None or g.laatste_ziektedag >= periode.van)
        )


@settings(max_examples=150, deadline=None)
@given(populatie=populaties(), periode=periodes)
def test_the_werkgever_figure_is_the_capacity_weighted_combination_of_its_afdelingen(
    populatie: list[WerknemerVerzuim], periode: Periode
) -> None:
    groepen = tellers_per_groep(populatie, periode, lambda afdeling, _lg: afdeling)
    totaal = tellers_per_groep(populatie, periode, lambda _a, _lg: "wg").get("wg")
    if totaal is None or totaal.capaciteit == 0:
        return
    samen = som(groepen.values())
    # the additive tellers are exactly the sum of the afdelingen's
    assert (samen.capaciteit, samen.verzuim, samen.dienstdagen, samen.meldingen) == (
        totaal.capaciteit,
        totaal.verzuim,
        totaal.dienstdagen,
        totaal.meldingen,
    )
    # verzuimpercentage: Σ_a ZVP_a × capaciteit_a / Σ_a capaciteit_a (the afdelingen's rounded figures)
    afgerond = (
        sum(
            (kerncijfers(t, periode).verzuimpercentage.waarde or Decimal(0)) * t.capaciteit
            for t in groepen.values()
            if t.capaciteit
        )
        / totaal.capaciteit
    )
    assert abs(afgerond - (kerncijfers(totaal, periode).verzuimpercentage.waarde or 0)) <= Decimal("0.001")
    # meldingsfrequentie: weighted by each afdeling's average headcount
    frequentie = kerncijfers(totaal, periode).meldingsfrequentie.waarde
    assert frequentie is not None
    gewogen_f = (
        sum(
            (kerncijfers(t, periode).meldingsfrequentie.waarde or Decimal(0)) * t.dienstdagen
            for t in groepen.values()
            if t.dienstdagen
        )
        / totaal.dienstdagen
    )
    assert abs(gewogen_f - frequentie) <= Decimal("0.001")

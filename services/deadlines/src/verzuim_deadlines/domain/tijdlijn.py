"""Termijnberekening: from the facts of one verzuimdossier and the werkgever's rules to its WvP termijnen.

decisions D1–D7, pure: dates and facts in, termijnen out, no clock reads. Every termijn carries its legal basis and a
derivation a person can follow ("ziektedag 295 (eerste dag na 42 weken) van dit verzuim …; 21 herstelde dagen tussen
episodes niet meegeteld").

- D1 counts sick days (samentelling: recovered gaps under 28 days are skipped, see `samentelling`);
- D2 counts from another fact (the probleemanalyse, the plan van aanpak, the eerstejaarsevaluatie, the ziekmelding);
- D3 counts back from the day after the wachttijd, which a VLD moves; D1/D2 termijnen stay where they are;
- D5: deelherstel moves nothing; volledig herstel makes every open termijn VERVALLEN; a motivated deviation ends a
  termijn as AFGEWEKEN (the occurrence it names by volgnummer, else the one its date points to; one that names an
  occurrence this verzuim does not have, or one already ended, ends nothing and is reported, see `Tijdlijn`); the
  step that fulfils a termijn makes it VERVULD (on time or late);
- D6: werkdagen for the belafspraak only; the D1–D3 dates never move for weekends or holidays.
- D7: a termijn is VERSTREKEN on the day after its due date. Without a clock that is decided here only where a fact
  closed the termijn (a herstel, a closure, a later herstelafspraak): what had already passed its verstreken-day on
  or before that fact's date, unfulfilled and not motivated away, ends VERSTREKEN, not VERVALLEN (D5 closes only
  the *open* termijnen). A running termijn whose date has passed is the scheduler's to mark.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from verzuim_deadlines.domain.feiten import Afwijking, DossierFeiten, Stap, Stapfeit, Waarschuwing
from verzuim_deadlines.domain.samentelling import Episode, doorlopend, verzuimgevallen
from verzuim_deadlines.domain.termijn import VERSTREKEN_REDEN, Termijn, TermijnCode, TermijnStatus
from verzuim_deadlines.domain.werkdagen import Werkdagkalender

WACHTTIJD_ZIEKTEDAGEN = 728  # WIA art. 23 lid 1: 104 weeks; the wachttijd's last day is sick day 728 (decisions D1)
STANDAARD_NADERT_DAGEN = 7  # decisions D7

C = TermijnCode


@dataclass(frozen=True)
class Werkgeverregels:
    """What a werkgever may set (issue: configuration per werkgever); the defaults are decisions D1, D2, D6 and D7."""

    arbodienst_melding_ziektedag: int = 7  # D1: end of week 1
    evaluatie_interval_dagen: int = 42  # D2
    belafspraak_werkdagen: int = 10  # D2, seed process
    extra_vrije_dagen: frozenset[date] = frozenset()  # D6
    nadert_dagen: Mapping[TermijnCode, int] = field(default_factory=dict)  # D7, per code; default 7

    def __post_init__(self) -> None:
        if not 1 <= self.arbodienst_melding_ziektedag <= 42:
            raise ValueError("de arbodienstmelding valt tussen ziektedag 1 en 42")
        if not 7 <= self.evaluatie_interval_dagen <= 182:
            raise ValueError("het evaluatie-interval ligt tussen 7 en 182 dagen")
        if not 1 <= self.belafspraak_werkdagen <= 30:
            raise ValueError("de belafspraak valt binnen 1 tot 30 werkdagen")
        if any(not 0 <= d <= 90 for d in self.nadert_dagen.values()):
            raise ValueError("een herinnering komt 0 tot 90 dagen vooraf")

    def nadert(self, code: TermijnCode) -> int:
        return self.nadert_dagen.get(code, STANDAARD_NADERT_DAGEN)


STANDAARDREGELS = Werkgeverregels()

# --------------------------------------------------------------------------------------------- legal basis

GRONDSLAG: dict[TermijnCode, str] = {
    C.ARBODIENST_MELDING: "Regeling procesgang eerste en tweede ziektejaar, art. 2 lid 1 (tijdig melden bij de "
    "bedrijfsarts of arbodienst; geen wettelijk aantal dagen, de dag is een keuze van de werkgever)",
    C.BELAFSPRAAK: "Verzuimprotocol van de werkgever: een herstelafspraak, anders een belafspraak binnen 10 werkdagen",
    C.PROBLEEMANALYSE: "Regeling procesgang eerste en tweede ziektejaar, art. 2 lid 2 (binnen zes weken)",
    C.PLAN_VAN_AANPAK: "Regeling procesgang eerste en tweede ziektejaar, art. 4 lid 1 (binnen twee weken na de "
    "probleemanalyse)",
    C.EVALUATIE: "Regeling procesgang eerste en tweede ziektejaar, art. 4 lid 2 sub b (periodieke evaluatie; het "
    "interval is praktijk, geen wet)",
    C.UWV_42E_WEEK_MELDING: "Ziektewet art. 38 lid 1 (ziekmelding bij UWV uiterlijk de eerste dag na 42 weken)",
    C.EERSTEJAARSEVALUATIE: "Regeling procesgang eerste en tweede ziektejaar, art. 4 lid 2 sub b (in ieder geval aan "
    "het einde van het eerste ziektejaar)",
    C.SPOOR_2_START: "BW 7:658a lid 1; UWV Werkwijzer Poortwachter (spoor 2 uiterlijk zes weken na de "
    "eerstejaarsevaluatie zonder structureel perspectief in spoor 1)",
    C.RE_INTEGRATIEVERSLAG: "WIA art. 25 lid 3 (uiterlijk 13 weken voor het einde van de wachttijd; bij een VLD "
    "voor het einde van de verlengde periode, lid 4)",
    C.WIA_AANVRAAG: "WIA art. 64 lid 3 (aanvraag door de werknemer uiterlijk 11 weken voor het einde van de wachttijd)",
    C.WACHTTIJD_EINDE: "WIA art. 23 lid 1 en BW 7:629 lid 1 (104 weken); verlengd met een VLD (WIA art. 24 lid 1)",
}

# Which steps fulfil which termijn.
VERVULD_DOOR: dict[TermijnCode, tuple[Stap, ...]] = {
    C.ARBODIENST_MELDING: (Stap.ARBODIENST_GEMELD,),
    # the call itself, or a belafspraak made for a moment within the term
    C.BELAFSPRAAK: (Stap.BELAFSPRAAK, Stap.CONTACTMOMENT),
    C.PROBLEEMANALYSE: (Stap.PROBLEEMANALYSE,),
    C.PLAN_VAN_AANPAK: (Stap.PLAN_VAN_AANPAK,),
    C.EVALUATIE: (Stap.EVALUATIE,),
    C.UWV_42E_WEEK_MELDING: (Stap.UWV_42E_WEEK_MELDING,),
    C.EERSTEJAARSEVALUATIE: (Stap.EERSTEJAARSEVALUATIE,),
    C.SPOOR_2_START: (Stap.SPOOR_2,),
    C.RE_INTEGRATIEVERSLAG: (Stap.RE_INTEGRATIEVERSLAG,),
    C.WIA_AANVRAAG: (Stap.WIA_AANVRAAG,),
    C.WACHTTIJD_EINDE: (),  # the end of the wachttijd is a moment, not a task
}

D1_CODES = frozenset({C.ARBODIENST_MELDING, C.PROBLEEMANALYSE, C.UWV_42E_WEEK_MELDING, C.EERSTEJAARSEVALUATIE})
D3_CODES = frozenset({C.RE_INTEGRATIEVERSLAG, C.WIA_AANVRAAG, C.WACHTTIJD_EINDE})

# D1: (code, sick day, how to say it). ARBODIENST_MELDING's sick day is the werkgever's.
_ZIEKTEDAGEN: tuple[tuple[TermijnCode, int, str], ...] = (
    (C.PROBLEEMANALYSE, 43, "na 6 weken"),
    (C.UWV_42E_WEEK_MELDING, 295, "eerste dag na 42 weken"),
    (C.EERSTEJAARSEVALUATIE, 365, "na 52 weken"),
)


def bereken_tijdlijn(feiten: DossierFeiten, regels: Werkgeverregels = STANDAARDREGELS) -> list[Termijn]:
    """The termijnen of the dossier as its facts stand, ordered by vervaldatum (then code, volgnummer)."""
    return _Berekening(feiten, regels).termijnen()


@dataclass(frozen=True)
class Tijdlijn:
    """The termijnen, and the motivated deviations that name an occurrence (a volgnummer) yet end none: one that this
    verzuim does not have (EVALUATIE 30 of a shorter grid, the BELAFSPRAAK of a melding with a herstelafspraak), or
    one already ended otherwise (fulfilled before it, motivated before). Such a deviation changes nothing; it is
    reported with its event id, so a person can see it and correct it. Every other fact is as `bereken_tijdlijn`."""

    termijnen: list[Termijn]
    niet_toegepast: tuple[Waarschuwing, ...] = ()


def bereken_tijdlijn_met_waarschuwingen(feiten: DossierFeiten, regels: Werkgeverregels = STANDAARDREGELS) -> Tijdlijn:
    berekening = _Berekening(feiten, regels)
    termijnen = berekening.termijnen()
    return Tijdlijn(termijnen, tuple(berekening.niet_toegepast(termijnen)))


def _d(dag: date) -> str:
    return dag.isoformat()


class _Berekening:
    def __init__(self, feiten: DossierFeiten, regels: Werkgeverregels) -> None:
        self.feiten = feiten
        self.regels = regels
        gevallen = verzuimgevallen(feiten.episodes)
        geval = gevallen[-1]
        # Index of the first episode of the current verzuimgeval among the dossier's episodes (for its meldingen).
        self.eerste_index = len(feiten.episodes) - len(geval)
        self.geval = geval
        self.e = geval[0].eerste_ziektedag
        self.lopend: tuple[Episode, ...] = doorlopend(geval)
        self.hersteld: date | None = geval[-1].hersteldatum
        # Steps of an earlier verzuim (before a gap of 28 days or more) had their own clock and do not count.
        vanaf = self.e if len(gevallen) > 1 else date.min
        self.stappen = sorted((s for s in feiten.stappen if s.datum >= vanaf), key=lambda s: s.datum)
        self.vanaf = vanaf
        self.afwijkingen = sorted((a for a in feiten.afwijkingen if a.datum >= vanaf), key=lambda a: a.datum)
        self.gebruikte_afwijkingen: set[int] = set()  # indexes into self.afwijkingen
        self._ziektedag_cache: dict[int, date] = {}
        # the common case: one running episode in a dossier that is open, so no herstel or closure ends anything
        self._loopt_gewoon = self.hersteld is None and len(geval) == 1 and feiten.gesloten_op is None

    # ----------------------------------------------------------------------------------------- helpers

    def ziektedag_datum(self, n: int) -> date:
        datum = self._ziektedag_cache.get(n)
        if datum is None:
            datum = self.e + timedelta(days=n - 1)
            for vorige, volgende in zip(self.lopend, self.lopend[1:], strict=False):
                # every recovered gap before the date pushes sick day n on by its length (decisions D4)
                if vorige.hersteldatum is not None and datum >= vorige.hersteldatum:
                    datum += volgende.eerste_ziektedag - vorige.hersteldatum
            self._ziektedag_cache[n] = datum
        return datum

    def ziektedag(self, n: int, toelichting: str) -> tuple[date, str]:
        datum = self.ziektedag_datum(n)
        afleiding = f"ziektedag {n} ({toelichting}) van dit verzuim, eerste ziektedag {_d(self.e)}: {_d(datum)}"
        niet_meegeteld = (datum - self.e).days - (n - 1)
        if niet_meegeteld:
            afleiding += f"; {niet_meegeteld} herstelde dag(en) tussen episodes niet meegeteld (samentelling)"
        return datum, afleiding

    def normaal_wachttijd_einde(self) -> date:
        return self.ziektedag_datum(WACHTTIJD_ZIEKTEDAGEN)

    def wachttijd_einde(self) -> tuple[date, str]:
        datum, afleiding = self.ziektedag(WACHTTIJD_ZIEKTEDAGEN, "104 weken")
        vld = self.feiten.vld_laatste_dag
        if vld is not None and vld > datum:
            return vld, f"laatste dag van de wachttijd verlengd met een VLD tot {_d(vld)} (zonder VLD: {afleiding})"
        if vld is not None:
            afleiding += f"; de VLD tot {_d(vld)} ligt niet na het einde van de wachttijd en telt niet"
        return datum, f"laatste dag van de wachttijd: {afleiding}"

    def eerste_stap(self, *stappen: Stap, vanaf: date = date.min, tot: date = date.max) -> Stapfeit | None:
        return next((s for s in self.stappen if s.stap in stappen and vanaf <= s.datum < tot), None)

    def termijn(self, code: TermijnCode, vervaldatum: date, afleiding: str, volgnummer: int = 1) -> Termijn:
        return Termijn(code, vervaldatum, GRONDSLAG[code], afleiding, volgnummer=volgnummer)

    # ----------------------------------------------------------------------------------------- the rules

    def termijnen(self) -> list[Termijn]:
        termijnen: list[Termijn] = []
        n = self.regels.arbodienst_melding_ziektedag
        datum, afleiding = self.ziektedag(n, "einde week 1" if n == 7 else "werkgeverregel")
        termijnen.append(self.met_status(self.termijn(C.ARBODIENST_MELDING, datum, afleiding)))
        for code, n, toelichting in _ZIEKTEDAGEN:
            datum, afleiding = self.ziektedag(n, toelichting)
            termijnen.append(self.met_status(self.termijn(code, datum, afleiding)))
        termijnen.extend(self.belafspraken())
        pva = self.plan_van_aanpak()
        termijnen.append(pva)
        termijnen.extend(self.evaluaties(pva))
        termijnen.append(self.spoor_2())
        termijnen.extend(self.d3())
        return sorted(termijnen, key=lambda t: (t.vervaldatum, t.code.value, t.volgnummer))

    def belafspraken(self) -> list[Termijn]:
        """One per ziekmelding of this verzuim (the first melding and every relapse): without a herstelafspraak made
        at the melding, a call within 10 werkdagen of the day it was made (D2, seed process; werkdagen per D6)."""
        termijnen: list[Termijn] = []
        kalender = Werkdagkalender(self.regels.extra_vrije_dagen)
        aantal = self.regels.belafspraak_werkdagen
        for volgnummer, episode in enumerate(self.geval, start=1):
            index = self.eerste_index + volgnummer - 1
            melding = self.feiten.melding(index)
            if melding.herstelafspraak is not None:
                continue  # Herstelafspraak is uitgangspunt: no belafspraak needed
            gemeld = melding.gemeld_op
            datum = kalender.plus_werkdagen(gemeld, aantal)
            afleiding = f"ziekmelding op {_d(gemeld)} + {aantal} werkdagen, zonder herstelafspraak: {_d(datum)}"
            overgeslagen = kalender.niet_meegeteld(gemeld, datum)
            if overgeslagen:
                afleiding += "; niet meegeteld (feestdag of vrije dag): " + ", ".join(map(_d, overgeslagen))
            termijn = self.termijn(C.BELAFSPRAAK, datum, afleiding, volgnummer)
            # Only steps of this melding count: from the melding up to the next one.
            tot = self.geval[volgnummer].eerste_ziektedag if volgnummer < len(self.geval) else date.max
            vanaf = min(gemeld, episode.eerste_ziektedag)
            stap = self.eerste_stap(*VERVULD_DOOR[C.BELAFSPRAAK], vanaf=vanaf, tot=tot)
            herstelafspraak = self.eerste_stap(Stap.HERSTELAFSPRAAK, vanaf=vanaf, tot=tot)
            # A deviation that names this melding's number, whatever its date (a motivation may come after a
            # relapse); one without a number belongs to the melding whose window holds its date.
            afwijking = self.afwijking(termijn, voor=stap.datum if stap else None, vanaf=vanaf, tot=tot)
            if afwijking is not None:
                termijnen.append(afgeweken(termijn, afwijking))
            elif stap is not None and (herstelafspraak is None or stap.datum <= herstelafspraak.datum):
                termijnen.append(vervuld(termijn, stap))
            elif herstelafspraak is not None:
                reden = f"herstelafspraak gemaakt op {_d(herstelafspraak.datum)}"
                termijnen.append(afgesloten(termijn, herstelafspraak.datum, reden))
            elif episode.hersteldatum is not None:  # the episode of this melding ended in herstel (D5)
                reden = f"volledig hersteld per {_d(episode.hersteldatum)}"
                termijnen.append(afgesloten(termijn, episode.hersteldatum, reden))
            else:
                termijnen.append(self.gesloten_of_open(termijn))
        return termijnen

    def plan_van_aanpak(self) -> Termijn:
        # Regeling procesgang art. 4 lid 1: two weeks after the probleemanalyse; until it is there, two weeks after its
        # due date (decisions D2).
        pa = self.eerste_stap(Stap.PROBLEEMANALYSE)
        if pa is not None:
            datum = pa.datum + timedelta(days=14)
            afleiding = f"probleemanalyse op {_d(pa.datum)} + 14 dagen: {_d(datum)}"
        else:
            pa_datum = self.ziektedag_datum(43)
            datum = pa_datum + timedelta(days=14)
            afleiding = (
                f"nog geen probleemanalyse: uiterste datum probleemanalyse {_d(pa_datum)} + 14 dagen: {_d(datum)}"
            )
        return self.met_status(self.termijn(C.PLAN_VAN_AANPAK, datum, afleiding))

    def evaluaties(self, pva: Termijn) -> list[Termijn]:
        """Every `interval` days after the plan van aanpak (until it is there: after its due date), up to the statutory
        end of the wachttijd, sick day 728 (D2). Not up to a VLD's end: D3 says a VLD moves WACHTTIJD_EINDE and the D3
        termijnen and leaves the D1/D2 ones where they are, so it adds no evaluatie either. A motivated deviation that
        names its evaluatie (volgnummer) ends exactly that one. A recorded evaluatie (or a deviation without a number)
        closes the not yet closed evaluatie whose date is nearest to it, in order, among the others: one a little late
        fulfils its own evaluatie late; one skipped stays open and is missed. A step names no number and a deviation
        that does is explicit, so the named one is taken out before the steps are matched."""
        gedaan = self.eerste_stap(Stap.PLAN_VAN_AANPAK)
        if gedaan is not None:
            basis, waarvan = gedaan.datum, f"plan van aanpak op {_d(gedaan.datum)}"
        elif pva.status is TermijnStatus.AFGEWEKEN:
            return []  # no plan van aanpak (motivated): nothing to evaluate
        else:
            basis, waarvan = pva.vervaldatum, f"nog geen plan van aanpak: uiterste datum {_d(pva.vervaldatum)}"
        interval = self.regels.evaluatie_interval_dagen
        einde = self.normaal_wachttijd_einde()
        datums: list[date] = []
        datum = basis + timedelta(days=interval)
        while datum <= einde:
            datums.append(datum)
            datum += timedelta(days=interval)
        gesloten: dict[int, Stapfeit | Afwijking] = {}
        # Deviations that name their evaluatie end exactly that one (the first such deviation, by date).
        for i, a in enumerate(self.afwijkingen):
            if a.code is C.EVALUATIE and a.volgnummer is not None and 1 <= a.volgnummer <= len(datums):
                if a.volgnummer - 1 not in gesloten:
                    gesloten[a.volgnummer - 1] = a
                    self.gebruikte_afwijkingen.add(i)
        # What closes which of the others: steps and unnumbered deviations in date order, each the nearest not yet
        # closed one.
        vrij: Sequence[int] = [k for k in range(len(datums)) if k not in gesloten] if gesloten else range(len(datums))
        vrije_datums = [datums[k] for k in vrij] if gesloten else datums
        sluiters: list[tuple[date, int, Stapfeit | Afwijking]] = [
            (s.datum, 0, s) for s in self.stappen if s.stap is Stap.EVALUATIE and s.datum >= basis
        ]
        sluiters += [
            (a.datum, 1, a)
            for a in self.afwijkingen
            if a.code is C.EVALUATIE and a.volgnummer is None and a.datum >= basis
        ]
        volgende = 0
        for dag, _, wat in sorted(sluiters, key=lambda x: (x[0], x[1])):
            if volgende >= len(vrij):
                break
            j = max(bisect_left(vrije_datums, dag, lo=volgende), volgende)
            if j >= len(vrij) or (j > volgende and dag - vrije_datums[j - 1] <= vrije_datums[j] - dag):
                j -= 1  # the earlier one is nearer (a tie goes to the earlier one)
            gesloten[vrij[j]] = wat
            volgende = j + 1
        termijnen = []
        for k, vervaldatum in enumerate(datums):
            afleiding = f"{waarvan} + {k + 1} × {interval} dagen: {_d(vervaldatum)}"
            termijn = self.termijn(C.EVALUATIE, vervaldatum, afleiding, volgnummer=k + 1)
            sluiter = gesloten.get(k)
            if isinstance(sluiter, Stapfeit):
                termijnen.append(vervuld(termijn, sluiter))
            elif isinstance(sluiter, Afwijking):
                termijnen.append(afgeweken(termijn, sluiter))
            else:
                termijnen.append(self.herstel_of_open(termijn))
        return termijnen

    def spoor_2(self) -> Termijn:
        eje = self.eerste_stap(Stap.EERSTEJAARSEVALUATIE)
        if eje is None:
            eje_datum = self.ziektedag_datum(365)
            datum = eje_datum + timedelta(days=42)
            afleiding = f"nog geen eerstejaarsevaluatie: uiterste datum {_d(eje_datum)} + 42 dagen: {_d(datum)}"
            return self.met_status(self.termijn(C.SPOOR_2_START, datum, afleiding))
        datum = eje.datum + timedelta(days=42)
        termijn = self.termijn(
            C.SPOOR_2_START, datum, f"eerstejaarsevaluatie op {_d(eje.datum)} + 42 dagen: {_d(datum)}"
        )
        if eje.structureel_spoor1_perspectief and self.eerste_stap(Stap.SPOOR_2) is None:
            reden = f"de eerstejaarsevaluatie van {_d(eje.datum)} ziet structureel perspectief in spoor 1"
            return replace(termijn, status=TermijnStatus.VERVALLEN, reden=reden)
        return self.met_status(termijn)

    def d3(self) -> list[Termijn]:
        einde, afleiding = self.wachttijd_einde()
        na = einde + timedelta(days=1)
        basis = f"eerste dag na de wachttijd {_d(na)} ({afleiding})"
        riv = na - timedelta(weeks=13)
        wia = na - timedelta(weeks=11)
        return [
            self.met_status(self.termijn(C.RE_INTEGRATIEVERSLAG, riv, f"{basis} − 13 weken: {_d(riv)}")),
            self.met_status(self.termijn(C.WIA_AANVRAAG, wia, f"{basis} − 11 weken: {_d(wia)}")),
            self.met_status(self.termijn(C.WACHTTIJD_EINDE, einde, afleiding)),
        ]

    # ----------------------------------------------------------------------------------------- status

    def met_status(self, termijn: Termijn) -> Termijn:
        """VERVULD by its step, AFGEWEKEN by a motivated deviation (whichever came first), else VERVALLEN when a
        herstel closed it or the dossier was closed, else OPEN."""
        stap = self.eerste_stap(*VERVULD_DOOR[termijn.code])
        afwijking = self.afwijking(termijn, voor=stap.datum if stap else None)
        if afwijking is not None:
            return afgeweken(termijn, afwijking)
        if stap is not None:
            return vervuld(termijn, stap)
        return self.herstel_of_open(termijn)

    def herstel_of_open(self, termijn: Termijn) -> Termijn:
        if self._loopt_gewoon:
            return termijn
        # decisions D5: volledig herstel closes every open termijn. After a relapse (samentelling) the verzuim goes on,
        # but what fell due before the relapse stayed closed by the herstel before it.
        if self.hersteld is not None:
            return afgesloten(termijn, self.hersteld, f"volledig hersteld per {_d(self.hersteld)}")
        for vorige, volgende in zip(self.geval, self.geval[1:], strict=False):
            if termijn.vervaldatum < volgende.eerste_ziektedag:
                assert vorige.hersteldatum is not None
                return afgesloten(termijn, vorige.hersteldatum, f"volledig hersteld per {_d(vorige.hersteldatum)}")
        return self.gesloten_of_open(termijn)

    def gesloten_of_open(self, termijn: Termijn) -> Termijn:
        if self.feiten.gesloten_op is not None:
            reden = f"dossier gesloten op {_d(self.feiten.gesloten_op)}"
            if self.feiten.gesloten_reden:
                reden += f": {self.feiten.gesloten_reden}"
            return afgesloten(termijn, self.feiten.gesloten_op, reden)
        return termijn

    def afwijking(
        self, termijn: Termijn, voor: date | None, vanaf: date = date.min, tot: date = date.max
    ) -> Afwijking | None:
        """The motivated deviation that ends this termijn, if one was recorded before the fulfilling step (if any):
        the first unused one that names it by its volgnummer, else the first unused one of its code without a
        volgnummer dated in [vanaf, tot) (for a code that exists once per melding, BELAFSPRAAK, the melding's window:
        the date says which one is meant)."""
        if not self.afwijkingen:
            return None  # the common case, on the path of every recalculation
        for i in self._kandidaten(termijn, vanaf, tot):
            if i in self.gebruikte_afwijkingen:
                continue
            afwijking = self.afwijkingen[i]
            if voor is not None and afwijking.datum >= voor:
                continue  # the step came first: the termijn was fulfilled (decisions D5, whichever came first)
            self.gebruikte_afwijkingen.add(i)
            return afwijking
        return None

    def _kandidaten(self, termijn: Termijn, vanaf: date, tot: date) -> Iterator[int]:
        for i, a in enumerate(self.afwijkingen):
            if a.code is termijn.code and a.volgnummer == termijn.volgnummer:
                yield i
        for i, a in enumerate(self.afwijkingen):
            if a.code is termijn.code and a.volgnummer is None and vanaf <= a.datum < tot:
                yield i

    def niet_toegepast(self, termijnen: list[Termijn]) -> Iterator[Waarschuwing]:
        """The deviations that name an occurrence (a volgnummer) and ended none, in date order, each with why. Call
        after `termijnen()`. Unnumbered ones that match nothing stay silent, as before the volgnummer existed."""
        per_sleutel = {t.sleutel: t for t in termijnen}
        eerder = sorted(
            (a for a in self.feiten.afwijkingen if a.datum < self.vanaf and a.volgnummer is not None),
            key=lambda a: a.datum,
        )
        for a in eerder:
            yield _waarschuwing(
                a,
                f"de datum ligt vóór dit verzuim (eerste ziektedag {_d(self.e)}); de termijnen van een eerder "
                "verzuim worden niet meer bewaakt",
            )
        for i, a in enumerate(self.afwijkingen):
            if a.volgnummer is None or i in self.gebruikte_afwijkingen:
                continue
            termijn = per_sleutel.get((a.code, a.volgnummer))
            if termijn is None:
                nummers = sorted(t.volgnummer for t in termijnen if t.code is a.code)
                wel = f"wel nr. {_reeks(nummers)}" if nummers else "geen enkele van deze code"
                yield _waarschuwing(a, f"dit verzuim heeft geen termijn {a.code.value} nr. {a.volgnummer} ({wel})")
            elif termijn.status is TermijnStatus.VERVULD and termijn.vervuld_op is not None:
                yield _waarschuwing(
                    a, f"termijn {a.code.value} nr. {a.volgnummer} was al vervuld op {_d(termijn.vervuld_op)}"
                )
            elif termijn.status is TermijnStatus.AFGEWEKEN:
                yield _waarschuwing(a, f"termijn {a.code.value} nr. {a.volgnummer} is al eerder gemotiveerd afgeweken")
            else:
                waarom = f" ({termijn.reden})" if termijn.reden else ""
                yield _waarschuwing(a, f"termijn {a.code.value} nr. {a.volgnummer} is {termijn.status.value}{waarom}")


def _waarschuwing(afwijking: Afwijking, waarom: str) -> Waarschuwing:
    return Waarschuwing(
        afwijking.event_id,
        f"TermijnAfwijkingGemotiveerd van {_d(afwijking.datum)} ({afwijking.code.value} nr. {afwijking.volgnummer}) "
        f"is niet toegepast: {waarom}",
    )


def _reeks(nummers: list[int]) -> str:
    """1, 2, 3, 5 → '1–3, 5'."""
    delen: list[str] = []
    begin = vorige = nummers[0]
    for n in [*nummers[1:], None]:
        if n is not None and n == vorige + 1:
            vorige = n
            continue
        delen.append(str(begin) if begin == vorige else f"{begin}–{vorige}")
        if n is not None:
            begin = vorige = n
    return ", ".join(delen)


def afgesloten(termijn: Termijn, op: date, reden: str) -> Termijn:
    """An unfulfilled termijn closed by a fact dated `op` (herstel, closure, herstelafspraak). D5 closes the *open*
    ones as VERVALLEN; one whose verstreken-day (the day after its due date, D7) is on or before `op` was no longer
    open then but missed: VERSTREKEN, whether or not the scheduler saw that day pass before the fact arrived."""
    if termijn.vervaldatum + timedelta(days=1) <= op:
        return replace(termijn, status=TermijnStatus.VERSTREKEN, reden=VERSTREKEN_REDEN)
    return replace(termijn, status=TermijnStatus.VERVALLEN, reden=reden)


def vervuld(termijn: Termijn, stap: Stapfeit) -> Termijn:
    return replace(
        termijn,
        status=TermijnStatus.VERVULD,
        vervuld_op=stap.datum,
        op_tijd=stap.datum <= termijn.vervaldatum,
        bron_event_id=stap.event_id,
    )


def afgeweken(termijn: Termijn, afwijking: Afwijking) -> Termijn:
    return replace(termijn, status=TermijnStatus.AFGEWEKEN, reden=afwijking.reden, bron_event_id=afwijking.event_id)

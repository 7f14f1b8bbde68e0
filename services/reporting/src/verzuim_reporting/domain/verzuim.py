"""A werknemer's verzuim in the form the statistics of decisions D8 count it.

- A *verzuimgeval* is one melding: every episode of a dossier, also the ones joined by samentelling, counts as a
  melding of its own for statistics (D8, wvp-reference §2.3.6).
- A *verzuimsegment* is a stretch of sick days with the same arbeidsongeschiktheidspercentage, deployment and
  bezetting (afdeling, leidinggevende, hours). Only days of employment count: sick days outside every dienstverband
  have no capacity to be measured against. A day at 0 % (a deelherstel to 0 % without volledig herstel) is no sick
  day: the geval is still open (for its duration and duurklasse) but the werknemer is not absent.

A day on which two episodes overlap (inconsistent data) counts once, at the higher percentage, so a werknemer can
never be more than 100 % absent.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from uuid import UUID

from verzuim_reporting.domain.dossier import DossierVerloop, EpisodeVerloop, OpbouwStap
from verzuim_reporting.domain.personeel import Bezetting, decimaal, deeltijdfactor, uren

_EINDELOOS = date.max


@dataclass(frozen=True)
class Verzuimgeval:
    dossier_id: UUID
    melding_id: UUID
    eerste_ziektedag: date
    einde: date | None  # first day no longer sick (hersteldatum or closing); None while running
    hersteldatum: date | None  # only when volledig herstel ended it
    # Where the geval is counted: the bezetting on its first sick day within employment. None: no sick day of the
    # geval lies within a dienstverband, so it is not counted anywhere (only in the data-quality figure).
    afdeling_id: str | None
    leidinggevende_id: str | None
    in_dienst_bij_melding: bool  # the eerste ziektedag is a day of employment: the melding counts in the frequentie

    @property
    def meetellen(self) -> bool:
        return self.afdeling_id is not None

    @property
    def laatste_ziektedag(self) -> date | None:
        return None if self.einde is None else self.einde - timedelta(days=1)

    def duur_tot(self, dag: date) -> int:
        """Calendar days sick from the eerste ziektedag up to and including `dag` (or the last sick day)."""
        laatste = self.laatste_ziektedag
        eind = dag if laatste is None else min(laatste, dag)
        return max(0, (eind - self.eerste_ziektedag).days + 1)


@dataclass(frozen=True)
class Verzuimsegment:
    dossier_id: UUID
    melding_id: UUID
    van: date
    tot: date | None  # inclusive; None while the episode and the employment run
    afdeling_id: str
    leidinggevende_id: str | None
    contracturen: float
    voltijduren: float
    percentage: int  # arbeidsongeschiktheidspercentage: the ao-fractie × 100
    inzet_uren: Decimal  # hours per week actually deployed, valued at loonwaarde (activeringspercentage)

    @property
    def deeltijdfactor(self) -> Decimal:
        return deeltijdfactor(self.contracturen, self.voltijduren)


@lru_cache(maxsize=4096)  # a rebuild asks for the same few combinations over and over
def inzet_uren(stap: OpbouwStap | None, percentage: int, contracturen: float) -> Decimal:
    """Hours per week the sick werknemer is deployed on, valued at their loonwaarde, at most the contract hours.

    With an opbouwschema step in force: uren_per_week × loonwaarde. Without one: the part of the own work the
    werknemer is not arbeidsongeschikt for (a deelherstel to 60 % means 40 % of the contract hours at full value)."""
    contract = decimaal(contracturen)
    if stap is not None:
        ingezet = decimaal(stap.uren_per_week) * stap.loonwaarde_pct / 100
    else:
        ingezet = contract * (100 - percentage) / 100
    return uren(min(ingezet, contract))


def _geldende_stap(opbouw: tuple[OpbouwStap, ...], dag: date) -> OpbouwStap | None:
    geldend = None
    for stap in opbouw:  # in date order
        if stap.vanaf <= dag:
            geldend = stap
    return geldend


@dataclass(frozen=True)
class _Stuk:
    van: date
    tot: date  # inclusive; _EINDELOOS for open-ended
    percentage: int
    volgorde: tuple[date, int]  # which melding wins an overlap: the higher percentage, then the earlier melding
    dossier: DossierVerloop
    episode: EpisodeVerloop


def _stukken(dossier: DossierVerloop, episode: EpisodeVerloop) -> list[_Stuk]:
    """The episode split where its percentage or the opbouwschema changes."""
    einde = _EINDELOOS if episode.einde is None else episode.einde - timedelta(days=1)
    if einde < episode.eerste_ziektedag:
        return []
    grenzen = {episode.eerste_ziektedag}
    grenzen |= {d for d, _ in episode.percentages if episode.eerste_ziektedag < d <= einde}
    grenzen |= {s.vanaf for s in dossier.opbouw if episode.eerste_ziektedag < s.vanaf <= einde}
    starts = sorted(grenzen)
    stukken = []
    for i, van in enumerate(starts):
        tot = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else einde
        stukken.append(
            _Stuk(
                van,
                tot,
                episode.percentage_op(van),
                (episode.eerste_ziektedag, episode.stream_sequence),
                dossier,
                episode,
            )
        )
    return stukken


def verzuim_van_werknemer(
    bezetting: tuple[Bezetting, ...] | list[Bezetting], dossiers: list[DossierVerloop]
) -> tuple[list[Verzuimgeval], list[Verzuimsegment]]:
    """The werknemer's verzuimgevallen and sick segments within employment, in date order."""
    stukken = sorted((s for d in dossiers for e in d.episodes for s in _stukken(d, e)), key=lambda s: s.van)
    elementair: list[tuple[date, date, _Stuk]]
    if all(a.tot < b.van for a, b in itertools.pairwise(stukken)):
        elementair = [(s.van, s.tot, s) for s in stukken]  # the usual case: nothing overlaps, each piece is its own
    else:
        elementair = _zonder_overlap(stukken)
    segmenten: list[Verzuimsegment] = []
    for van, tot, stuk in elementair:
        if stuk.percentage == 0:
            # arbeidsongeschikt for 0 % after a deelherstel: the werknemer works the whole contract, so these are no
            # sick days (not in the percentage, nulverzuim or activering); the geval itself runs on until herstel
            continue
        for b in bezetting:
            b_tot = _EINDELOOS if b.tot is None else b.tot
            begin, eind = max(van, b.van), min(tot, b_tot)
            if begin > eind:
                continue
            # the opbouwschema may change inside the piece only at a piece boundary, so its start decides
            stap = _geldende_stap(stuk.dossier.opbouw, begin)
            segmenten.append(
                Verzuimsegment(
                    dossier_id=stuk.dossier.dossier_id,
                    melding_id=stuk.episode.melding_id,
                    van=begin,
                    tot=None if eind == _EINDELOOS else eind,
                    afdeling_id=b.afdeling_id,
                    leidinggevende_id=b.leidinggevende_id,
                    contracturen=b.contracturen,
                    voltijduren=b.voltijduren,
                    percentage=stuk.percentage,
                    inzet_uren=inzet_uren(stap, stuk.percentage, b.contracturen),
                )
            )
    # a UUID's integer orders as its text does (fixed-width hex), without making the text
    segmenten.sort(key=lambda s: (s.van, s.melding_id.int))

    eerste_segment: dict[UUID, Verzuimsegment] = {}
    for s in segmenten:  # in date order: the first is the melding's first sick day within employment
        eerste_segment.setdefault(s.melding_id, s)
    gevallen = []
    for d in dossiers:
        for e in d.episodes:
            eerste_dienstdag = eerste_segment.get(e.melding_id)
            gevallen.append(
                Verzuimgeval(
                    dossier_id=d.dossier_id,
                    melding_id=e.melding_id,
                    eerste_ziektedag=e.eerste_ziektedag,
                    einde=e.einde,
                    hersteldatum=e.hersteldatum,
                    afdeling_id=eerste_dienstdag.afdeling_id if eerste_dienstdag else _afdeling_op(bezetting, e),
                    leidinggevende_id=(
                        eerste_dienstdag.leidinggevende_id if eerste_dienstdag else _leidinggevende_op(bezetting, e)
                    ),
                    in_dienst_bij_melding=any(b.bevat(e.eerste_ziektedag) for b in bezetting),
                )
            )
    gevallen.sort(key=lambda g: (g.eerste_ziektedag, g.melding_id.int))
    return gevallen, segmenten


def _zonder_overlap(stukken: list[_Stuk]) -> list[tuple[date, date, _Stuk]]:
    """Sweep over every boundary so that a day covered twice is counted once (highest percentage wins)."""
    grenzen = sorted({s.van for s in stukken} | {s.tot + timedelta(days=1) for s in stukken if s.tot != _EINDELOOS})
    elementair: list[tuple[date, date, _Stuk]] = []
    for i, van in enumerate(grenzen):
        tot = grenzen[i + 1] - timedelta(days=1) if i + 1 < len(grenzen) else _EINDELOOS
        actief = [s for s in stukken if s.van <= van and s.tot >= van]
        if not actief:
            continue
        winnaar = min(actief, key=lambda s: (-s.percentage, s.volgorde))
        tot = min(tot, winnaar.tot)
        vorige = elementair[-1] if elementair else None
        if vorige and vorige[2] is winnaar and vorige[1] + timedelta(days=1) == van:
            elementair[-1] = (vorige[0], tot, winnaar)
        else:
            elementair.append((van, tot, winnaar))
    return elementair


def _bezetting_bij_melding(bezetting: tuple[Bezetting, ...] | list[Bezetting], e: EpisodeVerloop) -> Bezetting | None:
    """For a geval without counted sick days (e.g. overruled everywhere by an overlapping one) that still started in
    employment: the bezetting on its eerste ziektedag."""
    return next((b for b in bezetting if b.bevat(e.eerste_ziektedag)), None)


def _afdeling_op(bezetting: tuple[Bezetting, ...] | list[Bezetting], e: EpisodeVerloop) -> str | None:
    b = _bezetting_bij_melding(bezetting, e)
    return b.afdeling_id if b else None


def _leidinggevende_op(bezetting: tuple[Bezetting, ...] | list[Bezetting], e: EpisodeVerloop) -> str | None:
    b = _bezetting_bij_melding(bezetting, e)
    return b.leidinggevende_id if b else None

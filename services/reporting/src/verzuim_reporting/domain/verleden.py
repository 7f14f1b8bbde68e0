"""The verzuimverleden of one werknemer, for the leidinggevende's conversation (verzuimgesprek): every melding with
its duration and its percentages, and the werknemer's own figures over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from verzuim_reporting.domain.afleiding import WerknemerAfleiding
from verzuim_reporting.domain.frequent import (
    STANDAARD_DREMPEL,
    STANDAARD_VENSTER_DAGEN,
    FrequentVerzuimer,
    frequente_verzuimers,
    meldingen_van,
)
from verzuim_reporting.domain.kerncijfers import Kerncijfers, kerncijfers, tellers
from verzuim_reporting.domain.periode import Periode, overlap_dagen


@dataclass(frozen=True)
class MeldingVerleden:
    dossier_id: UUID
    melding_id: UUID
    eerste_ziektedag: date
    hersteldatum: date | None  # first fully fit day; None while running or when the dossier was closed
    einde: date | None  # first day no longer sick (hersteldatum or closing date)
    lopend: bool
    duur_dagen: int  # calendar days: hersteldatum − eerste ziektedag, or up to and including today while running
    percentages: tuple[tuple[date, int], ...]  # arbeidsongeschiktheidspercentage from each date on
    afdeling_id: str | None  # where the melding is counted (None: outside every dienstverband)
    telt_mee: bool  # counts as a melding in the figures: its eerste ziektedag is a day of employment


@dataclass(frozen=True)
class Verzuimverleden:
    werknemer_id: str
    periode: Periode
    meldingen: tuple[MeldingVerleden, ...]  # all, oldest first
    meldingen_in_periode: int  # as the meldingsfrequentie counts them (telt_mee, eerste ziektedag in the period)
    ziektedagen_in_periode: int  # calendar days within employment with an arbeidsongeschiktheid above 0 %
    kerncijfers: Kerncijfers  # the werknemer's own figures over the period
    frequent: FrequentVerzuimer | None  # frequent verzuimer by the standard rule in the period


def verzuimverleden(afleiding: WerknemerAfleiding, periode: Periode, vandaag: date) -> Verzuimverleden:
    episodes = {e.melding_id: e for d in afleiding.dossiers for e in d.episodes}
    meldingen = []
    for g in afleiding.gevallen:
        e = episodes[g.melding_id]
        lopend = g.einde is None or g.einde > vandaag
        duur = g.duur_tot(vandaag) if lopend else (g.einde - g.eerste_ziektedag).days  # type: ignore[operator]
        meldingen.append(
            MeldingVerleden(
                g.dossier_id,
                g.melding_id,
                g.eerste_ziektedag,
                g.hersteldatum,
                g.einde,
                lopend,
                duur,
                e.percentages,
                g.afdeling_id,
                g.in_dienst_bij_melding and g.meetellen,
            )
        )
    t = tellers(afleiding.personeel.bezetting, afleiding.segmenten, afleiding.gevallen, periode)
    frequent = frequente_verzuimers(
        meldingen_van(afleiding.werknemer_id, afleiding.gevallen), periode, STANDAARD_DREMPEL, STANDAARD_VENSTER_DAGEN
    )
    return Verzuimverleden(
        werknemer_id=afleiding.werknemer_id,
        periode=periode,
        meldingen=tuple(meldingen),
        meldingen_in_periode=t.meldingen,  # the same count as in its kerncijfers
        ziektedagen_in_periode=sum(overlap_dagen(s.van, s.tot, periode) for s in afleiding.segmenten),
        kerncijfers=kerncijfers(t, periode),
        frequent=frequent[0] if frequent else None,
    )

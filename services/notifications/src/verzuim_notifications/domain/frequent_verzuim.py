"""Frequent verzuim (decisions D8): `drempel` or more meldingen within a rolling `venster_dagen`, counting the new
one. Every DossierGeopend and every EpisodeToegevoegd is a melding (an episode of a samengesteld dossier counts
separately, as in the meldingsfrequentie). Pure.

The window is the `venster_dagen` days that end on the new melding's eerste ziektedag, that day included: with the
default 365 days a melding on E − 364 counts, one on E − 365 does not. A melding counts once, however often its event
is delivered (keyed on its melding id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from verzuim_notifications.domain.regiemodel import FrequentVerzuimInstelling


@dataclass(frozen=True)
class Melding:
    melding_id: UUID
    eerste_ziektedag: date


class FrequentSignaal(StrEnum):
    DREMPEL = "drempel"  # the threshold is reached: the leidinggevende holds a frequent-verzuim gesprek
    VROEG = "vroeg"  # one melding below the threshold: an early signal, if the werkgever wants one


@dataclass(frozen=True)
class FrequentVerzuimUitkomst:
    signaal: FrequentSignaal
    aantal: int  # meldingen in the window, the new one included
    venster_begin: date
    venster_eind: date


def meldingen_in_venster(meldingen: Iterable[Melding], nieuw: Melding, venster_dagen: int) -> list[Melding]:
    begin = nieuw.eerste_ziektedag - timedelta(days=venster_dagen - 1)
    uniek = {m.melding_id: m for m in meldingen}
    uniek[nieuw.melding_id] = nieuw
    return sorted(
        (m for m in uniek.values() if begin <= m.eerste_ziektedag <= nieuw.eerste_ziektedag),
        key=lambda m: (m.eerste_ziektedag, str(m.melding_id)),
    )


def beoordeel(
    meldingen: Iterable[Melding], nieuw: Melding, instelling: FrequentVerzuimInstelling
) -> FrequentVerzuimUitkomst | None:
    """What the new melding means: the threshold reached (at it or beyond: each further melding in the window
    signals again), one below it (only with `vroeg_signaal`), or nothing."""
    in_venster = meldingen_in_venster(meldingen, nieuw, instelling.venster_dagen)
    aantal = len(in_venster)
    begin = nieuw.eerste_ziektedag - timedelta(days=instelling.venster_dagen - 1)
    if aantal >= instelling.drempel:
        return FrequentVerzuimUitkomst(FrequentSignaal.DREMPEL, aantal, begin, nieuw.eerste_ziektedag)
    if instelling.vroeg_signaal and aantal == instelling.drempel - 1:
        return FrequentVerzuimUitkomst(FrequentSignaal.VROEG, aantal, begin, nieuw.eerste_ziektedag)
    return None

"""Frequent verzuim (decisions D8): `drempel` or more meldingen within a rolling `venster_dagen`. Every DossierGeopend
and every EpisodeToegevoegd is a melding (an episode of a samengesteld dossier counts separately, as in the
meldingsfrequentie). Pure.

The meldingen of a werknemer are ordered by eerste ziektedag (then melding id, so two on the same day have a fixed
order). A melding's window is the `venster_dagen` days that end on its eerste ziektedag, that day included: with the
default 365 days a melding on E − 364 counts, one on E − 365 does not. A melding whose window holds `drempel` or more
meldingen, itself and those before it, *completes* the threshold and raises the signal; with `vroeg_signaal` one
whose window holds one fewer raises the early signal.

Meldingen do not arrive in order: a melding can be entered late, backdated, or be handled alongside others of the
same werknemer. So when a melding arrives, the signals are worked out for it *and* for every later melding whose
window now holds it (`nieuwe_signalen`): a late melding counts against the later ones. Each (melding, kind of signal)
is raised once, whatever the order of arrival, and a melding counts once however often its event is delivered (keyed
on its melding id); the caller keeps which signals were given and serialises the meldingen of one werknemer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
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
    aantal: int  # meldingen in the window, the completing one included
    venster_begin: date
    venster_eind: date
    melding_id: UUID  # the melding that completes it (the last of its window)


def _volgorde(m: Melding) -> tuple[date, int]:
    return (m.eerste_ziektedag, m.melding_id.int)  # the id as a number sorts as its text does


def meldingen_in_venster(meldingen: Iterable[Melding], melding: Melding, venster_dagen: int) -> list[Melding]:
    """`melding` and the meldingen before it in its window, in order."""
    begin = melding.eerste_ziektedag - timedelta(days=venster_dagen - 1)
    uniek = {m.melding_id: m for m in meldingen}
    uniek[melding.melding_id] = melding
    return sorted(
        (m for m in uniek.values() if begin <= m.eerste_ziektedag and _volgorde(m) <= _volgorde(melding)),
        key=_volgorde,
    )


def beoordeel(
    meldingen: Iterable[Melding], melding: Melding, instelling: FrequentVerzuimInstelling
) -> FrequentVerzuimUitkomst | None:
    """What `melding` means among `meldingen`: it completes the threshold (at it or beyond: each further melding in
    the window signals again), it is one below it (only with `vroeg_signaal`), or nothing."""
    begin = melding.eerste_ziektedag - timedelta(days=instelling.venster_dagen - 1)
    tot = _volgorde(melding)
    uniek = {m.melding_id: m for m in meldingen}
    uniek[melding.melding_id] = melding
    aantal = sum(1 for m in uniek.values() if begin <= m.eerste_ziektedag and _volgorde(m) <= tot)
    if aantal >= instelling.drempel:
        signaal = FrequentSignaal.DREMPEL
    elif instelling.vroeg_signaal and aantal == instelling.drempel - 1:
        signaal = FrequentSignaal.VROEG
    else:
        return None
    return FrequentVerzuimUitkomst(signaal, aantal, begin, melding.eerste_ziektedag, melding.melding_id)


def nieuwe_signalen(
    meldingen: Iterable[Melding],
    nieuw: Melding,
    instelling: FrequentVerzuimInstelling,
    gegeven: Collection[tuple[UUID, FrequentSignaal]] = (),
) -> list[FrequentVerzuimUitkomst]:
    """The signals the arrival of `nieuw` raises, in order: for `nieuw` itself and for every later melding whose
    window holds it, except those in `gegeven` ((melding id, kind) raised before)."""
    alle = {m.melding_id: m for m in meldingen}
    alle[nieuw.melding_id] = nieuw
    laatste = nieuw.eerste_ziektedag + timedelta(days=instelling.venster_dagen - 1)
    geraakt = sorted(
        (m for m in alle.values() if _volgorde(m) >= _volgorde(nieuw) and m.eerste_ziektedag <= laatste),
        key=_volgorde,
    )
    uitkomsten = []
    for m in geraakt:
        uitkomst = beoordeel(alle.values(), m, instelling)
        if uitkomst is not None and (m.melding_id, uitkomst.signaal) not in gegeven:
            uitkomsten.append(uitkomst)
    return uitkomsten

"""The state of a verzuimdossier as reporting sees it, derived from its stored facts (episodes and herstellen).

The derivation looks only at the facts, never at the order in which they arrived, so a redelivered or late
event and a rebuild from the beginning of the streams all give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from uuid import UUID

from verzuim_shared.events import HerstelSoort

VOLLEDIG_ARBEIDSONGESCHIKT = 100


class DossierStatus(StrEnum):
    OPEN = "open"
    HERSTELD = "hersteld"


@dataclass(frozen=True)
class Episode:
    """One ziekmelding within the dossier: the first from DossierGeopend, later ones from EpisodeToegevoegd (D4)."""

    melding_id: UUID
    eerste_ziektedag: date
    stream_sequence: int


@dataclass(frozen=True)
class Herstel:
    """A (deel)herstel: volledig ends the running episode, gedeeltelijk changes the arbeidsongeschiktheid."""

    herstel_id: UUID
    soort: HerstelSoort
    hersteldatum: date
    arbeidsongeschiktheidspercentage: int
    stream_sequence: int


@dataclass(frozen=True)
class EpisodeToestand:
    melding_id: UUID
    eerste_ziektedag: date
    hersteldatum: date | None  # first fully fit day; None while the episode runs


@dataclass(frozen=True)
class DossierToestand:
    status: DossierStatus
    hersteldatum: date | None  # of the last episode, when it has ended
    arbeidsongeschiktheidspercentage: int  # as of the latest fact; 0 once hersteld
    episodes: tuple[EpisodeToestand, ...]


class _Stap(IntEnum):
    """Order of facts on the same date: a herstel ends the old episode before a new one starts on that day;
    a deelherstel on the first sick day applies after the start."""

    VOLLEDIG_HERSTEL = 0
    START = 1
    DEELHERSTEL = 2


def dossier_toestand(episodes: list[Episode], herstellen: list[Herstel]) -> DossierToestand:
    """Walk the facts in date order. A ziekmelding starts at 100 % arbeidsongeschikt (the melding carries no
    percentage); a deelherstel sets the remaining percentage; a volledig herstel ends the running episode.
    A herstel while no episode runs is a repeat of one already applied and changes nothing."""
    if not episodes:
        raise ValueError("a dossier has at least one episode")
    tijdlijn: list[tuple[date, _Stap, int, Episode | Herstel]] = [
        (e.eerste_ziektedag, _Stap.START, e.stream_sequence, e) for e in episodes
    ]
    for h in herstellen:
        stap = _Stap.VOLLEDIG_HERSTEL if h.soort is HerstelSoort.VOLLEDIG else _Stap.DEELHERSTEL
        tijdlijn.append((h.hersteldatum, stap, h.stream_sequence, h))
    tijdlijn.sort(key=lambda item: item[:3])

    hersteld_op: dict[UUID, date] = {}
    lopend: Episode | None = None
    percentage = 0
    for datum, stap, _, feit in tijdlijn:
        if stap is _Stap.START:
            assert isinstance(feit, Episode)
            lopend = feit
            percentage = VOLLEDIG_ARBEIDSONGESCHIKT
        elif lopend is None:
            continue
        elif stap is _Stap.DEELHERSTEL:
            assert isinstance(feit, Herstel)
            percentage = feit.arbeidsongeschiktheidspercentage
        else:
            hersteld_op[lopend.melding_id] = datum
            lopend = None
            percentage = 0

    toestanden = tuple(
        EpisodeToestand(e.melding_id, e.eerste_ziektedag, hersteld_op.get(e.melding_id))
        for e in sorted(episodes, key=lambda e: (e.eerste_ziektedag, e.stream_sequence))
    )
    laatste = toestanden[-1]
    return DossierToestand(
        status=DossierStatus.OPEN if laatste.hersteldatum is None else DossierStatus.HERSTELD,
        hersteldatum=laatste.hersteldatum,
        arbeidsongeschiktheidspercentage=percentage,
        episodes=toestanden,
    )

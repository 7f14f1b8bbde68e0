"""Samentelling (decisions D4): which dossier a new ziekmelding belongs to. Pure: the caller gives the episodes.

gap = eerste ziektedag of the new episode − hersteldatum of the previous episode (the first fully fit day).
gap < 28 days: the same case continues (same dossier, same clock; the gap days are not sick days).
gap ≥ 28 days: a new case. Legal basis: BW 7:629 lid 10, ZW 29 lid 5, ZW 38 lid 1, WIA 23 lid 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

# BW 7:629 lid 10: periods are added together when the interruption is less than four weeks.
SAMENTELLING_GRENS_DAGEN = 28


@dataclass(frozen=True)
class BekendeEpisode:
    """One episode of the werknemer, in any of their dossiers."""

    dossier_id: UUID
    melding_id: UUID
    eerste_ziektedag: date
    hersteldatum: date | None  # None while the episode lasts
    dossier_gesloten: bool = False  # closed without herstel (e.g. WIA, uit dienst): the episode ended there


@dataclass(frozen=True)
class NieuwDossier:
    """No episode within four weeks before: a new case with a new clock."""


@dataclass(frozen=True)
class VoortzettenIn:
    """Continue this dossier with a new episode; `hersteld_dagen_tussen` = the gap (0..27)."""

    dossier_id: UUID
    hersteld_dagen_tussen: int


@dataclass(frozen=True)
class OverlaptMet:
    """The new eerste ziektedag falls inside an episode that is already known (the werknemer was already sick)."""

    dossier_id: UUID
    eerste_ziektedag: date
    hersteldatum: date | None


@dataclass(frozen=True)
class TussenEpisodes:
    """The new episode would fall between two episodes of one dossier: a history melding that cannot be inserted."""

    dossier_id: UUID


Besluit = NieuwDossier | VoortzettenIn | OverlaptMet | TussenEpisodes


def bepaal_dossier(episodes: list[BekendeEpisode], eerste_ziektedag: date) -> Besluit:
    """Decide where a ziekmelding with this eerste ziektedag goes, given the werknemer's known episodes."""
    for episode in episodes:
        if episode.dossier_gesloten and episode.hersteldatum is None:
            continue  # the case ended without herstel (WIA, uit dienst): it covers no later day
        if episode.eerste_ziektedag <= eerste_ziektedag and (
            episode.hersteldatum is None or eerste_ziektedag < episode.hersteldatum
        ):
            return OverlaptMet(episode.dossier_id, episode.eerste_ziektedag, episode.hersteldatum)
    eerder = [e for e in episodes if e.eerste_ziektedag < eerste_ziektedag and e.hersteldatum is not None]
    if not eerder:
        return NieuwDossier()
    vorige = max(eerder, key=lambda e: e.eerste_ziektedag)
    assert vorige.hersteldatum is not None
    gap = (eerste_ziektedag - vorige.hersteldatum).days
    if gap >= SAMENTELLING_GRENS_DAGEN:
        return NieuwDossier()
    if any(e.dossier_id == vorige.dossier_id and e.eerste_ziektedag > eerste_ziektedag for e in episodes):
        return TussenEpisodes(vorige.dossier_id)
    return VoortzettenIn(vorige.dossier_id, gap)


def later_dossier_binnen_grens(
    episodes: list[BekendeEpisode], dossier_id: UUID, hersteldatum: date
) -> BekendeEpisode | None:
    """After a volledig herstel on `dossier_id`: the first episode of *another* dossier of the werknemer that starts
    less than four weeks later. It should have been part of this case (a history melding arrived out of order)."""
    later = [
        e
        for e in episodes
        if e.dossier_id != dossier_id
        and e.eerste_ziektedag >= hersteldatum
        and (e.eerste_ziektedag - hersteldatum).days < SAMENTELLING_GRENS_DAGEN
    ]
    return min(later, key=lambda e: e.eerste_ziektedag) if later else None

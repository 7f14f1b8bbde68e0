"""The WvP clock: which calendar date is sick day n of a verzuim, with the four-week rule (samentelling).

BW 7:629 lid 10, ZW 29 lid 5, ZW 38 lid 1 and WIA 23 lid 3 add periods of incapacity together when they follow each
other with an interruption of less than four weeks; only the sick days count, the recovered days in between do not
(decisions D4). An interruption of four weeks or more starts a new verzuim with a new clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

# decisions D4: gap < 28 days → same verzuim (27 still counts together); gap ≥ 28 days → a new verzuim.
SAMENTELLING_GRENS_DAGEN = 28


class OngeldigeEpisodes(ValueError):
    """The episodes do not describe a possible course of a verzuim (overlap, wrong order, herstel before E)."""


@dataclass(frozen=True)
class Episode:
    """One uninterrupted period of (partial) incapacity: from its eerste ziektedag up to, not including, the
    hersteldatum (the first fully fit day). `hersteldatum` is None while the episode is still running."""

    eerste_ziektedag: date
    hersteldatum: date | None = None

    def __post_init__(self) -> None:
        if self.hersteldatum is not None and self.hersteldatum <= self.eerste_ziektedag:
            raise OngeldigeEpisodes(
                f"de hersteldatum {self.hersteldatum.isoformat()} ligt niet na de eerste ziektedag "
                f"{self.eerste_ziektedag.isoformat()}"
            )

    @property
    def ziektedagen(self) -> int | None:
        """Number of sick days in this episode; None while it is running."""
        if self.hersteldatum is None:
            return None
        return (self.hersteldatum - self.eerste_ziektedag).days


def controleer_episodes(episodes: Sequence[Episode]) -> None:
    """Raise OngeldigeEpisodes unless the episodes are chronological, do not overlap and only the last one runs."""
    if not episodes:
        raise OngeldigeEpisodes("een verzuim heeft ten minste één episode")
    for vorige, volgende in pairwise(episodes):
        if vorige.hersteldatum is None:
            raise OngeldigeEpisodes(
                f"de episode vanaf {vorige.eerste_ziektedag.isoformat()} loopt nog, maar er volgt een episode "
                f"vanaf {volgende.eerste_ziektedag.isoformat()}"
            )
        if volgende.eerste_ziektedag < vorige.hersteldatum:
            raise OngeldigeEpisodes(
                f"de episode vanaf {volgende.eerste_ziektedag.isoformat()} begint vóór de hersteldatum "
                f"{vorige.hersteldatum.isoformat()} van de vorige episode"
            )


def hersteld_tussen(vorige: Episode, volgende: Episode) -> int:
    """The recovered days between two episodes: first sick day of the next − hersteldatum of the previous (D4)."""
    if vorige.hersteldatum is None:
        raise OngeldigeEpisodes(f"de episode vanaf {vorige.eerste_ziektedag.isoformat()} loopt nog")
    return (volgende.eerste_ziektedag - vorige.hersteldatum).days


def verzuimgevallen(episodes: Sequence[Episode]) -> list[tuple[Episode, ...]]:
    """Group episodes into verzuimgevallen by the four-week rule: each group has its own WvP clock."""
    controleer_episodes(episodes)
    gevallen: list[list[Episode]] = [[episodes[0]]]
    for vorige, volgende in pairwise(episodes):
        if hersteld_tussen(vorige, volgende) < SAMENTELLING_GRENS_DAGEN:
            gevallen[-1].append(volgende)
        else:
            gevallen.append([volgende])
    return [tuple(geval) for geval in gevallen]


def huidig_verzuimgeval(episodes: Sequence[Episode]) -> tuple[Episode, ...]:
    """The verzuimgeval the last episode belongs to: earlier episodes separated by 28 days or more do not count."""
    return verzuimgevallen(episodes)[-1]


def sick_day_date(episodes: Sequence[Episode], n: int) -> date | None:
    """The calendar date of sick day `n` (E is sick day 1) of the verzuim the last episode belongs to.

    Only sick days count: recovered gaps of less than 28 days between episodes are skipped, and episodes before a
    gap of 28 days or more belong to an earlier verzuim with its own clock (decisions D4). In a continuous verzuim
    the result is E + (n − 1) days. Returns None when the verzuim ended (its last episode is closed) before
    reaching sick day `n`.
    """
    if n < 1:
        raise ValueError(f"ziektedag {n} bestaat niet: de eerste ziektedag is ziektedag 1")
    resterend = n
    for episode in huidig_verzuimgeval(episodes):
        lengte = episode.ziektedagen
        if lengte is None or resterend <= lengte:
            return episode.eerste_ziektedag + timedelta(days=resterend - 1)
        resterend -= lengte
    return None


def doorlopend(episodes: Sequence[Episode]) -> tuple[Episode, ...]:
    """The same episodes with the last one still running: the timeline as it stands if the verzuim continues."""
    controleer_episodes(episodes)
    laatste = episodes[-1]
    return (*episodes[:-1], Episode(laatste.eerste_ziektedag))

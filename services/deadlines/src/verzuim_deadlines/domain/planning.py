"""Termijnberekening: from the facts of one verzuimdossier to its WvP termijnen (decisions D1–D5).

Pure: dates and facts in, termijnen out. No clock reads; "today" plays no part in where a termijn falls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from verzuim_deadlines.domain.samentelling import (
    Episode,
    controleer_episodes,
    doorlopend,
    huidig_verzuimgeval,
    sick_day_date,
)
from verzuim_deadlines.domain.termijn import Termijn, TermijnCode, TermijnStatus


@dataclass(frozen=True)
class DossierFeiten:
    """What the deadlines service knows of one verzuimdossier: enough to (re)compute its whole timeline."""

    dossier_id: UUID
    werkgever_id: str
    werknemer_id: str
    episodes: tuple[Episode, ...]  # chronological; the first starts on the eerste ziektedag of the dossier
    gemeld_op: datetime | None = None
    herstelafspraak: date | None = None
    vangnet_van_toepassing: bool = False
    # Facts that later rules use (probleemanalyse done, VLD, motivated deviations, ...) are added as fields here.

    def __post_init__(self) -> None:
        controleer_episodes(self.episodes)

    @property
    def eerste_ziektedag(self) -> date:
        """E of the verzuim the dossier is in now (samentelling: the first episode of the current verzuimgeval)."""
        return huidig_verzuimgeval(self.episodes)[0].eerste_ziektedag

    @property
    def hersteldatum(self) -> date | None:
        """The first fully fit day when the werknemer is volledig hersteld now; None while the verzuim runs."""
        return self.episodes[-1].hersteldatum

    def met_episode(self, episode: Episode) -> DossierFeiten:
        """A relapse within four weeks continues this dossier (D4); the episodes stay chronological."""
        return replace(self, episodes=(*self.episodes, episode))

    def volledig_hersteld(self, hersteldatum: date) -> DossierFeiten:
        """The running episode ends on `hersteldatum` (the first fully fit day)."""
        laatste = self.episodes[-1]
        return replace(self, episodes=(*self.episodes[:-1], Episode(laatste.eerste_ziektedag, hersteldatum)))


@dataclass(frozen=True)
class ZiektedagRegel:
    """decisions D1: the termijn is due on the date of sick day `ziektedag` of the verzuim (samentelling included)."""

    code: TermijnCode
    ziektedag: int
    grondslag: str
    omschrijving: str  # e.g. "ziektedag 43 (na 6 weken)"

    def plan(self, feiten: DossierFeiten) -> Termijn:
        # The timeline as it stands while the verzuim continues; after volledig herstel the termijn still shows
        # where it would have fallen, and it is VERVALLEN (D5).
        episodes = doorlopend(huidig_verzuimgeval(feiten.episodes))
        vervaldatum = sick_day_date(episodes, self.ziektedag)
        if vervaldatum is None:  # cannot happen: the verzuim is taken to continue
            raise AssertionError(f"ziektedag {self.ziektedag} valt niet in een doorlopend verzuim")
        eerste_ziektedag = episodes[0].eerste_ziektedag
        afleiding = f"{self.omschrijving} van dit verzuim; eerste ziektedag {eerste_ziektedag.isoformat()}"
        niet_meegeteld = (vervaldatum - eerste_ziektedag).days - (self.ziektedag - 1)
        if niet_meegeteld:
            afleiding += f"; {niet_meegeteld} hersteld(e) dag(en) tussen episodes niet meegeteld (samentelling)"
        termijn = Termijn(code=self.code, vervaldatum=vervaldatum, grondslag=self.grondslag, afleiding=afleiding)
        if feiten.hersteldatum is not None:
            return termijn.vervalt(reden_volledig_herstel(feiten.hersteldatum))
        return termijn


# Regeling procesgang art. 2 lid 2: the probleemanalyse within six weeks after the first sick day. The project
# reads this as "after 6 weeks" = sick day 43 = E + 42 in a continuous verzuim (decisions D1).
PROBLEEMANALYSE = ZiektedagRegel(
    code=TermijnCode.PROBLEEMANALYSE,
    ziektedag=43,
    grondslag="Regeling procesgang eerste en tweede ziektejaar, art. 2 lid 2",
    omschrijving="ziektedag 43 (na 6 weken)",
)

# The rules this version plans. The other codes of TermijnCode follow as rules of their own.
REGELS: tuple[ZiektedagRegel, ...] = (PROBLEEMANALYSE,)


def plan_termijnen(feiten: DossierFeiten, regels: Sequence[ZiektedagRegel] = REGELS) -> list[Termijn]:
    """The termijnen of the dossier as its facts stand now, ordered by vervaldatum."""
    return sorted((regel.plan(feiten) for regel in regels), key=lambda t: (t.vervaldatum, t.code.value, t.volgnummer))


def reden_volledig_herstel(hersteldatum: date) -> str:
    return f"volledig hersteld per {hersteldatum.isoformat()}"


def bij_volledig_herstel(termijnen: Sequence[Termijn], hersteldatum: date) -> list[Termijn]:
    """decisions D5: volledig herstel closes the open termijnen; they become VERVALLEN, not VERSTREKEN. Returns the
    changed termijnen only; termijnen that were fulfilled, missed or deviated from keep their status."""
    reden = reden_volledig_herstel(hersteldatum)
    return [t.vervalt(reden) for t in termijnen if t.status is TermijnStatus.OPEN]

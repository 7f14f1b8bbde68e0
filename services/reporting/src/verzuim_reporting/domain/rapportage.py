"""Management-information reports, assembled from counts the read model gives. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

# The afdeling under which a dossier is counted when no personeel data for its werknemer is known (yet).
ONBEKEND = "onbekend"
ONBEKEND_NAAM = "Onbekend (geen personeelsgegevens)"

DEFINITIE_OPEN_DOSSIERS = (
    "Een verzuimdossier telt als open op de peildatum als de laatste ziekmelding (episode) die op of vóór de "
    "peildatum begon, op de peildatum nog niet door volledig herstel is beëindigd: er is geen hersteldatum, of die "
    "ligt na de peildatum (de hersteldatum is de eerste volledig hersteld dag). Een gesloten dossier telt vanaf de "
    "sluitingsdatum niet meer. Deelherstel houdt een dossier open. "
    "De afdeling is die van de werknemer volgens de personeelsgegevens die op de peildatum gelden, zoals nu bekend; "
    f"zonder personeelsgegevens telt het dossier onder '{ONBEKEND}'."
)


@dataclass(frozen=True)
class AfdelingTelling:
    afdeling_id: str
    afdeling_naam: str | None
    aantal: int


@dataclass(frozen=True)
class OpenDossiersRapport:
    werkgever_id: str
    peildatum: date
    totaal: int
    per_afdeling: tuple[AfdelingTelling, ...]
    definitie: str = DEFINITIE_OPEN_DOSSIERS


def open_dossiers_rapport(
    *,
    werkgever_id: str,
    peildatum: date,
    aantallen: Mapping[str | None, int],
    afdelingen: Mapping[str, str],
    afdeling_id: str | None = None,
) -> OpenDossiersRapport:
    """`aantallen`: open dossiers per afdeling id (None = werknemer without personeel data).
    `afdelingen`: the werkgever's known afdelingen (id -> naam); they are listed with 0 when nothing is open.
    `afdeling_id`: report on that one afdeling only (use ONBEKEND for the dossiers without personeel data)."""
    totalen: dict[str, int] = dict.fromkeys(afdelingen, 0)
    for afdeling, aantal in aantallen.items():
        sleutel = ONBEKEND if afdeling is None else afdeling
        totalen[sleutel] = totalen.get(sleutel, 0) + aantal
    if afdeling_id is not None:
        totalen = {afdeling_id: totalen.get(afdeling_id, 0)}
    namen = {ONBEKEND: ONBEKEND_NAAM, **afdelingen}
    rijen = sorted(
        (AfdelingTelling(a, namen.get(a), n) for a, n in totalen.items()),
        # by name (by id when the afdeling has no name yet), 'onbekend' last
        key=lambda r: (r.afdeling_id == ONBEKEND, (r.afdeling_naam or r.afdeling_id).casefold(), r.afdeling_id),
    )
    return OpenDossiersRapport(
        werkgever_id=werkgever_id,
        peildatum=peildatum,
        totaal=sum(r.aantal for r in rijen),
        per_afdeling=tuple(rijen),
    )

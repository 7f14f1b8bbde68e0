"""The cases domain: the verzuimdossier aggregate and its rules. Pure: no I/O, no clock, no framework."""

from verzuim_cases.domain.dossier import (
    Arbeidsongeschiktheid,
    DossierStatus,
    Episode,
    Herstel,
    Stap,
    Verzuimdossier,
)
from verzuim_cases.domain.errors import (
    DossierAlHersteld,
    DossierFout,
    HerstelAlGeregistreerd,
    HerstelNietNaVorigeWijziging,
    HerstelVoorEersteZiektedag,
    OngeldigArbeidsongeschiktheidspercentage,
)

__all__ = [
    "Arbeidsongeschiktheid",
    "DossierAlHersteld",
    "DossierFout",
    "DossierStatus",
    "Episode",
    "Herstel",
    "HerstelAlGeregistreerd",
    "HerstelNietNaVorigeWijziging",
    "HerstelVoorEersteZiektedag",
    "OngeldigArbeidsongeschiktheidspercentage",
    "Stap",
    "Verzuimdossier",
]

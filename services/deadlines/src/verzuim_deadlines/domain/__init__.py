"""The WvP termijn rules: pure functions and value objects, no I/O and no clock reads."""

from verzuim_deadlines.domain.planning import (
    PROBLEEMANALYSE,
    REGELS,
    DossierFeiten,
    ZiektedagRegel,
    bij_volledig_herstel,
    plan_termijnen,
    reden_volledig_herstel,
)
from verzuim_deadlines.domain.samentelling import (
    SAMENTELLING_GRENS_DAGEN,
    Episode,
    OngeldigeEpisodes,
    huidig_verzuimgeval,
    sick_day_date,
    verzuimgevallen,
)
from verzuim_deadlines.domain.termijn import (
    OngeldigeStatusovergang,
    Termijn,
    TermijnCode,
    TermijnStatus,
    termijn_id,
)

__all__ = [
    "PROBLEEMANALYSE",
    "REGELS",
    "SAMENTELLING_GRENS_DAGEN",
    "DossierFeiten",
    "Episode",
    "OngeldigeEpisodes",
    "OngeldigeStatusovergang",
    "Termijn",
    "TermijnCode",
    "TermijnStatus",
    "ZiektedagRegel",
    "bij_volledig_herstel",
    "huidig_verzuimgeval",
    "plan_termijnen",
    "reden_volledig_herstel",
    "sick_day_date",
    "termijn_id",
    "verzuimgevallen",
]

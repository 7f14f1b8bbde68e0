"""A Termijn: one WvP deadline of a verzuimdossier, with its legal basis, how its date was derived, and its status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID

from verzuim_shared.ids import derived_id


class TermijnCode(StrEnum):
    """Every termijn of decisions D1–D3. The codes are part of the public contract (TermijnEvent.code)."""

    # D1: counted in sick days
    ARBODIENST_MELDING = "ARBODIENST_MELDING"
    PROBLEEMANALYSE = "PROBLEEMANALYSE"
    UWV_42E_WEEK_MELDING = "UWV_42E_WEEK_MELDING"
    EERSTEJAARSEVALUATIE = "EERSTEJAARSEVALUATIE"
    WACHTTIJD_EINDE = "WACHTTIJD_EINDE"
    # D2: relative to another fact
    PLAN_VAN_AANPAK = "PLAN_VAN_AANPAK"
    EVALUATIE = "EVALUATIE"
    SPOOR_2_START = "SPOOR_2_START"
    BELAFSPRAAK = "BELAFSPRAAK"
    # D3: relative to the end of the wachttijd
    RE_INTEGRATIEVERSLAG = "RE_INTEGRATIEVERSLAG"
    WIA_AANVRAAG = "WIA_AANVRAAG"

    @classmethod
    def _missing_(cls, value: object) -> TermijnCode | None:
        # Accept `probleemanalyse` for `PROBLEEMANALYSE` (query parameters are typed by people).
        return cls.__members__.get(value.upper()) if isinstance(value, str) else None


class TermijnStatus(StrEnum):
    OPEN = "open"
    VERVULD = "vervuld"  # the step was done
    VERVALLEN = "vervallen"  # no longer applicable, e.g. after volledig herstel (D5)
    VERSTREKEN = "verstreken"  # the due date passed without the step and without a motivated deviation (D7)
    AFGEWEKEN = "afgeweken"  # missed with a recorded motivation (Regeling procesgang art. 5; D5)

    @classmethod
    def _missing_(cls, value: object) -> TermijnStatus | None:
        # Accept `OPEN` for `open`: decisions.md writes the statuses in capitals.
        return cls.__members__.get(value.upper()) if isinstance(value, str) else None


# The reden of a VERSTREKEN termijn, whether the scheduler saw the day pass or a herstel closed it afterwards.
VERSTREKEN_REDEN = "verstreken zonder vervulling of motivering"


class OngeldigeStatusovergang(ValueError):
    """The termijn cannot move from its status to the requested one."""


@dataclass(frozen=True)
class Termijn:
    code: TermijnCode
    vervaldatum: date
    grondslag: str  # the legal basis
    afleiding: str  # how the vervaldatum follows from the dossier's facts, for people
    status: TermijnStatus = TermijnStatus.OPEN
    # Repeating termijnen (EVALUATIE) are numbered 1, 2, ...; a one-off termijn is number 1.
    volgnummer: int = 1
    reden: str | None = None  # why it ended as VERVALLEN or AFGEWEKEN
    # VERVULD: the business date of the step that fulfilled it, whether that was on time, and the dossier event.
    vervuld_op: date | None = None
    op_tijd: bool | None = None
    bron_event_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.volgnummer < 1:
            raise ValueError(f"volgnummer {self.volgnummer} van termijn {self.code} moet ten minste 1 zijn")

    @property
    def sleutel(self) -> tuple[TermijnCode, int]:
        return self.code, self.volgnummer

    def vervalt(self, reden: str) -> Termijn:
        """decisions D5: an open termijn falls away (e.g. at volledig herstel); it was not missed."""
        if self.status is not TermijnStatus.OPEN:
            raise OngeldigeStatusovergang(
                f"termijn {self.code} is {self.status.value} en kan niet meer vervallen (alleen een open termijn)"
            )
        return replace(self, status=TermijnStatus.VERVALLEN, reden=reden)


def termijn_id(dossier_id: UUID, code: TermijnCode, volgnummer: int = 1) -> UUID:
    """Deterministic: the same termijn of the same dossier always has the same id, so planning it twice (or
    publishing its TermijnGepland twice) creates nothing new."""
    return derived_id("termijn", dossier_id, code.value, volgnummer)

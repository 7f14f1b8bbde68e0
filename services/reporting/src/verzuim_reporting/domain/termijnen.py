"""Termijnbewaking: how the WvP termijnen of the deadlines service end, per code, from the termijn stream.

A termijn's state is that of its latest fact in the stream (the deadlines service publishes a termijn's facts in
order through its outbox). `nadert` is a reminder and changes no state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from verzuim_reporting.domain.kerncijfers import afronden
from verzuim_reporting.domain.periode import Periode


class TermijnFeitSoort(StrEnum):
    GEPLAND = "gepland"
    GEWIJZIGD = "gewijzigd"
    NADERT = "nadert"
    VERSTREKEN = "verstreken"
    VERVULD = "vervuld"
    VERVALLEN = "vervallen"
    AFGEWEKEN = "afgeweken"


class TermijnStatus(StrEnum):
    OPEN = "open"
    VERVULD_OP_TIJD = "vervuld_op_tijd"
    VERVULD_TE_LAAT = "vervuld_te_laat"
    VERSTREKEN = "verstreken"
    AFGEWEKEN = "afgeweken"
    VERVALLEN = "vervallen"


@dataclass(slots=True)  # not frozen: a rebuild makes millions (3x faster); never changed in place
class TermijnFeit:
    event_id: UUID
    termijn_id: UUID
    soort: TermijnFeitSoort
    code: str
    vervaldatum: date
    stream_sequence: int
    dossier_id: UUID
    werknemer_id: str
    vervuld_op: date | None = None
    op_tijd: bool | None = None


@dataclass(slots=True)  # not frozen: a rebuild makes millions (3x faster); never changed in place
class Termijn:
    termijn_id: UUID
    dossier_id: UUID
    werknemer_id: str
    code: str
    vervaldatum: date
    status: TermijnStatus
    vervuld_op: date | None


def volgende_toestand(toestand: Termijn | None, f: TermijnFeit) -> Termijn:
    """The state after one more fact (the next in stream order). The due date and code come from the latest fact.

    The live projector folds a termijn's stored facts with this; the rebuild folds each fact as it reads it."""
    if f.soort is TermijnFeitSoort.VERSTREKEN:
        status, vervuld_op = TermijnStatus.VERSTREKEN, toestand.vervuld_op if toestand else None
    elif f.soort is TermijnFeitSoort.VERVULD:
        status = TermijnStatus.VERVULD_OP_TIJD if f.op_tijd else TermijnStatus.VERVULD_TE_LAAT
        vervuld_op = f.vervuld_op
    elif f.soort is TermijnFeitSoort.VERVALLEN:
        status, vervuld_op = TermijnStatus.VERVALLEN, toestand.vervuld_op if toestand else None
    elif f.soort is TermijnFeitSoort.AFGEWEKEN:
        status, vervuld_op = TermijnStatus.AFGEWEKEN, toestand.vervuld_op if toestand else None
    elif f.soort is TermijnFeitSoort.NADERT and toestand is not None:
        status, vervuld_op = toestand.status, toestand.vervuld_op  # a reminder changes no state
    else:
        status, vervuld_op = TermijnStatus.OPEN, None  # (re)planned, e.g. after a correction; or first seen
    return Termijn(f.termijn_id, f.dossier_id, f.werknemer_id, f.code, f.vervaldatum, status, vervuld_op)


def termijn_toestand(feiten: list[TermijnFeit]) -> Termijn:
    """The state after the termijn's facts in stream order."""
    if not feiten:
        raise ValueError("a termijn has at least one fact")
    toestand: Termijn | None = None
    for f in sorted(feiten, key=lambda f: f.stream_sequence):
        toestand = volgende_toestand(toestand, f)
    assert toestand is not None
    return toestand


DEFINITIE_TERMIJNBEWAKING = (
    "Termijnbewaking: de WvP-termijnen met hun vervaldatum in de periode, per code, naar hoe ze er nu voor staan "
    "volgens de termijnstroom van de deadlines-service: open, vervuld op tijd, vervuld te laat, verstreken (niet "
    "vervuld en niet gemotiveerd), afgeweken (gemotiveerd, Regeling procesgang art. 5) of vervallen (niet meer van "
    "toepassing, bijvoorbeeld na volledig herstel). Aandeel op tijd = vervuld op tijd ÷ (vervuld op tijd + vervuld te "
    "laat + verstreken) × 100 %; open, afgeweken en vervallen termijnen tellen daarin niet mee."
)


@dataclass(frozen=True)
class TermijnTelling:
    code: str
    aantallen: dict[TermijnStatus, int]

    @property
    def totaal(self) -> int:
        return sum(self.aantallen.values())

    @property
    def beslist(self) -> int:
        a = self.aantallen
        return a[TermijnStatus.VERVULD_OP_TIJD] + a[TermijnStatus.VERVULD_TE_LAAT] + a[TermijnStatus.VERSTREKEN]

    @property
    def aandeel_op_tijd(self) -> Decimal | None:
        if self.beslist == 0:
            return None
        return afronden(Decimal(self.aantallen[TermijnStatus.VERVULD_OP_TIJD]) * 100 / self.beslist)


def lege_aantallen() -> dict[TermijnStatus, int]:
    return dict.fromkeys(TermijnStatus, 0)


def termijnbewaking(termijnen: Iterable[Termijn], periode: Periode) -> tuple[list[TermijnTelling], TermijnTelling]:
    """Counts per code (sorted by code) and in total, over the termijnen due in the period."""
    per_code: dict[str, dict[TermijnStatus, int]] = {}
    totaal = lege_aantallen()
    for t in termijnen:
        if not periode.bevat(t.vervaldatum):
            continue
        per_code.setdefault(t.code, lege_aantallen())[t.status] += 1
        totaal[t.status] += 1
    return [TermijnTelling(code, per_code[code]) for code in sorted(per_code)], TermijnTelling("totaal", totaal)

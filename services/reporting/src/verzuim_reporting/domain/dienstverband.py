"""Employment periods (dienstverbanden) of one werknemer, derived from the in- and uit-dienst facts.

The periods are the denominator of the verzuimpercentage and the headcount of the meldingsfrequentie (D8), so a
werknemer who leaves and comes back has two periods. Like the dossier state, they depend only on the facts, never on
the order in which the facts arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class MutatieSoort(StrEnum):
    IN_DIENST = "in_dienst"
    UIT_DIENST = "uit_dienst"


@dataclass(frozen=True)
class DienstverbandMutatie:
    soort: MutatieSoort
    datum: date  # in dienst: first day of employment; uit dienst: last day of employment
    stream_sequence: int


@dataclass(frozen=True)
class Dienstverband:
    datum_in_dienst: date
    datum_uit_dienst: date | None  # last day of employment; None while employed


def dienstverbanden(mutaties: list[DienstverbandMutatie]) -> list[Dienstverband]:
    """Pair the facts in date order (in dienst before uit dienst on the same day: a one-day contract).

    - An in-dienst while a period is still open belongs to that period (a repeated HR sync), it starts none.
    - An uit-dienst ends the latest period that started on or before it. When a period receives more than one
      uit-dienst before the next period starts, the most recently recorded one (highest stream sequence) is the
      correction that counts.
    - An uit-dienst before any in-dienst is ignored: there is no period to end.
    """
    volgorde = {MutatieSoort.IN_DIENST: 0, MutatieSoort.UIT_DIENST: 1}
    periodes: list[tuple[date, DienstverbandMutatie | None]] = []
    for m in sorted(mutaties, key=lambda m: (m.datum, volgorde[m.soort], m.stream_sequence)):
        if m.soort is MutatieSoort.IN_DIENST:
            if not periodes or periodes[-1][1] is not None:
                periodes.append((m.datum, None))
        elif periodes:
            start, einde = periodes[-1]
            if einde is None or m.stream_sequence > einde.stream_sequence:
                periodes[-1] = (start, m)
    return [Dienstverband(start, einde.datum if einde else None) for start, einde in periodes]

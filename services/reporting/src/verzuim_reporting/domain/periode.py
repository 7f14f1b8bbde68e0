"""Reporting periods: a calendar month, quarter or year, or any custom range of days (both ends inclusive).

Every figure is about the days inside its period only (decisions D8), so a period is a closed range of calendar days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodeSoort(StrEnum):
    MAAND = "maand"
    KWARTAAL = "kwartaal"
    JAAR = "jaar"
    AANGEPAST = "aangepast"


# How many periods of a kind make a year: the "× 4 per quarter" annualisation of the meldingsfrequentie (D8).
PERIODEN_PER_JAAR = {PeriodeSoort.MAAND: 12, PeriodeSoort.KWARTAAL: 4, PeriodeSoort.JAAR: 1}


class OngeldigePeriode(ValueError):
    """A period that cannot be read or that ends before it starts; the message says why in plain words."""


@dataclass(frozen=True, order=True)
class Periode:
    van: date
    tot: date  # inclusive
    soort: PeriodeSoort = PeriodeSoort.AANGEPAST

    def __post_init__(self) -> None:
        if self.tot < self.van:
            raise OngeldigePeriode(f"De periode eindigt ({self.tot}) vóór ze begint ({self.van}).")

    @property
    def dagen(self) -> int:
        return (self.tot - self.van).days + 1

    @property
    def label(self) -> str:
        if self.soort is PeriodeSoort.JAAR:
            return f"{self.van.year}"
        if self.soort is PeriodeSoort.KWARTAAL:
            return f"{self.van.year}-Q{(self.van.month - 1) // 3 + 1}"
        if self.soort is PeriodeSoort.MAAND:
            return f"{self.van.year}-{self.van.month:02d}"
        return f"{self.van.isoformat()}..{self.tot.isoformat()}"

    def bevat(self, dag: date) -> bool:
        return self.van <= dag <= self.tot

    def tot_en_met(self, dag: date) -> Periode:
        """The part of the period up to and including `dag` (a figure for a period that has not ended yet is about
        the days so far). The kind is kept only when nothing is cut off."""
        if dag >= self.tot:
            return self
        if dag < self.van:
            raise OngeldigePeriode(f"De periode {self.label} begint na {dag.isoformat()}: er is nog niets te tellen.")
        return Periode(self.van, dag)


def maand(jaar: int, maand_nr: int) -> Periode:
    start = date(jaar, maand_nr, 1)
    volgende = date(jaar + 1, 1, 1) if maand_nr == 12 else date(jaar, maand_nr + 1, 1)
    return Periode(start, volgende - timedelta(days=1), PeriodeSoort.MAAND)


def kwartaal(jaar: int, nummer: int) -> Periode:
    start = date(jaar, 3 * (nummer - 1) + 1, 1)
    einde = maand(jaar, 3 * nummer).tot
    return Periode(start, einde, PeriodeSoort.KWARTAAL)


def jaar(jaar_nr: int) -> Periode:
    return Periode(date(jaar_nr, 1, 1), date(jaar_nr, 12, 31), PeriodeSoort.JAAR)


_JAAR = re.compile(r"^(\d{4})$")
_KWARTAAL = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MAAND = re.compile(r"^(\d{4})-(\d{2})$")
_BEREIK = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def lees_periode(tekst: str) -> Periode:
    """`2025` (year), `2025-Q1` (quarter), `2025-03` (month) or `2025-01-01..2025-02-15` (custom, inclusive)."""
    tekst = tekst.strip()
    try:
        if m := _JAAR.match(tekst):
            return jaar(int(m[1]))
        if m := _KWARTAAL.match(tekst):
            return kwartaal(int(m[1]), int(m[2]))
        if m := _MAAND.match(tekst):
            return maand(int(m[1]), int(m[2]))
        if m := _BEREIK.match(tekst):
            return Periode(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
    except ValueError as exc:
        if isinstance(exc, OngeldigePeriode):
            raise
        raise OngeldigePeriode(f"'{tekst}' is geen bestaande periode: {exc}.") from None
    raise OngeldigePeriode(
        f"'{tekst}' is geen periode. Gebruik een jaar (2025), kwartaal (2025-Q1), maand (2025-03) "
        "of een reeks dagen (2025-01-01..2025-02-15)."
    )


class Interval(StrEnum):
    MAAND = "maand"
    KWARTAAL = "kwartaal"
    JAAR = "jaar"


def _periode_van(dag: date, interval: Interval) -> Periode:
    if interval is Interval.MAAND:
        return maand(dag.year, dag.month)
    if interval is Interval.KWARTAAL:
        return kwartaal(dag.year, (dag.month - 1) // 3 + 1)
    return jaar(dag.year)


def indelen(periode: Periode, interval: Interval) -> list[Periode]:
    """The calendar months, quarters or years that make up the period, in order. The first and last are cut to the
    period when it does not start or end on a boundary (they then become custom periods)."""
    delen: list[Periode] = []
    dag = periode.van
    while dag <= periode.tot:
        geheel = _periode_van(dag, interval)
        van, tot = max(geheel.van, periode.van), min(geheel.tot, periode.tot)
        delen.append(geheel if (van, tot) == (geheel.van, geheel.tot) else Periode(van, tot))
        dag = geheel.tot + timedelta(days=1)
    return delen


def overlap_dagen(van: date, tot: date | None, periode: Periode) -> int:
    """Days of [van, tot] (tot None: still running) that fall inside the period; 0 when they don't meet."""
    einde = periode.tot if tot is None else min(tot, periode.tot)
    begin = max(van, periode.van)
    return max(0, (einde - begin).days + 1)

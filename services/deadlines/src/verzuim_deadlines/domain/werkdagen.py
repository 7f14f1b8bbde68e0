"""Werkdagen (decisions D6): Monday to Friday, minus the Dutch public holidays, minus a werkgever's own days off.

The holidays come from the `holidays` package with the categories PUBLIC and OPTIONAL, so Bevrijdingsdag (5 May) is a
day off every year, and Goede Vrijdag too; Easter-based days (Easter Monday, Ascension Day, Whit Monday) are computed
for every year, never tabled. Koningsdag moves to the 26th when the 27th of April is a Sunday.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _feestdagen(jaar: int) -> frozenset[date]:
    kalender = holidays.country_holidays("NL", years=jaar, categories=(holidays.PUBLIC, holidays.OPTIONAL))
    return frozenset(kalender)


def feestdag(dag: date) -> bool:
    return dag in _feestdagen(dag.year)


class Werkdagkalender:
    """Which days are werkdagen for one werkgever."""

    def __init__(self, extra_vrije_dagen: Iterable[date] = ()) -> None:
        self._extra = frozenset(extra_vrije_dagen)

    def is_werkdag(self, dag: date) -> bool:
        return dag.weekday() < 5 and not feestdag(dag) and dag not in self._extra

    def plus_werkdagen(self, dag: date, aantal: int) -> date:
        """The date `aantal` werkdagen after `dag` (`dag` itself does not count): "within 10 werkdagen" of a
        ziekmelding on a Monday without holidays is the Monday two weeks later."""
        if aantal < 0:
            raise ValueError("aantal werkdagen moet 0 of meer zijn")
        resultaat = dag
        while aantal:
            resultaat += timedelta(days=1)
            if self.is_werkdag(resultaat):
                aantal -= 1
        return resultaat

    def niet_meegeteld(self, van: date, tot: date) -> list[date]:
        """The weekdays in (van, tot] that did not count because they were a holiday or a werkgever's day off."""
        dagen = []
        dag = van + timedelta(days=1)
        while dag <= tot:
            if dag.weekday() < 5 and not self.is_werkdag(dag):
                dagen.append(dag)
            dag += timedelta(days=1)
        return dagen

"""The meldtijd: until when on the first sick day a ziekmelding counts as on time.

Seed verzuimprotocols: report sick before 9:00 at the leidinggevende, before 10:00 at verzuim support. The
cut-off is a Dutch wall-clock time on the eerste ziektedag, so it is +01:00 in winter and +02:00 in summer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from verzuim_shared.clock import NL
from verzuim_shared.events import MeldingOntvanger


@dataclass(frozen=True)
class Meldtijden:
    """A werkgever's cut-off times (Europe/Amsterdam wall-clock)."""

    leidinggevende: time
    verzuim_support: time

    def voor(self, ontvanger: MeldingOntvanger) -> time:
        if ontvanger is MeldingOntvanger.VERZUIM_SUPPORT:
            return self.verzuim_support
        return self.leidinggevende


def meldtijd_grens(eerste_ziektedag: date, ontvanger: MeldingOntvanger, meldtijden: Meldtijden) -> datetime:
    """The cut-off moment: the eerste ziektedag at the werkgever's meldtijd for `ontvanger`, in Europe/Amsterdam."""
    return datetime.combine(eerste_ziektedag, meldtijden.voor(ontvanger), tzinfo=NL)


def is_na_meldtijd(gemeld_op: datetime, grens: datetime) -> bool:
    """A melding exactly at the cut-off is still on time; one second later is not."""
    return gemeld_op > grens

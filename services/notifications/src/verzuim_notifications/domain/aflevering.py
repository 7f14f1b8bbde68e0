"""Channels beyond the inbox: a person's preferences, and the rules for delivering over e-mail and webhooks.

- The inbox always gets the message: it is where a task is marked done, and where the role's team finds it. The
  preferences add e-mail and/or a webhook, and choose for e-mail between at once and one daily digest.
- A delivery that fails is retried with exponential back-off; a failure that retrying cannot fix (a refused address,
  a 4xx answer other than 408/429) or the last attempt puts it on the dead-letter list with the reason, from where it
  can be replayed. Pure: the decisions only; adapters send, the store keeps the state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from verzuim_shared.clock import NL

from verzuim_notifications.domain.routering import Kanaal


class Bezorging(StrEnum):
    DIRECT = "direct"
    DAGELIJKS = "dagelijks"  # e-mail: one digest a day; webhooks are always direct (machines do not need a digest)


@dataclass(frozen=True)
class Voorkeur:
    kanalen: frozenset[Kanaal] = frozenset({Kanaal.INBOX, Kanaal.EMAIL})
    bezorging: Bezorging = Bezorging.DIRECT

    def __post_init__(self) -> None:
        if Kanaal.INBOX not in self.kanalen:
            object.__setattr__(self, "kanalen", self.kanalen | {Kanaal.INBOX})


STANDAARD_VOORKEUR = Voorkeur()


def kanalen_voor(
    voorkeur: Voorkeur, *, email_bekend: bool, email_aan: bool, webhook_bekend: bool
) -> tuple[Kanaal, ...]:
    """The channels a person's message goes over: the inbox, plus e-mail when wanted, configured and an address is
    known, plus the webhook when wanted and set."""
    kanalen = [Kanaal.INBOX]
    if Kanaal.EMAIL in voorkeur.kanalen and email_aan and email_bekend:
        kanalen.append(Kanaal.EMAIL)
    if Kanaal.WEBHOOK in voorkeur.kanalen and webhook_bekend:
        kanalen.append(Kanaal.WEBHOOK)
    return tuple(kanalen)


class AfleverStatus(StrEnum):
    WACHTEND = "wachtend"  # to be sent (again) from `volgende_poging_op`
    VERZONDEN = "verzonden"
    MISLUKT = "mislukt"  # on the dead-letter list, with the reason; can be replayed


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off: the n-th retry waits basis × factor^(n-1), at most `maximum`, seconds."""

    basis_s: float = 30.0
    factor: float = 2.0
    maximum_s: float = 3600.0
    max_pogingen: int = 8

    def wachttijd(self, pogingen: int) -> float:
        """Seconds to wait after `pogingen` failed attempts."""
        return float(min(self.maximum_s, self.basis_s * self.factor ** max(0, pogingen - 1)))


class Afleverfout(Exception):
    """A delivery failed. `blijvend`: retrying cannot help (dead-letter at once)."""

    def __init__(self, reden: str, *, blijvend: bool = False) -> None:
        super().__init__(reden)
        self.reden = reden
        self.blijvend = blijvend


@dataclass(frozen=True)
class NaPoging:
    status: AfleverStatus
    wacht_s: float | None = None  # for WACHTEND: when to try again
    reden: str | None = None


def na_poging(pogingen: int, fout: Afleverfout | None, backoff: Backoff) -> NaPoging:
    """What happens after attempt number `pogingen` (1-based) ended with `fout` (None: delivered)."""
    if fout is None:
        return NaPoging(AfleverStatus.VERZONDEN)
    if fout.blijvend:
        return NaPoging(AfleverStatus.MISLUKT, reden=f"blijvende fout bij poging {pogingen}: {fout.reden}")
    if pogingen >= backoff.max_pogingen:
        return NaPoging(AfleverStatus.MISLUKT, reden=f"opgegeven na {pogingen} pogingen: {fout.reden}")
    return NaPoging(AfleverStatus.WACHTEND, wacht_s=backoff.wachttijd(pogingen), reden=fout.reden)


def http_fout(status: int) -> Afleverfout | None:
    """A webhook answer: 2xx delivered; 408, 429 and 5xx worth retrying; any other status will not get better."""
    if 200 <= status < 300:
        return None
    return Afleverfout(f"de ontvanger antwoordde HTTP {status}", blijvend=status < 500 and status not in (408, 429))


# ------------------------------------------------------------------------------------------------ daily digest


def digest_moment(dag: date, uur: int) -> datetime:
    """The moment the digest of `dag` is sent: `uur` o'clock Dutch time."""
    return datetime.combine(dag, time(hour=uur), tzinfo=NL)


def laatste_digestdag(nu: datetime, uur: int) -> date:
    """The latest day whose digest moment has passed at `nu`: today after `uur`, else yesterday. The digest of that
    day holds every digest message made before its moment and not yet sent."""
    vandaag = nu.astimezone(NL).date()
    return vandaag if nu >= digest_moment(vandaag, uur) else vandaag - timedelta(days=1)

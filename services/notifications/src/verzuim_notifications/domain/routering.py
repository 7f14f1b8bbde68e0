"""Who receives a message, over which channel. Two steps, both pure:

1. the recipient resolver finds the person (today: the werknemer's leidinggevende) from the personeel facts;
2. the routing step turns that into destinations (recipient + channel), with the fallback role when no person is
   known, and decides whether it is still worth waiting for personeel data that may lag behind.

A later slice routes by the werkgever's regie model (casemanager, verzuimcoach, HR adviseur, rayonmanager) and adds
channels (e-mail, webhook) and preferences; they plug in here without changing the callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from verzuim_shared.events import Rol

from verzuim_notifications.domain.personeel import Afdeling, Medewerker


class Kanaal(StrEnum):
    INBOX = "inbox"


@dataclass(frozen=True)
class Ontvanger:
    rol: Rol
    # None: addressed to the role, i.e. to everybody with this role at the werkgever.
    id: str | None = None


@dataclass(frozen=True)
class Bestemming:
    ontvanger: Ontvanger
    kanaal: Kanaal


class OnbekendeLeidinggevende(StrEnum):
    """Why no leidinggevende was found."""

    MEDEWERKER_ONBEKEND = "medewerker_onbekend"
    AFDELING_ONBEKEND = "afdeling_onbekend"
    GEEN_LEIDINGGEVENDE = "geen_leidinggevende"
    EIGEN_LEIDINGGEVENDE = "eigen_leidinggevende"

    @property
    def kan_nog_komen(self) -> bool:
        """The personeel stream may lag: missing data may still arrive, a known afdeling without one will not."""
        return self in (OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND, OnbekendeLeidinggevende.AFDELING_ONBEKEND)


@dataclass(frozen=True)
class Leidinggevende:
    id: str


def zoek_leidinggevende(
    medewerker: Medewerker | None, afdeling: Afdeling | None
) -> Leidinggevende | OnbekendeLeidinggevende:
    """The medewerker's own leidinggevende if set, else the leidinggevende of the medewerker's afdeling."""
    if medewerker is None or medewerker.afdeling_id is None:
        return OnbekendeLeidinggevende.MEDEWERKER_ONBEKEND
    gevonden = medewerker.leidinggevende_id
    if gevonden is None:
        if afdeling is None or afdeling.afdeling_id != medewerker.afdeling_id:
            return OnbekendeLeidinggevende.AFDELING_ONBEKEND
        gevonden = afdeling.leidinggevende_id
    if gevonden is None:
        return OnbekendeLeidinggevende.GEEN_LEIDINGGEVENDE
    if gevonden == medewerker.werknemer_id:
        # The leidinggevende is the werknemer: nobody would act on a message to themselves.
        return OnbekendeLeidinggevende.EIGEN_LEIDINGGEVENDE
    return Leidinggevende(gevonden)


class PersoneelNogNietBekend(Exception):
    """The personeel data needed to route may still arrive: try again later."""

    def __init__(self, werkgever_id: str, werknemer_id: str, reden: OnbekendeLeidinggevende) -> None:
        super().__init__(f"geen leidinggevende voor werknemer {werknemer_id} van werkgever {werkgever_id}: {reden}")
        self.werkgever_id = werkgever_id
        self.werknemer_id = werknemer_id
        self.reden = reden


@dataclass(frozen=True)
class Routering:
    bestemmingen: tuple[Bestemming, ...]
    # Set when the message goes to the fallback role because no leidinggevende is known; the text says so.
    zonder_leidinggevende: OnbekendeLeidinggevende | None = None


def kanalen_voor(ontvanger: Ontvanger) -> tuple[Kanaal, ...]:
    """The channels of a recipient; preferences (e-mail, webhook) come later, the inbox always gets a copy."""
    return (Kanaal.INBOX,)


def routeer_naar_leidinggevende(
    gevonden: Leidinggevende | OnbekendeLeidinggevende,
    *,
    werkgever_id: str,
    werknemer_id: str,
    fallback_rol: Rol,
    laatste_poging: bool,
) -> Routering:
    """To the leidinggevende; without one, to the fallback role, but only once waiting cannot help any more
    (the data will not come, or this is the last attempt): a ziekmelding is never lost."""
    if isinstance(gevonden, Leidinggevende):
        ontvanger = Ontvanger(Rol.LEIDINGGEVENDE, gevonden.id)
        return Routering(tuple(Bestemming(ontvanger, kanaal) for kanaal in kanalen_voor(ontvanger)))
    if gevonden.kan_nog_komen and not laatste_poging:
        raise PersoneelNogNietBekend(werkgever_id, werknemer_id, gevonden)
    ontvanger = Ontvanger(fallback_rol, None)
    return Routering(
        tuple(Bestemming(ontvanger, kanaal) for kanaal in kanalen_voor(ontvanger)), zonder_leidinggevende=gevonden
    )

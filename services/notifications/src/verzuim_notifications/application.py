"""The use cases: keep the personeel projection, turn dossier facts into messages, and read and mark the inbox.

The ports below are what the use cases need from storage and templates; `adapters/` implements them on PostgreSQL
and Jinja2, `bootstrap.py` wires them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from verzuim_shared.auth import Principal
from verzuim_shared.clock import Clock
from verzuim_shared.events import (
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    Rol,
)

from verzuim_notifications.domain import personeel
from verzuim_notifications.domain.berichten import (
    Bericht,
    BerichtType,
    Tekst,
    ZiekmeldingInhoud,
    bericht_id,
    dossier_link,
    ziekmelding_inhoud,
)
from verzuim_notifications.domain.inbox import InboxItem, InboxStatus, markeer
from verzuim_notifications.domain.personeel import Afdeling, Medewerker
from verzuim_notifications.domain.routering import routeer_naar_leidinggevende, zoek_leidinggevende

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------------ ports


class PersoneelStore(Protocol):
    async def medewerker(self, werkgever_id: str, werknemer_id: str) -> Medewerker | None: ...

    async def afdeling(self, werkgever_id: str, afdeling_id: str) -> Afdeling | None: ...

    async def wijzig_medewerker(
        self, werkgever_id: str, werknemer_id: str, wijziging: Callable[[Medewerker | None], Medewerker]
    ) -> None:
        """Apply `wijziging` to the stored medewerker and store the result, atomically."""
        ...

    async def wijzig_afdeling(
        self, werkgever_id: str, afdeling_id: str, wijziging: Callable[[Afdeling | None], Afdeling]
    ) -> None: ...


@dataclass(frozen=True)
class BronEvent:
    event_id: UUID
    werkgever_id: str
    subject: str


class Berichtenlog(Protocol):
    """Every message once: per source event the routing decision is recorded with its messages, atomically."""

    async def is_verwerkt(self, event_id: UUID) -> bool: ...

    async def leg_vast(self, bron: BronEvent, berichten: Sequence[Bericht]) -> bool:
        """Store the messages of `bron` unless it was handled before; True when they were stored now."""
        ...


class InboxStore(Protocol):
    async def items(self, principal: Principal, status: InboxStatus | None, limit: int) -> list[InboxItem]: ...

    async def wijzig_item(
        self, principal: Principal, item_id: UUID, wijziging: Callable[[InboxItem], InboxItem]
    ) -> InboxItem | None:
        """Apply `wijziging` to an item the principal may see; None when there is no such item."""
        ...


class Sjablonen(Protocol):
    def ziekmelding(self, inhoud: ZiekmeldingInhoud) -> Tekst: ...


# ------------------------------------------------------------------------------------------------------ use cases


class PersoneelProjectie:
    """Keeps who is who from the personeel stream. `sequence` is the message's stream sequence (order of facts)."""

    def __init__(self, store: PersoneelStore) -> None:
        self._store = store

    async def verwerk(self, event: Event, sequence: int) -> None:
        match event:
            case MedewerkerInDienst():
                await self._store.wijzig_medewerker(
                    event.werkgever_id, event.werknemer_id, lambda m: personeel.na_in_dienst(m, event, sequence)
                )
            case MedewerkerGegevensGewijzigd():
                await self._store.wijzig_medewerker(
                    event.werkgever_id,
                    event.werknemer_id,
                    lambda m: personeel.na_gegevens_gewijzigd(m, event, sequence),
                )
            case MedewerkerUitDienst():
                await self._store.wijzig_medewerker(
                    event.werkgever_id, event.werknemer_id, lambda m: personeel.na_uit_dienst(m, event)
                )
            case AfdelingVastgelegd():
                await self._store.wijzig_afdeling(
                    event.werkgever_id,
                    event.afdeling_id,
                    lambda a: personeel.na_afdeling_vastgelegd(a, event, sequence),
                )
            case _:
                pass  # other personeel facts do not change who receives what


class Notificaties:
    """Turns dossier facts into messages for the right people."""

    def __init__(
        self,
        personeel: PersoneelStore,
        berichtenlog: Berichtenlog,
        sjablonen: Sjablonen,
        clock: Clock,
        *,
        public_url_cases: str,
        fallback_rol: Rol,
    ) -> None:
        self._personeel = personeel
        self._berichtenlog = berichtenlog
        self._sjablonen = sjablonen
        self._clock = clock
        self._public_url_cases = public_url_cases
        self._fallback_rol = fallback_rol

    async def verwerk(self, event: Event, *, laatste_poging: bool) -> None:
        """Raises PersoneelNogNietBekend when the recipient may still become known (not on the last attempt)."""
        if isinstance(event, DossierGeopend):
            await self._dossier_geopend(event, laatste_poging=laatste_poging)

    async def _dossier_geopend(self, event: DossierGeopend, *, laatste_poging: bool) -> None:
        # Handled before (a redelivery, or the same fact published again): the first routing decision stands.
        if await self._berichtenlog.is_verwerkt(event.event_id):
            return
        medewerker = await self._personeel.medewerker(event.werkgever_id, event.werknemer_id)
        afdeling = None
        if medewerker is not None and medewerker.afdeling_id is not None:
            afdeling = await self._personeel.afdeling(event.werkgever_id, medewerker.afdeling_id)
        routering = routeer_naar_leidinggevende(
            zoek_leidinggevende(medewerker, afdeling),
            werkgever_id=event.werkgever_id,
            werknemer_id=event.werknemer_id,
            fallback_rol=self._fallback_rol,
            laatste_poging=laatste_poging,
        )
        link = dossier_link(self._public_url_cases, event.dossier_id)
        inhoud = ziekmelding_inhoud(event, medewerker, link=link, zonder_leidinggevende=routering.zonder_leidinggevende)
        tekst = self._sjablonen.ziekmelding(inhoud)
        nu = self._clock.now()
        berichten = [
            Bericht(
                id=bericht_id(event.event_id, bestemming),
                werkgever_id=event.werkgever_id,
                bron_event_id=event.event_id,
                bestemming=bestemming,
                type=BerichtType.ZIEKMELDING,
                titel=tekst.titel,
                tekst=tekst.tekst,
                dossier_id=event.dossier_id,
                werknemer_id=event.werknemer_id,
                link=link,
                deadline=inhoud.contactdag,
                aangemaakt_op=nu,
            )
            for bestemming in routering.bestemmingen
        ]
        nieuw = await self._berichtenlog.leg_vast(
            BronEvent(event.event_id, event.werkgever_id, event.subject()), berichten
        )
        if nieuw and routering.zonder_leidinggevende is not None:
            logger.warning(
                "no leidinggevende for werknemer %s of werkgever %s (%s): the ziekmelding went to role %s",
                event.werknemer_id,
                event.werkgever_id,
                routering.zonder_leidinggevende.value,
                self._fallback_rol.value,
            )


class Inbox:
    def __init__(self, store: InboxStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def items(self, principal: Principal, status: InboxStatus | None = None, limit: int = 100) -> list[InboxItem]:
        """The caller's items: addressed to them, or to their role without a person."""
        return await self._store.items(principal, status, limit)

    async def markeer(self, principal: Principal, item_id: UUID, status: InboxStatus) -> InboxItem | None:
        nu = self._clock.now()
        return await self._store.wijzig_item(principal, item_id, lambda item: markeer(item, status, nu))

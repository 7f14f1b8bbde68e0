"""The use cases: keep the personeel and dossier facts, route signals by the regiemodel into messages, configure the
routing, deliver over e-mail and webhooks, and read and mark the inbox.

The ports below are what the use cases need from storage, templates and the outside world; `adapters/` implements
them on PostgreSQL, Jinja2, SMTP and HTTP, `bootstrap.py` wires them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from verzuim_shared.auth import Principal
from verzuim_shared.clock import NL, Clock
from verzuim_shared.events import (
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
)
from verzuim_shared.events.dossier import (
    BegeleiderRol,
    BegeleiderToegewezen,
    EpisodeToegevoegd,
    PlanVanAanpakVastgesteld,
    SpreekuurGepland,
)
from verzuim_shared.ids import derived_id
from verzuim_shared.loops import raise_if_cancelled, wait_for_wakeup

from verzuim_notifications.domain import personeel
from verzuim_notifications.domain.aflevering import (
    STANDAARD_VOORKEUR,
    Afleverfout,
    AfleverStatus,
    Backoff,
    Bezorging,
    NaPoging,
    Voorkeur,
    digest_moment,
    kanalen_voor,
    laatste_digestdag,
    na_poging,
)
from verzuim_notifications.domain.berichten import Bericht, BerichtInhoud, Tekst, bericht_id, inhoud_voor
from verzuim_notifications.domain.frequent_verzuim import (
    FrequentSignaal,
    FrequentVerzuimUitkomst,
    Melding,
    nieuwe_signalen,
)
from verzuim_notifications.domain.inbox import InboxItem, InboxStatus, markeer
from verzuim_notifications.domain.personeel import Afdeling, Medewerker
from verzuim_notifications.domain.presets import preset
from verzuim_notifications.domain.regiemodel import (
    Ontvangerrol,
    Regiemodel,
    RegiemodelVersie,
    controleer_nieuwe_versie,
    geldend_op,
)
from verzuim_notifications.domain.routering import (
    Bestemming,
    Betrokkenen,
    ContactNogNietBekend,
    DossierBegeleiding,
    Kanaal,
    Ontvanger,
    Routeringsgat,
    routeer,
)
from verzuim_notifications.domain.signalen import Signaal, SignaalSoort, beeindigt_termijn, signaal_uit

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------------ ports


class PersoneelStore(Protocol):
    async def medewerker(self, werkgever_id: str, werknemer_id: str) -> Medewerker | None: ...

    async def medewerkers(self, werkgever_id: str, werknemer_ids: Collection[str]) -> dict[str, Medewerker]: ...

    async def medewerker_met_afdeling(
        self, werkgever_id: str, werknemer_id: str
    ) -> tuple[Medewerker | None, Afdeling | None]:
        """The medewerker and their afdeling (None while either is not known), in one read."""
        ...

    async def afdeling(self, werkgever_id: str, afdeling_id: str) -> Afdeling | None: ...

    async def wijzig_medewerker(
        self, werkgever_id: str, werknemer_id: str, wijziging: Callable[[Medewerker | None], Medewerker]
    ) -> None:
        """Apply `wijziging` to the stored medewerker and store the result, atomically."""
        ...

    async def wijzig_afdeling(
        self, werkgever_id: str, afdeling_id: str, wijziging: Callable[[Afdeling | None], Afdeling]
    ) -> None: ...


class DossierStore(Protocol):
    """The dossier facts routing needs: who guides it, and every melding of a werknemer."""

    async def wijs_toe(
        self, werkgever_id: str, dossier_id: UUID, rol: Ontvangerrol, persoon_id: str, versie: int
    ) -> None:
        """Record `persoon_id` in `rol` for the dossier, unless a later dossier version already set that role."""
        ...

    async def begeleiding(self, werkgever_id: str, dossier_id: UUID) -> DossierBegeleiding: ...

    async def registreer_melding(
        self,
        werkgever_id: str,
        werknemer_id: str,
        dossier_id: UUID,
        melding: Melding,
        bron_event_id: UUID,
        bepaal: Callable[[list[Melding], set[tuple[UUID, FrequentSignaal]]], list[FrequentVerzuimUitkomst]],
    ) -> list[GegevenFrequentSignaal]:
        """Store the melding and the frequent-verzuim signals `bepaal(meldingen, signals given before)` finds, in one
        transaction that waits for any other melding of the same werknemer (so two meldingen handled side by side
        both count). Answer every signal this source event raised, now or on an earlier attempt."""
        ...


@dataclass(frozen=True)
class GegevenFrequentSignaal:
    """A frequent-verzuim signal raised for a melding, with the dossier of that melding."""

    uitkomst: FrequentVerzuimUitkomst
    dossier_id: UUID


@dataclass(frozen=True)
class Rolhouder:
    rol: Ontvangerrol
    persoon_id: str
    afdeling_id: str | None = None
    naam: str | None = None
    email: str | None = None
    organisatie: str | None = None
    bijgewerkt_op: datetime | None = None
    bijgewerkt_door: str | None = None


class ConfiguratieStore(Protocol):
    async def versies(self, werkgever_id: str, afdeling_id: str | None) -> list[RegiemodelVersie]: ...

    async def versies_van(
        self, werkgever_id: str, afdeling_ids: Sequence[str | None]
    ) -> dict[str | None, list[RegiemodelVersie]]:
        """The versions of several scopes at once (None: the werkgever's own)."""
        ...

    async def voeg_versie_toe(
        self, werkgever_id: str, afdeling_id: str | None, maak: Callable[[int], RegiemodelVersie]
    ) -> RegiemodelVersie:
        """Append the version `maak(current version number)` returns, atomically per scope."""
        ...

    async def rolbezetting(self, werkgever_id: str, afdeling_id: str | None) -> list[Rolhouder]:
        """The entries of exactly this scope (afdeling_id None: the werkgever's own)."""
        ...

    async def rolbezetting_van(
        self, werkgever_id: str, afdeling_ids: Sequence[str | None]
    ) -> dict[str | None, list[Rolhouder]]:
        """The entries of several scopes at once."""
        ...

    async def zet_rolhouder(self, werkgever_id: str, rolhouder: Rolhouder) -> None: ...

    async def verwijder_rolhouder(self, werkgever_id: str, afdeling_id: str | None, rol: Ontvangerrol) -> bool: ...

    async def gaten(self, werkgever_id: str, sinds: datetime | None, limit: int) -> list[GeregistreerdGat]: ...


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str


class VoorkeurStore(Protocol):
    async def voorkeur(self, werkgever_id: str, persoon_id: str) -> Voorkeur | None: ...

    async def voorkeuren(
        self, werkgever_id: str, persoon_ids: Collection[str]
    ) -> dict[str, tuple[Voorkeur, Webhook | None]]:
        """The preferences and webhook of the people who set any (the others have the default)."""
        ...

    async def zet_voorkeur(self, werkgever_id: str, persoon_id: str, voorkeur: Voorkeur, nu: datetime) -> None: ...

    async def webhook(self, werkgever_id: str, persoon_id: str) -> Webhook | None: ...

    async def zet_webhook(self, werkgever_id: str, persoon_id: str, webhook: Webhook | None, nu: datetime) -> None: ...


@dataclass(frozen=True)
class BronEvent:
    event_id: UUID
    werkgever_id: str
    subject: str
    regiemodel_bron: str | None = None
    regiemodel_versie: int | None = None
    regiemodel_basis: str | None = None
    # The message's place in its stream; for a termijn signal it tells whether the termijn ended after it.
    volgnummer: int | None = None
    termijn_id: UUID | None = None


@dataclass(frozen=True)
class NieuweAflevering:
    """An e-mail or webhook call to make, written with the messages it carries (transactional outbox)."""

    id: UUID
    werkgever_id: str
    kanaal: Kanaal
    ontvanger_id: str
    adres: str
    onderwerp: str
    inhoud: str
    bericht_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class GeregistreerdGat:
    werkgever_id: str
    signaal_id: UUID
    bron_event_id: UUID
    signaal: str
    dossier_id: UUID | None
    werknemer_id: str
    gat: Routeringsgat
    aangemaakt_op: datetime


@dataclass
class Routeringsbesluit:
    """Everything one source event leads to, stored in one transaction."""

    bron: BronEvent
    berichten: list[Bericht] = field(default_factory=list)
    afleveringen: list[NieuweAflevering] = field(default_factory=list)
    gaten: list[GeregistreerdGat] = field(default_factory=list)
    # The termijn of this signal ended later in its stream (its end was handled first): the inbox items are stored
    # as done by the system.
    termijn_afgesloten: bool = False

    def na_einde_termijn(self) -> Routeringsbesluit:
        """The decision when the signal's termijn has already ended (vervuld, vervallen, afgeweken) by a fact that came
        after it in the stream: the inbox keeps the item, done, as if it had been closed after it arrived, and nothing
        is e-mailed or sent to a webhook about a termijn nobody has to act on any more."""
        return replace(
            self,
            berichten=[b for b in self.berichten if b.bestemming.kanaal is Kanaal.INBOX],
            afleveringen=[],
            termijn_afgesloten=True,
        )


class Berichtenlog(Protocol):
    """Every message once: per source event the routing decision is recorded with its messages, deliveries and gaps,
    atomically."""

    async def neem_aan(self, event_id: UUID, werkgever_id: str, subject: str) -> bool:
        """Record, in the unit of work, that the source event is being routed; False when it was routed before (then
        its first routing decision stands). A second handler of the same event waits here until the first one's
        unit is committed or rolled back."""
        ...

    async def leg_vast(self, besluit: Routeringsbesluit) -> Routeringsbesluit:
        """Store the decision of an event taken on with `neem_aan`, in the same unit of work, and answer what was
        stored: for a termijn signal whose termijn ended after it in the stream (`sluit_termijn_taken` with a later
        volgnummer) that is `besluit.na_einde_termijn()`, decided under the same lock per termijn as the closing."""
        ...

    async def sluit_termijn_taken(self, werkgever_id: str, termijn_id: UUID, volgnummer: int, nu: datetime) -> int:
        """The termijn ended with the message at `volgnummer`: mark the open inbox items of the signals before it
        afgehandeld (by the system), and remember the end for signals handled later; the number closed."""
        ...


class InboxStore(Protocol):
    async def items(self, principal: Principal, status: InboxStatus | None, limit: int) -> list[InboxItem]: ...

    async def wijzig_item(
        self, principal: Principal, item_id: UUID, wijziging: Callable[[InboxItem], InboxItem]
    ) -> InboxItem | None:
        """Apply `wijziging` to an item the principal may see; None when there is no such item."""
        ...


@dataclass(frozen=True)
class TeVersturen:
    id: UUID
    werkgever_id: str
    kanaal: Kanaal
    ontvanger_id: str
    adres: str
    onderwerp: str
    inhoud: str
    pogingen: int  # including this one


@dataclass(frozen=True)
class Poging:
    ronde: int  # 0, then one more for every replay from the dead-letter list
    poging: int
    op: datetime
    gelukt: bool
    fout: str | None


@dataclass(frozen=True)
class AfleveringStaat:
    id: UUID
    werkgever_id: str
    kanaal: Kanaal
    ontvanger_id: str
    adres: str
    onderwerp: str
    status: AfleverStatus
    pogingen: int
    laatste_fout: str | None
    aangemaakt_op: datetime
    verzonden_op: datetime | None
    mislukt_op: datetime | None
    volgende_poging_op: datetime | None
    opnieuw_aangeboden: int
    poging_log: tuple[Poging, ...] = ()


@dataclass(frozen=True)
class DigestBericht:
    id: UUID
    titel: str
    deadline: date | None
    link: str | None
    soort: str


class AfleverStore(Protocol):
    async def claim(self, limit: int, lease_s: float) -> list[TeVersturen]:
        """Due deliveries, each claimed for `lease_s` seconds (a crashed sender's claim runs out); counts the
        attempt."""
        ...

    async def registreer(self, uitkomsten: Sequence[tuple[UUID, int, NaPoging]]) -> None:
        """Record the outcome of each (delivery, attempt number), in one transaction."""
        ...

    async def lijst(self, werkgever_id: str, status: AfleverStatus | None, limit: int) -> list[AfleveringStaat]: ...

    async def staat(self, werkgever_id: str, aflevering_id: UUID) -> AfleveringStaat | None: ...

    async def bied_opnieuw_aan(self, werkgever_id: str, aflevering_id: UUID) -> AfleveringStaat | None:
        """Move a failed delivery back to the queue (attempts start again); None when it is not on the list."""
        ...

    async def digest_ontvangers(self, voor: datetime) -> list[tuple[str, str]]:
        """(werkgever_id, persoon_id) with digest messages made before `voor` and not yet bundled."""
        ...

    async def bundel_digest(
        self,
        werkgever_id: str,
        persoon_id: str,
        voor: datetime,
        maak: Callable[[list[DigestBericht], str], NieuweAflevering | None],
    ) -> bool:
        """Bundle the person's waiting digest messages made before `voor` into one delivery to the address of the
        latest of them, atomically."""
        ...


class Sjablonen(Protocol):
    def bericht(self, inhoud: BerichtInhoud) -> Tekst: ...


class EmailVerzender(Protocol):
    async def verstuur(
        self, *, aan: str, onderwerp: str, tekst: str, bericht_id: UUID, begin_uiterlijk: float | None = None
    ) -> None:
        """Raises Afleverfout. `begin_uiterlijk` (time.monotonic()): a message still waiting for a free connection
        then is not sent (Afleverfout): its claim may run out while it is being sent."""
        ...


class WebhookVerzender(Protocol):
    async def verstuur(self, *, url: str, secret: str, inhoud: str, bericht_id: UUID) -> None:
        """Raises Afleverfout."""
        ...


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


@dataclass(frozen=True)
class GeldendModel:
    model: Regiemodel
    bron: str  # "afdeling", "werkgever" or "standaard"
    versie: RegiemodelVersie | None


class Regiemodellen:
    """The versioned regiemodel per werkgever and afdeling, and the rolbezetting."""

    def __init__(self, store: ConfiguratieStore, clock: Clock, *, standaard: str) -> None:
        self._store = store
        self._clock = clock
        self._standaard = preset(standaard)

    @property
    def standaard(self) -> Regiemodel:
        return self._standaard

    async def geldend(self, werkgever_id: str, afdeling_id: str | None, moment: datetime) -> GeldendModel:
        """The model in force at `moment`: the afdeling's own, else the werkgever's, else the default preset."""
        versies = await self._store.versies_van(werkgever_id, [None] if afdeling_id is None else [afdeling_id, None])
        if afdeling_id is not None:
            versie = geldend_op(versies[afdeling_id], moment)
            if versie is not None and versie.model is not None:
                return GeldendModel(versie.model, "afdeling", versie)
        versie = geldend_op(versies[None], moment)
        if versie is not None and versie.model is not None:
            return GeldendModel(versie.model, "werkgever", versie)
        return GeldendModel(self._standaard, "standaard", None)

    async def geschiedenis(self, werkgever_id: str, afdeling_id: str | None) -> list[RegiemodelVersie]:
        return await self._store.versies(werkgever_id, afdeling_id)

    async def stel_in(
        self,
        principal: Principal,
        afdeling_id: str | None,
        model: Regiemodel | None,
        *,
        geldig_vanaf: datetime | None,
        verwachte_versie: int | None,
        reden: str | None,
    ) -> RegiemodelVersie:
        """A new version (model None: the afdeling follows the werkgever again). Raises VersieConflict,
        TerugwerkendeKracht."""
        nu = self._clock.now()
        vanaf = geldig_vanaf or nu

        def maak(huidig: int) -> RegiemodelVersie:
            nummer = controleer_nieuwe_versie(huidig, verwachte_versie=verwachte_versie, geldig_vanaf=vanaf, nu=nu)
            return RegiemodelVersie(
                werkgever_id=principal.werkgever_id,
                afdeling_id=afdeling_id,
                versie=nummer,
                geldig_vanaf=vanaf,
                model=model,
                geregistreerd_op=nu,
                actor_id=principal.id,
                actor_rol=principal.rol.value,
                reden=reden,
            )

        versie = await self._store.voeg_versie_toe(principal.werkgever_id, afdeling_id, maak)
        logger.info(
            "regiemodel of werkgever %s%s is now version %d (%s), from %s",
            principal.werkgever_id,
            f" afdeling {afdeling_id}" if afdeling_id else "",
            versie.versie,
            model.basis if model else "follows the werkgever",
            vanaf.isoformat(),
        )
        return versie

    async def rolbezetting(self, werkgever_id: str, afdeling_id: str | None) -> list[Rolhouder]:
        return await self._store.rolbezetting(werkgever_id, afdeling_id)

    async def zet_rolhouder(self, principal: Principal, rolhouder: Rolhouder) -> Rolhouder:
        opgeslagen = replace(rolhouder, bijgewerkt_op=self._clock.now(), bijgewerkt_door=principal.id)
        await self._store.zet_rolhouder(principal.werkgever_id, opgeslagen)
        return opgeslagen

    async def verwijder_rolhouder(self, principal: Principal, afdeling_id: str | None, rol: Ontvangerrol) -> bool:
        return await self._store.verwijder_rolhouder(principal.werkgever_id, afdeling_id, rol)

    async def gaten(self, werkgever_id: str, sinds: datetime | None, limit: int) -> list[GeregistreerdGat]:
        return await self._store.gaten(werkgever_id, sinds, limit)


_BEGELEIDER_ROL = {
    BegeleiderRol.CASEMANAGER: Ontvangerrol.CASEMANAGER,
    BegeleiderRol.VERZUIMCOACH: Ontvangerrol.VERZUIMCOACH,
}


# Events that change the dossier facts routing needs, also when they are no signal themselves.
_DOSSIERFEITEN = (BegeleiderToegewezen, PlanVanAanpakVastgesteld, SpreekuurGepland)


class Notificaties:
    """Turns dossier and termijn facts into messages for the right people, by the werkgever's regiemodel."""

    def __init__(
        self,
        personeel: PersoneelStore,
        dossiers: DossierStore,
        regiemodellen: Regiemodellen,
        configuratie: ConfiguratieStore,
        voorkeuren: VoorkeurStore,
        berichtenlog: Berichtenlog,
        sjablonen: Sjablonen,
        clock: Clock,
        *,
        eenheid: Callable[[], AbstractAsyncContextManager[None]],
        public_url_cases: str,
        public_url_deadlines: str,
        email_aan: bool,
        na_vastleggen: Callable[[], None] = lambda: None,
    ) -> None:
        self._personeel = personeel
        self._dossiers = dossiers
        self._regiemodellen = regiemodellen
        self._configuratie = configuratie
        self._voorkeuren = voorkeuren
        self._berichtenlog = berichtenlog
        self._sjablonen = sjablonen
        self._clock = clock
        self._eenheid = eenheid
        self._public_url_cases = public_url_cases
        self._public_url_deadlines = public_url_deadlines
        self._email_aan = email_aan
        self._na_vastleggen = na_vastleggen

    async def verwerk(self, event: Event, *, laatste_poging: bool, volgnummer: int) -> None:
        """`volgnummer`: the message's sequence in its stream (the termijn stream is in the order the deadlines service
        decided things, while the messages of one fetched batch are handled side by side). Raises NogNietBekend
        when a recipient, or the e-mail address of one, may still become known (not on the last attempt).

        Everything one event leads to is read and written in one unit of work (one connection, one transaction):
        the dossier facts, the check that it was not routed before, the routing decision with its messages,
        deliveries and gaps. An error rolls all of it back, and the message is delivered again."""
        termijn_id = beeindigt_termijn(event)
        if termijn_id is not None:
            gesloten = await self._berichtenlog.sluit_termijn_taken(
                event.werkgever_id, termijn_id, volgnummer, self._clock.now()
            )
            if gesloten:
                logger.info("termijn %s ended: %d inbox item(s) closed", termijn_id, gesloten)
            return
        signaal = signaal_uit(event)
        if signaal is None and not isinstance(event, _DOSSIERFEITEN):
            return  # a process step that answers an earlier task: nothing to store
        async with self._eenheid():
            await self._werk_dossier_bij(event)
            # Routed before (a redelivery, or the same fact published again): the first routing decision stands.
            if signaal is None or not await self._berichtenlog.neem_aan(
                event.event_id, event.werkgever_id, event.subject()
            ):
                return
            besluit = await self._routeer(event, signaal, laatste_poging=laatste_poging, volgnummer=volgnummer)
            besluit = await self._berichtenlog.leg_vast(besluit)
        for g in besluit.gaten:
            logger.warning(
                "routing gap for werkgever %s, werknemer %s, signal %s: no %s (%s); taken over by %s",
                g.werkgever_id,
                g.werknemer_id,
                g.signaal,
                g.gat.rol.value,
                g.gat.reden.value,
                g.gat.opgevangen_door or "nobody (information only)",
            )
        if besluit.afleveringen:
            self._na_vastleggen()

    async def _werk_dossier_bij(self, event: Event) -> None:
        """The dossier facts later signals are routed by (idempotent: a redelivery changes nothing)."""
        match event:
            case BegeleiderToegewezen():
                rol = _BEGELEIDER_ROL[event.begeleider_rol]
                for r in (rol, Ontvangerrol.BEGELEIDER):
                    await self._dossiers.wijs_toe(
                        event.werkgever_id, event.dossier_id, r, event.begeleider_id, event.versie
                    )
            case PlanVanAanpakVastgesteld():
                # Regeling procesgang art. 4 lid 2 sub c: the plan names the casemanager.
                await self._dossiers.wijs_toe(
                    event.werkgever_id, event.dossier_id, Ontvangerrol.CASEMANAGER, event.casemanager_id, event.versie
                )
            case SpreekuurGepland() if event.bedrijfsarts_id:
                await self._dossiers.wijs_toe(
                    event.werkgever_id, event.dossier_id, Ontvangerrol.BEDRIJFSARTS, event.bedrijfsarts_id, event.versie
                )
            case _:  # a melding is stored with its frequent-verzuim evaluation, which needs the regiemodel
                pass

    async def _routeer(
        self, event: Event, signaal: Signaal, *, laatste_poging: bool, volgnummer: int
    ) -> Routeringsbesluit:
        werkgever = signaal.werkgever_id
        medewerker, afdeling = await self._personeel.medewerker_met_afdeling(werkgever, signaal.werknemer_id)
        afdeling_id = medewerker.afdeling_id if medewerker else None
        geldend = await self._regiemodellen.geldend(werkgever, afdeling_id, signaal.moment)
        model = geldend.model
        rolhouders = await self._rolhouders(werkgever, afdeling_id)
        begeleiding = (
            await self._dossiers.begeleiding(werkgever, signaal.dossier_id)
            if signaal.dossier_id
            else DossierBegeleiding()
        )
        betrokkenen = Betrokkenen(
            werknemer_id=signaal.werknemer_id,
            medewerker=medewerker,
            afdeling=afdeling,
            dossier=begeleiding,
            rolbezetting={r.rol: r.persoon_id for r in rolhouders.values()},
        )
        signalen = [signaal, *await self._frequent_verzuim(event, signaal, model)]
        besluit = Routeringsbesluit(
            BronEvent(
                event.event_id,
                werkgever,
                event.subject(),
                geldend.bron,
                geldend.versie.versie if geldend.versie else None,
                model.basis,
                volgnummer,
                signaal.termijn_id,
            )
        )
        routeringen = [
            (
                s,
                routeer(
                    model.toewijzingen(s), model, betrokkenen, werkgever_id=werkgever, laatste_poging=laatste_poging
                ),
            )
            for s in signalen
        ]
        # Who they are and how they want it, for every recipient at once.
        personen = {g.ontvanger.id for _, r in routeringen for g in r.geadresseerden if g.ontvanger.id is not None}
        begeleiders = {s.feiten["begeleider_id"] for s in signalen if s.soort is SignaalSoort.BEGELEIDER_TOEGEWEZEN}
        contacten = await self._contacten(werkgever, personen | begeleiders, rolhouders)
        voorkeuren = await self._voorkeuren.voorkeuren(werkgever, personen)
        if self._email_aan and not laatste_poging:
            # Someone who would get an e-mail is known only by id (e.g. the afdeling's leidinggevende, whose own
            # record is further on in the personeel stream): wait for the address rather than send inbox-only.
            zonder_adres = {
                p
                for p in personen
                if p not in contacten and Kanaal.EMAIL in voorkeuren.get(p, (STANDAARD_VOORKEUR, None))[0].kanalen
            }
            if zonder_adres:
                raise ContactNogNietBekend(werkgever, zonder_adres)
        nu = self._clock.now()
        for s, routering in routeringen:
            for gat in routering.gaten:
                besluit.gaten.append(
                    GeregistreerdGat(
                        werkgever, s.id, s.bron_event_id, s.soort.value, s.dossier_id, s.werknemer_id, gat, nu
                    )
                )
            namen: dict[str, str] = {}
            if s.soort is SignaalSoort.BEGELEIDER_TOEGEWEZEN:
                naam = contacten.get(s.feiten["begeleider_id"], (None, None))[0]
                namen = {"begeleider": naam} if naam else {}
            for geadresseerde in routering.geadresseerden:
                inhoud = inhoud_voor(
                    s,
                    geadresseerde,
                    naam_werknemer=medewerker.naam if medewerker else None,
                    frequent=model.frequent_verzuim,
                    public_url_cases=self._public_url_cases,
                    public_url_deadlines=self._public_url_deadlines,
                    namen=namen,
                )
                tekst = self._sjablonen.bericht(inhoud)
                self._voeg_berichten_toe(besluit, s, geadresseerde.ontvanger, inhoud, tekst, contacten, voorkeuren, nu)
        return besluit

    async def _rolhouders(self, werkgever_id: str, afdeling_id: str | None) -> dict[Ontvangerrol, Rolhouder]:
        """The werkgever's rolbezetting with the afdeling's own entries over it."""
        scopes: list[str | None] = [None] if afdeling_id is None else [None, afdeling_id]
        per_scope = await self._configuratie.rolbezetting_van(werkgever_id, scopes)
        return {r.rol: r for scope in scopes for r in per_scope[scope]}

    async def _contacten(
        self, werkgever_id: str, persoon_ids: set[str], rolhouders: dict[Ontvangerrol, Rolhouder]
    ) -> dict[str, tuple[str | None, str | None]]:
        """Name and e-mail address per person: from the rolbezetting (external people), else the personeel data. A
        person neither knows (yet) is left out; one in the rolbezetting without either is known, without them."""
        contacten: dict[str, tuple[str | None, str | None]] = {}
        for r in rolhouders.values():
            if r.persoon_id in persoon_ids and (r.naam or r.email) and r.persoon_id not in contacten:
                contacten[r.persoon_id] = (r.naam, r.email)
        medewerkers = await self._personeel.medewerkers(werkgever_id, persoon_ids - contacten.keys())
        contacten.update({p: (m.naam, m.email) for p, m in medewerkers.items()})
        for r in rolhouders.values():
            if r.persoon_id in persoon_ids:
                contacten.setdefault(r.persoon_id, (None, None))
        return contacten

    def _voeg_berichten_toe(
        self,
        besluit: Routeringsbesluit,
        s: Signaal,
        ontvanger: Ontvanger,
        inhoud: BerichtInhoud,
        tekst: Tekst,
        contacten: dict[str, tuple[str | None, str | None]],
        voorkeuren: dict[str, tuple[Voorkeur, Webhook | None]],
        nu: datetime,
    ) -> None:
        werkgever = s.werkgever_id
        kanalen: tuple[Kanaal, ...] = (Kanaal.INBOX,)
        voorkeur = STANDAARD_VOORKEUR
        email: str | None = None
        webhook: Webhook | None = None
        if ontvanger.id is not None:  # a team inbox has no person to e-mail
            voorkeur, webhook = voorkeuren.get(ontvanger.id, (STANDAARD_VOORKEUR, None))
            if Kanaal.EMAIL in voorkeur.kanalen and self._email_aan:
                email = contacten.get(ontvanger.id, (None, None))[1]
            if Kanaal.WEBHOOK not in voorkeur.kanalen:
                webhook = None
            kanalen = kanalen_voor(
                voorkeur, email_bekend=email is not None, email_aan=self._email_aan, webhook_bekend=webhook is not None
            )
        for kanaal in kanalen:
            bestemming = Bestemming(ontvanger, kanaal)
            digest = kanaal is Kanaal.EMAIL and voorkeur.bezorging is Bezorging.DAGELIJKS
            bericht = Bericht(
                id=bericht_id(s.id, bestemming),
                werkgever_id=werkgever,
                bron_event_id=s.bron_event_id,
                signaal_id=s.id,
                bestemming=bestemming,
                type=s.soort.value,
                soort=inhoud.soort,
                titel=tekst.titel,
                tekst=tekst.tekst,
                dossier_id=s.dossier_id,
                werknemer_id=s.werknemer_id,
                link=inhoud.dossier_link,
                deadline=inhoud.deadline,
                aangemaakt_op=nu,
                termijn_id=s.termijn_id,
                termijn_code=s.termijncode,
                termijn_link=inhoud.termijn_link,
                namens=inhoud.namens.value if inhoud.namens else None,
                digest=digest,
                adres=email if kanaal is Kanaal.EMAIL else (webhook.url if webhook else None),
            )
            besluit.berichten.append(bericht)
            if kanaal is Kanaal.EMAIL and not digest and email is not None and ontvanger.id is not None:
                besluit.afleveringen.append(
                    NieuweAflevering(
                        derived_id("aflevering", bericht.id),
                        werkgever,
                        kanaal,
                        ontvanger.id,
                        email,
                        tekst.titel,
                        tekst.tekst,
                        (bericht.id,),
                    )
                )
            elif kanaal is Kanaal.WEBHOOK and webhook is not None and ontvanger.id is not None:
                besluit.afleveringen.append(
                    NieuweAflevering(
                        derived_id("aflevering", bericht.id),
                        werkgever,
                        kanaal,
                        ontvanger.id,
                        webhook.url,
                        tekst.titel,
                        json.dumps(bericht.als_json(), ensure_ascii=False, sort_keys=True),
                        (bericht.id,),
                    )
                )

    async def _frequent_verzuim(self, event: Event, signaal: Signaal, model: Regiemodel) -> list[Signaal]:
        """Decisions D8: each DossierGeopend and EpisodeToegevoegd is a melding; a melding that completes the threshold
        (or, if wanted, comes one short) is a signal of its own, also when it was completed by a melding that arrived
        later (see domain/frequent_verzuim.py)."""
        if not isinstance(event, DossierGeopend | EpisodeToegevoegd):
            return []
        nieuw = Melding(event.melding_id, event.eerste_ziektedag)
        gegeven = await self._dossiers.registreer_melding(
            event.werkgever_id,
            event.werknemer_id,
            event.dossier_id,
            nieuw,
            event.event_id,
            lambda meldingen, eerder: nieuwe_signalen(meldingen, nieuw, model.frequent_verzuim, eerder),
        )
        signalen = []
        for g in gegeven:
            u = g.uitkomst
            signalen.append(
                Signaal(
                    # one per melding that completes it and kind: however and whenever it is found
                    id=derived_id("frequent-verzuim", event.werkgever_id, event.werknemer_id, u.melding_id, u.signaal),
                    soort=SignaalSoort.FREQUENT_VERZUIM
                    if u.signaal is FrequentSignaal.DREMPEL
                    else SignaalSoort.FREQUENT_VERZUIM_VROEG,
                    bron_event_id=event.event_id,
                    werkgever_id=event.werkgever_id,
                    werknemer_id=event.werknemer_id,
                    dossier_id=g.dossier_id,
                    moment=signaal.moment,
                    # the day it became known (the fact's registration): the gesprek is due from then, also when a
                    # melding entered late (and backdated) completed the threshold
                    datum=signaal.moment.astimezone(NL).date(),
                    feiten={
                        "aantal": u.aantal,
                        "drempel": model.frequent_verzuim.drempel,
                        "venster_dagen": model.frequent_verzuim.venster_dagen,
                        "venster_begin": u.venster_begin,
                        "venster_eind": u.venster_eind,
                    },
                )
            )
        return signalen


class Voorkeuren:
    def __init__(
        self,
        store: VoorkeurStore,
        clock: Clock,
        *,
        nieuw_secret: Callable[[], str],
        controleer_url: Callable[[str], Awaitable[None]],
    ) -> None:
        self._store = store
        self._clock = clock
        self._nieuw_secret = nieuw_secret
        self._controleer_url = controleer_url

    async def voorkeur(self, principal: Principal) -> tuple[Voorkeur, Webhook | None]:
        voorkeur = await self._store.voorkeur(principal.werkgever_id, principal.id) or STANDAARD_VOORKEUR
        return voorkeur, await self._store.webhook(principal.werkgever_id, principal.id)

    async def zet(self, principal: Principal, voorkeur: Voorkeur) -> Voorkeur:
        await self._store.zet_voorkeur(principal.werkgever_id, principal.id, voorkeur, self._clock.now())
        return voorkeur

    async def zet_webhook(self, principal: Principal, url: str) -> Webhook:
        """A (new) webhook URL with a new secret, shown once: the receiver verifies every call with it. Raises
        ValueError for a URL the service may not call (not https, an address inside the network)."""
        await self._controleer_url(url)
        webhook = Webhook(url=url, secret=self._nieuw_secret())
        await self._store.zet_webhook(principal.werkgever_id, principal.id, webhook, self._clock.now())
        return webhook

    async def verwijder_webhook(self, principal: Principal) -> None:
        await self._store.zet_webhook(principal.werkgever_id, principal.id, None, self._clock.now())


_DIGEST_HERHAAL_S = 60.0


class Bezorger:
    """The dispatcher of the transactional outbox: sends due e-mails and webhook calls, retries with exponential
    back-off, puts what keeps failing on the dead-letter list, and bundles the daily digests."""

    def __init__(
        self,
        store: AfleverStore,
        voorkeuren: VoorkeurStore,
        email: EmailVerzender | None,
        webhook: WebhookVerzender,
        clock: Clock,
        *,
        backoff: Backoff,
        interval_s: float,
        lease_s: float,
        batch: int,
        digest_uur: int,
    ) -> None:
        self._store = store
        self._voorkeuren = voorkeuren
        self._email = email
        self._webhook = webhook
        self._clock = clock
        self._backoff = backoff
        self._interval_s = interval_s
        self._lease_s = lease_s
        self._batch = batch
        self._digest_uur = digest_uur
        self._wakker = asyncio.Event()
        # Outcomes waiting to be recorded, and the task recording them (group commit).
        self._te_registreren: list[tuple[UUID, int, NaPoging, asyncio.Future[None]]] = []
        self._registratie: asyncio.Task[None] | None = None
        # The digest day last bundled, and when (monotonic): see maak_digests.
        self._digest_gedaan: tuple[date, float] | None = None

    def wek(self) -> None:
        """New deliveries were committed: do not wait for the next poll."""
        self._wakker.set()

    async def draai(self) -> None:
        """Run until cancelled (a background task of the service)."""
        while True:
            self._wakker.clear()
            try:
                await self.maak_digests()
                verstuurd = await self.ronde()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("dispatcher round failed; trying again")
                verstuurd = 0
            if verstuurd < self._batch:
                await wait_for_wakeup(self._wakker, self._interval_s)
            else:
                raise_if_cancelled()

    async def ronde(self) -> int:
        """Send one batch of due deliveries; the number attempted."""
        geclaimd = time.monotonic()
        claims = await self._store.claim(self._batch, self._lease_s)
        # E-mails queue for the SMTP connections: one not begun within half the lease is left for a later round,
        # so no claim runs out (and is taken over by another dispatcher) while its message is being sent.
        uiterlijk = geclaimd + self._lease_s / 2
        if claims:
            await asyncio.gather(*(self._verstuur(c, uiterlijk) for c in claims))
        return len(claims)

    async def _verstuur(self, c: TeVersturen, begin_uiterlijk: float) -> None:
        fout: Afleverfout | None = None
        try:
            await self._stuur(c, begin_uiterlijk)
        except Afleverfout as exc:
            fout = exc
        except Exception as exc:  # an unexpected error is worth another try, and is kept as the reason
            fout = Afleverfout(f"{type(exc).__name__}: {exc}")
        uitkomst = na_poging(c.pogingen, fout, self._backoff)
        await self._registreer(c, uitkomst)
        if uitkomst.status is AfleverStatus.MISLUKT:
            logger.error("delivery %s (%s to %s) dead-lettered: %s", c.id, c.kanaal.value, c.adres, uitkomst.reden)
        elif uitkomst.status is AfleverStatus.WACHTEND:
            logger.warning(
                "delivery %s (%s) attempt %d failed (%s); retry in %.1fs",
                c.id,
                c.kanaal.value,
                c.pogingen,
                uitkomst.reden,
                uitkomst.wacht_s or 0,
            )

    async def _registreer(self, c: TeVersturen, uitkomst: NaPoging) -> None:
        """Record the outcome as soon as possible: a message the receiver accepted and whose outcome is not committed
        is sent again after a crash. Outcomes that come in while a commit is running go together in the next one
        (group commit): one transaction for many messages, and no outcome waits longer than one commit."""
        klaar: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._te_registreren.append((c.id, c.pogingen, uitkomst, klaar))
        if self._registratie is None or self._registratie.done():
            self._registratie = asyncio.create_task(self._registreer_wachtenden())
        await klaar

    async def _registreer_wachtenden(self) -> None:
        while self._te_registreren:
            groep, self._te_registreren = self._te_registreren, []
            try:
                await self._store.registreer([(i, p, u) for i, p, u, _ in groep])
            except Exception as exc:
                for *_, klaar in groep:
                    if not klaar.done():
                        klaar.set_exception(exc)
            else:
                for *_, klaar in groep:
                    if not klaar.done():
                        klaar.set_result(None)

    async def _stuur(self, c: TeVersturen, begin_uiterlijk: float) -> None:
        if c.kanaal is Kanaal.EMAIL:
            if self._email is None:
                raise Afleverfout("e-mail is niet ingesteld (VERZUIM_SMTP_HOST)")
            await self._email.verstuur(
                aan=c.adres, onderwerp=c.onderwerp, tekst=c.inhoud, bericht_id=c.id, begin_uiterlijk=begin_uiterlijk
            )
            return
        webhook = await self._voorkeuren.webhook(c.werkgever_id, c.ontvanger_id)
        if webhook is None:
            raise Afleverfout("de ontvanger heeft de webhook verwijderd", blijvend=True)
        # Sent to the URL in force now, signed with its secret (a new URL comes with a new secret).
        await self._webhook.verstuur(url=webhook.url, secret=webhook.secret, inhoud=c.inhoud, bericht_id=c.id)

    async def maak_digests(self) -> int:
        """Bundle the daily digest of every person whose digest moment has passed; the number made.

        Looked at when a new digest moment has passed, and then once a minute for a message made before that moment
        but committed after the look (not on every wake-up: the dispatcher wakes for every routed event)."""
        dag = laatste_digestdag(self._clock.now(), self._digest_uur)
        if self._digest_gedaan is not None:
            vorige_dag, toen = self._digest_gedaan
            if vorige_dag == dag and time.monotonic() - toen < _DIGEST_HERHAAL_S:
                return 0
        self._digest_gedaan = (dag, time.monotonic())
        moment = digest_moment(dag, self._digest_uur)
        gemaakt = 0
        for werkgever_id, persoon_id in await self._store.digest_ontvangers(moment):
            if await self._store.bundel_digest(
                werkgever_id, persoon_id, moment, self._digest_maker(werkgever_id, persoon_id, dag)
            ):
                gemaakt += 1
        return gemaakt

    def _digest_maker(
        self, werkgever_id: str, persoon_id: str, dag: date
    ) -> Callable[[list[DigestBericht], str], NieuweAflevering | None]:
        from verzuim_notifications.adapters.sjablonen import datum

        def maak(berichten: list[DigestBericht], adres: str) -> NieuweAflevering | None:
            if not berichten:
                return None
            regels = [f"Je berichten van de afgelopen dag ({len(berichten)}):", ""]
            for i, b in enumerate(berichten, 1):
                regels.append(f"{i}. {b.titel}")
                if b.soort == "taak" and b.deadline:
                    regels.append(f"   Uiterlijk {datum(b.deadline)}.")
                if b.link:
                    regels.append(f"   {b.link}")
            regels += ["", "Alle berichten en taken staan in je inbox; daar zet je een taak op afgehandeld."]
            return NieuweAflevering(
                # Unique per bundle: a message that arrives late for a day that was bundled gets a bundle of its own.
                derived_id("digest", werkgever_id, persoon_id, dag.isoformat(), berichten[0].id),
                werkgever_id,
                Kanaal.EMAIL,
                persoon_id,
                adres,
                f"Dagelijks overzicht verzuim van {datum(dag)}: {len(berichten)} bericht(en)",
                "\n".join(regels),
                tuple(b.id for b in berichten),
            )

        return maak


class Afleveringen:
    """The delivery log: the dead-letter list and replay."""

    def __init__(self, store: AfleverStore, bezorger: Bezorger) -> None:
        self._store = store
        self._bezorger = bezorger

    async def lijst(self, principal: Principal, status: AfleverStatus | None, limit: int) -> list[AfleveringStaat]:
        return await self._store.lijst(principal.werkgever_id, status, limit)

    async def staat(self, principal: Principal, aflevering_id: UUID) -> AfleveringStaat | None:
        return await self._store.staat(principal.werkgever_id, aflevering_id)

    async def bied_opnieuw_aan(self, principal: Principal, aflevering_id: UUID) -> AfleveringStaat | None:
        staat = await self._store.bied_opnieuw_aan(principal.werkgever_id, aflevering_id)
        if staat is not None:
            logger.info("delivery %s replayed by %s", aflevering_id, principal.id)
            self._bezorger.wek()
        return staat


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

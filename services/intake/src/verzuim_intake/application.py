"""The use cases of the intake: check a request, turn it into a public fact and publish it.

The application talks to NATS only through the ports below, so its rules can be tested without I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from verzuim_shared.auth import Principal
from verzuim_shared.clock import Clock, today_nl
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    Event,
    HerstelGemeld,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    Rol,
    ZiekGemeld,
)
from verzuim_shared.ids import new_id

from verzuim_intake.domain import identiteit, regels
from verzuim_intake.domain.commands import (
    Afdeling,
    Herstelmelding,
    Medewerker,
    MeldtijdInstellingen,
    Ziekmelding,
)
from verzuim_intake.domain.fouten import Fout, GeenToegang, IdempotencyKeyHergebruikt, OngeldigeInvoer
from verzuim_intake.domain.meldtijd import Meldtijden, is_na_meldtijd, meldtijd_grens

E = TypeVar("E", bound=Event)


# --------------------------------------------------------------------------------------------- ports


@dataclass(frozen=True)
class IdempotencyRecord:
    """What is remembered per Idempotency-Key: the request's fingerprint and the exact fact it produced."""

    vingerafdruk: str
    event_json: str


@dataclass(frozen=True)
class OpgeslagenInstellingen:
    werkgever_id: str
    meldtijden: Meldtijden
    gewijzigd_op: datetime
    gewijzigd_door: Actor


class Publisher(Protocol):
    async def publish(self, event: Event) -> bool:
        """Publish and wait for the JetStream ack; True when JetStream already had this message (duplicate)."""
        ...

    async def publish_all(self, events: Sequence[Event]) -> list[bool]:
        """Publish concurrently (bounded); the duplicate flags in the order of `events`."""
        ...


class IdempotencyStore(Protocol):
    async def claim(self, soort: str, werkgever_id: str, key: str, record: IdempotencyRecord) -> IdempotencyRecord:
        """Store `record` under the key if it is new (atomically); return what is stored under it now."""
        ...


class PersoneelGeheugen(Protocol):
    """What the HR sync last published per medewerker or afdeling (`soort`), as an opaque string per id. Without it
    an unchanged daily sync would publish a new snapshot of everyone every day once JetStream's dedupe window ended
    (streams keep history forever)."""

    async def lees(self, werkgever_id: str, soort: str, ids: Sequence[str]) -> dict[str, str]:
        """The remembered value of each id that has one."""
        ...

    async def onthoud(self, werkgever_id: str, soort: str, waarden: Mapping[str, str]) -> None: ...


class InstellingenStore(Protocol):
    async def get(self, werkgever_id: str) -> OpgeslagenInstellingen | None: ...

    async def put(self, instellingen: OpgeslagenInstellingen) -> None: ...


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ZiekmeldingOntvangen:
    melding_id: UUID
    na_meldtijd: bool
    meldtijd_grens: datetime


@dataclass(frozen=True)
class HerstelmeldingOntvangen:
    herstel_id: UUID


@dataclass(frozen=True)
class SyncResultaat:
    """Counts per item; an item is ongewijzigd when JetStream already had every message it yields."""

    ontvangen: int
    gepubliceerd: int
    ongewijzigd: int
    berichten_gepubliceerd: int
    berichten_ongewijzigd: int


@dataclass(frozen=True)
class WerkgeverInstellingen:
    werkgever_id: str
    meldtijden: Meldtijden
    standaard: bool
    gewijzigd_op: datetime | None = None
    gewijzigd_door: Actor | None = None


# --------------------------------------------------------------------------------------------- use cases


class Intake:
    def __init__(
        self,
        *,
        publisher: Publisher,
        idempotency: IdempotencyStore,
        instellingen: InstellingenStore,
        personeel: PersoneelGeheugen,
        clock: Clock,
        standaard_meldtijden: Meldtijden,
        herstel_max_dagen_vooruit: int,
    ) -> None:
        self._publisher = publisher
        self._idempotency = idempotency
        self._instellingen = instellingen
        self._personeel = personeel
        self._clock = clock
        self._standaard = standaard_meldtijden
        self._herstel_max_dagen_vooruit = herstel_max_dagen_vooruit

    # ---- ziekmelding

    async def meld_ziek(
        self, principal: Principal, melding: Ziekmelding, idempotency_key: str | None = None
    ) -> ZiekmeldingOntvangen:
        _eigen_werkgever(principal, melding.werkgever_id)
        _werknemer_meldt_zichzelf(principal, melding.werknemer_id, melding.gemeld_door)
        nu = self._clock.now()
        _geen_fouten(regels.ziekmelding_fouten(melding, nu))

        vingerafdruk = identiteit.vingerafdruk(melding)
        if idempotency_key is None:
            melding_id = new_id()
        else:
            melding_id = identiteit.melding_id_for_request(melding.werkgever_id, idempotency_key, vingerafdruk)
        meldtijden = (await self.instellingen(melding.werkgever_id)).meldtijden
        grens = meldtijd_grens(melding.eerste_ziektedag, melding.gemeld_bij, meldtijden)
        event = ZiekGemeld(
            event_id=identiteit.ziek_gemeld_id(melding_id),
            werkgever_id=melding.werkgever_id,
            geregistreerd_op=nu,
            actor=principal.as_actor(),
            melding_id=melding_id,
            werknemer_id=melding.werknemer_id,
            eerste_ziektedag=melding.eerste_ziektedag,
            gemeld_op=melding.gemeld_op,
            gemeld_door=melding.gemeld_door,
            gemeld_bij=melding.gemeld_bij,
            verwachte_duur_dagen=melding.verwachte_duur_dagen,
            bereikbaarheid=melding.bereikbaarheid,
            herstelafspraak=melding.herstelafspraak,
            belafspraak=melding.belafspraak,
            vangnet_van_toepassing=melding.vangnet_van_toepassing,
            arbeidsongeval=melding.arbeidsongeval,
            regres_derde=melding.regres_derde,
            meldtijd_grens=grens,
            na_meldtijd=is_na_meldtijd(melding.gemeld_op, grens),
        )
        if idempotency_key is not None:
            event = await self._eenmalig("ziekmelding", melding.werkgever_id, idempotency_key, vingerafdruk, event)
        await self._publisher.publish(event)
        return ZiekmeldingOntvangen(
            melding_id=event.melding_id, na_meldtijd=event.na_meldtijd, meldtijd_grens=event.meldtijd_grens
        )

    # ---- herstelmelding

    async def meld_herstel(
        self, principal: Principal, melding: Herstelmelding, idempotency_key: str | None = None
    ) -> HerstelmeldingOntvangen:
        _eigen_werkgever(principal, melding.werkgever_id)
        _werknemer_meldt_zichzelf(principal, melding.werknemer_id, melding.gemeld_door)
        nu = self._clock.now()
        _geen_fouten(regels.herstelmelding_fouten(melding, nu, self._herstel_max_dagen_vooruit))

        vingerafdruk = identiteit.vingerafdruk(melding)
        if idempotency_key is None:
            herstel_id = new_id()
        else:
            herstel_id = identiteit.herstel_id_for_request(melding.werkgever_id, idempotency_key, vingerafdruk)
        event = HerstelGemeld(
            event_id=identiteit.herstel_gemeld_id(herstel_id),
            werkgever_id=melding.werkgever_id,
            geregistreerd_op=nu,
            actor=principal.as_actor(),
            herstel_id=herstel_id,
            werknemer_id=melding.werknemer_id,
            melding_id=melding.melding_id,
            soort=melding.soort,
            hersteldatum=melding.hersteldatum,
            arbeidsongeschiktheidspercentage=regels.herstel_percentage(melding),
            gemeld_op=melding.gemeld_op,
            gemeld_door=melding.gemeld_door,
        )
        if idempotency_key is not None:
            event = await self._eenmalig("herstelmelding", melding.werkgever_id, idempotency_key, vingerafdruk, event)
        await self._publisher.publish(event)
        return HerstelmeldingOntvangen(herstel_id=event.herstel_id)

    # ---- HR sync

    async def synchroniseer_medewerkers(self, principal: Principal, medewerkers: Sequence[Medewerker]) -> SyncResultaat:
        _geen_fouten(regels.medewerkers_fouten(medewerkers))
        nu = self._clock.now()
        vandaag = today_nl(self._clock)
        werkgever = principal.werkgever_id
        vorig = await self._personeel.lees(werkgever, "medewerker", [m.werknemer_id for m in medewerkers])
        per_item: list[tuple[list[Event], int]] = []
        nieuw: dict[str, str] = {}
        for m in medewerkers:
            events, toestand = self._medewerker_events(principal, m, nu, vandaag, vorig.get(m.werknemer_id))
            per_item.append((events, 2 if m.datum_uit_dienst is None else 3))
            if toestand != vorig.get(m.werknemer_id):
                nieuw[m.werknemer_id] = toestand
        resultaat = await self._publiceer_per_item(per_item)
        # Remembered only once JetStream has acked every message: after a failure the retry publishes them again.
        await self._personeel.onthoud(werkgever, "medewerker", nieuw)
        return resultaat

    async def leg_afdelingen_vast(self, principal: Principal, afdelingen: Sequence[Afdeling]) -> SyncResultaat:
        _geen_fouten(regels.afdelingen_fouten(afdelingen))
        nu = self._clock.now()
        werkgever = principal.werkgever_id
        vorig = await self._personeel.lees(werkgever, "afdeling", [a.afdeling_id for a in afdelingen])
        per_item: list[tuple[list[Event], int]] = []
        nieuw: dict[str, str] = {}
        for afdeling in afdelingen:
            inhoud = identiteit.inhoud_hash(afdeling.model_dump(mode="json"))
            vorige = _toestand(vorig.get(afdeling.afdeling_id))
            if vorige.get("inhoud") == inhoud:
                per_item.append(([], 1))
                continue
            event_id = identiteit.afdeling_vastgelegd_id(werkgever, inhoud, vorige.get("event"))
            vastgelegd = AfdelingVastgelegd(
                event_id=event_id,
                werkgever_id=werkgever,
                geregistreerd_op=nu,
                actor=principal.as_actor(),
                **afdeling.model_dump(),
            )
            per_item.append(([vastgelegd], 1))
            nieuw[afdeling.afdeling_id] = json.dumps({"inhoud": inhoud, "event": str(event_id)}, sort_keys=True)
        resultaat = await self._publiceer_per_item(per_item)
        await self._personeel.onthoud(werkgever, "afdeling", nieuw)
        return resultaat

    # ---- werkgever instellingen

    async def instellingen(self, werkgever_id: str) -> WerkgeverInstellingen:
        opgeslagen = await self._instellingen.get(werkgever_id)
        if opgeslagen is None:
            return WerkgeverInstellingen(werkgever_id=werkgever_id, meldtijden=self._standaard, standaard=True)
        return WerkgeverInstellingen(
            werkgever_id=werkgever_id,
            meldtijden=opgeslagen.meldtijden,
            standaard=False,
            gewijzigd_op=opgeslagen.gewijzigd_op,
            gewijzigd_door=opgeslagen.gewijzigd_door,
        )

    async def bekijk_instellingen(self, principal: Principal, werkgever_id: str) -> WerkgeverInstellingen:
        _eigen_werkgever(principal, werkgever_id)
        return await self.instellingen(werkgever_id)

    async def wijzig_instellingen(
        self, principal: Principal, werkgever_id: str, invoer: MeldtijdInstellingen
    ) -> WerkgeverInstellingen:
        _eigen_werkgever(principal, werkgever_id)
        await self._instellingen.put(
            OpgeslagenInstellingen(
                werkgever_id=werkgever_id,
                meldtijden=Meldtijden(
                    leidinggevende=invoer.meldtijd_leidinggevende, verzuim_support=invoer.meldtijd_verzuim_support
                ),
                gewijzigd_op=self._clock.now(),
                gewijzigd_door=principal.as_actor(),
            )
        )
        return await self.instellingen(werkgever_id)

    # ---- helpers

    async def _eenmalig(self, soort: str, werkgever_id: str, key: str, vingerafdruk: str, event: E) -> E:
        """With an Idempotency-Key the first request's fact is remembered and every retry publishes exactly that
        fact again (same Nats-Msg-Id, so JetStream keeps one); a different body under the same key is refused.

        Once the key has expired (`idempotency_ttl_s`) the store has forgotten it: a retry of the same request then
        gets the same id again (it is derived from key and fingerprint), and a different request gets its own."""
        record = IdempotencyRecord(vingerafdruk=vingerafdruk, event_json=event.model_dump_json())
        opgeslagen = await self._idempotency.claim(soort, werkgever_id, key, record)
        if opgeslagen.vingerafdruk != record.vingerafdruk:
            raise IdempotencyKeyHergebruikt(
                f"De Idempotency-Key '{key}' is al gebruikt voor een ander verzoek met een andere inhoud. "
                "Stuur precies hetzelfde verzoek opnieuw, of gebruik een nieuwe sleutel voor een nieuwe melding."
            )
        return type(event).model_validate_json(opgeslagen.event_json)

    def _medewerker_events(
        self, principal: Principal, m: Medewerker, nu: datetime, vandaag: date, vorig: str | None
    ) -> tuple[list[Event], str]:
        """The messages this medewerker needs, given what was published for him before, and what to remember.

        The snapshot is compared without its `geldig_vanaf` when the HR system leaves that out: it then defaults to
        today, and an unchanged medewerker would otherwise be a new snapshot every day."""
        werkgever = principal.werkgever_id
        actor = principal.as_actor()
        vorige = _toestand(vorig)
        gegevens: dict[str, Any] = {
            "naam": m.naam,
            "email": m.email,
            "afdeling_id": m.afdeling_id,
            "contracturen": m.contracturen,
            "voltijduren": m.voltijduren,
            "leidinggevende_id": m.leidinggevende_id,
        }
        inhoud = identiteit.inhoud_hash({"werknemer_id": m.werknemer_id, **gegevens})
        events: list[Event] = []

        in_dienst_id = identiteit.medewerker_in_dienst_id(werkgever, m.werknemer_id, m.datum_in_dienst)
        if vorige.get("in_dienst") != str(in_dienst_id):
            events.append(
                MedewerkerInDienst(
                    event_id=in_dienst_id,
                    werkgever_id=werkgever,
                    geregistreerd_op=nu,
                    actor=actor,
                    werknemer_id=m.werknemer_id,
                    datum_in_dienst=m.datum_in_dienst,
                    **gegevens,
                )
            )

        ongewijzigd = vorige.get("gegevens") == inhoud and (
            m.geldig_vanaf is None or vorige.get("geldig_vanaf") == m.geldig_vanaf.isoformat()
        )
        if ongewijzigd:
            gegevens_event, geldig_vanaf = vorige.get("gegevens_event"), vorige.get("geldig_vanaf")
        else:
            datum = regels.geldig_vanaf(m, vandaag)
            # The id also names the snapshot this one replaces, so A -> B -> A on one day is three messages, while a
            # retry (which still sees the same previous snapshot) gets the same id and JetStream keeps one.
            event_id = identiteit.medewerker_gegevens_gewijzigd_id(
                werkgever, m.werknemer_id, f"{inhoud}|{datum.isoformat()}", vorige.get("gegevens_event")
            )
            events.append(
                MedewerkerGegevensGewijzigd(
                    event_id=event_id,
                    werkgever_id=werkgever,
                    geregistreerd_op=nu,
                    actor=actor,
                    werknemer_id=m.werknemer_id,
                    geldig_vanaf=datum,
                    **gegevens,
                )
            )
            gegevens_event, geldig_vanaf = str(event_id), datum.isoformat()

        uit_dienst = vorige.get("uit_dienst")
        if m.datum_uit_dienst is not None:
            uit_dienst_id = identiteit.medewerker_uit_dienst_id(werkgever, m.werknemer_id, m.datum_uit_dienst)
            if uit_dienst != str(uit_dienst_id):
                events.append(
                    MedewerkerUitDienst(
                        event_id=uit_dienst_id,
                        werkgever_id=werkgever,
                        geregistreerd_op=nu,
                        actor=actor,
                        werknemer_id=m.werknemer_id,
                        datum_uit_dienst=m.datum_uit_dienst,
                    )
                )
            uit_dienst = str(uit_dienst_id)

        toestand = {
            "in_dienst": str(in_dienst_id),
            "gegevens": inhoud,
            "gegevens_event": gegevens_event,
            "geldig_vanaf": geldig_vanaf,
            "uit_dienst": uit_dienst,
        }
        return events, json.dumps(toestand, sort_keys=True)

    async def _publiceer_per_item(self, per_item: list[tuple[list[Event], int]]) -> SyncResultaat:
        """Publish what each item needs; per item its messages and how many messages the item yields in full.

        An item is ongewijzigd when none of its messages is new: not needed (remembered as published) or reported as
        a duplicate by JetStream. The messages an item did not need count as ongewijzigd, so the two message counts
        add up to what publishing every message again would have sent."""
        alle = [event for events, _ in per_item for event in events]
        duplicaten = iter(await self._publisher.publish_all(alle))
        gepubliceerd = 0
        berichten_gepubliceerd = 0
        berichten_ongewijzigd = 0
        for events, berichten in per_item:
            nieuw = sum(not next(duplicaten) for _ in events)
            berichten_gepubliceerd += nieuw
            berichten_ongewijzigd += berichten - nieuw
            if nieuw:
                gepubliceerd += 1
        return SyncResultaat(
            ontvangen=len(per_item),
            gepubliceerd=gepubliceerd,
            ongewijzigd=len(per_item) - gepubliceerd,
            berichten_gepubliceerd=berichten_gepubliceerd,
            berichten_ongewijzigd=berichten_ongewijzigd,
        )


# --------------------------------------------------------------------------------------------- access rules


def _eigen_werkgever(principal: Principal, werkgever_id: str) -> None:
    if werkgever_id != principal.werkgever_id:
        raise GeenToegang(
            f"Je token hoort bij werkgever '{principal.werkgever_id}'; "
            f"voor werkgever '{werkgever_id}' mag je niets melden of inzien."
        )


def _werknemer_meldt_zichzelf(principal: Principal, werknemer_id: str, gemeld_door: Actor) -> None:
    """A werknemer may only report himself, and only as himself."""
    if principal.rol is not Rol.WERKNEMER:
        return
    if werknemer_id != principal.id:
        raise GeenToegang(f"Als werknemer kun je alleen jezelf melden ('{principal.id}'), niet '{werknemer_id}'.")
    if gemeld_door.id != principal.id or gemeld_door.rol is not Rol.WERKNEMER:
        raise GeenToegang(
            f"Als werknemer meld je zelf: gemeld_door moet {{id: '{principal.id}', rol: 'werknemer'}} zijn."
        )


def _toestand(opgeslagen: str | None) -> dict[str, Any]:
    return dict(json.loads(opgeslagen)) if opgeslagen else {}


def _geen_fouten(fouten: list[Fout]) -> None:
    if fouten:
        raise OngeldigeInvoer(fouten)

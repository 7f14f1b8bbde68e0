"""Helpers of the reporting integration tests: publish facts as intake, cases and deadlines publish them, wait until
the service has applied them, and read the read model's tables."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import nats
import psycopg
from faststream.nats import NatsBroker
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from psycopg.rows import dict_row
from verzuim_devstack.testing import eventually
from verzuim_reporting.adapters.schema import DATA_TABELLEN, LEESMODEL
from verzuim_reporting.application import PROJECTEERBAAR, Positie
from verzuim_shared.clock import NL
from verzuim_shared.events import (
    Actor,
    AfdelingVastgelegd,
    DossierGeopend,
    Event,
    HerstelGeregistreerd,
    HerstelSoort,
    MedewerkerGegevensGewijzigd,
    MedewerkerInDienst,
    MedewerkerUitDienst,
    Rol,
    TermijnAfgeweken,
    TermijnGepland,
    TermijnVerstreken,
    TermijnVervallen,
    TermijnVervuld,
    parse_event,
)
from verzuim_shared.events.dossier import (
    DossierGesloten,
    EpisodeToegevoegd,
    FeitGecorrigeerd,
    OpbouwschemaVastgesteld,
    OpbouwStap,
)
from verzuim_shared.ids import dossier_id_for_melding
from verzuim_shared.messaging import PublishResult, publish_event
from verzuim_shared.subjects import Stream

_PROJECTEERBAAR = {t.subject() for t in PROJECTEERBAAR}


class Feiten:
    """Builds and publishes the facts of one werkgever, as intake (personeel), cases (dossier) and deadlines
    (termijn) publish them."""

    def __init__(self, broker: NatsBroker, werkgever_id: str) -> None:
        self.broker = broker
        self.werkgever_id = werkgever_id
        self.hr = Actor(id="hr-1", rol=Rol.HR)
        self.gepubliceerd: list[Event] = []

    def _basis(self) -> dict[str, Any]:
        return {
            "event_id": uuid4(),
            "werkgever_id": self.werkgever_id,
            "geregistreerd_op": datetime.now(UTC),
            "actor": self.hr,
        }

    async def publish(self, event: Event, *, msg_id: str | None = None) -> PublishResult:
        self.gepubliceerd.append(event)
        return await publish_event(self.broker, event, source="test", msg_id=msg_id)

    async def publish_alle(self, events: Iterable[Event]) -> list[PublishResult]:
        return [await self.publish(e) for e in events]

    # ---------------------------------------------------------------------------------------- personeel

    def afdeling(
        self, afdeling_id: str, naam: str, *, leidinggevende_id: str | None = None, rayon: str | None = None
    ) -> AfdelingVastgelegd:
        return AfdelingVastgelegd(
            **self._basis(),
            afdeling_id=afdeling_id,
            naam=naam,
            leidinggevende_id=leidinggevende_id or f"lg-{afdeling_id}",
            rayon=rayon,
        )

    def in_dienst(
        self,
        werknemer_id: str,
        afdeling_id: str,
        datum: date = date(2020, 1, 1),
        *,
        contracturen: float = 32,
        voltijduren: float = 40,
        leidinggevende_id: str | None = None,
    ) -> MedewerkerInDienst:
        return MedewerkerInDienst(
            **self._basis(),
            werknemer_id=werknemer_id,
            datum_in_dienst=datum,
            naam=f"Medewerker {werknemer_id}",
            email=f"{werknemer_id}@example.org",
            afdeling_id=afdeling_id,
            contracturen=contracturen,
            voltijduren=voltijduren,
            leidinggevende_id=leidinggevende_id,
        )

    def gewijzigd(
        self,
        werknemer_id: str,
        afdeling_id: str,
        geldig_vanaf: date,
        *,
        contracturen: float = 24,
        voltijduren: float = 40,
    ) -> MedewerkerGegevensGewijzigd:
        return MedewerkerGegevensGewijzigd(
            **self._basis(),
            werknemer_id=werknemer_id,
            geldig_vanaf=geldig_vanaf,
            naam=f"Medewerker {werknemer_id}",
            afdeling_id=afdeling_id,
            contracturen=contracturen,
            voltijduren=voltijduren,
        )

    def uit_dienst(self, werknemer_id: str, datum: date) -> MedewerkerUitDienst:
        return MedewerkerUitDienst(**self._basis(), werknemer_id=werknemer_id, datum_uit_dienst=datum)

    # ---------------------------------------------------------------------------------------- dossier

    def geopend(self, werknemer_id: str, eerste_ziektedag: date) -> DossierGeopend:
        melding_id = uuid4()
        return DossierGeopend(
            **self._basis(),
            dossier_id=dossier_id_for_melding(melding_id),
            versie=1,
            werknemer_id=werknemer_id,
            melding_id=melding_id,
            eerste_ziektedag=eerste_ziektedag,
            gemeld_op=datetime.combine(eerste_ziektedag, time(8, 30), tzinfo=NL),
        )

    def herstel(
        self, dossier: DossierGeopend, hersteldatum: date, percentage: int = 0, *, versie: int = 2
    ) -> HerstelGeregistreerd:
        return HerstelGeregistreerd(
            **self._basis(),
            dossier_id=dossier.dossier_id,
            versie=versie,
            werknemer_id=dossier.werknemer_id,
            herstel_id=uuid4(),
            soort=HerstelSoort.VOLLEDIG if percentage == 0 else HerstelSoort.GEDEELTELIJK,
            hersteldatum=hersteldatum,
            arbeidsongeschiktheidspercentage=percentage,
        )

    def episode(self, dossier: DossierGeopend, eerste_ziektedag: date, *, versie: int = 3) -> EpisodeToegevoegd:
        return EpisodeToegevoegd(
            **self._basis(),
            dossier_id=dossier.dossier_id,
            versie=versie,
            werknemer_id=dossier.werknemer_id,
            datum=eerste_ziektedag,
            melding_id=uuid4(),
            eerste_ziektedag=eerste_ziektedag,
            gemeld_op=datetime.combine(eerste_ziektedag, time(8, 30), tzinfo=NL),
            hersteld_dagen_tussen=7,
        )

    def opbouwschema(
        self, dossier: DossierGeopend, datum: date, *stappen: tuple[date, float, int], versie: int = 4
    ) -> OpbouwschemaVastgesteld:
        return OpbouwschemaVastgesteld(
            **self._basis(),
            dossier_id=dossier.dossier_id,
            versie=versie,
            werknemer_id=dossier.werknemer_id,
            datum=datum,
            stappen=[OpbouwStap(vanaf=v, uren_per_week=u, loonwaarde_pct=lw) for v, u, lw in stappen],
        )

    def correctie(self, dossier: DossierGeopend, feit: str, oud: date, nieuw: date, *, versie: int = 5) -> Event:
        return FeitGecorrigeerd(
            **self._basis(),
            dossier_id=dossier.dossier_id,
            versie=versie,
            werknemer_id=dossier.werknemer_id,
            datum=nieuw,
            feit=feit,
            oude_waarde=oud.isoformat(),
            nieuwe_waarde=nieuw.isoformat(),
            reden="verkeerd ingevoerd",
        )

    def gesloten(self, dossier: DossierGeopend, datum: date, *, versie: int = 6) -> DossierGesloten:
        return DossierGesloten(
            **self._basis(),
            dossier_id=dossier.dossier_id,
            versie=versie,
            werknemer_id=dossier.werknemer_id,
            datum=datum,
            reden="uit dienst",
        )

    # ---------------------------------------------------------------------------------------- termijn

    def termijn(self, dossier: DossierGeopend, code: str, vervaldatum: date) -> TermijnGepland:
        return TermijnGepland(
            **self._basis(),
            termijn_id=uuid4(),
            dossier_id=dossier.dossier_id,
            werknemer_id=dossier.werknemer_id,
            code=code,
            vervaldatum=vervaldatum,
            grondslag="Regeling procesgang",
            afleiding="test",
        )

    def _vervolg(self, t: TermijnGepland) -> dict[str, Any]:
        return {
            **self._basis(),
            "termijn_id": t.termijn_id,
            "dossier_id": t.dossier_id,
            "werknemer_id": t.werknemer_id,
            "code": t.code,
            "vervaldatum": t.vervaldatum,
            "grondslag": t.grondslag,
            "afleiding": t.afleiding,
        }

    def vervuld(self, t: TermijnGepland, op: date) -> TermijnVervuld:
        return TermijnVervuld(**self._vervolg(t), vervuld_op=op, op_tijd=op <= t.vervaldatum)

    def verstreken(self, t: TermijnGepland) -> TermijnVerstreken:
        return TermijnVerstreken(**self._vervolg(t))

    def afgeweken(self, t: TermijnGepland) -> TermijnAfgeweken:
        return TermijnAfgeweken(**self._vervolg(t), reden="gemotiveerd")

    def vervallen(self, t: TermijnGepland) -> TermijnVervallen:
        return TermijnVervallen(**self._vervolg(t), reden="hersteld")


def wacht_tot_klaar(client: Any) -> None:
    """The service is ready once the rebuild it may do at start has finished (a new database is rebuilt from the
    streams first)."""
    from verzuim_devstack.testing import eventually_sync

    eventually_sync(lambda: client.get("/readyz").status_code == 200, timeout=180, interval=0.1)


async def toegepast(database_url: str, werkgever_id: str) -> set[UUID]:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            f"SELECT event_id FROM {LEESMODEL}.verwerkt_event WHERE werkgever_id = %s", (werkgever_id,)
        )
        return {row[0] for row in await cur.fetchall()}


async def verwerkt(database_url: str, feiten: Feiten, *, timeout: float = 60.0) -> None:
    """Wait until the service has applied every projectable event published so far (facts are keyed by event id,
    so this is independent of the order in which a batch was applied)."""
    verwacht = {e.event_id for e in feiten.gepubliceerd if e.subject() in _PROJECTEERBAAR}

    async def klaar() -> bool:
        return verwacht <= await toegepast(database_url, feiten.werkgever_id)

    await eventually(klaar, timeout=timeout)


async def stroom_van(nats_url: str, stream: Stream, werkgever_id: str) -> list[tuple[Positie, Event]]:
    """Every event of one werkgever in a stream, read from the beginning with its stream sequence."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        laatste = (await js.stream_info(stream.jetstream_name)).state.last_seq
        if laatste == 0:
            return []
        sub = await js.pull_subscribe(
            stream.wildcard,
            durable=None,
            stream=stream.jetstream_name,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30),
        )
        gevonden: list[tuple[Positie, Event]] = []
        gelezen = 0
        while gelezen < laatste:
            for msg in await sub.fetch(500, timeout=5):
                gelezen = msg.metadata.sequence.stream
                if json.loads(msg.data).get("werkgever_id") == werkgever_id:
                    gevonden.append((Positie(stream.value, gelezen), parse_event(msg.subject, msg.data)))
        return gevonden
    finally:
        await nc.close()


async def inhoud(database_url: str, werkgever_id: str, schema: str = LEESMODEL) -> dict[str, list[dict[str, Any]]]:
    """The werkgever's rows of every read-model table, in a fixed order."""
    tabellen: dict[str, list[dict[str, Any]]] = {}
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        for tabel in DATA_TABELLEN:
            cur = await conn.execute(f"SELECT * FROM {schema}.{tabel} WHERE werkgever_id = %s", (werkgever_id,))
            tabellen[tabel] = sorted(await cur.fetchall(), key=lambda r: repr(sorted(r.items())))
    return tabellen

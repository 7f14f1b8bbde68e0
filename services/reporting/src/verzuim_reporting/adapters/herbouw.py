"""The rebuild: replay the personeel, dossier and termijn streams from the beginning into a fresh read model.

1. Read each stream from sequence 1 up to its last sequence at the start (ordered push consumer, no acks), keep every
   projectable event as a fact (a copy under another message id: the earliest position counts, as live).
2. Derive every table with the same pure functions the live projector uses (`domain.afleiding`, `adapters.rijen`),
   and bulk-load it with COPY into the schema `leesmodel_herbouw`, indexes last.
3. Swap it in: in one transaction `leesmodel` becomes `leesmodel_oud`, `leesmodel_herbouw` becomes `leesmodel`, and
   the old one is dropped. Queries and the live projector see the new read model from their next statement; a
   projector transaction that was writing into the old one fails and its message is redelivered.
4. Catch up: apply what arrived in the streams while the rebuild ran, through the live projector (idempotent, so
   overlapping with the running consumers is harmless).

The service rebuilds this way at start when its read model is empty or of another version; `verzuim-reporting
rebuild` does it on request, while the service keeps answering from the old read model until the swap.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass, field
from uuid import UUID

import nats
from psycopg import AsyncConnection, sql
from pydantic import ValidationError
from verzuim_shared.events import Event, parse_event
from verzuim_shared.messaging import ensure_streams
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_reporting.adapters.database import Database, maak_schema
from verzuim_reporting.adapters.projectiestore import PostgresProjectiestore, kopieer
from verzuim_reporting.adapters.rijen import (
    KOLOMMEN,
    WERKNEMER_TABELLEN,
    Rij,
    afdeling_feit_rij,
    afdeling_rij,
    dossier_feit_rij,
    medewerker_feit_rij,
    termijn_feit_rij,
    termijn_rij,
    werknemer_rijen,
)
from verzuim_reporting.adapters.schema import HERBOUW, INDEXEN, LEESMODEL, OUD, SCHEMA_LOCK_KEY
from verzuim_reporting.adapters.stroom import laatste_sequence, lees_stroom
from verzuim_reporting.application import PROJECTEERBAAR, Positie, Projectiefeit, Projector, projectiefeit
from verzuim_reporting.domain.afleiding import leid_werknemer_af
from verzuim_reporting.domain.dossier import DossierFeit
from verzuim_reporting.domain.personeel import AfdelingFeit, MedewerkerFeit, geldende_afdeling
from verzuim_reporting.domain.termijnen import TermijnFeit, termijn_toestand

log = logging.getLogger(__name__)

STROMEN: tuple[Stream, ...] = (Stream.PERSONEEL, Stream.DOSSIER, Stream.TERMIJN)

_TYPE_PER_SUBJECT = {t.subject(): t for t in PROJECTEERBAAR}


@dataclass
class Verzamelaar:
    """The facts of every projectable event read so far, by event id (the first position seen is the earliest)."""

    feiten: dict[UUID, Projectiefeit] = field(default_factory=dict)
    gelezen: int = 0
    ongeldig: int = 0

    def verwerk(self, subject: str, data: bytes, sequence: int) -> None:
        self.gelezen += 1
        soort = _TYPE_PER_SUBJECT.get(subject)
        if soort is None:
            return  # not part of the read model (the live consumer only moves its position)
        try:
            event = soort.model_validate_json(data)
        except (ValidationError, ValueError) as exc:
            # the live consumer dead-letters such a message: it is not part of the read model either
            self.ongeldig += 1
            log.warning("rebuild: message %s on %s is not a valid event and is skipped: %s", sequence, subject, exc)
            return
        feit = projectiefeit(event, sequence)
        if feit is not None:
            self.feiten.setdefault(event.event_id, feit)

    def tabellen(self) -> dict[str, list[Rij]]:
        """Every table's rows, derived from the facts."""
        rijen: dict[str, list[Rij]] = {t: [] for t in KOLOMMEN}
        werknemers: dict[tuple[str, str], tuple[list[MedewerkerFeit], list[DossierFeit]]] = {}
        afdelingen: dict[tuple[str, str], list[AfdelingFeit]] = {}
        termijnen: dict[tuple[str, str], list[TermijnFeit]] = {}
        for pf in self.feiten.values():
            wg, f = pf.werkgever_id, pf.feit
            if isinstance(f, MedewerkerFeit):
                rijen["medewerker_feit"].append(medewerker_feit_rij(wg, pf.sleutel, f))
                werknemers.setdefault((wg, pf.sleutel), ([], []))[0].append(f)
            elif isinstance(f, DossierFeit):
                rijen["dossier_feit"].append(dossier_feit_rij(wg, pf.sleutel, f))
                werknemers.setdefault((wg, pf.sleutel), ([], []))[1].append(f)
            elif isinstance(f, AfdelingFeit):
                rijen["afdeling_feit"].append(afdeling_feit_rij(wg, f))
                afdelingen.setdefault((wg, pf.sleutel), []).append(f)
            else:
                rijen["termijn_feit"].append(termijn_feit_rij(wg, f))
                termijnen.setdefault((wg, pf.sleutel), []).append(f)
        for (wg, wn), (medewerker, dossier) in werknemers.items():
            for tabel, nieuw in werknemer_rijen(wg, leid_werknemer_af(wn, medewerker, dossier)).items():
                rijen[tabel].extend(nieuw)
        for (wg, _), feiten in afdelingen.items():
            rijen["afdeling"].append(afdeling_rij(wg, geldende_afdeling(feiten)))
        for (wg, _), tfeiten in termijnen.items():
            rijen["termijn"].append(termijn_rij(wg, termijn_toestand(tfeiten)))
        assert set(WERKNEMER_TABELLEN) <= set(rijen)
        return rijen


@dataclass(frozen=True)
class HerbouwResultaat:
    gelezen: int  # messages read from the three streams
    feiten: int  # distinct projectable events
    ongeldig: int  # messages that are not a valid event (skipped, as the live consumer dead-letters them)
    posities: dict[str, int]  # per stream, the last sequence the rebuild read
    ingehaald: int  # messages applied afterwards, that arrived while the rebuild ran
    lees_seconden: float
    schrijf_seconden: float
    totaal_seconden: float

    @property
    def events_per_seconde(self) -> float:
        return self.gelezen / self.totaal_seconden if self.totaal_seconden else 0.0


async def schrijf_leesmodel(url: str, rijen: dict[str, list[Rij]], posities: dict[str, int], schema: str) -> None:
    """Bulk-load a complete read model into a fresh schema `schema` (replacing one of that name)."""
    async with await AsyncConnection.connect(url) as conn, conn.transaction():
        await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        await maak_schema(conn, schema, met_indexen=False)
        for tabel, tabelrijen in rijen.items():
            await kopieer(conn, tabel, tabelrijen)
        for statement in INDEXEN:
            await conn.execute(statement)
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO projectie_positie (stream, laatste_sequence) VALUES (%s, %s)", list(posities.items())
            )
        for tabel in rijen:
            await conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(tabel)))


async def wissel_in(url: str) -> None:
    """Make the rebuilt schema the live read model, in one transaction, and drop the old one."""
    async with await AsyncConnection.connect(url) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(OUD)))
        await conn.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(LEESMODEL), sql.Identifier(OUD))
        )
        await conn.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(HERBOUW), sql.Identifier(LEESMODEL))
        )
        await conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(OUD)))


class Herbouwer:
    def __init__(self, database: Database, settings: ServiceSettings) -> None:
        self._database = database
        self._settings = settings

    async def herbouw(self) -> HerbouwResultaat:
        start = time.perf_counter()
        nc = await nats.connect(self._settings.nats_url, name=f"{self._settings.service_name}-rebuild")
        try:
            await ensure_streams(nc.jetstream(), self._settings, STROMEN)
            verzamelaar = Verzamelaar()
            posities: dict[str, int] = {}
            gc_aan = gc.isenabled()
            gc.disable()  # millions of small, long-lived objects: the cyclic GC would only rescan them
            try:
                for stream in STROMEN:
                    einde = await laatste_sequence(nc, stream)
                    await lees_stroom(nc, stream, verzamelaar.verwerk, tot_en_met=einde)
                    posities[stream.value] = einde
                gelezen = time.perf_counter()
                rijen = verzamelaar.tabellen()
                aantal_feiten = len(verzamelaar.feiten)
                verzamelaar.feiten.clear()
                await schrijf_leesmodel(self._database.url, rijen, posities, HERBOUW)
                del rijen
            finally:
                if gc_aan:
                    gc.enable()
            await wissel_in(self._database.url)
            geschreven = time.perf_counter()
            ingehaald = await self._haal_in(nc, posities)
        finally:
            await nc.close()
        einde_tijd = time.perf_counter()
        resultaat = HerbouwResultaat(
            gelezen=verzamelaar.gelezen,
            feiten=aantal_feiten,
            ongeldig=verzamelaar.ongeldig,
            posities=posities,
            ingehaald=ingehaald,
            lees_seconden=gelezen - start,
            schrijf_seconden=geschreven - gelezen,
            totaal_seconden=einde_tijd - start,
        )
        log.info(
            "read model rebuilt from %d messages in %.1fs (%d invalid skipped, %d caught up afterwards)",
            resultaat.gelezen,
            resultaat.totaal_seconden,
            resultaat.ongeldig,
            ingehaald,
        )
        return resultaat

    async def _haal_in(self, nc: nats.NATS, posities: dict[str, int]) -> int:
        """Apply what arrived after the rebuild read its streams, through the live projector."""
        projector = Projector(PostgresProjectiestore(self._database))
        toegepast = 0
        for stream in STROMEN:
            wachtend: list[tuple[Event | None, Positie]] = []

            def verzamel(
                subject: str,
                data: bytes,
                sequence: int,
                stream: Stream = stream,
                wachtend: list[tuple[Event | None, Positie]] = wachtend,
            ) -> None:
                try:
                    event: Event | None = parse_event(subject, data)
                except (ValidationError, LookupError, ValueError):
                    event = None
                wachtend.append((event, Positie(stream.value, sequence)))

            await lees_stroom(nc, stream, verzamel, vanaf=posities[stream.value] + 1)
            for event, positie in wachtend:
                if event is not None:
                    await projector.verwerk(event, positie)
                toegepast += 1
        return toegepast

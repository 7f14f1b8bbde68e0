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

import asyncio
import gc
import logging
import pickle
import struct
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO
from uuid import UUID

import nats
import psycopg
from psycopg import AsyncConnection, sql
from pydantic import ValidationError
from verzuim_shared.events import Event, parse_event
from verzuim_shared.messaging import ensure_streams
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_reporting.adapters.database import Database, maak_schema
from verzuim_reporting.adapters.projectiestore import PostgresProjectiestore
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
from verzuim_reporting.adapters.schema import HERBOUW, INDEXEN, LEESMODEL, OUD, SCHEMA_LOCK_KEY, SLEUTELS, VIEWS
from verzuim_reporting.adapters.stroom import laatste_sequence, lees_stroom
from verzuim_reporting.application import PROJECTEERBAAR, Positie, Projector, Sleutel, projectiefeit
from verzuim_reporting.domain.afleiding import leid_werknemer_af
from verzuim_reporting.domain.dossier import DossierFeit
from verzuim_reporting.domain.personeel import AfdelingFeit, MedewerkerFeit, geldende_afdeling
from verzuim_reporting.domain.termijnen import TermijnFeit, termijn_toestand

log = logging.getLogger(__name__)

STROMEN: tuple[Stream, ...] = (Stream.PERSONEEL, Stream.DOSSIER, Stream.TERMIJN)

_TYPE_PER_SUBJECT = {t.subject(): t for t in PROJECTEERBAAR}


@dataclass
class Verzamelaar:
    """The facts of every projectable event read so far, grouped by the key they are derived under. An event seen
    twice (a copy under another message id) counts once, as the first seen, which is the earliest position.

    The rows of new facts also wait in `feitrijen`, so that they can be written while the streams are still read."""

    gelezen: int = 0
    ongeldig: int = 0
    feiten: int = 0
    gezien: set[UUID] = field(default_factory=set)
    werknemers: dict[Sleutel, tuple[list[MedewerkerFeit], list[DossierFeit]]] = field(default_factory=dict)
    afdelingen: dict[Sleutel, list[AfdelingFeit]] = field(default_factory=dict)
    termijnen: dict[Sleutel, list[TermijnFeit]] = field(default_factory=dict)
    feitrijen: dict[str, list[Rij]] = field(
        default_factory=lambda: {t: [] for t in ("afdeling_feit", "medewerker_feit", "dossier_feit", "termijn_feit")}
    )

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
        if event.event_id in self.gezien:
            return
        pf = projectiefeit(event, sequence)
        if pf is None:
            return
        self.gezien.add(event.event_id)
        self.feiten += 1
        wg, f, sleutel = pf.werkgever_id, pf.feit, (pf.werkgever_id, pf.sleutel)
        if isinstance(f, TermijnFeit):
            self.feitrijen["termijn_feit"].append(termijn_feit_rij(wg, f))
            self.termijnen.setdefault(sleutel, []).append(f)
        elif isinstance(f, DossierFeit):
            self.feitrijen["dossier_feit"].append(dossier_feit_rij(wg, pf.sleutel, f))
            self.werknemers.setdefault(sleutel, ([], []))[1].append(f)
        elif isinstance(f, MedewerkerFeit):
            self.feitrijen["medewerker_feit"].append(medewerker_feit_rij(wg, pf.sleutel, f))
            self.werknemers.setdefault(sleutel, ([], []))[0].append(f)
        else:
            self.feitrijen["afdeling_feit"].append(afdeling_feit_rij(wg, f))
            self.afdelingen.setdefault(sleutel, []).append(f)

    def neem_feitrijen(self) -> dict[str, list[Rij]]:
        rijen, self.feitrijen = self.feitrijen, {t: [] for t in self.feitrijen}
        return rijen

    def afgeleide_werknemers(self) -> dict[str, list[Rij]]:
        """The tables derived per werknemer, from all the facts (the same functions as the live projector). Needs the
        personeel and dossier streams only."""
        rijen: dict[str, list[Rij]] = {t: [] for t in WERKNEMER_TABELLEN}
        for (wg, wn), (medewerker, dossier) in self.werknemers.items():
            for tabel, nieuw in werknemer_rijen(wg, leid_werknemer_af(wn, medewerker, dossier)).items():
                rijen[tabel].extend(nieuw)
        return rijen

    def afgeleide_overige(self) -> dict[str, list[Rij]]:
        """The afdelingen and termijnen."""
        return {
            "afdeling": [afdeling_rij(wg, geldende_afdeling(f)) for (wg, _), f in self.afdelingen.items()],
            "termijn": [termijn_rij(wg, termijn_toestand(f)) for (wg, _), f in self.termijnen.items()],
        }


@dataclass
class Fasen:
    """Seconds per phase of a rebuild."""

    lezen: float = 0.0  # read the streams, keep and write the facts
    afleiden: float = 0.0  # derive every table from the facts
    schrijven: float = 0.0  # COPY the derived tables
    indexeren: float = 0.0  # build the indexes, ANALYZE
    wisselen: float = 0.0  # swap the schema in


# ------------------------------------------------------------------------------------------------ the projection
# What the reader hands the projection: a batch of raw messages, or the end of a stream (with its last sequence).
Bericht = tuple[str, object, int]
_BATCH, _STROOM_KLAAR = "batch", "klaar"
_BATCHGROOTTE = 2000


def _kopieer(conn: psycopg.Connection, tabel: str, rijen: Iterable[Rij]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {tabel} ({', '.join(KOLOMMEN[tabel])}) FROM STDIN") as copy:
        for rij in rijen:
            copy.write_row(rij)


def _kopieer_alle(conn: psycopg.Connection, tabellen: dict[str, list[Rij]]) -> None:
    for tabel, rijen in tabellen.items():
        if rijen:
            _kopieer(conn, tabel, rijen)


def projecteer(berichten: Iterable[Bericht], url: str, schema: str) -> dict[str, Any]:
    """Turn the raw messages of the three streams into the read model in `schema` (created, empty, by the caller).

    Facts are written while messages come in; once the personeel and dossier streams are complete, the werknemers
    are derived and written while the termijn stream still comes in. One transaction: a failed rebuild leaves
    nothing half in the schema. Synchronous: it runs in a worker process of its own, or in a thread."""
    gc_aan = gc.isenabled()
    gc.disable()  # millions of small, long-lived objects: the cyclic GC would only rescan them
    try:
        start = time.perf_counter()
        fasen = Fasen()
        verzamelaar = Verzamelaar()
        posities: dict[str, int] = {}
        werknemers_klaar = False
        with psycopg.connect(url) as conn, conn.transaction():
            conn.execute(sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(schema)))

            def werknemers() -> None:
                moment = time.perf_counter()
                rijen = verzamelaar.afgeleide_werknemers()
                fasen.afleiden += time.perf_counter() - moment
                moment = time.perf_counter()
                _kopieer_alle(conn, rijen)
                fasen.schrijven += time.perf_counter() - moment

            for soort, inhoud, getal in berichten:
                if soort == _BATCH:
                    assert isinstance(inhoud, list)
                    for subject, data, sequence in inhoud:
                        verzamelaar.verwerk(subject, data, sequence)
                    # PostgreSQL takes in the facts in its own process while the next messages are handled
                    _kopieer_alle(conn, verzamelaar.neem_feitrijen())
                else:
                    assert isinstance(inhoud, str)
                    posities[inhoud] = getal
                    if not werknemers_klaar and {Stream.PERSONEEL.value, Stream.DOSSIER.value} <= posities.keys():
                        werknemers()
                        werknemers_klaar = True
            _kopieer_alle(conn, verzamelaar.neem_feitrijen())
            if not werknemers_klaar:
                werknemers()
            moment = time.perf_counter()
            overige = verzamelaar.afgeleide_overige()
            fasen.afleiden += time.perf_counter() - moment
            moment = time.perf_counter()
            _kopieer_alle(conn, overige)
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO projectie_positie (stream, laatste_sequence) VALUES (%s, %s)", list(posities.items())
                )
            fasen.schrijven += time.perf_counter() - moment
        fasen.lezen = time.perf_counter() - start - fasen.afleiden - fasen.schrijven
        return {
            "gelezen": verzamelaar.gelezen,
            "feiten": verzamelaar.feiten,
            "ongeldig": verzamelaar.ongeldig,
            "posities": posities,
            "fasen": asdict(fasen),  # plain data: the worker runs this module as __main__
        }
    finally:
        if gc_aan:
            gc.enable()


def _frame(waarde: object) -> bytes:
    data = pickle.dumps(waarde, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack(">Q", len(data)) + data


def _lees_frame(bron: BinaryIO) -> Any:
    kop = bron.read(8)
    if len(kop) < 8:
        raise EOFError("the reader stopped before the end of the streams")
    (lengte,) = struct.unpack(">Q", kop)
    return pickle.loads(bron.read(lengte))


def werker() -> None:
    """The worker process (`python -m verzuim_reporting.adapters.herbouw`): the database URL and schema arrive as the
    first frame on stdin, then batches of raw messages until None; the outcome goes back as one frame on stdout.
    Pickle only ever travels between this service's own two processes."""
    invoer, uitvoer = sys.stdin.buffer, sys.stdout.buffer
    url, schema = _lees_frame(invoer)

    def berichten() -> Iterator[Bericht]:
        while (bericht := _lees_frame(invoer)) is not None:
            yield bericht

    try:
        antwoord: tuple[str, object] = ("ok", projecteer(berichten(), url, schema))
    except BaseException:
        antwoord = ("fout", traceback.format_exc())
    uitvoer.write(_frame(antwoord))
    uitvoer.flush()


@dataclass(frozen=True)
class HerbouwResultaat:
    gelezen: int  # messages read from the three streams
    feiten: int  # distinct projectable events
    ongeldig: int  # messages that are not a valid event (skipped, as the live consumer dead-letters them)
    posities: dict[str, int]  # per stream, the last sequence the rebuild read
    ingehaald: int  # messages applied afterwards, that arrived while the rebuild ran
    fasen: Fasen
    totaal_seconden: float  # until the new read model is live and caught up
    opruimen_seconden: float  # then dropping the old one

    @property
    def events_per_seconde(self) -> float:
        return self.gelezen / self.totaal_seconden if self.totaal_seconden else 0.0


# The tables the queries read, analysed after a rebuild so the planner knows their sizes from the first query on.
_TE_ANALYSEREN = (
    "bezetting",
    "verzuim_segment",
    "verzuimgeval",
    "dossier",
    "termijn",
    "medewerker_gegevens",
    "afdeling",
)


async def _parallel(url: str, statements: Sequence[str], schema: str, verbindingen: int = 3) -> None:
    """Run independent DDL (index builds, ANALYZE) on a few connections at once: PostgreSQL does this work in its
    own processes, next to each other."""
    wachtrij = list(statements)

    async def werker() -> None:
        async with await AsyncConnection.connect(url, autocommit=True, options=f"-c search_path={schema}") as conn:
            while wachtrij:
                await conn.execute(wachtrij.pop(0))

    await asyncio.gather(*(werker() for _ in range(min(verbindingen, len(wachtrij)))))


async def lees_en_schrijf(
    nc: nats.NATS, url: str, schema: str, *, apart_proces: bool = True
) -> tuple[dict[str, Any], Fasen]:
    """Read the three streams and project them into a fresh schema `schema`, then build its indexes and statistics.

    With `apart_proces`, this process only reads (nats-py's work per message) and hands the raw messages in batches
    to worker processes that do the rest, so that the work spreads over the cores. Otherwise the projection runs in
    a thread here, after the reading."""
    async with await AsyncConnection.connect(url) as conn, conn.transaction():
        await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        await maak_schema(conn, schema, met_indexen=False)

    async def lees(zend: Callable[[Stream, Bericht], None]) -> None:
        for stream in STROMEN:
            batch: list[tuple[str, bytes, int]] = []

            def verzamel(
                subject: str,
                data: bytes,
                sequence: int,
                stream: Stream = stream,
                batch: list[tuple[str, bytes, int]] = batch,
            ) -> None:
                batch.append((subject, data, sequence))
                if len(batch) >= _BATCHGROOTTE:
                    zend(stream, (_BATCH, batch.copy(), 0))
                    batch.clear()

            einde = await laatste_sequence(nc, stream)
            await lees_stroom(nc, stream, verzamel, tot_en_met=einde)
            if batch:
                zend(stream, (_BATCH, batch, 0))
            zend(stream, (_STROOM_KLAAR, stream.value, einde))

    if apart_proces:
        uitkomsten = await _in_werkprocessen(lees, url, schema)
    else:
        berichten: list[Bericht] = []
        await lees(lambda _stream, bericht: berichten.append(bericht))
        uitkomsten = [await asyncio.get_running_loop().run_in_executor(None, projecteer, berichten, url, schema)]
    uitkomst = {
        "gelezen": sum(u["gelezen"] for u in uitkomsten),
        "feiten": sum(u["feiten"] for u in uitkomsten),
        "ongeldig": sum(u["ongeldig"] for u in uitkomsten),
        "posities": {k: v for u in uitkomsten for k, v in u["posities"].items()},
        # the workers run side by side: the slower one sets each phase
        "fasen": {f: max(u["fasen"][f] for u in uitkomsten) for f in uitkomsten[0]["fasen"]},
    }
    fasen = Fasen(**uitkomst["fasen"])
    moment = time.perf_counter()
    await _parallel(url, SLEUTELS, schema)
    await _parallel(url, INDEXEN, schema)
    await _parallel(url, [*VIEWS, *(f"ANALYZE {t}" for t in _TE_ANALYSEREN)], schema)
    fasen.indexeren = time.perf_counter() - moment
    return uitkomst, fasen


# Two worker processes: one for the personeel and dossier streams (it derives the werknemers), one for the termijn
# stream (two thirds of the events). They write the same schema in transactions of their own.
_WERKERS: dict[Stream, int] = {Stream.PERSONEEL: 0, Stream.DOSSIER: 0, Stream.TERMIJN: 1}


async def _in_werkprocessen(
    lees: Callable[[Callable[[Stream, Bericht], None]], Awaitable[None]], url: str, schema: str
) -> list[dict[str, Any]]:
    """Read here, project in worker processes (`python -m verzuim_reporting.adapters.herbouw`)."""
    processen = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "verzuim_reporting.adapters.herbouw",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(max(_WERKERS.values()) + 1)
    ]
    try:
        for proces in processen:
            assert proces.stdin is not None
            proces.stdin.write(_frame((url, schema)))

        def zend(stream: Stream, bericht: Bericht) -> None:
            # buffered by the transport: reading never waits for a worker
            invoer = processen[_WERKERS[stream]].stdin
            assert invoer is not None
            invoer.write(_frame(bericht))

        await lees(zend)
        uitkomsten = []
        for proces in processen:
            assert proces.stdin is not None and proces.stdout is not None
            proces.stdin.write(_frame(None))
            await proces.stdin.drain()
            proces.stdin.close()
        for proces in processen:
            assert proces.stdout is not None
            (lengte,) = struct.unpack(">Q", await proces.stdout.readexactly(8))
            status, uitkomst = pickle.loads(await proces.stdout.readexactly(lengte))
            if status != "ok":
                raise RuntimeError(f"a worker process of the rebuild failed:\n{uitkomst}")
            uitkomsten.append(uitkomst)
        return uitkomsten
    finally:
        for proces in processen:
            if proces.returncode is None:
                try:
                    await asyncio.wait_for(proces.wait(), timeout=30)
                except TimeoutError:
                    proces.kill()
                    await proces.wait()


async def wissel_in(url: str) -> None:
    """Make the rebuilt schema the live read model, in one transaction."""
    async with await AsyncConnection.connect(url) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(OUD)))
        await conn.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(LEESMODEL), sql.Identifier(OUD))
        )
        await conn.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(HERBOUW), sql.Identifier(LEESMODEL))
        )


async def ruim_op(url: str) -> None:
    """Drop the replaced read model. Its own transaction: the new one is live already; statements still running
    against the old tables finish first (or fail and have their message redelivered)."""
    async with await AsyncConnection.connect(url) as conn, conn.transaction():
        await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(OUD)))


class Herbouwer:
    def __init__(self, database: Database, settings: ServiceSettings) -> None:
        self._database = database
        self._settings = settings

    async def herbouw(self) -> HerbouwResultaat:
        start = time.perf_counter()
        apart = getattr(self._settings, "rebuild_worker_process", True)
        nc = await nats.connect(self._settings.nats_url, name=f"{self._settings.service_name}-rebuild")
        try:
            await ensure_streams(nc.jetstream(), self._settings, STROMEN)
            uitkomst, fasen = await lees_en_schrijf(nc, self._database.url, HERBOUW, apart_proces=apart)
            moment = time.perf_counter()
            await wissel_in(self._database.url)
            fasen.wisselen = time.perf_counter() - moment
            posities: dict[str, int] = uitkomst["posities"]
            ingehaald = await self._haal_in(nc, posities)
        finally:
            await nc.close()
        live = time.perf_counter()
        await ruim_op(self._database.url)
        resultaat = HerbouwResultaat(
            gelezen=uitkomst["gelezen"],
            feiten=uitkomst["feiten"],
            ongeldig=uitkomst["ongeldig"],
            posities=posities,
            ingehaald=ingehaald,
            fasen=fasen,
            totaal_seconden=live - start,
            opruimen_seconden=time.perf_counter() - live,
        )
        log.info(
            "read model rebuilt from %d messages in %.1fs (read %.1fs, derive %.1fs, write %.1fs, index %.1fs, "
            "swap %.1fs, then %.1fs dropping the old one; %d invalid skipped, %d caught up afterwards)",
            resultaat.gelezen,
            resultaat.totaal_seconden,
            fasen.lezen,
            fasen.afleiden,
            fasen.schrijven,
            fasen.indexeren,
            fasen.wisselen,
            resultaat.opruimen_seconden,
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


if __name__ == "__main__":
    werker()

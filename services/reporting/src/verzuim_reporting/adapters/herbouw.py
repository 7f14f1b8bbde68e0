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
import logging
import pickle
import struct
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import nats
from psycopg import AsyncConnection, sql
from pydantic import ValidationError
from verzuim_shared.events import Event, parse_event
from verzuim_shared.messaging import ensure_streams
from verzuim_shared.settings import ServiceSettings
from verzuim_shared.subjects import Stream

from verzuim_reporting.adapters.database import Database, maak_schema
from verzuim_reporting.adapters.herbouw_werker import (
    BATCH,
    BATCHGROOTTE,
    STROMEN,
    STROOM_KLAAR,
    Bericht,
    Fasen,
    frame,
    projecteer,
)
from verzuim_reporting.adapters.projectiestore import PostgresProjectiestore
from verzuim_reporting.adapters.schema import HERBOUW, LEESMODEL, OUD, SCHEMA_LOCK_KEY, VIEWS, sleutels_en_indexen
from verzuim_reporting.adapters.stroom import laatste_sequence, lees_stroom
from verzuim_reporting.application import Positie, Projector

log = logging.getLogger(__name__)


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

    async def lees_een(stream: Stream, zend: Callable[[Stream, Bericht], None]) -> None:
        batch: list[tuple[str, bytes, int]] = []

        def verzamel(subject: str, data: bytes, sequence: int) -> None:
            batch.append((subject, data, sequence))
            if len(batch) >= BATCHGROOTTE:
                zend(stream, (BATCH, batch.copy(), 0))
                batch.clear()

        einde = await laatste_sequence(nc, stream)
        await lees_stroom(nc, stream, verzamel, tot_en_met=einde)
        if batch:
            zend(stream, (BATCH, batch, 0))
        zend(stream, (STROOM_KLAAR, stream.value, einde))

    async def lees(zend: Callable[[Stream, Bericht], None]) -> None:
        # one stream after the other: the personeel and dossier streams are complete after a third of the reading,
        # so the werknemers are derived while the termijn stream is read (reading all three at once was slower)
        for stream in STROMEN:
            await lees_een(stream, zend)

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
    # the workers built the keys and indexes of their own tables; what is left is the bookkeeping
    moment = time.perf_counter()
    async with await AsyncConnection.connect(url, options=f"-c search_path={schema}") as conn, conn.transaction():
        for statement in (*sleutels_en_indexen(("leesmodel_info", "projectie_positie")), *VIEWS):
            await conn.execute(statement)
    fasen.indexeren += time.perf_counter() - moment
    return uitkomst, fasen


# Two worker processes: one for the personeel and dossier streams (it derives the werknemers), one for the termijn
# stream (two thirds of the events). They write their own tables of the same schema, each in a transaction of its own.
_WERKERS: dict[Stream, int] = {Stream.PERSONEEL: 0, Stream.DOSSIER: 0, Stream.TERMIJN: 1}


async def _in_werkprocessen(
    lees: Callable[[Callable[[Stream, Bericht], None]], Awaitable[None]], url: str, schema: str
) -> list[dict[str, Any]]:
    """Read here, project in worker processes (`python -m verzuim_reporting.adapters.herbouw_werker`)."""
    processen = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "verzuim_reporting.adapters.herbouw_werker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(max(_WERKERS.values()) + 1)
    ]
    try:
        for i, proces in enumerate(processen):
            assert proces.stdin is not None
            stromen = [s.value for s, w in _WERKERS.items() if w == i]
            proces.stdin.write(frame((url, schema, stromen)))

        open_stromen = {i: {s for s, w in _WERKERS.items() if w == i} for i in range(len(processen))}

        def zend(stream: Stream, bericht: Bericht) -> None:
            # buffered by the transport: reading never waits for a worker
            werker = _WERKERS[stream]
            invoer = processen[werker].stdin
            assert invoer is not None
            invoer.write(frame(bericht))
            if bericht[0] == STROOM_KLAAR:
                open_stromen[werker].discard(stream)
                if not open_stromen[werker]:
                    # its streams are done: the worker derives and indexes while the others are still read
                    invoer.write(frame(None))
                    invoer.close()  # after what is buffered has been written

        await lees(zend)
        uitkomsten = []
        for proces in processen:
            assert proces.stdin is not None
            await proces.stdin.wait_closed()
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
        return await haal_in(nc, Projector(PostgresProjectiestore(self._database)), posities)


# What arrived after the rebuild read its streams goes through the live projector in bundles of this size.
INHAALBUNDEL = 1000


async def haal_in(
    nc: nats.NATS, projector: Projector, posities: dict[str, int], *, bundelgrootte: int = INHAALBUNDEL
) -> int:
    """Apply what arrived after the rebuild read its streams (from the positions on), through the live projector:
    a bundle per transaction, as the consumers' group commit does (ADR 0043). A bundle that fails is applied event
    by event; an event that still fails is logged and left to the live consumer (which retries and dead-letters
    it). Returns the number of messages read."""
    gelezen = 0
    for stream in STROMEN:
        wachtend: list[tuple[Event, Positie]] = []

        def verzamel(
            subject: str,
            data: bytes,
            sequence: int,
            stream: Stream = stream,
            wachtend: list[tuple[Event, Positie]] = wachtend,
        ) -> None:
            nonlocal gelezen
            gelezen += 1
            try:
                wachtend.append((parse_event(subject, data), Positie(stream.value, sequence)))
            except (ValidationError, LookupError, ValueError):
                pass  # not a valid event: the live consumer dead-letters it

        await lees_stroom(nc, stream, verzamel, vanaf=posities[stream.value] + 1)
        for i in range(0, len(wachtend), bundelgrootte):
            bundel = wachtend[i : i + bundelgrootte]
            try:
                await projector.verwerk_bundel(bundel)
            except Exception:
                for event, positie in bundel:
                    try:
                        await projector.verwerk(event, positie)
                    except Exception:
                        log.exception("catching up after the rebuild: %s at %s is left to the consumer", event, positie)
    return gelezen

"""The projection side of a rebuild: raw messages of the streams in, the tables of a fresh read model out.

It runs in worker processes of its own (`python -m verzuim_reporting.adapters.herbouw_werker`, started by
`adapters/herbouw.py`, which reads the streams), or in a thread of the service. It imports only what it needs, so
that a worker process starts in well under a second.
"""

from __future__ import annotations

import gc
import logging
import pickle
import queue
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO, cast

import psycopg
from psycopg import sql
from verzuim_shared.subjects import Stream

from verzuim_reporting.adapters.ontleden import SOORTEN, OngeldigBericht, ontleed
from verzuim_reporting.adapters.rijen import (
    KOLOMMEN,
    WERKNEMER_TABELLEN,
    afdeling_feit_rij,
    afdeling_rij,
    dossier_feit_rij,
    medewerker_feit_rij,
    regelfunctie,
    tekstregel,
    termijn_feit_rij,
    termijn_rij,
    werknemer_rijen,
)
from verzuim_reporting.adapters.schema import sleutels_en_indexen
from verzuim_reporting.application import Sleutel
from verzuim_reporting.domain.afleiding import leid_werknemer_af
from verzuim_reporting.domain.dossier import DossierFeit
from verzuim_reporting.domain.personeel import AfdelingFeit, MedewerkerFeit, geldende_afdeling
from verzuim_reporting.domain.termijnen import Termijn, TermijnFeit, volgende_toestand

log = logging.getLogger(__name__)

STROMEN: tuple[Stream, ...] = (Stream.PERSONEEL, Stream.DOSSIER, Stream.TERMIJN)

# The tables each stream fills; the werknemer tables need the personeel and the dossier stream together.
_TABELLEN: dict[Stream, tuple[str, ...]] = {
    Stream.PERSONEEL: ("afdeling_feit", "medewerker_feit", "afdeling"),
    Stream.DOSSIER: ("dossier_feit",),
    Stream.TERMIJN: ("termijn_feit", "termijn"),
}


def tabellen_van(stromen: Iterable[Stream]) -> tuple[str, ...]:
    stromen = set(stromen)
    eigen = tuple(t for s in STROMEN if s in stromen for t in _TABELLEN[s])
    return eigen + (WERKNEMER_TABELLEN if Stream.PERSONEEL in stromen else ())


# Lines of COPY text a table collects before they go to PostgreSQL (about 1 MB).
_STUK = 8192
_TERMIJN_FEIT, _DOSSIER_FEIT, _MEDEWERKER_FEIT = (
    regelfunctie(t) for t in ("termijn_feit", "dossier_feit", "medewerker_feit")
)


class Kopieerder:
    """COPY on a thread of its own, so that PostgreSQL takes in rows while the worker decodes and derives the next
    ones (psycopg waits for the socket without holding the GIL). Consecutive pieces for the same table go into one
    COPY statement; FREEZE, because the worker emptied the tables in its own transaction (the rows are visible to
    all at once and need no hint bits or freezing later)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn
        self._wachtrij: queue.Queue[tuple[str, str] | None] = queue.Queue(maxsize=32)  # back-pressure, ~32 MB
        self._fout: BaseException | None = None
        self._draad = threading.Thread(target=self._werk, name="herbouw-copy", daemon=True)
        self._draad.start()

    def schrijf(self, tabel: str, tekst: str) -> None:
        if self._fout is not None:
            raise RuntimeError("COPY into the rebuilt read model failed") from self._fout
        self._wachtrij.put((tabel, tekst))

    def _werk(self) -> None:
        try:
            stuk = self._wachtrij.get()
            while stuk is not None:
                tabel = stuk[0]
                statement = f"COPY {tabel} ({', '.join(KOLOMMEN[tabel])}) FROM STDIN WITH (FREEZE)"
                with self._conn.cursor() as cur, cur.copy(statement) as copy:
                    while stuk is not None and stuk[0] == tabel:
                        copy.write(stuk[1])
                        stuk = self._wachtrij.get()
        except BaseException as exc:
            self._fout = exc
            while self._wachtrij.get() is not None:  # never leave the worker blocked on a full queue
                pass

    def sluit(self) -> None:
        """Wait until PostgreSQL has taken in everything."""
        self._wachtrij.put(None)
        self._draad.join()
        if self._fout is not None:
            raise RuntimeError("COPY into the rebuilt read model failed") from self._fout


@dataclass
class Verzamelaar:
    """The facts of every projectable event read so far, grouped by the key they are derived under. An event seen
    twice (a copy under another message id) counts once, as the first seen, which is the earliest position: each
    stream is read in order. The facts go to PostgreSQL as COPY text while reading goes on; the termijnen are
    folded as their facts come in."""

    schrijf: Callable[[str, str], None]
    gelezen: int = 0
    ongeldig: int = 0
    feiten: int = 0
    gezien: set[int] = field(default_factory=set)  # event ids (as integers: cheap to hash)
    werknemers: dict[Sleutel, tuple[list[MedewerkerFeit], list[DossierFeit]]] = field(default_factory=dict)
    afdelingen: dict[Sleutel, list[AfdelingFeit]] = field(default_factory=dict)
    termijnen: dict[tuple[str, int], Termijn] = field(default_factory=dict)
    regels: dict[str, list[str]] = field(default_factory=dict)

    def verwerk(self, subject: str, data: bytes, sequence: int) -> None:
        self.gelezen += 1
        soort = SOORTEN.get(subject)
        if soort is None:
            return  # not part of the read model (the live consumer only moves its position)
        try:
            event = ontleed(soort, data)
        except OngeldigBericht as exc:
            # the live consumer dead-letters such a message: it is not part of the read model either
            self.ongeldig += 1
            log.warning("rebuild: message %s on %s is not a valid event and is skipped: %s", sequence, subject, exc)
            return
        sleutel = event.event_id.int
        if sleutel in self.gezien:
            return
        pf = soort.naar_feit(event, sequence)
        wg, f = pf.werkgever_id, pf.feit
        if isinstance(f, TermijnFeit):
            tabel, regel = "termijn_feit", _TERMIJN_FEIT(termijn_feit_rij(wg, f))
        elif isinstance(f, DossierFeit):
            tabel, regel = "dossier_feit", _DOSSIER_FEIT(dossier_feit_rij(wg, cast(str, pf.sleutel), f))
        elif isinstance(f, MedewerkerFeit):
            tabel, regel = "medewerker_feit", _MEDEWERKER_FEIT(medewerker_feit_rij(wg, cast(str, pf.sleutel), f))
        else:
            tabel, regel = "afdeling_feit", tekstregel("afdeling_feit", afdeling_feit_rij(wg, f))
        if "\x00" in regel:
            # PostgreSQL text cannot hold NUL: the live projector fails on this event and dead-letters it
            self.ongeldig += 1
            log.warning("rebuild: message %s on %s holds a NUL character and is skipped", sequence, subject)
            return
        self.gezien.add(sleutel)
        self.feiten += 1
        if isinstance(f, TermijnFeit):
            k = (wg, f.termijn_id.int)
            self.termijnen[k] = volgende_toestand(self.termijnen.get(k), f)
        elif isinstance(f, DossierFeit):
            self.werknemers.setdefault((wg, pf.sleutel), ([], []))[1].append(f)
        elif isinstance(f, MedewerkerFeit):
            self.werknemers.setdefault((wg, pf.sleutel), ([], []))[0].append(f)
        else:
            self.afdelingen.setdefault((wg, pf.sleutel), []).append(f)
        self._voeg_toe(tabel, regel)

    def _voeg_toe(self, tabel: str, regel: str) -> None:
        regels = self.regels.get(tabel)
        if regels is None:
            regels = self.regels[tabel] = []
        regels.append(regel)
        if len(regels) >= _STUK:
            self.schrijf(tabel, "".join(regels))
            regels.clear()

    def leeg(self) -> None:
        """Hand over every line still waiting."""
        for tabel, regels in self.regels.items():
            if regels:
                self.schrijf(tabel, "".join(regels))
                regels.clear()

    def leid_werknemers_af(self) -> None:
        """The tables derived per werknemer, from all the facts (the same functions as the live projector). Needs
        the personeel and dossier streams only."""
        for n, ((wg, wn), (medewerker, dossier)) in enumerate(self.werknemers.items(), start=1):
            for tabel, rijen in werknemer_rijen(wg, leid_werknemer_af(wn, medewerker, dossier)).items():
                regel = regelfunctie(tabel)
                for rij in rijen:
                    self._voeg_toe(tabel, regel(rij))
            if n % 5000 == 0:
                self.leeg()  # a piece of every table, so that PostgreSQL works along
        self.leeg()

    def leid_overige_af(self) -> None:
        """The afdelingen (the latest AfdelingVastgelegd) and the termijnen (already folded)."""
        for (wg, _), feiten in self.afdelingen.items():
            self._voeg_toe("afdeling", tekstregel("afdeling", afdeling_rij(wg, geldende_afdeling(feiten))))
        regel = regelfunctie("termijn")
        for (wg, _), termijn in self.termijnen.items():
            self._voeg_toe("termijn", regel(termijn_rij(wg, termijn)))
        self.leeg()


@dataclass
class Fasen:
    """Seconds per phase of a rebuild."""

    lezen: float = 0.0  # read the streams, keep the facts and write them
    afleiden: float = 0.0  # derive every table from the facts
    schrijven: float = 0.0  # wait for PostgreSQL to take in the last rows
    indexeren: float = 0.0  # build the keys and indexes, ANALYZE
    wisselen: float = 0.0  # swap the schema in


# ------------------------------------------------------------------------------------------------ the projection
# What the reader hands the projection: a batch of raw messages, or the end of a stream (with its last sequence).
Bericht = tuple[str, object, int]
BATCH, STROOM_KLAAR = "batch", "klaar"
BATCHGROOTTE = 2000

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


def projecteer(
    berichten: Iterable[Bericht], url: str, schema: str, stromen: Sequence[Stream] = STROMEN
) -> dict[str, Any]:
    """Turn the raw messages of `stromen` into their tables of the read model in `schema` (created, empty, by the
    caller), with their keys, indexes and statistics.

    Facts are written while messages come in; once the personeel and dossier streams are complete, the werknemers
    are derived and written (while another worker may still read the termijn stream). One transaction: a failed
    rebuild leaves nothing half in the schema. Synchronous: it runs in a worker process of its own, or in a thread."""
    gc_aan = gc.isenabled()
    gc.disable()  # millions of small, long-lived objects: the cyclic GC would only rescan them
    try:
        start = time.perf_counter()
        fasen = Fasen()
        posities: dict[str, int] = {}
        tabellen = tabellen_van(stromen)
        werknemers_nodig = Stream.PERSONEEL in stromen
        with psycopg.connect(url) as conn, conn.transaction():
            conn.execute(sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(schema)))
            conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
            # emptied in this transaction, so that COPY may FREEZE the rows
            conn.execute(f"TRUNCATE {', '.join(tabellen)}")
            kopieerder = Kopieerder(conn)
            verzamelaar = Verzamelaar(kopieerder.schrijf)
            try:
                for soort, inhoud, getal in berichten:
                    if soort == BATCH:
                        assert isinstance(inhoud, list)
                        verwerk = verzamelaar.verwerk
                        for subject, data, sequence in inhoud:
                            verwerk(subject, data, sequence)
                        continue
                    assert isinstance(inhoud, str)
                    posities[inhoud] = getal
                    verzamelaar.leeg()
                    if werknemers_nodig and {Stream.PERSONEEL.value, Stream.DOSSIER.value} <= posities.keys():
                        moment = time.perf_counter()
                        verzamelaar.leid_werknemers_af()
                        fasen.afleiden += time.perf_counter() - moment
                        werknemers_nodig = False
                if werknemers_nodig:
                    moment = time.perf_counter()
                    verzamelaar.leid_werknemers_af()
                    fasen.afleiden += time.perf_counter() - moment
                moment = time.perf_counter()
                verzamelaar.leid_overige_af()
                fasen.afleiden += time.perf_counter() - moment
            finally:
                moment = time.perf_counter()
                kopieerder.sluit()
                fasen.schrijven = time.perf_counter() - moment
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO projectie_positie (stream, laatste_sequence) VALUES (%s, %s)", list(posities.items())
                )
            moment = time.perf_counter()
            for statement in sleutels_en_indexen(tabellen):
                conn.execute(statement)
            for tabel in tabellen:
                if tabel in _TE_ANALYSEREN:
                    conn.execute(f"ANALYZE {tabel}")
            fasen.indexeren = time.perf_counter() - moment
        fasen.lezen = time.perf_counter() - start - fasen.afleiden - fasen.schrijven - fasen.indexeren
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


def frame(waarde: object) -> bytes:
    data = pickle.dumps(waarde, protocol=pickle.HIGHEST_PROTOCOL)
    return struct.pack(">Q", len(data)) + data


def lees_frame(bron: BinaryIO) -> Any:
    kop = bron.read(8)
    if len(kop) < 8:
        raise EOFError("the reader stopped before the end of the streams")
    (lengte,) = struct.unpack(">Q", kop)
    return pickle.loads(bron.read(lengte))


def werker() -> None:
    """The worker process (`python -m verzuim_reporting.adapters.herbouw`): the database URL, schema and its streams
    arrive as the first frame on stdin, then batches of raw messages until None; the outcome goes back as one frame
    on stdout. Pickle only ever travels between this service's own two processes."""
    invoer, uitvoer = sys.stdin.buffer, sys.stdout.buffer
    url, schema, stromen = lees_frame(invoer)

    def berichten() -> Iterator[Bericht]:
        while (bericht := lees_frame(invoer)) is not None:
            yield bericht

    try:
        antwoord: tuple[str, object] = (
            "ok",
            projecteer(berichten(), url, schema, [Stream(s) for s in stromen]),
        )
    except BaseException:
        antwoord = ("fout", traceback.format_exc())
    uitvoer.write(frame(antwoord))
    uitvoer.flush()


if __name__ == "__main__":
    werker()

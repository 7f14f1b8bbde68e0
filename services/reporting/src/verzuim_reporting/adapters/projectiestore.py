"""The read model in PostgreSQL: the writes of the live projector, one transaction per event.

A fact is inserted once under its event id. A copy of the same event at an earlier stream position (published twice
under two message ids and delivered in another order, or processed concurrently within a batch) moves the fact to that
position, and the derived rows are recomputed; a copy at a later position changes nothing. So the tables are the same
whatever the order of (re)delivery, and the same as after a rebuild.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from psycopg import AsyncConnection

from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.rijen import (
    KOLOMMEN,
    WERKNEMER_TABELLEN,
    Rij,
    afdeling_feit_rij,
    afdeling_feit_uit,
    afdeling_rij,
    copytekst,
    dossier_feit_rij,
    dossier_feit_uit,
    medewerker_feit_rij,
    medewerker_feit_uit,
    termijn_feit_rij,
    termijn_feit_uit,
    termijn_rij,
    werknemer_rijen,
)
from verzuim_reporting.application import Positie, Projectiefeit, Sleutel, SleutelSoort
from verzuim_reporting.domain.afleiding import WerknemerAfleiding
from verzuim_reporting.domain.dossier import DossierFeit
from verzuim_reporting.domain.personeel import AfdelingFeit, MedewerkerFeit
from verzuim_reporting.domain.termijnen import Termijn, TermijnFeit


def _kolommen(tabel: str) -> str:
    return ", ".join(KOLOMMEN[tabel])


# Plain strings, built once: composing SQL per statement costs more than running it. The names are our own constants.
def insert_sql(tabel: str) -> str:
    return f"INSERT INTO {tabel} ({_kolommen(tabel)}) VALUES ({', '.join(['%s'] * len(KOLOMMEN[tabel]))})"


def _feit_sql(tabel: str) -> str:
    return (
        insert_sql(tabel) + " ON CONFLICT (event_id) DO UPDATE SET stream_sequence = EXCLUDED.stream_sequence"
        f" WHERE {tabel}.stream_sequence > EXCLUDED.stream_sequence RETURNING event_id"
    )


def _select_sql(tabel: str, *sleutels: str) -> str:
    return f"SELECT {_kolommen(tabel)} FROM {tabel} WHERE " + " AND ".join(f"{k} = %s" for k in sleutels)


_FEIT_SQL = {t: _feit_sql(t) for t in ("afdeling_feit", "medewerker_feit", "dossier_feit", "termijn_feit")}
_INSERT_SQL = {t: insert_sql(t) for t in KOLOMMEN}
_SELECT_MEDEWERKER = _select_sql("medewerker_feit", "werkgever_id", "werknemer_id")
_SELECT_DOSSIER = _select_sql("dossier_feit", "werkgever_id", "werknemer_id")


# A werknemer or afdeling is (werkgever_id, text id); a termijn (werkgever_id, uuid). The pairs come as typed arrays,
# so the comparison is on the columns themselves and PostgreSQL can use the (werkgever_id, key) index.
IN_TEKST = "(werkgever_id, {k}) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"
IN_TERMIJN = "(werkgever_id, termijn_id) IN (SELECT * FROM unnest(%s::text[], %s::uuid[]))"


def _select_in(tabel: str, voorwaarde: str) -> str:
    return f"SELECT {_kolommen(tabel)} FROM {tabel} WHERE {voorwaarde}"


_SELECT_MEDEWERKERS = _select_in("medewerker_feit", IN_TEKST.format(k="werknemer_id"))
_SELECT_DOSSIERS = _select_in("dossier_feit", IN_TEKST.format(k="werknemer_id"))
_SELECT_AFDELINGEN = _select_in("afdeling_feit", IN_TEKST.format(k="afdeling_id"))
SELECT_TERMIJNEN = _select_in("termijn_feit", IN_TERMIJN)


class PostgresProjectiestore:
    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def transactie(self) -> AsyncIterator[PostgresProjectieTransactie]:
        async with self._database.pool.connection() as conn, conn.transaction():
            yield PostgresProjectieTransactie(conn)


def _sleutels(sleutels: Sequence[Sleutel]) -> tuple[list[str], list[str]]:
    return [wg for wg, _ in sleutels], [k for _, k in sleutels]


class PostgresProjectieTransactie:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def vergrendel(self, sleutels: Sequence[tuple[SleutelSoort, str, Any]]) -> None:
        if sleutels:
            await self._conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(s, 0)) FROM unnest(%s::text[]) WITH ORDINALITY AS"
                " t(s, n) ORDER BY n",
                ([f"{soort.value}|{wg}|{sleutel}" for soort, wg, sleutel in sleutels],),
            )

    async def leg_feiten_vast(self, feiten: Sequence[Projectiefeit]) -> list[bool]:
        rijen: list[tuple[str, Rij]] = []
        for feit in feiten:
            wg, f = feit.werkgever_id, feit.feit
            if isinstance(f, MedewerkerFeit):
                rijen.append(("medewerker_feit", medewerker_feit_rij(wg, cast(str, feit.sleutel), f)))
            elif isinstance(f, DossierFeit):
                rijen.append(("dossier_feit", dossier_feit_rij(wg, cast(str, feit.sleutel), f)))
            elif isinstance(f, AfdelingFeit):
                rijen.append(("afdeling_feit", afdeling_feit_rij(wg, f)))
            else:
                rijen.append(("termijn_feit", termijn_feit_rij(wg, f)))
        uitkomst: list[bool] = []
        # one statement per fact, in stream order, sent as one pipeline per table (a copy later in the bundle sees
        # the original); RETURNING tells which facts are new or moved to an earlier position
        per_tabel: dict[str, list[int]] = {}
        for i, (tabel, _) in enumerate(rijen):
            per_tabel.setdefault(tabel, []).append(i)
        nieuw = [False] * len(rijen)
        async with self._conn.cursor() as cur:
            for tabel, indexen in per_tabel.items():
                await cur.executemany(_FEIT_SQL[tabel], [rijen[i][1] for i in indexen], returning=True)
                for i in indexen:
                    nieuw[i] = await cur.fetchone() is not None
                    cur.nextset()
        uitkomst.extend(nieuw)
        return uitkomst

    async def zet_posities(self, posities: Sequence[Positie]) -> None:
        hoogste: dict[str, int] = {}
        for p in posities:
            hoogste[p.stream] = max(p.sequence, hoogste.get(p.stream, 0))
        for stream, sequence in sorted(hoogste.items()):
            await self._conn.execute(
                """
                INSERT INTO projectie_positie (stream, laatste_sequence) VALUES (%s, %s)
                ON CONFLICT (stream) DO UPDATE
                SET laatste_sequence = GREATEST(projectie_positie.laatste_sequence, EXCLUDED.laatste_sequence)
                """,
                (stream, sequence),
            )

    async def _lees(self, sql_tekst: str, sleutels: Sequence[Sleutel]) -> list[Rij]:
        cur = await self._conn.execute(sql_tekst, _sleutels(sleutels))
        return await cur.fetchall()

    async def werknemer_feiten(
        self, sleutels: Sequence[Sleutel]
    ) -> dict[Sleutel, tuple[list[MedewerkerFeit], list[DossierFeit]]]:
        uit: dict[Sleutel, tuple[list[MedewerkerFeit], list[DossierFeit]]] = {k: ([], []) for k in sleutels}
        for rij in await self._lees(_SELECT_MEDEWERKERS, sleutels):
            uit[(rij[1], rij[2])][0].append(medewerker_feit_uit(rij))
        for rij in await self._lees(_SELECT_DOSSIERS, sleutels):
            uit[(rij[1], rij[2])][1].append(dossier_feit_uit(rij))
        return uit

    async def _vervang(
        self, tabellen: Sequence[str], voorwaarde: str, sleutels: Sequence[Sleutel], rijen: dict[str, list[Rij]]
    ) -> None:
        for tabel in tabellen:
            await self._conn.execute(f"DELETE FROM {tabel} WHERE {voorwaarde}", _sleutels(sleutels))
            if rijen.get(tabel):
                await kopieer(self._conn, tabel, rijen[tabel])

    async def vervang_werknemers(self, sleutels: Sequence[Sleutel], afleidingen: Sequence[WerknemerAfleiding]) -> None:
        rijen: dict[str, list[Rij]] = {t: [] for t in WERKNEMER_TABELLEN}
        for (wg, _), afleiding in zip(sleutels, afleidingen, strict=True):
            for tabel, nieuw in werknemer_rijen(wg, afleiding).items():
                rijen[tabel].extend(nieuw)
        await self._vervang(WERKNEMER_TABELLEN, IN_TEKST.format(k="werknemer_id"), sleutels, rijen)

    async def afdeling_feiten(self, sleutels: Sequence[Sleutel]) -> dict[Sleutel, list[AfdelingFeit]]:
        uit: dict[Sleutel, list[AfdelingFeit]] = {k: [] for k in sleutels}
        for rij in await self._lees(_SELECT_AFDELINGEN, sleutels):
            uit[(rij[1], rij[2])].append(afdeling_feit_uit(rij))
        return uit

    async def vervang_afdelingen(self, sleutels: Sequence[Sleutel], afdelingen: Sequence[AfdelingFeit]) -> None:
        rijen = {"afdeling": [afdeling_rij(wg, a) for (wg, _), a in zip(sleutels, afdelingen, strict=True)]}
        await self._vervang(("afdeling",), IN_TEKST.format(k="afdeling_id"), sleutels, rijen)

    async def termijn_feiten(self, sleutels: Sequence[Sleutel]) -> dict[Sleutel, list[TermijnFeit]]:
        uit: dict[Sleutel, list[TermijnFeit]] = {k: [] for k in sleutels}
        for rij in await self._lees(SELECT_TERMIJNEN, sleutels):
            uit[(rij[1], rij[2])].append(termijn_feit_uit(rij))
        return uit

    async def vervang_termijnen(self, sleutels: Sequence[Sleutel], termijnen: Sequence[Termijn]) -> None:
        rijen = {"termijn": [termijn_rij(wg, t) for (wg, _), t in zip(sleutels, termijnen, strict=True)]}
        await self._vervang(("termijn",), IN_TERMIJN, sleutels, rijen)


async def kopieer(conn: AsyncConnection, tabel: str, rijen: Iterable[Rij]) -> None:
    """COPY rows into a table, as text lines built by `rijen.copytekst` (the rebuild writes the same lines)."""
    async with conn.cursor() as cur:
        async with cur.copy(f"COPY {tabel} ({_kolommen(tabel)}) FROM STDIN") as copy:
            await copy.write(copytekst(tabel, rijen))


async def werknemer_feiten(
    conn: AsyncConnection, werkgever_id: str, werknemer_id: str
) -> tuple[list[MedewerkerFeit], list[DossierFeit]]:
    cur = await conn.execute(_SELECT_MEDEWERKER, (werkgever_id, werknemer_id))
    medewerker = [medewerker_feit_uit(r) for r in await cur.fetchall()]
    cur = await conn.execute(_SELECT_DOSSIER, (werkgever_id, werknemer_id))
    dossier = [dossier_feit_uit(r) for r in await cur.fetchall()]
    return medewerker, dossier

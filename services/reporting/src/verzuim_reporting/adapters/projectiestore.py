"""The read model in PostgreSQL: the writes of the live projector, one transaction per event.

A fact is inserted once under its event id. A copy of the same event at an earlier stream position (published twice
under two message ids and delivered in another order, or processed concurrently within a batch) moves the fact to that
position, and the derived rows are recomputed; a copy at a later position changes nothing. So the tables are the same
whatever the order of (re)delivery, and the same as after a rebuild.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from psycopg import AsyncConnection, sql

from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.rijen import (
    KOLOMMEN,
    WERKNEMER_TABELLEN,
    Rij,
    afdeling_feit_rij,
    afdeling_feit_uit,
    afdeling_rij,
    dossier_feit_rij,
    dossier_feit_uit,
    medewerker_feit_rij,
    medewerker_feit_uit,
    termijn_feit_rij,
    termijn_feit_uit,
    termijn_rij,
    werknemer_rijen,
)
from verzuim_reporting.application import Positie, Projectiefeit, SleutelSoort
from verzuim_reporting.domain.afleiding import WerknemerAfleiding
from verzuim_reporting.domain.dossier import DossierFeit
from verzuim_reporting.domain.personeel import AfdelingFeit, MedewerkerFeit
from verzuim_reporting.domain.termijnen import Termijn, TermijnFeit


def _kolommen(tabel: str) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(k) for k in KOLOMMEN[tabel])


def insert_sql(tabel: str) -> sql.Composed:
    return sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(tabel), _kolommen(tabel), sql.SQL(", ").join(sql.Placeholder() * len(KOLOMMEN[tabel]))
    )


def _feit_sql(tabel: str) -> sql.Composed:
    return insert_sql(tabel) + sql.SQL(
        " ON CONFLICT (event_id) DO UPDATE SET stream_sequence = EXCLUDED.stream_sequence"
        " WHERE {t}.stream_sequence > EXCLUDED.stream_sequence RETURNING event_id"
    ).format(t=sql.Identifier(tabel))


def _select_sql(tabel: str, *sleutels: str) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {} WHERE {}").format(
        _kolommen(tabel),
        sql.Identifier(tabel),
        sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in sleutels),
    )


_FEIT_SQL = {t: _feit_sql(t) for t in ("afdeling_feit", "medewerker_feit", "dossier_feit", "termijn_feit")}


class PostgresProjectiestore:
    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def transactie(self) -> AsyncIterator[PostgresProjectieTransactie]:
        async with self._database.pool.connection() as conn, conn.transaction():
            yield PostgresProjectieTransactie(conn)


class PostgresProjectieTransactie:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def vergrendel(self, werkgever_id: str, soort: SleutelSoort, sleutel: str) -> None:
        await self._conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{soort.value}|{werkgever_id}|{sleutel}",)
        )

    async def leg_feit_vast(self, feit: Projectiefeit) -> bool:
        wg, f = feit.werkgever_id, feit.feit
        rij: Rij
        if isinstance(f, MedewerkerFeit):
            tabel, rij = "medewerker_feit", medewerker_feit_rij(wg, feit.sleutel, f)
        elif isinstance(f, DossierFeit):
            tabel, rij = "dossier_feit", dossier_feit_rij(wg, feit.sleutel, f)
        elif isinstance(f, AfdelingFeit):
            tabel, rij = "afdeling_feit", afdeling_feit_rij(wg, f)
        else:
            tabel, rij = "termijn_feit", termijn_feit_rij(wg, f)
        cur = await self._conn.execute(_FEIT_SQL[tabel], rij)
        return await cur.fetchone() is not None

    async def zet_positie(self, positie: Positie) -> None:
        await self._conn.execute(
            """
            INSERT INTO projectie_positie (stream, laatste_sequence) VALUES (%s, %s)
            ON CONFLICT (stream) DO UPDATE
            SET laatste_sequence = GREATEST(projectie_positie.laatste_sequence, EXCLUDED.laatste_sequence)
            """,
            (positie.stream, positie.sequence),
        )

    async def werknemer_feiten(
        self, werkgever_id: str, werknemer_id: str
    ) -> tuple[list[MedewerkerFeit], list[DossierFeit]]:
        return await werknemer_feiten(self._conn, werkgever_id, werknemer_id)

    async def vervang_werknemer(self, werkgever_id: str, afleiding: WerknemerAfleiding) -> None:
        rijen = werknemer_rijen(werkgever_id, afleiding)
        for tabel in WERKNEMER_TABELLEN:
            await self._conn.execute(
                sql.SQL("DELETE FROM {} WHERE werkgever_id = %s AND werknemer_id = %s").format(sql.Identifier(tabel)),
                (werkgever_id, afleiding.werknemer_id),
            )
            if rijen[tabel]:
                async with self._conn.cursor() as cur:
                    await cur.executemany(insert_sql(tabel), rijen[tabel])

    async def afdeling_feiten(self, werkgever_id: str, afdeling_id: str) -> list[AfdelingFeit]:
        cur = await self._conn.execute(
            _select_sql("afdeling_feit", "werkgever_id", "afdeling_id"), (werkgever_id, afdeling_id)
        )
        return [afdeling_feit_uit(r) for r in await cur.fetchall()]

    async def vervang_afdeling(self, werkgever_id: str, afdeling: AfdelingFeit) -> None:
        await self._conn.execute(
            "DELETE FROM afdeling WHERE werkgever_id = %s AND afdeling_id = %s", (werkgever_id, afdeling.afdeling_id)
        )
        await self._conn.execute(insert_sql("afdeling"), afdeling_rij(werkgever_id, afdeling))

    async def termijn_feiten(self, werkgever_id: str, termijn_id: str) -> list[TermijnFeit]:
        cur = await self._conn.execute(
            _select_sql("termijn_feit", "werkgever_id", "termijn_id"), (werkgever_id, termijn_id)
        )
        return [termijn_feit_uit(r) for r in await cur.fetchall()]

    async def vervang_termijn(self, werkgever_id: str, termijn: Termijn) -> None:
        await self._conn.execute(
            "DELETE FROM termijn WHERE werkgever_id = %s AND termijn_id = %s", (werkgever_id, termijn.termijn_id)
        )
        await self._conn.execute(insert_sql("termijn"), termijn_rij(werkgever_id, termijn))


async def werknemer_feiten(
    conn: AsyncConnection, werkgever_id: str, werknemer_id: str
) -> tuple[list[MedewerkerFeit], list[DossierFeit]]:
    cur = await conn.execute(
        _select_sql("medewerker_feit", "werkgever_id", "werknemer_id"), (werkgever_id, werknemer_id)
    )
    medewerker = [medewerker_feit_uit(r) for r in await cur.fetchall()]
    cur = await conn.execute(_select_sql("dossier_feit", "werkgever_id", "werknemer_id"), (werkgever_id, werknemer_id))
    dossier = [dossier_feit_uit(r) for r in await cur.fetchall()]
    return medewerker, dossier

"""PostgreSQL implementation of the application's ports: the transactional Termijnboek and the TermijnLezer.

Every write is an idempotent upsert or an insert that leaves an existing row alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from verzuim_shared.events import Event, HerstelGeregistreerd

from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.application import DossierTermijn, Werklijstfilter
from verzuim_deadlines.domain import DossierFeiten, Episode, Termijn, TermijnCode, TermijnStatus

_TERMIJN_KOLOMMEN = (
    "termijn_id, dossier_id, werkgever_id, werknemer_id, code, volgnummer, vervaldatum, status, grondslag, "
    "afleiding, reden, gepland_op, bijgewerkt_op"
)


class PostgresOpslag:
    def __init__(self, database: Database) -> None:
        self._database = database

    @contextlib.asynccontextmanager
    async def transactie(self) -> AsyncIterator[PostgresTermijnboek]:
        async with self._database.pool.connection() as conn, conn.transaction():
            yield PostgresTermijnboek(conn)


class PostgresTermijnboek:
    def __init__(self, conn: AsyncConnection[Any]) -> None:
        self._conn = conn

    async def _rows(self, query: str, params: tuple[Any, ...] | dict[str, Any]) -> list[DictRow]:
        async with self._conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, params)
            return await cur.fetchall()

    async def markeer_verwerkt(self, event: Event) -> bool:
        rows = await self._rows(
            "INSERT INTO verwerkt_event (event_id, subject, werkgever_id, verwerkt_op) VALUES (%s, %s, %s, now())"
            " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            (event.event_id, event.subject(), event.werkgever_id),
        )
        return bool(rows)

    async def dossier(self, dossier_id: UUID) -> DossierFeiten | None:
        rows = await self._rows("SELECT * FROM dossier_feiten WHERE dossier_id = %s FOR UPDATE", (dossier_id,))
        if not rows:
            return None
        return _feiten(rows[0], await _episodes(self._conn, dossier_id))

    async def bewaar_dossier(self, feiten: DossierFeiten, versie: int, nu: datetime) -> None:
        await self._conn.execute(
            """
            INSERT INTO dossier_feiten (dossier_id, werkgever_id, werknemer_id, eerste_ziektedag, gemeld_op,
                                        herstelafspraak, vangnet_van_toepassing, versie, geregistreerd_op,
                                        bijgewerkt_op)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (dossier_id) DO UPDATE SET
                versie = GREATEST(dossier_feiten.versie, EXCLUDED.versie),
                bijgewerkt_op = EXCLUDED.bijgewerkt_op
            """,
            (
                feiten.dossier_id,
                feiten.werkgever_id,
                feiten.werknemer_id,
                feiten.episodes[0].eerste_ziektedag,
                feiten.gemeld_op,
                feiten.herstelafspraak,
                feiten.vangnet_van_toepassing,
                versie,
                nu,
                nu,
            ),
        )
        for volgnummer, episode in enumerate(feiten.episodes, start=1):
            await self._conn.execute(
                "INSERT INTO dossier_episode (dossier_id, volgnummer, eerste_ziektedag, hersteldatum)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (dossier_id, volgnummer) DO UPDATE SET"
                " eerste_ziektedag = EXCLUDED.eerste_ziektedag, hersteldatum = EXCLUDED.hersteldatum",
                (feiten.dossier_id, volgnummer, episode.eerste_ziektedag, episode.hersteldatum),
            )

    async def bewaar_herstel(self, herstel: HerstelGeregistreerd) -> None:
        await self._conn.execute(
            "INSERT INTO dossier_herstel (herstel_id, dossier_id, soort, hersteldatum,"
            " arbeidsongeschiktheidspercentage, versie) VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (herstel_id) DO NOTHING",
            (
                herstel.herstel_id,
                herstel.dossier_id,
                herstel.soort.value,
                herstel.hersteldatum,
                herstel.arbeidsongeschiktheidspercentage,
                herstel.versie,
            ),
        )

    async def termijnen(self, dossier_id: UUID) -> list[DossierTermijn]:
        rows = await self._rows(
            f"SELECT {_TERMIJN_KOLOMMEN} FROM termijn WHERE dossier_id = %s ORDER BY vervaldatum, code, volgnummer",
            (dossier_id,),
        )
        return [_termijn(row) for row in rows]

    async def plan(self, termijn: DossierTermijn) -> bool:
        t = termijn.termijn
        rows = await self._rows(
            f"INSERT INTO termijn ({_TERMIJN_KOLOMMEN}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (termijn_id) DO NOTHING RETURNING termijn_id",
            (
                termijn.termijn_id,
                termijn.dossier_id,
                termijn.werkgever_id,
                termijn.werknemer_id,
                t.code.value,
                t.volgnummer,
                t.vervaldatum,
                t.status.value,
                t.grondslag,
                t.afleiding,
                t.reden,
                termijn.gepland_op,
                termijn.bijgewerkt_op,
            ),
        )
        return bool(rows)

    async def werk_bij(self, termijn: DossierTermijn) -> None:
        t = termijn.termijn
        await self._conn.execute(
            "UPDATE termijn SET status = %s, reden = %s, vervaldatum = %s, afleiding = %s, bijgewerkt_op = %s"
            " WHERE termijn_id = %s",
            (t.status.value, t.reden, t.vervaldatum, t.afleiding, termijn.bijgewerkt_op, termijn.termijn_id),
        )

    async def verstuur(self, event: Event) -> None:
        await self._conn.execute(
            "INSERT INTO uitgaand_event (event_id, subject, body, aangemaakt_op) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (event_id) DO NOTHING",
            (event.event_id, event.subject(), event.model_dump_json(), event.geregistreerd_op),
        )


class PostgresTermijnLezer:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def dossier(self, werkgever_id: str, dossier_id: UUID) -> DossierFeiten | None:
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                "SELECT * FROM dossier_feiten WHERE werkgever_id = %s AND dossier_id = %s", (werkgever_id, dossier_id)
            )
            row = await cur.fetchone()
            if row is None:
                return None
            return _feiten(row, await _episodes(conn, dossier_id))

    async def termijnen_van_dossier(self, werkgever_id: str, dossier_id: UUID) -> list[DossierTermijn]:
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                f"SELECT {_TERMIJN_KOLOMMEN} FROM termijn WHERE werkgever_id = %s AND dossier_id = %s"
                " ORDER BY vervaldatum, code, volgnummer",
                (werkgever_id, dossier_id),
            )
            return [_termijn(row) for row in await cur.fetchall()]

    async def werklijst(self, werkgever_id: str, filter: Werklijstfilter) -> list[DossierTermijn]:
        voorwaarden = ["werkgever_id = %(werkgever_id)s"]
        params: dict[str, Any] = {"werkgever_id": werkgever_id, "limit": filter.limit, "offset": filter.offset}
        if filter.status is not None:
            voorwaarden.append("status = %(status)s")
            params["status"] = filter.status.value
        if filter.voor is not None:
            voorwaarden.append("vervaldatum < %(voor)s")
            params["voor"] = filter.voor
        if filter.code is not None:
            voorwaarden.append("code = %(code)s")
            params["code"] = filter.code.value
        if filter.werknemer_id is not None:
            voorwaarden.append("werknemer_id = %(werknemer_id)s")
            params["werknemer_id"] = filter.werknemer_id
        query = (
            f"SELECT {_TERMIJN_KOLOMMEN} FROM termijn WHERE {' AND '.join(voorwaarden)}"
            " ORDER BY vervaldatum, werknemer_id, code, volgnummer, termijn_id LIMIT %(limit)s OFFSET %(offset)s"
        )
        async with self._database.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, params)
            return [_termijn(row) for row in await cur.fetchall()]


async def _episodes(conn: AsyncConnection[Any], dossier_id: UUID) -> tuple[Episode, ...]:
    async with conn.cursor() as cur:
        await cur.execute(
            "SELECT eerste_ziektedag, hersteldatum FROM dossier_episode WHERE dossier_id = %s ORDER BY volgnummer",
            (dossier_id,),
        )
        return tuple(Episode(eerste_ziektedag, hersteldatum) for eerste_ziektedag, hersteldatum in await cur.fetchall())


def _feiten(row: DictRow, episodes: tuple[Episode, ...]) -> DossierFeiten:
    return DossierFeiten(
        dossier_id=row["dossier_id"],
        werkgever_id=row["werkgever_id"],
        werknemer_id=row["werknemer_id"],
        episodes=episodes,
        gemeld_op=row["gemeld_op"],
        herstelafspraak=row["herstelafspraak"],
        vangnet_van_toepassing=row["vangnet_van_toepassing"],
    )


def _termijn(row: DictRow) -> DossierTermijn:
    return DossierTermijn(
        termijn_id=row["termijn_id"],
        dossier_id=row["dossier_id"],
        werkgever_id=row["werkgever_id"],
        werknemer_id=row["werknemer_id"],
        termijn=Termijn(
            code=TermijnCode(row["code"]),
            volgnummer=row["volgnummer"],
            vervaldatum=row["vervaldatum"],
            status=TermijnStatus(row["status"]),
            grondslag=row["grondslag"],
            afleiding=row["afleiding"],
            reden=row["reden"],
        ),
        gepland_op=row["gepland_op"],
        bijgewerkt_op=row["bijgewerkt_op"],
    )

"""The personeel projection on PostgreSQL. A change reads the current row and writes the next one in one
transaction, under an advisory lock per row key, so replicas sharing the consumer cannot interleave."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.domain.personeel import Afdeling, Medewerker

_MEDEWERKER_KOLOMMEN = (
    "werkgever_id",
    "werknemer_id",
    "naam",
    "email",
    "afdeling_id",
    "leidinggevende_id",
    "geldig_vanaf",
    "gegevens_sequence",
    "datum_in_dienst",
    "datum_uit_dienst",
)
_AFDELING_KOLOMMEN = (
    "werkgever_id",
    "afdeling_id",
    "naam",
    "leidinggevende_id",
    "hr_adviseur_id",
    "rayonmanager_id",
    "rayon",
    "sequence",
)


def _upsert(tabel: str, kolommen: tuple[str, ...], sleutel: tuple[str, ...]) -> str:
    namen = ", ".join(kolommen)
    waarden = ", ".join(f"%({k})s" for k in kolommen)
    updates = ", ".join(f"{k} = EXCLUDED.{k}" for k in kolommen if k not in sleutel)
    return (
        f"INSERT INTO {tabel} ({namen}) VALUES ({waarden}) ON CONFLICT ({', '.join(sleutel)}) DO UPDATE SET {updates}"
    )


_UPSERT_MEDEWERKER = _upsert("medewerker", _MEDEWERKER_KOLOMMEN, ("werkgever_id", "werknemer_id"))
_UPSERT_AFDELING = _upsert("afdeling", _AFDELING_KOLOMMEN, ("werkgever_id", "afdeling_id"))


async def _lock(conn: AsyncConnection[Any], *sleutel: str) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", ("|".join(sleutel),))


class PostgresPersoneelStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def _medewerker(self, conn: AsyncConnection[Any], werkgever_id: str, werknemer_id: str) -> Medewerker | None:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            f"SELECT {', '.join(_MEDEWERKER_KOLOMMEN)} FROM medewerker WHERE werkgever_id = %s AND werknemer_id = %s",
            (werkgever_id, werknemer_id),
        )
        row = await cur.fetchone()
        return Medewerker(**row) if row else None

    async def _afdeling(self, conn: AsyncConnection[Any], werkgever_id: str, afdeling_id: str) -> Afdeling | None:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            f"SELECT {', '.join(_AFDELING_KOLOMMEN)} FROM afdeling WHERE werkgever_id = %s AND afdeling_id = %s",
            (werkgever_id, afdeling_id),
        )
        row = await cur.fetchone()
        return Afdeling(**row) if row else None

    async def medewerker(self, werkgever_id: str, werknemer_id: str) -> Medewerker | None:
        async with self._db.verbinding() as conn:
            return await self._medewerker(conn, werkgever_id, werknemer_id)

    async def medewerker_met_afdeling(
        self, werkgever_id: str, werknemer_id: str
    ) -> tuple[Medewerker | None, Afdeling | None]:
        kolommen = ", ".join(
            [*(f"m.{k}" for k in _MEDEWERKER_KOLOMMEN), *(f"a.{k} AS afdeling_{k}" for k in _AFDELING_KOLOMMEN)]
        )
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"""
                SELECT {kolommen} FROM medewerker m
                LEFT JOIN afdeling a ON a.werkgever_id = m.werkgever_id AND a.afdeling_id = m.afdeling_id
                WHERE m.werkgever_id = %s AND m.werknemer_id = %s
                """,
                (werkgever_id, werknemer_id),
            )
            row = await cur.fetchone()
        if row is None:
            return None, None
        medewerker = Medewerker(**{k: row[k] for k in _MEDEWERKER_KOLOMMEN})
        if row["afdeling_werkgever_id"] is None:
            return medewerker, None
        return medewerker, Afdeling(**{k: row[f"afdeling_{k}"] for k in _AFDELING_KOLOMMEN})

    async def medewerkers(self, werkgever_id: str, werknemer_ids: Collection[str]) -> dict[str, Medewerker]:
        if not werknemer_ids:
            return {}
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {', '.join(_MEDEWERKER_KOLOMMEN)} FROM medewerker "
                "WHERE werkgever_id = %s AND werknemer_id = ANY(%s)",
                (werkgever_id, list(werknemer_ids)),
            )
            return {row["werknemer_id"]: Medewerker(**row) for row in await cur.fetchall()}

    async def afdeling(self, werkgever_id: str, afdeling_id: str) -> Afdeling | None:
        async with self._db.verbinding() as conn:
            return await self._afdeling(conn, werkgever_id, afdeling_id)

    async def wijzig_medewerker(
        self, werkgever_id: str, werknemer_id: str, wijziging: Callable[[Medewerker | None], Medewerker]
    ) -> None:
        async with self._db.transactie() as conn:
            await _lock(conn, "medewerker", werkgever_id, werknemer_id)
            huidig = await self._medewerker(conn, werkgever_id, werknemer_id)
            volgend = wijziging(huidig)
            if volgend != huidig:
                await conn.execute(_UPSERT_MEDEWERKER, asdict(volgend))

    async def wijzig_afdeling(
        self, werkgever_id: str, afdeling_id: str, wijziging: Callable[[Afdeling | None], Afdeling]
    ) -> None:
        async with self._db.transactie() as conn:
            await _lock(conn, "afdeling", werkgever_id, afdeling_id)
            huidig = await self._afdeling(conn, werkgever_id, afdeling_id)
            volgend = wijziging(huidig)
            if volgend != huidig:
                await conn.execute(_UPSERT_AFDELING, asdict(volgend))

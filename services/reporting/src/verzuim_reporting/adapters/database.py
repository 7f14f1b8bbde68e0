"""The connection pool of the read model, and the PostgreSQL schema it lives in.

Every connection of the pool has `search_path = leesmodel`, so a rebuilt read model swapped in under that name is
what the next query sees. At start the schema is created when it is missing; whether it must be (re)built from the
streams is reported by `herbouw_nodig` (empty or of another version).
"""

from __future__ import annotations

from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool
from verzuim_shared.db import check_database
from verzuim_shared.problems import ServiceUnavailable
from verzuim_shared.settings import ServiceSettings

from verzuim_reporting.adapters.schema import INDEXEN, LEESMODEL, SCHEMA_LOCK_KEY, SLEUTELS, TABELLEN, VERSIE, VIEWS


async def maak_schema(conn: AsyncConnection, naam: str, *, met_indexen: bool = True) -> None:
    """Create an empty read model in schema `naam` (which must not exist yet). Without indexes (and keys) for a bulk
    load, which adds them afterwards."""
    await conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(naam)))
    await conn.execute(sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(naam)))
    for statement in TABELLEN:
        await conn.execute(statement)
    if met_indexen:
        for statement in (*SLEUTELS, *INDEXEN, *VIEWS):
            await conn.execute(statement)
    await conn.execute("INSERT INTO leesmodel_info (sleutel, waarde) VALUES ('versie', %s)", (VERSIE,))


async def schema_versie(conn: AsyncConnection, naam: str) -> str | None:
    """The version of the read model in schema `naam`; None when there is none."""
    cur = await conn.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'leesmodel_info'", (naam,)
    )
    if await cur.fetchone() is None:
        return None
    cur = await conn.execute(
        sql.SQL("SELECT waarde FROM {}.leesmodel_info WHERE sleutel = 'versie'").format(sql.Identifier(naam))
    )
    row = await cur.fetchone()
    return str(row[0]) if row else None


class Database:
    def __init__(self, settings: ServiceSettings, *, max_size: int = 8) -> None:
        self._settings = settings
        self._max_size = max_size
        self._pool: AsyncConnectionPool | None = None
        self.herbouw_nodig = False

    @property
    def url(self) -> str:
        return self._settings.database_url

    async def open(self) -> None:
        pool = AsyncConnectionPool(
            self._settings.database_url,
            min_size=1,
            max_size=self._max_size,
            open=False,
            kwargs={"options": f"-c search_path={LEESMODEL}"},
        )
        await pool.open(wait=True, timeout=30)
        try:
            async with pool.connection() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
                versie = await schema_versie(conn, LEESMODEL)
                if versie is None:
                    await conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(LEESMODEL)))
                    await maak_schema(conn, LEESMODEL)
                    self.herbouw_nodig = True
                else:
                    self.herbouw_nodig = versie != VERSIE
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise ServiceUnavailable("De database van de rapportages is (nog) niet verbonden.")
        return self._pool

    async def postgres(self) -> None:
        """Readiness check: the read model's database answers."""
        await check_database(self.pool)

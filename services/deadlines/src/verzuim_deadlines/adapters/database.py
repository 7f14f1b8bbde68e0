"""The connection pool of the deadlines store: opened (and the schema applied) when the service starts."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool
from verzuim_shared.db import apply_schema, check_database, open_pool
from verzuim_shared.problems import ServiceUnavailable
from verzuim_shared.settings import ServiceSettings

from verzuim_deadlines.adapters.schema import SCHEMA, SCHEMA_LOCK_KEY


class Database:
    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._pool: AsyncConnectionPool | None = None

    async def open(self) -> None:
        pool = await open_pool(self._settings)
        try:
            await apply_schema(pool, SCHEMA, lock_key=SCHEMA_LOCK_KEY)
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
            raise ServiceUnavailable("De database van de termijnbewaking is (nog) niet verbonden.")
        return self._pool

    async def postgres(self) -> None:
        """Readiness check: the deadlines database answers."""
        await check_database(self.pool)

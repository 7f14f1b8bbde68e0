"""The connection pool: opened (and the schema applied) when the service starts."""

from __future__ import annotations

from psycopg_pool import AsyncConnectionPool
from verzuim_shared.db import apply_schema, check_database, conninfo, open_pool
from verzuim_shared.problems import ServiceUnavailable
from verzuim_shared.settings import ServiceSettings

from verzuim_notifications.adapters.schema import SCHEMA, SCHEMA_LOCK_KEY


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
    def conninfo(self) -> str:
        """For a connection of its own outside the pool (the dispatcher's liveness session)."""
        return conninfo(self._settings)

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise ServiceUnavailable("De database van de notificaties is (nog) niet verbonden.")
        return self._pool

    async def postgres(self) -> None:
        """Readiness check: the database answers."""
        await check_database(self.pool)

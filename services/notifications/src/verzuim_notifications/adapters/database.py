"""The connection pool (opened, and the schema applied, when the service starts) and the unit of work.

A unit of work (`eenheid`) gives every store call made inside it, in the same task, one connection and one
transaction: the routing of one event reads and writes over a single connection and commits once, instead of taking
a pool connection per query. Outside a unit each store call takes a connection of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from verzuim_shared.db import apply_schema, check_database, conninfo, open_pool
from verzuim_shared.problems import ServiceUnavailable
from verzuim_shared.settings import ServiceSettings

from verzuim_notifications.adapters.schema import SCHEMA, SCHEMA_LOCK_KEY


class Database:
    def __init__(self, settings: ServiceSettings, *, pool_max: int = 8) -> None:
        self._settings = settings
        self._pool_max = pool_max
        self._pool: AsyncConnectionPool | None = None
        self._eenheid: ContextVar[AsyncConnection[Any] | None] = ContextVar(f"eenheid-{id(self)}", default=None)

    async def open(self) -> None:
        pool = await open_pool(self._settings, max_size=self._pool_max)
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

    @asynccontextmanager
    async def eenheid(self) -> AsyncIterator[None]:
        """One connection and one transaction for every store call inside: committed at the end, rolled back on an
        error. Inside another unit it joins that one."""
        if self._eenheid.get() is not None:
            yield
            return
        async with self.pool.connection() as conn, conn.transaction():
            token = self._eenheid.set(conn)
            try:
                yield
            finally:
                self._eenheid.reset(token)

    @asynccontextmanager
    async def verbinding(self) -> AsyncIterator[AsyncConnection[Any]]:
        """The unit of work's connection, else one from the pool for this call."""
        conn = self._eenheid.get()
        if conn is not None:
            yield conn
            return
        async with self.pool.connection() as conn:
            yield conn

    @asynccontextmanager
    async def transactie(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A transaction: the unit of work's (it commits at the unit's end), else one of its own."""
        conn = self._eenheid.get()
        if conn is not None:
            yield conn
            return
        async with self.pool.connection() as conn, conn.transaction():
            yield conn

    async def postgres(self) -> None:
        """Readiness check: the database answers."""
        await check_database(self.pool)

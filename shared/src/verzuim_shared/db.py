"""PostgreSQL helpers for the services' own read models and schedules (plain SQL, psycopg 3)."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool

from verzuim_shared.settings import ServiceSettings


def conninfo(settings: ServiceSettings) -> str:
    return settings.database_url


async def open_pool(settings: ServiceSettings, *, min_size: int = 1, max_size: int = 8) -> AsyncConnectionPool:
    pool = AsyncConnectionPool(conninfo(settings), min_size=min_size, max_size=max_size, open=False)
    await pool.open(wait=True, timeout=30)
    return pool


async def apply_schema(pool: AsyncConnectionPool, statements: Sequence[str], *, lock_key: int) -> None:
    """Apply idempotent DDL (CREATE ... IF NOT EXISTS) under an advisory lock, so replicas don't race."""
    async with pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key,))
        for statement in statements:
            await conn.execute(statement)


async def check_database(pool: AsyncConnectionPool) -> None:
    async with pool.connection() as conn:
        await conn.execute("SELECT 1")


async def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` if it does not exist (used by the local stack and the tests)."""
    async with await AsyncConnection.connect(admin_url, autocommit=True) as conn:
        cur = await conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if await cur.fetchone() is None:
            await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

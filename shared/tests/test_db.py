from __future__ import annotations

from verzuim_shared.db import apply_schema, check_database, open_pool
from verzuim_shared.settings import ServiceSettings


async def test_schema_is_applied_idempotently_on_a_real_database(database_url: str) -> None:
    pool = await open_pool(ServiceSettings(database_url=database_url))
    try:
        ddl = ["CREATE TABLE IF NOT EXISTS probe (id int PRIMARY KEY)"]
        await apply_schema(pool, ddl, lock_key=1)
        await apply_schema(pool, ddl, lock_key=1)
        await check_database(pool)
        async with pool.connection() as conn:
            await conn.execute("INSERT INTO probe VALUES (1)")
            cur = await conn.execute("SELECT count(*) FROM probe")
            assert (await cur.fetchone()) == (1,)
    finally:
        await pool.close()


def test_database_url_is_split_for_libraries_that_want_parts() -> None:
    parts = ServiceSettings(database_url="postgresql://app:pw@db.example:6543/cases").database_parts()
    assert parts == {"host": "db.example", "port": "6543", "user": "app", "password": "pw", "dbname": "cases"}

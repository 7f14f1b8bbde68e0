"""The outbox dispatcher's claims on a real PostgreSQL: a claim made by a dispatcher whose process died is taken over
at once, a live dispatcher's claim is left alone for its whole lease."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import psycopg
import pytest
from verzuim_notifications.adapters.aflever_store import DISPATCHER_LOCK_NS, PostgresAfleverStore
from verzuim_notifications.adapters.berichten_store import schrijf_aflevering
from verzuim_notifications.adapters.database import Database
from verzuim_notifications.settings import NotificationsSettings

LEASE_S = 600.0  # far longer than the test: only the dispatcher's death can free its claim


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(NotificationsSettings(database_url=database_url))
    await db.open()
    try:
        yield db
    finally:
        await db.close()


async def dispatcher_sessies(database_url: str) -> list[int]:
    """The backend pids of the sessions that hold a dispatcher's liveness lock in this test's database (the server
    is shared with other tests, and their services)."""
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            """
            SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND classid = %s::oid AND objsubid = 2 AND granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            (DISPATCHER_LOCK_NS,),
        )
        return [pid for (pid,) in await cur.fetchall()]


async def test_the_claim_of_a_dispatcher_that_died_is_taken_over_at_once(database: Database, database_url: str) -> None:
    aflevering_id = uuid4()
    async with database.pool.connection() as conn:
        await schrijf_aflevering(
            conn, aflevering_id, "wg-1", "email", "lg-1", "lg-1@example.org", "Ziekmelding", "Neem contact op."
        )
    eerste, tweede = PostgresAfleverStore(database), PostgresAfleverStore(database)
    try:
        [claim] = await eerste.claim(10, LEASE_S)
        assert (claim.id, claim.pogingen) == (aflevering_id, 1)
        [sessie] = await dispatcher_sessies(database_url)

        # the first dispatcher lives: its claim stands, nobody else sends the same e-mail
        assert await tweede.claim(10, LEASE_S) == []
        assert await eerste.claim(10, LEASE_S) == []

        # its process dies (the database ends its session, as when the process is killed) with the claim unsent
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as admin:
            await admin.execute("SELECT pg_terminate_backend(%s, 10000)", (sessie,))  # waits until it is gone
        [overgenomen] = await tweede.claim(10, LEASE_S)
        assert (overgenomen.id, overgenomen.pogingen) == (aflevering_id, 2)
        # and once taken over, it is the second dispatcher's, alive
        assert await tweede.claim(10, LEASE_S) == []
    finally:
        await eerste.afmelden()
        await tweede.afmelden()


async def test_a_dispatcher_whose_session_was_lost_continues_under_a_new_id(
    database: Database, database_url: str
) -> None:
    store = PostgresAfleverStore(database)
    try:
        assert await store.claim(10, LEASE_S) == []
        [sessie] = await dispatcher_sessies(database_url)
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as admin:
            await admin.execute("SELECT pg_terminate_backend(%s, 10000)", (sessie,))  # waits until it is gone
        with pytest.raises(psycopg.OperationalError):
            await store.claim(10, LEASE_S)
        assert await store.claim(10, LEASE_S) == []  # the next round registers again
        [nieuw] = await dispatcher_sessies(database_url)
        assert nieuw != sessie
    finally:
        await store.afmelden()

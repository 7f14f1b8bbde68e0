"""The meldingen store on a real PostgreSQL: meldingen of one werknemer are stored and evaluated one at a time, so two
handled side by side both count, and each frequent-verzuim signal is given once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from uuid import UUID, uuid4

import psycopg
import pytest
from verzuim_devstack.testing import eventually
from verzuim_notifications.adapters.database import Database
from verzuim_notifications.adapters.dossier_store import PostgresDossierStore
from verzuim_notifications.application import GegevenFrequentSignaal
from verzuim_notifications.domain.frequent_verzuim import FrequentSignaal, Melding, nieuwe_signalen
from verzuim_notifications.domain.regiemodel import FrequentVerzuimInstelling
from verzuim_notifications.settings import NotificationsSettings

E = date(2025, 6, 2)
INSTELLING = FrequentVerzuimInstelling()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(NotificationsSettings(database_url=database_url))
    await db.open()
    try:
        yield db
    finally:
        await db.close()


async def meld(
    store: PostgresDossierStore, melding: Melding, bron_event_id: UUID | None = None
) -> list[GegevenFrequentSignaal]:
    return await store.registreer_melding(
        "wg-1",
        "wn-1",
        uuid4(),
        melding,
        bron_event_id or uuid4(),
        lambda meldingen, gegeven: nieuwe_signalen(meldingen, melding, INSTELLING, gegeven),
    )


async def wachtende_sloten(database_url: str) -> int:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        )
        row = await cur.fetchone()
        return int(row[0]) if row else 0


async def test_two_meldingen_of_one_werknemer_wait_for_each_other_and_both_count(
    database: Database, database_url: str
) -> None:
    store = PostgresDossierStore(database)
    vandaag = Melding(uuid4(), E)
    assert await meld(store, vandaag) == []
    eerder, later = Melding(uuid4(), E - timedelta(days=200)), Melding(uuid4(), E - timedelta(days=100))
    # hold the werknemer's lock, as a third melding being handled would; both new ones must queue behind it
    async with await psycopg.AsyncConnection.connect(database_url) as houder, houder.transaction():
        await houder.execute("SELECT pg_advisory_xact_lock(hashtextextended('melding|wg-1|wn-1', 0))")
        taken = [asyncio.create_task(meld(store, m)) for m in (eerder, later)]

        async def beide_wachten() -> bool:
            return await wachtende_sloten(database_url) == 2

        await eventually(beide_wachten, timeout=10)
        assert not any(t.done() for t in taken)
    uitkomsten = [g for t in taken for g in await t]
    # whichever went first, the second saw it: today's melding completes the threshold, once
    assert [(g.uitkomst.melding_id, g.uitkomst.signaal, g.uitkomst.aantal) for g in uitkomsten] == [
        (vandaag.melding_id, FrequentSignaal.DREMPEL, 3)
    ]


async def test_a_redelivered_melding_answers_the_signals_it_raised_and_raises_none_again(database: Database) -> None:
    store = PostgresDossierStore(database)
    for d in (200, 100):
        await meld(store, Melding(uuid4(), E - timedelta(days=d)))
    derde, bron = Melding(uuid4(), E), uuid4()
    [eerste] = await meld(store, derde, bron)
    assert (eerste.uitkomst.melding_id, eerste.uitkomst.aantal) == (derde.melding_id, 3)
    # the same event again (its routing was not committed, say): the same signal, and no second one
    assert await meld(store, derde, bron) == [eerste]
    # the same melding under another event id (published again): it counts once and raises nothing new
    assert await meld(store, derde) == []

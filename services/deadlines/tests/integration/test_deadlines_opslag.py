"""The PostgreSQL store on its own (no NATS): the signalling state of a termijn survives storage, and a database of
the version that kept only the last due date per signal is converted on start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from pydantic import SecretStr
from verzuim_deadlines.adapters.database import Database
from verzuim_deadlines.adapters.opslag import PostgresOpslag
from verzuim_deadlines.application import Signalering, Termijnbewaking
from verzuim_deadlines.domain import TermijnCode, termijn_id
from verzuim_deadlines.settings import DeadlinesSettings
from verzuim_shared.clock import SimulatedClock
from verzuim_shared.events import Actor, DossierGeopend, Rol
from verzuim_shared.events.dossier import FeitGecorrigeerd

E = date(2025, 1, 6)  # PROBLEEMANALYSE due 2025-02-17


def om(dag: date) -> datetime:
    return datetime.combine(dag, datetime.min.time(), UTC) + timedelta(hours=8)


@pytest.fixture
async def database(database_url: str, jwt_secret: str) -> AsyncIterator[Database]:
    db = Database(DeadlinesSettings(database_url=database_url, auth_jwt_secret=SecretStr(jwt_secret)))
    await db.open()
    try:
        yield db
    finally:
        await db.close()


class Dossier:
    def __init__(self) -> None:
        self.id = uuid4()
        self.versie = 0

    def basis(self, **extra: Any) -> dict[str, Any]:
        self.versie += 1
        return {
            "event_id": uuid4(),
            "werkgever_id": "wg-1",
            "geregistreerd_op": om(E),
            "actor": Actor(id="hr-1", rol=Rol.HR),
            "dossier_id": self.id,
            "versie": self.versie,
            "werknemer_id": "wn-1",
            **extra,
        }

    def geopend(self) -> DossierGeopend:
        return DossierGeopend(**self.basis(melding_id=uuid4(), eerste_ziektedag=E, gemeld_op=om(E)))

    def correctie(self, oud: date, nieuw: date) -> FeitGecorrigeerd:
        return FeitGecorrigeerd(
            **self.basis(
                datum=E,
                feit="eerste_ziektedag",
                oude_waarde=oud.isoformat(),
                nieuwe_waarde=nieuw.isoformat(),
                reden="x",
            )
        )


async def test_a_termijn_moved_there_and_back_is_signalled_once_per_due_date_in_postgres(
    database: Database, database_url: str
) -> None:
    clock = SimulatedClock(om(E))
    opslag = PostgresOpslag(database)
    bewaking, signalering = Termijnbewaking(opslag, clock), Signalering(opslag, clock)
    d = Dossier()
    await bewaking.verwerk(d.geopend())
    clock.set(om(date(2025, 2, 11)))
    await signalering.ronde()  # nadert for A = 2025-02-17
    await bewaking.verwerk(d.correctie(E, date(2025, 1, 13)))  # A → B = 2025-02-24
    clock.set(om(date(2025, 2, 17)))
    await signalering.ronde()  # nadert for B
    await bewaking.verwerk(d.correctie(date(2025, 1, 13), E))  # B → A
    assert await signalering.ronde() == 0
    pa = termijn_id(d.id, TermijnCode.PROBLEEMANALYSE)
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT nadert_verstuurd, verstreken_verstuurd FROM termijn WHERE termijn_id = %s", (pa,)
        )
        assert await cur.fetchone() == ([date(2025, 2, 17), date(2025, 2, 24)], [])
        cur = await conn.execute(
            "SELECT count(*) FROM termijn_historie WHERE termijn_id = %s AND wat = 'nadert'", (pa,)
        )
        assert await cur.fetchone() == (2,)


async def test_a_database_that_kept_only_the_last_due_date_is_converted_on_start(
    database: Database, database_url: str, jwt_secret: str
) -> None:
    clock = SimulatedClock(om(E))
    d = Dossier()
    await Termijnbewaking(PostgresOpslag(database), clock).verwerk(d.geopend())
    await database.close()
    pa = termijn_id(d.id, TermijnCode.PROBLEEMANALYSE)
    # the previous version's columns, with the nadert of 2025-02-17 sent
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        await conn.execute(
            "ALTER TABLE termijn DROP COLUMN nadert_verstuurd, DROP COLUMN verstreken_verstuurd,"
            " ADD COLUMN nadert_verstuurd_voor date, ADD COLUMN verstreken_verstuurd_voor date"
        )
        await conn.execute(
            "UPDATE termijn SET nadert_verstuurd_voor = vervaldatum, volgende_signaal_op = vervaldatum + 1"
            " WHERE termijn_id = %s",
            (pa,),
        )
    for _ in range(2):  # converted once; a second start changes nothing
        await database.open()
        await database.close()
    await database.open()
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT nadert_verstuurd, verstreken_verstuurd FROM termijn WHERE termijn_id = %s", (pa,)
        )
        assert await cur.fetchone() == ([date(2025, 2, 17)], [])
        cur = await conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'termijn'"
            " AND column_name IN ('nadert_verstuurd_voor', 'verstreken_verstuurd_voor')"
        )
        assert await cur.fetchone() == (0,)
    clock.set(om(date(2025, 2, 18)))
    assert await Signalering(PostgresOpslag(database), clock).ronde() > 0
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT subject FROM uitgaand_event WHERE body::jsonb ->> 'termijn_id' = %s ORDER BY volgnummer",
            (str(pa),),
        )
        # the converted state says nadert was sent: only the verstreken of 2025-02-17 follows
        assert [r[0] for r in await cur.fetchall()] == ["verzuim.termijn.v1.gepland", "verzuim.termijn.v1.verstreken"]

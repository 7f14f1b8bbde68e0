"""Deliveries (the transactional outbox of e-mail and webhooks) on PostgreSQL.

Scheduling uses the database's clock (`now()`), not the service's business clock: a retry is technical time, and
every replica then agrees on what is due. A claim is a lease (`geclaimd_tot`) taken in the name of a dispatcher
(`geclaimd_door`): the sender commits the claim, sends without holding a transaction open, and records the outcome.

Each dispatcher holds a session advisory lock (namespace `DISPATCHER_LOCK_NS`, key: its random id) on a connection of
its own for as long as it runs. When its process dies, PostgreSQL ends that session and drops the lock, so its claims
can be taken over at once instead of after the lease (which would hold a restarted service's e-mails back for
minutes). The lease stays the bound for a dispatcher whose death the database cannot see (a network partition until
TCP keepalive notices). A live dispatcher's claim is never taken over before its lease runs out.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import dict_row

from verzuim_notifications.adapters.berichten_store import schrijf_aflevering
from verzuim_notifications.adapters.database import Database
from verzuim_notifications.application import AfleveringStaat, DigestBericht, NieuweAflevering, Poging, TeVersturen
from verzuim_notifications.domain.aflevering import AfleverStatus, NaPoging
from verzuim_notifications.domain.routering import Kanaal

logger = logging.getLogger(__name__)

# The advisory lock namespace (first int4 key) of live dispatchers; the second key is a dispatcher's id.
DISPATCHER_LOCK_NS = 0x4E544631  # "NTF1"

_STAAT = (
    "id, werkgever_id, kanaal, ontvanger_id, adres, onderwerp, status, pogingen, laatste_fout, aangemaakt_op, "
    "verzonden_op, mislukt_op, volgende_poging_op, opnieuw_aangeboden"
)


def _staat(row: dict[str, Any], log: tuple[Poging, ...] = ()) -> AfleveringStaat:
    return AfleveringStaat(
        id=row["id"],
        werkgever_id=row["werkgever_id"],
        kanaal=Kanaal(row["kanaal"]),
        ontvanger_id=row["ontvanger_id"],
        adres=row["adres"],
        onderwerp=row["onderwerp"],
        status=AfleverStatus(row["status"]),
        pogingen=row["pogingen"],
        laatste_fout=row["laatste_fout"],
        aangemaakt_op=row["aangemaakt_op"],
        verzonden_op=row["verzonden_op"],
        mislukt_op=row["mislukt_op"],
        volgende_poging_op=row["volgende_poging_op"] if row["status"] == AfleverStatus.WACHTEND.value else None,
        opnieuw_aangeboden=row["opnieuw_aangeboden"],
        poging_log=log,
    )


class PostgresAfleverStore:
    def __init__(self, database: Database) -> None:
        self._db = database
        # The dispatcher's own session: holds its liveness lock, and its claims are made on it (so a lost session is
        # noticed at the next claim, and the dispatcher continues under a new id).
        self._sessie: AsyncConnection[Any] | None = None
        self._ik: int | None = None

    async def _aangemeld(self) -> tuple[AsyncConnection[Any], int]:
        if self._sessie is not None and self._ik is not None and not self._sessie.closed:
            return self._sessie, self._ik
        await self.afmelden()
        conn = await AsyncConnection.connect(self._db.conninfo, autocommit=True)
        try:
            while True:
                ik = secrets.randbelow(2**31 - 2) + 1
                cur = await conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (DISPATCHER_LOCK_NS, ik))
                row = await cur.fetchone()
                if row is not None and row[0]:
                    break
        except BaseException:
            await conn.close()
            raise
        self._sessie, self._ik = conn, ik
        logger.info("dispatcher %d registered", ik)
        return conn, ik

    async def afmelden(self) -> None:
        """End the dispatcher's session (at shutdown): its claims can be taken over from then on."""
        sessie, self._sessie, self._ik = self._sessie, None, None
        if sessie is not None:
            await sessie.close()

    async def claim(self, limit: int, lease_s: float) -> list[TeVersturen]:
        conn, ik = await self._aangemeld()
        try:
            async with conn.transaction():
                cur = conn.cursor(row_factory=dict_row)
                await cur.execute(
                    """
                    WITH levend AS (
                        -- the dispatchers whose session still holds its liveness lock
                        SELECT objid::bigint AS door FROM pg_locks
                        WHERE locktype = 'advisory' AND classid = %(ns)s::oid AND objsubid = 2 AND granted
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    )
                    UPDATE aflevering SET geclaimd_tot = now() + make_interval(secs => %(lease)s),
                                          geclaimd_door = %(ik)s, pogingen = pogingen + 1
                    WHERE id IN (
                        SELECT id FROM aflevering
                        WHERE status = 'wachtend' AND volgende_poging_op <= now()
                          AND (geclaimd_tot IS NULL OR geclaimd_tot < now()
                               OR (geclaimd_door IS NOT NULL AND geclaimd_door NOT IN (SELECT door FROM levend)))
                        ORDER BY volgende_poging_op
                        LIMIT %(limit)s
                        FOR UPDATE SKIP LOCKED
                    )
                    RETURNING id, werkgever_id, kanaal, ontvanger_id, adres, onderwerp, inhoud, pogingen
                    """,
                    {"ns": DISPATCHER_LOCK_NS, "lease": lease_s, "ik": ik, "limit": limit},
                )
                rows = await cur.fetchall()
        except psycopg.OperationalError:
            # The session is gone, and with it the lock: continue under a new id at the next round.
            await self.afmelden()
            raise
        return [
            TeVersturen(
                id=r["id"],
                werkgever_id=r["werkgever_id"],
                kanaal=Kanaal(r["kanaal"]),
                ontvanger_id=r["ontvanger_id"],
                adres=r["adres"],
                onderwerp=r["onderwerp"],
                inhoud=r["inhoud"],
                pogingen=r["pogingen"],
            )
            for r in rows
        ]

    async def registreer(self, uitkomsten: Sequence[tuple[UUID, int, NaPoging]]) -> None:
        if not uitkomsten:
            return
        async with self._db.transactie() as conn, conn.pipeline(), conn.cursor() as cur:
            await cur.executemany(
                """
                INSERT INTO afleverpoging (aflevering_id, ronde, poging, gelukt, fout)
                SELECT id, opnieuw_aangeboden, %s, %s, %s FROM aflevering WHERE id = %s
                ON CONFLICT (aflevering_id, ronde, poging) DO UPDATE SET gelukt = EXCLUDED.gelukt,
                                                                       fout = EXCLUDED.fout, op = now()
                """,
                [
                    (
                        pogingen,
                        u.status is AfleverStatus.VERZONDEN,
                        None if u.status is AfleverStatus.VERZONDEN else u.reden,
                        aflevering_id,
                    )
                    for aflevering_id, pogingen, u in uitkomsten
                ],
            )
            await cur.executemany(
                """
                UPDATE aflevering SET
                    status = %(status)s,
                    geclaimd_tot = NULL,
                    laatste_fout = CASE WHEN %(gelukt)s THEN laatste_fout ELSE %(reden)s END,
                    volgende_poging_op = CASE WHEN %(wacht)s::float8 IS NULL THEN volgende_poging_op
                                              ELSE now() + make_interval(secs => %(wacht)s) END,
                    verzonden_op = CASE WHEN %(gelukt)s THEN now() ELSE verzonden_op END,
                    mislukt_op = CASE WHEN %(status)s = 'mislukt' THEN now() ELSE mislukt_op END
                WHERE id = %(id)s
                """,
                [
                    {
                        "id": aflevering_id,
                        "status": u.status.value,
                        "gelukt": u.status is AfleverStatus.VERZONDEN,
                        "reden": u.reden,
                        "wacht": u.wacht_s,
                    }
                    for aflevering_id, _, u in uitkomsten
                ],
            )

    async def lijst(self, werkgever_id: str, status: AfleverStatus | None, limit: int) -> list[AfleveringStaat]:
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"""
                SELECT {_STAAT} FROM aflevering
                WHERE werkgever_id = %s AND (%s::text IS NULL OR status = %s)
                ORDER BY coalesce(mislukt_op, verzonden_op, aangemaakt_op) DESC, id LIMIT %s
                """,
                (werkgever_id, status.value if status else None, status.value if status else None, limit),
            )
            return [_staat(row) for row in await cur.fetchall()]

    async def staat(self, werkgever_id: str, aflevering_id: UUID) -> AfleveringStaat | None:
        async with self._db.verbinding() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {_STAAT} FROM aflevering WHERE werkgever_id = %s AND id = %s", (werkgever_id, aflevering_id)
            )
            row = await cur.fetchone()
            if row is None:
                return None
            log = await conn.execute(
                "SELECT ronde, poging, op, gelukt, fout FROM afleverpoging WHERE aflevering_id = %s "
                "ORDER BY ronde, poging",
                (aflevering_id,),
            )
            return _staat(row, tuple(Poging(*r) for r in await log.fetchall()))

    async def bied_opnieuw_aan(self, werkgever_id: str, aflevering_id: UUID) -> AfleveringStaat | None:
        async with self._db.transactie() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"""
                UPDATE aflevering SET status = 'wachtend', pogingen = 0, volgende_poging_op = now(),
                                      geclaimd_tot = NULL, opnieuw_aangeboden = opnieuw_aangeboden + 1
                WHERE werkgever_id = %s AND id = %s AND status = 'mislukt'
                RETURNING {_STAAT}
                """,
                (werkgever_id, aflevering_id),
            )
            row = await cur.fetchone()
            return _staat(row) if row is not None else None

    async def digest_ontvangers(self, voor: datetime) -> list[tuple[str, str]]:
        async with self._db.verbinding() as conn:
            cur = await conn.execute(
                """
                SELECT DISTINCT werkgever_id, ontvanger_id FROM bericht
                WHERE digest AND aflevering_id IS NULL AND aangemaakt_op < %s AND ontvanger_id IS NOT NULL
                """,
                (voor,),
            )
            return [(w, p) for w, p in await cur.fetchall()]

    async def bundel_digest(
        self,
        werkgever_id: str,
        persoon_id: str,
        voor: datetime,
        maak: Callable[[list[DigestBericht], str], NieuweAflevering | None],
    ) -> bool:
        async with self._db.transactie() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                """
                SELECT id, titel, deadline, link, soort, adres FROM bericht
                WHERE werkgever_id = %s AND ontvanger_id = %s AND digest AND aflevering_id IS NULL
                  AND aangemaakt_op < %s
                ORDER BY aangemaakt_op, id
                FOR UPDATE SKIP LOCKED
                """,
                (werkgever_id, persoon_id, voor),
            )
            rows = await cur.fetchall()
            adressen = [r["adres"] for r in rows if r["adres"]]
            if not rows or not adressen:
                return False
            berichten = [DigestBericht(r["id"], r["titel"], r["deadline"], r["link"], r["soort"]) for r in rows]
            aflevering = maak(berichten, adressen[-1])
            if aflevering is None:
                return False
            nieuw = await schrijf_aflevering(
                conn,
                aflevering.id,
                aflevering.werkgever_id,
                aflevering.kanaal.value,
                aflevering.ontvanger_id,
                aflevering.adres,
                aflevering.onderwerp,
                aflevering.inhoud,
            )
            await conn.execute(
                "UPDATE bericht SET aflevering_id = %s WHERE id = ANY(%s)",
                (aflevering.id, list(aflevering.bericht_ids)),
            )
            return nieuw

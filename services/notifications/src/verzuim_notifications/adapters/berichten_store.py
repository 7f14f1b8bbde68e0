"""Messages on PostgreSQL: the log of routed source events with their messages, and the inbox read from it.

Channels: a message on the inbox channel *is* delivered once its row is committed. A later channel that leaves the
process (e-mail, webhook) writes its row in the same transaction and is sent from there by a dispatcher with its
own retries (transactional outbox), so routing stays exactly-once whatever the channel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from verzuim_shared.auth import Principal
from verzuim_shared.events import Rol

from verzuim_notifications.adapters.database import Database
from verzuim_notifications.application import BronEvent
from verzuim_notifications.domain.berichten import Bericht, BerichtType
from verzuim_notifications.domain.inbox import InboxItem, InboxStatus
from verzuim_notifications.domain.routering import Bestemming, Kanaal, Ontvanger

_KOLOMMEN = (
    "id, werkgever_id, bron_event_id, ontvanger_rol, ontvanger_id, kanaal, type, titel, tekst, dossier_id, "
    "werknemer_id, link, deadline, status, aangemaakt_op, gelezen_op, afgehandeld_op"
)

# The items a principal may see and mark: on the inbox channel of their own werkgever, addressed to them, or to
# their role without a person.
_ZICHTBAAR = (
    "werkgever_id = %(werkgever_id)s AND kanaal = 'inbox' "
    "AND (ontvanger_id = %(ontvanger_id)s OR (ontvanger_id IS NULL AND ontvanger_rol = %(rol)s))"
)


def _zichtbaar_voor(principal: Principal) -> dict[str, Any]:
    return {"werkgever_id": principal.werkgever_id, "ontvanger_id": principal.id, "rol": principal.rol.value}


def _inbox_item(row: dict[str, Any]) -> InboxItem:
    bericht = Bericht(
        id=row["id"],
        werkgever_id=row["werkgever_id"],
        bron_event_id=row["bron_event_id"],
        bestemming=Bestemming(Ontvanger(Rol(row["ontvanger_rol"]), row["ontvanger_id"]), Kanaal(row["kanaal"])),
        type=BerichtType(row["type"]),
        titel=row["titel"],
        tekst=row["tekst"],
        dossier_id=row["dossier_id"],
        werknemer_id=row["werknemer_id"],
        link=row["link"],
        deadline=row["deadline"],
        aangemaakt_op=row["aangemaakt_op"],
    )
    return InboxItem(
        bericht=bericht,
        status=InboxStatus(row["status"]),
        gelezen_op=row["gelezen_op"],
        afgehandeld_op=row["afgehandeld_op"],
    )


async def _schrijf_bericht(conn: AsyncConnection[Any], bericht: Bericht) -> None:
    ontvanger = bericht.bestemming.ontvanger
    await conn.execute(
        """
        INSERT INTO bericht (id, werkgever_id, bron_event_id, ontvanger_rol, ontvanger_id, kanaal, type, titel, tekst,
                             dossier_id, werknemer_id, link, deadline, status, aangemaakt_op)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'open', %s)
        ON CONFLICT DO NOTHING
        """,
        (
            bericht.id,
            bericht.werkgever_id,
            bericht.bron_event_id,
            ontvanger.rol.value,
            ontvanger.id,
            bericht.bestemming.kanaal.value,
            bericht.type.value,
            bericht.titel,
            bericht.tekst,
            bericht.dossier_id,
            bericht.werknemer_id,
            bericht.link,
            bericht.deadline,
            bericht.aangemaakt_op,
        ),
    )


class PostgresBerichtenlog:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def is_verwerkt(self, event_id: UUID) -> bool:
        async with self._db.pool.connection() as conn:
            cur = await conn.execute("SELECT 1 FROM verwerkt_event WHERE event_id = %s", (event_id,))
            return await cur.fetchone() is not None

    async def leg_vast(self, bron: BronEvent, berichten: Sequence[Bericht]) -> bool:
        async with self._db.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "INSERT INTO verwerkt_event (event_id, werkgever_id, subject) VALUES (%s, %s, %s) "
                "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                (bron.event_id, bron.werkgever_id, bron.subject),
            )
            if await cur.fetchone() is None:
                return False  # routed before (e.g. by another replica): its messages stand
            for bericht in berichten:
                await _schrijf_bericht(conn, bericht)
            return True


class PostgresInboxStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def items(self, principal: Principal, status: InboxStatus | None, limit: int) -> list[InboxItem]:
        params = {**_zichtbaar_voor(principal), "status": status.value if status else None, "limit": limit}
        async with self._db.pool.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {_KOLOMMEN} FROM bericht WHERE {_ZICHTBAAR} "
                "AND (%(status)s::text IS NULL OR status = %(status)s) "
                "ORDER BY aangemaakt_op DESC, id LIMIT %(limit)s",
                params,
            )
            return [_inbox_item(row) for row in await cur.fetchall()]

    async def wijzig_item(
        self, principal: Principal, item_id: UUID, wijziging: Callable[[InboxItem], InboxItem]
    ) -> InboxItem | None:
        async with self._db.pool.connection() as conn, conn.transaction():
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {_KOLOMMEN} FROM bericht WHERE id = %(id)s AND {_ZICHTBAAR} FOR UPDATE",
                {**_zichtbaar_voor(principal), "id": item_id},
            )
            row = await cur.fetchone()
            if row is None:
                return None
            huidig = _inbox_item(row)
            volgend = wijziging(huidig)
            if volgend != huidig:
                await conn.execute(
                    "UPDATE bericht SET status = %s, gelezen_op = %s, afgehandeld_op = %s WHERE id = %s",
                    (volgend.status.value, volgend.gelezen_op, volgend.afgehandeld_op, item_id),
                )
            return volgend
